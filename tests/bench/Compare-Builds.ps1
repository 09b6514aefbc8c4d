<#
.SYNOPSIS
    Weighs one start-up lever: two builds of the module side by side, in one run (tests/bench/levers.md).
.DESCRIPTION
    Each round starts, in a shuffled order, bare pwsh and the cold flow (import, connect, password, token)
    of each build on loopback and through the remote-host model, and one fresh process per build timing
    each step. Prints, per round ratios, the candidate's cold flow above bare pwsh against the baseline's
    (median and quartiles) and each build's step medians.
.EXAMPLE
    dotnet pwsh tests/bench/Compare-Builds.ps1 -Baseline out/ab/baseline/Caxton.psd1 -Candidate out/Caxton/Caxton.psd1 -EmulatorPath out/emulator/Caxton.Emulator.dll -BenchToolsPath out/benchtools/BenchTools.dll
#>
param(
    [Parameter(Mandatory)] [string] $Baseline,
    [Parameter(Mandatory)] [string] $Candidate,
    [Parameter(Mandatory)] [string] $EmulatorPath,
    [Parameter(Mandatory)] [string] $BenchToolsPath,
    [ValidateRange(3, 100)] [int] $Rounds = 7,
    [ValidateRange(1, 1000)] [int] $RoundTripMs = 40
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../../src/Caxton.Emulator/CaxtonEmulator.psm1') -Force
Add-Type -LiteralPath (Resolve-Path $BenchToolsPath).Path
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')
$Baseline = (Resolve-Path $Baseline).Path
$Candidate = (Resolve-Path $Candidate).Path

$emulator = Start-CaxtonEmulator -Path $EmulatorPath
$proxy = $null
try {
    $base = $emulator.BaseUri
    $proxy = [Caxton.Bench.LatencyProxy]::ForUri([uri]$base, [TimeSpan]::FromMilliseconds($RoundTripMs))
    $remote = $proxy.Front([uri]$base).AbsoluteUri
    Remove-Item Env:CAXTON_BASEURI, Env:CAXTON_ENVIRONMENT -ErrorAction Ignore
    $cold = @(Measure-Rounds -Count $Rounds -Variants ([ordered]@{
        bare            = { 'exit' }
        baseline        = { Get-CaxtonFlow $base $Baseline }
        candidate       = { Get-CaxtonFlow $base $Candidate }
        baselineRemote  = { Get-CaxtonFlow $remote $Baseline }
        candidateRemote = { Get-CaxtonFlow $remote $Candidate }
        baselineSteps   = { Get-StepsCommand Caxton $base '' $Baseline }
        candidateSteps  = { Get-StepsCommand Caxton $base '' $Candidate }
    }))
}
finally {
    $emulator | Stop-CaxtonEmulator
    if ($proxy) { $proxy.Dispose() }
}


$lines = [Collections.Generic.List[string]]::new()
$lines.Add("Baseline: $Baseline; candidate: $Candidate; $Rounds rounds; remote model $RoundTripMs ms.")
foreach ($link in @(@('loopback', 'baseline', 'candidate'), @('remote model', 'baselineRemote', 'candidateRemote'))) {
    $ratio = Get-Spread ($cold | ForEach-Object { ($_.($link[2]) - $_.bare) / ($_.($link[1]) - $_.bare) })
    $lines.Add(("Cold flow, {0}: baseline adds {1}, candidate {2} above bare pwsh ({3}); candidate/baseline {4}" -f $link[0],
        (Format-Ms (Get-Spread ($cold | ForEach-Object { $_.($link[1]) - $_.bare })).Median), (Format-Ms (Get-Spread ($cold | ForEach-Object { $_.($link[2]) - $_.bare })).Median),
        (Format-Ms (Get-Spread ($cold | ForEach-Object bare)).Median), (Format-Spread $ratio { Format-Ratio $args[0] })))
}
foreach ($build in 'baseline', 'candidate') {
    $runs = @($cold | ForEach-Object { $_."$($build)Steps.Output" | ConvertFrom-Json })
    $lines.Add("Steps, $($build): " + (($runs[0].Steps.psobject.Properties.Name | ForEach-Object {
        $name = $_
        '{0} {1} ({2:N0} methods compiled, {3:N0} of them on the pipeline thread)' -f $name, (Format-Ms (Get-Spread ($runs | ForEach-Object { $_.Steps.$name / 1000 })).Median),
            (Get-Spread ($runs | ForEach-Object { $_.Jit.$name.Methods })).Median, (Get-Spread ($runs | ForEach-Object { $_.Jit.$name.ThreadMethods })).Median
    }) -join '; '))
}
$lines
