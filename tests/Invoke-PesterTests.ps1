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
@{ Passed = $result.PassedCount; Failed = $failed } | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
if ($failed -gt 0) { exit 1 }
