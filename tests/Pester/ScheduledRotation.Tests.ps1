# Issue 17: a scheduled rotation that heals itself and is safe to rerun, a hand-off that is part of
# the operation, a new password that is never lost, and an audit trail. Each scenario runs as a
# child `pwsh -NonInteractive -File` runbook, judged by its exit code, its output and what the
# emulator received; a "vault" file stands in for SecretManagement (Username, password, EndDate).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR

    function New-VaultedAccount([Parameter(Mandatory)] $Emulator) {
        # A fresh account with its first password, stored in a vault file as a runbook would read it.
        $account = New-CaxtonEmulatorAccount -Emulator $Emulator
        $conn = Connect-Caxton -BaseUri $Emulator.BaseUri -Name "setup-$($account.Username)"
        $password = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Connection $conn -Confirm:$false
        $vault = Join-Path $TestDrive "vault-$($account.Username).json"
        Set-VaultEntry $vault $account.Username (ConvertTo-PlainText $password.ClientPassword) $password.EndDate
        [pscustomobject]@{ Username = $account.Username; Clientname = $account.Clientname; Vault = $vault; Emulator = $Emulator }
    }

    function Set-VaultEntry($Path, $Username, $Plain, $EndDate) {
        @{ Username = $Username; Password = $Plain; EndDate = if ($EndDate) { $EndDate.ToString('o') } else { $null } } | ConvertTo-Json | Set-Content -LiteralPath $Path
    }

    function Get-RunbookText($Account, [string] $Rotate, [string] $HandOff = '') {
        # A runbook as the README writes it: Stop, read the vault, rotate when due, store in the hand-off.
        @"
`$ErrorActionPreference = 'Stop'
Import-Module '$env:CAXTON_TEST_MODULE'
`$vaultPath = '$($Account.Vault)'
`$entry = Get-Content -Raw -LiteralPath `$vaultPath | ConvertFrom-Json
`$stored = [pscredential]::new(`$entry.Username, (ConvertTo-SecureString `$entry.Password -AsPlainText -Force))
`$endDate = if (`$entry.EndDate) { [datetimeoffset]`$entry.EndDate } else { `$null }
`$null = Connect-Caxton -BaseUri '$($Account.Emulator.BaseUri)' -Name Prod
function Save-Vault(`$password) {
    $HandOff
    @{ Username = `$password.Username; Password = `$password.Credential.GetNetworkCredential().Password; EndDate = `$password.EndDate.ToString('o') } | ConvertTo-Json | Set-Content -LiteralPath `$vaultPath
}
$Rotate
'RUNBOOK DONE'
"@
    }

    function Invoke-Runbook([string] $Text, [switch] $NoWait) {
        $path = Join-Path $TestDrive ("runbook-" + [guid]::NewGuid().ToString('n') + '.ps1')
        Set-Content -LiteralPath $path -Value $Text
        $start = [System.Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
        if ([IO.Path]::GetFileNameWithoutExtension($start.FileName) -eq 'dotnet') { $start.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        foreach ($argument in '-NoProfile', '-NonInteractive', '-File', $path) { $start.ArgumentList.Add($argument) }
        foreach ($name in 'CAXTON_BASEURI', 'CAXTON_ENVIRONMENT', 'CAXTON_USERNAME', 'CAXTON_CLIENTPASSWORD') { $null = $start.Environment.Remove($name) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.RedirectStandardInput = $true
        $process = [System.Diagnostics.Process]::Start($start)
        $process.StandardInput.Close()
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $run = [pscustomobject]@{ Process = $process; StdOut = $stdout; StdErr = $stderr; ExitCode = $null; Text = $null }
        if (-not $NoWait) { Wait-Runbook $run }
        $run
    }

    function Wait-Runbook($Run, [int] $TimeoutSec = 180) {
        if (-not $Run.Process.WaitForExit($TimeoutSec * 1000)) { $Run.Process.Kill($true); throw "The runbook hung: $($Run.StdOut.Result)" }
        $Run.Process.WaitForExit()
        $Run.ExitCode = $Run.Process.ExitCode
        $Run.Text = ($Run.StdOut.Result + "`n" + $Run.StdErr.Result) -replace '\e\[[0-9;]*m'
    }

    function Test-VaultCredential($Account) {
        # The stored credential works: Caxton gives it a token.
        $entry = Get-Content -Raw -LiteralPath $Account.Vault | ConvertFrom-Json
        $credential = [pscredential]::new($entry.Username, (ConvertTo-SecureString $entry.Password -AsPlainText -Force))
        $conn = Connect-Caxton -BaseUri $Account.Emulator.BaseUri -Name "check-$([guid]::NewGuid().ToString('n'))"
        (Get-CaxtonToken -Connection $conn -Credential $credential -Force).Username
    }

    function Get-Stats($Emulator) { Get-CaxtonEmulatorStats -Emulator $Emulator }

    $script:scheduled = "Reset-CaxtonCredential -Connection Prod -Username `$stored.UserName -Clientname '{0}' -Regenerate -Force -ExpiringWithin {1} -Credential `$stored -ClientPasswordExpiresOn `$endDate -OnNewCredential {{ param(`$p) Save-Vault `$p }} -Verbose -InformationVariable audit {2} | Out-Null`n`$audit | Where-Object Tags -Contains 'CaxtonAudit' | ForEach-Object {{ 'AUDIT ' + (`$_.MessageData | ConvertTo-Json -Compress) }}"
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'Scheduled rotation decides, and sends nothing more when nothing is due' {
    It 'a working password far from its EndDate: no rotation, no output, the reason under -Verbose, one token request only' {
        $account = New-VaultedAccount $emulator
        $before = Get-Stats $emulator
        $run = Invoke-Runbook (Get-RunbookText $account ($scheduled -f $account.Clientname, '(New-TimeSpan -Days 7)', ''))
        $after = Get-Stats $emulator
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match 'nothing to rotate'
        $run.Text | Should -Not -Match 'AUDIT '
        ($after.reset - $before.reset) | Should -Be 0
        ($after.register - $before.register) | Should -Be 0
        ($after.token - $before.token) | Should -Be 1
    }

    It 'an EndDate within -ExpiringWithin rotates, stores through the hand-off, and writes one CaxtonAudit record without a secret' {
        $account = New-VaultedAccount $emulator
        $old = (Get-Content -Raw $account.Vault | ConvertFrom-Json).Password
        $run = Invoke-Runbook (Get-RunbookText $account ($scheduled -f $account.Clientname, "'31.00:00:00'", ''))
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match 'rotating'
        $new = (Get-Content -Raw $account.Vault | ConvertFrom-Json).Password
        $new | Should -Not -Be $old
        Test-VaultCredential $account | Should -Be $account.Username
        $audit = @($run.Text -split "`n" | Where-Object { $_ -like 'AUDIT *' })
        $audit | Should -HaveCount 1
        $record = $audit[0].Substring(6) | ConvertFrom-Json
        $record.Action | Should -Be 'Rotate'
        $record.Username | Should -Be $account.Username
        $record.Clientname | Should -Be $account.Clientname
        $record.Outcome | Should -BeLike 'Succeeded*'
        $record.OSUser | Should -Not -BeNullOrEmpty
        $record.ResponseDate | Should -Not -BeNullOrEmpty
        $audit[0] | Should -Not -Match ([regex]::Escape($new))
        $audit[0] | Should -Not -Match ([regex]::Escape($old))
    }

    It 'an expired password (Caxton rejects it) rotates even without a known EndDate' {
        $account = New-VaultedAccount $emulator
        $null = Invoke-CaxtonEmulatorControl -Emulator $emulator -Path "accounts/$($account.Username)/expire-password"
        $entry = Get-Content -Raw $account.Vault | ConvertFrom-Json
        Set-VaultEntry $account.Vault $entry.Username $entry.Password $null
        $run = Invoke-Runbook (Get-RunbookText $account ($scheduled -f $account.Clientname, '(New-TimeSpan -Days 7)', ''))
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match 'rejected the stored credential'
        Test-VaultCredential $account | Should -Be $account.Username
    }

    It 'an unknown EndDate is PasswordExpiryUnknown (exit code 1, nothing reset), saying how to supply it; -RotateIfUnknown rotates' {
        $account = New-VaultedAccount $emulator
        $entry = Get-Content -Raw $account.Vault | ConvertFrom-Json
        Set-VaultEntry $account.Vault $entry.Username $entry.Password $null
        $before = Get-Stats $emulator
        $run = Invoke-Runbook (Get-RunbookText $account ("try { $($scheduled -f $account.Clientname, '(New-TimeSpan -Days 7)', '') } catch { 'RESULT ' + `$_.FullyQualifiedErrorId + ' | ' + `$_.ErrorDetails.RecommendedAction; exit 1 }"))
        $run.ExitCode | Should -Be 1 -Because $run.Text
        $run.Text | Should -Match 'RESULT PasswordExpiryUnknown,'
        $run.Text | Should -Match '-ClientPasswordExpiresOn'
        ((Get-Stats $emulator).reset - $before.reset) | Should -Be 0

        $run = Invoke-Runbook (Get-RunbookText $account ($scheduled -f $account.Clientname, '(New-TimeSpan -Days 7)', '-RotateIfUnknown'))
        $run.ExitCode | Should -Be 0 -Because $run.Text
        Test-VaultCredential $account | Should -Be $account.Username
        (Get-Content -Raw $account.Vault | ConvertFrom-Json).EndDate | Should -Not -BeNullOrEmpty
    }

    It 'a credential for another account is CredentialAccountMismatch and sends nothing' {
        $account = New-VaultedAccount $emulator
        $before = Get-Stats $emulator
        $run = Invoke-Runbook (Get-RunbookText $account "try { Reset-CaxtonCredential -Connection Prod -Username 'someone-else' -Clientname c -Regenerate -Force -ExpiringWithin (New-TimeSpan -Days 7) -Credential `$stored } catch { 'RESULT ' + `$_.FullyQualifiedErrorId; exit 1 }")
        $run.Text | Should -Match 'RESULT CredentialAccountMismatch,'
        ((Get-Stats $emulator).token - $before.token) | Should -Be 0
    }
}

Describe 'A rerun after the job was killed at any step ends with a working, stored credential' {
    It 'killed after the <Step>; the rerun heals it' -ForEach @(
        @{ Step = 'reset (generate stalled)'; HandOff = ''; Stall = $true }
        @{ Step = 'generate (before the hand-off stored it)'; HandOff = 'Stop-Process -Id $PID -Force'; Stall = $false }
        @{ Step = 'hand-off (stored, token never asked)'; HandOff = 'AFTER'; Stall = $false }
    ) {
        $account = New-VaultedAccount $emulator
        $rotateNow = $scheduled -f $account.Clientname, "'31.00:00:00'", ''
        if ($HandOff -eq 'AFTER') {
            # Stores, then dies: Save-Vault's body runs first, then the kill.
            $text = (Get-RunbookText $account $rotateNow '') -replace '(?m)^(\s*@\{ Username = \$password.Username.*)$', "`$1`nStop-Process -Id `$PID -Force"
        }
        else {
            $text = Get-RunbookText $account $rotateNow $HandOff
        }

        if ($Stall) {
            $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'clients/auth/register' -DelayMs 120000
            $before = Get-Stats $emulator
            $run = Invoke-Runbook $text -NoWait
            $deadline = [datetime]::UtcNow.AddSeconds(120)
            while ((Get-Stats $emulator).reset -eq $before.reset -and [datetime]::UtcNow -lt $deadline -and -not $run.Process.HasExited) { Start-Sleep -Milliseconds 200 }
            (Get-Stats $emulator).reset | Should -Be ($before.reset + 1)
            $run.Process.Kill($true)
            Wait-Runbook $run
            $null = Clear-CaxtonEmulatorFault -Emulator $emulator
        }
        else {
            $run = Invoke-Runbook $text
        }

        $run.Text | Should -Not -Match 'RUNBOOK DONE'
        $run.ExitCode | Should -Not -Be 0

        # The rerun: the same runbook, unchanged, as the scheduler would start it tomorrow.
        $rerun = Invoke-Runbook (Get-RunbookText $account ($scheduled -f $account.Clientname, '(New-TimeSpan -Days 7)', ''))
        $rerun.ExitCode | Should -Be 0 -Because $rerun.Text
        $rerun.Text | Should -Match 'RUNBOOK DONE'
        Test-VaultCredential $account | Should -Be $account.Username
    }
}

Describe 'The new password is never lost' {
    BeforeEach {
        $script:account = New-VaultedAccount $emulator
    }

    It 'a hand-off that throws is RegenerateHandOffFailed; the error''s TargetObject is the password, and it works' {
        $run = Invoke-Runbook (Get-RunbookText $account @"
try { Reset-CaxtonCredential -Connection Prod -Username `$stored.UserName -Clientname '$($account.Clientname)' -Regenerate -Force -OnNewCredential { param(`$p) throw 'vault is read-only' } }
catch {
    'RESULT ' + `$_.FullyQualifiedErrorId + ' | ' + `$_.Exception.Message
    `$plain = `$_.TargetObject.Credential.GetNetworkCredential().Password
    'TARGET ' + `$_.TargetObject.GetType().Name + ' ' + (Get-CaxtonToken -Connection (Connect-Caxton -BaseUri '$($emulator.BaseUri)' -Name t) -Credential `$_.TargetObject.Credential -Force).Username
    if (`$_.Exception.Message.Contains(`$plain)) { 'LEAKED' }
    exit 3
}
"@)
        $run.ExitCode | Should -Be 3 -Because $run.Text
        $run.Text | Should -Match 'RESULT RegenerateHandOffFailed,.*vault is read-only'
        $run.Text | Should -Match "TARGET CaxtonClientPassword $([regex]::Escape($account.Username))"
        $run.Text | Should -Not -Match 'LEAKED'
    }

    It 'a token failure under Stop is RegenerateTokenFailed, whose TargetObject is the password' {
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Status 400 -Body invalid -Count 1
        try {
            $run = Invoke-Runbook (Get-RunbookText $account @"
try { `$new = Reset-CaxtonCredential -Connection Prod -Username `$stored.UserName -Clientname '$($account.Clientname)' -Regenerate -Force }
catch { 'RESULT ' + `$_.FullyQualifiedErrorId; 'TARGET ' + `$_.TargetObject.GetType().Name + ' ' + `$_.TargetObject.Username + ' ' + (`$null -ne `$_.TargetObject.EndDate); 'ASSIGNED ' + (`$null -ne `$new); exit 3 }
"@)
        }
        finally { $null = Clear-CaxtonEmulatorFault -Emulator $emulator }
        $run.ExitCode | Should -Be 3 -Because $run.Text
        $run.Text | Should -Match 'RESULT RegenerateTokenFailed,'
        $run.Text | Should -Match "TARGET CaxtonClientPassword $([regex]::Escape($account.Username)) True"
        $run.Text | Should -Match 'ASSIGNED False'
    }

    It 'a pipeline stopped downstream leaves the password in the connection''s UnclaimedPassword' {
        $run = Invoke-Runbook (Get-RunbookText $account @"
`$conn = Get-CaxtonConnection -Name Prod
Reset-CaxtonCredential -Connection `$conn -Username `$stored.UserName -Clientname '$($account.Clientname)' -Regenerate -Force | Select-Object -First 1 | Out-Null
'UNCLAIMED ' + `$conn.UnclaimedPassword.Username
'WORKS ' + (Get-CaxtonToken -Connection (Connect-Caxton -BaseUri '$($emulator.BaseUri)' -Name t) -Credential `$conn.UnclaimedPassword.Credential -Force).Username
"@)
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match "UNCLAIMED $([regex]::Escape($account.Username))"
        $run.Text | Should -Match "WORKS $([regex]::Escape($account.Username))"
    }

    It 'Ctrl+C during the hand-off leaves the password in UnclaimedPassword; a finished rotation clears it' {
        $conn = Connect-Caxton -BaseUri $emulator.BaseUri -Name "ctrlc-$($account.Username)"
        $marker = Join-Path $TestDrive "handoff-$($account.Username)"
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($module, $conn, $username, $clientname, $marker)
                    Import-Module $module
                    Reset-CaxtonCredential -Connection $conn -Username $username -Clientname $clientname -Regenerate -Force -OnNewCredential { param($p) Set-Content -LiteralPath $marker 'x'; Start-Sleep -Seconds 120 }
                }).AddArgument($env:CAXTON_TEST_MODULE).AddArgument($conn).AddArgument($account.Username).AddArgument($account.Clientname).AddArgument($marker)
            $async = $ps.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while (-not (Test-Path -LiteralPath $marker) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Test-Path -LiteralPath $marker | Should -BeTrue
            $ps.Stop()
            { $ps.EndInvoke($async) } | Should -Throw
        }
        finally { $ps.Dispose() }
        $conn.UnclaimedPassword.Username | Should -Be $account.Username
        (Get-CaxtonToken -Connection $conn -Credential $conn.UnclaimedPassword.Credential -Force).Username | Should -Be $account.Username

        $null = Reset-CaxtonCredential -Connection $conn -Username $account.Username -Clientname $account.Clientname -Regenerate -Force
        $conn.UnclaimedPassword | Should -BeNullOrEmpty
    }
}

