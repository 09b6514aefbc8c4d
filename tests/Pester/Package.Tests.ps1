# The package round trip a user makes: pack with the Package task's script, publish to a local
# file repository, install with PSResourceGet into a temporary folder, import it by name in a
# fresh pwsh and run the flow against the emulator.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR
    $script:repoRoot = Resolve-Path "$PSScriptRoot/../.." | ForEach-Object Path
    $script:version = (Import-PowerShellDataFile $env:CAXTON_TEST_MODULE).ModuleVersion
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ('caxton-package-test-' + [guid]::NewGuid().ToString('n'))
    $null = New-Item -ItemType Directory -Path $work

    # PSResourceGet keeps a per-user repository list; nothing here may write one into the repository
    # (a stray PSResourceGet/PSResourceRepository.xml once was) nor change the user's own.
    $script:userRepositoryList = Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'PSResourceGet/PSResourceRepository.xml'
    function Get-UserRepositoryList { if (Test-Path -LiteralPath $userRepositoryList) { Get-FileHash -LiteralPath $userRepositoryList | ForEach-Object Hash } }
    $script:userListBefore = Get-UserRepositoryList
    $script:repoStatusBefore = git -C $repoRoot status --porcelain --untracked-files=all | Out-String

    # What build.ps1 -Task Package runs, from an unrelated folder so a relative write would land there.
    Push-Location -LiteralPath $work
    $script:packed = Invoke-FreshPwsh -File (Join-Path $repoRoot 'tools/package/New-CaxtonPackage.ps1') -ModulePath (Split-Path $env:CAXTON_TEST_MODULE) -DestinationPath (Join-Path $work 'packed') 2>&1 | Out-String
    $script:packExitCode = $LASTEXITCODE
    Pop-Location
    $script:nupkg = Join-Path $work "packed/Caxton.$version.nupkg"

    function Invoke-Isolated([string] $Command) {
        # A fresh pwsh whose PSResourceGet repository list (on Linux and macOS: under XDG_DATA_HOME)
        # is a temporary one, so the user's list is never touched.
        $saved = $env:XDG_DATA_HOME
        $env:XDG_DATA_HOME = Join-Path $work 'data'
        Push-Location -LiteralPath $work
        try {
            $log = Invoke-FreshPwsh -Command $Command 2>&1 | Out-String
            @{ ExitCode = $LASTEXITCODE; Log = $log }
        }
        finally {
            Pop-Location
            $env:XDG_DATA_HOME = $saved
        }
    }
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
    Remove-Item -LiteralPath $script:work -Recurse -Force -ErrorAction Ignore
}

Describe 'The PSResourceGet package' {
    It 'packs the built module as Caxton.<version>.nupkg with the manifest''s metadata' {
        $packExitCode | Should -Be 0 -Because $packed
        $nupkg | Should -Exist
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($nupkg)
        try {
            $entries = $zip.Entries.FullName
            $nuspec = [xml][IO.StreamReader]::new($zip.GetEntry('Caxton.nuspec').Open()).ReadToEnd()
        }
        finally { $zip.Dispose() }
        foreach ($file in 'Caxton.psd1', 'Caxton.dll', 'Dependencies/Caxton.Engine.dll', 'Dependencies/Caxton.Http.dll', 'Dependencies/Microsoft.Extensions.Http.dll', 'Caxton.format.ps1xml', 'en-US/Caxton.dll-Help.xml', 'en-US/about_Caxton.help.txt') {
            $entries | Should -Contain $file
        }
        $nuspec.package.metadata.version | Should -Be $version
        # No invented address travels in the package either (see Caxton.psd1).
        $nuspec.package.metadata.licenseUrl | Should -BeNullOrEmpty
        $nuspec.package.metadata.projectUrl | Should -BeNullOrEmpty
        $nuspec.package.metadata.releaseNotes | Should -Not -BeNullOrEmpty
    }

    It 'publishes to a local repository, installs into a temporary folder, and runs the flow from there' {
        $nupkg | Should -Exist
        $repository = Join-Path $work 'repository'
        $modules = Join-Path $work 'modules'
        $null = New-Item -ItemType Directory -Path $repository, $modules
        $install = Invoke-Isolated "
            `$ErrorActionPreference = 'Stop'
            Register-PSResourceRepository -Name CaxtonTest -Uri '$repository' -Trusted
            try {
                Publish-PSResource -NupkgPath '$nupkg' -Repository CaxtonTest
                (Find-PSResource -Name Caxton -Repository CaxtonTest).Version.ToString()
                Save-PSResource -Name Caxton -Repository CaxtonTest -Path '$modules' -TrustRepository
            }
            finally { Unregister-PSResourceRepository -Name CaxtonTest }
            if (Get-PSResourceRepository -Name CaxtonTest -ErrorAction Ignore) { throw 'still registered' }
        "
        $install.ExitCode | Should -Be 0 -Because $install.Log
        $install.Log | Should -Match ([regex]::Escape($version))
        Join-Path $repository "Caxton.$version.nupkg" | Should -Exist
        Join-Path $modules "Caxton/$version/Caxton.psd1" | Should -Exist

        $account = New-CaxtonEmulatorAccount -Emulator $emulator
        $savedPath = $env:PSModulePath
        $env:PSModulePath = $modules + [IO.Path]::PathSeparator + $savedPath
        try {
            $flow = Invoke-FreshPwsh -Command "
                `$ErrorActionPreference = 'Stop'
                Import-Module Caxton
                `$module = Get-Module Caxton
                `$null = Connect-Caxton -BaseUri '$($emulator.BaseUri)'
                `$password = New-CaxtonPassword -Username '$($account.Username)' -Clientname '$($account.Clientname)' -Confirm:`$false
                `$token = `$password | Get-CaxtonToken
                `$banks = Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP'
                [pscustomobject]@{
                    ModuleBase = `$module.ModuleBase
                    Version    = `$module.Version.ToString()
                    Username   = `$token.Username
                    TokenType  = `$token.TokenType
                    Banks      = @(`$banks.Banks).Count
                    Synopsis   = (Get-Help Get-CaxtonToken).Synopsis
                    View       = (`$token | Out-String)
                    Secret     = [System.Net.NetworkCredential]::new('', `$token.AccessToken).Password
                } | ConvertTo-Json -Compress
            " 2>&1
        }
        finally {
            $env:PSModulePath = $savedPath
        }
        $LASTEXITCODE | Should -Be 0 -Because ($flow | Out-String)
        $result = ($flow | Select-Object -Last 1) | ConvertFrom-Json
        $result.ModuleBase | Should -BeLike "$modules*"
        $result.Version | Should -Be $version
        $result.Username | Should -Be $account.Username
        $result.TokenType | Should -Be 'bearer'
        $result.Banks | Should -BeGreaterThan 0
        $result.Synopsis | Should -Match '^Gets a bearer token'
        $result.View | Should -Match '\*{8}'
        $result.View | Should -Not -Match ([regex]::Escape($result.Secret))
    }

    It 'leaves no file in the repository and the user''s repository list as it was' {
        git -C $repoRoot status --porcelain --untracked-files=all | Out-String | Should -Be $repoStatusBefore
        Join-Path $repoRoot 'PSResourceGet' | Should -Not -Exist
        Get-UserRepositoryList | Should -Be $userListBefore
    }
}
