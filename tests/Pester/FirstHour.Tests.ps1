# Issue 10, "the first hour": the README's Quick Start runs as written, and its parallel recipe
# works from a clone. The blocks are read from README.md, so the README cannot drift from the code.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR
    $script:repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:readme = Get-Content -Raw (Join-Path $repoRoot 'README.md')

    function Get-ReadmeBlock([string] $Heading, [string] $Contains) {
        # The first ```powershell block under a heading (optionally: the first one containing a text).
        $section = [regex]::Match($readme, '(?ms)^## ' + [regex]::Escape($Heading) + '\s*$(.*?)(?=^## |\z)').Groups[1].Value
        $blocks = [regex]::Matches($section, '(?ms)^```powershell\r?\n(.*?)^```') | ForEach-Object { $_.Groups[1].Value }
        @($blocks | Where-Object { -not $Contains -or $_.Contains($Contains) })[0]
    }
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'The README Quick Start' {
    It 'runs verbatim, top to bottom, against the local emulator' {
        $block = Get-ReadmeBlock 'Quick start'
        $block | Should -Match 'New-CaxtonPassword'
        # Only two literals change: the emulator here listens on a free port, not 5080, and the module
        # is the one under test. Everything else runs as a user pastes it, from the root of the clone.
        $block.Contains('http://127.0.0.1:5080/api/') | Should -BeTrue
        $block.Contains('./out/Caxton/Caxton.psd1') | Should -BeTrue
        $script = $block.Replace('http://127.0.0.1:5080/api/', $emulator.BaseUri).Replace('./out/Caxton/Caxton.psd1', $env:CAXTON_TEST_MODULE)
        # Set-Secret needs SecretManagement and a vault, which cannot be installed here: a stand-in records what it got.
        $standIn = 'function Set-Secret([string] $Name, [object] $Secret) { "stored $Name as $($Secret.GetType().Name) for $($Secret.UserName)" }'
        $file = Join-Path ([IO.Path]::GetTempPath()) ("caxton-quickstart-" + [guid]::NewGuid().ToString('n') + '.ps1')
        Set-Content -LiteralPath $file -Value ('$ErrorActionPreference = ''Stop''', $standIn, $script)
        try {
            Push-Location $repoRoot
            $output = Invoke-FreshPwsh -File $file 2>&1 | Out-String
            $exit = $LASTEXITCODE
        }
        finally {
            Pop-Location
            Remove-Item -LiteralPath $file -ErrorAction Ignore
        }
        $output = $output -replace '\e\[[0-9;]*m'
        $exit | Should -Be 0 -Because $output
        $output | Should -Match 'stored Caxton as PSCredential for caxton\.demo'
        $output | Should -Match 'Sandbox Albion Bank'
        $output | Should -Not -Match 'Exception|Error'
    }

    It 'names the local emulator and Caxton''s Sandbox environment apart' {
        $readme | Should -Match 'local emulator'
        $readme | Should -Match "Caxton's Sandbox\s+environment"
    }

    It 'points at the contract in the repo, never outside it' {
        $readme | Should -Match '\(docs/contract\.md\)'
        Join-Path $repoRoot 'docs/contract.md' | Should -Exist
        $readme | Should -Not -Match '\.\./shared'
    }

    It 'has one cmdlet table, with no row left outside it' {
        $section = [regex]::Match($readme, '(?ms)^## Cmdlets\s*$(.*?)(?=^## )').Groups[1].Value
        $rows = [regex]::Matches($section, '(?m)^\|.*\|\s*$')
        $table = [regex]::Match($section, '(?ms)^\| Cmdlet.*?(?=^\s*$)').Value
        ([regex]::Matches($table, '(?m)^\|')).Count | Should -Be $rows.Count
        foreach ($cmdlet in (Get-Command -Module Caxton).Name) { $table | Should -Match "``$cmdlet``" }
    }
}

Describe 'The README ForEach-Object -Parallel recipe' {
    It 'imports the module each runspace needs from wherever the caller imported it: <From>' -ForEach @(
        @{ From = 'a clone' }
        @{ From = 'an installed module' }
    ) {
        $block = Get-ReadmeBlock 'Runbooks and parallel jobs' 'ForEach-Object -Parallel'
        $block | Should -Not -Match '(?m)Import-Module Caxton\s*$'
        $import = "Import-Module '$env:CAXTON_TEST_MODULE'"
        $installed = $null
        if ($From -eq 'an installed module') {
            # As Install-PSResource lays it out: <module path>/Caxton/<version>, found by name.
            $installed = Join-Path ([IO.Path]::GetTempPath()) ("caxton-modules-" + [guid]::NewGuid().ToString('n'))
            $version = (Import-PowerShellDataFile $env:CAXTON_TEST_MODULE).ModuleVersion
            $null = New-Item -ItemType Directory -Path (Join-Path $installed "Caxton/$version")
            Copy-Item -Path (Join-Path (Split-Path $env:CAXTON_TEST_MODULE) '*') -Destination (Join-Path $installed "Caxton/$version") -Recurse
            $import = "`$env:PSModulePath = '$installed' + [IO.Path]::PathSeparator + `$env:PSModulePath; Import-Module Caxton; if ((Get-Module Caxton).ModuleBase -notlike '$installed*') { throw 'not the installed copy' }"
        }
        # Get-Secret needs a vault: the connection line is swapped for one to the emulator with a real credential.
        $lines = $block -split '\r?\n' | Where-Object { $_ -notmatch '^\$conn = Connect-Caxton' }
        $account = New-CaxtonEmulatorAccount -Emulator $emulator
        $setup = @(
            '$ErrorActionPreference = ''Stop'''
            $import
            "`$null = Connect-Caxton -BaseUri '$($emulator.BaseUri)'"
            "`$p = New-CaxtonPassword -Username '$($account.Username)' -Clientname '$($account.Clientname)' -Confirm:`$false"
            "`$conn = Connect-Caxton -Name Prod -BaseUri '$($emulator.BaseUri)' -Credential `$p.Credential"
        )
        $file = Join-Path ([IO.Path]::GetTempPath()) ("caxton-parallel-" + [guid]::NewGuid().ToString('n') + '.ps1')
        Set-Content -LiteralPath $file -Value ($setup + $lines)
        try {
            $output = Invoke-FreshPwsh -File $file 2>&1 | Out-String
            $exit = $LASTEXITCODE
        }
        finally {
            Remove-Item -LiteralPath $file -ErrorAction Ignore
            if ($installed) { Remove-Item -LiteralPath $installed -Recurse -Force -ErrorAction Ignore }
        }
        $exit | Should -Be 0 -Because $output
        $output | Should -Match 'Banks'
    }
}
