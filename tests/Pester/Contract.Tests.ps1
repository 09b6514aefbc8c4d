# Issue 22: Test-CaxtonContract checks each decision of docs/contract.md against a server. Against the
# emulator it confirms every decision; with the emulator answering against one decision
# (--contradict / PUT /_emulator/contradictions) it reports exactly that one as Contradicted. Without
# its switches it sends nothing that can change the account, which the emulator's request counts show.
BeforeDiscovery {
    # The ids as docs/contract.md marks them: **[id]**.
    $contract = Get-Content -Raw (Join-Path $PSScriptRoot '../../docs/contract.md')
    $script:contractIds = @([regex]::Matches($contract, '\*\*\[([a-z-]+)\]\*\*') | ForEach-Object { $_.Groups[1].Value })
}

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR
    $contract = Get-Content -Raw (Join-Path $PSScriptRoot '../../docs/contract.md')
    $script:contractIds = @([regex]::Matches($contract, '\*\*\[([a-z-]+)\]\*\*') | ForEach-Object { $_.Groups[1].Value })

    function New-ProbeSetup {
        # A fresh account whose first password the connection holds.
        $connection = Connect-Caxton -BaseUri $emulator.BaseUri -Name ('contract-' + [guid]::NewGuid().ToString('n'))
        $account = New-CaxtonEmulatorAccount -Emulator $emulator
        $password = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Connection $connection -Confirm:$false
        [pscustomobject]@{ Connection = $connection; Account = $account; Password = $password }
    }

    function Invoke-FullProbe {
        # Every check, the rate test short and quick (12 requests in a second).
        param($Setup, [switch] $AsMarkdown)
        Test-CaxtonContract -Connection $Setup.Connection -Clientname $Setup.Account.Clientname -Reset -GenerateWhileActive -TokenRateLimit -RateLimitRequests 12 -RateLimitSeconds 1 -Force -AsMarkdown:$AsMarkdown -WarningAction SilentlyContinue
    }

    function Format-Finding {
        process { "$($_.Decision): $($_.Status) ($($_.Evidence))" }
    }
}

AfterAll {
    $emulator | Stop-CaxtonEmulator
}

Describe 'The decisions of docs/contract.md' {
    It 'are marked with the ids Test-CaxtonContract reports, each once, in the same order' {
        $contractIds | Should -Not -BeNullOrEmpty
        @($contractIds | Select-Object -Unique).Count | Should -Be $contractIds.Count
        (Test-CaxtonContract -Connection (New-ProbeSetup).Connection).Decision | Should -Be $contractIds
        [Caxton.ContractProbe]::DecisionIds | Should -Be $contractIds
    }
}

Describe 'Test-CaxtonContract against the emulator' {
    BeforeEach {
        $null = Set-CaxtonEmulatorContradiction -Emulator $emulator -Decision @()
    }

    It 'confirms every decision, one result per decision' {
        $results = Invoke-FullProbe (New-ProbeSetup)
        $results | ForEach-Object { $_ | Should -BeOfType Caxton.ContractCheck }
        $results.Decision | Should -Be $contractIds
        $results | Where-Object Status -ne 'Confirmed' | Format-Finding | Should -BeNullOrEmpty
    }

    It 'reports <Id> as Contradicted, and no other decision, when the emulator contradicts it' -ForEach @($contractIds | ForEach-Object { @{ Id = $_ } }) {
        Set-CaxtonEmulatorContradiction -Emulator $emulator -Decision $Id | Should -Be $Id
        $results = Invoke-FullProbe (New-ProbeSetup)
        $results | Where-Object Decision -eq $Id | Format-Finding | Should -Match "^${Id}: Contradicted"
        $results | Where-Object { $_.Status -eq 'Contradicted' -and $_.Decision -ne $Id } | Format-Finding | Should -BeNullOrEmpty
    }

    It 'refuses an id no decision has (the emulator says which it knows)' {
        $failure = { Set-CaxtonEmulatorContradiction -Emulator $emulator -Decision 'no-such-decision' } | Should -Throw -PassThru
        $failure.ErrorDetails.Message | Should -Match 'Unknown decision ids: no-such-decision\. Known: .*token-type'
    }
}

