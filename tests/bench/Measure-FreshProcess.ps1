<#
.SYNOPSIS
    Runs in a fresh pwsh started by Invoke-Benchmark.ps1: times each step of one flow (Caxton's cmdlets, or
    the same calls written with Invoke-RestMethod), first and second calls of each path, counts the
    methods the JIT compiled during each step ([System.Runtime.JitInfo], all threads), and prints one line of JSON.
.DESCRIPTION
    With -JitTool (the built BenchTools.dll) it also records each compiled method from the runtime's JIT
    events, for the breakdown by assembly. That costs time of its own: such a run is never a timed one.
#>
param(
    [Parameter(Mandatory)] [ValidateSet('Caxton', 'InvokeRestMethod')] [string] $Flow,
    [string] $ModulePath,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $Username,
    [Parameter(Mandatory)] [string] $Clientname,
    [string] $JitTool
)

$ErrorActionPreference = 'Stop'
# What the process compiled to start and to reach this line: the same for both flows.
$startup = [ordered]@{ Methods = [System.Runtime.JitInfo]::GetCompiledMethodCount($false); Ms = [System.Runtime.JitInfo]::GetCompilationTime($false).TotalMilliseconds }
$listener = $null
if ($JitTool) {
    Add-Type -LiteralPath $JitTool
    $listener = [Caxton.Bench.JitListener]::new()
}

$watch = [Diagnostics.Stopwatch]::new()
$steps = [ordered]@{}
$jit = [ordered]@{}
function Measure-Step([string] $Name, [scriptblock] $Step) {
    if ($listener) { $listener.Step = $Name }
    $methods = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
    $threadMethods = [System.Runtime.JitInfo]::GetCompiledMethodCount($true)
    $jitTime = [System.Runtime.JitInfo]::GetCompilationTime($false)
    $watch.Restart()
    $null = & $Step
    $watch.Stop()
    $steps[$Name] = $watch.Elapsed.TotalMilliseconds
    # All threads, and the caller's (pipeline) thread alone: work moved to a pool thread leaves the second.
    $jit[$Name] = [ordered]@{
        Methods       = [System.Runtime.JitInfo]::GetCompiledMethodCount($false) - $methods
        ThreadMethods = [System.Runtime.JitInfo]::GetCompiledMethodCount($true) - $threadMethods
        Ms            = ([System.Runtime.JitInfo]::GetCompilationTime($false) - $jitTime).TotalMilliseconds
    }
}

if ($Flow -eq 'Caxton') {
    Measure-Step Import { Import-Module $ModulePath }
    Measure-Step Connect { Connect-Caxton -BaseUri $BaseUri }
    Measure-Step Register1 { $script:password = New-CaxtonPassword -Username $Username -Clientname $Clientname -Confirm:$false }
    Measure-Step Token1 { $password | Get-CaxtonToken }
    Measure-Step Token2 { Get-CaxtonToken -Force }
    Measure-Step Api1 { Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' }
    Measure-Step Api2 { Invoke-CaxtonRestMethod 'reference/lookup/banks/EUR' }
    Measure-Step Reset1 { Reset-CaxtonCredential -Username $Username -Clientname $Clientname -Force }
    Measure-Step Register2 { $script:password = New-CaxtonPassword -Username $Username -Clientname $Clientname -Confirm:$false }
}
else {
    # The hand-written script a user would otherwise keep: the same two calls as the cold flow.
    Measure-Step Register1 { $script:registered = Invoke-RestMethod -Method Post -Uri "$($BaseUri)clients/auth/register" -ContentType 'text/json' -Headers @{ Accept = 'application/json' } -Body "{""Username"":""$Username"",""Clientname"":""$Clientname""}" }
    $form = @{ Grant_Type = 'password'; Username = $Username; Password = $registered.Content.Model.ClientPassword }
    Measure-Step Token1 { Invoke-RestMethod -Method Post -Uri "$($BaseUri)token" -ContentType 'application/x-www-form-urlencoded' -Body $form }
    Measure-Step Token2 { Invoke-RestMethod -Method Post -Uri "$($BaseUri)token" -ContentType 'application/x-www-form-urlencoded' -Body $form }
}

$result = [ordered]@{ Steps = $steps; Jit = $jit; Startup = $startup }
if ($listener) {
    # The runtime hands its events to listeners from a thread of its own, in batches: let the last ones arrive.
    $listener.Step = '(after the last step)'
    Start-Sleep -Milliseconds 1500
    $result.Methods = @($listener.Methods() | ForEach-Object { [ordered]@{ Step = $_.Step; Assembly = $_.Assembly; Tier = $_.Tier; Rejected = $_.ReadyToRunRejected; Method = $_.Method } })
    $listener.Dispose()
}
$result | ConvertTo-Json -Compress -Depth 5
