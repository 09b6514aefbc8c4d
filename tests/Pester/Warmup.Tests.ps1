# Connect-Caxton's background warm-up (docs/ARCHITECTURE.md, "Threading"): it may open the connection to the
# API host, but never sends a request, and nothing of it reaches a proxy, the system proxy included.
BeforeAll {
    . $PSScriptRoot/Common.ps1
}

Describe 'Connect-Caxton warm-up and the system proxy' {
    It 'with HTTP_PROXY set, neither the proxy nor the host hears anything from Connect-Caxton alone' {
        $proxy = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $apiHost = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $proxy.Start()
        $apiHost.Start()
        $saved = $env:HTTP_PROXY
        try {
            # The system proxy of the new process: every http URI, loopback included, goes through it.
            $env:HTTP_PROXY = "http://127.0.0.1:$($proxy.LocalEndpoint.Port)"
            $script = "Import-Module '$env:CAXTON_TEST_MODULE'; `$null = Connect-Caxton -BaseUri 'http://127.0.0.1:$($apiHost.LocalEndpoint.Port)/api/'; Start-Sleep -Milliseconds 1500; 'connected'"
            $output = Invoke-FreshPwsh -Command $script | Out-String
            $output | Should -Match 'connected'
            $proxy.Pending() | Should -BeFalse -Because 'no background traffic may reach a proxy'
            $apiHost.Pending() | Should -BeFalse -Because 'the warm-up must not go around the proxy the calls would use'
        }
        finally {
            $env:HTTP_PROXY = $saved
            $proxy.Stop()
            $apiHost.Stop()
        }
    }

    It 'without a proxy, Connect-Caxton opens one connection to the host and sends nothing on it' {
        $apiHost = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $apiHost.Start()
        $saved = $env:HTTP_PROXY, $env:HTTPS_PROXY, $env:ALL_PROXY
        try {
            Remove-Item Env:HTTP_PROXY, Env:HTTPS_PROXY, Env:ALL_PROXY -ErrorAction Ignore
            $script = "Import-Module '$env:CAXTON_TEST_MODULE'; `$null = Connect-Caxton -BaseUri 'http://127.0.0.1:$($apiHost.LocalEndpoint.Port)/api/'; Start-Sleep -Milliseconds 1500; 'connected'"
            $job = Start-ThreadJob { param($s) Invoke-FreshPwsh -Command $s | Out-String } -ArgumentList $script -InitializationScript ([scriptblock]::Create("function Invoke-FreshPwsh { ${function:Invoke-FreshPwsh} }"))
            $accept = $apiHost.AcceptSocketAsync()
            $accept.Wait([TimeSpan]::FromSeconds(60)) | Should -BeTrue -Because 'the warm-up opens the connection before the first call'
            $socket = $accept.Result
            $job | Wait-Job -Timeout 60 | Receive-Job | Should -Match 'connected'
            $socket.Available | Should -Be 0 -Because 'the warm-up sends no request'
            $socket.Dispose()
        }
        finally {
            $env:HTTP_PROXY, $env:HTTPS_PROXY, $env:ALL_PROXY = $saved
            foreach ($name in 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY') { if (-not (Get-Item "Env:$name" -ErrorAction Ignore).Value) { Remove-Item "Env:$name" -ErrorAction Ignore } }
            $apiHost.Stop()
        }
    }
}
