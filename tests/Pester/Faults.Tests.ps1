# The module against an emulator serving injected faults: retries, the retry rule for Generate
# Password, timeouts, size cap, unreadable bodies and resets all end in a token or a clean ErrorRecord,
# and the connection keeps working. Writes "faults: N injected, N survived" for CI.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR
    $script:injected = 0
    $script:survived = 0

    function Invoke-Faulted {
        <#
        One call under injected faults. Returns its output or ErrorRecord, how long it took, and what the
        emulator saw meanwhile: faults served, register and token requests. A fault is survived when the
        call ends in output or in an ErrorRecord carrying a CaxtonException.
        #>
        param([Parameter(Mandatory)] [scriptblock] $Call)
        $before = Get-CaxtonEmulatorStats -Emulator $emulator
        $output = $null
        $record = $null
        $watch = [Diagnostics.Stopwatch]::StartNew()
        try {
            $ErrorActionPreference = 'Stop'
            $output = & $Call
        }
        catch {
            $record = $_
        }
        $watch.Stop()
        $after = Get-CaxtonEmulatorStats -Emulator $emulator

        $faults = $after.faultsInjected - $before.faultsInjected
        $script:injected += $faults
        $clean = if ($record) { $record.Exception -is [Caxton.CaxtonException] } else { $null -ne $output }
        if ($clean) { $script:survived += $faults }
        [pscustomobject]@{
            Output   = $output
            Error    = $record
            Elapsed  = $watch.Elapsed
            Faults   = $faults
            Register = $after.register - $before.register
            Token    = $after.token - $before.token
        }
    }

    function Assert-StillWorks {
        # (i) Once the faults are gone, the same connection serves a normal call.
        param([Parameter(Mandatory)] [ValidateSet('Token', 'Password')] [string] $Call, $Account)
        $null = Clear-CaxtonEmulatorFault -Emulator $emulator
        if ($Call -eq 'Token') {
            Get-CaxtonToken -Force -Connection $connection -ErrorAction Stop | Should -BeOfType ([Caxton.CaxtonToken])
        }
        else {
            New-CaxtonPassword -Username $Account.Username -Clientname $Account.Clientname -Connection $connection -Confirm:$false -ErrorAction Stop |
                Should -BeOfType ([Caxton.CaxtonClientPassword])
        }
    }

    function Assert-Failure($Result, [string] $ErrorId, [string] $Category) {
        # A clean ErrorRecord: the module's ErrorId and PowerShell category.
        $Result.Error.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $Result.Error.CategoryInfo.Category | Should -Be $Category
    }

    function Assert-Token($Result, [int] $Faults, [int] $Requests) {
        # The faults were survived with a token, after this many token requests in all.
        $Result.Error | Should -BeNullOrEmpty
        $Result.Output | Should -BeOfType ([Caxton.CaxtonToken])
        $Result.Faults | Should -Be $Faults
        $Result.Token | Should -Be $Requests
    }

    function New-FaultAccount {
        # A fresh account whose register request has not reached the emulator's store yet.
        New-CaxtonEmulatorAccount -Emulator $emulator
    }

    function Invoke-Register($Account) {
        New-CaxtonPassword -Username $Account.Username -Clientname $Account.Clientname -Confirm:$false
    }
}

