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

    It 'shows a connection with its environment first and the held credential masked' {
        $text = $connection | Show
        $text | Should -Match '(?m)^Environment\s+Name\s+IsDefault\s+Username\s+ClientPassword\s+TokenExpiresOn\s+BaseUri'
        $text | Should -Match "Custom\s+views\s+True\s+$([regex]::Escape($password.Username))\s+\*{8}\s+$([regex]::Escape($token.ExpiresOn.ToString('u')))"
        $list = $connection | Show -List
        $list | Should -Match 'ClientPassword\s+: \*{8}'
        $list | Should -Match 'AccessToken\s+: \*{8}'
        $list | Should -Match "Credential\s+: $([regex]::Escape($password.Username)) / \*{8}"
        $list | Should -Match 'IsDefault\s+: True'
        $list | Should -Match "ClientPasswordExpiresOn\s+: $([regex]::Escape($password.EndDate.ToString('u')))"
        foreach ($secret in $secrets) { ($text + $list) | Should -Not -Match ([regex]::Escape($secret)) }
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
