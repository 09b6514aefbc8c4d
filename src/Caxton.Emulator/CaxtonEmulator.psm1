# Starts and stops local Caxton emulators for the demo, the tests and the benchmarks.

function Start-CaxtonEmulator {
    <#
    .SYNOPSIS
        Starts an emulator on a free loopback port and returns its base URI once it is listening.
    #>
    [CmdletBinding()]
    param(
        # Path to the built Caxton.Emulator.dll.
        [Parameter(Mandatory)] [string] $Path,
        # Token lifetime in seconds (tests use a few seconds to see refreshes).
        [int] $TokenLifetime,
        # Client password lifetime in seconds (EndDate - StartDate).
        [int] $PasswordLifetime,
        # Tokens issued before a reset keep working until they expire (the emulator's default: they stop).
        [switch] $TokensSurviveReset,
        # A main-account reset needs the main account's own token (a stricter Caxton).
        [switch] $MainResetRequiresToken,
        [int] $TimeoutSec = 60
    )

    $ready = Join-Path ([IO.Path]::GetTempPath()) ("caxton-emulator-{0}.url" -f [guid]::NewGuid())
    $log = "$ready.log"
    $arguments = @($Path, '--ready-file', $ready, '--quiet')
    if ($TokenLifetime) { $arguments += @('--token-lifetime', $TokenLifetime) }
    if ($PasswordLifetime) { $arguments += @('--password-lifetime', $PasswordLifetime) }
    if ($TokensSurviveReset) { $arguments += '--tokens-survive-reset' }
    if ($MainResetRequiresToken) { $arguments += '--main-reset-requires-token' }
    $process = Start-Process -FilePath 'dotnet' -ArgumentList $arguments -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err"

    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while (-not (Test-Path $ready)) {
        if ($process.HasExited) {
            throw "The emulator exited with code $($process.ExitCode): $(Get-Content -Raw "$log.err" -ErrorAction Ignore)"
        }
        if ([DateTime]::UtcNow -gt $deadline) {
            $process | Stop-Process -Force -ErrorAction Ignore
            throw "The emulator did not start within $TimeoutSec s."
        }
        Start-Sleep -Milliseconds 50
    }

    # Line 1 the base URI, line 2 the per-run key every /_emulator/ call must send.
    $baseUri, $key = Get-Content -LiteralPath $ready -TotalCount 2
    [pscustomobject]@{
        PSTypeName = 'Caxton.EmulatorInstance'
        BaseUri    = $baseUri
        ControlUri = $baseUri -replace '/api/$', '/_emulator/'
        ControlKey = $key
        Process    = $process
        LogPath    = $log
    }
}

function Invoke-EmulatorControlRequest {
    # Every call to the control surface: the key header added, the rest as Invoke-RestMethod takes it.
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [string] $Path, [string] $Method = 'Get', $Body)
    $request = @{ Method = $Method; Uri = $Emulator.ControlUri + $Path; Headers = @{ 'X-Emulator-Key' = $Emulator.ControlKey } }
    if ($null -ne $Body) { $request.ContentType = 'application/json'; $request.Body = $Body | ConvertTo-Json }
    Invoke-RestMethod @request
}

function Stop-CaxtonEmulator {
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] $Emulator)
    process {
        if (-not $Emulator.Process.HasExited) {
            $Emulator.Process | Stop-Process -Force -ErrorAction Ignore
            $Emulator.Process.WaitForExit(5000) | Out-Null
        }
        Remove-Item -LiteralPath $Emulator.LogPath, "$($Emulator.LogPath).err" -ErrorAction Ignore
    }
}

function Get-CaxtonEmulatorStats {
    <# .SYNOPSIS Request counts per endpoint, as the emulator saw them. #>
    param([Parameter(Mandatory)] $Emulator)
    Invoke-EmulatorControlRequest -Emulator $Emulator -Path 'stats'
}

function Reset-CaxtonEmulatorStats {
    param([Parameter(Mandatory)] $Emulator)
    $null = Invoke-EmulatorControlRequest -Emulator $Emulator -Method Post -Path 'stats/reset'
}

