# Default output and Format-List of every output type: the facts a user wants, and never a secret.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR

    function Show([Parameter(ValueFromPipeline)] $InputObject, [switch] $List) {
        # What the console shows: the default view, or Format-List.
        process {
            if ($List) { $InputObject | Format-List | Out-String -Width 300 }
            else { $InputObject | Out-String -Width 300 }
        }
    }
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'Views that mask secrets' {
    BeforeAll {
        Disconnect-Caxton
        $script:connection = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'views'
        $script:password = New-TestPassword -Emulator $emulator
        $script:token = $password | Get-CaxtonToken
        $script:secrets = @((ConvertTo-PlainText $password.ClientPassword), (ConvertTo-PlainText $token.AccessToken))
    }

    It 'shows a client password as a table: user, masked password, expiry; never the password' {
        $text = $password | Show
        $text | Should -Match '(?m)^Username\s+Clientname\s+ClientPassword\s+EndDate\s+ApiStatus'
        $text | Should -Match "$([regex]::Escape($password.Username))\s+client\s+\*{8}\s+$([regex]::Escape($password.EndDate.ToString('u')))\s+IsValid"
        foreach ($secret in $secrets) { $text | Should -Not -Match ([regex]::Escape($secret)) }
        $text | Should -Not -Match 'System.Security.SecureString'
    }

    It 'shows every fact of a client password in a list, masked' {
        $text = $password | Show -List
        $text | Should -Match 'ClientPassword\s+: \*{8}'
        $text | Should -Match "PublicKey\s+: $([regex]::Escape($password.PublicKey))"
        $text | Should -Match 'ApiStatusDescription\s+: \S'
        foreach ($secret in $secrets) { $text | Should -Not -Match ([regex]::Escape($secret)) }
    }

    It 'shows a token as a table: user, type, masked token, expiry; never the token' {
        $text = $token | Show
        $text | Should -Match '(?m)^Username\s+TokenType\s+AccessToken\s+ExpiresOn'
        $text | Should -Match "$([regex]::Escape($token.Username))\s+bearer\s+\*{8}\s+$([regex]::Escape($token.ExpiresOn.ToString('u')))"
        foreach ($secret in $secrets) { $text | Should -Not -Match ([regex]::Escape($secret)) }
        ($token | Show -List) | Should -Match 'AccessToken\s+: \*{8}'
        ($token | Show -List) | Should -Match 'ExpiresIn\s+: 2591999'
        foreach ($secret in $secrets) { ($token | Show -List) | Should -Not -Match ([regex]::Escape($secret)) }
    }

    It 'shows a connection as a table: name, environment, user, base URI, token expiry; a list of real properties, credential masked' {
        $text = $connection | Show
        $text | Should -Match '(?m)^Name\s+Environment\s+IsDefault\s+Username\s+BaseUri\s+TokenExpiresOn'
        $text | Should -Match "views\s+Custom\s+True\s+$([regex]::Escape($password.Username))\s+$([regex]::Escape($emulator.BaseUri))\s+$([regex]::Escape($token.ExpiresOn.UtcDateTime.ToString('yyyy-MM-dd HH:mm')))Z"
        $list = $connection | Show -List
        $list | Should -Match "Credential\s+: $([regex]::Escape($password.Username)) / \*{8}"
        $list | Should -Match 'IsDefault\s+: True'
        $list | Should -Match "ClientPasswordExpiresOn\s+: $([regex]::Escape($password.EndDate.ToString('u')))"
        foreach ($secret in $secrets) { ($text + $list) | Should -Not -Match ([regex]::Escape($secret)) }
    }

    It 'shows in every list view only real properties, so Format-List with those names shows the same rows' -ForEach @(
        @{ Kind = 'connection'; Get = { $connection } }
        @{ Kind = 'client password'; Get = { $password } }
        @{ Kind = 'token'; Get = { $token } }
    ) {
        $object = & $Get
        $labels = @(($object | Show -List) -split '\r?\n' | Where-Object { $_ -match '^(\w+)\s+:' } | ForEach-Object { ($_ -split '\s+:')[0] })
        $labels.Count | Should -BeGreaterThan 3
        $properties = $object.PSObject.Properties.Name
        foreach ($label in $labels) { $properties | Should -Contain $label -Because "the $Kind list view shows '$label'" }
        # Asked by name, each of those rows is there (a pseudo row would silently vanish).
        $named = @(($object | Format-List -Property $labels | Out-String -Width 300) -split '\r?\n' | Where-Object { $_ -match '^(\w+)\s+:' } | ForEach-Object { ($_ -split '\s+:')[0] })
        $named | Should -Be $labels
    }

    It 'fits a connection table in 120 columns with the whole base URI visible, for every documented environment' {
        $connections = foreach ($environment in 'Sandbox', 'Staging', 'Production') {
            Connect-Caxton -Environment $environment -Name $environment.ToLowerInvariant()
        }
        $connections += $connection
        $lines = ($connections | Out-String -Width 120) -split '\r?\n'
        foreach ($line in $lines) { $line.Length | Should -BeLessOrEqual 120 }
        foreach ($each in $connections) {
            $lines -match [regex]::Escape($each.BaseUri.AbsoluteUri) | Should -Not -BeNullOrEmpty -Because "$($each.BaseUri) must show whole"
        }
        ($lines -join "`n") | Should -Not -Match '…'
        foreach ($each in $connections | Select-Object -SkipLast 1) { Disconnect-Caxton -Connection $each }
        Select-CaxtonConnection -Connection $connection
    }

    It 'shows no mask where a connection holds no secret' {
        $empty = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'empty'
        ($empty | Show) + ($empty | Show -List) | Should -Not -Match '\*{8}'
    }

    It 'shows a credential reset: who, which account, the status' {
        $reset = Reset-CaxtonCredential -Username $password.Username -Clientname $password.Clientname -Force -PassThru -Connection $connection
        $text = $reset | Show
        $text | Should -Match '(?m)^Username\s+Clientname\s+Account\s+IdentityNumber\s+ApiStatus\s+ResetOn'
        $text | Should -Match "$([regex]::Escape($password.Username))\s+client\s+Main\s+IsValid"
        ($reset | Show -List) | Should -Match 'ApiStatusDescription\s+: \S'
        foreach ($secret in $secrets) { $text | Should -Not -Match ([regex]::Escape($secret)) }
    }
}
