# Issue 10, "never lose a working credential": explicit credentials commit only on success, no
# cross-user tokens under concurrency, switching connections without dropping one, keeping the password.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR

    function Get-Credential2([string] $User, [securestring] $Password) {
        [pscredential]::new($User, $Password)
    }
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'A failed explicit call leaves the connection exactly as it was' {
    BeforeEach {
        Disconnect-Caxton
        $script:connection = Connect-Caxton -BaseUri $emulator.BaseUri
        $script:password = New-TestPassword -Emulator $emulator
        $script:token = $password | Get-CaxtonToken
        $script:wrong = ConvertTo-SecureString 'mistyped-Pa55' -AsPlainText -Force
    }

    It 'through <Way>' -ForEach @(
        @{ Way = '-Credential' }
        @{ Way = '-Username/-ClientPassword' }
        @{ Way = 'the pipeline' }
        @{ Way = '-Credential -Force' }
    ) {
        Reset-CaxtonEmulatorStats -Emulator $emulator
        switch ($Way) {
            '-Credential' { Get-CaxtonToken -Credential (Get-Credential2 $password.Username $wrong) -ErrorAction SilentlyContinue -ErrorVariable failed }
            '-Username/-ClientPassword' { Get-CaxtonToken -Username $password.Username -ClientPassword $wrong -ErrorAction SilentlyContinue -ErrorVariable failed }
            'the pipeline' { [pscustomobject]@{ Username = $password.Username; ClientPassword = $wrong } | Get-CaxtonToken -ErrorAction SilentlyContinue -ErrorVariable failed }
            '-Credential -Force' { Get-CaxtonToken -Credential (Get-Credential2 'another-user' $wrong) -Force -ErrorAction SilentlyContinue -ErrorVariable failed }
        }
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'InvalidCredentials,*'

        $connection.Username | Should -Be $password.Username
        $connection.TokenExpiresOn | Should -Be $token.ExpiresOn
        ConvertTo-PlainText $connection.Credential.Password | Should -Be (ConvertTo-PlainText $password.ClientPassword)
        # The cached token still answers: no new request.
        ConvertTo-PlainText (Get-CaxtonToken).AccessToken | Should -Be (ConvertTo-PlainText $token.AccessToken)
        (Get-CaxtonEmulatorStats -Emulator $emulator).token | Should -Be 1
    }

    It 'and a successful explicit call makes its credential the held one' {
        $other = New-CaxtonEmulatorAccount -Emulator $emulator
        $otherPassword = New-CaxtonPassword -Username $other.Username -Clientname $other.Clientname -Confirm:$false -Connection ([Caxton.CaxtonConnection]::new([uri] $emulator.BaseUri))
        $null = Get-CaxtonToken -Credential $otherPassword.Credential
        $connection.Username | Should -Be $other.Username
    }
}

Describe 'Two users, explicit credentials, one connection shared by runspaces' {
    It 'every call gets a token the server says is for the user it asked for' {
        Disconnect-Caxton
        $shared = Connect-Caxton -BaseUri $emulator.BaseUri
        $one = [Caxton.CaxtonConnection]::new([uri] $emulator.BaseUri)
        $users = foreach ($i in 1, 2) {
            $account = New-CaxtonEmulatorAccount -Emulator $emulator
            (New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Confirm:$false -Connection $one).Credential
        }
        $module = $env:CAXTON_TEST_MODULE
        $banks = $emulator.BaseUri + 'reference/lookup/banks/GBP'

        # 6 runspaces x 25 calls, alternating the two users: bounded, and heavy enough to interleave.
        $results = 1..6 | ForEach-Object -ThrottleLimit 6 -Parallel {
            Import-Module $using:module
            $worker = $_
            foreach ($i in 1..25) {
                $credential = ($using:users)[($worker + $i) % 2]
                $token = Get-CaxtonToken -Credential $credential -Connection $using:shared -Force:($i % 5 -eq 0)
                $served = Invoke-RestMethod $using:banks -Authentication Bearer -Token $token.AccessToken -AllowUnencryptedAuthentication
                [pscustomobject]@{ Asked = $credential.UserName; Token = $token.Username; Server = $served.AuthorisedClientModel.UserName }
            }
        }

        $results.Count | Should -Be 150
        @($results | Where-Object { $_.Asked -ne $_.Token -or $_.Asked -ne $_.Server }).Count | Should -Be 0
        $shared.Username | Should -BeIn $users.UserName
    }
}

