#requires -Version 7.0
<#
.SYNOPSIS
    Builds, tests and demonstrates the Caxton module.
.DESCRIPTION
    Build (default) lays out an importable module at out/Caxton and the emulator at out/emulator.
    Test runs the xunit engine tests, the Pester tests against the built module and, where mono is
    installed, the .NET Framework load-and-flow test (tests/Caxton.NetFx), and ends with one line
    "N passed, N failed". Demo runs the whole authentication flow against a local emulator.
    Bench measures import, cold start (on loopback and through a modelled remote host), per-call cost,
    parallel throughput and memory side by side, on one baseline (bare pwsh)
    and writes out/bench/results.md; with -Publish it also refreshes the committed tests/bench/results.md
    (-BenchNote says where and when the run was made). Emulator (formerly Sandbox, still accepted) builds
    only the emulator (never out/Caxton, which a session may have imported) and runs it in the foreground
    on loopback port -Port for offline
    development. Package makes out/Caxton.<version>.nupkg with PSResourceGet. Clean removes build output.
    Everything it needs comes from NuGet: run `dotnet tool restore` first, then `dotnet pwsh ./build.ps1`.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Emulator', 'Sandbox', 'Package', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # The emulator's loopback port for -Task Emulator; 0 picks a free one.
    [ValidateRange(0, 65535)]
    [int] $Port = 5080,

    # -Task Bench: also write the committed tests/bench/results.md, deliberately, with -BenchNote in it.
    [switch] $Publish,
    [string] $BenchNote
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Set-Location -LiteralPath $PSScriptRoot

