# Preference variables as PowerShell reads them: a function's local $VerbosePreference = 'Continue' is a
# string, $WhatIfPreference = 1 is true. Against the hostile peer, which counts every request it is sent.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    if (-not ('Caxton.Hostile.HostileServer' -as [type])) {
        Add-Type -Path (Join-Path $PSScriptRoot '../Hostile/HostileServer.cs')
    }
    $script:server = [Caxton.Hostile.HostileServer]::new()
    $server.On('/token', [Caxton.Hostile.HostileReply]::Token('Tk7-' + [guid]::NewGuid().ToString('n')))
    $server.On('/clients/auth/reset', [Caxton.Hostile.HostileReply]::Envelope(''))
    $credential = [pscredential]::new('main', (ConvertTo-SecureString 'Hx7-Qz9!pL2#vN4-rW8=kT5' -AsPlainText -Force))
    $script:connection = Connect-Caxton -BaseUri $server.BaseUri -Name preferences -Credential $credential -MaximumRetryCount 0
}

AfterAll {
    Disconnect-Caxton -Connection preferences -ErrorAction SilentlyContinue
    $server.Dispose()
}

Describe 'WhatIf by preference' {
    It '$WhatIfPreference = <Value> in a function wins over -Force: nothing is sent' -ForEach @(
        @{ Value = 1 }, @{ Value = 'yes' }, @{ Value = $true }
    ) {
        function Test-WhatIf($Value, $Connection) { $WhatIfPreference = $Value; Reset-CaxtonCredential -Username other -Clientname c -Force -Connection $Connection }
        $before = $server.CountOf('/clients/auth/reset')
        Test-WhatIf $Value $connection
        $server.CountOf('/clients/auth/reset') | Should -Be $before
    }

    It 'still sends with -Force when $WhatIfPreference is 0' {
        function Test-WhatIf($Connection) { $WhatIfPreference = 0; Reset-CaxtonCredential -Username other -Clientname c -Force -Connection $Connection }
        $before = $server.CountOf('/clients/auth/reset')
        Test-WhatIf $connection
        $server.CountOf('/clients/auth/reset') | Should -Be ($before + 1)
    }
}

Describe 'Verbose and Debug by a local preference variable' {
    It 'a function''s $<Variable> = ''Continue'' (a string) shows the <Kind> lines' -ForEach @(
        @{ Variable = 'VerbosePreference'; Kind = 'verbose'; Type = [System.Management.Automation.VerboseRecord] }
        @{ Variable = 'DebugPreference'; Kind = 'debug'; Type = [System.Management.Automation.DebugRecord] }
    ) {
        function Test-Preference($Variable, $Connection) {
            Set-Variable -Name $Variable -Value 'Continue'
            Get-CaxtonToken -Force -Connection $Connection *>&1
        }
        $records = Test-Preference $Variable $connection | Where-Object { $_ -is $Type }
        $records | Should -Not -BeNullOrEmpty
    }

    It 'a function''s $DebugPreference = ''Inquire'' (a string) asks nothing' {
        function Test-Inquire($Connection) { $DebugPreference = 'Inquire'; Get-CaxtonToken -Force -Connection $Connection 5>&1 }
        $records = Test-Inquire $connection | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }
        $records | Should -Not -BeNullOrEmpty
    }
}
