# New-CaxtonSubAccount against the emulator: create, generate the sub-account's password, get its
# token; a rerun for the same company; never repeated once Caxton may have acted; its view and errors.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR

    function New-MainConnection {
        # A connection holding a fresh main account's credential and token.
        $connection = Connect-Caxton -BaseUri $emulator.BaseUri -Name ('main-' + [guid]::NewGuid().ToString('n').Substring(0, 8)) -MaximumRetryCount 2
        $null = New-TestPassword -Emulator $emulator -Connection $connection | Get-CaxtonToken -Connection $connection
        $connection
    }

    function New-CompanyName { 'Acme Payroll ' + [guid]::NewGuid().ToString('n').Substring(0, 8) }
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'New-CaxtonSubAccount' {
    It 'creates a sub-account whose output pipes into New-CaxtonPassword, and that password into Get-CaxtonToken' {
        $main = New-MainConnection
        $company = New-CompanyName
        $sub = New-CaxtonSubAccount -CompanyName $company -Email 'finance@acme.example' -Connection $main -Confirm:$false
        $sub | Should -BeOfType ([Caxton.CaxtonSubAccount])
        $sub.Clientname | Should -Be $company
        $sub.CompanyName | Should -Be $company
        $sub.Username | Should -BeLike "$($main.Username).sub-*"
        $sub.Email | Should -Be 'finance@acme.example'
        $sub.ApiStatusCode | Should -Be 100
        $sub.ApiStatus | Should -Be 'IsValid'

        $subConnection = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'sub-of-test'
        $password = $sub | New-CaxtonPassword -Connection $subConnection -Confirm:$false
        $password.Username | Should -Be $sub.Username
        $password.Clientname | Should -Be $company
        $token = $password | Get-CaxtonToken -Connection $subConnection
        $token.Username | Should -Be $sub.Username
        $subConnection.Username | Should -Be $sub.Username
        $main.Username | Should -Not -Be $sub.Username -Because 'the main connection keeps the main account'

        # The sub-account's token works on an authenticated endpoint.
        $banks = Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' -Connection $subConnection
        $banks.Banks.Count | Should -BeGreaterThan 0
    }

    It 'refuses an existing company as ResourceExists, naming it, and creates nothing (a rerun is safe)' {
        $main = New-MainConnection
        $company = New-CompanyName
        $null = New-CaxtonSubAccount $company 'a@b.example' -Connection $main -Confirm:$false
        Reset-CaxtonEmulatorStats -Emulator $emulator
        $again = New-CaxtonSubAccount $company 'a@b.example' -Connection $main -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
        $again | Should -BeNullOrEmpty
        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ApiStatusNotValid,*'
        $failed[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $failed[0].TargetObject | Should -Be $company
        $failed[0].Exception.ApiStatusCode | Should -Be 108
        $failed[0].Exception.ApiStatus | Should -Be 'CompanyAlreadyExists'
        $failed[0].Exception.Message | Should -Match ([regex]::Escape($company))
        $failed[0].ErrorDetails.RecommendedAction | Should -Match 'nothing was created'
        (Get-CaxtonEmulatorStats -Emulator $emulator).subsidiary | Should -Be 1
    }

    It 'is never repeated once Caxton may have acted: an answer lost after the account was made is one request' {
        $main = New-MainConnection
        $company = New-CompanyName
        $null = Add-CaxtonEmulatorFault -Emulator $emulator -Path 'clients/subsidiary' -LoseAnswer
        Reset-CaxtonEmulatorStats -Emulator $emulator
        New-CaxtonSubAccount $company 'a@b.example' -Connection $main -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ConnectionFailed,*'
        (Get-CaxtonEmulatorStats -Emulator $emulator).subsidiary | Should -Be 1 -Because 'a repeat could create a second account'

        # The rerun learns that the first one went through.
        New-CaxtonSubAccount $company 'a@b.example' -Connection $main -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].CategoryInfo.Category | Should -Be 'ResourceExists'
    }

    It 'is retried once with a new token after a 401, the server having done nothing' {
        $main = New-MainConnection
        $null = Invoke-CaxtonEmulatorControl -Emulator $emulator -Path "accounts/$($main.Username)/revoke-tokens"
        Reset-CaxtonEmulatorStats -Emulator $emulator
        $sub = New-CaxtonSubAccount (New-CompanyName) 'a@b.example' -Connection $main -Confirm:$false
        $sub.ApiStatus | Should -Be 'IsValid'
        $stats = Get-CaxtonEmulatorStats -Emulator $emulator
        $stats.subsidiary | Should -Be 2
        $stats.token | Should -Be 1
    }

    It 'sends nothing under -WhatIf, and says what it would create' {
        $main = New-MainConnection
        Reset-CaxtonEmulatorStats -Emulator $emulator
        New-CaxtonSubAccount 'Acme WhatIf Ltd' 'a@b.example' -Connection $main -WhatIf | Should -BeNullOrEmpty
        (Get-CaxtonEmulatorStats -Emulator $emulator).subsidiary | Should -Be 0
    }

    It 'refuses control characters, which would forge a What-if line, before anything is sent' {
        $main = New-MainConnection
        Reset-CaxtonEmulatorStats -Emulator $emulator
        { New-CaxtonSubAccount "Acme`r`nWhat if: Forged line" 'a@b.example' -Connection $main -WhatIf } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        { New-CaxtonSubAccount 'Acme' "a@b.example`n" -Connection $main -WhatIf } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        (Get-CaxtonEmulatorStats -Emulator $emulator).subsidiary | Should -Be 0
    }

    It 'reports a failing ApiStatus as ApiStatusNotValid with its code (a sub-account cannot create one)' {
        $main = New-MainConnection
        $sub = New-CaxtonSubAccount (New-CompanyName) 'a@b.example' -Connection $main -Confirm:$false
        $subConnection = Connect-Caxton -BaseUri $emulator.BaseUri -Name 'sub-creates'
        $null = $sub | New-CaxtonPassword -Connection $subConnection -Confirm:$false
        New-CaxtonSubAccount (New-CompanyName) 'a@b.example' -Connection $subConnection -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ApiStatusNotValid,*'
        $failed[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failed[0].Exception.ApiStatusCode | Should -Be 106
    }

    It 'shows a table view with the names a user pipes on' {
        $main = New-MainConnection
        $sub = New-CaxtonSubAccount (New-CompanyName) 'view@acme.example' -Connection $main -Confirm:$false
        (Get-FormatData -TypeName Caxton.CaxtonSubAccount).FormatViewDefinition.Control | Should -BeOfType ([System.Management.Automation.TableControl])
        $shown = $sub | Out-String -Width 300
        $shown | Should -Match 'Username\s+Clientname\s+Email\s+ApiStatus\s+CreatedOn'
        $shown | Should -Match ([regex]::Escape($sub.Username))
    }

    It 'makes the new sub-account''s Username and Clientname complete for New-CaxtonPassword' {
        $main = New-MainConnection
        $sub = New-CaxtonSubAccount (New-CompanyName) 'a@b.example' -Connection $main -Confirm:$false
        $line = "New-CaxtonPassword -Username "
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain "'$($sub.Username)'"
        $line = "New-CaxtonPassword -Username '$($sub.Username)' -Clientname "
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @("'$($sub.Clientname)'")
    }

    It 'is refused by the emulator with a foreign IdentityNumber header, as on every endpoint' {
        $main = New-MainConnection
        $headers = Get-CaxtonToken -Connection $main -AsHeader
        $headers.IdentityNumber = 'SUB-NOT-MINE'
        $body = @{ CompanyName = (New-CompanyName); Email = 'a@b.example' } | ConvertTo-Json
        Reset-CaxtonEmulatorStats -Emulator $emulator
        $answer = Invoke-WebRequest "$($emulator.BaseUri)clients/subsidiary" -Method Post -Headers $headers -Body $body -ContentType 'application/json' -SkipHttpErrorCheck
        $answer.StatusCode | Should -Be 403
        ($answer.Content | ConvertFrom-Json).Content.Model.ApiStatus | Should -Be 'IdentityNumberNotFound'
        (Get-CaxtonEmulatorStats -Emulator $emulator).subsidiary | Should -Be 1
    }
}