$out = Join-Path $PSScriptRoot 'out'
$moduleOut = Join-Path $out 'Caxton'
$emulatorOut = Join-Path $out 'emulator'
$testOut = Join-Path $out 'test'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Invoke-Dotnet {
    # Runs dotnet and stops the build when it fails; its output goes to the host, not the pipeline.
    & dotnet @args | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

function Invoke-EmulatorBuild {
    Invoke-Dotnet build src/Caxton.Emulator/Caxton.Emulator.csproj -c $Configuration -o $emulatorOut --nologo -v quiet
}

function Invoke-Build {
    $staging = Join-Path $out 'obj/module'
    Invoke-Dotnet build src/Caxton/Caxton.csproj -c $Configuration -o $staging --nologo -v quiet
    $requirements = Join-Path $out 'obj/requirements'
    Invoke-Dotnet build src/Caxton.Requirements/Caxton.Requirements.csproj -c $Configuration -o $requirements --nologo -v quiet
    Invoke-EmulatorBuild

    # The module folder holds only what PowerShell loads; the engine and its dependencies go to
    # Dependencies/ (why: docs/ARCHITECTURE.md, "Loading"). PowerShell's own assemblies and build leftovers stay out.
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    $dependencies = New-Item -ItemType Directory -Path (Join-Path $moduleOut 'Dependencies')
    Get-ChildItem $staging -Filter *.dll |
        Where-Object Name -NotIn 'System.Management.Automation.dll' |
        ForEach-Object { Copy-Item $_ -Destination ($_.Name -in 'Caxton.dll', 'Caxton.Loader.dll' ? $moduleOut : $dependencies) }
    Copy-Item (Join-Path $requirements 'Caxton.Requirements.dll') -Destination $moduleOut
    Copy-Item Caxton.psd1 -Destination $moduleOut
    Copy-Item en-US -Destination $moduleOut -Recurse
    Invoke-ReadyToRun -Dependencies $dependencies
    Complete-ModuleLayout
    Write-Host "Built module: $moduleOut"
}

# Platforms for which Dependencies/ also holds precompiled (ReadyToRun) copies; any other platform runs the IL.
$readyToRunTargets = @('linux-x64', 'win-x64', 'osx-arm64')

function Invoke-ReadyToRun([string] $Dependencies) {
    # PowerShell 7 otherwise compiles (JIT) the engine, Caxton.Http and Microsoft.Extensions.* on first use in
    # every fresh process. Crossgen2 precompiles copies into Dependencies/r2r-net<major>-<rid>/ for the .NET
    # major version this build runs on (PowerShell 7.6's .NET 10); the load context picks them on that
    # runtime and platform only. The IL files beside them stay for other runtimes and for Windows PowerShell 5.1.
    # Caxton.dll stays IL: Windows PowerShell 5.1 loads that very file.
    $hostRid = [Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    $project = 'tests/tools/crossgen/Crossgen.csproj'
    Invoke-Dotnet restore $project "-p:RuntimeIdentifier=$hostRid" --nologo -v quiet
    $assets = Get-Content -Raw (Join-Path (Split-Path $project) 'obj/project.assets.json') | ConvertFrom-Json -AsHashtable
    $pack = @($assets.project.frameworks.Values.downloadDependencies | Where-Object name -EQ "Microsoft.NETCore.App.Crossgen2.$hostRid")[0]
    if (-not $pack) { throw "Restoring $project brought no Crossgen2 pack for $hostRid." }
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $version = $pack.version -replace '^\[([^,\]]+).*$', '$1'
    $crossgen = Join-Path $packages "$($pack.name.ToLowerInvariant())/$version/tools/crossgen2"
    if ($IsWindows) { $crossgen += '.exe' }
    $framework = [Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory()
    $inputs = Get-ChildItem $Dependencies -Filter *.dll | Where-Object { $_.Name -like 'Caxton.*' -or $_.Name -like 'Microsoft.Extensions.*' }
    $references = @((Join-Path $framework '*.dll')) + ($inputs.FullName)
    foreach ($rid in $readyToRunTargets) {
        $os, $arch = $rid -split '-'
        $target = New-Item -ItemType Directory -Force -Path (Join-Path $Dependencies "r2r-net$([Environment]::Version.Major)-$rid")
        foreach ($assembly in $inputs) {
            $arguments = @($assembly.FullName, '-o', (Join-Path $target $assembly.Name), '--targetos', ($os -eq 'win' ? 'windows' : $os), '--targetarch', $arch, '-O')
            foreach ($reference in $references) { if ($reference -ne $assembly.FullName) { $arguments += '-r', $reference } }
            $output = & $crossgen @arguments 2>&1
            if ($LASTEXITCODE -ne 0) { $output | Out-Host; throw "Crossgen2 failed for $($assembly.Name) ($rid), exit code $LASTEXITCODE." }
        }
    }
}

function Get-ModuleVersion {
    # The one source of truth for the version: <Version> in Directory.Build.props, which also
    # versions the assemblies.
    $version = @(([xml](Get-Content -Raw Directory.Build.props)).Project.PropertyGroup.Version | Where-Object { $_ })[0]
    if ($version -notmatch '^\d+\.\d+\.\d+$') {
        throw "Directory.Build.props: <Version> must be major.minor.patch (no prerelease label yet), not '$version'."
    }
    $version
}

function Set-ModuleManifestVersion([string] $Path, [string] $Version) {
    # Stamps the version, and its CHANGELOG.md section as ReleaseNotes, into the built manifest.
    $changelog = Get-Content -Raw CHANGELOG.md
    $section = [regex]::Match($changelog, "(?ms)^## \[$([regex]::Escape($Version))\][^\n]*\n(.*?)(?=^## |\z)")
    if (-not $section.Success) { throw "CHANGELOG.md has no '## [$Version]' section: add the release notes of $Version." }
    $notes = $section.Groups[1].Value.Trim() -replace "'", "''"
    $manifest = Get-Content -Raw $Path
    $manifest = $manifest -replace "(?m)^(\s*ModuleVersion\s*=\s*)'[^']*'", "`${1}'$Version'"
    $manifest = $manifest -replace "(?m)^(\s*ReleaseNotes\s*=\s*)'[^']*'", "`${1}'$notes'"
    Set-Content -LiteralPath $Path -Value $manifest -NoNewline
}

function Complete-ModuleLayout {
    # What the module folder holds beyond assemblies: the views, the stamped manifest, the generated help.
    Copy-Item Caxton.format.ps1xml, Caxton.types.ps1xml -Destination $moduleOut
    Set-ModuleManifestVersion -Path (Join-Path $moduleOut 'Caxton.psd1') -Version (Get-ModuleVersion)
    # MAML from docs/*.md plus the built cmdlets' metadata; its own process, as it imports the module.
    & dotnet pwsh -NoProfile -NonInteractive -File tools/help/New-MamlHelp.ps1 -ModulePath (Join-Path $moduleOut 'Caxton.psd1') -DocsPath docs | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "Generating help from docs/ failed (exit code $LASTEXITCODE): see the error above." }
}

function Invoke-Package {
    # out/Caxton.<version>.nupkg through PSResourceGet, in its own process (see the script's help).
    Invoke-Build
    Get-ChildItem $out -Filter 'Caxton.*.nupkg' | Remove-Item
    & dotnet pwsh -NoProfile -NonInteractive -File tools/package/New-CaxtonPackage.ps1 -ModulePath $moduleOut -DestinationPath $out | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "Packaging failed (exit code $LASTEXITCODE): see the error above." }
    $package = Join-Path $out "Caxton.$(Get-ModuleVersion).nupkg"
    if (-not (Test-Path $package)) { throw "Packaging did not produce $package." }
    Write-Host "Package: $package"
}

function Get-PesterModulePath {
    Invoke-Dotnet restore tests/tools/Tools.csproj --nologo -v quiet
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $path = Join-Path $packages 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $path)) { throw "Pester was not restored to $path." }
    $path
}

