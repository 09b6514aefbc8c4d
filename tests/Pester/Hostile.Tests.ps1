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

Describe 'The one failure path (UnexpectedError)' {
    BeforeAll {
        # A cmdlet of the tests' own, built on the module's base class: the module ships no fault hook.
        # Its body throws what no Caxton code should, so the base class's sealed ProcessRecord must catch it.
        if (-not ('CaxtonFaultTests.InvokeCaxtonFaultCommand' -as [type])) {
            Add-Type -ReferencedAssemblies ([Caxton.Commands.CaxtonCmdlet].Assembly.Location), ([Caxton.CaxtonConnection].Assembly.Location), ([psobject].Assembly.Location) -IgnoreWarnings -TypeDefinition @'
using System;
using System.Management.Automation;

namespace CaxtonFaultTests
{
    [Cmdlet(VerbsLifecycle.Invoke, "CaxtonFault")]
    public sealed class InvokeCaxtonFaultCommand : Caxton.Commands.CaxtonConnectedCmdlet
    {
        [Parameter]
        public SwitchParameter Terminate { get; set; }

        protected override bool FailuresTerminate => Terminate.IsPresent;

        protected override object ErrorTarget => "fault-target";

        protected override void ProcessCaxtonRecord()
        {
            ResolveConnection();
            throw new InvalidOperationException("A fault of the tests: Hx7-Qz9!pL2#vN4-rW8=kT5 must never be shown.");
        }
    }
}
'@
        }
        Import-Module -Assembly ([CaxtonFaultTests.InvokeCaxtonFaultCommand].Assembly) -Force
    }

    It 'is every exported cmdlet''s: each derives from the base class whose ProcessRecord is sealed' {
        $processRecord = [Caxton.Commands.CaxtonCmdlet].GetMethod('ProcessRecord', [Reflection.BindingFlags]'NonPublic,Instance')
        $processRecord.IsFinal | Should -BeTrue
        foreach ($cmdlet in Get-Command -Module Caxton -CommandType Cmdlet) {
            $cmdlet.ImplementingType.IsSubclassOf([Caxton.Commands.CaxtonCmdlet]) | Should -BeTrue -Because "$($cmdlet.Name) must run through the one failure path"
        }
    }

    It 'turns an unexpected exception into UnexpectedError, <How>' -TestCases @(
        @{ How = 'non-terminating'; Terminate = $false }
        @{ How = 'terminating for a cmdlet whose failures all are'; Terminate = $true }
    ) {
        param($How, $Terminate)
        $connection = Connect-Hostile
        $failed = $null
        $record = $null
        $went = $false
        try {
            Invoke-CaxtonFault -Connection $connection -Terminate:$Terminate -ErrorAction SilentlyContinue -ErrorVariable failed
            $went = $true
            $record = $failed[0]
        }
        catch { $record = $_ }

        $record.FullyQualifiedErrorId | Should -BeLike 'UnexpectedError,*'
        $record.TargetObject | Should -Be 'fault-target'
        $record.Exception.Message | Should -Match 'Unexpected error in the Caxton module \(InvalidOperationException\)'
        ($record | Out-String) + $record.Exception.Message + $record.ErrorDetails.Message | Should -Not -Match 'fault of the tests|Hx7-Qz9'
        $record.Exception.InnerException | Should -BeNullOrEmpty
        $went | Should -Be (-not $Terminate)
        $server.ReceivedText | Should -BeNullOrEmpty
    }
}

