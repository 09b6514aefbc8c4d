BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'Failures are ErrorRecords with stable ErrorIds and no secrets' {
    BeforeEach {
        Disconnect-Caxton
        $null = Connect-Caxton -BaseUri $emulator.BaseUri
    }

    It 'a wrong client password gives InvalidCredentials, an authentication error without the password' {
        $password = New-TestPassword -Emulator $emulator
        $wrong = ConvertTo-SecureString 'Wrong-Pa55word-that-is-secret' -AsPlainText -Force
        $output = Get-CaxtonToken -Username $password.Username -ClientPassword $wrong -Verbose -ErrorVariable failure -ErrorAction SilentlyContinue 4>&1
        $failure.Count | Should -Be 1
        $record = $failure[0]
        $record.FullyQualifiedErrorId | Should -Be 'InvalidCredentials,Caxton.Commands.GetCaxtonTokenCommand'
        $record.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $record.Exception.OAuthError | Should -Be 'invalid_grant'
        $record.ErrorDetails.RecommendedAction | Should -Match 'New-CaxtonPassword'
        $everything = ($output | Out-String) + ($record | Out-String) + $record.Exception.ToString()
        $everything | Should -Not -Match 'Wrong-Pa55word-that-is-secret'
        $everything | Should -Not -Match ([regex]::Escape((ConvertTo-PlainText $password.ClientPassword)))
    }

    It 'a second registration while a password is active reports the ApiStatus triple (HTTP 200 form)' {
        $password = New-TestPassword -Emulator $emulator
        New-CaxtonPassword -Username $password.Username -Clientname $password.Clientname -Confirm:$false -ErrorVariable failure -ErrorAction SilentlyContinue
        $record = $failure[0]
        $record.FullyQualifiedErrorId | Should -BeLike 'ApiStatusNotValid,*'
        $record.Exception.HttpStatus | Should -Be 200
        $record.Exception.ApiStatusCode | Should -Be 101
        $record.Exception.ApiStatus | Should -Be 'PasswordAlreadyGenerated'
        $record.Exception.Message | Should -Match 'PasswordAlreadyGenerated \(101\)'
    }

    It 'an unknown client reports the ApiStatus triple of an HTTP 400 envelope' {
        New-CaxtonPassword -Username 'nobody' -Clientname 'nothing' -Confirm:$false -ErrorVariable failure -ErrorAction SilentlyContinue
        $record = $failure[0]
        $record.FullyQualifiedErrorId | Should -BeLike 'ApiStatusNotValid,*'
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.Exception.HttpStatus | Should -Be 400
        $record.Exception.ApiStatus | Should -Be 'InvalidClient'
    }

    It 'a plain http base URI that is not loopback is refused before anything is sent' {
        { Connect-Caxton -BaseUri 'http://caxton.example/api/' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InsecureBaseUri,Caxton.Commands.ConnectCaxtonCommand'
    }

    It 'Get-CaxtonToken with nothing to go on says what to run' {
        Get-CaxtonToken -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'NoClientCredential,*'
        $failure[0].ErrorDetails.RecommendedAction | Should -Match 'New-CaxtonPassword'
    }

    It 'a server that is not there gives ConnectionFailed, not a .NET exception' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $null = Connect-Caxton -BaseUri "http://127.0.0.1:$port/api/"
        New-CaxtonPassword -Username a -Clientname b -Confirm:$false -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'ConnectionFailed,*'
        $failure[0].CategoryInfo.Category | Should -Be 'ConnectionError'
    }

    It 'a sub-account reset without any main credential fails cleanly' {
        Reset-CaxtonCredential -Username caxton.demo -Clientname cxtnclient -IdentityNumber SUB-000123 -Force -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'NoClientCredential,*'
    }

    It 'nothing secret appears in default output or -Verbose of the whole flow' {
        $password = New-TestPassword -Emulator $emulator
        $token = $password | Get-CaxtonToken
        $secrets = (ConvertTo-PlainText $password.ClientPassword), (ConvertTo-PlainText $token.AccessToken)
        $secrets | ForEach-Object { $_.Length | Should -BeGreaterThan 10 }
        $output = & {
            $password
            $password | Get-CaxtonToken -Verbose -Force | Format-List *
            $token
            Get-CaxtonConnection | Format-List *
            Reset-CaxtonCredential -Username $password.Username -Clientname $password.Clientname -Force -PassThru -Verbose
        } 4>&1 | Out-String
        $output | Should -Match 'Get Access Token'
        foreach ($secret in $secrets) { $output.Contains($secret) | Should -BeFalse }
    }
}
