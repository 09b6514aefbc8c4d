# Tab completion: -Environment from its ValidateSet, and the completers for connection names and
# usernames, which read the connections of the runspace asking.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:sandbox = Start-CaxtonSandbox -Path $env:CAXTON_TEST_SANDBOX

    function Complete([string] $Completer, [string] $Word) {
        $type = "Caxton.Commands.Completers.$Completer" -as [type]
        $type.GetConstructor(@()).Invoke(@()).CompleteArgument('Get-CaxtonToken', 'Connection', $Word, $null, @{})
    }
}

AfterAll {
    $script:sandbox | Stop-CaxtonSandbox
}

Describe 'Completion' {
    It 'completes -Environment with the known environments' {
        $line = 'Connect-Caxton -Environment Pro'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('Production')
        $line = 'Connect-Caxton -Environment '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Sort-Object | Should -Be @('Production', 'Sandbox', 'Staging')
    }

    It 'completes the names of this runspace''s connections, by prefix, quoted when needed' {
        foreach ($name in 'prod-eu', 'prod-us', 'staging', 'my conn') {
            $null = Connect-Caxton -BaseUri $sandbox.BaseUri -Name $name
        }
        (Complete ConnectionNameCompleter 'prod').CompletionText | Should -Be @('prod-eu', 'prod-us')
        (Complete ConnectionNameCompleter 'PROD-u').CompletionText | Should -Be @('prod-us')
        (Complete ConnectionNameCompleter 'my').CompletionText | Should -Be @("'my conn'")
        (Complete ConnectionNameCompleter "'my").ListItemText | Should -Be @('my conn')
        (Complete ConnectionNameCompleter '').CompletionText | Should -Contain 'staging'
        Complete ConnectionNameCompleter 'nothing-like-it' | Should -BeNullOrEmpty
    }

    It 'stops offering a name once Disconnect-Caxton forgets it' {
        $null = Connect-Caxton -BaseUri $sandbox.BaseUri -Name 'leaving'
        (Complete ConnectionNameCompleter 'leav').CompletionText | Should -Be @('leaving')
        Disconnect-Caxton -Name 'leaving'
        Complete ConnectionNameCompleter 'leav' | Should -BeNullOrEmpty
    }

    It 'completes usernames held by the connections, once each' {
        $first = Connect-Caxton -BaseUri $sandbox.BaseUri -Name 'holder'
        $password = New-TestPassword -Sandbox $sandbox -Connection $first
        $null = Connect-Caxton -BaseUri $sandbox.BaseUri -Name 'holder-too'
        $null = Get-CaxtonToken -Username $password.Username -ClientPassword $password.ClientPassword
        $found = Complete UsernameCompleter $password.Username.Substring(0, 8)
        $found.CompletionText | Should -Be @($password.Username)
        $found.ToolTip | Should -BeLike "*$($password.Username)*"
    }

    It 'offers nothing from another runspace''s connections' {
        $null = Connect-Caxton -BaseUri $sandbox.BaseUri -Name 'only-here'
        $module = $env:CAXTON_TEST_MODULE
        $elsewhere = 1 | ForEach-Object -Parallel {
            Import-Module $using:module
            [Caxton.Commands.Completers.ConnectionNameCompleter]::new().CompleteArgument('Get-CaxtonToken', 'Connection', 'only', $null, @{})
        }
        $elsewhere | Should -BeNullOrEmpty
        (Complete ConnectionNameCompleter 'only').CompletionText | Should -Be @('only-here')
    }

    It 'completes on the command line: <Line>' -TestCases @(
        @{ Line = 'Get-CaxtonToken -Connection tab-'; Expected = 'tab-one' }
        @{ Line = 'Invoke-CaxtonRestMethod x -Connection tab-'; Expected = 'tab-one' }
        @{ Line = 'Get-CaxtonConnection -Name tab-'; Expected = 'tab-one' }
        @{ Line = 'Disconnect-Caxton -Name tab-'; Expected = 'tab-one' }
        @{ Line = 'Reset-CaxtonCredential -Username tab-user'; Expected = 'tab-user-1' }
    ) {
        if (-not (Get-CaxtonConnection -Name 'tab-one' -ErrorAction SilentlyContinue)) {
            $connection = Connect-Caxton -BaseUri $sandbox.BaseUri -Name 'tab-one'
            $account = New-CaxtonSandboxAccount -Sandbox $sandbox -Username 'tab-user-1'
            $null = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Connection $connection -Confirm:$false
        }
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText | Should -Contain $Expected
    }
}
