# Connect-Caxton's background warm-up (docs/ARCHITECTURE.md, "Threading"): it builds the HTTP client only; it
# opens no connection to the API host and nothing of it reaches a proxy, the system proxy included.
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

    It 'without a proxy, Connect-Caxton alone opens no connection to the host and sends nothing' {
        $apiHost = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $apiHost.Start()
        $saved = $env:HTTP_PROXY, $env:HTTPS_PROXY, $env:ALL_PROXY
        try {
            Remove-Item Env:HTTP_PROXY, Env:HTTPS_PROXY, Env:ALL_PROXY -ErrorAction Ignore
            $script = "Import-Module '$env:CAXTON_TEST_MODULE'; `$null = Connect-Caxton -BaseUri 'http://127.0.0.1:$($apiHost.LocalEndpoint.Port)/api/'; Start-Sleep -Milliseconds 1500; 'connected'"
            Invoke-FreshPwsh -Command $script | Out-String | Should -Match 'connected'
            $apiHost.Pending() | Should -BeFalse -Because 'no request, and no connection, that nobody asked for may reach the API host'
        }
        finally {
            $env:HTTP_PROXY, $env:HTTPS_PROXY, $env:ALL_PROXY = $saved
            foreach ($name in 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY') { if (-not (Get-Item "Env:$name" -ErrorAction Ignore).Value) { Remove-Item "Env:$name" -ErrorAction Ignore } }
            $apiHost.Stop()
        }
    }
}
