#requires -Version 7.0
<#
.SYNOPSIS
    Packs the built module folder into <Name>.<Version>.nupkg with PSResourceGet, and writes its path.
.DESCRIPTION
    Publish-PSResource packs only into a repository, so this registers a temporary local file
    repository, publishes the module to it, copies the .nupkg to -DestinationPath and unregisters
    the repository again.

    The user's list of repositories is left alone. On Linux and macOS PSResourceGet keeps that
    list under XDG_DATA_HOME, which this points at a temporary folder before PSResourceGet loads:
    run it in its own process. On Windows the list cannot be redirected; the temporary repository
    is unregistered in finally.
.EXAMPLE
    pwsh -NoProfile -File tools/package/New-CaxtonPackage.ps1 -ModulePath out/Caxton -DestinationPath out
#>
[CmdletBinding()]
param(
    # The built module folder; its name is the module's name (out/Caxton).
    [Parameter(Mandatory)] [string] $ModulePath,
    # The folder that receives the .nupkg.
    [Parameter(Mandatory)] [string] $DestinationPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

if (Get-Module Microsoft.PowerShell.PSResourceGet) {
    throw 'PSResourceGet is already loaded in this process, so its repository list cannot be redirected: run this script in a new pwsh.'
}

$work = Join-Path ([IO.Path]::GetTempPath()) ('caxton-package-' + [guid]::NewGuid().ToString('n'))
$repository = Join-Path $work 'repository'
$null = New-Item -ItemType Directory -Path $repository
if (-not $IsWindows) { $env:XDG_DATA_HOME = Join-Path $work 'data' }
$name = 'CaxtonPackage-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
try {
    Register-PSResourceRepository -Name $name -Uri $repository -Trusted
    Publish-PSResource -Path (Resolve-Path -LiteralPath $ModulePath).Path -Repository $name
    $package = @(Get-ChildItem -LiteralPath $repository -Filter *.nupkg)
    if ($package.Count -ne 1) { throw "Publish-PSResource left $($package.Count) packages in $repository, not one." }
    $null = New-Item -ItemType Directory -Force -Path $DestinationPath
    Copy-Item -LiteralPath $package[0].FullName -Destination $DestinationPath -PassThru | ForEach-Object FullName
}
finally {
    Unregister-PSResourceRepository -Name $name -ErrorAction Ignore
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore
}
