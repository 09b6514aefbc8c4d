BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:moduleDir = Split-Path $env:CAXTON_TEST_MODULE
    $script:requirements = Join-Path $moduleDir 'Caxton.Requirements.dll'
    $script:netStandard = 'netstandard, Version=2.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51'
    # A netstandard this runtime does not have stands for 4.6.2's missing one.
    $script:missing = 'netstandard, Version=99.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51'
}

Describe 'Import on a .NET Framework older than 4.7.1 fails with a plain message' {
    It 'is loaded before Caxton.dll, as a binary nested module of the manifest that exports nothing' {
        (Import-PowerShellDataFile $env:CAXTON_TEST_MODULE).NestedModules | Should -Be @('Caxton.Requirements.dll')
        $requirements | Should -Exist
        $imported = @(Import-Module $env:CAXTON_TEST_MODULE -Force -PassThru)
        $imported.Name | Should -Be @('Caxton')
        @($imported[0].NestedModules.ExportedCommands.Keys) | Should -BeNullOrEmpty
    }

    It 'is built for .NET Framework 4.6.2, so a framework without netstandard can load it and say why' {
        $assembly = [System.Reflection.Assembly]::LoadFile($requirements)
        $target = $assembly.GetCustomAttributes([System.Runtime.Versioning.TargetFrameworkAttribute], $false)[0].FrameworkName
        $target | Should -Be '.NETFramework,Version=v4.6.2'
        @($assembly.GetReferencedAssemblies().Name) | Should -Not -Contain 'netstandard'
    }

    It 'names the requirement when Windows PowerShell''s .NET Framework cannot load netstandard 2.0' {
        Import-Module $env:CAXTON_TEST_MODULE
        $thrown = { [Caxton.Requirements.RequirementsCheck]::Check($true, $missing) } | Should -Throw -PassThru
        $thrown.Exception.InnerException | Should -BeOfType [System.PlatformNotSupportedException]
        $thrown.Exception.InnerException.Message | Should -BeLike '*needs .NET Framework 4.7.2 or later on Windows PowerShell 5.1*'
    }

    It 'lets Windows PowerShell import when netstandard 2.0 loads, and never checks on PowerShell 7' {
        Import-Module $env:CAXTON_TEST_MODULE
        { [Caxton.Requirements.RequirementsCheck]::Check($true, $netStandard) } | Should -Not -Throw
        { [Caxton.Requirements.RequirementsCheck]::Check($false, $missing) } | Should -Not -Throw
        { [Caxton.Requirements.RequirementsCheck]::new().OnImport() } | Should -Not -Throw
    }
}
