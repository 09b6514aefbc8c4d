# Cmdlet behaviour a runbook depends on, in a real pwsh -NonInteractive with stdin closed: a confirmation
# prompt (or an Inquire preference) ends in PowerShell's own NonInteractive error, as Remove-Item -Confirm
# does, never in UnexpectedError.
BeforeAll {
    . $PSScriptRoot/Common.ps1
}

Describe 'A prompt under pwsh -NonInteractive' {
    It '<Name> gives PowerShell''s NonInteractive error, not UnexpectedError' -ForEach @(
        @{ Name = 'Reset-CaxtonCredential without -Force'; Call = 'Reset-CaxtonCredential -Username u -Clientname c -Connection $c' }
        @{ Name = 'Reset-CaxtonCredential -Force -Confirm'; Call = 'Reset-CaxtonCredential -Username u -Clientname c -Connection $c -Force -Confirm' }
        @{ Name = 'New-CaxtonPassword -Confirm'; Call = 'New-CaxtonPassword -Username u -Clientname c -Connection $c -Confirm' }
        @{ Name = 'New-CaxtonPassword under $ConfirmPreference = ''Medium'''; Call = '& { $ConfirmPreference = ''Medium''; New-CaxtonPassword -Username u -Clientname c -Connection $c }' }
        @{ Name = 'Invoke-CaxtonRestMethod -Method PUT -Confirm'; Call = 'Invoke-CaxtonRestMethod x -Method PUT -Body "{}" -Connection $c -Confirm' }
        @{ Name = '$VerbosePreference = ''Inquire'''; Call = '& { $VerbosePreference = ''Inquire''; Get-CaxtonToken -Connection $c -Credential $credential }' }
        @{ Name = 'Remove-Item -Confirm (the reference)'; Call = 'Remove-Item -LiteralPath (New-TemporaryFile) -Confirm' }
    ) {
        $script = @"
Import-Module '$env:CAXTON_TEST_MODULE'
`$credential = [pscredential]::new('u', (ConvertTo-SecureString 'not-a-real-password-1' -AsPlainText -Force))
`$c = Connect-Caxton -BaseUri http://127.0.0.1:9/api/ -Name prompt -MaximumRetryCount 0 -TimeoutSec 5
`$Error.Clear()
try { $Call 2>`$null } catch { }
'RESULT ' + `$Error[0].FullyQualifiedErrorId + ' ' + `$Error[0].Exception.GetType().Name
"@
        # Piped input: the child's stdin is a pipe that closes at once, as in a scheduled runbook.
        $output = '' | Invoke-FreshPwsh -Command $script
        $result = @($output) -match '^RESULT ' | Select-Object -First 1
        $result | Should -Match '^RESULT InvalidOperation,\S+ PSInvalidOperationException$'
        $result | Should -Not -Match 'UnexpectedError'
    }

    It 'New-CaxtonPassword -Confirm:$false under $ConfirmPreference = ''Medium'' does not ask: it sends (here to a closed port)' {
        $script = @"
Import-Module '$env:CAXTON_TEST_MODULE'
`$c = Connect-Caxton -BaseUri http://127.0.0.1:9/api/ -Name prompt -MaximumRetryCount 0 -TimeoutSec 5
`$Error.Clear()
`$ConfirmPreference = 'Medium'
try { New-CaxtonPassword -Username u -Clientname c -Connection `$c -Confirm:`$false 2>`$null } catch { }
'RESULT ' + `$Error[0].FullyQualifiedErrorId
"@
        $output = '' | Invoke-FreshPwsh -Command $script
        @($output) -match '^RESULT ' | Select-Object -First 1 | Should -Match '^RESULT ConnectionFailed,'
    }
}