Describe 'Audit records of generate and reset' {
    It 'New-CaxtonPassword and Reset-CaxtonCredential each write one CaxtonAudit record; a failure records its ErrorId' {
        $account = New-CaxtonEmulatorAccount -Emulator $emulator
        $conn = Connect-Caxton -BaseUri $emulator.BaseUri -Name "audit-$($account.Username)"
        $password = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Connection $conn -Confirm:$false -InformationVariable generated
        Reset-CaxtonCredential -Username $account.Username -Clientname $account.Clientname -Connection $conn -Force -InformationVariable reset
        Reset-CaxtonCredential -Username $account.Username -Clientname 'wrong' -Connection $conn -Force -InformationVariable failed -ErrorAction SilentlyContinue
        $plain = ConvertTo-PlainText $password.ClientPassword
        foreach ($case in @(@{ Records = $generated; Action = 'Generate'; Outcome = 'Succeeded' }, @{ Records = $reset; Action = 'Reset'; Outcome = 'Succeeded' }, @{ Records = $failed; Action = 'Reset'; Outcome = 'Failed (ApiStatusNotValid)' })) {
            $audit = @($case.Records | Where-Object Tags -Contains 'CaxtonAudit')
            $audit | Should -HaveCount 1
            $audit[0].MessageData.Action | Should -Be $case.Action
            $audit[0].MessageData.Outcome | Should -Be $case.Outcome
            $audit[0].MessageData.Username | Should -Be $account.Username
            $audit[0].MessageData.ResponseDate | Should -Not -BeNullOrEmpty
            ($audit[0].MessageData | ConvertTo-Json) | Should -Not -Match ([regex]::Escape($plain))
            "$($audit[0].MessageData)" | Should -Match "^CaxtonAudit .* $($case.Action) "
        }
    }
}

