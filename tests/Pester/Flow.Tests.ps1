BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'The documented flow against the emulator' {
    BeforeEach {
        Disconnect-Caxton
        $null = Connect-Caxton -BaseUri $emulator.BaseUri
    }

    It 'Connect-Caxton returns a typed connection that becomes the default' {
        $connection = Connect-Caxton -BaseUri $emulator.BaseUri
        $connection | Should -BeOfType ([Caxton.CaxtonConnection])
        $connection.BaseUri.AbsoluteUri | Should -Be $emulator.BaseUri
        $connection.Environment | Should -Be 'Custom'
        [object]::ReferenceEquals((Get-CaxtonConnection), $connection) | Should -BeTrue
    }

    It 'New-CaxtonPassword returns a typed password with a SecureString and the documented fields' {
        $password = New-TestPassword -Emulator $emulator
        $password | Should -BeOfType ([Caxton.CaxtonClientPassword])
        $password.ClientPassword | Should -BeOfType ([securestring])
        (ConvertTo-PlainText $password.ClientPassword).Length | Should -BeGreaterThan 10
        $password.ApiStatus | Should -Be 'IsValid'
        $password.ApiStatusCode | Should -Be 100
        $password.PublicKey | Should -Not -BeNullOrEmpty
        ($password.EndDate - $password.StartDate).TotalDays | Should -Be 30
        (Get-CaxtonConnection).Username | Should -Be $password.Username
        (Get-CaxtonConnection).ClientPasswordExpiresOn | Should -Be $password.EndDate
    }

    It 'pipes a new password into Get-CaxtonToken by property name' {
        $token = New-TestPassword -Emulator $emulator | Get-CaxtonToken
        $token | Should -BeOfType ([Caxton.CaxtonToken])
        $token.AccessToken | Should -BeOfType ([securestring])
        $token.TokenType | Should -Be 'bearer'
        $token.ExpiresIn | Should -Be 2591999
        $token.ExpiresOn | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddDays(29))
    }

    It 'answers Get-CaxtonToken from the cache and asks again only with -Force' {
        $null = New-TestPassword -Emulator $emulator
        Reset-CaxtonEmulatorStats -Emulator $emulator
        $first = Get-CaxtonToken
        $second = Get-CaxtonToken
        # The same cached token, each time in the caller's own copy.
        $second.IssuedOn | Should -Be $first.IssuedOn
        (ConvertTo-PlainText $second.AccessToken) | Should -Be (ConvertTo-PlainText $first.AccessToken)
        [object]::ReferenceEquals($first.AccessToken, $second.AccessToken) | Should -BeFalse
        (Get-CaxtonEmulatorStats -Emulator $emulator).token | Should -Be 1
        $forced = Get-CaxtonToken -Force
        (Get-CaxtonEmulatorStats -Emulator $emulator).token | Should -Be 2
        (ConvertTo-PlainText $forced.AccessToken) | Should -Not -Be (ConvertTo-PlainText $first.AccessToken)
    }

    It 'takes a PSCredential whose user name is the Username and password the ClientPassword' {
        $password = New-TestPassword -Emulator $emulator
        Disconnect-Caxton
        $null = Connect-Caxton -BaseUri $emulator.BaseUri
        $credential = [pscredential]::new($password.Username, $password.ClientPassword)
        (Get-CaxtonToken -Credential $credential).Username | Should -Be $password.Username
    }

    It 'Connect-Caxton -Credential proves the credential with a token at once' {
        $password = New-TestPassword -Emulator $emulator
        $connection = Connect-Caxton -BaseUri $emulator.BaseUri -Credential ([pscredential]::new($password.Username, $password.ClientPassword))
        $connection.TokenExpiresOn | Should -BeGreaterThan ([DateTimeOffset]::UtcNow)
    }

    It 'works with Invoke-RestMethod -Authentication Bearer -Token on PowerShell 7' {
        $token = New-TestPassword -Emulator $emulator | Get-CaxtonToken
        $response = Invoke-RestMethod -Uri "$($emulator.BaseUri)reference/lookup/banks/GBP" -Authentication Bearer -Token $token.AccessToken -AllowUnencryptedAuthentication
        $response.Content.Model.ApiStatus | Should -Be 'IsValid'
        @($response.Content.Model.Banks).Count | Should -BeGreaterThan 0
    }

    It 'gives Windows PowerShell 5.1 users a header with -AsHeader' {
        $null = New-TestPassword -Emulator $emulator | Get-CaxtonToken
        $headers = Get-CaxtonToken -AsHeader
        $headers.Authorization | Should -Match '^Bearer \S+$'
        $response = Invoke-RestMethod -Uri "$($emulator.BaseUri)reference/lookup/banks/USD" -Headers $headers
        $response.Content.Model.ApiStatus | Should -Be 'IsValid'
    }

    It 'gives the plain token only with -AsPlainText' {
        $token = New-TestPassword -Emulator $emulator | Get-CaxtonToken
        Get-CaxtonToken -AsPlainText | Should -Be (ConvertTo-PlainText $token.AccessToken)
    }

    It 'New-CaxtonPassword -WhatIf sends nothing' {
        $account = New-CaxtonEmulatorAccount -Emulator $emulator
        Reset-CaxtonEmulatorStats -Emulator $emulator
        New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -WhatIf | Should -BeNullOrEmpty
        (Get-CaxtonEmulatorStats -Emulator $emulator).register | Should -Be 0
        # The account still has no password: a real call now succeeds.
        (New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Confirm:$false).ApiStatus | Should -Be 'IsValid'
    }

    It 'Reset-CaxtonCredential -WhatIf sends nothing, even with -Force' {
        $password = New-TestPassword -Emulator $emulator
        Reset-CaxtonEmulatorStats -Emulator $emulator
        Reset-CaxtonCredential -Username $password.Username -Clientname $password.Clientname -Force -WhatIf
        (Get-CaxtonEmulatorStats -Emulator $emulator).reset | Should -Be 0
    }

    It 'Reset-CaxtonCredential for the main account voids the password and leaves nothing stale on the connection' {
        $password = New-TestPassword -Emulator $emulator
        $null = Get-CaxtonToken
        $reset = Reset-CaxtonCredential -Username $password.Username -Clientname $password.Clientname -Force -PassThru
        $reset | Should -BeOfType ([Caxton.CaxtonCredentialReset])
        $reset.ApiStatus | Should -Be 'IsValid'
        $reset.Account | Should -Be 'Main'
        $connection = Get-CaxtonConnection
        $connection.Username | Should -BeNullOrEmpty
        $connection.TokenExpiresOn | Should -BeNullOrEmpty
        # The old password no longer works on the server.
        Get-CaxtonToken -Username $password.Username -ClientPassword $password.ClientPassword -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'InvalidCredentials,*'
        # And a new password can be generated.
        (New-CaxtonPassword -Username $password.Username -Clientname $password.Clientname -Confirm:$false).ApiStatus | Should -Be 'IsValid'
    }

    It 'Reset-CaxtonCredential without -PassThru outputs nothing' {
        $password = New-TestPassword -Emulator $emulator
        Reset-CaxtonCredential -Username $password.Username -Clientname $password.Clientname -Force | Should -BeNullOrEmpty
    }

    It 'resets a sub-account with the main account''s token and the IdentityNumber, keeping the main token' {
        $main = New-CaxtonEmulatorAccount -Emulator $emulator
        $identity = 'SUB-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $sub = New-CaxtonEmulatorAccount -Emulator $emulator -IdentityNumber $identity -ParentUsername $main.Username
        $subPassword = New-CaxtonPassword -Username $sub.Username -Clientname $sub.Clientname -Confirm:$false
        $null = New-CaxtonPassword -Username $main.Username -Clientname $main.Clientname -Confirm:$false | Get-CaxtonToken

        $reset = Reset-CaxtonCredential -Username $main.Username -Clientname $main.Clientname -IdentityNumber $identity -Force -PassThru
        $reset.Account | Should -Be 'Sub-account'
        $reset.IdentityNumber | Should -Be $identity
        (Get-CaxtonConnection).Username | Should -Be $main.Username
        (Get-CaxtonConnection).TokenExpiresOn | Should -Not -BeNullOrEmpty
        # The sub-account's password is void; it can register again.
        Get-CaxtonToken -Username $sub.Username -ClientPassword $subPassword.ClientPassword -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'InvalidCredentials,*'
        (New-CaxtonPassword -Username $sub.Username -Clientname $sub.Clientname -Confirm:$false).ApiStatus | Should -Be 'IsValid'
    }

    It 'uses another connection with -Connection and leaves the default alone' {
        $other = [Caxton.CaxtonConnection]::new([uri]$emulator.BaseUri)
        $password = New-TestPassword -Emulator $emulator -Connection $other
        $other.Username | Should -Be $password.Username
        (Get-CaxtonConnection).Username | Should -BeNullOrEmpty
        (Get-CaxtonToken -Connection $other).Username | Should -Be $password.Username
    }

    It 'Disconnect-Caxton forgets the token and credentials' {
        $null = New-TestPassword -Emulator $emulator | Get-CaxtonToken
        $connection = Get-CaxtonConnection
        Disconnect-Caxton
        $connection.Username | Should -BeNullOrEmpty
        $connection.TokenExpiresOn | Should -BeNullOrEmpty
    }
}

