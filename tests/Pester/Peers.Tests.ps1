# Real third-party peers, next to the emulator and the hostile server: nginx as a TLS front with a CA made
# for the run, squid with basic proxy authentication, and a custom PowerShell host on
# Microsoft.PowerShell.SDK with its own Microsoft.Extensions.* (tests/SdkHost). Each finding of issue 18
# has a test here that reproduced it. All state lives in one temp folder; every process is stopped.
# Without nginx, squid, htpasswd or openssl (a machine without apt), the TLS and proxy tests are skipped
# and say so; .ci/run installs them. tests/Invoke-PesterTests.ps1 counts this file's results for CI's
# summary line, "peers: N passed, N failed".
BeforeDiscovery {
    . $PSScriptRoot/PeerServers.ps1
    $script:missingTools = @((Get-MissingPeerTools).Missing)
    $script:noPeers = $missingTools.Count -gt 0 -or $IsWindows
}

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/PeerServers.ps1
    $script:missing = @((Get-MissingPeerTools).Missing)
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR
    $script:work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) ("caxton-peers-" + [guid]::NewGuid().ToString('n')))
    $script:proxyCredential = [pscredential]::new('caxton-proxy', (ConvertTo-SecureString ('proxy-' + [guid]::NewGuid().ToString('n')) -AsPlainText -Force))
    $script:wrongProxyCredential = [pscredential]::new('caxton-proxy', (ConvertTo-SecureString ('wrong-' + [guid]::NewGuid().ToString('n')) -AsPlainText -Force))
    $script:nginx = $null
    $script:squid = $null
    $script:secretsSeen = [Collections.Generic.List[string]]::new()
    if ($missing.Count -eq 0 -and -not $IsWindows) {
        $script:certificates = New-PeerCertificates -Directory $work
        $script:nginx = Start-PeerNginx -Directory $work -Certificates $certificates -Upstream ([uri]$emulator.BaseUri).Authority
        $script:squid = Start-PeerSquid -Directory $work -ProxyCredential $proxyCredential
    }

    function Get-TlsBaseUri([string] $Kind = 'Good', [string] $HostName = 'localhost') { "https://${HostName}:$($nginx.Ports[$Kind])/api/" }

    function New-PeerPassword($Connection) {
        # A fresh account and its password over the given connection; its secrets are remembered for the log checks.
        $password = New-TestPassword -Emulator $emulator -Connection $Connection
        $secretsSeen.Add((ConvertTo-PlainText $password.ClientPassword))
        $password
    }

    function Invoke-Refused([scriptblock] $Call) {
        # The error record of a call that must fail, and how many attempts its verbose stream shows.
        $VerbosePreference = 'Continue'
        $stream = [Collections.Generic.List[object]]::new()
        try { & $Call 4>&1 2>&1 | ForEach-Object { $stream.Add($_) } } catch { $stream.Add($_) }
        $record = $stream | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Select-Object -First 1
        if (-not $record) { throw "The call succeeded: $($stream -join "`n")" }
        $verbose = @($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        [pscustomobject]@{
            Record   = $record
            Attempts = @($verbose | Where-Object { $_ -match ': (GET|POST|PUT) https?://' }).Count
            Retried  = @($verbose | Where-Object { $_ -match 'retrying' }).Count
        }
    }

    function Get-SquidAccess { @(Get-Content -LiteralPath $squid.Access -ErrorAction Ignore) }
}

AfterAll {
    Stop-PeerServer $script:nginx
    Stop-PeerServer $script:squid
    $script:emulator | Stop-CaxtonEmulator
    Remove-Item -LiteralPath $script:work -Recurse -Force -ErrorAction Ignore
}

Describe 'nginx as a TLS front with a throwaway CA' -Skip:$noPeers {
    BeforeEach { Disconnect-Caxton }

    It 'the whole flow runs with -CertificateAuthority given as a path, and as an X509Certificate2' {
        $connection = Connect-Caxton -BaseUri (Get-TlsBaseUri) -CertificateAuthority $certificates.Authority
        $password = New-PeerPassword -Connection $connection
        $token = $password | Get-CaxtonToken
        $token.Username | Should -Be $password.Username
        (Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' -Connection $connection).ApiStatus | Should -Be 'IsValid'

        $certificate = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($certificates.Authority)
        $second = Connect-Caxton -BaseUri (Get-TlsBaseUri -HostName '127.0.0.1') -CertificateAuthority $certificate -Credential $password.Credential
        (Get-CaxtonToken -Connection $second -Force).Username | Should -Be $password.Username
    }

    It 'an untrusted chain is CertificateRejected, once, naming the host, the reason and the issuer' {
        $null = Connect-Caxton -BaseUri (Get-TlsBaseUri)
        $refused = Invoke-Refused { New-CaxtonPassword -Username 'someone' -Clientname 'client' -Confirm:$false }
        $refused.Record.FullyQualifiedErrorId | Should -BeLike 'CertificateRejected,*'
        $refused.Record.CategoryInfo.Category | Should -Be 'SecurityError'
        $refused.Record.Exception.Message | Should -Match 'certificate of localhost was rejected: untrusted chain'
        $refused.Record.Exception.Message | Should -Match "issued by 'CN=Caxton Peers Test CA'"
        $refused.Record.ErrorDetails.RecommendedAction | Should -Match '-CertificateAuthority'
        $refused.Attempts | Should -Be 1
        $refused.Retried | Should -Be 0
    }

    It 'another name''s certificate is CertificateRejected as a name mismatch, even with the right CA' {
        $null = Connect-Caxton -BaseUri (Get-TlsBaseUri -Kind OtherName) -CertificateAuthority $certificates.Authority
        $refused = Invoke-Refused { New-CaxtonPassword -Username 'someone' -Clientname 'client' -Confirm:$false }
        $refused.Record.FullyQualifiedErrorId | Should -BeLike 'CertificateRejected,*'
        $refused.Record.Exception.Message | Should -Match 'name mismatch: the certificate is for other.test, not localhost'
        $refused.Attempts | Should -Be 1
        $refused.Retried | Should -Be 0
    }

    It 'an expired certificate is CertificateRejected as expired, even with the right CA' {
        $null = Connect-Caxton -BaseUri (Get-TlsBaseUri -Kind Expired) -CertificateAuthority $certificates.Authority
        $refused = Invoke-Refused { New-CaxtonPassword -Username 'someone' -Clientname 'client' -Confirm:$false }
        $refused.Record.FullyQualifiedErrorId | Should -BeLike 'CertificateRejected,*'
        $refused.Record.Exception.Message | Should -Match 'expired on 2021-01-01'
        $refused.Attempts | Should -Be 1
    }

    It '-CertificateAuthority is trusted by its own connection only: another connection in the session still refuses the chain' {
        $trusting = Connect-Caxton -BaseUri (Get-TlsBaseUri) -CertificateAuthority $certificates.Authority -Name 'trusting'
        $null = New-PeerPassword -Connection $trusting
        $null = Connect-Caxton -BaseUri (Get-TlsBaseUri) -Name 'plain'
        $refused = Invoke-Refused { New-CaxtonPassword -Username 'someone' -Clientname 'client' -Connection plain -Confirm:$false }
        $refused.Record.FullyQualifiedErrorId | Should -BeLike 'CertificateRejected,*'
        # Nor does the process trust it: .NET's own HttpClient refuses it too.
        $client = [System.Net.Http.HttpClient]::new()
        try { { $client.GetAsync("$(Get-TlsBaseUri)reference/lookup/banks/GBP").GetAwaiter().GetResult() } | Should -Throw }
        finally { $client.Dispose() }
        Disconnect-Caxton trusting; Disconnect-Caxton plain
    }

    It 'a child process trusts the CA through SSL_CERT_FILE, without -CertificateAuthority and without the machine''s trust store' {
        $account = New-CaxtonEmulatorAccount -Emulator $emulator
        $saved = $env:SSL_CERT_FILE
        $env:SSL_CERT_FILE = $certificates.Authority
        try {
            $output = Invoke-FreshPwsh -Command "Import-Module '$env:CAXTON_TEST_MODULE'; `$null = Connect-Caxton -BaseUri '$(Get-TlsBaseUri)'; (New-CaxtonPassword -Username '$($account.Username)' -Clientname '$($account.Clientname)' -Confirm:`$false).Username" 2>&1
        }
        finally { $env:SSL_CERT_FILE = $saved }
        ($output | Select-Object -Last 1) | Should -Be $account.Username
    }

    It 'a redirect is RedirectNotFollowed with its status and the Location without its query' {
        $connection = Connect-Caxton -BaseUri (Get-TlsBaseUri) -CertificateAuthority $certificates.Authority
        $password = New-PeerPassword -Connection $connection
        $null = $password | Get-CaxtonToken
        $refused = Invoke-Refused { Invoke-CaxtonRestMethod 'moved/' }
        $refused.Record.FullyQualifiedErrorId | Should -BeLike 'RedirectNotFollowed,*'
        $refused.Record.Exception.HttpStatus | Should -Be 302
        $refused.Record.Exception.Message | Should -Match 'HTTP 302, a redirect, with Location https://elsewhere.example/api/moved/'
        $refused.Record.Exception.Message | Should -Not -Match 'peer-redirect-token'
        $refused.Attempts | Should -Be 1
    }
}

Describe 'Connect-Caxton -CertificateAuthority input' {
    It 'a file that is no certificate, a missing file, another type or -SkipCertificateCheck beside it: InvalidCertificateAuthority' {
        $notCertificate = Join-Path $work 'not-a-certificate.pem'
        Set-Content -LiteralPath $notCertificate -Value "-----BEGIN CERTIFICATE-----`nbm90IGEgY2VydGlmaWNhdGU=`n-----END CERTIFICATE-----"
        $cases = @(
            @{ CertificateAuthority = $notCertificate },
            @{ CertificateAuthority = (Join-Path $work 'missing.pem') },
            @{ CertificateAuthority = 42 },
            @{ CertificateAuthority = $notCertificate; SkipCertificateCheck = $true }
        )
        foreach ($case in $cases) {
            $record = $null
            try { $null = Connect-Caxton -BaseUri 'https://caxton.test/api/' @case } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -Be 'InvalidCertificateAuthority,Caxton.Commands.ConnectCaxtonCommand'
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.ErrorDetails.RecommendedAction | Should -Match 'root certificate'
        }
    }
}

Describe 'squid with basic proxy authentication, in front of the TLS host' -Skip:$noPeers {
    BeforeAll {
        # caxton.test is loopback only in squid's own hosts file: Caxton really goes through the proxy.
        $script:proxiedUri = Get-TlsBaseUri -HostName 'caxton.test'
    }
    BeforeEach { Disconnect-Caxton }

    It 'with the right credentials, the flow runs through the CONNECT tunnel' {
        $before = (Get-SquidAccess).Count
        $connection = Connect-Caxton -BaseUri $proxiedUri -Proxy $squid.Uri -ProxyCredential $proxyCredential -CertificateAuthority $certificates.Authority
        $password = New-PeerPassword -Connection $connection
        $token = $password | Get-CaxtonToken
        $secretsSeen.Add((ConvertTo-PlainText $token.AccessToken))
        $token.Username | Should -Be $password.Username
        (Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' -Connection $connection).ApiStatus | Should -Be 'IsValid'
        # caxton.test resolves nowhere but in squid's hosts file: the flow could only run through the tunnel.
        # (squid logs the tunnel itself when it closes; the pooled connection is still open.)
        (Get-SquidAccess | Select-Object -Skip $before) -join "`n" | Should -Match "CONNECT caxton.test:$($nginx.Ports.Good) "
    }

    It 'with a wrong password: ProxyAuthenticationRequired, credentials sent, one refused sign-in only' {
        $before = (Get-SquidAccess).Count
        $null = Connect-Caxton -BaseUri $proxiedUri -Proxy $squid.Uri -ProxyCredential $wrongProxyCredential -CertificateAuthority $certificates.Authority
        $refused = Invoke-Refused { New-CaxtonPassword -Username 'someone' -Clientname 'client' -Confirm:$false }
        $refused.Record.FullyQualifiedErrorId | Should -BeLike 'ProxyAuthenticationRequired,*'
        $refused.Record.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $refused.Record.Exception.Message | Should -Match "the proxy $([regex]::Escape($squid.Uri.GetLeftPart('Authority'))) answered HTTP 407"
        $refused.Record.Exception.Message | Should -Match 'CONNECT'
        $refused.Record.Exception.Message | Should -Match 'was sent and refused'
        $refused.Record.ErrorDetails.RecommendedAction | Should -Match '-ProxyCredential'
        $refused.Retried | Should -Be 0
        # .NET asks without credentials first and answers the challenge once: one refused sign-in, where
        # retrying the tunnel as a connection failure made eight.
        $lines = @(Get-SquidAccess | Select-Object -Skip $before)
        @($lines | Where-Object { $_ -match "TCP_DENIED/407 .* CONNECT caxton.test:\d+ $($wrongProxyCredential.UserName) " }).Count | Should -Be 1
        @($lines | Where-Object { $_ -match 'TCP_DENIED/407 .* CONNECT ' }).Count | Should -BeLessOrEqual 2
    }

    It 'without credentials: ProxyAuthenticationRequired, none sent, both switches recommended, one CONNECT only' {
        $before = (Get-SquidAccess).Count
        $null = Connect-Caxton -BaseUri $proxiedUri -Proxy $squid.Uri -CertificateAuthority $certificates.Authority
        $refused = Invoke-Refused { New-CaxtonPassword -Username 'someone' -Clientname 'client' -Confirm:$false }
        $refused.Record.FullyQualifiedErrorId | Should -BeLike 'ProxyAuthenticationRequired,*'
        $refused.Record.Exception.Message | Should -Match 'no proxy credentials were sent'
        $refused.Record.Exception.Message | Should -Match '407'
        $refused.Record.ErrorDetails.RecommendedAction | Should -Match '-ProxyCredential'
        $refused.Record.ErrorDetails.RecommendedAction | Should -Match '-ProxyUseDefaultCredentials'
        @(Get-SquidAccess | Select-Object -Skip $before | Where-Object { $_ -match 'TCP_DENIED/407 .* CONNECT ' }).Count | Should -Be 1
    }

    It 'the proxy''s and the TLS front''s logs never hold a password or a token' {
        $secretsSeen.Count | Should -BeGreaterThan 2
        $secrets = @($secretsSeen) + $proxyCredential.GetNetworkCredential().Password + $wrongProxyCredential.GetNetworkCredential().Password
        $logs = @($squid.Logs) + @($nginx.Logs) | Where-Object { Test-Path -LiteralPath $_ }
        $logs.Count | Should -BeGreaterThan 3
        foreach ($log in $logs) {
            $text = Get-Content -Raw -LiteralPath $log
            foreach ($secret in $secrets) { $text | Should -Not -Match ([regex]::Escape($secret)) -Because "$log must not hold a secret" }
        }
    }
}

Describe 'A custom PowerShell host on Microsoft.PowerShell.SDK with its own Microsoft.Extensions.*' {
    BeforeAll {
        # Built here, once per Microsoft.Extensions.* version, into out/ (ignored by git).
        $out = Split-Path (Split-Path $env:CAXTON_TEST_MODULE)
        $script:hosts = @{}
        foreach ($version in '6.0.0', '8.0.0') {
            $target = Join-Path $out "sdkhost/$version"
            $output = & dotnet build (Join-Path $PSScriptRoot '../SdkHost/SdkHost.csproj') -c Release -o $target --nologo -v quiet `
                "-p:HostExtensionsVersion=$version" "-p:BaseIntermediateOutputPath=$(Join-Path $out "obj/sdkhost-$version")/" 2>&1
            if ($LASTEXITCODE -ne 0) { throw "Building the SDK host ($version) failed:`n$($output -join "`n")" }
            $hosts[$version] = Join-Path $target 'SdkHost.dll'
        }

        function Invoke-SdkHost([string] $Version, [string] $Order) {
            $output = & dotnet $hosts[$Version] $env:CAXTON_TEST_MODULE $emulator.BaseUri $emulator.ControlUri $emulator.ControlKey $Order 2>&1
            $json = $output | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1
            if ($LASTEXITCODE -ne 0 -or -not $json) { throw "The SDK host failed (exit $LASTEXITCODE):`n$($output -join "`n")" }
            $json | ConvertFrom-Json
        }

        function Assert-HostReport($Report, [string] $HostVersion) {
            # The host's own stack, at its own version, works before and after Caxton.
            $Report.HostVersion | Should -Be ($HostVersion -replace '\.0$', '.0.0')
            $Report.HostEnd | Should -Be 200
            # Caxton's flow in a RunspacePool: typed objects, the right identity, the API answering.
            $Report.PoolFlow.Count | Should -Be 2
            foreach ($flow in $Report.PoolFlow) { $flow.Typed | Should -BeTrue; $flow.UsernameMatches | Should -BeTrue; $flow.Banks | Should -Be 'IsValid' }
            # Caxton's Microsoft.Extensions.Http is its own 8.0, in its own context, beside the host's.
            $Report.Loaded | Should -Contain '8.0.0.0 CaxtonLoadContext'
            $Report.Loaded | Should -Contain "$($HostVersion -replace '\.0$', '.0.0') DefaultAssemblyLoadContext"
            # One runspace, two invocations, two identities: the second never runs as the first.
            $Report.Reused.FirstIsFirst | Should -BeTrue
            $Report.Reused.SecondIsSecond | Should -BeTrue
            $Report.Reused.SameToken | Should -BeFalse
            $Report.Reused.SameConnection | Should -BeFalse
            $Report.Reused.Banks | Should -Be 'IsValid', 'IsValid'
            # And one that forgets to connect runs as nobody: nothing is sent.
            $Report.Reused.Forgetful | Should -BeLike 'NotConnected,*'
        }
    }

    It 'a host with Microsoft.Extensions.* 6.0 used before the import runs the flow (it failed with TypeInitializationException)' {
        $report = Invoke-SdkHost -Version '6.0.0' -Order Before
        $report.HostBefore | Should -Be 200
        Assert-HostReport $report '6.0.0'
    }

    It 'a host with Microsoft.Extensions.* 6.0 used after the import: both keep working' {
        Assert-HostReport (Invoke-SdkHost -Version '6.0.0' -Order After) '6.0.0'
    }

    It 'a host with Microsoft.Extensions.* 8.0, Caxton''s own version: Caxton still loads its own copies, not the host''s' {
        $report = Invoke-SdkHost -Version '8.0.0' -Order Before
        $report.HostBefore | Should -Be 200
        Assert-HostReport $report '8.0.0'
    }
}
