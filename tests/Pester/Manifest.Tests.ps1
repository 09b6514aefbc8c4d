# The built manifest: what Test-ModuleManifest, PSResourceGet and a reader of the gallery page see.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:repoRoot = Resolve-Path "$PSScriptRoot/../.." | ForEach-Object Path
    $script:manifestPath = $env:CAXTON_TEST_MODULE
    $script:manifest = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
    $script:data = Import-PowerShellDataFile -Path $manifestPath
    $script:propsVersion = @(([xml](Get-Content -Raw "$repoRoot/Directory.Build.props")).Project.PropertyGroup.Version | Where-Object { $_ })[0]
}

Describe 'The module manifest' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $manifestPath -ErrorAction Stop } | Should -Not -Throw
        $manifest.Name | Should -Be 'Caxton'
    }

    It 'has one version: the Version in Directory.Build.props, which the assembly carries too' {
        $assembly = [Reflection.AssemblyName]::GetAssemblyName((Join-Path (Split-Path $manifestPath) 'Caxton.dll')).Version
        $manifest.Version | Should -Be ([version]$propsVersion)
        $manifest.Version | Should -Be ([version]::new($assembly.Major, $assembly.Minor, $assembly.Build))
        (Get-Module Caxton).Version | Should -Be ([version]$propsVersion)
    }

    It 'exports exactly the cmdlets it lists, and no functions, variables or aliases' {
        $data.CmdletsToExport.Count | Should -Be 9
        $data.FunctionsToExport.Count | Should -Be 0
        $data.VariablesToExport.Count | Should -Be 0
        $data.AliasesToExport.Count | Should -Be 0
        $module = Get-Module Caxton
        @($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($data.CmdletsToExport | Sort-Object)
        $module.ExportedFunctions.Count + $module.ExportedAliases.Count + $module.ExportedVariables.Count | Should -Be 0
    }

    It 'runs on Windows PowerShell 5.1 and PowerShell 7 (Desktop and Core)' {
        $manifest.CompatiblePSEditions | Sort-Object | Should -Be @('Core', 'Desktop')
        $manifest.PowerShellVersion | Should -Be ([version]'5.1')
    }

    It 'carries gallery tags and no invented address (no project, licence or icon URI until the project has a home)' {
        $manifest.Tags | Should -Contain 'Caxton'
        $manifest.Tags | Should -Contain 'PSEdition_Desktop'
        $manifest.Tags | Should -Contain 'PSEdition_Core'
        $manifest.ProjectUri | Should -BeNullOrEmpty
        $manifest.LicenseUri | Should -BeNullOrEmpty
        $manifest.IconUri | Should -BeNullOrEmpty
        $manifest.HelpInfoUri | Should -BeNullOrEmpty
        Get-Content -Raw "$repoRoot/Caxton.psd1" | Should -Not -Match 'https?://' -Because 'the manifest names no address at all'
        Get-Content -Raw "$repoRoot/LICENSE" | Should -Match 'MIT License'
    }

    It 'has the CHANGELOG section of its version as release notes' {
        $changelog = Get-Content -Raw "$repoRoot/CHANGELOG.md"
        $changelog | Should -Match "(?m)^## \[$([regex]::Escape($propsVersion))\]"
        $manifest.ReleaseNotes | Should -Not -BeNullOrEmpty
        $manifest.ReleaseNotes | Should -Not -Be 'See CHANGELOG.md.'
        $firstLine = ($manifest.ReleaseNotes -split "`n")[0].Trim()
        $changelog | Should -Match ([regex]::Escape($firstLine))
    }

    It 'loads the views it ships' {
        $data.FormatsToProcess | Should -Be @('Caxton.format.ps1xml')
        Join-Path (Split-Path $manifestPath) 'Caxton.format.ps1xml' | Should -Exist
        (Get-FormatData -TypeName Caxton.CaxtonToken).FormatViewDefinition.Count | Should -Be 2
    }
}
