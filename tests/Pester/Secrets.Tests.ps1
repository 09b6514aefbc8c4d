# Secret hygiene: no password or token in transcripts, streams, $Error or default output; Ctrl+C and timeouts.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'No secret in any transcript, stream or error' {
    It 'runs every cmdlet, success and failure, under Start-Transcript with -Verbose -Debug and finds no secret' {
        $secrets = [System.Collections.Generic.List[string]]::new()
        $transcript = Join-Path ([IO.Path]::GetTempPath()) "caxton-transcript-$([guid]::NewGuid()).txt"
        $main = New-CaxtonEmulatorAccount -Emulator $emulator
        $identity = 'SUB-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $sub = New-CaxtonEmulatorAccount -Emulator $emulator -IdentityNumber $identity -ParentUsername $main.Username
        $wrong = 'Wrong-but-secret-' + [guid]::NewGuid().ToString('n')
        $secrets.Add($wrong)
        $Error.Clear()
        $DebugPreference = 'Continue'; $VerbosePreference = 'Continue'

        $null = Start-Transcript -Path $transcript
        try {
            # Success paths, with -Verbose -Debug and default output on the host.
            Connect-Caxton -BaseUri $emulator.BaseUri -Name 'secrets' -Verbose -Debug | Out-Host
            $password = New-CaxtonPassword -Username $main.Username -Clientname $main.Clientname -Confirm:$false -Verbose -Debug
            $password | Out-Host; $password | Format-List * | Out-Host
            $secrets.Add((ConvertTo-PlainText $password.ClientPassword))
            $token = $password | Get-CaxtonToken -Verbose -Debug
            $token | Out-Host; $token | Format-List * | Out-Host
            $secrets.Add((ConvertTo-PlainText $token.AccessToken))
            $forced = Get-CaxtonToken -Force -Verbose -Debug
            $forced | Out-Host
            $secrets.Add((ConvertTo-PlainText $forced.AccessToken))
            Connect-Caxton -BaseUri $emulator.BaseUri -Credential ([pscredential]::new($password.Username, $password.ClientPassword)) -Verbose -Debug | Format-List * | Out-Host
            $secrets.Add((ConvertTo-PlainText (Get-CaxtonToken).AccessToken))
            Get-CaxtonConnection | Format-List * | Out-Host
            Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' -Verbose -Debug | Out-Host
            $null = Invoke-CaxtonEmulatorControl -Emulator $emulator -Path "accounts/$($main.Username)/revoke-tokens"
            Invoke-CaxtonRestMethod 'reference/lookup/banks/EUR' -Raw -Verbose -Debug | Out-Host   # 401, then a new token
            $secrets.Add((ConvertTo-PlainText (Get-CaxtonToken).AccessToken))
            $subPassword = New-CaxtonPassword -Username $sub.Username -Clientname $sub.Clientname -Connection ([Caxton.CaxtonConnection]::new([uri]$emulator.BaseUri)) -Confirm:$false -Verbose -Debug
            $secrets.Add((ConvertTo-PlainText $subPassword.ClientPassword))
            Reset-CaxtonCredential -Username $main.Username -Clientname $main.Clientname -IdentityNumber $identity -Force -PassThru -Verbose -Debug | Out-Host

            # Failure paths.
            Get-CaxtonToken -Username $main.Username -ClientPassword (ConvertTo-SecureString $wrong -AsPlainText -Force) -Verbose -Debug -ErrorAction Continue
            # Connect-Caxton ends with a terminating error when the credential does not work.
            try { Connect-Caxton -BaseUri $emulator.BaseUri -Credential ([pscredential]::new($main.Username, (ConvertTo-SecureString $wrong -AsPlainText -Force))) -Verbose -Debug }
            catch { $_ | Out-Host }
            # A failed connect leaves no default to fall back on (NotConnected, issue 17); pick the named one again.
            try { Get-CaxtonToken -Verbose -Debug } catch { $_ | Out-Host }
            Select-CaxtonConnection -Name 'secrets'
            New-CaxtonPassword -Username $main.Username -Clientname $main.Clientname -Confirm:$false -Verbose -Debug -ErrorAction Continue
            Invoke-CaxtonRestMethod 'reference/lookup/banks/XXX' -Connection 'secrets' -Verbose -Debug -ErrorAction Continue
            Reset-CaxtonCredential -Username $main.Username -Clientname 'not-the-client' -Force -Verbose -Debug -ErrorAction Continue
            Reset-CaxtonCredential -Username $main.Username -Clientname $main.Clientname -Force -PassThru -Verbose -Debug | Out-Host
            Get-CaxtonToken -Username $main.Username -ClientPassword $password.ClientPassword -Verbose -Debug -ErrorAction Continue
            Disconnect-Caxton -Verbose -Debug
        }
        finally {
            $null = Stop-Transcript
            $DebugPreference = 'SilentlyContinue'; $VerbosePreference = 'SilentlyContinue'
        }

        $text = Get-Content -Raw $transcript
        Remove-Item $transcript
        $errorText = ($Error | ForEach-Object { ($_ | Format-List * -Force | Out-String) + $_.Exception.ToString() + ($_.ErrorDetails | Out-String) }) -join "`n"
        $text | Should -Match 'Get Access Token: request POST'        # the debug trace really is there
        $text | Should -Match 'Password=\*{8}'
        $Error.Count | Should -BeGreaterOrEqual 6                     # the failures really happened
        $secrets | ForEach-Object { $_.Length | Should -BeGreaterOrEqual 16 }
        $found = @($secrets | Where-Object { $text.Contains($_) -or $errorText.Contains($_) })
        if ($env:CAXTON_TEST_REPORT_DIR) {
            $null = New-Item -ItemType Directory -Force -Path $env:CAXTON_TEST_REPORT_DIR
            "secrets: $($found.Count) found ($($secrets.Count) secrets searched in $($text.Length + $errorText.Length) characters of transcript and errors)" |
                Add-Content -LiteralPath (Join-Path $env:CAXTON_TEST_REPORT_DIR 'secrets.txt')
        }
        $found.Count | Should -Be 0
    }

    It 'Export-Clixml keeps secrets as SecureString' {
        $null = Connect-Caxton -BaseUri $emulator.BaseUri
        $password = New-TestPassword -Emulator $emulator
        $token = $password | Get-CaxtonToken
        $file = Join-Path ([IO.Path]::GetTempPath()) "caxton-$([guid]::NewGuid()).xml"
        try {
            $password, $token, (Get-CaxtonConnection) | Export-Clixml -LiteralPath $file
            $xml = Get-Content -Raw $file
            $xml.Contains((ConvertTo-PlainText $password.ClientPassword)) | Should -BeFalse
            $xml.Contains((ConvertTo-PlainText $token.AccessToken)) | Should -BeFalse
            $back = Import-Clixml -LiteralPath $file
            $back[0].ClientPassword | Should -BeOfType ([securestring])
            $back[1].AccessToken | Should -BeOfType ([securestring])
        }
        finally { Remove-Item $file -ErrorAction Ignore }
    }

    It 'ToString of every output type shows no secret' {
        $null = Connect-Caxton -BaseUri $emulator.BaseUri
        $password = New-TestPassword -Emulator $emulator
        $token = $password | Get-CaxtonToken
        $text = "$password $token $(Get-CaxtonConnection)"
        $text.Contains((ConvertTo-PlainText $password.ClientPassword)) | Should -BeFalse
        $text.Contains((ConvertTo-PlainText $token.AccessToken)) | Should -BeFalse
        $text | Should -Match 'valid until'
    }
}

