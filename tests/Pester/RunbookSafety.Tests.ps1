# Issue 17, "runbook-grade behaviour": nothing silently goes elsewhere, failed calls change nothing,
# TimeSpans are never ticks, every error says what to do next. Behaviour a runbook depends on runs in
# a child `pwsh -NonInteractive -File`, judged by its exit code, its output and what the emulator received.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR

    function Invoke-Runbook([string] $Body, [hashtable] $Environment = @{}) {
        # A runbook file run as a scheduler runs it: a fresh pwsh -NonInteractive -File, no CAXTON_*
        # variable unless given. Returns the exit code and the output lines.
        $path = Join-Path $TestDrive ("runbook-" + [guid]::NewGuid().ToString('n') + '.ps1')
        Set-Content -LiteralPath $path -Value ("Import-Module '$env:CAXTON_TEST_MODULE'`n" + $Body)
        $saved = @{}
        $names = 'CAXTON_BASEURI', 'CAXTON_ENVIRONMENT', 'CAXTON_USERNAME', 'CAXTON_CLIENTPASSWORD'
        foreach ($name in $names) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $null) }
        foreach ($pair in $Environment.GetEnumerator()) { [Environment]::SetEnvironmentVariable($pair.Key, $pair.Value) }
        try {
            $output = Invoke-FreshPwsh -File $path 2>&1 | ForEach-Object { "$_" -replace '\e\[[0-9;]*m' }
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($output); Text = ($output -join "`n") }
        }
        finally {
            foreach ($name in $names) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
            Remove-Item -LiteralPath $path -ErrorAction SilentlyContinue
        }
    }

    function New-Account {
        # A fresh emulator account with its first password; returns the account and a PSCredential for it.
        $account = New-CaxtonEmulatorAccount -Emulator $emulator
        $password = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Connection (Connect-Caxton -BaseUri $emulator.BaseUri -Name "setup-$($account.Username)") -Confirm:$false
        [pscustomobject]@{
            Username   = $account.Username
            Clientname = $account.Clientname
            Password   = $password
            Plain      = ConvertTo-PlainText $password.ClientPassword
        }
    }

    # Arguments that make each cmdlet talk to Caxton; a cmdlet with -Connection missing here fails the walk.
    $script:talkingCalls = [ordered]@{
        'New-CaxtonPassword'      = "New-CaxtonPassword -Username u -Clientname c -Confirm:`$false"
        'Get-CaxtonToken'         = 'Get-CaxtonToken'
        'Reset-CaxtonCredential'  = 'Reset-CaxtonCredential -Username u -Clientname c -Force'
        'Invoke-CaxtonRestMethod' = 'Invoke-CaxtonRestMethod reference/lookup/banks/GBP'
    }
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'No implicit remote default (finding 1)' {
    It 'every cmdlet that talks to Caxton is in the walk' {
        $talking = Get-Command -Module Caxton -CommandType Cmdlet | Where-Object { $_.Parameters.ContainsKey('Connection') -and $_.Name -notin 'Disconnect-Caxton', 'Select-CaxtonConnection' }
        $talking.Name | Sort-Object | Should -Be ($talkingCalls.Keys | Sort-Object)
    }

    It 'with no Connect-Caxton and no CAXTON_* variable, every such cmdlet fails at once with NotConnected' {
        $body = foreach ($call in $talkingCalls.GetEnumerator()) {
            "try { $($call.Value) -ErrorAction Stop; 'REACH' + 'ED $($call.Key)' } catch { 'RESULT $($call.Key) ' + `$_.FullyQualifiedErrorId + ' | ' + `$_.Exception.Message + ' | ' + `$_.ErrorDetails.RecommendedAction }"
        }
        $run = Invoke-Runbook ($body -join "`n")
        foreach ($name in $talkingCalls.Keys) {
            $line = $run.Output -like "RESULT $name *"
            $line | Should -HaveCount 1 -Because $run.Text
            $line | Should -Match "^RESULT $name NotConnected,"
            $line | Should -Match 'Connect-Caxton'
            $line | Should -Match 'CAXTON_BASEURI'
            $line | Should -Match 'Nothing was sent'
        }
        $run.Text | Should -Not -Match 'REACHED'
    }

    It 'a failed Connect-Caxton leaves the default empty: the next call is NotConnected citing it, and nothing is sent' {
        $old = New-Account
        Reset-CaxtonEmulatorStats -Emulator $emulator
        $run = Invoke-Runbook @"
`$good = [pscredential]::new('$($old.Username)', (ConvertTo-SecureString '$($old.Plain)' -AsPlainText -Force))
`$null = Connect-Caxton -BaseUri '$($emulator.BaseUri)' -Credential `$good
`$stale = [pscredential]::new('$($old.Username)-other', (ConvertTo-SecureString 'stale' -AsPlainText -Force))
Connect-Caxton -BaseUri '$($emulator.BaseUri)' -Credential `$stale 2>`$null
'AFTER CONNECT'
try { Invoke-CaxtonRestMethod reference/lookup/banks/GBP; 'REACH' + 'ED' } catch { 'RESULT ' + `$_.FullyQualifiedErrorId + ' | ' + `$_.Exception.Message }
"@
        $run.Output | Should -Contain 'AFTER CONNECT'
        $result = $run.Output -like 'RESULT *'
        $result | Should -Match '^RESULT NotConnected,'
        $result | Should -Match 'the last Connect-Caxton failed'
        $result | Should -Match 'InvalidCredentials'
        $run.Text | Should -Not -Match 'REACHED'
        (Get-CaxtonEmulatorStats -Emulator $emulator).banks | Should -Be 0
    }

    It 'a failed Connect-Caxton -Name empties that name and the default, and leaves other names untouched' {
        $prod = New-Account
        $other = New-Account
        $run = Invoke-Runbook @"
`$prodCred = [pscredential]::new('$($prod.Username)', (ConvertTo-SecureString '$($prod.Plain)' -AsPlainText -Force))
`$otherCred = [pscredential]::new('$($other.Username)', (ConvertTo-SecureString '$($other.Plain)' -AsPlainText -Force))
`$null = Connect-Caxton -BaseUri '$($emulator.BaseUri)' -Name Prod -Credential `$prodCred
`$null = Connect-Caxton -BaseUri '$($emulator.BaseUri)' -Name Other -Credential `$otherCred
Connect-Caxton -BaseUri 'http://127.0.0.l:5080/api/' -Name Prod 2>`$null
try { Get-CaxtonToken -Connection Prod; 'REACH' + 'ED PROD' } catch { 'PROD ' + `$_.FullyQualifiedErrorId + ' | ' + `$_.Exception.Message }
try { Get-CaxtonToken; 'REACH' + 'ED DEFAULT' } catch { 'DEFAULT ' + `$_.FullyQualifiedErrorId }
'OTHER ' + (Get-CaxtonToken -Connection Other).Username
"@
        ($run.Output -like 'PROD *') | Should -Match "^PROD NotConnected,.*named 'Prod'.*Connect-Caxton -Name 'Prod' failed.*InsecureBaseUri"
        ($run.Output -like 'DEFAULT *') | Should -Match '^DEFAULT NotConnected,'
        $run.Output | Should -Contain "OTHER $($other.Username)"
        $run.Text | Should -Not -Match 'REACHED'
    }

    It 'a connect that succeeds again clears the failure' {
        $account = New-Account
        $run = Invoke-Runbook @"
Connect-Caxton -BaseUri 'http://127.0.0.l:5080/api/' 2>`$null
`$cred = [pscredential]::new('$($account.Username)', (ConvertTo-SecureString '$($account.Plain)' -AsPlainText -Force))
`$null = Connect-Caxton -BaseUri '$($emulator.BaseUri)' -Credential `$cred
'USER ' + (Get-CaxtonToken).Username
"@
        $run.Output | Should -Contain "USER $($account.Username)"
    }

    It 'Connect-Caxton''s help says truly when a failed connect stops a runbook' {
        $help = Get-Content -Raw (Join-Path $PSScriptRoot '../../docs/Connect-Caxton.md')
        $help | Should -Not -Match 'stops the runbook'
        $help | Should -Match "ErrorActionPreference = 'Stop'"
        $help | Should -Match 'NotConnected'
    }
}

