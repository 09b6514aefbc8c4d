# Constrained Language (a locked-down host, AppLocker or WDAC): the whole flow, every property of every
# output object and the views work in a runspace whose language mode is ConstrainedLanguage.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR
    $script:account = New-CaxtonEmulatorAccount -Emulator $emulator
    $script:sub = New-CaxtonEmulatorAccount -Emulator $emulator -IdentityNumber ('SUB-' + [guid]::NewGuid().ToString('n').Substring(0, 8)) -ParentUsername $account.Username

    $iss = [initialsessionstate]::CreateDefault2()
    $iss.LanguageMode = [Management.Automation.PSLanguageMode]::ConstrainedLanguage
    $script:runspace = [runspacefactory]::CreateRunspace($iss)
    $runspace.Open()
    $runspace.SessionStateProxy.SetVariable('module', $env:CAXTON_TEST_MODULE)
    $runspace.SessionStateProxy.SetVariable('baseUri', $emulator.BaseUri)
    $runspace.SessionStateProxy.SetVariable('account', $account)
    $runspace.SessionStateProxy.SetVariable('sub', $sub)

    function Invoke-Constrained([string] $Script) {
        # Output, errors and warnings of a script run in the constrained runspace.
        $ps = [powershell]::Create($runspace)
        try {
            $output = $ps.AddScript($Script).Invoke()
            @{ Output = @($output); Errors = @($ps.Streams.Error | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" }); Warnings = @($ps.Streams.Warning | ForEach-Object Message) }
        }
        finally { $ps.Dispose() }
    }
}

AfterAll {
    $script:runspace.Dispose()
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'In ConstrainedLanguage' {
    It 'is really constrained: a script may not call a .NET method of a type outside the allowed list' {
        (Invoke-Constrained '$ExecutionContext.SessionState.LanguageMode').Output | Should -Be 'ConstrainedLanguage'
        (Invoke-Constrained '[System.IO.File]::ReadAllText(''x'')').Errors | Should -Not -BeNullOrEmpty
    }

    It 'runs the flow: connect, generate, token (piped, -AsHeader, -AsPlainText), API call, sub-account reset' {
        $result = Invoke-Constrained @'
Import-Module $module
$connection = Connect-Caxton -BaseUri $baseUri -Name 'clm'
$password = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname
$token = $password | Get-CaxtonToken
$header = Get-CaxtonToken -AsHeader
$plain = Get-CaxtonToken -AsPlainText
$banks = Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP'
$subReset = Reset-CaxtonCredential -Username $account.Username -Clientname $account.Clientname -IdentityNumber $sub.IdentityNumber -Force -PassThru
$listed = Get-CaxtonConnection -ListAvailable
$selected = Select-CaxtonConnection -Name 'clm' -PassThru
@{
    Password = $password; Token = $token; Connection = $connection; SubReset = $subReset; Listed = $listed; Selected = $selected
    HeaderStartsBearer = $header.Authorization.StartsWith('Bearer ')
    PlainLength = $plain.Length
    Banks = @($banks.Banks).Count
}
'@
        $result.Errors | Should -BeNullOrEmpty
        $result.Warnings | Should -BeNullOrEmpty
        $flow = [pscustomobject]$result.Output[-1]
        $flow.HeaderStartsBearer | Should -BeTrue
        $flow.PlainLength | Should -BeGreaterThan 20
        $flow.Banks | Should -BeGreaterThan 0
        $flow.SubReset.Account | Should -Be 'Sub-account'
        $flow.Selected.Name | Should -Be 'clm'
    }

    It 'reads every property of every output object, the type extensions (Credential, IsDefault) included' {
        $result = Invoke-Constrained @'
$objects = @(
    @{ Kind = 'password'; Object = $password }
    @{ Kind = 'token'; Object = $token }
    @{ Kind = 'connection'; Object = $connection }
    @{ Kind = 'reset'; Object = $subReset }
)
foreach ($entry in $objects) {
    foreach ($property in $entry.Object.PSObject.Properties) {
        @{ Kind = $entry.Kind; Name = $property.Name; HasValue = $null -ne $property.Value }
    }
}
'@
        $result.Errors | Should -BeNullOrEmpty
        $result.Warnings | Should -BeNullOrEmpty
        # Hashtables: ConstrainedLanguage makes no [pscustomobject] from one.
        $read = $result.Output | ForEach-Object { [pscustomobject]$_ }
        $read.Count | Should -BeGreaterThan 20
        # The properties that must have a value after this flow, read in ConstrainedLanguage.
        foreach ($expected in @(
                'password/Username', 'password/ClientPassword', 'password/Credential', 'password/EndDate', 'password/PublicKey'
                'token/AccessToken', 'token/ExpiresOn', 'token/TokenType'
                'connection/Username', 'connection/Credential', 'connection/IsDefault', 'connection/TokenExpiresOn', 'connection/BaseUri'
                'reset/Account', 'reset/IdentityNumber', 'reset/ApiStatus')) {
            $kind, $name = $expected -split '/'
            $entry = @($read | Where-Object { $_.Kind -eq $kind -and $_.Name -eq $name })
            $entry.Count | Should -Be 1 -Because "$expected is a property"
            $entry[0].HasValue | Should -BeTrue -Because "$expected has a value in ConstrainedLanguage"
        }
        $types = [pscustomobject](Invoke-Constrained '@{ Password = $password.Credential -is [pscredential]; Connection = $connection.Credential -is [pscredential]; IsDefault = $connection.IsDefault -is [bool]; UserMatches = $connection.Credential.UserName -eq $account.Username }').Output[0]
        $types.Password | Should -BeTrue
        $types.Connection | Should -BeTrue
        $types.IsDefault | Should -BeTrue
        $types.UserMatches | Should -BeTrue
    }

    It 'formats every output type with its views, secrets masked' {
        $result = Invoke-Constrained '$password, $token, $connection, $subReset | ForEach-Object { $_ | Out-String -Width 200; $_ | Format-List | Out-String -Width 200 }'
        $result.Errors | Should -BeNullOrEmpty
        $text = $result.Output -join "`n"
        $text | Should -Match 'ClientPassword\s+: \*{8}'
        $text | Should -Match 'AccessToken\s+: \*{8}'
        $text | Should -Match "Credential\s+: $([regex]::Escape($account.Username)) / \*{8}"
        $text | Should -Match 'IsDefault\s+: True'
    }

    It 'rotates with -Regenerate and disconnects' {
        $result = Invoke-Constrained @'
$new = Reset-CaxtonCredential -Username $account.Username -Clientname $account.Clientname -Regenerate -Force
$null = Get-CaxtonToken -Credential $new.Credential -Force
Disconnect-Caxton -Connection 'clm'
@{ NewUser = $new.Username; Remaining = @(Get-CaxtonConnection -ListAvailable | Where-Object Name -EQ 'clm').Count }
'@
        $result.Errors | Should -BeNullOrEmpty
        $result.Output[-1].NewUser | Should -Be $account.Username
        $result.Output[-1].Remaining | Should -Be 0
    }
}
