# The ReadyToRun copies in Dependencies/r2r-net<major>-<rid>/ serve only when they were compiled from the
# very IL beside them (the same MVID); otherwise the IL does. Each case runs in a fresh pwsh on a copy of
# the built module, because what matters is which file the engine is loaded from.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:moduleDir = Split-Path $env:CAXTON_TEST_MODULE
    $script:rid = ([Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier -replace '^(linux|win|osx)-.*?(x64|arm64)$', '$1-$2')
    $script:r2rName = "r2r-net$([Environment]::Version.Major)-$rid"

    function Get-EngineLocation([string] $ModuleDir) {
        # Connect-Caxton makes the engine load; its file is what the loader chose.
        $script = "Import-Module '$ModuleDir/Caxton.psd1'; `$null = Connect-Caxton -BaseUri 'http://127.0.0.1:9/api/'; [Caxton.CaxtonConnection].Assembly.Location"
        Invoke-FreshPwsh -Command $script | Select-Object -Last 1
    }

    function Copy-Module {
        $copy = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
        Copy-Item -Recurse $moduleDir $copy
        $copy
    }
}

Describe 'Precompiled (ReadyToRun) copies' {
    It 'serve when compiled from the IL beside them' {
        if (-not (Test-Path (Join-Path $moduleDir "Dependencies/$r2rName"))) {
            Set-ItResult -Skipped -Because "the build made no $r2rName folder for this runtime"
            return
        }

        $location = Get-EngineLocation -ModuleDir $moduleDir
        $location | Should -BeLike "*$([IO.Path]::DirectorySeparatorChar)$r2rName$([IO.Path]::DirectorySeparatorChar)Caxton.Engine.dll"
    }

    It 'are passed over for the IL when they come from another build (a different MVID)' {
        if (-not (Test-Path (Join-Path $moduleDir "Dependencies/$r2rName"))) {
            Set-ItResult -Skipped -Because "the build made no $r2rName folder for this runtime"
            return
        }

        # A stale precompiled engine: another assembly's image in its place, whose MVID is not the IL's.
        $copy = Copy-Module
        $stale = Join-Path $copy "Dependencies/$r2rName"
        Copy-Item (Join-Path $stale 'Caxton.Http.dll') (Join-Path $stale 'Caxton.Engine.dll') -Force

        $location = Get-EngineLocation -ModuleDir $copy
        $location | Should -Be (Join-Path $copy 'Dependencies/Caxton.Engine.dll')
    }
}
