<#
.SYNOPSIS
    Runs the Pester tests against the built module and writes a pass/fail summary for build.ps1.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EmulatorPath,
    [Parameter(Mandatory)] [string] $SummaryPath
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -MinimumVersion 5.7 -Force

# The test files read these: the module under test is the built one, never the source tree.
$env:CAXTON_TEST_MODULE = (Resolve-Path $ModulePath).Path
$env:CAXTON_TEST_EMULATOR = (Resolve-Path $EmulatorPath).Path
$env:CAXTON_TEST_HELPERS = Join-Path $PSScriptRoot '../src/Caxton.Emulator/CaxtonEmulator.psm1' | Resolve-Path | ForEach-Object Path

$configuration = New-PesterConfiguration
$configuration.Run.Path = Join-Path $PSScriptRoot 'Pester'
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputPath = Join-Path (Split-Path $SummaryPath) 'pester.xml'
$result = Invoke-Pester -Configuration $configuration

# Containers that failed to run count as failures too, so a broken file cannot pass silently.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount

# CI's line for the real peers (Peers.Tests.ps1): a test its block's setup kept from running is a failure.
if ($env:CAXTON_TEST_REPORT_DIR) {
    $peers = @($result.Tests | Where-Object { $_.ScriptBlock.File -like '*Peers.Tests.ps1' })
    $peersPassed = @($peers | Where-Object Result -EQ 'Passed').Count
    $peersSkipped = @($peers | Where-Object Result -EQ 'Skipped').Count
    $peersFailed = $peers.Count - $peersPassed - $peersSkipped
    $line = "peers: $peersPassed passed, $peersFailed failed"
    if ($peersSkipped -gt 0) {
        . (Join-Path $PSScriptRoot 'Pester/PeerServers.ps1')
        $why = if ($IsWindows) { 'not run on Windows' } else { ((Get-MissingPeerTools).Missing -join ', ') + ' not installed (.ci/run installs them with apt-get)' }
        $line += ", $peersSkipped skipped: TLS and proxy peers, $why"
    }
    $null = New-Item -ItemType Directory -Force -Path $env:CAXTON_TEST_REPORT_DIR
    Set-Content -LiteralPath (Join-Path $env:CAXTON_TEST_REPORT_DIR 'peers.txt') -Value $line
}
@{ Passed = $result.PassedCount; Failed = $failed } | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
if ($failed -gt 0) { exit 1 }