Describe 'Round 2 (issue 19): plain http stays on this machine' {
    It 'refuses plain http to <BaseUri>, saying why' -TestCases @(
        @{ BaseUri = 'http://[::127.0.0.1]:{0}/api/' }
        @{ BaseUri = 'http://[::7f00:1]:{0}/api/' }
        @{ BaseUri = 'http://[::ffff:127.0.0.1]:{0}/api/' }
    ) {
        param($BaseUri)
        Invoke-Attack {
            Reset-HostileServer
            $uri = $BaseUri -f $server.BaseUri.Port
            { Connect-Caxton -BaseUri $uri -Name v6 -ErrorAction Stop } | Should -Throw -ErrorId 'InsecureBaseUri,Caxton.Commands.ConnectCaxtonCommand' -ExpectedMessage '*IPv4*off the machine*'
            $output = Invoke-FreshPwsh -Command "`$env:CAXTON_BASEURI = '$uri'; Import-Module '$env:CAXTON_TEST_MODULE'; try { Get-CaxtonToken -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }" | Out-String
            $output | Should -Match 'InsecureBaseUri'
            $output | Should -Match 'CAXTON_BASEURI'
            $server.ReceivedText | Should -BeNullOrEmpty
        }
    }

    It 'never sends a loopback call through a proxy named by <How>' -TestCases @(
        @{ How = 'HTTP_PROXY'; Variable = 'HTTP_PROXY'; Parameter = '' }
        @{ How = 'http_proxy'; Variable = 'http_proxy'; Parameter = '' }
        @{ How = 'ALL_PROXY'; Variable = 'ALL_PROXY'; Parameter = '' }
        @{ How = '-Proxy'; Variable = ''; Parameter = '-Proxy $proxyUri' }
    ) {
        param($Variable, $Parameter)
        Invoke-Attack {
            Reset-HostileServer
            $proxy = [Caxton.Hostile.HostileServer]::new('/', 120)
            try {
                $proxyUri = $proxy.BaseUri.AbsoluteUri
                $set = if ($Variable) { "`$env:NO_PROXY = ''; `$env:no_proxy = ''; [Environment]::SetEnvironmentVariable('$Variable', '$proxyUri')" } else { '' }
                $script = "$set; Import-Module '$env:CAXTON_TEST_MODULE'; `$proxyUri = '$proxyUri'
                    `$c = Connect-Caxton -BaseUri '$($server.BaseUri)' $Parameter -Credential ([pscredential]::new('main', (ConvertTo-SecureString '$password' -AsPlainText -Force)))
                    'PROXY=' + `$c.Proxy"
                $output = Invoke-FreshPwsh -Command $script | Out-String
                $output | Should -Match 'PROXY=\s*$' -Because 'a loopback connection shows no proxy'
                $proxy.ReceivedText | Should -BeNullOrEmpty -Because 'the password and the token never go through a proxy'
                $server.CountOf('/token') | Should -Be 1
            }
            finally { $proxy.Dispose() }
        }
    }

    It 'refuses a proxy URI with user:password@ as InvalidProxyUri and shows the password nowhere' {
        Invoke-Attack {
            $seen = Invoke-Transcribed { try { Connect-Caxton -BaseUri 'https://caxton.example.test/api/' -Proxy 'http://proxyuser:ProxyPw-Secret9@proxy.example.test:3128/' -Name p } catch { $_ | Out-String } }
            $seen.Errors[0].FullyQualifiedErrorId | Should -BeLike 'InvalidProxyUri,*'
            $seen.Text | Should -Not -Match 'ProxyPw-Secret9'
        }
    }
}

