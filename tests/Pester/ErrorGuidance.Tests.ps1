# Issue 10, "errors that say what to do": one test per item of findings 7 to 9, against the built
# module and the emulator.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR

    function Get-FreeLoopbackPort {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
    }

    function Invoke-Unattended([string] $Command, [int] $TimeoutSec = 90) {
        # A fresh pwsh whose stdin is closed at once, as a scheduled runbook has it: a prompt fails or
        # hangs instead of being answered. A hang is killed and reported, never waited out.
        $start = [System.Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
        if ([IO.Path]::GetFileNameWithoutExtension($start.FileName) -eq 'dotnet') { $start.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        foreach ($argument in '-NoProfile', '-Command', $Command) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardInput = $true
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($start)
        $process.StandardInput.Close()
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $exited = $process.WaitForExit($TimeoutSec * 1000)
        if (-not $exited) { $process.Kill($true) }
        $process.WaitForExit()
        [pscustomobject]@{ Exited = $exited; ExitCode = $process.ExitCode; Output = ($stdout.Result + $stderr.Result) -replace '\e\[[0-9;]*m' }
    }
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'Wrong ErrorIds and vague wording (finding 7)' {
    BeforeEach {
        Disconnect-Caxton
        $null = Connect-Caxton -BaseUri $emulator.BaseUri
    }

    It 'an unknown -Connection name is ConnectionNotFound, not a binding error' {
        $record = try { Get-CaxtonToken -Connection 'typo' -ErrorAction Stop } catch { $_ }
        $record.FullyQualifiedErrorId | Should -Be 'ConnectionNotFound,Caxton.Commands.GetCaxtonTokenCommand'
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $record.ErrorDetails.RecommendedAction | Should -Match 'Get-CaxtonConnection -ListAvailable'
    }

    It 'a bad <Variable> names the variable' -ForEach @(
        @{ Variable = 'CAXTON_ENVIRONMENT'; Value = 'Prodution'; ErrorId = 'UnknownEnvironment' }
        @{ Variable = 'CAXTON_BASEURI'; Value = 'caxton/api'; ErrorId = 'InvalidBaseUri' }
        @{ Variable = 'CAXTON_BASEURI'; Value = 'http://caxton.example/api/'; ErrorId = 'InsecureBaseUri' }
    ) {
        $output = Invoke-FreshPwsh -Command "`$env:CAXTON_BASEURI = `$null; `$env:CAXTON_ENVIRONMENT = `$null; `$env:$Variable = '$Value'; Import-Module '$env:CAXTON_TEST_MODULE'; try { Get-CaxtonConnection -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message; `$_.ErrorDetails.RecommendedAction }"
        $output[0] | Should -BeLike "$ErrorId,*"
        $output[1] | Should -Match $Variable
        $output[2] | Should -Match $Variable
    }

    It 'Get-CaxtonToken with no credential says to run Connect-Caxton -Credential or New-CaxtonPassword' {
        $output = Invoke-FreshPwsh -Command "`$env:CAXTON_USERNAME = `$null; `$env:CAXTON_CLIENTPASSWORD = `$null; Import-Module '$env:CAXTON_TEST_MODULE'; `$null = Connect-Caxton -BaseUri '$($emulator.BaseUri)'; Get-CaxtonToken -ErrorVariable failed -ErrorAction SilentlyContinue; `$failed[0].FullyQualifiedErrorId; `$failed[0].Exception.Message"
        $output[0] | Should -BeLike 'NoClientCredential,*'
        $output[1] | Should -Match 'Connect-Caxton -Credential'
        $output[1] | Should -Match 'New-CaxtonPassword'
        $output[1] | Should -Not -Match 'holds no Username'
    }

    It 'a 404 from <Operation> on a base URI without /api/ hints at the base URI' -ForEach @(
        @{ Operation = 'the register endpoint' }
        @{ Operation = 'the token endpoint' }
    ) {
        $root = $emulator.BaseUri -replace 'api/$', ''
        $null = Connect-Caxton -BaseUri $root
        if ($Operation -eq 'the token endpoint') {
            Get-CaxtonToken -Credential ([pscredential]::new('u', (ConvertTo-SecureString 'p' -AsPlainText -Force))) -ErrorAction SilentlyContinue -ErrorVariable failed
        }
        else {
            New-CaxtonPassword -Username 'u' -Clientname 'c' -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
        }
        $failed[0].Exception.HttpStatus | Should -Be 404
        $failed[0].ErrorDetails.RecommendedAction | Should -Match '/api/'
        $failed[0].ErrorDetails.RecommendedAction | Should -Match ([regex]::Escape($emulator.BaseUri))
    }

    It 'connection refused on a loopback host hints at starting the emulator' {
        $null = Connect-Caxton -BaseUri "http://127.0.0.1:$(Get-FreeLoopbackPort)/api/" -MaximumRetryCount 0
        New-CaxtonPassword -Username 'u' -Clientname 'c' -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ConnectionFailed,*'
        $failed[0].ErrorDetails.RecommendedAction | Should -Match 'emulator'
        $failed[0].ErrorDetails.RecommendedAction | Should -Match '-Task Emulator'
    }

    It 'a password already generated is ResourceExists, recommending reset then generate' {
        $password = New-TestPassword -Emulator $emulator
        New-CaxtonPassword -Username $password.Username -Clientname $password.Clientname -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ApiStatusNotValid,*'
        $failed[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $failed[0].ErrorDetails.RecommendedAction | Should -Match 'Reset-CaxtonCredential, then New-CaxtonPassword'
    }
}

Describe 'Prompts and silence (finding 8)' {
    It 'Reset-CaxtonCredential -Force <How> never prompts, so an unattended run never hangs' -ForEach @(
        @{ How = '-Debug'; Setup = ''; Switch = '-Debug' }
        @{ How = 'with $DebugPreference = Inquire (what -Debug sets on Windows PowerShell 5.1)'; Setup = '$DebugPreference = ''Inquire'';'; Switch = '' }
    ) {
        $account = New-CaxtonEmulatorAccount -Emulator $emulator
        $result = Invoke-Unattended "Import-Module '$env:CAXTON_TEST_MODULE'; `$null = Connect-Caxton -BaseUri '$($emulator.BaseUri)'; $Setup Reset-CaxtonCredential -Username '$($account.Username)' -Clientname '$($account.Clientname)' -Force $Switch; 'finished'"
        $result.Exited | Should -BeTrue -Because "it must not wait for an answer: $($result.Output)"
        $result.Output | Should -Not -Match 'Continue with this operation'
        $result.Output | Should -Match 'DEBUG: Reset Client Credentials'
        $result.Output | Should -Match 'finished'
    }

    It 'a cached Get-CaxtonToken -Verbose says it came from the cache and when it expires' {
        Disconnect-Caxton
        $null = Connect-Caxton -BaseUri $emulator.BaseUri
        $token = New-TestPassword -Emulator $emulator | Get-CaxtonToken
        $verbose = Get-CaxtonToken -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        "$verbose" | Should -Match 'cached'
        "$verbose" | Should -Match ([regex]::Escape($token.ExpiresOn.ToString('u')))
    }

    It 'a client password past its EndDate fails even while a cached token would answer' {
        Disconnect-Caxton
        $null = Connect-Caxton -BaseUri $emulator.BaseUri
        $password = New-TestPassword -Emulator $emulator
        $endsSoon = [DateTimeOffset]::UtcNow.AddSeconds(2)
        $null = Get-CaxtonToken -Username $password.Username -ClientPassword $password.ClientPassword -ClientPasswordExpiresOn $endsSoon -WarningAction SilentlyContinue
        while ([DateTimeOffset]::UtcNow -le $endsSoon) { Start-Sleep -Milliseconds 200 }
        Get-CaxtonToken -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ClientPasswordExpired,*'
    }
}

Describe 'Smaller things (finding 9)' {
    BeforeEach {
        Disconnect-Caxton
        $null = Connect-Caxton -BaseUri $emulator.BaseUri
    }

    It 'messages end with one full stop, whatever Caxton''s text ends with' {
        $password = New-TestPassword -Emulator $emulator
        New-CaxtonPassword -Username $password.Username -Clientname $password.Clientname -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable already
        $null = $password | Get-CaxtonToken
        Invoke-CaxtonRestMethod 'reference/lookup/banks/XYZ' -ErrorAction SilentlyContinue -ErrorVariable currency
        New-CaxtonPassword -Username 'nobody' -Clientname 'nothing' -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable unknown
        foreach ($record in $already[0], $currency[0], $unknown[0]) {
            $record.Exception.Message | Should -Not -Match '\.\.'
            $record.Exception.Message | Should -Not -Match '\. with HTTP'
        }
    }

    It 'help OUTPUTS keep ******** as written' {
        Get-Help Get-CaxtonToken -Full | Out-String | Should -Match 'masks the token as \*{8}'
    }

    It '-AsPlainText and -AsHeader are in separate parameter sets' {
        foreach ($set in (Get-Command Get-CaxtonToken).ParameterSets) {
            ($set.Parameters.Name -contains 'AsPlainText' -and $set.Parameters.Name -contains 'AsHeader') | Should -BeFalse -Because $set.Name
        }
        { Get-CaxtonToken -AsPlainText -AsHeader } | Should -Throw -ErrorId 'AmbiguousParameterSet,Caxton.Commands.GetCaxtonTokenCommand'
        (Get-Command Get-CaxtonToken -Syntax) | Should -Not -Match 'AsPlainText\] \[-AsHeader|AsHeader\] \[-AsPlainText'
    }

    It 'an error carries the response''s Date for Caxton support, in the exception and the message' {
        New-CaxtonPassword -Username 'nobody' -Clientname 'nothing' -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].Exception.ResponseDate | Should -Not -BeNullOrEmpty
        $failed[0].Exception.Data['Date'] | Should -Not -BeNullOrEmpty
        $failed[0].Exception.SupportReference | Should -Match '^Date '
        $failed[0].ErrorDetails.Message | Should -Match 'Caxton response: Date'
        (($failed[0] | Out-String) -replace '[\s|]+', ' ') | Should -Match 'Caxton response: Date'
    }
}
