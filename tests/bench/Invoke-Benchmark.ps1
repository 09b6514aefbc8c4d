<#
.SYNOPSIS
    Measures the Caxton module side by side with a hand-written Invoke-RestMethod script, in one run on
    one machine, on loopback and against a modelled remote host, and prints markdown tables (also
    written to -OutFile).
.DESCRIPTION
    One baseline: every cold figure is what a fresh pwsh takes above bare pwsh (`pwsh -c exit`); the
    empty-module floor (an empty manifest module's import) is reported beside it, never subtracted.
    Fresh processes are started the same way for every variant (this pwsh's host and pwsh.dll), and the
    variants run in rounds, each round every variant once in a shuffled order, so machine noise falls on
    all of them alike. A ratio is taken within each round; a verdict is on the median of the rounds,
    with the quartiles printed, and says "within noise" when the quartiles straddle the target.
    Cold variants run in two regimes, since pwsh replays on a second core the JIT profile its previous
    start wrote: each variant with a cache folder of its own ("repeated runs"), and each run with a new
    empty one ("first run"); see Measure-Rounds and tests/bench/levers.md.
    The remote host is modelled by tests/bench/BenchTools LatencyProxy: a TCP forwarder on loopback that
    the client addresses as the API host, delaying each direction by half of -RoundTripMs and each new
    connection by two more round trips (TCP and TLS 1.3 handshakes).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EmulatorPath,
    # The built tests/bench/BenchTools (latency proxy, JIT listener).
    [Parameter(Mandatory)] [string] $BenchToolsPath,
    [string] $OutFile,
    # Also write the tables to this file (the committed tests/bench/results.md), with -Note as the run's context.
    [string] $PublishFile,
    [string] $Note,
    # Cold rounds: each starts every variant once, in a shuffled order.
    [ValidateRange(3, 100)] [int] $Rounds = 9,
    [ValidateRange(3, 100)] [int] $FreshRuns = 7,
    [ValidateRange(1, 1000)] [int] $RoundTripMs = 40,
    [int] $WarmCalls = 2100,
    [int] $CachedCalls = 20000
)

$ErrorActionPreference = 'Stop'
$benchStarted = [Diagnostics.Stopwatch]::StartNew()
Import-Module (Join-Path $PSScriptRoot '../../src/Caxton.Emulator/CaxtonEmulator.psm1') -Force
Add-Type -LiteralPath (Resolve-Path $BenchToolsPath).Path
$ModulePath = (Resolve-Path $ModulePath).Path
$BenchToolsPath = (Resolve-Path $BenchToolsPath).Path

. (Join-Path $PSScriptRoot 'BenchCommon.ps1')

$rows = [Collections.Generic.List[object]]::new()
function Add-Row([string] $Measure, [string] $Caxton, [string] $Comparison, [string] $Ratio, [string] $Target, [string] $Met) {
    $rows.Add([pscustomobject]@{ Measure = $Measure; Caxton = $Caxton; Comparison = $Comparison; Ratio = $Ratio; Target = $Target; Met = $Met })
}

$emulator = Start-CaxtonEmulator -Path $EmulatorPath
$proxy = $null
$emptyModule = $emptyBinary = $noViewsFolder = $null
try {
    $base = $emulator.BaseUri
    $proxy = [Caxton.Bench.LatencyProxy]::ForUri([uri]$base, [TimeSpan]::FromMilliseconds($RoundTripMs))
    $remote = $proxy.Front([uri]$base).AbsoluteUri
    # No variable may point a fresh process elsewhere (each flow names its base URI).
    Remove-Item Env:CAXTON_BASEURI, Env:CAXTON_ENVIRONMENT -ErrorAction Ignore

    # 1. Cold: every variant in one set of rounds, on one baseline (bare pwsh).
    # The floor any module pays: an empty script module with a manifest, in a new folder with a random name made for this run alone.
    $emptyModule = [IO.Directory]::CreateTempSubdirectory('caxton-bench-empty-').FullName
    Set-Content -LiteralPath (Join-Path $emptyModule 'Empty.psm1') -Value 'function Get-Nothing {}'
    Set-Content -LiteralPath (Join-Path $emptyModule 'Empty.psd1') -Value "@{ RootModule = 'Empty.psm1'; ModuleVersion = '1.0.0'; FunctionsToExport = @('Get-Nothing'); CmdletsToExport = @(); VariablesToExport = @(); AliasesToExport = @() }"
    # Beside it, to explain the import: the floor of a binary module (one cmdlet that does nothing,
    # compiled for this run), and Caxton without its types and format files (a copy with those two
    # manifest lines taken out).
    $emptyBinary = [IO.Directory]::CreateTempSubdirectory('caxton-bench-binary-').FullName
    Add-Type -TypeDefinition '[System.Management.Automation.Cmdlet("Get", "Nothing")] public sealed class GetNothingCommand : System.Management.Automation.PSCmdlet { }' -OutputAssembly (Join-Path $emptyBinary 'EmptyBinary.dll')
    Set-Content -LiteralPath (Join-Path $emptyBinary 'EmptyBinary.psd1') -Value "@{ RootModule = 'EmptyBinary.dll'; ModuleVersion = '1.0.0'; CmdletsToExport = @('Get-Nothing'); FunctionsToExport = @(); VariablesToExport = @(); AliasesToExport = @() }"
    $noViewsFolder = [IO.Directory]::CreateTempSubdirectory('caxton-bench-noviews-').FullName
    $noViews = Join-Path $noViewsFolder 'Caxton'
    Copy-Item -LiteralPath (Split-Path -Parent $ModulePath) -Destination $noViews -Recurse
    $manifest = Join-Path $noViews (Split-Path -Leaf $ModulePath)
    Set-Content -LiteralPath $manifest -Value (Get-Content -LiteralPath $manifest | Where-Object { $_ -notmatch '^\s*(TypesToProcess|FormatsToProcess)\s*=' })

    $variants = [ordered]@{
        bare         = { 'exit' }
        empty        = { "Import-Module '$(Join-Path $emptyModule 'Empty.psd1')'" }
        emptyBinary  = { "Import-Module '$(Join-Path $emptyBinary 'EmptyBinary.psd1')'" }
        importNoViews = { "Import-Module '$manifest'" }
        import       = { "Import-Module '$ModulePath'" }
        caxton       = { Get-CaxtonFlow $base }
        irm          = { Get-InvokeRestMethodFlow $base }
        caxtonRemote = { Get-CaxtonFlow $remote }
        irmRemote    = { Get-InvokeRestMethodFlow $remote }
    }
    # Two regimes (see Measure-Rounds): each variant's own startup profile, as on a machine that runs
    # the same script every time; and none at all, as the first run on a clean machine or container.
    $regimes = [ordered]@{
        'repeated runs' = @(Measure-Rounds -Count $Rounds -Variants $variants)
        'first run, no startup profile' = @(Measure-Rounds -Count $Rounds -Variants $variants -NoStartupProfile)
    }
    foreach ($regime in $regimes.Keys) {
        $cold = $regimes[$regime]
        $median = @{}; foreach ($name in $variants.Keys) { $median[$name] = (Get-Spread ($cold | ForEach-Object $name)).Median }
        $floor = Get-Spread ($cold | ForEach-Object { $_.empty - $_.bare })
        $importAbove = Get-Spread ($cold | ForEach-Object { ($_.import - $_.empty) / $_.bare })
        Add-Row "Import (fresh pwsh), above the empty-module floor, as a share of bare pwsh; $regime" (Format-Ms $median.import) `
            ("bare pwsh {0}; empty manifest module {1} (the floor: {2} above bare)" -f (Format-Ms $median.bare), (Format-Ms $median.empty), (Format-Spread $floor { Format-Ms $args[0] })) `
            (Format-Spread $importAbove { Format-Pct $args[0] }) '<= 3% of bare' (Get-Verdict $importAbove 0.03)
        $binaryFloor = Get-Spread ($cold | ForEach-Object { $_.emptyBinary - $_.empty })
        $ownCode = Get-Spread ($cold | ForEach-Object { $_.importNoViews - $_.emptyBinary })
        $views = Get-Spread ($cold | ForEach-Object { $_.import - $_.importNoViews })
        Add-Row "Import, what it is made of; $regime" '' `
            ("an empty binary module above the empty script module {0}; Caxton without its types and format files above the empty binary module {1}; Caxton's types and format files {2}" -f (Format-Spread $binaryFloor { Format-Ms $args[0] }), (Format-Spread $ownCode { Format-Ms $args[0] }), (Format-Spread $views { Format-Ms $args[0] })) `
            '' '(explains the row above)' ''
        foreach ($link in @(@('loopback', 'caxton', 'irm', 0.85), @("remote model, $RoundTripMs ms round trip", 'caxtonRemote', 'irmRemote', 0.6))) {
            $label, $ours, $theirs, $target = $link
            $ratio = Get-Spread ($cold | ForEach-Object { ($_.$ours - $_.bare) / ($_.$theirs - $_.bare) })
            $oursAbove = Get-Spread ($cold | ForEach-Object { $_.$ours - $_.bare })
            $theirsAbove = Get-Spread ($cold | ForEach-Object { $_.$theirs - $_.bare })
            $connections = '{0} vs {1} connections per flow' -f ($cold | ForEach-Object "$ours.Connections" | Sort-Object -Unique | Join-String -Separator '/'), ($cold | ForEach-Object "$theirs.Connections" | Sort-Object -Unique | Join-String -Separator '/')
            Add-Row "Cold flow (import, connect, password, token) above bare pwsh, $label; $regime" ("{0}: adds {1}" -f (Format-Ms $median.$ours), (Format-Ms $oursAbove.Median)) `
                ("Invoke-RestMethod flow {0}: adds {1}; bare {2}; empty-module floor {3} above bare$(if ($label -ne 'loopback') { "; $connections" })" -f (Format-Ms $median.$theirs), (Format-Ms $theirsAbove.Median), (Format-Ms $median.bare), (Format-Ms $floor.Median)) `
                (Format-Spread $ratio { Format-Ratio $args[0] }) "<= $($target)x what Invoke-RestMethod adds" (Get-Verdict $ratio $target)
        }
    }

    # 2. Within one fresh process: each step, its JIT work, and the second call of each path.
    $fresh = @(Measure-Rounds -Count $FreshRuns -Variants ([ordered]@{
        caxton       = { Get-StepsCommand Caxton $base }
        irm          = { Get-StepsCommand InvokeRestMethod $base }
        caxtonRemote = { Get-StepsCommand Caxton $remote }
        irmRemote    = { Get-StepsCommand InvokeRestMethod $remote }
    }))
    $steps = @{}
    foreach ($variant in 'caxton', 'irm', 'caxtonRemote', 'irmRemote') {
        $runs = @($fresh | ForEach-Object { $_."$variant.Output" | ConvertFrom-Json })
        $steps[$variant] = [ordered]@{}
        foreach ($name in $runs[0].Steps.psobject.Properties.Name) {
            $steps[$variant][$name] = [pscustomobject]@{
                Time    = Get-Spread ($runs | ForEach-Object { $_.Steps.$name / 1000 })
                Methods = (Get-Spread ($runs | ForEach-Object { $_.Jit.$name.Methods })).Median
                ThreadMethods = (Get-Spread ($runs | ForEach-Object { $_.Jit.$name.ThreadMethods })).Median
                JitTime = (Get-Spread ($runs | ForEach-Object { $_.Jit.$name.Ms / 1000 })).Median
            }
        }
        $steps[$variant]['(start-up)'] = [pscustomobject]@{ Methods = (Get-Spread ($runs | ForEach-Object { $_.Startup.Methods })).Median; ThreadMethods = $null; JitTime = (Get-Spread ($runs | ForEach-Object { $_.Startup.Ms / 1000 })).Median }
    }
    foreach ($second in @(@('forced token (Get-CaxtonToken -Force)', 'Token2'), @('another API call', 'Api2'), @('another register, after a reset', 'Register2'))) {
        $spread = $steps.caxton[$second[1]].Time
        Add-Row "Fresh process, second call: $($second[0])" (Format-Spread $spread { Format-Ms $args[0] }) ("Invoke-RestMethod's second token call {0}" -f (Format-Ms $steps.irm.Token2.Time.Median)) '' '<= 5 ms' (Get-Verdict $spread 0.005)
    }

    # 3. Where the JIT time goes: one traced fresh process per flow (never a timed one), methods grouped by assembly.
    $traced = @{}
    foreach ($flow in 'Caxton', 'InvokeRestMethod') {
        # With a startup profile of its own, written by one untraced run first (as in the timed rounds).
        $cache = [IO.Directory]::CreateTempSubdirectory("caxton-bench-traced-").FullName
        try {
            $null = Start-FreshPwsh (Get-StepsCommand $flow $base) $cache
            $traced[$flow] = @(((Start-FreshPwsh (Get-StepsCommand $flow $base $BenchToolsPath) $cache).Output | ConvertFrom-Json).Methods | Where-Object Step -In 'Import', 'Connect', 'Register1', 'Token1')
        }
        finally { Remove-Item -LiteralPath $cache -Recurse -Force -ErrorAction Ignore }
    }

    # 4. Warm per call, in this process, against the same emulator.
    Import-Module $ModulePath -Force
    $null = Connect-Caxton -BaseUri $base
    $account = New-CaxtonEmulatorAccount -Emulator $emulator
    $password = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Confirm:$false
    $plain = [Net.NetworkCredential]::new('', $password.ClientPassword).Password
    $null = $password | Get-CaxtonToken
    $form = @{ Grant_Type = 'password'; Username = $account.Username; Password = $plain }
    $formPairs = [Collections.Generic.Dictionary[string, string]]::new()
    foreach ($key in $form.Keys) { $formPairs[$key] = $form[$key] }
    $client = [Net.Http.HttpClient]::new()
    $tokenUri = [uri]"$($base)token"
    $warmCaxton = { $null = Get-CaxtonToken -Force }
    $warmIrm = { $null = Invoke-RestMethod -Method Post -Uri $tokenUri -ContentType 'application/x-www-form-urlencoded' -Body $form }
    $warmRaw = {
        $content = [Net.Http.FormUrlEncodedContent]::new($formPairs)
        $response = $client.PostAsync($tokenUri, $content).GetAwaiter().GetResult()
        $null = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
        $response.Dispose()
    }
    function Measure-Interleaved([hashtable] $Calls, [int] $Count, [int] $Batches = 7) {
        # Batches of each call in turn, in shuffled order, so drift (emulator state, machine load)
        # falls on all of them alike. Returns each batch's per-call time, by call.
        foreach ($call in $Calls.Values) { for ($i = 0; $i -lt 20; $i++) { & $call } }   # warm-up: JIT, connection pool
        $perBatch = [math]::Max(1, [int]($Count / $Batches))
        $samples = @{}; foreach ($name in $Calls.Keys) { $samples[$name] = [Collections.Generic.List[double]]::new() }
        foreach ($b in 1..$Batches) {
            foreach ($name in ($Calls.Keys | Get-Random -Count $Calls.Count)) {
                $call = $Calls[$name]
                $watch = [Diagnostics.Stopwatch]::StartNew()
                for ($i = 0; $i -lt $perBatch; $i++) { & $call }
                $samples[$name].Add($watch.Elapsed.TotalSeconds / $perBatch)
            }
        }
        $samples
    }
    $floorVariable = 1
    $warm = Measure-Interleaved @{ caxton = $warmCaxton; irm = $warmIrm; raw = $warmRaw; variable = { $null = Get-Variable -Name floorVariable } } $WarmCalls
    $warmRatio = Get-Spread (0..($warm.caxton.Count - 1) | ForEach-Object { $warm.caxton[$_] / ($warm.variable[$_] + $warm.raw[$_]) })
    Add-Row 'Warm call: Get-CaxtonToken -Force, against a cmdlet call plus raw HttpClient' (Format-Ms (Get-Spread $warm.caxton).Median) `
        ("Get-Variable {0} + raw HttpClient {1}; Invoke-RestMethod {2}" -f (Format-Ms (Get-Spread $warm.variable).Median), (Format-Ms (Get-Spread $warm.raw).Median), (Format-Ms (Get-Spread $warm.irm).Median)) `
        ("{0} of the sum" -f (Format-Spread $warmRatio { Format-Ratio $args[0] })) '<= 1.1x the sum' (Get-Verdict $warmRatio 1.1)

    # 5. Cached call against the floor of any cmdlet call.
    $cached = Measure-Interleaved @{ caxton = { $null = Get-CaxtonToken }; floor = { $null = Get-Variable -Name floorVariable } } $CachedCalls
    $cachedRatio = Get-Spread (0..($cached.caxton.Count - 1) | ForEach-Object { $cached.caxton[$_] / $cached.floor[$_] })
    Add-Row 'Cached call: Get-CaxtonToken' (Format-Ms (Get-Spread $cached.caxton).Median) ("Get-Variable {0}" -f (Format-Ms (Get-Spread $cached.floor).Median)) (Format-Spread $cachedRatio { Format-Ratio $args[0] }) '<= 2x Get-Variable' (Get-Verdict $cachedRatio 2)

    # 6. Parallel: runspaces sharing one connection that has no token yet. The runspaces are opened
    # and the module imported before the clock starts: this measures calls, not runspace start-up.
    $parallel = foreach ($runspaces in 1, 2, 32) {
        $connection = [Caxton.CaxtonConnection]::new([uri]$base)
        $a = New-CaxtonEmulatorAccount -Emulator $emulator
        $null = New-CaxtonPassword -Username $a.Username -Clientname $a.Clientname -Connection $connection -Confirm:$false
        $state = [Management.Automation.Runspaces.InitialSessionState]::CreateDefault()
        $state.ImportPSModule($ModulePath)
        $pool = [runspacefactory]::CreateRunspacePool(1, $runspaces, $state, $Host)
        $pool.Open()
        try {
            $warmUp = 1..$runspaces | ForEach-Object { $p = [powershell]::Create(); $p.RunspacePool = $pool; $null = $p.AddScript('Get-Command Invoke-CaxtonRestMethod | Out-Null'); [pscustomobject]@{ P = $p; H = $p.BeginInvoke() } }
            $warmUp | ForEach-Object { $null = $_.P.EndInvoke($_.H); $_.P.Dispose() }
            Reset-CaxtonEmulatorStats -Emulator $emulator
            $callsEach = [int][math]::Ceiling(1280 / $runspaces)
            $script = 'param($connection, $count) for ($i = 0; $i -lt $count; $i++) { $null = Invoke-CaxtonRestMethod "reference/lookup/banks/GBP" -Connection $connection }'
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $jobs = 1..$runspaces | ForEach-Object { $p = [powershell]::Create(); $p.RunspacePool = $pool; $null = $p.AddScript($script).AddArgument($connection).AddArgument($callsEach); [pscustomobject]@{ P = $p; H = $p.BeginInvoke() } }
            $jobs | ForEach-Object { $null = $_.P.EndInvoke($_.H); if ($_.P.HadErrors) { throw "A parallel call failed: $($_.P.Streams.Error[0])" }; $_.P.Dispose() }
            $watch.Stop()
        }
        finally { $pool.Dispose() }
        $stats = Get-CaxtonEmulatorStats -Emulator $emulator
        [pscustomobject]@{ Runspaces = $runspaces; PerSecond = ($callsEach * $runspaces) / $watch.Elapsed.TotalSeconds; TokenRequests = $stats.token }
    }
    $one = $parallel | Where-Object Runspaces -EQ 1
    $two = $parallel | Where-Object Runspaces -EQ 2
    $many = $parallel | Where-Object Runspaces -EQ 32
    Add-Row 'Parallel: Invoke-CaxtonRestMethod, runspaces sharing one connection' ("{0:N0} calls/s with 32 runspaces" -f $many.PerSecond) ("1 runspace {0:N0}/s; 2 runspaces {1:N0}/s" -f $one.PerSecond, $two.PerSecond) `
        ("token requests: {0}, {1}, {2}; 2 vs 1: {3}" -f $one.TokenRequests, $two.TokenRequests, $many.TokenRequests, (Format-Ratio ($two.PerSecond / $one.PerSecond))) `
        'one token request; grows to core count' $(if ((($parallel.TokenRequests | Sort-Object -Unique) -join ',') -eq '1' -and $two.PerSecond -gt $one.PerSecond) { 'yes' } else { '**no**' })

    # 7. Memory: working set added by import plus the first token, in a fresh process.
    $memory = @(Measure-Rounds -Count 5 -Variants ([ordered]@{
        caxton = { $a = New-CaxtonEmulatorAccount -Emulator $emulator
            "[GC]::Collect(); `$p = [Diagnostics.Process]::GetCurrentProcess(); `$before = `$p.WorkingSet64; " +
            "Import-Module '$ModulePath'; `$null = Connect-Caxton -BaseUri '$base'; `$null = New-CaxtonPassword -Username '$($a.Username)' -Clientname '$($a.Clientname)' -Confirm:`$false | Get-CaxtonToken; " +
            "[GC]::Collect(); `$p.Refresh(); (`$p.WorkingSet64 - `$before) / 1MB" }
        irm = { $a = New-CaxtonEmulatorAccount -Emulator $emulator
            "[GC]::Collect(); `$p = [Diagnostics.Process]::GetCurrentProcess(); `$before = `$p.WorkingSet64; " +
            "`$r = Invoke-RestMethod -Method Post -Uri '$($base)clients/auth/register' -ContentType 'text/json' -Body '{""Username"":""$($a.Username)"",""Clientname"":""$($a.Clientname)""}'; " +
            "`$null = Invoke-RestMethod -Method Post -Uri '$($base)token' -Body @{ Grant_Type = 'password'; Username = '$($a.Username)'; Password = `$r.Content.Model.ClientPassword }; " +
            "[GC]::Collect(); `$p.Refresh(); (`$p.WorkingSet64 - `$before) / 1MB" }
    }))
    $mem = Get-Spread ($memory | ForEach-Object { [double]$_.'caxton.Output' })
    Add-Row 'Memory: working set added by import + first token' (Format-Spread $mem { '{0:N1} MiB' -f $args[0] }) ('the same two calls with Invoke-RestMethod: {0:N1} MiB' -f (Get-Spread ($memory | ForEach-Object { [double]$_.'irm.Output' })).Median) '' '<= 15 MiB' (Get-Verdict $mem 15)
}
finally {
    $emulator | Stop-CaxtonEmulator
    if ($proxy) { $proxy.Dispose() }
    foreach ($folder in $emptyModule, $emptyBinary, $noViewsFolder) {
        if ($folder) { Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction Ignore }
    }
}

$cpu = (Get-Content /proc/cpuinfo -ErrorAction Ignore | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
$load = (Get-Content /proc/loadavg -ErrorAction Ignore) -split ' ' | Select-Object -First 3
$machine = "{0}; {1} cores; {2}; PowerShell {3}; .NET {4}; {5}; load average at the end {6}" -f ($cpu ? $cpu : 'unknown CPU'), [Environment]::ProcessorCount, [Runtime.InteropServices.RuntimeInformation]::OSDescription, $PSVersionTable.PSVersion, [Environment]::Version, (Get-Date -AsUTC -Format 'yyyy-MM-dd HH:mm UTC'), ($load ? ($load -join ' ') : 'unknown')
$text = [Text.StringBuilder]::new()
$null = $text.AppendLine('# Caxton benchmark').AppendLine()
if ($Note) { $null = $text.AppendLine($Note).AppendLine() }
$null = $text.AppendLine("Machine: $machine. The run took $([int]$benchStarted.Elapsed.TotalMinutes) min $($benchStarted.Elapsed.Seconds) s.").AppendLine()
$null = $text.AppendLine("Cold figures: $Rounds rounds, each starting every variant once in a shuffled order; each ratio is taken within a round, and a verdict is on the median of the rounds, with the quartiles. " +
    "They are taken twice: 'repeated runs' gives each variant a pwsh cache folder of its own (startup JIT profile, module analysis cache), written by a warm-up run, as on a machine that runs the same script every time; 'first run' gives every run a new empty one, as a clean machine or container. " +
    "Per-step, memory and traced figures are repeated runs. " +
    "Per-step figures: $FreshRuns fresh processes per flow, interleaved. Per-call figures: 7 interleaved batches. All figures come from this one run; only ratios within it mean anything. " +
    "A verdict is 'within noise' when the quartiles straddle the target.").AppendLine()
$null = $text.AppendLine('| Measure | Caxton | Comparison (same run) | Ratio | Target | Met |').AppendLine('| --- | --- | --- | --- | --- | --- |')
foreach ($row in $rows) { $null = $text.AppendLine("| $($row.Measure) | $($row.Caxton) | $($row.Comparison) | $($row.Ratio) | $($row.Target) | $($row.Met) |") }

# Per step, within one fresh process: where each flow's time goes, and how much of it the JIT takes.
$null = $text.AppendLine().AppendLine('## Each step in a fresh process').AppendLine()
$null = $text.AppendLine("Medians of $FreshRuns fresh processes per flow: the step's time, then the methods the JIT compiled during it (all threads, tier-1 recompilations included; then those on the pipeline thread, the caller's path) and the JIT's time ([System.Runtime.JitInfo]). '(start-up)' is what pwsh compiled before the first step, the same for both flows.").AppendLine()
$null = $text.AppendLine('| Flow | Step | Time (quartiles) | JIT methods (on the pipeline thread) | JIT time |').AppendLine('| --- | --- | --- | --- | --- |')
foreach ($variant in @(@('caxton', 'Caxton, loopback'), @('irm', 'Invoke-RestMethod, loopback'), @('caxtonRemote', "Caxton, remote model ($RoundTripMs ms)"), @('irmRemote', "Invoke-RestMethod, remote model ($RoundTripMs ms)"))) {
    foreach ($name in $steps[$variant[0]].Keys) {
        $s = $steps[$variant[0]][$name]
        $time = if ($s.psobject.Properties['Time']) { Format-Spread $s.Time { Format-Ms $args[0] } } else { '' }
        $onThread = if ($null -ne $s.ThreadMethods) { ' ({0:N0})' -f $s.ThreadMethods } else { '' }
        $null = $text.AppendLine("| $($variant[1]) | $name | $time | $('{0:N0}' -f $s.Methods)$onThread | $(Format-Ms $s.JitTime) |")
    }
}

# By assembly: what the JIT compiled in each cold flow, and whether that assembly was loaded precompiled.
$null = $text.AppendLine().AppendLine('## What the JIT compiles in each cold flow, by assembly').AppendLine()
$null = $text.AppendLine("One traced fresh process per flow on loopback (runtime JIT events, keyword 0x10, at verbose level; never a timed run), steps import to first token. [R2R] marks an assembly loaded from a ReadyToRun image: its methods compiled here are code the image did not hold (generic instantiations over other assemblies' types, mostly) or code the runtime refused ('refused' counts the latter); [IL] an assembly with no precompiled code at all.").AppendLine()
$null = $text.AppendLine('| Assembly | Caxton flow | Invoke-RestMethod flow |').AppendLine('| --- | --- | --- |')
$byAssembly = @{}
foreach ($flow in 'Caxton', 'InvokeRestMethod') { foreach ($group in ($traced[$flow] | Group-Object Assembly)) { if (-not $byAssembly[$group.Name]) { $byAssembly[$group.Name] = @{} }; $byAssembly[$group.Name][$flow] = $group.Group } }
function Format-Jitted($Methods) {
    if (-not $Methods) { return '0' }
    $refused = @($Methods | Where-Object Rejected).Count
    "{0:N0}{1}" -f @($Methods).Count, $(if ($refused) { " ($refused refused)" } else { '' })
}
foreach ($name in ($byAssembly.Keys | Sort-Object { - (@($byAssembly[$_].Caxton).Count + @($byAssembly[$_].InvokeRestMethod).Count) })) {
    $null = $text.AppendLine("| $name | $(Format-Jitted $byAssembly[$name].Caxton) | $(Format-Jitted $byAssembly[$name].InvokeRestMethod) |")
}
$null = $text.AppendLine("| **all** | $(Format-Jitted $traced.Caxton) | $(Format-Jitted $traced.InvokeRestMethod) |")

$null = $text.AppendLine().AppendLine('Where the time goes, and the levers weighed side by side: [levers.md](levers.md).')
$output = $text.ToString()
Write-Output $output
foreach ($file in $OutFile, $PublishFile) {
    if ($file) {
        $null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent ([IO.Path]::GetFullPath($file)))
        Set-Content -LiteralPath $file -Value $output
    }
}