Describe 'A Caxton that resets a main account only with its own token (--main-reset-requires-token)' {
    BeforeAll {
        $script:strict = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR -MainResetRequiresToken
    }

    AfterAll {
        $script:strict | Stop-CaxtonEmulator
    }

    It 'a working main password due for rotation rotates: the check''s token goes with the reset' {
        $account = New-VaultedAccount $strict
        $run = Invoke-Runbook (Get-RunbookText $account ($scheduled -f $account.Clientname, "'31.00:00:00'", ''))
        $run.ExitCode | Should -Be 0 -Because $run.Text
        Test-VaultCredential $account | Should -Be $account.Username
    }

    It 'an expired main password ends in MainPasswordExpired, saying only Caxton can act' {
        $account = New-VaultedAccount $strict
        $null = Invoke-CaxtonEmulatorControl -Emulator $strict -Path "accounts/$($account.Username)/expire-password"
        $run = Invoke-Runbook (Get-RunbookText $account ("try { $($scheduled -f $account.Clientname, '(New-TimeSpan -Days 7)', '') } catch { 'RESULT ' + `$_.FullyQualifiedErrorId + ' | ' + `$_.Exception.Message + ' | ' + `$_.ErrorDetails.RecommendedAction; exit 4 }"))
        $run.ExitCode | Should -Be 4 -Because $run.Text
        $run.Text | Should -Match 'RESULT MainPasswordExpired,'
        $run.Text | Should -Match 'only Caxton can'
        $run.Text | Should -Match 'Caxton support'
    }
}