Describe 'Failed calls change nothing (finding 4)' {
    BeforeAll {
        # Every parameter of every cmdlet, sorted into: committed to a connection on success (each
        # with a failing call below), or never committed. A new parameter fails the walk until sorted.
        $script:committed = @(
            'New-CaxtonPassword -Username'
            'Reset-CaxtonCredential -Username'
            'Connect-Caxton -Credential'
            'Get-CaxtonToken -Credential'
            'Get-CaxtonToken -Username'
            'Get-CaxtonToken -ClientPassword'
            'Get-CaxtonToken -ClientPasswordExpiresOn'
            'Reset-CaxtonCredential -Credential'
            'Reset-CaxtonCredential -ClientPasswordExpiresOn'
        )
    }

    It 'every parameter is sorted into committed or not' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $never = @(
            'Connect-Caxton -Environment', 'Connect-Caxton -BaseUri', 'Connect-Caxton -Name', 'Connect-Caxton -ResetPath', 'Connect-Caxton -TimeoutSec',
            'Connect-Caxton -MaximumRetryCount', 'Connect-Caxton -SkipCertificateCheck', 'Connect-Caxton -Proxy', 'Connect-Caxton -ProxyCredential',
            'Connect-Caxton -ProxyUseDefaultCredentials', 'Connect-Caxton -CertificateAuthority'
        )
        $unsorted = foreach ($command in Get-Command -Module Caxton -CommandType Cmdlet) {
            foreach ($name in $command.Parameters.Keys) {
                if ($name -in $common) { continue }
                $entry = "$($command.Name) -$name"
                # Parameters that only name what to call, how to show it, or which connection: never held.
                $namesOnly = $command.Name -ne 'Connect-Caxton' -and $name -notin 'Credential', 'Username', 'ClientPassword', 'ClientPasswordExpiresOn'
                if (-not $namesOnly -and $entry -notin $committed -and $entry -notin $never) { $entry }
            }
        }
        $unsorted | Should -BeNullOrEmpty
    }

    Context 'a connection holding a working credential and token' {
        BeforeEach {
            $script:account = New-Account
            $script:conn = Connect-Caxton -BaseUri $emulator.BaseUri -Name "held-$($account.Username)"
            $null = $account.Password | Get-CaxtonToken -Connection $conn
            $script:before = [pscustomobject]@{
                Username = $conn.Username; Expires = $conn.ClientPasswordExpiresOn; Token = $conn.TokenExpiresOn
                Plain = ConvertTo-PlainText $conn.Credential.Password
            }
        }

        It '<Name> fails and leaves the connection as it was' -ForEach @(
            @{ Name = 'Get-CaxtonToken -ClientPasswordExpiresOn <past> (finding 4)'; Call = { Get-CaxtonToken -Connection $conn -Username $account.Username -ClientPassword $account.Password.ClientPassword -ClientPasswordExpiresOn '2020-11-30' } }
            @{ Name = 'Get-CaxtonToken -Credential <wrong>'; Call = { Get-CaxtonToken -Connection $conn -Credential ([pscredential]::new($account.Username, (ConvertTo-SecureString 'wrong' -AsPlainText -Force))) } }
            @{ Name = 'Get-CaxtonToken -Username <other> -ClientPassword <wrong>'; Call = { Get-CaxtonToken -Connection $conn -Username 'someone-else' -ClientPassword (ConvertTo-SecureString 'wrong' -AsPlainText -Force) -ClientPasswordExpiresOn ([datetime]::UtcNow.AddDays(9)) } }
            @{ Name = 'New-CaxtonPassword -Username <already generated>'; Call = { New-CaxtonPassword -Connection $conn -Username $account.Username -Clientname $account.Clientname -Confirm:$false } }
            @{ Name = 'Reset-CaxtonCredential -Username <wrong Clientname>'; Call = { Reset-CaxtonCredential -Connection $conn -Username $account.Username -Clientname 'wrong' -Force } }
            @{ Name = 'Reset-CaxtonCredential -Regenerate -Credential <wrong user> -ClientPasswordExpiresOn'; Call = { Reset-CaxtonCredential -Connection $conn -Username $account.Username -Clientname $account.Clientname -Regenerate -ExpiringWithin (New-TimeSpan -Days 7) -Credential ([pscredential]::new('someone-else', (ConvertTo-SecureString 'x' -AsPlainText -Force))) -ClientPasswordExpiresOn '2020-01-01' -Force } }
        ) {
            { $ErrorActionPreference = 'Stop'; & $Call } | Should -Throw
            $conn.Username | Should -Be $before.Username
            $conn.ClientPasswordExpiresOn | Should -Be $before.Expires
            $conn.TokenExpiresOn | Should -Be $before.Token
            ConvertTo-PlainText $conn.Credential.Password | Should -Be $before.Plain
            # The cached token still answers, with no ClientPasswordExpired.
            (Get-CaxtonToken -Connection $conn).Username | Should -Be $account.Username
        }

        It 'a failed Connect-Caxton -Credential leaves an older connection object as it was' {
            { Connect-Caxton -BaseUri $emulator.BaseUri -Credential ([pscredential]::new($account.Username, (ConvertTo-SecureString 'wrong' -AsPlainText -Force))) } | Should -Throw
            $conn.Username | Should -Be $before.Username
            $conn.TokenExpiresOn | Should -Be $before.Token
        }

        It 'a successful call with a new EndDate does commit it' {
            $later = [datetimeoffset]::UtcNow.AddDays(20)
            $null = Get-CaxtonToken -Connection $conn -Username $account.Username -ClientPassword $account.Password.ClientPassword -ClientPasswordExpiresOn $later
            $conn.ClientPasswordExpiresOn | Should -Be $later
        }
    }
}

