# The built module against a hostile peer (tests/Hostile/HostileServer.cs), not the emulator: a server
# that lies, stalls, echoes secrets in bodies, reason phrases and encodings, drops connections, and keeps
# the raw bytes of every request; and against hostile input (control characters, paths that climb out).
# Every cmdlet is driven against it. Writes "hostile: N attacks, N succeeded" for CI.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    if (-not ('Caxton.Hostile.HostileServer' -as [type])) {
        Add-Type -Path (Join-Path $PSScriptRoot '../Hostile/HostileServer.cs')
    }
    $script:server = [Caxton.Hostile.HostileServer]::new()
    $script:attacks = 0
    $script:succeeded = 0
    $script:password = 'Hx7-Qz9!pL2#vN4-rW8=kT5'
    $script:token = 'Tk7-' + [guid]::NewGuid().ToString('n')

    function Invoke-Attack {
        # One attack: it succeeded if any of its checks failed.
        param([Parameter(Mandatory)] [scriptblock] $Attack)
        $script:attacks++
        try { & $Attack }
        catch { $script:succeeded++; throw }
    }

    function Reset-HostileServer {
        # Forget earlier attacks; the token endpoint answers properly unless an attack says otherwise.
        param([switch] $NoToken)
        $server.Reset()
        if (-not $NoToken) { $server.On('/token', [Caxton.Hostile.HostileReply]::Token($token)) }
    }

    function Connect-Hostile {
        # A connection holding a credential and a cached token, made before the attack's bytes are counted.
        param([int] $TimeoutSec = 20, [int] $MaximumRetryCount = 3)
        Reset-HostileServer
        $credential = [pscredential]::new('main', (ConvertTo-SecureString $password -AsPlainText -Force))
        $connection = Connect-Caxton -BaseUri $server.BaseUri -Credential $credential -TimeoutSec $TimeoutSec -MaximumRetryCount $MaximumRetryCount
        Reset-HostileServer
        $connection
    }

    function Measure-TimedOutCall {
        # Calls the API path once; it must end in RequestTimeout. Returns the seconds it took.
        param([Parameter(Mandatory)] $Connection)
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Invoke-CaxtonRestMethod 'x' -Connection $Connection -ErrorAction SilentlyContinue -ErrorVariable failed
        $watch.Stop()
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'RequestTimeout,*'
        $watch.Elapsed.TotalSeconds
    }

    function Get-SecretRun {
        # The 8-character runs of any secret that appear in the text.
        param([string] $Text, [string[]] $Secret)
        foreach ($s in $Secret) {
            for ($i = 0; $i + 8 -le $s.Length; $i++) {
                $run = $s.Substring($i, 8)
                if ($Text.Contains($run)) { $run }
            }
        }
    }

    function Invoke-Transcribed {
        # Runs the block with -Verbose and -Debug on under a transcript; returns everything a user could see.
        param([Parameter(Mandatory)] [scriptblock] $Block)
        $path = Join-Path ([IO.Path]::GetTempPath()) "caxton-hostile-$([guid]::NewGuid().ToString('n')).txt"
        $Error.Clear()
        # Global: the cmdlets must see them whatever scope the block runs in. Errors stay non-terminating,
        # as a user would see them, even under the test runner's Stop.
        $errorAction = $global:ErrorActionPreference
        $global:VerbosePreference = 'Continue'; $global:DebugPreference = 'Continue'; $global:ErrorActionPreference = 'Continue'
        $null = Start-Transcript -Path $path
        try { & $Block *>&1 | Out-String | Out-Host }
        finally {
            $null = Stop-Transcript
            $global:VerbosePreference = 'SilentlyContinue'; $global:DebugPreference = 'SilentlyContinue'; $global:ErrorActionPreference = $errorAction
        }
        $text = Get-Content -Raw $path
        Remove-Item $path
        $errors = ($Error | ForEach-Object { ($_ | Format-List * -Force | Out-String) + $_.Exception.ToString() + ($_.ErrorDetails | Out-String) }) -join "`n"
        [pscustomobject]@{ Text = $text + "`n" + $errors; Errors = @($Error) }
    }
}