Describe 'Never hang a runbook' {
    BeforeAll {
        # A server that accepts connections (the OS does, from the backlog) and never answers.
        $script:stall = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $stall.Start()
        $script:stallUri = "http://127.0.0.1:$($stall.LocalEndpoint.Port)/api/"
    }

    AfterAll {
        $stall.Stop()
    }

    It 'a server that stalls ends in RequestTimeout after about -TimeoutSec' {
        $null = Connect-Caxton -BaseUri $stallUri -TimeoutSec 2
        $watch = [Diagnostics.Stopwatch]::StartNew()
        New-CaxtonPassword -Username a -Clientname b -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
        $watch.Stop()
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'RequestTimeout,*'
        $failed[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 1.9
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 6
    }

    It 'Ctrl+C stops a request that would wait ten minutes, and the runspace goes on working' {
        $ps = [powershell]::Create()
        try {
            # Connections left from the test before are not this request's.
            while ($stall.Pending()) { $stall.AcceptSocket().Dispose() }
            $null = $ps.AddScript("Import-Module '$env:CAXTON_TEST_MODULE'; `$null = Connect-Caxton -BaseUri '$stallUri' -TimeoutSec 600; New-CaxtonPassword -Username a -Clientname b -Confirm:`$false")
            $async = $ps.BeginInvoke()
            # Waits on the condition itself: a connection carrying the request's bytes (Connect-Caxton's warm-up
            # may have opened another connection already, empty), so the request is out and waits for its answer.
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            $accepted = [Collections.Generic.List[Net.Sockets.Socket]]::new()
            $sent = $null
            while (-not $sent -and [DateTime]::UtcNow -lt $deadline) {
                if ($stall.Server.Poll(100000, [Net.Sockets.SelectMode]::SelectRead)) { $accepted.Add($stall.AcceptSocket()) }
                if ($accepted.Count -gt 0) {
                    $readable = [Collections.Generic.List[Net.Sockets.Socket]]::new($accepted)
                    [Net.Sockets.Socket]::Select($readable, $null, $null, 100000)
                    $sent = $readable | Where-Object Available -GT 0 | Select-Object -First 1
                }
            }
            $sent | Should -Not -BeNullOrEmpty
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 2

            $ps.Commands.Clear()
            $null = $ps.AddScript("`$null = Connect-Caxton -BaseUri '$($emulator.BaseUri)'; (Get-CaxtonConnection).BaseUri.AbsoluteUri")
            $ps.Invoke() | Should -Be $emulator.BaseUri -Because "$($ps.Streams.Error)"
        }
        finally {
            $ps.Dispose()
            $accepted | ForEach-Object { $_.Dispose() }
        }
    }
}

Describe 'Transport rules' {
    It '-SkipCertificateCheck warns' {
        $null = Connect-Caxton -BaseUri $emulator.BaseUri -SkipCertificateCheck -WarningVariable warned -WarningAction SilentlyContinue
        "$warned" | Should -Match 'Certificate checks are off'
        (Get-CaxtonConnection).SkipCertificateCheck | Should -BeTrue
    }

    It '-ProxyCredential without -Proxy is refused' {
        $credential = [pscredential]::new('proxyuser', (ConvertTo-SecureString 'proxy-password' -AsPlainText -Force))
        { Connect-Caxton -BaseUri $emulator.BaseUri -ProxyCredential $credential -ErrorAction Stop } | Should -Throw -ErrorId 'ProxyUriRequired,Caxton.Commands.ConnectCaxtonCommand'
    }

    It '-ProxyCredential with -ProxyUseDefaultCredentials is refused with its own ErrorId' {
        $credential = [pscredential]::new('proxyuser', (ConvertTo-SecureString 'proxy-password' -AsPlainText -Force))
        { Connect-Caxton -BaseUri $emulator.BaseUri -Proxy 'http://127.0.0.1:9/' -ProxyCredential $credential -ProxyUseDefaultCredentials -ErrorAction Stop } | Should -Throw -ErrorId 'ProxyCredentialConflict,Caxton.Commands.ConnectCaxtonCommand'
    }

    It 'a connection with a proxy and retries set shows them and still works' {
        $connection = Connect-Caxton -BaseUri $emulator.BaseUri -MaximumRetryCount 1 -Proxy 'http://127.0.0.1:9/' -ProxyUseDefaultCredentials
        $connection.MaximumRetryCount | Should -Be 1
        $connection.Proxy | Should -BeNullOrEmpty -Because 'a connection to this machine never uses a proxy (issue 19)'
    }
}

Describe 'A disposed SecureString' {
    BeforeAll {
        $script:connection = Connect-Caxton -BaseUri $emulator.BaseUri -Name ('disposed-' + [guid]::NewGuid().ToString('n'))
    }

    It '<Name> is SecretDisposed (InvalidArgument), not UnexpectedError' -ForEach @(
        @{ Name = 'piped to Get-CaxtonToken'; Call = { param($p, $c) $p | Get-CaxtonToken -Connection $c -ErrorAction SilentlyContinue -ErrorVariable failed } }
        @{ Name = 'in a -Credential'; Call = { param($p, $c) Get-CaxtonToken -Credential ([pscredential]::new($p.Username, $p.ClientPassword)) -Connection $c -ErrorAction SilentlyContinue -ErrorVariable failed } }
    ) {
        $account = New-CaxtonEmulatorAccount -Emulator $emulator
        $password = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Connection ($connection.Name) -Confirm:$false
        $password.ClientPassword.Dispose()
        # Dot-sourced, so -ErrorVariable lands here.
        . $Call $password $connection
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'SecretDisposed,*'
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'reading .Credential of a password whose SecureString was disposed warns why it is $null' {
        $account = New-CaxtonEmulatorAccount -Emulator $emulator
        $password = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Connection ($connection.Name) -Confirm:$false
        $password.ClientPassword.Dispose()
        $seen = & { $password.Credential } 3>&1
        $seen | Where-Object { $_ -is [pscredential] } | Should -BeNullOrEmpty
        ($seen | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }).Message | Should -BeLike '*was disposed*'
    }
}