Describe 'Round 2 (issue 19): the redactor' {
    It '-Debug shows no token written behind a JSON comment' {
        Invoke-Attack {
            $connection = Connect-Hostile
            $newToken = 'Tk8-' + [guid]::NewGuid().ToString('n')
            $server.On('/token', [Caxton.Hostile.HostileReply]::Json('{"access_token":/**/"' + $newToken + '", "token_type" /* x */ : "bearer", "expires_in": 3600}'))
            $seen = Invoke-Transcribed { Get-CaxtonToken -Force -Connection $connection | Out-String }
            Get-SecretRun $seen.Text $newToken, $password | Should -BeNullOrEmpty
        }
    }

    It '-Debug shows no new password under a ClientPassword name escaped character by character' {
        Invoke-Attack {
            $connection = Connect-Hostile
            $newPassword = 'Np4-Xw7!qR2#zT5-yU8=aB3?'
            $name = -join ('ClientPassword'.ToCharArray() | ForEach-Object { '\u{0:x4}' -f [int]$_ })
            $server.On('/clients/auth/register', [Caxton.Hostile.HostileReply]::Envelope('"' + $name + '":"' + $newPassword + '","PublicKey":"pk","StartDate":"2026-01-01T00:00:00Z","EndDate":"2099-01-01T00:00:00Z"'))
            $seen = Invoke-Transcribed { New-CaxtonPassword -Username main -Clientname c -Connection $connection -Confirm:$false | Out-String }
            Get-SecretRun $seen.Text $newPassword | Should -BeNullOrEmpty
        }
    }

    It 'shows no password echoed in base64 in the x-request-id every error quotes' {
        Invoke-Attack {
            $connection = Connect-Hostile
            $basic = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("main:$password"))
            $reply = [Caxton.Hostile.HostileReply]::Json('{"Message":"no"}', 500, 'Server Error')
            $reply.Headers.Add([Collections.Generic.KeyValuePair[string, string]]::new('x-request-id', $basic))
            $server.On('/x', $reply)
            $seen = Invoke-Transcribed { Invoke-CaxtonRestMethod x -Connection $connection }
            $seen.Errors[0].Exception.RequestId | Should -Not -BeNullOrEmpty
            Get-SecretRun ($seen.Text + $seen.Errors[0].Exception.RequestId) $basic.Substring(8, 16), $password | Should -BeNullOrEmpty
        }
    }

    It 'shows no truncated echo and no short password' {
        Invoke-Attack {
            Reset-HostileServer
            $short = 'Qz4!'
            $server.On('/token', [Caxton.Hostile.HostileReply]::Json('{"error":"invalid_grant","error_description":"Password ' + $short + ' is wrong; the one before began ' + $password.Substring(0, 10) + '"}', 400, 'Bad Request'))
            $connection = Connect-Caxton -BaseUri $server.BaseUri -MaximumRetryCount 0 -Name short
            $credential = [pscredential]::new('main', (ConvertTo-SecureString $short -AsPlainText -Force))
            $seen = Invoke-Transcribed { Get-CaxtonToken -Credential $credential -Connection $connection }
            $server.CountOf('/token') | Should -Be 1
            $seen.Text | Should -Not -Match ([regex]::Escape(" $short "))
            $connection2 = Connect-Hostile
            $server.On('/x', [Caxton.Hostile.HostileReply]::Json('{"Message":"the one before began ' + $password.Substring(0, 10) + '"}', 400))
            $seen = Invoke-Transcribed { Invoke-CaxtonRestMethod x -Connection $connection2 }
            Get-SecretRun $seen.Text $password | Should -BeNullOrEmpty
        }
    }

    It 'Reset-CaxtonCredential -PassThru outputs no echoed password' {
        Invoke-Attack {
            $connection = Connect-Hostile
            $server.On('/clients/auth/reset', [Caxton.Hostile.HostileReply]::Json('{"Content":{"Model":{"ApiStatusCode":100,"ApiStatus":"IsValid","ApiStatusDescription":"reset ' + $password + ' and ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($password)) + '"},"ExpectedResponses":["IsValid"]}}'))
            $reset = Reset-CaxtonCredential -Username main -Clientname c -Force -PassThru -Connection $connection
            $reset.ApiStatusDescription | Should -Match '^reset \*+ and \*+'
            Get-SecretRun ($reset | Format-List * | Out-String) $password | Should -BeNullOrEmpty
        }
    }

    It 'redacts a 4 MiB adversarial error body under -Debug within the budget, and Ctrl+C acts at once' {
        Invoke-Attack {
            $connection = Connect-Hostile -TimeoutSec 20 -MaximumRetryCount 0
            $pair = '\"password\":\"' + $password.Substring(0, 12) + '\",'
            $body = '{"Message":"' + ($pair * [Math]::Floor((4MB - 200) / $pair.Length)) + '"}'
            $server.On('/x', [Caxton.Hostile.HostileReply]::Json($body, 400, 'Bad Request'))
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $null = Invoke-CaxtonRestMethod x -Connection $connection -Debug -ErrorAction SilentlyContinue -ErrorVariable failed 5>&1
            $watch.Stop()
            Write-Host "hostile: a $([Math]::Round($body.Length / 1MB, 1)) MiB adversarial error body, redacted for -Debug and the error: $($watch.ElapsedMilliseconds) ms"
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'HttpError,*'
            $failed[0].Exception.Message.Length | Should -BeLessThan 2600
            $failed[0].Exception.ResponseBody.Length | Should -BeGreaterThan 3000000
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 20 -Because 'the call has a 20 s budget and the redaction is linear'

            # Ctrl+C while the body is being redacted: the pipeline stops at once.
            $runspace = [powershell]::Create()
            $null = $runspace.AddScript({ param($module, $connection) Import-Module $module; Invoke-CaxtonRestMethod x -Connection $connection -Debug 5>$null }).AddArgument($env:CAXTON_TEST_MODULE).AddArgument($connection)
            $server.Reset(); $server.On('/x', [Caxton.Hostile.HostileReply]::Json($body, 400, 'Bad Request'))
            $handle = $runspace.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ($server.CountOf('/x') -lt 1 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 10 }
            Start-Sleep -Milliseconds 100
            $stop = [Diagnostics.Stopwatch]::StartNew()
            $runspace.Stop()
            $stop.Stop()
            Write-Host "hostile: Ctrl+C during the redaction of 4 MiB acted in $($stop.ElapsedMilliseconds) ms"
            $runspace.Dispose()
            $stop.Elapsed.TotalSeconds | Should -BeLessThan 5 -Because 'Ctrl+C acts within a second on a quiet machine; the margin is for a loaded one'
        }
    }

    It 'quotes at most 2,000 characters of a 3 MiB Message in the error, and keeps the whole on the exception' {
        Invoke-Attack {
            $connection = Connect-Hostile -MaximumRetryCount 0
            $server.On('/x', [Caxton.Hostile.HostileReply]::Json('{"Message":"' + ('m' * 3MB) + '"}', 400, 'Bad Request'))
            Invoke-CaxtonRestMethod x -Connection $connection -ErrorAction SilentlyContinue -ErrorVariable failed
            $failed[0].Exception.Message.Length | Should -BeLessThan 2400
            $failed[0].Exception.Message | Should -Match 'shortened; the whole response is in'
            $failed[0].Exception.ResponseBody.Length | Should -BeGreaterThan 3MB
        }
    }
}

Describe 'Round 2 (issue 19): output and suggested commands' {
    It 'gives an answer with member names "" and "PSObject" as objects, and the pipeline goes on' {
        Invoke-Attack {
            $connection = Connect-Hostile
            $server.On('/empty', [Caxton.Hostile.HostileReply]::Json('{"":1,"a":2}'))
            $server.On('/reserved', [Caxton.Hostile.HostileReply]::Json('{"PSObject":1,"PSBase":{"x":1},"a":2}'))
            $server.On('/plain', [Caxton.Hostile.HostileReply]::Json('{"a":3}'))
            $results = @('empty', 'reserved', 'plain' | Invoke-CaxtonRestMethod -Connection $connection)
            $results | Should -HaveCount 3
            $results[0][''] | Should -Be 1
            $results[1]['PSObject'] | Should -Be 1
            $results[1]['a'] | Should -Be 2
            $results[2].a | Should -Be 3
        }
    }

    It 'suggests commands that paste back the exact names, for every quote-like character' {
        Invoke-Attack {
            $quotes = [Collections.Generic.List[char]]::new()
            foreach ($code in 0..0xFFFF) {
                $c = [char]$code
                $category = [Globalization.CharUnicodeInfo]::GetUnicodeCategory($c)
                if ($category -in 'InitialQuotePunctuation', 'FinalQuotePunctuation') { $quotes.Add($c) }
            }
            foreach ($c in "'", '"', '`', '$', [char]0x201A, [char]0x201E, [char]0xFF07, [char]0x02BC) { $quotes.Add([char]$c) }
            # The engine's own quoting is PowerShell's, unit for unit.
            $differ = [Collections.Generic.List[string]]::new()
            foreach ($code in 0..0xFFFF) {
                $text = "a$([char]$code)b"
                if ([Caxton.CommandText]::SingleQuoted($text) -cne ("'" + [System.Management.Automation.Language.CodeGeneration]::EscapeSingleQuotedStringContent($text) + "'")) { $differ.Add($code.ToString('X4')) }
            }
            $differ | Should -BeNullOrEmpty
            $connection = Connect-Hostile
            foreach ($c in $quotes) {
                $server.Reset()
                $server.On('/token', [Caxton.Hostile.HostileReply]::Token($token))
                $server.On('/clients/auth/reset', [Caxton.Hostile.HostileReply]::Envelope(''))
                $server.On('/clients/auth/register', [Caxton.Hostile.HostileReply]::Json('{"Message":"down"}', 400, 'Bad Request'))
                $name = "u$c; Remove-Item x #$c$c"
                Reset-CaxtonCredential -Username $name -Clientname "c$c" -Regenerate -Force -Connection $connection -ErrorAction SilentlyContinue -ErrorVariable failed
                $failed[0].FullyQualifiedErrorId | Should -BeLike 'RegenerateIncomplete,*'
                $command = ($failed[0].Exception.Message -split 'Finish with: ')[1]
                $tokens = $errors = $null
                $ast = [System.Management.Automation.Language.Parser]::ParseInput($command, [ref]$tokens, [ref]$errors)
                $errors | Should -BeNullOrEmpty -Because "U+$(([int]$c).ToString('X4'))"
                $ast.EndBlock.Statements | Should -HaveCount 1 -Because "U+$(([int]$c).ToString('X4')) must not end the string"
                $values = $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.StringConstantExpressionAst] -and $args[0].StringConstantType -eq 'SingleQuoted' }, $true) | ForEach-Object Value
                $values | Should -Contain $name
                $values | Should -Contain "c$c"
            }
        }
    }
}