Describe 'TimeSpan parameters refuse a bare number (finding 5)' {
    BeforeAll {
        $script:timeSpans = foreach ($command in Get-Command -Module Caxton -CommandType Cmdlet) {
            foreach ($parameter in $command.Parameters.Values) {
                if ($parameter.ParameterType -in [timespan], [Nullable[timespan]]) { [pscustomobject]@{ Command = $command.Name; Parameter = $parameter } }
            }
        }
    }

    It 'there are TimeSpan parameters to check, and each has the transformation' {
        $timeSpans.Count | Should -BeGreaterOrEqual 2
        foreach ($t in $timeSpans) {
            $t.Parameter.Attributes.Where({ $_.GetType().Name -eq 'TimeSpanTransformationAttribute' }) | Should -HaveCount 1 -Because "$($t.Command) -$($t.Parameter.Name)"
        }
    }

    It 'Get-CaxtonConnection -ExpiringWithin <Value> is refused, suggesting New-TimeSpan and a TimeSpan string' -ForEach @(
        @{ Value = 7 }, @{ Value = '7' }, @{ Value = 7.5 }, @{ Value = [long]604800 }
    ) {
        $record = try { Get-CaxtonConnection -ListAvailable -ExpiringWithin $Value } catch { $_ }
        $record.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentTransformationError,*'
        $record.Exception.Message | Should -Match 'New-TimeSpan -Days'
        $record.Exception.Message | Should -Match "'\d+\.00:00:00'"
        $record.Exception.Message | Should -Match 'ticks'
    }

    It 'a TimeSpan or a TimeSpan string is accepted' {
        { Get-CaxtonConnection -ListAvailable -ExpiringWithin (New-TimeSpan -Days 7) } | Should -Not -Throw
        { Get-CaxtonConnection -ListAvailable -ExpiringWithin '7.00:00:00' } | Should -Not -Throw
    }
}