Describe 'Switching connections never drops a credential' {
    BeforeEach {
        Disconnect-Caxton
        Get-CaxtonConnection -ListAvailable | Disconnect-Caxton
        $script:prod = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'prod'
        $script:password = New-TestPassword -Emulator $emulator -Connection $prod
        $script:token = $password | Get-CaxtonToken -Connection $prod
    }

    It 'Select-CaxtonConnection -Name makes an existing connection the default without touching it' {
        $null = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'staging'
        (Get-CaxtonConnection).Name | Should -Be 'staging'

        Select-CaxtonConnection -Name 'prod'

        $default = Get-CaxtonConnection
        [object]::ReferenceEquals($default, $prod) | Should -BeTrue
        $default.Username | Should -Be $password.Username
        $default.TokenExpiresOn | Should -Be $token.ExpiresOn
    }

    It 'Select-CaxtonConnection takes a connection object from the pipeline, with -PassThru' {
        $null = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'staging'
        $selected = Get-CaxtonConnection -Name 'prod' | Select-CaxtonConnection -PassThru
        [object]::ReferenceEquals($selected, $prod) | Should -BeTrue
        (Get-CaxtonConnection).Name | Should -Be 'prod'
    }

    It 'an unknown name is ConnectionNotFound and leaves the default alone' {
        Select-CaxtonConnection -Name 'nope' -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -Be 'ConnectionNotFound,Caxton.Commands.SelectCaxtonConnectionCommand'
        (Get-CaxtonConnection).Name | Should -Be 'prod'
    }

    It 'Get-CaxtonConnection -ListAvailable shows which one is the default' {
        $null = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'staging'
        $list = Get-CaxtonConnection -ListAvailable
        @($list | Where-Object IsDefault).Name | Should -Be @('staging')
        Select-CaxtonConnection prod
        @(Get-CaxtonConnection -ListAvailable | Where-Object IsDefault).Name | Should -Be @('prod')
        (Get-CaxtonConnection -ListAvailable | Out-String) | Should -Match 'IsDefault'
    }

    It 'connecting again to the same name and base URI keeps the credential and token (our decision)' {
        $again = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'prod' -WarningVariable warned
        $warned | Should -BeNullOrEmpty
        $again.Username | Should -Be $password.Username
        $again.TokenExpiresOn | Should -Be $token.ExpiresOn
        ConvertTo-PlainText (Get-CaxtonToken).AccessToken | Should -Be (ConvertTo-PlainText $token.AccessToken)
    }

    It 'a plain Connect-Caxton to the same base URI keeps the unnamed default''s credential too' {
        Disconnect-Caxton -Connection 'prod'
        $null = Connect-Caxton -BaseUri $emulator.BaseUri
        $held = New-TestPassword -Emulator $emulator
        $again = Connect-Caxton -BaseUri $emulator.BaseUri -WarningVariable warned
        $warned | Should -BeNullOrEmpty
        $again.Username | Should -Be $held.Username
    }

    It 'connecting the name elsewhere warns, naming the credential that is dropped' {
        $null = Connect-Caxton -BaseUri 'https://caxton.example/api/' -Name 'prod' -WarningVariable warned -WarningAction SilentlyContinue
        $warned.Count | Should -Be 1
        "$warned" | Should -Match ([regex]::Escape("'$($password.Username)'"))
        "$warned" | Should -Match 'prod'
    }
}

Describe 'The password can be kept' {
    BeforeAll {
        Disconnect-Caxton
        $script:connection = Connect-Caxton -BaseUri $emulator.BaseUri
        $script:password = New-TestPassword -Emulator $emulator
    }

    It 'the password object has a Credential: a PSCredential of Username and ClientPassword' {
        $credential = $password.Credential
        $credential | Should -BeOfType [pscredential]
        $credential.UserName | Should -Be $password.Username
        ConvertTo-PlainText $credential.Password | Should -Be (ConvertTo-PlainText $password.ClientPassword)
    }

    It 'each Credential is a copy: disposing it breaks neither the password object nor the connection' {
        $password.Credential.Password.Dispose()
        $connection.Credential.Password.Dispose()
        ConvertTo-PlainText $password.Credential.Password | Should -Be (ConvertTo-PlainText $password.ClientPassword)
        (Get-CaxtonToken).Username | Should -Be $password.Username
    }

    It 'stores in one step, as Set-Secret takes it (stand-in: SecretManagement is not installable here)' {
        function Set-Secret([string] $Name, [object] $Secret) { $script:stored = @{ Name = $Name; Secret = $Secret } }
        Set-Secret -Name CaxtonProd -Secret $password.Credential
        $stored.Secret | Should -BeOfType [pscredential]
        $stored.Secret.UserName | Should -Be $password.Username
    }

    It 'the connection exposes the credential it holds the same way, masked in views' {
        $connection.Credential.UserName | Should -Be $password.Username
        ConvertTo-PlainText $connection.Credential.Password | Should -Be (ConvertTo-PlainText $password.ClientPassword)
        $text = ($connection | Format-List | Out-String) + ($connection | Out-String) + ($password | Format-List | Out-String)
        $text | Should -Not -Match ([regex]::Escape((ConvertTo-PlainText $password.ClientPassword)))
        $text | Should -Not -Match 'System.Security.SecureString'
    }

    It 'a connection without a credential has none to give' {
        [Caxton.CaxtonConnection]::new([uri] $emulator.BaseUri).Credential | Should -BeNullOrEmpty
    }

    It 'help says the password is shown only once and how to keep it' {
        $help = Get-Help New-CaxtonPassword -Full | Out-String
        $help | Should -Match 'only once'
        $help | Should -Match 'Credential'
    }
}