function Invoke-NetFxTest {
    # Windows PowerShell 5.1's import and flow on the .NET Framework API, under Mono's strict loader
    # (tests/Caxton.NetFx/Program.cs). Returns its counts; without mono it says so and counts nothing.
    if (-not (Get-Command mono -CommandType Application -ErrorAction Ignore)) {
        Write-Host 'netfx: skipped (mono not installed)'
        return @{ Passed = 0; Failed = 0 }
    }
    $netfxOut = Join-Path $testOut 'netfx'
    Invoke-Dotnet build tests/Caxton.NetFx/Caxton.NetFx.csproj -c $Configuration -o $netfxOut --nologo -v quiet
    # Through the environment, so the control's child process runs strict as well.
    $env:MONO_ENV_OPTIONS = '--assembly-loader=strict'
    try {
        $lines = @(& mono (Join-Path $netfxOut 'Caxton.NetFx.exe') $moduleOut (Join-Path $emulatorOut 'Caxton.Emulator.dll') 2>&1 | ForEach-Object { "$_" })
        $exitCode = $LASTEXITCODE
    }
    finally {
        Remove-Item Env:MONO_ENV_OPTIONS -ErrorAction Ignore
    }
    $lines | Out-Host
    $summary = $lines | Select-String -Pattern '^netfx: (\d+) passed, (\d+) failed \(mono strict loader\)$' | Select-Object -Last 1
    if (-not $summary) {
        Write-Host "netfx produced no strict-loader summary (exit code $exitCode): counted as one failure."
        return @{ Passed = 0; Failed = 1 }
    }
    $counts = @{ Passed = [int]$summary.Matches[0].Groups[1].Value; Failed = [int]$summary.Matches[0].Groups[2].Value }
    if ($exitCode -ne 0 -and $counts.Failed -eq 0) { $counts.Failed = 1 }
    $counts
}

