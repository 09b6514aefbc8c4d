# HTTP handlers for proxy and certificate settings: shared by identical settings, released with the
# connections that use them (Disconnect-Caxton, or a name connected again), proxy credential included.
# The API host is off this machine: a loopback one never uses a proxy, so would lease no proxy handler.
BeforeAll {
    . $PSScriptRoot/Common.ps1

    $script:proxyCredential = [pscredential]::new('proxy-user', (ConvertTo-SecureString 'proxy-P@ss' -AsPlainText -Force))
    $script:options = @{
        BaseUri = 'https://api.example.test/api/'; Proxy = "http://127.0.0.1:9/$([guid]::NewGuid().ToString('n'))/"; ProxyCredential = $proxyCredential
        SkipCertificateCheck = $true; WarningAction = 'SilentlyContinue'
    }

    # Caxton.Http loads on first use, in the module's private load context on PowerShell 7: found by name.
    Disconnect-Caxton -Connection (Connect-Caxton @options)
    $script:source = [AppDomain]::CurrentDomain.GetAssemblies() |
        Where-Object { $_.GetName().Name -eq 'Caxton.Http' } |
        ForEach-Object { $_.GetType('Caxton.HttpClientSource') } |
        Select-Object -First 1
    # Counted for this file's proxy only: connections other files made (and their finalizers) do not change it.
    function Get-OwnHandlerCount { $script:source.GetMethod('OwnHandlerCount', [Reflection.BindingFlags]'NonPublic,Static').Invoke($null, @([uri]$options.Proxy)) }
}

Describe 'HTTP handlers' {
    It 'finds the handler counter' {
        $script:source | Should -Not -BeNullOrEmpty
        Get-OwnHandlerCount | Should -BeOfType [int]
    }

    It 'leaves nothing behind after 200 Connect-Caxton and Disconnect-Caxton rounds' {
        $before = Get-OwnHandlerCount
        foreach ($round in 1..200) {
            $null = Connect-Caxton @options -Name 'round'
            Disconnect-Caxton -Connection 'round'
        }
        Get-OwnHandlerCount | Should -Be $before
    }

    It 'shares one handler between connections with identical settings' {
        $before = Get-OwnHandlerCount
        $null = Connect-Caxton @options -Name 'same-1'
        $null = Connect-Caxton @options -Name 'same-2'
        Get-OwnHandlerCount | Should -Be ($before + 1)
        Disconnect-Caxton -Connection 'same-1'
        Get-OwnHandlerCount | Should -Be ($before + 1)
        Disconnect-Caxton -Connection 'same-2'
        Get-OwnHandlerCount | Should -Be $before
    }

    It 'releases the handler of a connection whose name is connected again' {
        $before = Get-OwnHandlerCount
        foreach ($round in 1..20) {
            $credential = [pscredential]::new('proxy-user', (ConvertTo-SecureString "pw-$round" -AsPlainText -Force))
            $null = Connect-Caxton @options -ProxyCredential $credential -Name 'again'
        }
        Get-OwnHandlerCount | Should -Be ($before + 1)
        Disconnect-Caxton -Connection 'again'
        Get-OwnHandlerCount | Should -Be $before
    }
}