AfterAll {
    $server.Dispose()
    Disconnect-Caxton -ErrorAction SilentlyContinue
    if ($env:CAXTON_TEST_REPORT_DIR) {
        $null = New-Item -ItemType Directory -Force -Path $env:CAXTON_TEST_REPORT_DIR
        Set-Content -LiteralPath (Join-Path $env:CAXTON_TEST_REPORT_DIR 'hostile.txt') -Value "hostile: $script:attacks attacks, $script:succeeded succeeded"
    }
}

Describe 'Header injection (finding 1)' {
    It 'refuses -IdentityNumber <Name> before a single byte is sent' -TestCases @(
        @{ Name = 'with CRLF and a smuggled request'; Value = "SUB-1`r`nContent-Length: 0`r`n`r`nGET /smuggled HTTP/1.1`r`nHost: x`r`n`r`n" }
        @{ Name = 'with a bare LF'; Value = "SUB-1`nX-Smuggled: yes" }
        @{ Name = 'with a NUL'; Value = "SUB-1`0" }
        @{ Name = 'with another control character'; Value = "SUB-1`e[31m" }
    ) {
        param($Value)
        Invoke-Attack {
            $connection = Connect-Hostile
            Invoke-CaxtonRestMethod 'reference/x' -IdentityNumber $Value -Connection $connection -ErrorAction SilentlyContinue -ErrorVariable failed
            Reset-CaxtonCredential -Username main -Clientname c -IdentityNumber $Value -Force -Connection $connection -ErrorAction SilentlyContinue -ErrorVariable failedReset
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidHeaderValue,*'
            $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $failedReset[0].FullyQualifiedErrorId | Should -BeLike 'InvalidHeaderValue,*'
            $server.ReceivedText | Should -BeNullOrEmpty -Because 'no request (and so no Authorization header) may go out'
        }
    }

    It 'refuses smuggling rows from a CSV piped into Reset-CaxtonCredential, row by row' {
        Invoke-Attack {
            $connection = Connect-Hostile
            $server.On('/clients/auth/reset', [Caxton.Hostile.HostileReply]::Envelope(''))
            $rows = "Username,Clientname,IdentityNumber`n" +
                "main,c,`"SUB-1`r`nContent-Length: 0`r`n`r`nGET /smuggled HTTP/1.1`r`nHost: x`"`n" +
                "main,c,SUB-2`n" |
                ConvertFrom-Csv
            $rows | Reset-CaxtonCredential -Force -PassThru -Connection $connection -ErrorAction SilentlyContinue -ErrorVariable failed | Should -HaveCount 1
            $failed | Should -HaveCount 1
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidHeaderValue,*'
            $server.ReceivedText | Should -Not -Match 'smuggled'
            @($server.Requests) | Should -HaveCount 1
            $server.Requests[0].Header('IdentityNumber') | Should -Be 'SUB-2'
        }
    }

    It 'refuses -ContentType <ContentType> with <ErrorId>, never a FormatException' -TestCases @(
        @{ ContentType = "text/plain`r`nX-Smuggled: yes"; ErrorId = 'InvalidHeaderValue' }
        @{ ContentType = 'not a media type'; ErrorId = 'InvalidContentType' }
        @{ ContentType = 'a/b/c'; ErrorId = 'InvalidContentType' }
    ) {
        param($ContentType, $ErrorId)
        Invoke-Attack {
            $connection = Connect-Hostile
            Invoke-CaxtonRestMethod 'x' -Method POST -Body '{}' -ContentType $ContentType -Connection $connection -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
            $failed[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
            $failed[0].Exception | Should -BeOfType [Caxton.CaxtonException]
            $server.ReceivedText | Should -BeNullOrEmpty
        }
    }

    It 'refuses a token with <Name> when it arrives, and does not cache it' -TestCases @(
        @{ Name = 'CRLF'; Bad = "bad-token`r`nX-Smuggled: yes" }
        @{ Name = 'NUL'; Bad = "bad-token`0inside" }
    ) {
        param($Bad)
        Invoke-Attack {
            $connection = Connect-Hostile
            $server.Reset()
            $first = [Caxton.Hostile.HostileReply]::Token($Bad); $first.Times = 1
            $server.On('/token', $first)
            $server.On('/token', [Caxton.Hostile.HostileReply]::Token($token))
            $server.On('/x', [Caxton.Hostile.HostileReply]::Json('{"ok":true}'))
            Get-CaxtonToken -Force -Connection $connection -ErrorAction SilentlyContinue -ErrorVariable failed
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidResponse,*'
            # The connection goes on with the token it had: the bad one was never cached.
            (Invoke-CaxtonRestMethod 'x' -Connection $connection).ok | Should -BeTrue
            ($server.Requests | Where-Object Path -Like '*/x').Header('Authorization') | Should -Be "Bearer $token"
            $server.ReceivedText | Should -Not -Match 'Smuggled'
        }
    }
}

Describe 'Confirmation and What-if show only checked input' {
    It '<Name> -WhatIf is refused as <ErrorId>, with no What-if line (a forged one included)' -ForEach @(
        @{ Name = 'Reset-CaxtonCredential -IdentityNumber with a forged line'; ErrorId = 'InvalidHeaderValue'
            Call = 'Reset-CaxtonCredential -Username main -Clientname c -IdentityNumber "S1''`r`nWhat if: Forged line" -Connection $c -WhatIf' }
        @{ Name = 'Reset-CaxtonCredential -Regenerate -IdentityNumber with a forged line'; ErrorId = 'InvalidHeaderValue'
            Call = 'Reset-CaxtonCredential -Username main -Clientname c -IdentityNumber "S1`r`nWhat if: Forged line" -SubAccountUsername s -SubAccountClientname c -Regenerate -Connection $c -WhatIf' }
        @{ Name = 'Invoke-CaxtonRestMethod -IdentityNumber with a forged line'; ErrorId = 'InvalidHeaderValue'
            Call = 'Invoke-CaxtonRestMethod x -Method PUT -Body "{}" -IdentityNumber "S1`r`nWhat if: Forged line" -Connection $c -WhatIf' }
        @{ Name = 'Invoke-CaxtonRestMethod with a path outside the base URI'; ErrorId = 'PathOutsideBaseUri'
            Call = 'Invoke-CaxtonRestMethod ../../tenantB/x -Method DELETE -Connection $c -WhatIf' }
    ) {
        Invoke-Attack {
            Reset-HostileServer
            $script = @"
Import-Module '$env:CAXTON_TEST_MODULE'
`$c = Connect-Caxton -BaseUri '$($server.BaseUri)' -Name whatif
`$Error.Clear()
$Call 2>`$null
'RESULT ' + `$Error[0].FullyQualifiedErrorId
"@
            $output = Invoke-FreshPwsh -Command $script | Out-String
            $output | Should -Match "RESULT $ErrorId,"
            $output | Should -Not -Match 'What if:'
            $server.ReceivedText | Should -BeNullOrEmpty
        }
    }
}

Describe 'Userinfo in a URI' {
    It 'Connect-Caxton refuses a base URI with user:password@ and shows the password nowhere' {
        Invoke-Attack {
            $baseUri = $server.BaseUri.AbsoluteUri.Replace('http://', 'http://admin:TopSecretPw1@')
            $seen = Invoke-Transcribed { try { Connect-Caxton -BaseUri $baseUri -Name userinfo } catch { $_ | Out-String } }
            $seen.Errors[0].FullyQualifiedErrorId | Should -BeLike 'InvalidBaseUri,*'
            $seen.Text | Should -Not -Match 'TopSecretPw1'
            Get-CaxtonConnection -ListAvailable | Where-Object Name -EQ userinfo | Should -BeNullOrEmpty
        }
    }

    It 'Invoke-CaxtonRestMethod refuses an absolute path with user:password@ and shows the password nowhere' {
        Invoke-Attack {
            $connection = Connect-Hostile
            $outside = $server.BaseUri.GetLeftPart('Authority').Replace('http://', 'http://u:s3cretPW@') + '/tenantB/x'
            $seen = Invoke-Transcribed { Invoke-CaxtonRestMethod $outside -Connection $connection }
            $seen.Errors[0].FullyQualifiedErrorId | Should -BeLike 'PathOutsideBaseUri,*'
            $seen.Text | Should -Not -Match 's3cretPW'
            $server.ReceivedText | Should -BeNullOrEmpty
        }
    }
}

Describe 'token_type (finding 9)' {
    It 'refuses a <Type> token as InvalidResponse' -TestCases @(@{ Type = 'mac' }, @{ Type = 'pop' }, @{ Type = 'N_A' }) {
        param($Type)
        Invoke-Attack {
            $connection = Connect-Hostile
            $server.Reset()
            $server.On('/token', [Caxton.Hostile.HostileReply]::Token('a-token-of-type-' + $Type, $Type))
            Get-CaxtonToken -Force -Connection $connection -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidResponse,*'
        }
    }
}

Describe 'Redaction (findings 2, 3 and 4)' {
    It 'masks a 3,000-character token and a ClientPassword after a long PublicKey under an escaped name, in -Debug' {
        Invoke-Attack {
            $long = ('A' * 2980) + 'x9K!q w=Z~end-' + [guid]::NewGuid().ToString('n')
            $newPassword = 'Np4!' + [guid]::NewGuid().ToString('n') + ' =&<x>'
            $connection = Connect-Hostile
            $server.Reset()
            $server.On('/token', [Caxton.Hostile.HostileReply]::Token($long))
            $server.On('/clients/auth/register', [Caxton.Hostile.HostileReply]::Envelope(
                    '"PublicKey":"' + ('k' * 3000) + '","Client\u0050assword":' + [Caxton.Hostile.HostileReply]::JsonString($newPassword) + ',"EndDate":"2099-01-01T00:00:00Z"'))
            $seen = Invoke-Transcribed {
                $created = New-CaxtonPassword -Username main -Clientname c -Connection $connection -Confirm:$false
                ConvertTo-PlainText $created.ClientPassword | Should -Be $newPassword
                $null = Get-CaxtonToken -Force -Connection $connection
            }
            $seen.Text | Should -Match 'response HTTP 200'
            Get-SecretRun $seen.Text $newPassword, $long.Substring(2900) | Should -BeNullOrEmpty
        }
    }

    It 'masks the password in a reason phrase: -Verbose, the error, $Error and the transcript' {
        Invoke-Attack {
            $connection = Connect-Hostile -MaximumRetryCount 0
            $server.Reset()
            $server.On('/token', [Caxton.Hostile.HostileReply]::Json('{}', 500, "Bad password $password"))
            $seen = Invoke-Transcribed { Get-CaxtonToken -Force -Connection $connection }
            $seen.Errors | Should -Not -BeNullOrEmpty
            $seen.Text | Should -Match 'HTTP 500 Bad password \*{8}'
            Get-SecretRun $seen.Text $password | Should -BeNullOrEmpty
        }
    }

    It 'masks the token in the reason phrase and body of an API error' {
        Invoke-Attack {
            $connection = Connect-Hostile -MaximumRetryCount 0
            $server.On('/x', [Caxton.Hostile.HostileReply]::Json("{`"Message`":`"your token $token`"}", 500, "Bad token $token"))
            $seen = Invoke-Transcribed { Invoke-CaxtonRestMethod 'x' -Connection $connection }
            $seen.Errors | Should -Not -BeNullOrEmpty
            Get-SecretRun $seen.Text $token | Should -BeNullOrEmpty
        }
    }

    It 'shows no secret a peer echoes into the HTTP parser (<Name>): message, retry line, $Error, Export-Clixml' -TestCases @(
        @{ Name = 'an invalid header line'; Raw = "HTTP/1.1 400 Bad`r`nX{Secret}`r`nContent-Length: 0`r`n`r`n" }
        @{ Name = 'an invalid status line'; Raw = "HTTP/1.1 {Secret}`r`nContent-Length: 0`r`n`r`n" }
        @{ Name = 'a chunk-size line'; Raw = "HTTP/1.1 200 OK`r`nTransfer-Encoding: chunked`r`n`r`n{Secret}`r`n{}`r`n0`r`n`r`n" }
    ) {
        param($Raw)
        Invoke-Attack {
            $connection = Connect-Hostile -MaximumRetryCount 1
            $server.Reset()
            $server.On('/token', [Caxton.Hostile.HostileReply]@{ Raw = $Raw.Replace('{Secret}', '{Password}') })
            $seen = Invoke-Transcribed { Get-CaxtonToken -Force -Connection $connection }
            $seen.Errors[0].FullyQualifiedErrorId | Should -BeLike 'ConnectionFailed,*'
            $seen.Errors[0].Exception.InnerException | Should -BeNullOrEmpty
            $clixml = Join-Path ([IO.Path]::GetTempPath()) "caxton-hostile-$([guid]::NewGuid().ToString('n')).xml"
            $seen.Errors[0] | Export-Clixml -LiteralPath $clixml -Depth 5
            $exported = Get-Content -Raw -LiteralPath $clixml
            Remove-Item -LiteralPath $clixml
            $hex = [BitConverter]::ToString([Text.Encoding]::UTF8.GetBytes($password))
            $seen.Text | Should -Match 'retrying'
            Get-SecretRun ($seen.Text + $exported) $password, $hex, $hex.Replace('-', '') | Should -BeNullOrEmpty
        }
    }

    It 'masks the password echoed <Name>' -TestCases @(
        @{ Name = 'JSON-escaped'; Echo = { param($s) -join ($s.ToCharArray() | ForEach-Object { '\u{0:X4}' -f [int]$_ }) } }
        @{ Name = 'as ASP.NET escapes it'; Echo = { param($s) [Text.Encodings.Web.JavaScriptEncoder]::Default.Encode($s) } }
        @{ Name = 'URL-encoded'; Echo = { param($s) [uri]::EscapeDataString($s) } }
        @{ Name = 'HTML-entity encoded'; Echo = { param($s) -join ($s.ToCharArray() | ForEach-Object { '&#{0};' -f [int]$_ }) } }
    ) {
        param($Echo)
        Invoke-Attack {
            $odd = 'Od9!+&<' + [guid]::NewGuid().ToString('n') + ' é='
            $connection = Connect-Hostile -MaximumRetryCount 0
            $server.Reset()
            $echoed = & $Echo $odd
            $server.On('/token', [Caxton.Hostile.HostileReply]::Json("{`"error`":`"invalid_grant`",`"error_description`":`"password $echoed is wrong`"}", 400, "Bad $echoed"))
            $seen = Invoke-Transcribed {
                Get-CaxtonToken -Username main -ClientPassword (ConvertTo-SecureString $odd -AsPlainText -Force) -Connection $connection
            }
            $seen.Errors[0].FullyQualifiedErrorId | Should -BeLike 'InvalidCredentials,*'
            Get-SecretRun $seen.Text $odd, $echoed | Should -BeNullOrEmpty
        }
    }
}

Describe 'Returned secrets are the caller''s own (finding 5)' {
    It 'keeps the connection working after the caller disposes its token' {
        Invoke-Attack {
            $connection = Connect-Hostile
            $server.On('/x', [Caxton.Hostile.HostileReply]::Json('{"ok":true}'))
            $t = Get-CaxtonToken -Connection $connection
            $t.AccessToken.Dispose()
            ConvertTo-PlainText (Get-CaxtonToken -Connection $connection).AccessToken | Should -Be $token
            (Invoke-CaxtonRestMethod 'x' -Connection $connection).ok | Should -BeTrue
            $server.CountOf('/token') | Should -Be 0 -Because 'the cached token was not harmed'
        }
    }
}

Describe 'Raw exceptions (finding 6)' {
    It 'retries a GET whose connection drops mid-body' {
        Invoke-Attack {
            $connection = Connect-Hostile
            $drop = [Caxton.Hostile.HostileReply]::Json((' ' * 4096) + '{"ok":true}'); $drop.DropMidBody = $true; $drop.Times = 1
            $server.On('/x', $drop)
            $server.On('/x', [Caxton.Hostile.HostileReply]::Json('{"ok":true}'))
            (Invoke-CaxtonRestMethod 'x' -Connection $connection).ok | Should -BeTrue
            $server.CountOf('/x') | Should -Be 2
        }
    }

    It 'makes a POST and New-CaxtonPassword dropped mid-body a non-terminating ConnectionFailed, not repeated' {
        Invoke-Attack {
            $connection = Connect-Hostile
            $drop = [Caxton.Hostile.HostileReply]::Json((' ' * 4096) + '{}'); $drop.DropMidBody = $true
            $server.On('/x', $drop)
            $server.On('/clients/auth/register', $drop)
            $after = . {
                Invoke-CaxtonRestMethod 'x' -Method POST -Body '{}' -Connection $connection -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
                New-CaxtonPassword -Username main -Clientname c -Connection $connection -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failedRegister
                'the pipeline went on'
            }
            $after | Should -Be 'the pipeline went on'
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ConnectionFailed,*'
            $failedRegister[0].FullyQualifiedErrorId | Should -BeLike 'ConnectionFailed,*'
            $server.CountOf('/x') | Should -Be 1
            $server.CountOf('/clients/auth/register') | Should -Be 1
            { Invoke-CaxtonRestMethod 'x' -Method POST -Body '{}' -Connection $connection -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ConnectionFailed,Caxton.Commands.InvokeCaxtonRestMethodCommand'
        }
    }
}

Describe 'Paths (finding 7)' {
    It 'refuses <Path> before a single byte is sent' -TestCases @(
        @{ Path = '../../tenantB/x' }
        @{ Path = '%2e%2e/%2e%2e/tenantB/x' }
        @{ Path = '.%2e/.%2E/tenantB/x' }
        @{ Path = '..\..\tenantB\x' }
        @{ Path = '..%5c..%5ctenantB' }
        @{ Path = 'a/../../../tenantB' }
        @{ Path = '{base}%2e%2e/%2e%2e/tenantB/x' }
    ) {
        param($Path)
        Invoke-Attack {
            $connection = Connect-Hostile
            $Path = $Path.Replace('{base}', $server.BaseUri.AbsoluteUri)
            Invoke-CaxtonRestMethod $Path -Connection $connection -ErrorAction SilentlyContinue -ErrorVariable failed
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'PathOutsideBaseUri,*'
            $server.ReceivedText | Should -BeNullOrEmpty
        }
    }

    It 'refuses Connect-Caxton -ResetPath ../../x' {
        Invoke-Attack {
            { Connect-Caxton -BaseUri $server.BaseUri -ResetPath '../../x' -Name 'escape' } | Should -Throw -ErrorId 'PathOutsideBaseUri,Caxton.Commands.ConnectCaxtonCommand'
            Get-CaxtonConnection -Name 'escape' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
    }
}

Describe 'One time budget (finding 8)' {
    It 'ends a call whose refresh and second try would exceed -TimeoutSec with RequestTimeout, near the budget' {
        Invoke-Attack {
            $connection = Connect-Hostile -TimeoutSec 3 -MaximumRetryCount 0
            $server.Reset()
            $server.On('/token', [Caxton.Hostile.HostileReply]@{ StallBeforeHeadersMs = 2000; Body = [Caxton.Hostile.HostileReply]::Token($token).Body })
            $server.On('/x', [Caxton.Hostile.HostileReply]@{ StallBeforeHeadersMs = 2000; Status = 401; Reason = 'Unauthorized'; Body = [byte[]][char[]]'{}' })
            # Each step fits the 3 s budget; the three together (6 s) do not. Slack for a loaded machine.
            Measure-TimedOutCall $connection | Should -BeLessThan 5.5
        }
    }

    It 'ends a response that stalls after its headers within the budget' {
        Invoke-Attack {
            $connection = Connect-Hostile -TimeoutSec 2
            $server.On('/x', [Caxton.Hostile.HostileReply]@{ StallAfterHeadersMs = 60000; Body = [byte[]][char[]]'{}' })
            Measure-TimedOutCall $connection | Should -BeLessThan 5
        }
    }
}

Describe 'Every cmdlet against the hostile peer' {
    It 'runs every cmdlet under a transcript with -Verbose -Debug and shows no secret' {
        Invoke-Attack {
            Reset-HostileServer
            $server.On('/clients/auth/register', [Caxton.Hostile.HostileReply]::Envelope('"ClientPassword":"' + $password + '","EndDate":"2099-01-01T00:00:00Z"'))
            $server.On('/clients/auth/reset', [Caxton.Hostile.HostileReply]::Json("{`"Message`":`"no $token for $password`"}", 500, "No $password"))
            $server.On('/x', [Caxton.Hostile.HostileReply]::Json("{`"echo`":`"$token`"}"))
            $seen = Invoke-Transcribed {
                $credential = [pscredential]::new('main', (ConvertTo-SecureString $password -AsPlainText -Force))
                Connect-Caxton -BaseUri $server.BaseUri -Name hostile -Credential $credential -MaximumRetryCount 0 | Format-List *
                New-CaxtonPassword -Username main -Clientname c -Confirm:$false | Format-List *
                Get-CaxtonToken | Format-List *
                Get-CaxtonToken -AsHeader | Out-Null
                Invoke-CaxtonRestMethod 'x' -Raw | Out-Null
                Reset-CaxtonCredential -Username main -Clientname c -IdentityNumber SUB-1 -Force
                Get-CaxtonConnection -ListAvailable | Format-List *
                Disconnect-Caxton -Connection hostile
            }
            $seen.Errors | Should -HaveCount 1 -Because 'the reset fails, with its reason phrase echoing the password'
            $seen.Text | Should -Match 'Reset Client Credentials: HTTP 500 No \*{8}'
            Get-SecretRun $seen.Text $password, $token | Should -BeNullOrEmpty
        }
    }
}

BeforeDiscovery {
    $script:failureCases = @(
        @{ Cmdlet = 'New-CaxtonPassword'; Type = 'NewCaxtonPasswordCommand'; How = 'non-terminating'; Call = { param($c) New-CaxtonPassword -Username u -Clientname c -Connection $c -Confirm:$false } }
        @{ Cmdlet = 'Get-CaxtonToken'; Type = 'GetCaxtonTokenCommand'; How = 'non-terminating'; Call = { param($c) Get-CaxtonToken -Connection $c } }
        @{ Cmdlet = 'Reset-CaxtonCredential'; Type = 'ResetCaxtonCredentialCommand'; How = 'non-terminating'; Call = { param($c) Reset-CaxtonCredential -Username u -Clientname c -Force -Connection $c } }
        @{ Cmdlet = 'Invoke-CaxtonRestMethod'; Type = 'InvokeCaxtonRestMethodCommand'; How = 'non-terminating'; Call = { param($c) Invoke-CaxtonRestMethod 'x' -Connection $c } }
        @{ Cmdlet = 'Get-CaxtonConnection'; Type = 'GetCaxtonConnectionCommand'; How = 'non-terminating'; Call = { param($c) Get-CaxtonConnection -ListAvailable } }
        @{ Cmdlet = 'Disconnect-Caxton'; Type = 'DisconnectCaxtonCommand'; How = 'non-terminating'; Call = { param($c) Disconnect-Caxton -Connection $c } }
        @{ Cmdlet = 'Connect-Caxton'; Type = 'ConnectCaxtonCommand'; How = 'terminating like its other errors'; Call = { param($c) Connect-Caxton -BaseUri $c.BaseUri -Name 'faulty' } }
        @{ Cmdlet = 'Select-CaxtonConnection'; Type = 'SelectCaxtonConnectionCommand'; How = 'non-terminating'; Call = { param($c) Select-CaxtonConnection -Connection $c } }
        @{ Cmdlet = 'Test-CaxtonContract'; Type = 'TestCaxtonContractCommand'; How = 'non-terminating'; Call = { param($c) Test-CaxtonContract -Connection $c } }
    )
}

Describe 'The one failure path (UnexpectedError)' {
    It 'is tested for every cmdlet the module exports' -TestCases @{ Tested = $failureCases.Cmdlet } {
        param($Tested)
        $exported = (Get-Command -Module Caxton -CommandType Cmdlet).Name
        $exported | Where-Object { $_ -notin $Tested } | Should -BeNullOrEmpty
    }

    It '<Cmdlet> turns an unexpected exception into UnexpectedError, <How>' -TestCases $failureCases {
        param($Type, $How, $Call)
        $connection = Connect-Hostile
        $fault = [Caxton.Commands.CaxtonCmdlet].GetField('InjectedFault', [Reflection.BindingFlags]'NonPublic,Static')
        $PSDefaultParameterValues = @{ '*Caxton*:ErrorAction' = 'SilentlyContinue'; '*Caxton*:ErrorVariable' = 'failed' }
        $failed = $null
        $record = $null
        $went = $false
        $fault.SetValue($null, $Type)
        try {
            # Dot-sourced, so -ErrorVariable lands here; a terminating error jumps to the catch.
            . $Call $connection
            $went = $true
            $record = $failed[0]
        }
        catch { $record = $_ }
        finally { $fault.SetValue($null, $null) }

        $record.FullyQualifiedErrorId | Should -BeLike 'UnexpectedError,*'
        $record.Exception.Message | Should -Match 'Unexpected error in the Caxton module \(InvalidOperationException\)'
        $record.Exception.Message | Should -Not -Match 'injected'
        $record.Exception.InnerException | Should -BeNullOrEmpty
        $went | Should -Be ($How -eq 'non-terminating')
        $server.ReceivedText | Should -BeNullOrEmpty
    }
}