function Invoke-Test {
    Invoke-Build
    if (Test-Path $testOut) { Remove-Item $testOut -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $testOut
    # Both test runs append one-line summaries (fuzzing, faults) here; they are printed at the end.
    $report = Join-Path $testOut 'report'
    $null = New-Item -ItemType Directory -Path $report
    $env:CAXTON_TEST_REPORT_DIR = $report

    # xunit: the engine, without PowerShell; the reference-closure tests read the built module.
    $env:CAXTON_TEST_MODULE_DIR = $moduleOut
    & dotnet test tests/Caxton.Tests/Caxton.Tests.csproj -c $Configuration --nologo `
        --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=minimal' --results-directory $testOut | Out-Host
    $trx = Join-Path $testOut 'xunit.trx'
    $xunitPassed = 0; $xunitFailed = 0
    if (Test-Path $trx) {
        $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
        $xunitPassed = [int]$counters.passed
        $xunitFailed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    }
    else {
        $xunitFailed = 1
        Write-Host 'xunit produced no results: counted as one failure.'
    }

    # Pester: the built module in a fresh pwsh, against real emulators over loopback.
    $pester = Get-PesterModulePath
    $summary = Join-Path $testOut 'pester.json'
    & dotnet pwsh -NoProfile -NonInteractive -File tests/Invoke-PesterTests.ps1 -PesterPath $pester -ModulePath (Join-Path $moduleOut 'Caxton.psd1') -EmulatorPath (Join-Path $emulatorOut 'Caxton.Emulator.dll') -SummaryPath $summary | Out-Host
    $pesterPassed = 0; $pesterFailed = 0
    if (Test-Path $summary) {
        $result = Get-Content -Raw $summary | ConvertFrom-Json
        $pesterPassed = [int]$result.Passed
        $pesterFailed = [int]$result.Failed
    }
    else {
        $pesterFailed = 1
        Write-Host 'Pester produced no results: counted as one failure.'
    }

    $netfx = Invoke-NetFxTest

    Write-Host "xunit: $xunitPassed passed, $xunitFailed failed; Pester: $pesterPassed passed, $pesterFailed failed; netfx: $($netfx.Passed) passed, $($netfx.Failed) failed"
    $passed = $xunitPassed + $pesterPassed + $netfx.Passed
    $failed = $xunitFailed + $pesterFailed + $netfx.Failed
    Get-ChildItem -Path $report -Filter *.txt | Sort-Object Name | Get-Content | ForEach-Object { Write-Host $_ }
    # The one closing line CI reads.
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    Import-Module (Join-Path $PSScriptRoot 'src/Caxton.Emulator/CaxtonEmulator.psm1') -Force
    $emulator = Start-CaxtonEmulator -Path (Join-Path $emulatorOut 'Caxton.Emulator.dll')
    try {
        & dotnet pwsh -NoProfile -NonInteractive -File examples/Demo.ps1 -ModulePath (Join-Path $moduleOut 'Caxton.psd1') -BaseUri $emulator.BaseUri | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "The demo failed with exit code $LASTEXITCODE." }
    }
    finally {
        Stop-CaxtonEmulator $emulator
    }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' {
        Invoke-Build
        $publishArguments = if ($Publish) { @('-PublishFile', 'tests/bench/results.md', '-Note', $BenchNote) } else { @() }
        # The benchmark's own helpers (the latency proxy that models a remote host, the JIT listener).
        $benchTools = Join-Path $out 'benchtools'
        Invoke-Dotnet build tests/bench/BenchTools/BenchTools.csproj -c $Configuration -o $benchTools --nologo -v quiet
        & dotnet pwsh -NoProfile -NonInteractive -File tests/bench/Invoke-Benchmark.ps1 -ModulePath (Join-Path $moduleOut 'Caxton.psd1') -EmulatorPath (Join-Path $emulatorOut 'Caxton.Emulator.dll') -BenchToolsPath (Join-Path $benchTools 'BenchTools.dll') -OutFile (Join-Path $out 'bench/results.md') @publishArguments | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "The benchmark failed with exit code $LASTEXITCODE." }
    }
    'Package' { Invoke-Package }
    { $_ -in 'Emulator', 'Sandbox' } {
        Invoke-EmulatorBuild
        # The emulator reports a port in use in one line on stderr; pass its exit code on, without a stack trace here.
        & dotnet (Join-Path $emulatorOut 'Caxton.Emulator.dll') --port $Port
        exit $LASTEXITCODE
    }
    'Clean' {
        if (Test-Path $out) { Remove-Item $out -Recurse -Force }
        Invoke-Dotnet clean Caxton.sln --nologo -v quiet
    }
}
