# The emulator stays a loopback-only tool: no configuration widens where it listens, every request
# must be addressed to a loopback name, and the control surface needs this run's key. Also its port
# option and the one-line report of a port in use, directly and through build.ps1 -Task Emulator.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR

    function Get-FreePort {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
    }

    function Test-Listening([int] $Port) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try { $client.ConnectAsync('127.0.0.1', $Port).Wait(2000) -and $client.Connected } catch { $false } finally { $client.Dispose() }
    }

    # Runs the emulator with its own environment and working folder; returns once it is ready or has exited.
    function Start-Emulator([string[]] $Arguments, [hashtable] $Environment = @{}, [string] $WorkingDirectory = $TestDrive) {
        $ready = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
        $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        $info.ArgumentList.Add($env:CAXTON_TEST_EMULATOR)
        foreach ($argument in @('--ready-file', $ready) + $Arguments) { $info.ArgumentList.Add($argument) }
        foreach ($name in $Environment.Keys) { $info.Environment[$name] = $Environment[$name] }
        $info.WorkingDirectory = $WorkingDirectory
        $info.RedirectStandardOutput = $info.RedirectStandardError = $true
        $info.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($info)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not (Test-Path $ready) -and -not $process.HasExited -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        $lines = if (Test-Path $ready) { Get-Content -LiteralPath $ready -TotalCount 2 } else { @($null, $null) }
        [pscustomobject]@{ Process = $process; BaseUri = $lines[0]; Key = $lines[1]; StdOut = $stdout; StdErr = $stderr }
    }

    function Stop-Emulator($Emulator) {
        if (-not $Emulator.Process.HasExited) { $Emulator.Process.Kill(); $null = $Emulator.Process.WaitForExit(10000) }
        $Emulator.Process.Dispose()
    }

    # One raw HTTP/1.1 request, so the Host header is exactly what the test says; returns the status code.
    function Send-Raw([string] $BaseUri, [string] $Method, [string] $Path, [string] $HostHeader, [hashtable] $Headers = @{}) {
        $uri = [uri]$BaseUri
        $client = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $uri.Port)
        try {
            $stream = $client.GetStream()
            $stream.ReadTimeout = 10000
            $text = "$Method $Path HTTP/1.1`r`nHost: $HostHeader`r`nContent-Length: 0`r`nConnection: close`r`n"
            foreach ($name in $Headers.Keys) { $text += "${name}: $($Headers[$name])`r`n" }
            $bytes = [Text.Encoding]::ASCII.GetBytes("$text`r`n")
            $stream.Write($bytes, 0, $bytes.Length)
            $reader = [IO.StreamReader]::new($stream)
            [int]($reader.ReadLine() -split ' ')[1]
        }
        finally { $client.Dispose() }
    }
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'Emulator: loopback only, whatever the configuration' {
    It 'ignores Kestrel endpoints and URLs from environment variables and from appsettings.json in the current folder' {
        $ports = 1..5 | ForEach-Object { Get-FreePort }
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive ([guid]::NewGuid().ToString('n')))
        @{
            Kestrel = @{ Endpoints = @{ Wide = @{ Url = "http://0.0.0.0:$($ports[0])" } } }
            urls    = "http://0.0.0.0:$($ports[1])"
        } | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath (Join-Path $folder 'appsettings.json')
        $environment = @{
            Kestrel__Endpoints__Wide2__Url = "http://0.0.0.0:$($ports[2])"
            ASPNETCORE_URLS                = "http://0.0.0.0:$($ports[3])"
            ASPNETCORE_HTTP_PORTS          = "$($ports[4])"
            DOTNET_URLS                    = "http://0.0.0.0:$($ports[4])"
        }
        $emulator = Start-Emulator -Arguments '--quiet' -Environment $environment -WorkingDirectory $folder
        try {
            $emulator.BaseUri | Should -Match '^http://127\.0\.0\.1:\d+/api/$'
            foreach ($port in $ports) { Test-Listening $port | Should -BeFalse -Because "port $port came from configuration" }
            Test-Listening ([uri]$emulator.BaseUri).Port | Should -BeTrue
        }
        finally { Stop-Emulator $emulator }
    }

    It 'refuses --urls <Urls> in one line, with exit code 2' -TestCases @(
        @{ Urls = 'http://0.0.0.0:0' }
        @{ Urls = 'http://[::]:0' }
        @{ Urls = 'http://127.0.0.1:0;http://0.0.0.0:0' }
        @{ Urls = 'http://example.test:0' }
        @{ Urls = 'http://*:0' }
    ) {
        $emulator = Start-Emulator -Arguments '--urls', $Urls
        try {
            $emulator.Process.WaitForExit(30000) | Should -BeTrue
            $emulator.Process.ExitCode | Should -Be 2
            $emulator.StdErr.Result | Should -Match 'loopback|http:// URLs'
            $emulator.StdErr.Result | Should -Not -Match '\bat \w+\.'
            $emulator.BaseUri | Should -BeNullOrEmpty
        }
        finally { Stop-Emulator $emulator }
    }

    It 'answers 400 to a request whose Host is not a loopback name: <HostHeader>' -TestCases @(
        @{ HostHeader = 'evil.example' }
        @{ HostHeader = 'evil.example:80' }
        @{ HostHeader = '127.0.0.1.evil.example' }
        @{ HostHeader = 'localhost.evil.example' }
        @{ HostHeader = '10.0.0.1' }
    ) {
        foreach ($path in '/api/token', '/api/reference/lookup/banks/GBP', '/_emulator/stats') {
            Send-Raw $emulator.BaseUri GET $path $HostHeader @{ 'X-Emulator-Key' = $emulator.ControlKey } | Should -Be 400 -Because $path
        }
    }

    It 'serves a loopback Host: <HostHeader>' -TestCases @(
        @{ HostHeader = 'localhost' }
        @{ HostHeader = 'LOCALHOST:1234' }
        @{ HostHeader = '127.0.0.1' }
        @{ HostHeader = '127.1.2.3:80' }
        @{ HostHeader = '[::1]:5080' }
    ) {
        Send-Raw $emulator.BaseUri GET '/_emulator/stats' $HostHeader @{ 'X-Emulator-Key' = $emulator.ControlKey } | Should -Be 200
    }
}