AfterAll {
    if ($env:CAXTON_TEST_REPORT_DIR) {
        $null = New-Item -ItemType Directory -Force -Path $env:CAXTON_TEST_REPORT_DIR
        Set-Content -LiteralPath (Join-Path $env:CAXTON_TEST_REPORT_DIR 'faults.txt') -Value "faults: $script:injected injected, $script:survived survived"
    }
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'The module under injected faults' {
    BeforeEach {
        $null = Clear-CaxtonEmulatorFault -Emulator $emulator
        Disconnect-Caxton
        $script:connection = Connect-Caxton -BaseUri $emulator.BaseUri
    }

    AfterEach {
        $null = Clear-CaxtonEmulatorFault -Emulator $emulator
    }

    It '(a) two 503s with Retry-After: 1, then success, give a token after 3 token requests' {
        $null = New-TestPassword -Emulator $emulator
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Status 503 -RetryAfter 1 -Count 2
        $result = Invoke-Faulted { Get-CaxtonToken }
        Assert-Token $result -Faults 2 -Requests 3
    }

    It '(b) a 429 with Retry-After as an HTTP date about a second ahead, then success, gives a token' {
        $null = New-TestPassword -Emulator $emulator
        # The 'r' format drops the fraction of a second, so this date is 1 to 2 s ahead.
        $date = [DateTime]::UtcNow.AddSeconds(2).ToString('r', [Globalization.CultureInfo]::InvariantCulture)
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Status 429 -RetryAfter $date
        $result = Invoke-Faulted { Get-CaxtonToken }
        Assert-Token $result -Faults 1 -Requests 2
    }

    It '(c) an HTML 502 page on register gives HttpError, ResourceUnavailable, no HTML, and is not retried' {
        $account = New-FaultAccount
        # More than one, so a register that was wrongly retried would show in the count.
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path clients/auth/register -Status 502 -Body html -Count 3
        $result = Invoke-Faulted { Invoke-Register $account }
        Assert-Failure $result HttpError ResourceUnavailable
        $result.Error.Exception.HttpStatus | Should -Be 502
        $result.Error.Exception.Message | Should -Not -Match '<html'
        $result.Register | Should -Be 1
        Assert-StillWorks Password $account
    }

    It '(d) a persistent 503 on token with -MaximumRetryCount 2 gives HttpError after exactly 3 token requests' {
        $script:connection = Connect-Caxton -BaseUri $emulator.BaseUri -MaximumRetryCount 2
        $null = New-TestPassword -Emulator $emulator
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Status 503 -Count 10
        $result = Invoke-Faulted { Get-CaxtonToken }
        Assert-Failure $result HttpError ResourceUnavailable
        $result.Error.Exception.HttpStatus | Should -Be 503
        $result.Token | Should -Be 3
        Assert-StillWorks Token
    }

    It '(e) a stalled token request with -TimeoutSec 2 gives RequestTimeout instead of hanging' {
        $script:connection = Connect-Caxton -BaseUri $emulator.BaseUri -TimeoutSec 2
        $null = New-TestPassword -Emulator $emulator
        # Every attempt stalls, so only the timeout can end the call.
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -DelayMs 20000 -Count 5
        $result = Invoke-Faulted { Get-CaxtonToken }
        Assert-Failure $result RequestTimeout OperationTimeout
        # An upper bound only, to prove the call did not hang on the 20 s stall.
        $result.Elapsed.TotalSeconds | Should -BeLessThan 6
        Assert-StillWorks Token
    }

    It '(f) a 200 whose body is <Body> on register gives InvalidResponse' -ForEach @(
        @{ Body = 'empty' }, @{ Body = 'truncated' }, @{ Body = 'invalid' }, @{ Body = 'null' }
    ) {
        $account = New-FaultAccount
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path clients/auth/register -Body $Body
        $result = Invoke-Faulted { Invoke-Register $account }
        Assert-Failure $result InvalidResponse InvalidResult
        $result.Faults | Should -Be 1
        Assert-StillWorks Password $account
    }

    It '(g) an oversized body on token gives ResponseTooLarge' {
        $null = New-TestPassword -Emulator $emulator
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Body oversized
        $result = Invoke-Faulted { Get-CaxtonToken }
        Assert-Failure $result ResponseTooLarge LimitsExceeded
        $result.Faults | Should -Be 1
        Assert-StillWorks Token
    }

    It '(h) a connection reset on register gives ConnectionFailed and is not retried' {
        $account = New-FaultAccount
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path clients/auth/register -Reset -Count 3
        $result = Invoke-Faulted { Invoke-Register $account }
        Assert-Failure $result ConnectionFailed ConnectionError
        $result.Register | Should -Be 1
        Assert-StillWorks Password $account
    }

    It '(h) a connection reset on token, then success, gives a token (retried)' {
        $null = New-TestPassword -Emulator $emulator
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Reset
        $result = Invoke-Faulted { Get-CaxtonToken }
        Assert-Token $result -Faults 1 -Requests 2
    }
}