Describe 'Errors with a next step (finding 6)' {
    BeforeAll {
        Disconnect-Caxton
        $script:main = New-Account
        $script:conn = Connect-Caxton -BaseUri $emulator.BaseUri -Name "errors-$($main.Username)" -MaximumRetryCount 1
        $null = $main.Password | Get-CaxtonToken -Connection $conn
    }

    It 'HttpError <Status> says who must act' -ForEach @(
        @{ Status = 404; Expected = 'check the path' }
        @{ Status = 405; Expected = 'does not accept GET' }
        @{ Status = 500; Expected = 'Caxton failed on its side' }
        @{ Status = 503; Expected = 'already retried' }
    ) {
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'reference/lookup/banks/GBP' -Status $Status -Count 3
        try {
            $record = try { Invoke-CaxtonRestMethod reference/lookup/banks/GBP -Connection $conn -ErrorAction Stop } catch { $_ }
        }
        finally { $null = Clear-CaxtonEmulatorFault -Emulator $emulator }
        $record.FullyQualifiedErrorId | Should -BeLike 'HttpError,*'
        $record.ErrorDetails.RecommendedAction | Should -Match $Expected
    }

    It 'ApiStatusNotValid for a wrong Clientname names -Username and -Clientname' {
        $record = try { Reset-CaxtonCredential -Username $main.Username -Clientname 'wrong-client' -Connection $conn -Force -ErrorAction Stop } catch { $_ }
        $record.FullyQualifiedErrorId | Should -BeLike 'ApiStatusNotValid,*'
        $record.ErrorDetails.RecommendedAction | Should -Match 'Check -Username and -Clientname'
    }

    It 'a foreign IdentityNumber is refused on a reference GET too, with a next step (point 9)' {
        $stranger = New-CaxtonEmulatorAccount -Emulator $emulator
        $foreignSub = New-CaxtonEmulatorAccount -Emulator $emulator -IdentityNumber ('ID-' + [guid]::NewGuid().ToString('n').Substring(0, 8)) -ParentUsername $stranger.Username
        foreach ($identity in $foreignSub.IdentityNumber, 'NO-SUCH-ID') {
            $record = try { Invoke-CaxtonRestMethod reference/lookup/banks/GBP -IdentityNumber $identity -Connection $conn -ErrorAction Stop } catch { $_ }
            $record.FullyQualifiedErrorId | Should -BeLike 'ApiStatusNotValid,*'
            $record.Exception.ApiStatus | Should -Be 'IdentityNumberNotFound'
            $record.ErrorDetails.RecommendedAction | Should -Match 'Check -IdentityNumber'
        }
    }

    It 'an own sub-account''s IdentityNumber is served on a reference GET' {
        $sub = New-CaxtonEmulatorAccount -Emulator $emulator -IdentityNumber ('ID-' + [guid]::NewGuid().ToString('n').Substring(0, 8)) -ParentUsername $main.Username
        (Invoke-CaxtonRestMethod reference/lookup/banks/GBP -IdentityNumber $sub.IdentityNumber -Connection $conn).Banks | Should -Not -BeNullOrEmpty
    }

    It 'InsecureBaseUri for a typo host says the host is not loopback' {
        $record = try { Connect-Caxton -BaseUri 'http://127.0.0.l:5080/api/' -Name typo } catch { $_ }
        $record.FullyQualifiedErrorId | Should -BeLike 'InsecureBaseUri,*'
        $record.Exception.Message | Should -Match "'127\.0\.0\.l' is not a loopback host"
        $record.ErrorDetails.RecommendedAction | Should -Match 'typo'
    }

    It 'CAXTON_USERNAME without CAXTON_CLIENTPASSWORD names the missing variable' {
        $run = Invoke-Runbook "try { Get-CaxtonToken -ErrorAction Stop } catch { 'RESULT ' + `$_.FullyQualifiedErrorId + ' | ' + `$_.Exception.Message + ' | ' + `$_.ErrorDetails.RecommendedAction }" -Environment @{ CAXTON_BASEURI = $emulator.BaseUri; CAXTON_USERNAME = 'someone' }
        $result = $run.Output -like 'RESULT *'
        $result | Should -Match '^RESULT NoClientCredential,'
        $result | Should -Match 'CAXTON_CLIENTPASSWORD is not'
        $result | Should -Match 'Set CAXTON_CLIENTPASSWORD'
    }

    It 'Reset-CaxtonCredential without -Force under -NonInteractive hints -Force' {
        $run = Invoke-Runbook @"
`$c = Connect-Caxton -BaseUri '$($emulator.BaseUri)'
try { Reset-CaxtonCredential -Username u -Clientname c -Connection `$c } catch { 'RESULT ' + `$_.FullyQualifiedErrorId + ' | ' + `$_.ErrorDetails.RecommendedAction }
"@
        $result = $run.Output -like 'RESULT *'
        $result | Should -Match '^RESULT InvalidOperation,'
        $result | Should -Match 'add -Force'
    }

    It 'ConnectionNotFound inside ForEach-Object -Parallel recommends -Connection $using:conn' {
        $name = "parallel-$($main.Username)"
        $null = Connect-Caxton -BaseUri $emulator.BaseUri -Name $name
        $module = $env:CAXTON_TEST_MODULE
        $record = 1 | ForEach-Object -Parallel {
            Import-Module $using:module
            try { Get-CaxtonToken -Connection $using:name -ErrorAction Stop } catch { $_ }
        }
        $record.FullyQualifiedErrorId | Should -BeLike 'ConnectionNotFound,*'
        $record.ErrorDetails.RecommendedAction | Should -Match ([regex]::Escape('-Connection $using:conn'))
    }

    It 'every ErrorId of the about_Caxton table is one of CaxtonErrorIds, each with a RecommendedAction' {
        $ids = [Caxton.CaxtonErrorIds].GetFields() | Where-Object IsLiteral | ForEach-Object { $_.GetRawConstantValue() }
        $ids.Count | Should -BeGreaterOrEqual 30
        foreach ($id in $ids) {
            [Caxton.CaxtonErrorIds]::RecommendedActionFor($id) | Should -Not -BeNullOrEmpty -Because $id
        }
    }
}
