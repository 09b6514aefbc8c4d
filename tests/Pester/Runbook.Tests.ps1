# Tokens and connections that hold up unattended: refresh, single-flight, many connections, runspaces.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    # Tokens that live 3 seconds, so a short loop crosses several refreshes.
    $script:shortLived = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR -TokenLifetime 3
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR
    $script:other = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR
}

AfterAll {
    $script:shortLived, $script:emulator, $script:other | Stop-CaxtonEmulator
}

Describe 'Refresh before expiry' {
    It 'a loop of calls never fails across several refreshes, and never sees an expired token' {
        $connection = Connect-Caxton -BaseUri $shortLived.BaseUri -Name 'short'
        $null = New-TestPassword -Emulator $shortLived
        Reset-CaxtonEmulatorStats -Emulator $shortLived
        $failures = 0
        $stale = 0
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        $calls = 0
        while ([DateTime]::UtcNow -lt $deadline) {
            $token = Get-CaxtonToken
            if ($token.ExpiresOn -le [DateTimeOffset]::UtcNow) { $stale++ }
            $banks = Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' -ErrorAction SilentlyContinue -ErrorVariable failed
            if ($failed -or -not $banks.Banks) { $failures++ }
            $calls++
            Start-Sleep -Milliseconds 50
        }
        $stats = Get-CaxtonEmulatorStats -Emulator $shortLived
        $failures | Should -Be 0
        $stale | Should -Be 0
        $calls | Should -BeGreaterThan 20
        $stats.token | Should -BeGreaterOrEqual 3   # at least three refreshes in 10 s of 3-second tokens
        $stats.token | Should -BeLessThan ($calls / 2)  # but not a token per call
        $connection.TokenExpiresOn | Should -BeGreaterThan ([DateTimeOffset]::UtcNow)
    }

    It 'ExpiresOn is the arrival time plus expires_in' {
        $null = Connect-Caxton -BaseUri $shortLived.BaseUri
        $before = [DateTimeOffset]::UtcNow
        $token = New-TestPassword -Emulator $shortLived | Get-CaxtonToken
        $after = [DateTimeOffset]::UtcNow
        $token.ExpiresIn | Should -Be 3
        $token.ExpiresOn | Should -BeGreaterOrEqual $before.AddSeconds(3)
        $token.ExpiresOn | Should -BeLessOrEqual $after.AddSeconds(3)
    }
}

Describe 'Single-flight token requests' {
    It '16 parallel runspaces sharing one connection with no token make exactly one token request' {
        $connection = Connect-Caxton -BaseUri $emulator.BaseUri
        $null = New-TestPassword -Emulator $emulator
        $connection.TokenExpiresOn | Should -BeNullOrEmpty
        Reset-CaxtonEmulatorStats -Emulator $emulator
        $module = $env:CAXTON_TEST_MODULE
        $tokens = 1..16 | ForEach-Object -ThrottleLimit 16 -Parallel {
            Import-Module $using:module
            $token = Get-CaxtonToken -Connection $using:connection
            [System.Net.NetworkCredential]::new('', $token.AccessToken).Password
        }
        $tokens.Count | Should -Be 16
        @($tokens | Sort-Object -Unique).Count | Should -Be 1
        (Get-CaxtonEmulatorStats -Emulator $emulator).token | Should -Be 1
    }

    It 'a failed refresh is reported to every waiter and keeps the connection usable' {
        $connection = Connect-Caxton -BaseUri $emulator.BaseUri
        $password = New-TestPassword -Emulator $emulator
        # Voided on the server through another connection: the held password no longer works.
        $elsewhere = [Caxton.CaxtonConnection]::new([uri] $emulator.BaseUri)
        Reset-CaxtonCredential -Username $password.Username -Clientname $password.Clientname -Force -Connection $elsewhere
        $module = $env:CAXTON_TEST_MODULE
        $errors = 1..8 | ForEach-Object -ThrottleLimit 8 -Parallel {
            Import-Module $using:module
            Get-CaxtonToken -Connection $using:connection -ErrorAction SilentlyContinue -ErrorVariable failed
            $failed[0].FullyQualifiedErrorId
        }
        $errors.Count | Should -Be 8
        $errors | ForEach-Object { $_ | Should -BeLike 'InvalidCredentials,*' }
        # A new password works on the same connection afterwards.
        $renewed = New-CaxtonPassword -Username $password.Username -Clientname $password.Clientname -Confirm:$false -Connection $connection
        ($renewed | Get-CaxtonToken -Connection $connection).Username | Should -Be $password.Username
    }
}