Describe 'The default connection before Connect-Caxton' {
    It 'comes from <Variable> in a fresh runspace' -TestCases @(
        @{ Variable = 'CAXTON_BASEURI'; Value = 'https://caxtonapi.caxtonfx.com/api/'; Environment = 'Production' }
        @{ Variable = 'CAXTON_ENVIRONMENT'; Value = 'Staging'; Environment = 'Staging' }
    ) {
        $result = & {
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript("`$env:CAXTON_BASEURI = `$null; `$env:CAXTON_ENVIRONMENT = `$null; `$env:$Variable = '$Value'; Import-Module '$env:CAXTON_TEST_MODULE'; `$r = (Get-CaxtonConnection).Environment; `$env:$Variable = `$null; `$r")
                $ps.Invoke()
            }
            finally { $ps.Dispose() }
        }
        $result | Should -Be $Environment
    }

    It 'is none (NotConnected), never a host chosen for the user, when no variable is set' {
        $output = Invoke-FreshPwsh -Command "`$env:CAXTON_BASEURI = `$null; `$env:CAXTON_ENVIRONMENT = `$null; Import-Module '$env:CAXTON_TEST_MODULE'; try { (Get-CaxtonConnection).Environment } catch { `$_.FullyQualifiedErrorId }"
        $output | Should -BeLike 'NotConnected,*'
    }
}
