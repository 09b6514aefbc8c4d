# Tab completion: -Environment from its ValidateSet, and the completers for connection names and
# usernames, which read the connections of the runspace asking.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR

    function Complete([string] $Completer, [string] $Word) {
        $type = "Caxton.Commands.Completers.$Completer" -as [type]
        $type.GetConstructor(@()).Invoke(@()).CompleteArgument('Get-CaxtonToken', 'Connection', $Word, $null, @{})
    }

    function Complete-Line([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches
    }

    # The argument a completion makes when put on a command line: must be one single-quoted string holding exactly the value.
    function Get-CompletedArgument([string] $Text) {
        $tokens = $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput("Get-CaxtonToken -Connection $Text", [ref] $tokens, [ref] $errors)
        $errors | Should -BeNullOrEmpty
        $ast.EndBlock.Statements.Count | Should -Be 1
        $elements = $ast.EndBlock.Statements[0].PipelineElements
        $elements.Count | Should -Be 1
        $elements[0].CommandElements.Count | Should -Be 3
        $argument = $elements[0].CommandElements[2]
        $argument | Should -BeOfType [System.Management.Automation.Language.StringConstantExpressionAst]
        $argument.StringConstantType | Should -Be 'SingleQuoted'
        $argument.Value
    }
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'Completion' {
    It 'completes -Environment with the known environments' {
        $line = 'Connect-Caxton -Environment Pro'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('Production')
        $line = 'Connect-Caxton -Environment '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Sort-Object | Should -Be @('Production', 'Sandbox', 'Staging')
    }

    It 'completes the names of this runspace''s connections, by prefix, always single-quoted' {
        foreach ($name in 'prod-eu', 'prod-us', 'staging', 'my conn') {
            $null = Connect-Caxton -BaseUri $emulator.BaseUri -Name $name
        }
        (Complete ConnectionNameCompleter 'prod').CompletionText | Should -Be @("'prod-eu'", "'prod-us'")
        (Complete ConnectionNameCompleter 'PROD-u').CompletionText | Should -Be @("'prod-us'")
        (Complete ConnectionNameCompleter 'my').CompletionText | Should -Be @("'my conn'")
        (Complete ConnectionNameCompleter "'my").ListItemText | Should -Be @('my conn')
        (Complete ConnectionNameCompleter '').CompletionText | Should -Contain "'staging'"
        Complete ConnectionNameCompleter 'nothing-like-it' | Should -BeNullOrEmpty
    }

    It 'completes a name holding <Case> to one single-quoted string of exactly that name' -TestCases @(
        @{ Case = 'a right curly quote'; Name = "o$([char]0x2019)brien; Remove-Item x; '" }
        @{ Case = 'a left curly quote'; Name = "o$([char]0x2018)hara" }
        @{ Case = 'low and reversed quotes'; Name = "a$([char]0x201A)b$([char]0x201B)c" }
        @{ Case = 'straight quotes'; Name = "it's ""x"" '' `$(whoami)" }
        @{ Case = 'code'; Name = 'cx-$(Get-Date);`n|&@{}' }
    ) {
        $null = Connect-Caxton -BaseUri $emulator.BaseUri -Name $Name
        $matches_ = Complete-Line "Get-CaxtonToken -Connection $($Name.Substring(0, 2))" | Where-Object ListItemText -EQ $Name
        $matches_ | Should -HaveCount 1
        Get-CompletedArgument $matches_.CompletionText | Should -BeExactly $Name
        Disconnect-Caxton -Connection $Name
    }

    It 'completes quoted partial input: <Typed>' -TestCases @(
        @{ Typed = "'emu" }
        @{ Typed = "'emu-q'" }
        @{ Typed = """emu" }
        @{ Typed = "$([char]0x2019)emu" }
        @{ Typed = "$([char]0x2018)emu" }
        @{ Typed = "$([char]0x201C)emu" }
        @{ Typed = "'emu''s" }
    ) {
        $null = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'emu-quoted'
        $null = Connect-Caxton -BaseUri $emulator.BaseUri -Name "emu's conn"
        $expected = @{ "'emu''s" = "emu's conn"; "'emu-q'" = 'emu-quoted' }[$Typed] ?? 'emu-quoted'
        $found = Complete-Line "Get-CaxtonToken -Connection $Typed"
        $found.ListItemText | Should -Contain $expected
        foreach ($match in $found) { Get-CompletedArgument $match.CompletionText | Should -BeExactly $match.ListItemText }
    }

    It 'completes a username holding a curly quote to one single-quoted string' {
        $account = New-CaxtonEmulatorAccount -Emulator $emulator -Username "o$([char]0x2019)neil-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $connection = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'curly-user'
        $null = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Connection $connection -Confirm:$false
        $found = Complete-Line "Reset-CaxtonCredential -Username 'o$([char]0x2019)$([char]0x2019)neil" | Where-Object ListItemText -EQ $account.Username
        $found | Should -HaveCount 1
        Get-CompletedArgument $found.CompletionText | Should -BeExactly $account.Username
    }

    It 'completes -Clientname with the clientnames used in this runspace, for the -Username given' {
        $mine = New-CaxtonEmulatorAccount -Emulator $emulator -Clientname "clientA $([char]0x2019)x"
        $other = New-CaxtonEmulatorAccount -Emulator $emulator -Clientname 'clientB'
        $connection = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'clientnames'
        foreach ($account in $mine, $other) {
            $null = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Connection $connection -Confirm:$false
        }
        $found = Complete-Line "New-CaxtonPassword -Username $($mine.Username) -Clientname cli"
        $found.ListItemText | Should -Be @($mine.Clientname)
        Get-CompletedArgument $found.CompletionText | Should -BeExactly $mine.Clientname
        (Complete-Line 'Reset-CaxtonCredential -Clientname client').ListItemText | Should -Contain 'clientB'
        Complete-Line "New-CaxtonPassword -Username nobody-here -Clientname cli" | Should -BeNullOrEmpty
    }

    It 'offers no clientname Caxton refused' {
        $account = New-CaxtonEmulatorAccount -Emulator $emulator -Clientname 'accepted'
        $null = New-CaxtonPassword -Username $account.Username -Clientname 'refused-clientname' -Confirm:$false -ErrorAction SilentlyContinue
        Complete-Line "New-CaxtonPassword -Username $($account.Username) -Clientname refused" | Should -BeNullOrEmpty
    }

    It 'stops offering a name once Disconnect-Caxton forgets it' {
        $null = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'leaving'
        (Complete ConnectionNameCompleter 'leav').ListItemText | Should -Be @('leaving')
        Disconnect-Caxton -Connection 'leaving'
        Complete ConnectionNameCompleter 'leav' | Should -BeNullOrEmpty
    }

    It 'Disconnect-Caxton takes the name through -Connection, positionally too, and has no -Name of its own' {
        (Get-Command Disconnect-Caxton).Parameters.Keys | Should -Not -Contain 'Name'
        $null = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'leaving-too'
        Disconnect-Caxton 'leaving-too'
        Get-CaxtonConnection -Name 'leaving-too' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'completes usernames held by the connections, once each' {
        $first = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'holder'
        $password = New-TestPassword -Emulator $emulator -Connection $first
        $null = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'holder-too'
        $null = Get-CaxtonToken -Username $password.Username -ClientPassword $password.ClientPassword
        $found = Complete UsernameCompleter $password.Username.Substring(0, 8)
        $found.ListItemText | Should -Be @($password.Username)
        $found.ToolTip | Should -BeLike "*$($password.Username)*"
    }

    It 'offers nothing from another runspace''s connections' {
        $null = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'only-here'
        $module = $env:CAXTON_TEST_MODULE
        $elsewhere = 1 | ForEach-Object -Parallel {
            Import-Module $using:module
            [Caxton.Commands.Completers.ConnectionNameCompleter]::new().CompleteArgument('Get-CaxtonToken', 'Connection', 'only', $null, @{})
        }
        $elsewhere | Should -BeNullOrEmpty
        (Complete ConnectionNameCompleter 'only').ListItemText | Should -Be @('only-here')
    }

    It 'completes on the command line: <Line>' -TestCases @(
        @{ Line = 'Get-CaxtonToken -Connection tab-'; Expected = "'tab-one'" }
        @{ Line = 'Invoke-CaxtonRestMethod x -Connection tab-'; Expected = "'tab-one'" }
        @{ Line = 'Get-CaxtonConnection -Name tab-'; Expected = "'tab-one'" }
        @{ Line = 'Disconnect-Caxton -Connection tab-'; Expected = "'tab-one'" }
        @{ Line = 'Reset-CaxtonCredential -Username tab-user'; Expected = "'tab-user-1'" }
        @{ Line = 'New-CaxtonPassword -Username tab-user-1 -Clientname '; Expected = "'tab-client'" }
    ) {
        if (-not (Get-CaxtonConnection -Name 'tab-one' -ErrorAction SilentlyContinue)) {
            $connection = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'tab-one'
            $account = New-CaxtonEmulatorAccount -Emulator $emulator -Username 'tab-user-1' -Clientname 'tab-client'
            $null = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Connection $connection -Confirm:$false
        }
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText | Should -Contain $Expected
    }
}