Describe 'Test-CaxtonContract is safe by default' {
    BeforeAll {
        $null = Set-CaxtonEmulatorContradiction -Emulator $emulator -Decision @()
    }

    It 'without switches sends two token requests and GETs, no generate and no reset; the password keeps working' {
        $setup = New-ProbeSetup
        Reset-CaxtonEmulatorStats -Emulator $emulator
        $results = Test-CaxtonContract -Connection $setup.Connection
        $stats = Get-CaxtonEmulatorStats -Emulator $emulator
        $stats.register | Should -Be 0
        $stats.reset | Should -Be 0
        $stats.token | Should -Be 2 -Because 'one with the held credential, one with a wrong password'
        $stats.banks | Should -Be 3
        $results | Where-Object Decision -eq 'reset-path' | ForEach-Object Evidence | Should -Be 'not checked: needs -Reset'
        $results | Where-Object Decision -eq 'generate-while-active' | ForEach-Object Evidence | Should -Be 'not checked: needs -GenerateWhileActive'
        $results | Where-Object Decision -eq 'token-rate-limit' | ForEach-Object Evidence | Should -Be 'not checked: needs -TokenRateLimit'
        $results | Where-Object { $_.Status -eq 'Unknown' -and $_.Evidence -notmatch 'needs -' } | Format-Finding | Should -BeNullOrEmpty
        (Get-CaxtonToken -Connection $setup.Connection -Force).Username | Should -Be $setup.Account.Username
    }

    It '-WhatIf runs no switched check, and a host that cannot ask gets no reset either' {
        $setup = New-ProbeSetup
        Reset-CaxtonEmulatorStats -Emulator $emulator
        $results = Test-CaxtonContract -Connection $setup.Connection -Clientname $setup.Account.Clientname -Reset -GenerateWhileActive -TokenRateLimit -WhatIf
        $stats = Get-CaxtonEmulatorStats -Emulator $emulator
        $stats.register, $stats.reset, $stats.token | Should -Be 0, 0, 2
        $results | Where-Object Decision -in 'reset-path', 'generate-while-active', 'token-rate-limit' | ForEach-Object Status | Should -Be 'Unknown', 'Unknown', 'Unknown'

        # What-if text, and a prompt refused by a non-interactive host, seen from a fresh pwsh.
        $env:CAXTON_PROBE_TEST_PASSWORD = ConvertTo-PlainText $setup.Password.ClientPassword
        try {
            $script = @'
Import-Module $env:CAXTON_TEST_MODULE
$credential = [pscredential]::new($args[1], (ConvertTo-SecureString $env:CAXTON_PROBE_TEST_PASSWORD -AsPlainText -Force))
$null = Connect-Caxton -BaseUri $args[0] -Credential $credential
$null = Test-CaxtonContract -Clientname $args[2] -Reset -GenerateWhileActive -TokenRateLimit -WhatIf
try { $null = Test-CaxtonContract -Clientname $args[2] -Reset -ErrorAction Stop; 'RAN' } catch { 'REFUSED: ' + $_.FullyQualifiedErrorId }
'@
            $path = Join-Path $TestDrive 'probe.ps1'
            Set-Content -LiteralPath $path -Value $script
            $output = Invoke-FreshPwsh -File $path $emulator.BaseUri $setup.Account.Username $setup.Account.Clientname 2>&1 | Out-String
        }
        finally { Remove-Item Env:CAXTON_PROBE_TEST_PASSWORD }
        $output | Should -Match 'What if: .*Generate Password while a client password is active'
        $output | Should -Match 'What if: .*Reset the client credentials.*voids the current client password'
        $output | Should -Match 'What if: .*Request up to 30 tokens over 60 s'
        $output | Should -Match 'REFUSED: '
        $output | Should -Not -Match 'RAN'
        (Get-CaxtonEmulatorStats -Emulator $emulator).reset | Should -Be 0
        (Get-CaxtonToken -Connection $setup.Connection -Force).Username | Should -Be $setup.Account.Username
    }

    It '-Reset alone resets once, says first what it voids, and leaves the connection holding the new password' {
        $setup = New-ProbeSetup
        Reset-CaxtonEmulatorStats -Emulator $emulator
        $results = Test-CaxtonContract -Connection $setup.Connection -Clientname $setup.Account.Clientname -Reset -Force -WarningVariable warnings -WarningAction SilentlyContinue
        $stats = Get-CaxtonEmulatorStats -Emulator $emulator
        $stats.reset, $stats.register | Should -Be 1, 1
        $warnings[0] | Should -Match '-Reset: Reset the client credentials.*voids the current client password'
        ($warnings -join "`n") | Should -Match 'replaced the client password of .*: the connection holds the new one'
        $results | Where-Object Decision -like 'reset-*' | ForEach-Object Status | Should -Be (@('Confirmed') * 4)
        $results | Where-Object Decision -in 'generate-while-active', 'token-rate-limit' | ForEach-Object Status | Should -Be 'Unknown', 'Unknown'
        { Get-CaxtonToken -Username $setup.Account.Username -ClientPassword $setup.Password.ClientPassword -Connection $setup.Connection -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidCredentials*'
        (Get-CaxtonToken -Connection $setup.Connection -Force).Username | Should -Be $setup.Account.Username
    }

    It '-GenerateWhileActive alone asks for one password and resets nothing' {
        $setup = New-ProbeSetup
        Reset-CaxtonEmulatorStats -Emulator $emulator
        $results = Test-CaxtonContract -Connection $setup.Connection -Clientname $setup.Account.Clientname -GenerateWhileActive -Force -WarningAction SilentlyContinue
        $stats = Get-CaxtonEmulatorStats -Emulator $emulator
        $stats.reset, $stats.register | Should -Be 0, 1
        ($results | Where-Object Decision -eq 'generate-while-active').Status | Should -Be 'Confirmed'
    }

    It '-TokenRateLimit alone asks only for tokens, at most -RateLimitRequests of them' {
        $setup = New-ProbeSetup
        Reset-CaxtonEmulatorStats -Emulator $emulator
        $results = Test-CaxtonContract -Connection $setup.Connection -TokenRateLimit -RateLimitRequests 5 -RateLimitSeconds 1 -Force -WarningAction SilentlyContinue
        $stats = Get-CaxtonEmulatorStats -Emulator $emulator
        $stats.reset, $stats.register, $stats.token | Should -Be 0, 0, 7
        ($results | Where-Object Decision -eq 'token-rate-limit').Evidence | Should -Match '^5 of 5 token requests answered HTTP 200'
    }

    It 'refuses -Reset or -GenerateWhileActive without -Clientname before sending anything' {
        $setup = New-ProbeSetup
        Reset-CaxtonEmulatorStats -Emulator $emulator
        foreach ($switch in @{ Reset = $true }, @{ GenerateWhileActive = $true }) {
            Test-CaxtonContract -Connection $setup.Connection @switch -Force -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ClientnameRequired,*'
            $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }
        (Get-CaxtonEmulatorStats -Emulator $emulator).token | Should -Be 0
    }

    It 'needs a held credential: NoClientCredential otherwise' {
        $connection = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'contract-empty'
        Test-CaxtonContract -Connection $connection -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'NoClientCredential,*'
    }
}

Describe 'Test-CaxtonContract reports' {
    BeforeAll {
        $null = Set-CaxtonEmulatorContradiction -Emulator $emulator -Decision @()
    }

    It '-AsMarkdown is one report with the versions and every decision, and no secret or Username' {
        $setup = New-ProbeSetup
        $old = ConvertTo-PlainText $setup.Password.ClientPassword
        $report = Invoke-FullProbe $setup -AsMarkdown
        $new = $setup.Connection.Credential.GetNetworkCredential().Password
        @($report).Count | Should -Be 1
        $report | Should -BeOfType string
        $report | Should -Match ([regex]::Escape("| Module | Caxton $((Get-Module Caxton).Version) |"))
        $report | Should -Match ([regex]::Escape("| PowerShell | $($PSVersionTable.PSVersion) (Core) |"))
        $report | Should -Match '17 Confirmed, 0 Contradicted, 0 Unknown'
        foreach ($id in $contractIds) { $report | Should -Match "\| ``$id`` \| Confirmed \|" }
        $new | Should -Not -Be $old
        foreach ($secret in $old, $new, $setup.Account.Username) { $report.Contains($secret) | Should -BeFalse }
    }

    It 'shows a table of Decision, Status and Evidence, and a list with what the contract expects' {
        $results = Test-CaxtonContract -Connection (New-ProbeSetup).Connection
        $table = $results | Format-Table | Out-String -Width 200
        $table | Should -Match 'Decision\s+Status\s+Evidence'
        $table | Should -Match 'token-type\s+Confirmed\s+token_type ''bearer'''
        $list = $results | Where-Object Decision -eq 'token-response' | Format-List | Out-String -Width 200
        $list | Should -Match 'Expected\s+: POST token with a valid credential'
        $list | Should -Match 'Documented\s+: True'
    }
}

Describe 'The emulator''s --contradict option' {
    It 'starts contradicting the decisions it names, and refuses an id no decision has (exit code 2)' {
        $contradicting = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR -Contradict 'token-type', 'reset-path'
        try {
            $current = Invoke-RestMethod -Uri ($contradicting.ControlUri + 'contradictions') -Headers @{ 'X-Emulator-Key' = $contradicting.ControlKey }
            $current.Decisions | Should -Be 'reset-path', 'token-type'
        }
        finally { $contradicting | Stop-CaxtonEmulator }

        { Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR -Contradict 'no-such-decision' } | Should -Throw '*exited with code 2*--contradict names no such decision: no-such-decision*'
    }
}
