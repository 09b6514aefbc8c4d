<#
.SYNOPSIS
    Measures the Caxton module side by side with its comparisons, in one run on one machine, and
    prints one markdown table (also written to -OutFile).
.DESCRIPTION
    Every figure is a median of several runs; every ratio compares figures from this same run.
    Fresh processes are started the same way for every variant (this pwsh's host and pwsh.dll), and
    the variants are interleaved round by round so machine noise falls on all of them alike.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EmulatorPath,
    [string] $OutFile,
    # Also write the table to this file (the committed tests/bench/results.md), with -Note as the run's context.
    [string] $PublishFile,
    [string] $Note,
    [int] $ColdRuns = 15,
    [int] $FreshRuns = 9,
    [int] $WarmCalls = 300,
    [int] $CachedCalls = 20000
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../../src/Caxton.Emulator/CaxtonEmulator.psm1') -Force
$ModulePath = (Resolve-Path $ModulePath).Path

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $middle = [int][math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

function Start-FreshPwsh([string] $Command) {
    # The same host for every variant: dotnet + pwsh.dll under `dotnet pwsh`, else pwsh itself.
    $hostPath = [Environment]::ProcessPath
    $info = [Diagnostics.ProcessStartInfo]::new($hostPath)
    if ([IO.Path]::GetFileNameWithoutExtension($hostPath) -eq 'dotnet') { $info.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($argument in '-NoProfile', '-NonInteractive', '-Command', $Command) { $info.ArgumentList.Add($argument) }
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

function Measure-Cold([hashtable] $Variants, [int] $Runs) {
    # Round-robin: each round runs every variant once, in a shuffled order.
    $times = @{}; foreach ($name in $Variants.Keys) { $times[$name] = [Collections.Generic.List[double]]::new() }
    foreach ($name in $Variants.Keys) { $null = Start-FreshPwsh (& $Variants[$name]) }   # warm the disk cache
    for ($round = 0; $round -lt $Runs; $round++) {
        foreach ($name in ($Variants.Keys | Get-Random -Count $Variants.Count)) {
            $times[$name].Add((Start-FreshPwsh (& $Variants[$name])).Seconds)
        }
    }
    $medians = @{}; foreach ($name in $Variants.Keys) { $medians[$name] = Get-Median $times[$name] }
    $medians
}

function Format-Ms([double] $Seconds) { if ($Seconds -lt 0.001) { '{0:N0} µs' -f ($Seconds * 1e6) } else { '{0:N1} ms' -f ($Seconds * 1000) } }
function Format-Ratio([double] $Value) { '{0:N2}x' -f $Value }
function Format-Pct([double] $Value) { '{0:N0}%' -f ($Value * 100) }

$rows = [Collections.Generic.List[object]]::new()
function Add-Row([string] $Measure, [string] $Caxton, [string] $Comparison, [string] $Ratio, [string] $Target, [object] $Met) {
    # $Met: $null for a figure reported without a target of its own.
    $rows.Add([pscustomobject]@{ Measure = $Measure; Caxton = $Caxton; Comparison = $Comparison; Ratio = $Ratio; Target = $Target; Met = $(if ($null -eq $Met) { '' } elseif ($Met) { 'yes' } else { '**no**' }) })
}

$emulator = Start-CaxtonEmulator -Path $EmulatorPath
$emptyModule = $null
try {
    $base = $emulator.BaseUri
    $env:CAXTON_BASEURI = $base

    # 1. Cold import. The floor any module pays: an empty script module with a manifest.
    # A new folder with a random name, made for this run alone (owner-only on Unix); never a guessable one reused.
    $emptyModule = [IO.Directory]::CreateTempSubdirectory('caxton-bench-empty-').FullName
    Set-Content -LiteralPath (Join-Path $emptyModule 'Empty.psm1') -Value 'function Get-Nothing {}'
    Set-Content -LiteralPath (Join-Path $emptyModule 'Empty.psd1') -Value "@{ RootModule = 'Empty.psm1'; ModuleVersion = '1.0.0'; FunctionsToExport = @('Get-Nothing'); CmdletsToExport = @(); VariablesToExport = @(); AliasesToExport = @() }"
    $import = Measure-Cold -Runs $ColdRuns -Variants @{
        bare   = { 'exit' }
        empty  = { "Import-Module '$(Join-Path $emptyModule 'Empty.psd1')'" }
        caxton = { "Import-Module '$ModulePath'" }
    }
    $aboveFloor = $import.caxton - $import.empty
    Add-Row 'Import (fresh pwsh), above the empty-module floor' (Format-Ms $import.caxton) ("empty manifest module {0}; bare pwsh {1}" -f (Format-Ms $import.empty), (Format-Ms $import.bare)) `
        ("adds {0} above the floor: {1} of bare" -f (Format-Ms $aboveFloor), (Format-Pct ($aboveFloor / $import.bare))) `
        '<= 3% of bare above the floor' ($aboveFloor / $import.bare -le 0.03)

    # 2. Cold end to end: Connect, Generate Password, Get Access Token in a fresh process.
    $accounts = [Collections.Generic.Queue[object]]::new()
    1..(2 * ($ColdRuns + 1) + 2) | ForEach-Object { $accounts.Enqueue((New-CaxtonEmulatorAccount -Emulator $emulator)) }
    $flow = Measure-Cold -Runs $ColdRuns -Variants @{
        bare   = { 'exit' }
        empty  = { "Import-Module '$(Join-Path $emptyModule 'Empty.psd1')'" }
        caxton = {
            $a = $accounts.Dequeue()
            "Import-Module '$ModulePath'; `$null = Connect-Caxton -BaseUri '$base'; `$null = New-CaxtonPassword -Username '$($a.Username)' -Clientname '$($a.Clientname)' -Confirm:`$false | Get-CaxtonToken"
        }
        irm    = {
            $a = $accounts.Dequeue()
            "`$r = Invoke-RestMethod -Method Post -Uri '$($base)clients/auth/register' -ContentType 'text/json' -Headers @{ Accept = 'application/json' } -Body '{""Username"":""$($a.Username)"",""Clientname"":""$($a.Clientname)""}'; " +
            "`$null = Invoke-RestMethod -Method Post -Uri '$($base)token' -ContentType 'application/x-www-form-urlencoded' -Body @{ Grant_Type = 'password'; Username = '$($a.Username)'; Password = `$r.Content.Model.ClientPassword }"
        }
    }
    # Caxton's flow above what any module's import costs, against what the same two calls add to bare pwsh.
    $addFlow = $flow.caxton - $flow.empty
    $addIrm = $flow.irm - $flow.bare
    Add-Row 'Cold flow (import, connect, password, token), above the empty-module floor' (Format-Ms $flow.caxton) ("floor (empty module) {0}; Invoke-RestMethod flow {1}; bare {2}" -f (Format-Ms $flow.empty), (Format-Ms $flow.irm), (Format-Ms $flow.bare)) `
        ("adds {0} vs Invoke-RestMethod's {1}: {2}" -f (Format-Ms $addFlow), (Format-Ms $addIrm), (Format-Ratio ($addFlow / $addIrm))) `
        '<= 0.5x what IRM adds' ($addFlow / $addIrm -le 0.5)

    # 2b. Within one fresh process: each step, and the second call of each path (nothing stays cold).
    $fresh = [Collections.Generic.List[object]]::new()
    $stepsScript = Join-Path $PSScriptRoot 'Measure-FreshProcess.ps1'
    foreach ($run in 1..$FreshRuns) {
        $a = New-CaxtonEmulatorAccount -Emulator $emulator
        $fresh.Add(((Start-FreshPwsh "& '$stepsScript' -ModulePath '$ModulePath' -BaseUri '$base' -Username '$($a.Username)' -Clientname '$($a.Clientname)'").Output | ConvertFrom-Json))
    }
    $step = [ordered]@{}
    foreach ($name in $fresh[0].psobject.Properties.Name) { $step[$name] = (Get-Median ($fresh | ForEach-Object { [double]$_.$name })) / 1000 }
    Add-Row 'Fresh process, first calls' ('import {0}; connect {1}; register {2}; token {3}; API call {4}; reset {5}' -f (Format-Ms $step.Import), (Format-Ms $step.Connect), (Format-Ms $step.Register1), (Format-Ms $step.Token1), (Format-Ms $step.Api1), (Format-Ms $step.Reset1)) '' '' '' $null
    foreach ($second in @(@('forced token (Get-CaxtonToken -Force)', 'Token2'), @('another API call', 'Api2'), @('another register, after a reset', 'Register2'))) {
        Add-Row "Fresh process, second call: $($second[0])" (Format-Ms $step[$second[1]]) '' '' '<= 5 ms' ($step[$second[1]] -le 0.005)
    }

    # 3. Warm per call, in this process, against the same emulator.
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
        # falls on all of them alike. The median batch gives the per-call time.
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
        $medians = @{}; foreach ($name in $Calls.Keys) { $medians[$name] = Get-Median $samples[$name] }
        $medians
    }
    $floorVariable = 1
    $warm = Measure-Interleaved @{ caxton = $warmCaxton; irm = $warmIrm; raw = $warmRaw; variable = { $null = Get-Variable -Name floorVariable } } $WarmCalls
    $perCaxton = $warm.caxton; $perIrm = $warm.irm; $perRaw = $warm.raw; $perVariable = $warm.variable
    Add-Row 'Warm call: Get-CaxtonToken -Force, against a cmdlet call plus raw HttpClient' (Format-Ms $perCaxton) ("Get-Variable {0} + raw HttpClient {1}; Invoke-RestMethod {2}" -f (Format-Ms $perVariable), (Format-Ms $perRaw), (Format-Ms $perIrm)) `
        ("{0} of the sum ({1} of Invoke-RestMethod)" -f (Format-Ratio ($perCaxton / ($perVariable + $perRaw))), (Format-Ratio ($perCaxton / $perIrm))) '<= 1.1x the sum' ($perCaxton / ($perVariable + $perRaw) -le 1.1)

    # 4. Cached call against the floor of any cmdlet call.
    $cached = Measure-Interleaved @{ caxton = { $null = Get-CaxtonToken }; floor = { $null = Get-Variable -Name floorVariable } } $CachedCalls
    $perCached = $cached.caxton
    Add-Row 'Cached call: Get-CaxtonToken' (Format-Ms $perCached) ("Get-Variable {0}" -f (Format-Ms $cached.floor)) (Format-Ratio ($perCached / $cached.floor)) '<= 2x Get-Variable' ($perCached / $cached.floor -le 2)

    # 5. Parallel: runspaces sharing one connection that has no token yet. The runspaces are opened
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
            $warm = 1..$runspaces | ForEach-Object { $p = [powershell]::Create(); $p.RunspacePool = $pool; $null = $p.AddScript('Get-Command Invoke-CaxtonRestMethod | Out-Null'); [pscustomobject]@{ P = $p; H = $p.BeginInvoke() } }
            $warm | ForEach-Object { $null = $_.P.EndInvoke($_.H); $_.P.Dispose() }
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
        'one token request; grows to core count' ((($parallel.TokenRequests | Sort-Object -Unique) -join ',') -eq '1' -and $two.PerSecond -gt $one.PerSecond)

    # 6. Memory: working set added by import plus the first token, in a fresh process.
    $memory = foreach ($run in 1..5) {
        $a = New-CaxtonEmulatorAccount -Emulator $emulator
        $script = "[GC]::Collect(); `$p = [Diagnostics.Process]::GetCurrentProcess(); `$before = `$p.WorkingSet64; " +
            "Import-Module '$ModulePath'; `$null = Connect-Caxton -BaseUri '$base'; `$null = New-CaxtonPassword -Username '$($a.Username)' -Clientname '$($a.Clientname)' -Confirm:`$false | Get-CaxtonToken; " +
            "[GC]::Collect(); `$p.Refresh(); (`$p.WorkingSet64 - `$before) / 1MB"
        [double](Start-FreshPwsh $script).Output
    }
    $memoryIrm = foreach ($run in 1..5) {
        $a = New-CaxtonEmulatorAccount -Emulator $emulator
        $script = "[GC]::Collect(); `$p = [Diagnostics.Process]::GetCurrentProcess(); `$before = `$p.WorkingSet64; " +
            "`$r = Invoke-RestMethod -Method Post -Uri '$($base)clients/auth/register' -ContentType 'text/json' -Body '{""Username"":""$($a.Username)"",""Clientname"":""$($a.Clientname)""}'; " +
            "`$null = Invoke-RestMethod -Method Post -Uri '$($base)token' -Body @{ Grant_Type = 'password'; Username = '$($a.Username)'; Password = `$r.Content.Model.ClientPassword }; " +
            "[GC]::Collect(); `$p.Refresh(); (`$p.WorkingSet64 - `$before) / 1MB"
        [double](Start-FreshPwsh $script).Output
    }
    $mem = Get-Median $memory
    Add-Row 'Memory: working set added by import + first token' ('{0:N1} MiB' -f $mem) ('the same two calls with Invoke-RestMethod: {0:N1} MiB' -f (Get-Median $memoryIrm)) '' '<= 15 MiB' ($mem -le 15)
}
finally {
    $emulator | Stop-CaxtonEmulator
    Remove-Item Env:CAXTON_BASEURI -ErrorAction Ignore
    if ($emptyModule) { Remove-Item -LiteralPath $emptyModule -Recurse -Force -ErrorAction Ignore }
}

$cpu = (Get-Content /proc/cpuinfo -ErrorAction Ignore | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
$machine = "{0}; {1} cores; {2}; PowerShell {3}; .NET {4}; {5}" -f ($cpu ? $cpu : 'unknown CPU'), [Environment]::ProcessorCount, [Runtime.InteropServices.RuntimeInformation]::OSDescription, $PSVersionTable.PSVersion, [Environment]::Version, (Get-Date -Format 'yyyy-MM-dd HH:mm')
$table = [Text.StringBuilder]::new()
$null = $table.AppendLine("# Caxton benchmark").AppendLine()
if ($Note) { $null = $table.AppendLine($Note).AppendLine() }
$null = $table.AppendLine("Machine: $machine. Medians of $ColdRuns cold runs per variant, $FreshRuns fresh processes for the per-step figures and 7 batches for per-call figures, variants interleaved; all figures from one run.").AppendLine()
$null = $table.AppendLine('| Measure | Caxton | Comparison (same run) | Ratio | Target | Met |').AppendLine('| --- | --- | --- | --- | --- | --- |')
foreach ($row in $rows) { $null = $table.AppendLine("| $($row.Measure) | $($row.Caxton) | $($row.Comparison) | $($row.Ratio) | $($row.Target) | $($row.Met) |") }
# Where a target is missed, say why with this run's own figures.
$notes = @(
    ("- Import: Caxton adds {0} above the empty-module floor ({1} of bare pwsh); in a fresh process Import-Module takes {2}. Caxton's own part is registering " +
        "the resolver and loading Caxton.Loader.dll; the rest is PowerShell's work on a binary module with types, formats and help, and a second, nested binary module " +
        "(Caxton.Requirements.dll, the .NET Framework 4.7.1 check) that PowerShell loads on every edition: see levers.md.") -f
        (Format-Ms $aboveFloor), (Format-Pct ($aboveFloor / $import.bare)), (Format-Ms $step.Import)
    ("- Cold flow: of the {0} Caxton adds above the empty-module floor, the in-process steps are import {1}, connect {2}, first register {3} and first token {4}. " +
        "Import-Module's own work on the manifest, types and formats is most of the import; the first register pays for compiling (JIT) Caxton's code, Microsoft.Extensions.Http's " +
        "dependency-injection container and the HTTP stack, where Invoke-RestMethod runs code PowerShell ships precompiled (ReadyToRun).") -f
        (Format-Ms $addFlow), (Format-Ms $step.Import), (Format-Ms $step.Connect), (Format-Ms $step.Register1), (Format-Ms $step.Token1)
    ("- Warm call: Get-CaxtonToken also hands the request to a pool thread and back (so Ctrl+C works) and keeps the token as a SecureString; the raw loop calls no cmdlet.")
    ("- The start-up levers weighed (ReadyToRun, the loader assembly, regular expressions, JSON, the nested requirements module), each measured side by side: tests/bench/levers.md.")
)
$null = $table.AppendLine().AppendLine('## Notes from this run').AppendLine()
foreach ($note in $notes) { $null = $table.AppendLine($note) }
$text = $table.ToString()
Write-Output $text
foreach ($file in $OutFile, $PublishFile) {
    if ($file) {
        $null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent ([IO.Path]::GetFullPath($file)))
        Set-Content -LiteralPath $file -Value $text
    }
}
