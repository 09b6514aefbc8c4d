# Helpers shared by Invoke-Benchmark.ps1 and Compare-Builds.ps1 (dot-sourced). The flow builders read
# $emulator (the running emulator) from the caller's scope.

function Get-Spread([double[]] $Values) {
    # Median and quartiles (linear interpolation between the sorted values).
    $sorted = [double[]]($Values | Sort-Object)
    $at = { param($p) $i = $p * ($sorted.Count - 1); $lo = [math]::Floor($i); $hi = [math]::Ceiling($i); $sorted[$lo] + ($sorted[$hi] - $sorted[$lo]) * ($i - $lo) }
    [pscustomobject]@{ Median = (& $at 0.5); Q1 = (& $at 0.25); Q3 = (& $at 0.75); Count = $sorted.Count }
}

function Get-Verdict($Spread, [double] $Target) {
    # At most the target: met when even the upper quartile is; missed when even the lower quartile is above.
    if ($Spread.Q3 -le $Target) { 'yes' } elseif ($Spread.Q1 -gt $Target) { '**no**' } else { "within noise (median {0})" -f $(if ($Spread.Median -le $Target) { 'meets it' } else { 'misses it' }) }
}

function Start-FreshPwsh([string] $Command, [string] $CacheFolder) {
    # The same host for every variant: dotnet + pwsh.dll under `dotnet pwsh`, else pwsh itself.
    $hostPath = [Environment]::ProcessPath
    $info = [Diagnostics.ProcessStartInfo]::new($hostPath)
    if ([IO.Path]::GetFileNameWithoutExtension($hostPath) -eq 'dotnet') { $info.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($argument in '-NoProfile', '-NonInteractive', '-Command', $Command) { $info.ArgumentList.Add($argument) }
    if ($CacheFolder) {
        # pwsh keeps its startup JIT profile (StartupProfileData-NonInteractive, replayed on a second core
        # by the next start) and its module analysis cache here: XDG_CACHE_HOME on Unix, LOCALAPPDATA on Windows.
        $info.Environment['XDG_CACHE_HOME'] = $CacheFolder
        $info.Environment['LOCALAPPDATA'] = $CacheFolder
    }
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $process = [Diagnostics.Process]::Start($info)
    $output = $process.StandardOutput.ReadToEnd()
    $process.WaitForExit()
    $watch.Stop()
    if ($process.ExitCode -ne 0) { throw "A benchmark process failed ($($process.ExitCode)): $Command`n$output" }
    [pscustomobject]@{ Seconds = $watch.Elapsed.TotalSeconds; Output = $output.Trim() }
}

function Measure-Rounds([System.Collections.Specialized.OrderedDictionary] $Variants, [int] $Count, [switch] $NoStartupProfile) {
    # Round-robin: each round runs every variant once, in a shuffled order; one warm-up round first
    # (disk cache, and each variant's startup profile). Returns one object per round: each variant's
    # seconds, its output ("name.Output") and the proxy connections it opened ("name.Connections").
    # pwsh replays on a second core the JIT profile its previous start wrote (StartupProfileData-*).
    # Shared, that profile would be whichever variant ran last; so each variant has a cache folder of
    # its own, as on a machine that runs the same script every time, or, with -NoStartupProfile, a new
    # empty one for every run, as the first run on a clean machine.
    $names = @($Variants.Keys)
    $caches = @{}
    foreach ($name in $names) {
        $caches[$name] = [IO.Directory]::CreateTempSubdirectory("caxton-bench-$name-").FullName
        $null = Start-FreshPwsh (& $Variants[$name]) $caches[$name]
    }
    try {
        for ($round = 1; $round -le $Count; $round++) {
            $figures = [ordered]@{ Round = $round }
            foreach ($name in ($names | Get-Random -Count $names.Count)) {
                $cache = if ($NoStartupProfile) { [IO.Directory]::CreateTempSubdirectory("caxton-bench-$name-").FullName } else { $caches[$name] }
                $before = $proxy.Connections
                try { $run = Start-FreshPwsh (& $Variants[$name]) $cache }
                finally { if ($NoStartupProfile) { Remove-Item -LiteralPath $cache -Recurse -Force -ErrorAction Ignore } }
                $figures[$name] = $run.Seconds
                $figures["$name.Output"] = $run.Output
                $figures["$name.Connections"] = $proxy.Connections - $before
            }
            [pscustomobject]$figures
        }
    }
    finally {
        foreach ($folder in $caches.Values) { Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction Ignore }
    }
}

function Format-Ms([double] $Seconds) { if ([math]::Abs($Seconds) -lt 0.001) { '{0:N0} µs' -f ($Seconds * 1e6) } else { '{0:N1} ms' -f ($Seconds * 1000) } }
function Format-Ratio([double] $Value) { '{0:N2}x' -f $Value }
function Format-Pct([double] $Value) { '{0:N1}%' -f ($Value * 100) }
function Format-Spread($Spread, [scriptblock] $Format) { '{0} (quartiles {1} to {2})' -f (& $Format $Spread.Median), (& $Format $Spread.Q1), (& $Format $Spread.Q3) }

# The two flows as a user would write them, as one fresh pwsh's command each.
function Get-CaxtonFlow([string] $BaseUri, [string] $Module = $ModulePath) {
    $a = New-CaxtonEmulatorAccount -Emulator $emulator
    "Import-Module '$Module'; `$null = Connect-Caxton -BaseUri '$BaseUri'; `$null = New-CaxtonPassword -Username '$($a.Username)' -Clientname '$($a.Clientname)' -Confirm:`$false | Get-CaxtonToken"
}
function Get-InvokeRestMethodFlow([string] $BaseUri) {
    $a = New-CaxtonEmulatorAccount -Emulator $emulator
    "`$r = Invoke-RestMethod -Method Post -Uri '$($BaseUri)clients/auth/register' -ContentType 'text/json' -Headers @{ Accept = 'application/json' } -Body '{""Username"":""$($a.Username)"",""Clientname"":""$($a.Clientname)""}'; " +
    "`$null = Invoke-RestMethod -Method Post -Uri '$($BaseUri)token' -ContentType 'application/x-www-form-urlencoded' -Body @{ Grant_Type = 'password'; Username = '$($a.Username)'; Password = `$r.Content.Model.ClientPassword }"
}
function Get-StepsCommand([string] $Flow, [string] $BaseUri, [string] $JitTool, [string] $Module = $ModulePath) {
    $a = New-CaxtonEmulatorAccount -Emulator $emulator
    "& '$(Join-Path $PSScriptRoot 'Measure-FreshProcess.ps1')' -Flow $Flow -ModulePath '$Module' -BaseUri '$BaseUri' -Username '$($a.Username)' -Clientname '$($a.Clientname)'" + $(if ($JitTool) { " -JitTool '$JitTool'" } else { '' })
}

