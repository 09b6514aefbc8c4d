# Issue 14: Reset-CaxtonCredential -Regenerate rotates a client password end to end, for a main
# account and a sub-account, and never leaves the user empty-handed: whatever fails, the user ends
# with the old working credential, the new one in hand, or an error naming the one command that
# finishes the job. Each failure point is driven by the emulator's fault injection.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR

    function New-RotationConnection {
        Connect-Caxton -BaseUri $emulator.BaseUri -Name ('rotation-' + [guid]::NewGuid().ToString('n'))
    }

    function New-MainAccountSetup {
        # A fresh main account whose first password and token the connection holds.
        $connection = New-RotationConnection
        $account = New-CaxtonEmulatorAccount -Emulator $emulator
        $old = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Connection $connection -Confirm:$false
        $null = $old | Get-CaxtonToken -Connection $connection
        [pscustomobject]@{ Connection = $connection; Account = $account; Old = $old }
    }

    function New-SubAccountSetup {
        # A main account (held by the connection, with its token) and one of its sub-accounts, which has its own password.
        $main = New-MainAccountSetup
        $subName = 'sub-' + [guid]::NewGuid().ToString('n').Substring(0, 12)
        $identity = 'ID-' + [guid]::NewGuid().ToString('n').Substring(0, 10)
        $sub = New-CaxtonEmulatorAccount -Emulator $emulator -Username $subName -Clientname 'subclient' -IdentityNumber $identity -ParentUsername $main.Account.Username
        $elsewhere = New-RotationConnection
        $subOld = New-CaxtonPassword -Username $sub.Username -Clientname $sub.Clientname -Connection $elsewhere -Confirm:$false
        Disconnect-Caxton -Connection $elsewhere
        $main | Add-Member -PassThru -NotePropertyMembers @{ Sub = $sub; IdentityNumber = $identity; SubOld = $subOld }
    }

    function Invoke-MainRotation {
        [CmdletBinding()]
        param($Setup)
        Reset-CaxtonCredential -Username $Setup.Account.Username -Clientname $Setup.Account.Clientname -Regenerate -Force -Connection $Setup.Connection
    }

    function Invoke-SubRotation {
        [CmdletBinding()]
        param($Setup)
        Reset-CaxtonCredential -Username $Setup.Account.Username -Clientname $Setup.Account.Clientname -IdentityNumber $Setup.IdentityNumber `
            -SubAccountUsername $Setup.Sub.Username -SubAccountClientname $Setup.Sub.Clientname -Regenerate -Force -Connection $Setup.Connection
    }

    function Test-Credential([string] $Username, [securestring] $Password, $Emulator = $script:emulator) {
        # Whether the emulator gives a token for this credential now, asked on a connection of its own.
        $probe = Connect-Caxton -BaseUri $Emulator.BaseUri -Name ('rotation-' + [guid]::NewGuid().ToString('n'))
        try {
            $null = Get-CaxtonToken -Username $Username -ClientPassword $Password -Connection $probe -ErrorAction Stop
            $true
        }
        catch {
            $_.FullyQualifiedErrorId | Should -BeLike 'InvalidCredentials*'
            $false
        }
        finally {
            Disconnect-Caxton -Connection $probe
        }
    }
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'Credential rotation (issue 14)' {
    AfterEach {
        $null = Clear-CaxtonEmulatorFault -Emulator $emulator
        Get-CaxtonConnection -Name 'rotation-*' | Disconnect-Caxton
    }

    Describe 'Reset-CaxtonCredential -Regenerate for the main account' {
        It 'resets, generates and gets the token: the new password is output and the connection holds it and its token' {
            $setup = New-MainAccountSetup
            Reset-CaxtonEmulatorStats -Emulator $emulator

            $new = Invoke-MainRotation $setup

            $new | Should -BeOfType ([Caxton.CaxtonClientPassword])
            $new.Username | Should -Be $setup.Account.Username
            $new.Credential | Should -BeOfType ([pscredential])
            ConvertTo-PlainText $new.ClientPassword | Should -Not -Be (ConvertTo-PlainText $setup.Old.ClientPassword)
            $setup.Connection.Username | Should -Be $setup.Account.Username
            $setup.Connection.ClientPasswordExpiresOn | Should -Be $new.EndDate
            $setup.Connection.TokenExpiresOn | Should -Not -BeNullOrEmpty
            ConvertTo-PlainText $setup.Connection.Credential.Password | Should -Be (ConvertTo-PlainText $new.ClientPassword)
            $stats = Get-CaxtonEmulatorStats -Emulator $emulator
            $stats.reset | Should -Be 1
            $stats.register | Should -Be 1
            $stats.token | Should -Be 1

            # The cached token is the new one: no further request, and the API answers.
            Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' -Connection $setup.Connection -ErrorAction Stop | Out-String | Should -Match 'Albion'
            (Get-CaxtonEmulatorStats -Emulator $emulator).token | Should -Be 1

            # The voided password is refused at the token endpoint; the new one works.
            Test-Credential $setup.Account.Username $setup.Old.ClientPassword | Should -BeFalse
            Test-Credential $new.Username $new.ClientPassword | Should -BeTrue
        }

        It '-WhatIf names every step and sends nothing' {
            $setup = New-MainAccountSetup
            Reset-CaxtonEmulatorStats -Emulator $emulator
            # What-if text goes to the host, so it is read from a fresh pwsh's output.
            $output = Invoke-FreshPwsh -Command "Import-Module '$env:CAXTON_TEST_MODULE'; `$null = Connect-Caxton -BaseUri '$($emulator.BaseUri)'; Reset-CaxtonCredential -Username '$($setup.Account.Username)' -Clientname '$($setup.Account.Clientname)' -Regenerate -WhatIf" 2>&1 | Out-String
            $output | Should -Match 'Reset the client credentials'
            $output | Should -Match 'generate a new client password'
            $output | Should -Match 'get its token'
            $stats = Get-CaxtonEmulatorStats -Emulator $emulator
            $stats.reset + $stats.register + $stats.token | Should -Be 0
            Test-Credential $setup.Account.Username $setup.Old.ClientPassword | Should -BeTrue
        }

        It 'keeps ConfirmImpact High, so it confirms unless -Force' {
            $command = Get-Command Reset-CaxtonCredential
            $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
            $command.Parameters.Keys | Should -Contain 'Regenerate'
            $command.Parameters.Keys | Should -Contain 'Force'
        }

        It 'a failed reset does nothing else: the old credential and token still work' {
            $setup = New-MainAccountSetup
            $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'clients/auth/reset' -Status 403 -Body html
            Reset-CaxtonEmulatorStats -Emulator $emulator

            $output = Invoke-MainRotation $setup -ErrorVariable failure -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $failure.Count | Should -Be 1
            $failure[0].FullyQualifiedErrorId | Should -Not -BeLike 'Regenerate*'
            $stats = Get-CaxtonEmulatorStats -Emulator $emulator
            $stats.register | Should -Be 0
            $stats.token | Should -Be 0
            $setup.Connection.Username | Should -Be $setup.Account.Username
            ConvertTo-PlainText $setup.Connection.Credential.Password | Should -Be (ConvertTo-PlainText $setup.Old.ClientPassword)
            $null = Get-CaxtonToken -Force -Connection $setup.Connection -ErrorAction Stop
        }

        It 'a generate refused after the reset is RegenerateIncomplete, naming the one command that finishes the job' {
            $setup = New-MainAccountSetup
            # A 4xx: Caxton refused, so it surely generated nothing; New-CaxtonPassword finishes the job.
            $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'clients/auth/register' -Status 400 -Body html
            Reset-CaxtonEmulatorStats -Emulator $emulator

            $output = Invoke-MainRotation $setup -ErrorVariable failure -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $failure.Count | Should -Be 1
            $failure[0].FullyQualifiedErrorId | Should -BeLike 'RegenerateIncomplete,*'
            $message = $failure[0].ErrorDetails.Message
            $message | Should -Match 'were reset'
            $finish = "New-CaxtonPassword -Username '$($setup.Account.Username)' -Clientname '$($setup.Account.Clientname)' | Get-CaxtonToken"
            $message.Contains($finish) | Should -BeTrue -Because $message
            $failure[0].ErrorDetails.RecommendedAction.Contains($finish) | Should -BeTrue
            (Get-CaxtonEmulatorStats -Emulator $emulator).register | Should -Be 1
            Test-Credential $setup.Account.Username $setup.Old.ClientPassword | Should -BeFalse

            # The command, as given, finishes the job.
            Select-CaxtonConnection -Connection $setup.Connection
            $token = Invoke-Expression $finish
            $token.Username | Should -Be $setup.Account.Username
            Test-Credential $setup.Account.Username $setup.Connection.Credential.Password | Should -BeTrue
        }

        It 'completes after one failed generate: <Why>' -ForEach @(
            # The transport repeats what the server surely did not act on.
            @{ Why = 'a 503 (the server refused), repeated by the transport'; Fault = @{ Status = 503; RetryAfter = '0' } }
            # After the reset no password is active, so asking once more cannot mint a second one.
            @{ Why = 'a 500 (it may have reached Caxton), asked once more after the reset'; Fault = @{ Status = 500; Body = 'html' } }
        ) {
            $setup = New-MainAccountSetup
            $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'clients/auth/register' @Fault
            Reset-CaxtonEmulatorStats -Emulator $emulator

            $new = Invoke-MainRotation $setup

            $new | Should -BeOfType ([Caxton.CaxtonClientPassword])
            (Get-CaxtonEmulatorStats -Emulator $emulator).register | Should -Be 2
            Test-Credential $new.Username $new.ClientPassword | Should -BeTrue
        }

        It 'when Caxton may have generated a password it never showed, the error names the rerun, which finishes the job' {
            $setup = New-MainAccountSetup
            $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'clients/auth/register' -Status 500 -Body html -Count 2
            Reset-CaxtonEmulatorStats -Emulator $emulator

            $output = Invoke-MainRotation $setup -ErrorVariable failure -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $failure[0].FullyQualifiedErrorId | Should -BeLike 'RegenerateIncomplete,*'
            (Get-CaxtonEmulatorStats -Emulator $emulator).register | Should -Be 2
            $rerun = "Reset-CaxtonCredential -Username '$($setup.Account.Username)' -Clientname '$($setup.Account.Clientname)' -Regenerate"
            $failure[0].ErrorDetails.Message.Contains($rerun) | Should -BeTrue -Because $failure[0].ErrorDetails.Message

            Select-CaxtonConnection -Connection $setup.Connection
            $new = Invoke-Expression "$rerun -Force"
            Test-Credential $new.Username $new.ClientPassword | Should -BeTrue
        }

        It 'a generate whose answer was lost is reported as already generated, never repeated blindly, and the rerun finishes the job' {
            $setup = New-MainAccountSetup
            # The server generates the password and the answer never arrives; asked once more, Caxton says
            # one was already generated. Only a new reset can recover, so the error names the rerun.
            $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'clients/auth/register' -LoseAnswer
            Reset-CaxtonEmulatorStats -Emulator $emulator

            $output = Invoke-MainRotation $setup -ErrorVariable failure -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $failure.Count | Should -Be 1
            $failure[0].FullyQualifiedErrorId | Should -BeLike 'RegenerateIncomplete,*'
            $failure[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $failure[0].ErrorDetails.Message | Should -Match 'already generated'
            (Get-CaxtonEmulatorStats -Emulator $emulator).register | Should -Be 2
            $rerun = "Reset-CaxtonCredential -Username '$($setup.Account.Username)' -Clientname '$($setup.Account.Clientname)' -Regenerate"
            $failure[0].ErrorDetails.RecommendedAction.Contains($rerun) | Should -BeTrue

            Select-CaxtonConnection -Connection $setup.Connection
            $new = Invoke-Expression "$rerun -Force"
            $new | Should -BeOfType ([Caxton.CaxtonClientPassword])
            Test-Credential $new.Username $new.ClientPassword | Should -BeTrue
        }

        It 'a token request that fails after the password was generated still writes the password first' {
            $setup = New-MainAccountSetup
            $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'token' -Status 400 -Body html

            $all = Invoke-MainRotation $setup -ErrorAction Continue 2>&1

            $all.Count | Should -Be 2
            $all[0] | Should -BeOfType ([Caxton.CaxtonClientPassword])
            $all[1] | Should -BeOfType ([System.Management.Automation.ErrorRecord])
            $all[1].FullyQualifiedErrorId | Should -BeLike 'RegenerateTokenFailed,*'
            $all[1].ErrorDetails.Message | Should -Match 'was generated and written to the output'
            $new = $all[0]
            # The new password is in hand and held; the token is one command away.
            $setup.Connection.Username | Should -Be $setup.Account.Username
            ConvertTo-PlainText $setup.Connection.Credential.Password | Should -Be (ConvertTo-PlainText $new.ClientPassword)
            (Get-CaxtonToken -Connection $setup.Connection).Username | Should -Be $setup.Account.Username
        }
    }

    Describe 'Reset-CaxtonCredential -Regenerate for a sub-account' {
        It 'resets as the main account, generates for the sub-account''s own Username and Clientname, and keeps the connection the main account''s' {
            $setup = New-SubAccountSetup
            Reset-CaxtonEmulatorStats -Emulator $emulator

            $new = Invoke-SubRotation $setup

            $new | Should -BeOfType ([Caxton.CaxtonClientPassword])
            $new.Username | Should -Be $setup.Sub.Username
            $new.Clientname | Should -Be $setup.Sub.Clientname
            $new.Credential.UserName | Should -Be $setup.Sub.Username
            # The main account resets sub-accounts, so the connection stays its: a runbook can rotate several in turn.
            $setup.Connection.Username | Should -Be $setup.Account.Username
            $stats = Get-CaxtonEmulatorStats -Emulator $emulator
            $stats.reset | Should -Be 1
            $stats.register | Should -Be 1
            $stats.token | Should -Be 1 -Because 'the main token is cached; one token proves the new sub-account password'
            Test-Credential $setup.Sub.Username $setup.SubOld.ClientPassword | Should -BeFalse
            Test-Credential $new.Username $new.ClientPassword | Should -BeTrue
            Test-Credential $setup.Account.Username $setup.Old.ClientPassword | Should -BeTrue

            # Rotating again works from the same connection.
            $again = Invoke-SubRotation $setup
            Test-Credential $again.Username $again.ClientPassword | Should -BeTrue
        }

        It 'needs the sub-account''s own Username and Clientname, and sends nothing without them' {
            $setup = New-SubAccountSetup
            Reset-CaxtonEmulatorStats -Emulator $emulator
            $output = Reset-CaxtonCredential -Username $setup.Account.Username -Clientname $setup.Account.Clientname -IdentityNumber $setup.IdentityNumber -Regenerate -Force -Connection $setup.Connection -ErrorVariable failure -ErrorAction SilentlyContinue
            $output | Should -BeNullOrEmpty
            $failure[0].FullyQualifiedErrorId | Should -BeLike 'SubAccountNamesRequired,*'
            $failure[0].Exception.Message | Should -Match 'SubAccountUsername'
            (Get-CaxtonEmulatorStats -Emulator $emulator).reset | Should -Be 0
            Test-Credential $setup.Sub.Username $setup.SubOld.ClientPassword | Should -BeTrue
        }

        It 'a failed sub-account reset does nothing else' {
            $setup = New-SubAccountSetup
            $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'clients/auth/reset' -Status 403 -Body html
            Reset-CaxtonEmulatorStats -Emulator $emulator
            $output = Invoke-SubRotation $setup -ErrorVariable failure -ErrorAction SilentlyContinue 2>$null
            $output | Should -BeNullOrEmpty
            (Get-CaxtonEmulatorStats -Emulator $emulator).register | Should -Be 0
            Test-Credential $setup.Sub.Username $setup.SubOld.ClientPassword | Should -BeTrue
        }

        It 'a refused generate after the sub-account reset names New-CaxtonPassword for the sub-account' {
            $setup = New-SubAccountSetup
            $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'clients/auth/register' -Status 400 -Body html
            $failure = $null
            try { Invoke-SubRotation $setup -ErrorAction Stop } catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -BeLike 'RegenerateIncomplete,*'
            $finish = "New-CaxtonPassword -Username '$($setup.Sub.Username)' -Clientname '$($setup.Sub.Clientname)' | Get-CaxtonToken"
            $failure.ErrorDetails.Message.Contains($finish) | Should -BeTrue -Because $failure.ErrorDetails.Message
            Test-Credential $setup.Sub.Username $setup.SubOld.ClientPassword | Should -BeFalse
            $finished = New-CaxtonPassword -Username $setup.Sub.Username -Clientname $setup.Sub.Clientname -Connection (New-RotationConnection) -Confirm:$false
            Test-Credential $finished.Username $finished.ClientPassword | Should -BeTrue
        }

        It 'a generate cut off twice after the sub-account reset names the sub-account rerun, which finishes the job' {
            $setup = New-SubAccountSetup
            $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'clients/auth/register' -Reset -Count 2
            $failure = $null
            try { Invoke-SubRotation $setup -ErrorAction Stop } catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -BeLike 'RegenerateIncomplete,*'
            $rerun = "Reset-CaxtonCredential -Username '$($setup.Account.Username)' -Clientname '$($setup.Account.Clientname)' -IdentityNumber '$($setup.IdentityNumber)' -SubAccountUsername '$($setup.Sub.Username)' -SubAccountClientname '$($setup.Sub.Clientname)' -Regenerate"
            $failure.ErrorDetails.Message.Contains($rerun) | Should -BeTrue -Because $failure.ErrorDetails.Message
            $setup.Connection.Username | Should -Be $setup.Account.Username

            Select-CaxtonConnection -Connection $setup.Connection
            $new = Invoke-Expression "$rerun -Force"
            $new.Username | Should -Be $setup.Sub.Username
            Test-Credential $new.Username $new.ClientPassword | Should -BeTrue
        }

        It 'a failed token request after the sub-account password was generated writes the password first' {
            $setup = New-SubAccountSetup
            $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'token' -Status 400 -Body html
            $all = Invoke-SubRotation $setup -ErrorAction Continue 2>&1
            $all.Count | Should -Be 2
            $all[0] | Should -BeOfType ([Caxton.CaxtonClientPassword])
            $all[0].Username | Should -Be $setup.Sub.Username
            $all[1].FullyQualifiedErrorId | Should -BeLike 'RegenerateTokenFailed,*'
            $setup.Connection.Username | Should -Be $setup.Account.Username
            Test-Credential $all[0].Username $all[0].ClientPassword | Should -BeTrue
        }
    }

    Describe 'Tokens issued before a reset, under both emulator decisions' -ForEach @(
        @{ Survive = $false }
        @{ Survive = $true }
    ) {
        AfterEach {
            $null = Set-CaxtonEmulatorLifecycle -Emulator $emulator -TokensSurviveReset $false
        }

        It 'the rotating connection works either way; an old token works only while tokens survive (TokensSurviveReset=<Survive>)' {
            (Set-CaxtonEmulatorLifecycle -Emulator $emulator -TokensSurviveReset $Survive).TokensSurviveReset | Should -Be $Survive
            $setup = New-MainAccountSetup
            # Another runbook holding the old credential and its cached token.
            $other = New-RotationConnection
            $null = $setup.Old | Get-CaxtonToken -Connection $other
            $oldToken = Get-CaxtonToken -Connection $other

            $null = Invoke-MainRotation $setup

            Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' -Connection $setup.Connection -ErrorAction Stop | Out-String | Should -Match 'Albion'
            # The voided password is refused at the token endpoint under both decisions.
            Test-Credential $setup.Account.Username $setup.Old.ClientPassword | Should -BeFalse

            $uri = $emulator.BaseUri + 'reference/lookup/banks/GBP'
            $answer = Invoke-RestMethod -Uri $uri -Authentication Bearer -Token $oldToken.AccessToken -SkipHttpErrorCheck -StatusCodeVariable status -AllowUnencryptedAuthentication
            if ($Survive) {
                $status | Should -Be 200
                Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' -Connection $other -ErrorAction Stop | Out-String | Should -Match 'Albion'
            }
            else {
                $status | Should -Be 401
                # The module's answer to a token that stopped: one new token, refused, and a clear error.
                $failure = $null
                try { $null = Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' -Connection $other -ErrorAction Stop } catch { $failure = $_ }
                $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidCredentials*'
            }
        }
    }

    Describe 'Get-CaxtonConnection -ListAvailable -ExpiringWithin' {
        It 'lists only connections whose password expires within the time, and warns about unknown expiries' {
            $soon = New-RotationConnection
            $later = New-RotationConnection
            $unknown = New-RotationConnection
            $a = New-TestPassword -Emulator $emulator -Connection $later
            $b = New-TestPassword -Emulator $emulator -Connection $unknown
            $c = New-TestPassword -Emulator $emulator -Connection (New-RotationConnection)
            $null = Get-CaxtonToken -Username $c.Username -ClientPassword $c.ClientPassword -ClientPasswordExpiresOn ([DateTimeOffset]::UtcNow.AddDays(5)) -Connection $soon
            $null = Get-CaxtonToken -Credential $b.Credential -Connection (New-RotationConnection)
            $unknownHolder = Get-CaxtonConnection -ListAvailable | Where-Object { $_.Username -eq $b.Username -and $null -eq $_.ClientPasswordExpiresOn } | Select-Object -First 1

            $found = Get-CaxtonConnection -ListAvailable -ExpiringWithin (New-TimeSpan -Days 7) -WarningVariable warnings -WarningAction SilentlyContinue | Where-Object Name -like 'rotation-*'

            @($found).Name | Should -Contain $soon.Name
            @($found).Name | Should -Not -Contain $later.Name
            ($warnings -join "`n") | Should -Match ([regex]::Escape($unknownHolder.Name))
            @(Get-CaxtonConnection -ListAvailable -ExpiringWithin (New-TimeSpan -Days 31) -WarningAction SilentlyContinue).Name | Should -Contain $later.Name
            { Get-CaxtonConnection -ListAvailable -ExpiringWithin ([TimeSpan]::MaxValue) -WarningAction SilentlyContinue -ErrorAction Stop } | Should -Not -Throw
            { Get-CaxtonConnection -ListAvailable -ExpiringWithin ([TimeSpan]::MinValue) -WarningAction SilentlyContinue -ErrorAction Stop } | Should -Not -Throw
        }
    }

    Describe 'The emulator''s faults reach the register after a reset' {
        It '-Skip lets the first matching requests through' {
            $first = New-CaxtonEmulatorAccount -Emulator $emulator
            $second = New-CaxtonEmulatorAccount -Emulator $emulator
            $connection = New-RotationConnection
            $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'clients/auth/register' -Status 500 -Body html -Skip 1
            $null = New-CaxtonPassword -Username $first.Username -Clientname $first.Clientname -Connection $connection -Confirm:$false -ErrorAction Stop
            { New-CaxtonPassword -Username $second.Username -Clientname $second.Clientname -Connection $connection -Confirm:$false -ErrorAction Stop } | Should -Throw
            Clear-CaxtonEmulatorFault -Emulator $emulator | Should -Be 0
        }

        It 'LoseAnswer lets the endpoint act and cuts the connection; it takes no answer of its own' {
            $account = New-CaxtonEmulatorAccount -Emulator $emulator
            $connection = New-RotationConnection
            $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'clients/auth/register' -LoseAnswer
            $lost = $null
            try { $null = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Connection $connection -Confirm:$false -ErrorAction Stop } catch { $lost = $_ }
            $lost.FullyQualifiedErrorId | Should -BeLike 'ConnectionFailed,*'
            # The server did generate it: a second register is refused as already generated.
            $again = $null
            try { $null = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Connection $connection -Confirm:$false -ErrorAction Stop } catch { $again = $_ }
            $again.CategoryInfo.Category | Should -Be 'ResourceExists'

            $refused = $null
            try { $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'token' -LoseAnswer -Status 500 } catch { $refused = $_ }
            $refused.ErrorDetails.Message | Should -Match 'LoseAnswer'
        }

        It 'starts with tokens surviving a reset when told to, and switches at run time' {
            (Get-CaxtonEmulatorLifecycle -Emulator $emulator).TokensSurviveReset | Should -BeFalse
            $surviving = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR -TokensSurviveReset
            try {
                (Get-CaxtonEmulatorLifecycle -Emulator $surviving).TokensSurviveReset | Should -BeTrue
                (Set-CaxtonEmulatorLifecycle -Emulator $surviving -TokensSurviveReset $false).TokensSurviveReset | Should -BeFalse
            }
            finally {
                $surviving | Stop-CaxtonEmulator
            }
        }
    }
    Describe 'The README monthly rotation runbook' {
        BeforeAll {
            # Passwords that live 5 days, so the runbook's "within 7 days" rotates them.
            $script:shortLived = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR -PasswordLifetime (5 * 24 * 3600)
            $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../../README.md')
            $script:runbook = [regex]::Match($readme, '(?ms)^```powershell\r?\n(# Daily Caxton rotation runbook.*?)^```').Groups[1].Value

            function Invoke-Runbook($Emulator) {
                # SecretManagement is not installable here: stand-ins keep secrets and metadata in a hashtable.
                $script:vault = @{}
                function Set-Secret([string] $Name, [object] $Secret, [hashtable] $Metadata) { $script:vault[$Name] = @{ Secret = $Secret; Metadata = $Metadata } }
                function Get-Secret([string] $Name) { $script:vault[$Name].Secret }
                function Get-SecretInfo([string] $Name) { [pscustomobject]@{ Name = $Name; Metadata = $script:vault[$Name].Metadata } }

                # The vault holds the demo account's current password and its EndDate, as a first run left them.
                $seed = Connect-Caxton -BaseUri $Emulator.BaseUri -Name 'rotation-seed'
                $first = New-CaxtonPassword -Username caxton.demo -Clientname cxtnclient -Connection $seed -Confirm:$false
                Set-Secret -Name CaxtonProd -Secret $first.Credential -Metadata @{ EndDate = $first.EndDate.UtcDateTime }
                Reset-CaxtonEmulatorStats -Emulator $Emulator

                # Only the literals that name the real world change: the module under test, the emulator, its demo client.
                $script = $runbook.Replace('Import-Module Caxton', "Import-Module '$env:CAXTON_TEST_MODULE'").
                    Replace('-Environment Production', "-BaseUri '$($Emulator.BaseUri)'").
                    Replace("'acmeclient'", "'cxtnclient'")
                . ([scriptblock]::Create($script))
                [pscustomobject]@{ First = $first; Stored = Get-Secret -Name CaxtonProd; EndDate = (Get-SecretInfo -Name CaxtonProd).Metadata['EndDate'] }
            }
        }

        AfterAll {
            $script:shortLived | Stop-CaxtonEmulator
            Get-CaxtonConnection -Name 'Prod' -ErrorAction Ignore | Disconnect-Caxton
        }

        AfterEach {
            Get-CaxtonConnection -Name 'Prod' -ErrorAction Ignore | Disconnect-Caxton
        }

        It 'is in the README, with the literals the test replaces' {
            $runbook | Should -Match 'Reset-CaxtonCredential .*-Regenerate -Force'
            foreach ($literal in 'Import-Module Caxton', '-Environment Production', "'acmeclient'", 'Set-Secret', 'Get-Secret', '-ExpiringWithin') {
                $runbook.Contains($literal) | Should -BeTrue -Because "the runbook must contain $literal"
            }
        }

        It 'rotates a password that expires within 7 days and writes the new credential and EndDate back' {
            $result = Invoke-Runbook $shortLived

            $stats = Get-CaxtonEmulatorStats -Emulator $shortLived
            $stats.reset | Should -Be 1
            $result.Stored | Should -BeOfType ([pscredential])
            $result.Stored.UserName | Should -Be 'caxton.demo'
            ConvertTo-PlainText $result.Stored.Password | Should -Not -Be (ConvertTo-PlainText $result.First.ClientPassword)
            $result.EndDate | Should -BeGreaterThan $result.First.EndDate.UtcDateTime
            Test-Credential 'caxton.demo' $result.First.ClientPassword -Emulator $shortLived | Should -BeFalse
            Test-Credential 'caxton.demo' $result.Stored.Password -Emulator $shortLived | Should -BeTrue
        }

        It 'leaves a password that expires later alone' {
            $result = Invoke-Runbook $emulator -WarningAction SilentlyContinue

            (Get-CaxtonEmulatorStats -Emulator $emulator).reset | Should -Be 0
            ConvertTo-PlainText $result.Stored.Password | Should -Be (ConvertTo-PlainText $result.First.ClientPassword)
            # Tidy the shared emulator's demo account for whoever uses it next.
            $null = Reset-CaxtonCredential -Username caxton.demo -Clientname cxtnclient -Force -Connection (Get-CaxtonConnection -Name 'rotation-seed')
        }
    }
}