Describe 'Many connections' {
    It 'two named connections to two emulators, used alternately, show no cross-talk' {
        $a = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'A'
        $null = New-TestPassword -Emulator $emulator -Connection $a
        $b = Connect-Caxton -BaseUri $other.BaseUri -Name 'B'
        $null = New-TestPassword -Emulator $other -Connection $b
        Reset-CaxtonEmulatorStats -Emulator $emulator
        Reset-CaxtonEmulatorStats -Emulator $other
        foreach ($i in 1..5) {
            (Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' -Connection 'A').ApiStatus | Should -Be 'IsValid'
            (Invoke-CaxtonRestMethod 'reference/lookup/banks/EUR' -Connection $b).ApiStatus | Should -Be 'IsValid'
        }
        $statsA = Get-CaxtonEmulatorStats -Emulator $emulator
        $statsB = Get-CaxtonEmulatorStats -Emulator $other
        $statsA.token, $statsB.token | Should -Be 1, 1
        $statsA.banks, $statsB.banks | Should -Be 5, 5
        (Get-CaxtonConnection -Name 'A').Username | Should -Be $a.Username
        $a.Username | Should -Not -Be $b.Username
        $tokenA = ConvertTo-PlainText (Get-CaxtonToken -Connection A).AccessToken
        $tokenB = ConvertTo-PlainText (Get-CaxtonToken -Connection B).AccessToken
        $tokenA | Should -Not -Be $tokenB
        (Get-CaxtonConnection -ListAvailable).Name | Should -Contain 'A'
        (Get-CaxtonConnection -ListAvailable).Name | Should -Contain 'B'
    }

    It 'an unknown connection name is ConnectionNotFound, as about_Caxton promises' {
        { Get-CaxtonToken -Connection 'no-such-connection' -ErrorAction Stop } | Should -Throw '*no Caxton connection named*' -ErrorId 'ConnectionNotFound,Caxton.Commands.GetCaxtonTokenCommand'
        { Invoke-CaxtonRestMethod 'x' -Connection 'no-such-connection' } | Should -Throw -ErrorId 'ConnectionNotFound,Caxton.Commands.InvokeCaxtonRestMethodCommand'
        Disconnect-Caxton -Connection 'no-such-connection' -ErrorAction SilentlyContinue -ErrorVariable gone
        $gone[0].FullyQualifiedErrorId | Should -BeLike 'ConnectionNotFound,*'
        Get-CaxtonConnection -Name 'no-such-connection' -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ConnectionNotFound,*'
    }

    It 'a connection made inside another runspace does not become the caller''s default' {
        $mine = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'mine'
        $module = $env:CAXTON_TEST_MODULE
        $uri = $other.BaseUri
        $inner = 1..2 | ForEach-Object -Parallel {
            Import-Module $using:module
            $c = Connect-Caxton -BaseUri $using:uri -Name 'inner'
            (Get-CaxtonConnection).BaseUri.AbsoluteUri
        }
        $inner | Should -Be $other.BaseUri, $other.BaseUri
        [object]::ReferenceEquals((Get-CaxtonConnection), $mine) | Should -BeTrue
        Get-CaxtonConnection -Name 'inner' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'a thread job can use a connection object passed to it' {
        $connection = Connect-Caxton -BaseUri $emulator.BaseUri
        $null = New-TestPassword -Emulator $emulator | Get-CaxtonToken
        $module = $env:CAXTON_TEST_MODULE
        $job = Start-ThreadJob { Import-Module $using:module; (Invoke-CaxtonRestMethod 'reference/lookup/banks/USD' -Connection $using:connection).ApiStatus }
        $job | Wait-Job -Timeout 60 | Receive-Job | Should -Be 'IsValid'
        $job | Remove-Job -Force
    }
}

Describe 'Unattended credentials' {
    It 'reads CAXTON_USERNAME and CAXTON_CLIENTPASSWORD only when nothing explicit is given' {
        $password = New-TestPassword -Emulator $emulator
        $plain = ConvertTo-PlainText $password.ClientPassword
        $output = Invoke-FreshPwsh -Command "
            `$env:CAXTON_BASEURI = '$($emulator.BaseUri)'
            `$env:CAXTON_USERNAME = '$($password.Username)'
            `$env:CAXTON_CLIENTPASSWORD = '$plain'
            Import-Module '$env:CAXTON_TEST_MODULE'
            (Get-CaxtonToken).Username
            (Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP').ApiStatus
            # Explicit credentials win over the variables.
            Get-CaxtonToken -Credential ([pscredential]::new('someone-else', (ConvertTo-SecureString 'x' -AsPlainText -Force))) -ErrorAction SilentlyContinue -ErrorVariable failed
            `$failed[0].FullyQualifiedErrorId
        "
        $output[0] | Should -Be $password.Username
        $output[1] | Should -Be 'IsValid'
        $output[2] | Should -BeLike 'InvalidCredentials,*'
    }
}

Describe 'Client password lifetime' {
    BeforeEach {
        $null = Connect-Caxton -BaseUri $emulator.BaseUri
    }

    It 'warns when fewer than 3 days remain' {
        $password = New-TestPassword -Emulator $emulator
        $soon = [DateTimeOffset]::UtcNow.AddDays(2)
        $null = Get-CaxtonToken -Username $password.Username -ClientPassword $password.ClientPassword -ClientPasswordExpiresOn $soon -Force -WarningVariable warned -WarningAction SilentlyContinue
        $warned.Count | Should -Be 1
        "$warned" | Should -Match 'Reset-CaxtonCredential, then New-CaxtonPassword'
    }

    It 'fails clearly, saying what to run, once the password has expired' {
        $password = New-TestPassword -Emulator $emulator
        $past = [DateTimeOffset]::UtcNow.AddMinutes(-1)
        $null = Get-CaxtonToken -Username $password.Username -ClientPassword $password.ClientPassword -ClientPasswordExpiresOn $past -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ClientPasswordExpired,*'
        $failed[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $failed[0].ErrorDetails.RecommendedAction | Should -Match 'Reset-CaxtonCredential, then New-CaxtonPassword'
    }

    It 'the EndDate of a piped password is remembered' {
        $password = New-TestPassword -Emulator $emulator
        $null = $password | Get-CaxtonToken
        (Get-CaxtonConnection).ClientPasswordExpiresOn | Should -Be $password.EndDate
    }
}

Describe 'Invoke-CaxtonRestMethod' {
    BeforeEach {
        $null = Connect-Caxton -BaseUri $emulator.BaseUri
        $script:password = New-TestPassword -Emulator $emulator
    }

    It 'unwraps Content.Model by default and gives the envelope with -Raw' {
        $model = Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP'
        $model.ApiStatus | Should -Be 'IsValid'
        $model.Banks[0].SwiftCode | Should -Not -BeNullOrEmpty
        $raw = Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' -Raw
        $raw.Content.ExpectedResponses | Should -Be 'IsValid'
        $raw.AuthorisedClientModel | Should -Not -BeNullOrEmpty
    }

    It 'turns a failing ApiStatus into an ErrorRecord with code, status and description' {
        Invoke-CaxtonRestMethod 'reference/lookup/banks/XXX' -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ApiStatusNotValid,*'
        $failed[0].Exception.ApiStatusCode | Should -Be 102
        $failed[0].Exception.ApiStatus | Should -Be 'InvalidCurrency'
        $failed[0].Exception.ApiStatusDescription | Should -Not -BeNullOrEmpty
    }

    It 'retries once with a new token after a 401' {
        $null = Get-CaxtonToken
        $null = Invoke-CaxtonEmulatorControl -Emulator $emulator -Path "accounts/$($password.Username)/revoke-tokens"
        Reset-CaxtonEmulatorStats -Emulator $emulator
        (Invoke-CaxtonRestMethod 'reference/lookup/banks/EUR').ApiStatus | Should -Be 'IsValid'
        $stats = Get-CaxtonEmulatorStats -Emulator $emulator
        $stats.banks | Should -Be 2
        $stats.token | Should -Be 1
    }

    It 'sends -IdentityNumber as the sub-account header' {
        # One of this main account's own sub-accounts: the emulator refuses any other (issue 17).
        $identity = 'SUB-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $null = New-CaxtonEmulatorAccount -Emulator $emulator -IdentityNumber $identity -ParentUsername $password.Username
        $raw = Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' -IdentityNumber $identity -Raw
        $raw.AuthorisedClientModel.IdentityNumber | Should -Be $identity
    }

    It 'refuses to send the token to a URI outside the base URI' {
        Invoke-CaxtonRestMethod 'https://elsewhere.example/api/x' -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'PathOutsideBaseUri,*'
    }

    It 'accepts an absolute URI under the base URI' {
        (Invoke-CaxtonRestMethod "$($emulator.BaseUri)reference/lookup/banks/USD").Banks.Count | Should -BeGreaterThan 0
    }
}