Describe 'Emulator: the control surface needs this run''s key' {
    It 'writes the key it prints to the ready file' {
        $emulator.ControlKey | Should -Match '^[0-9a-f]{64}$'
        Get-Content -Raw $emulator.LogPath | Should -Match ([regex]::Escape("X-Emulator-Key: $($emulator.ControlKey)"))
        $other = Start-Emulator -Arguments '--quiet'
        try { $other.Key | Should -Not -Be $emulator.ControlKey } finally { Stop-Emulator $other }
    }

    It 'refuses <Method> <Path> with <Case>' -TestCases @(
        @{ Case = 'no key'; Method = 'GET'; Path = '/_emulator/stats'; Headers = @{} }
        @{ Case = 'a wrong key'; Method = 'GET'; Path = '/_emulator/stats'; Headers = @{ 'X-Emulator-Key' = 'wrong' } }
        @{ Case = 'an empty key'; Method = 'DELETE'; Path = '/_emulator/faults'; Headers = @{ 'X-Emulator-Key' = '' } }
        @{ Case = 'a bodiless cross-site POST'; Method = 'POST'; Path = '/_emulator/accounts/caxton.demo/revoke-tokens'; Headers = @{ Origin = 'http://evil.example'; Referer = 'http://evil.example/' } }
        @{ Case = 'a cross-site form POST'; Method = 'POST'; Path = '/_emulator/stats/reset'; Headers = @{ Origin = 'null'; 'Content-Type' = 'application/x-www-form-urlencoded' } }
        # Issue 19, finding 10: the key is checked on the path as routing reads it, double slashes collapsed.
        @{ Case = 'no key and a double slash'; Method = 'GET'; Path = '//_emulator/stats'; Headers = @{} }
        @{ Case = 'no key and many slashes'; Method = 'POST'; Path = '///_emulator//stats/reset'; Headers = @{ Origin = 'http://evil.example' } }
    ) {
        Send-Raw $emulator.BaseUri $Method $Path '127.0.0.1' $Headers | Should -Be 403
    }

    It 'writes its ready file, which holds the key, readable by its owner only' -Skip:$IsWindows {
        $emulator = Start-Emulator -Arguments '--quiet'
        try {
            $emulator.Key | Should -Not -BeNullOrEmpty
            $ready = @(Get-ChildItem -LiteralPath $TestDrive -File | Where-Object { (Get-Content -LiteralPath $_.FullName -TotalCount 2)[1] -eq $emulator.Key })
            $ready | Should -HaveCount 1
            [IO.File]::GetUnixFileMode($ready[0].FullName) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        }
        finally { Stop-Emulator $emulator }
    }

    It 'lets a refused control call change nothing' {
        $account = New-CaxtonEmulatorAccount -Emulator $emulator
        $null = Connect-Caxton -BaseUri $emulator.BaseUri
        $null = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Confirm:$false
        $null = Get-CaxtonToken
        $before = (Get-CaxtonEmulatorStats -Emulator $emulator).tokenIssued
        Send-Raw $emulator.BaseUri POST "/_emulator/accounts/$($account.Username)/revoke-tokens" '127.0.0.1' @{ Origin = 'http://evil.example' } | Should -Be 403
        Send-Raw $emulator.BaseUri POST '/_emulator/stats/reset' '127.0.0.1' | Should -Be 403
        # The token still works (not revoked) and the counts were not reset.
        (Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP').ApiStatus | Should -Not -BeNullOrEmpty
        (Get-CaxtonEmulatorStats -Emulator $emulator).tokenIssued | Should -Be $before
        Disconnect-Caxton
    }
}

Describe 'Emulator: its port' {
    It 'listens on the loopback port --port names' {
        $port = Get-FreePort
        $emulator = Start-Emulator -Arguments '--port', $port, '--quiet'
        try { $emulator.BaseUri | Should -Be "http://127.0.0.1:$port/api/" } finally { Stop-Emulator $emulator }
    }

    It 'reports a port in use in one line, without a stack trace, and exits non-zero (<Logging>)' -TestCases @(
        @{ Logging = 'quiet'; Arguments = @('--quiet') }
        @{ Logging = 'warnings logged'; Arguments = @() }
    ) {
        $taken = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $taken.Start()
        try {
            $emulator = Start-Emulator -Arguments (@('--port', $taken.LocalEndpoint.Port) + $Arguments)
            try {
                $emulator.Process.WaitForExit(30000) | Should -BeTrue
                $emulator.Process.ExitCode | Should -Not -Be 0
                $errors = @($emulator.StdErr.Result -split '\r?\n' | Where-Object { $_ })
                $errors | Should -HaveCount 1
                $errors[0] | Should -Match "^caxton-emulator: cannot listen on http://127\.0\.0\.1:$($taken.LocalEndpoint.Port).*in use"
            }
            finally { Stop-Emulator $emulator }
        }
        finally { $taken.Stop() }
    }

    It 'build.ps1 -Task Emulator -Port passes the port on, reports it in use in one line, and leaves out/Caxton alone' {
        $repo = Resolve-Path (Join-Path $PSScriptRoot '../..')
        $module = Join-Path (Split-Path $env:CAXTON_TEST_MODULE) 'Caxton.dll'
        $before = (Get-Item $module).LastWriteTimeUtc
        $taken = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $taken.Start()
        try {
            $output = Invoke-FreshPwsh -File (Join-Path $repo 'build.ps1') -Task Emulator -Port $taken.LocalEndpoint.Port 2>&1
            $exitCode = $LASTEXITCODE
        }
        finally { $taken.Stop() }
        $exitCode | Should -Not -Be 0
        $lines = @($output | ForEach-Object { "$_" } | Where-Object { $_ -match '\S' })
        @($lines | Where-Object { $_ -match 'cannot listen' }) | Should -HaveCount 1
        $lines | Where-Object { $_ -match '^\s+at |Exception' } | Should -BeNullOrEmpty
        (Get-Item $module).LastWriteTimeUtc | Should -Be $before
    }
}