function New-CaxtonEmulatorAccount {
    <# .SYNOPSIS Creates a fresh account so each test starts with no active password. #>
    param(
        [Parameter(Mandatory)] $Emulator,
        [string] $Username = ('user-' + [guid]::NewGuid().ToString('n').Substring(0, 12)),
        [string] $Clientname = 'client',
        [string] $IdentityNumber,
        [string] $ParentUsername
    )
    $body = @{ Username = $Username; Clientname = $Clientname }
    if ($IdentityNumber) { $body.IdentityNumber = $IdentityNumber; $body.ParentUsername = $ParentUsername }
    $null = Invoke-EmulatorControlRequest -Emulator $Emulator -Method Post -Path 'accounts' -Body $body
    [pscustomobject]$body
}

function Invoke-CaxtonEmulatorControl {
    <# .SYNOPSIS Calls a control hook, e.g. accounts/NAME/revoke-tokens or accounts/NAME/expire-password. #>
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [string] $Path)
    Invoke-EmulatorControlRequest -Emulator $Emulator -Method Post -Path $Path
}

function Add-CaxtonEmulatorFault {
    <#
    .SYNOPSIS
        Queues a fault for the next -Count requests to -Path (after /api/); see src/Caxton.Emulator/README.md.
    .EXAMPLE
        Add-CaxtonEmulatorFault -Emulator $s -Path token -Status 503 -RetryAfter 1 -Count 2
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Emulator,
        [Parameter(Mandatory)] [string] $Path,
        [ValidateRange(200, 599)] [int] $Status,
        # Sent verbatim as the Retry-After header: seconds, or an HTTP date such as [datetime]::UtcNow.AddSeconds(2).ToString('r').
        [string] $RetryAfter,
        [ValidateRange(1, 100000)] [int] $Count = 1,
        [ValidateRange(0, 600000)] [int] $DelayMs,
        [ValidateSet('html', 'empty', 'truncated', 'invalid', 'oversized', 'null')] [string] $Body,
        [switch] $Reset,
        # Let this many matching requests through before the fault applies (e.g. the second register).
        [ValidateRange(0, 100000)] [int] $Skip,
        # The endpoint acts, then the connection is cut: the server did it, the client never hears.
        [switch] $LoseAnswer
    )
    $fault = @{ Path = $Path; Count = $Count }
    foreach ($name in 'Status', 'RetryAfter', 'DelayMs', 'Body', 'Skip') {
        if ($PSBoundParameters.ContainsKey($name)) { $fault[$name] = $PSBoundParameters[$name] }
    }
    if ($Reset) { $fault.Reset = $true }
    if ($LoseAnswer) { $fault.LoseAnswer = $true }
    Invoke-EmulatorControlRequest -Emulator $Emulator -Method Post -Path 'faults' -Body $fault
}

function Clear-CaxtonEmulatorFault {
    <# .SYNOPSIS Drops every pending fault; returns how many requests they would still have affected. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Emulator)
    (Invoke-EmulatorControlRequest -Emulator $Emulator -Method Delete -Path 'faults').cleared
}

function Set-CaxtonEmulatorLifecycle {
    <#
    .SYNOPSIS
        Switches the emulator's decision on whether tokens issued before a reset keep working; returns the setting.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [bool] $TokensSurviveReset)
    Invoke-EmulatorControlRequest -Emulator $Emulator -Method Put -Path 'lifecycle' -Body @{ TokensSurviveReset = $TokensSurviveReset }
}

function Get-CaxtonEmulatorLifecycle {
    <# .SYNOPSIS Whether the emulator keeps tokens issued before a reset working. #>
    param([Parameter(Mandatory)] $Emulator)
    Invoke-EmulatorControlRequest -Emulator $Emulator -Path 'lifecycle'
}

Export-ModuleMember -Function Get-CaxtonEmulatorLifecycle, Set-CaxtonEmulatorLifecycle, Add-CaxtonEmulatorFault, Clear-CaxtonEmulatorFault, Invoke-CaxtonEmulatorControl, Start-CaxtonEmulator, Stop-CaxtonEmulator, Get-CaxtonEmulatorStats, Reset-CaxtonEmulatorStats, New-CaxtonEmulatorAccount
