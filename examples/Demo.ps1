<#
.SYNOPSIS
    The Caxton authentication flow end to end: connect, generate a password, get a token, call an
    authenticated endpoint with Invoke-RestMethod, reset the credentials. Secrets stay masked.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $BaseUri,
    [string] $Username = 'caxton.demo',
    [string] $Clientname = 'cxtnclient',
    [string] $SubAccountIdentityNumber = 'SUB-000123'
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

function Show-Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }

Show-Step "Connect-Caxton -BaseUri $BaseUri"
Connect-Caxton -BaseUri $BaseUri | Format-List | Out-Host

Show-Step 'New-CaxtonPassword (step 1: Generate Password)'
$password = New-CaxtonPassword -Username $Username -Clientname $Clientname
$password | Format-List | Out-Host

Show-Step 'Get-CaxtonToken (step 2: Get Access Token), from the password on the pipeline'
$token = $password | Get-CaxtonToken
$token | Format-List | Out-Host

Show-Step 'Get-CaxtonToken again: answered from the cache, with no request (its -Verbose line says so)'
$again = Get-CaxtonToken -Verbose 4>&1 | ForEach-Object {
    if ($_ -is [System.Management.Automation.VerboseRecord]) { Write-Host "VERBOSE: $($_.Message)" } else { $_ }
}
# Each call returns its own copy (disposing one leaves the others intact), so compare the token, not the object.
"The same token as before (issued $($token.IssuedOn.ToString('u'))): $($again.IssuedOn -eq $token.IssuedOn -and $again.ExpiresOn -eq $token.ExpiresOn)" | Out-Host

Show-Step 'Invoke-RestMethod with the token (PowerShell 7: -Authentication Bearer -Token)'
$banks = Invoke-RestMethod -Uri "$($BaseUri)reference/lookup/banks/GBP" -Authentication Bearer -Token $token.AccessToken -AllowUnencryptedAuthentication
$banks.Content.Model.Banks | Format-Table | Out-Host

Show-Step 'Invoke-RestMethod with a header (Windows PowerShell 5.1 has no -Token)'
$headers = Get-CaxtonToken -AsHeader
$banks = Invoke-RestMethod -Uri "$($BaseUri)reference/lookup/banks/EUR" -Headers $headers
"EUR banks: $(@($banks.Content.Model.Banks).Count)" | Out-Host

Show-Step 'Reset-CaxtonCredential for a sub-account: the main account acts for it with its token'
Reset-CaxtonCredential -Username $Username -Clientname $Clientname -IdentityNumber $SubAccountIdentityNumber -Force -PassThru | Format-List | Out-Host

Show-Step 'Reset-CaxtonCredential (step 3: Reset Client Credentials) for the main account'
Reset-CaxtonCredential -Username $Username -Clientname $Clientname -Force -PassThru | Format-List | Out-Host

Show-Step 'The connection now holds no stale token or password'
Get-CaxtonConnection | Format-List | Out-Host

Show-Step 'A new password and token after the reset'
New-CaxtonPassword -Username $Username -Clientname $Clientname | Get-CaxtonToken | Format-List | Out-Host
Write-Host 'Demo finished.' -ForegroundColor Green
