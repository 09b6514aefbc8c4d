<#
.SYNOPSIS
    Runs in a fresh pwsh started by Invoke-Benchmark.ps1: times each step of a session, first and second
    calls of each path, and prints them as one line of JSON (milliseconds).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $Username,
    [Parameter(Mandatory)] [string] $Clientname
)

$ErrorActionPreference = 'Stop'
$watch = [Diagnostics.Stopwatch]::new()
$steps = [ordered]@{}
function Measure-Step([string] $Name, [scriptblock] $Step) {
    $watch.Restart()
    $null = & $Step
    $steps[$Name] = $watch.Elapsed.TotalMilliseconds
}

Measure-Step Import { Import-Module $ModulePath }
Measure-Step Connect { Connect-Caxton -BaseUri $BaseUri }
Measure-Step Register1 { $script:password = New-CaxtonPassword -Username $Username -Clientname $Clientname -Confirm:$false }
Measure-Step Token1 { $password | Get-CaxtonToken }
Measure-Step Token2 { Get-CaxtonToken -Force }
Measure-Step Api1 { Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' }
Measure-Step Api2 { Invoke-CaxtonRestMethod 'reference/lookup/banks/EUR' }
Measure-Step Reset1 { Reset-CaxtonCredential -Username $Username -Clientname $Clientname -Force }
Measure-Step Register2 { $script:password = New-CaxtonPassword -Username $Username -Clientname $Clientname -Confirm:$false }
$steps | ConvertTo-Json -Compress
