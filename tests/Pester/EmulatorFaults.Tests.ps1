# The emulator's fault injection itself, seen with plain HTTP (no Caxton module), so the fault tests
# of the module rest on faults that are known to be served as documented.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR

    function Send-Raw {
        # One POST to a path under /api/, answered whatever its status.
        param([string] $Path = 'token', [int] $TimeoutSec = 30)
        Invoke-WebRequest -Method Post -Uri ($emulator.BaseUri + $Path) -SkipHttpErrorCheck -TimeoutSec $TimeoutSec
    }

    function Get-Stat([string] $Name) { (Get-CaxtonEmulatorStats -Emulator $emulator).$Name }
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'Emulator fault injection (/_emulator/faults)' {
    BeforeEach {
        $null = Clear-CaxtonEmulatorFault -Emulator $emulator
    }

    It 'serves a status with Retry-After verbatim, Count times, in the order queued, then answers normally' {
        $date = 'Wed, 21 Oct 2015 07:28:00 GMT'
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Status 503 -RetryAfter 1 -Count 2
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Status 429 -RetryAfter $date
        $faults = Get-Stat faultsInjected
        $tokens = Get-Stat token

        $answers = 1..4 | ForEach-Object { Send-Raw }
        $answers.StatusCode | Should -Be 503, 503, 429, 400
        $answers[0].Headers['Retry-After'] | Should -Be '1'
        $answers[2].Headers['Retry-After'] | Should -Be $date
        $answers[3].Headers.ContainsKey('Retry-After') | Should -BeFalse
        (Get-Stat faultsInjected) - $faults | Should -Be 3
        (Get-Stat token) - $tokens | Should -Be 4
    }

    It 'faults only the path it names' {
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path '/api/clients/auth/register/' -Status 502
        (Send-Raw token).StatusCode | Should -Be 400
        (Send-Raw clients/auth/register).StatusCode | Should -Be 502
        (Send-Raw clients/auth/register).StatusCode | Should -Be 415
    }

    It 'serves an HTML error page' {
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Status 502 -Body html
        $answer = Send-Raw
        $answer.StatusCode | Should -Be 502
        $answer.Headers['Content-Type'] | Should -BeLike 'text/html*'
        $answer.Content | Should -Match '<html>[\s\S]*502 Bad Gateway'
    }

    It 'serves an empty body' {
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Body empty
        $answer = Send-Raw
        $answer.StatusCode | Should -Be 200
        $answer.RawContentLength | Should -Be 0
        $answer.Headers['Content-Type'] | Should -Be 'application/json'
    }

    It 'serves the path''s success body cut short, which is not JSON' {
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Body truncated
        $text = (Send-Raw).Content
        $text | Should -BeLike '{"access_token":*'
        { $text | ConvertFrom-Json } | Should -Throw
    }

    It 'serves invalid JSON' {
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path clients/auth/register -Body invalid
        $text = (Send-Raw clients/auth/register).Content
        $text | Should -BeLike '{*'
        { $text | ConvertFrom-Json } | Should -Throw
    }

    It 'serves the JSON literal null' {
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Body null
        (Send-Raw).Content | Should -BeExactly 'null'
    }

    It 'streams an oversized body of over 6 MiB without a Content-Length' {
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Body oversized
        $answer = Send-Raw
        $answer.RawContentLength | Should -BeGreaterThan (6 * 1024 * 1024)
        $answer.Headers.ContainsKey('Content-Length') | Should -BeFalse
        $answer.Headers['Transfer-Encoding'] | Should -Be 'chunked'
    }

    It 'aborts the connection on Reset instead of answering' {
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Reset
        $tokens = Get-Stat token
        { Send-Raw } | Should -Throw -ExceptionType ([System.Net.Http.HttpRequestException])
        (Get-Stat token) - $tokens | Should -Be 1
        (Send-Raw).StatusCode | Should -Be 400
    }

    It 'stalls for DelayMs, and a delay alone then lets the endpoint answer' {
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -DelayMs 30000
        $tokens = Get-Stat token
        # The client gives up long before the stall ends: the emulator must have held the answer back.
        { Send-Raw -TimeoutSec 1 } | Should -Throw
        (Get-Stat token) - $tokens | Should -Be 1

        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -DelayMs 200
        $answer = Send-Raw
        $answer.StatusCode | Should -Be 400
        ($answer.Content | ConvertFrom-Json).error | Should -Be 'invalid_request'
    }

    It 'DELETE clears every pending fault' {
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Status 500 -Count 5
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path clients/auth/register -Status 500
        Clear-CaxtonEmulatorFault -Emulator $emulator | Should -Be 6
        (Send-Raw).StatusCode | Should -Be 400
        (Send-Raw clients/auth/register).StatusCode | Should -Be 415
    }

    It 'serves a fault exactly Count times to concurrent requests' {
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path token -Status 503 -Count 10
        $client = [System.Net.Http.HttpClient]::new()
        try {
            $tasks = 1..25 | ForEach-Object { $client.PostAsync($emulator.BaseUri + 'token', $null) }
            [System.Threading.Tasks.Task]::WaitAll([System.Threading.Tasks.Task[]]$tasks)
            $statuses = $tasks | ForEach-Object { [int]$_.Result.StatusCode }
        }
        finally {
            $client.Dispose()
        }
        @($statuses | Where-Object { $_ -eq 503 }).Count | Should -Be 10
        @($statuses | Where-Object { $_ -eq 400 }).Count | Should -Be 15
    }

    It 'refuses a fault that is not well formed: <Why>' -ForEach @(
        @{ Why = 'no Path'; Json = '{"Status":503}' }
        @{ Why = 'nothing to do'; Json = '{"Path":"token"}' }
        @{ Why = 'unknown Body'; Json = '{"Path":"token","Body":"xml"}' }
        @{ Why = 'Status out of range'; Json = '{"Path":"token","Status":99}' }
        @{ Why = 'Count of 0'; Json = '{"Path":"token","Status":503,"Count":0}' }
        @{ Why = 'negative DelayMs'; Json = '{"Path":"token","DelayMs":-1}' }
        @{ Why = 'Reset with a Status'; Json = '{"Path":"token","Reset":true,"Status":503}' }
    ) {
        $answer = Invoke-WebRequest -Method Post -Uri ($emulator.ControlUri + 'faults') -Headers @{ 'X-Emulator-Key' = $emulator.ControlKey } -ContentType 'application/json' -Body $Json -SkipHttpErrorCheck
        $answer.StatusCode | Should -Be 400
        ($answer.Content | ConvertFrom-Json).error | Should -Not -BeNullOrEmpty
        Clear-CaxtonEmulatorFault -Emulator $emulator | Should -Be 0
    }
}