Describe 'Round 2 (issue 19): credentials stay where they belong' {
    It 'sends CAXTON_USERNAME and CAXTON_CLIENTPASSWORD only to the base URI the environment names' {
        Invoke-Attack {
            Reset-HostileServer
            $other = $server.BaseUri.AbsoluteUri.Replace('/tenantA/', '/tenantB/')
            $output = Invoke-FreshPwsh -Command "
                `$env:CAXTON_BASEURI = '$($server.BaseUri)'
                `$env:CAXTON_USERNAME = 'main'
                `$env:CAXTON_CLIENTPASSWORD = '$password'
                Import-Module '$env:CAXTON_TEST_MODULE'
                `$null = Connect-Caxton -BaseUri '$other' -Name elsewhere
                Get-CaxtonToken -ErrorVariable failed -ErrorAction SilentlyContinue
                `$failed[0].FullyQualifiedErrorId
                `$failed[0].Exception.Message" | Out-String
            $output | Should -Match 'NoClientCredential'
            $output | Should -Match 'go only to the base URI the environment names'
            $server.ReceivedText | Should -BeNullOrEmpty
        }
    }

    It 'Export-Clixml of a connection writes no password' {
        Invoke-Attack {
            $connection = Connect-Hostile
            $path = Join-Path ([IO.Path]::GetTempPath()) "caxton-clixml-$([guid]::NewGuid().ToString('n')).xml"
            try {
                $connection | Export-Clixml -LiteralPath $path
                $xml = Get-Content -Raw -LiteralPath $path
                $xml | Should -Match 'BaseUri'
                $xml | Should -Not -Match 'Credential'
                $hex = -join ([Text.Encoding]::Unicode.GetBytes($password) | ForEach-Object { $_.ToString('x2') })
                Get-SecretRun $xml $password, $hex | Should -BeNullOrEmpty
                (Import-Clixml -LiteralPath $path).Username | Should -Be 'main'
            }
            finally { Remove-Item -LiteralPath $path -ErrorAction SilentlyContinue }
        }
    }
}
