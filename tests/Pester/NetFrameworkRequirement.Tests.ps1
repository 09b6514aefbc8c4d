BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:moduleDir = Split-Path $env:CAXTON_TEST_MODULE
    $script:requirements = Join-Path $moduleDir 'Caxton.Requirements.psm1'
    # The check itself: the one script block the nested module runs, with the edition and the assembly name as parameters.
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($requirements, [ref]$null, [ref]$null)
    $script:check = $ast.Find({ param($node) $node -is [System.Management.Automation.Language.ScriptBlockExpressionAst] }, $true).ScriptBlock.GetScriptBlock()
}

Describe 'Import on a .NET Framework older than 4.7.1 fails with a plain message' {
    It 'is loaded before Caxton.dll, as a nested module of the manifest that exports nothing' {
        (Import-PowerShellDataFile $env:CAXTON_TEST_MODULE).NestedModules | Should -Be @('Caxton.Requirements.psm1')
        $requirements | Should -Exist
        $imported = @(Import-Module $env:CAXTON_TEST_MODULE -Force -PassThru)
        $imported.Name | Should -Be @('Caxton')
        @($imported[0].NestedModules.ExportedCommands.Keys) | Should -BeNullOrEmpty
    }

    It 'names the requirement when Windows PowerShell''s .NET Framework cannot load netstandard 2.0' {
        # A netstandard this runtime does not have stands for 4.6.2's missing one.
        { & $check 'Desktop' 'netstandard, Version=99.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51' } |
            Should -Throw '*needs .NET Framework 4.7.2 or later on Windows PowerShell 5.1*'
    }

    It 'lets Windows PowerShell import when netstandard 2.0 loads, and never checks on PowerShell 7' {
        { & $check 'Desktop' 'netstandard, Version=2.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51' } | Should -Not -Throw
        { & $check 'Core' 'netstandard, Version=99.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51' } | Should -Not -Throw
    }
}
