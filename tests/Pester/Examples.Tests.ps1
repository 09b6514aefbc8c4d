# Docs as tests: every example of every cmdlet's help (docs/*.md), every fenced block of README.md and
# every example of about_Caxton runs here, as written, against the built module and an emulator
# (tests/Pester/Examples/DocExamples.ps1 finds them and classifies the fragments that are not code).
#
# How a runbook written for Production runs here, without a test hook in the module:
#   - Connect-Caxton and Invoke-RestMethod are proxy functions in the example's runspace (made by
#     ProxyCommand from the real commands, so they bind exactly as those do): -Environment <any>, the
#     documented hosts' URIs and the README's emulator address (http://127.0.0.1:5080/api/) become this
#     run's emulator; Invoke-RestMethod adds -AllowUnencryptedAuthentication for -Token to the emulator,
#     which speaks plain http. Nothing else is changed.
#   - The emulator holds the accounts the docs name (acme.api, its sub-account SUB-000123, ...), from
#     nothing for each example.
#   - Set-Secret, Get-Secret, Get-SecretInfo, Get-AutomationPSCredential, Connect-AzAccount and the
#     Az.Automation credential cmdlets are stand-ins (Examples/StandIns.ps1) that fail as the real ones do.
#   - $Given below sets the scene an example assumes (a stored credential, a connection the reader made
#     before), in the open: its Prelude is PowerShell run in the runspace before the example.
# An example fails on a terminating error or on any error record; a runbook sample (one that reads or
# writes a stored credential) must stop at its first error: it starts with $ErrorActionPreference = 'Stop'
# or handles errors with try/catch or trap. The run writes "examples: N run, N failed" to the test report.

BeforeDiscovery {
    . $PSScriptRoot/Examples/DocExamples.ps1
    # As hashtables: Pester makes their keys variables (<Id> in a test name, $Code in its body).
    $script:all = @(Get-CaxtonDocExample -Root (Resolve-Path "$PSScriptRoot/../..").Path | ForEach-Object {
            @{ Id = $_.Id; File = $_.File; Title = $_.Title; Line = $_.Line; Code = $_.Code; Kind = $_.Kind; Reason = $_.Reason }
        })
    $script:runnable = @($all | Where-Object { $_.Kind -eq 'Run' })
    $script:fragments = @($all | Where-Object { $_.Kind -eq 'NotRunnable' })
    $script:pending = @($all | Where-Object { $_.Kind -eq 'Pending' })
    # Runbook samples: they read or write a stored credential, or rotate one.
    $script:runbookMarkers = 'Get-AutomationPSCredential', 'Get-Secret', 'Set-Secret', 'Set-AzAutomationCredential', 'Get-AzAutomationCredential'
    # A console walkthrough, typed line by line, may go on after an error when its text says so.
    $script:consoleWalkthroughs = @{
        'README.md: Quick start #2' = 'typed at a console; its text says Set-Secret may fail without a vault and the rest still runs (checked below)'
    }
    $script:runbooks = @($runnable | Where-Object {
            $code = $_.Code
            -not $consoleWalkthroughs.ContainsKey($_.Id) -and
            (($runbookMarkers | Where-Object { $code -match "(?<![\w-])$_(?![\w-])" }) -or $code -match 'Reset-CaxtonCredential[^\n]*(\n\s+[^\n]*)*-Regenerate')
        })
}

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/Examples/DocExamples.ps1
    $script:repoRoot = (Resolve-Path "$PSScriptRoot/../..").Path
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR
    $script:standIns = Get-Content -Raw -LiteralPath "$PSScriptRoot/Examples/StandIns.ps1"
    $script:examplesRun = 0
    $script:examplesFailed = 0
    # `Import-Module Caxton` (a runbook, a parallel runspace) finds the built module as an installed one.
    $script:savedModulePath = $env:PSModulePath
    $env:PSModulePath = (Split-Path (Split-Path $env:CAXTON_TEST_MODULE)) + [IO.Path]::PathSeparator + $env:PSModulePath
    foreach ($name in 'CAXTON_BASEURI', 'CAXTON_ENVIRONMENT', 'CAXTON_USERNAME', 'CAXTON_CLIENTPASSWORD') {
        Remove-Item "Env:$name" -ErrorAction Ignore
    }

    function New-Proxy([string] $Command, [string] $Mapping) {
        # A proxy function of a real command, with $Mapping run on its $PSBoundParameters first.
        $proxy = [Management.Automation.ProxyCommand]::Create([Management.Automation.CommandMetadata]::new((Get-Command $Command)))
        $at = $proxy.IndexOf('$outBuffer = $null')
        if ($at -lt 0) { throw "ProxyCommand's text for $Command changed: no place for the mapping." }
        "function $(($Command -split '\\')[-1]) {`n" + $proxy.Insert($at, "$Mapping`n        ") + "`n}"
    }

    $script:proxies = @(
        New-Proxy 'Caxton\Connect-Caxton' @'
# Harness: every documented environment, and the README's emulator address, is this run's emulator.
        if ($PSBoundParameters.Remove('Environment')) { $PSBoundParameters['BaseUri'] = [uri]$CaxtonDocEmulator }
        elseif ("$($PSBoundParameters['BaseUri'])" -match '^http://127\.0\.0\.1:5080/') { $PSBoundParameters['BaseUri'] = [uri]$CaxtonDocEmulator }
'@
        New-Proxy 'Microsoft.PowerShell.Utility\Invoke-RestMethod' @'
# Harness: the documented hosts are this run's emulator, which speaks plain http.
        $documented = '^https://(caxapi-integration\.azurewebsites\.net|caxapi-staging\.caxton\.io|caxtonapi\.caxtonfx\.com)/api/'
        if ("$($PSBoundParameters['Uri'])" -match $documented) { $PSBoundParameters['Uri'] = [uri]("$($PSBoundParameters['Uri'])" -replace $documented, $CaxtonDocEmulator) }
        if ("$($PSBoundParameters['Uri'])".StartsWith($CaxtonDocEmulator) -and $PSBoundParameters.ContainsKey('Token')) { $PSBoundParameters['AllowUnencryptedAuthentication'] = $true }
'@
    ) -join "`n"

    # The accounts the docs name; each example starts with these and nothing else.
    $script:accounts = @(
        @{ Username = 'acme.api'; Clientname = 'acmeclient' }
        @{ Username = 'acme.sub'; Clientname = 'acmesubclient'; IdentityNumber = 'SUB-000123'; ParentUsername = 'acme.api' }
        @{ Username = 'acme.staging'; Clientname = 'acmeclient' }
        @{ Username = 'caxton.demo'; Clientname = 'cxtnclient' }
    )

    function New-World {
        # What the stand-ins read and write: a default vault and CompanyVault (both with metadata), no assets.
        @{
            Vaults     = @{
                SecretStore  = @{ IsDefault = $true; SupportsMetadata = $true; Secrets = @{} }
                CompanyVault = @{ IsDefault = $false; SupportsMetadata = $true; Secrets = @{} }
            }
            Automation = @{ Credentials = @{}; CanWrite = $true; Connected = $false }
        }
    }

    function New-GivenPassword([string] $Username = 'acme.api', [string] $Clientname = 'acmeclient', [switch] $Reset) {
        # A password generated before the example, as the person who stored it once did; -Reset first
        # voids the one before (someone rotated it elsewhere).
        $connection = Caxton\Connect-Caxton -BaseUri $emulator.BaseUri -Name "given-$([guid]::NewGuid().ToString('n'))"
        try {
            if ($Reset) { Reset-CaxtonCredential -Username $Username -Clientname $Clientname -Connection $connection -Force }
            New-CaxtonPassword -Username $Username -Clientname $Clientname -Connection $connection
        }
        finally { Disconnect-Caxton -Connection $connection }
    }

    function Test-WorkingCredential([pscredential] $Credential) {
        # Does Caxton (the emulator) give a token for this credential now?
        $connection = Caxton\Connect-Caxton -BaseUri $emulator.BaseUri -Name "check-$([guid]::NewGuid().ToString('n'))"
        try { [bool](Get-CaxtonToken -Credential $Credential -Connection $connection -ErrorAction Ignore) }
        finally { Disconnect-Caxton -Connection $connection }
    }

    function Add-GivenSecret($World, [string] $Name, $Password, [string] $Vault = 'SecretStore', [switch] $WithEndDate, [datetimeoffset] $EndDate) {
        $metadata = if ($WithEndDate -or $EndDate) { @{ EndDate = ($EndDate ? $EndDate : $Password.EndDate).UtcDateTime } }
        $World.Vaults[$Vault].Secrets[$Name] = @{ Secret = $Password.Credential; Metadata = $metadata }
    }

    function Add-GivenAsset($World, [string] $Name, $Password, [datetimeoffset] $EndDate) {
        $World.Automation.Credentials[$Name] = @{ Credential = $Password.Credential; Description = ($EndDate ? $EndDate : $Password.EndDate).ToString('o') }
    }

    # The scene each example assumes. Setup runs here (it may generate passwords and fill $World); Prelude
    # runs in the example's runspace first; Then checks what the example promises. An example not listed
    # starts from a fresh runspace, fresh accounts and empty vaults.
    $script:Given = @{
        'docs/Connect-Caxton.md: Example 2'          = @{ Setup = { param($World) Add-GivenAsset $World 'Caxton' (New-GivenPassword) } }
        'docs/Connect-Caxton.md: Example 3'          = @{ Setup = { param($World) Add-GivenSecret $World 'Caxton-Production' (New-GivenPassword) -Vault CompanyVault } }
        'docs/Connect-Caxton.md: Example 4'          = @{ Setup = { param($World) Add-GivenSecret $World 'Caxton-Staging' (New-GivenPassword acme.staging acmeclient) -Vault CompanyVault } }
        'docs/Disconnect-Caxton.md: Example 1'       = @{
            Setup = { param($World) Add-GivenAsset $World 'Caxton' (New-GivenPassword) }
            Then  = { param($World, $Output, $Runspace) Invoke-InRunspace $Runspace 'Get-CaxtonConnection -ListAvailable' | Should -BeNullOrEmpty }
        }
        'docs/Disconnect-Caxton.md: Example 3'       = @{
            Prelude = "Connect-Caxton -Environment Staging -Name 'staging'; Connect-Caxton -Environment Production -Name 'prod'"
            Then    = { param($World, $Output, $Runspace) Invoke-InRunspace $Runspace 'Get-CaxtonConnection -ListAvailable' | Should -BeNullOrEmpty }
        }
        'docs/Get-CaxtonConnection.md: Example 1'    = @{ Setup = { param($World) Add-GivenSecret $World 'CaxtonProd' (New-GivenPassword) }; Prelude = '$null = Connect-Caxton -Environment Production -Credential (Get-Secret CaxtonProd)' }
        'docs/Get-CaxtonConnection.md: Example 2'    = @{
            Prelude = "`$null = New-CaxtonPassword -Username 'acme.api' -Clientname 'acmeclient' -Connection (Connect-Caxton -Environment Production -Name 'prod') | Get-CaxtonToken"
            Then    = { param($World, $Output) ($Output | Out-String) | Should -Match '(?s)Username\s+: acme\.api.*ClientPasswordExpiresOn\s+: \d.*TokenExpiresOn\s+: \d' }
        }
        'docs/Get-CaxtonConnection.md: Example 4'    = @{ Prelude = "`$null = Connect-Caxton -Environment Production -Name 'prod'; `$null = New-CaxtonPassword -Username 'acme.api' -Clientname 'acmeclient'" }
        'docs/Get-CaxtonToken.md: Example 1'         = @{ Prelude = "`$null = Connect-Caxton -Environment Sandbox; `$null = New-CaxtonPassword -Username 'acme.api' -Clientname 'acmeclient'" }
        'docs/Get-CaxtonToken.md: Example 2'         = @{ Prelude = "`$null = Connect-Caxton -Environment Sandbox; `$null = New-CaxtonPassword -Username 'acme.api' -Clientname 'acmeclient'" }
        'docs/Get-CaxtonToken.md: Example 3'         = @{ Prelude = '$null = Connect-Caxton -Environment Sandbox' }
        'docs/Get-CaxtonToken.md: Example 4'         = @{ Setup = { param($World) Add-GivenAsset $World 'Caxton' (New-GivenPassword) } }
        'docs/Get-CaxtonToken.md: Example 5'         = @{ Setup = { param($World) Add-GivenSecret $World 'Caxton-Production' (New-GivenPassword) -Vault CompanyVault } }
        'docs/Invoke-CaxtonRestMethod.md: Example 1' = @{ Setup = { param($World) Add-GivenSecret $World 'CaxtonProd' (New-GivenPassword) }; Prelude = '$null = Connect-Caxton -Environment Production -Credential (Get-Secret CaxtonProd)' }
        'docs/Invoke-CaxtonRestMethod.md: Example 2' = @{ Setup = { param($World) Add-GivenAsset $World 'Caxton' (New-GivenPassword) } }
        'docs/Invoke-CaxtonRestMethod.md: Example 3' = @{ Setup = { param($World) Add-GivenSecret $World 'CaxtonProd' (New-GivenPassword) }; Prelude = '$null = Connect-Caxton -Environment Production -Credential (Get-Secret CaxtonProd)' }
        'docs/New-CaxtonPassword.md: Example 1'      = @{ Prelude = '$null = Connect-Caxton -Environment Production' }
        'docs/New-CaxtonPassword.md: Example 2'      = @{
            Then = { param($World) Test-WorkingCredential $World.Vaults.CompanyVault.Secrets['Caxton-Production'].Secret | Should -BeTrue }
        }
        'docs/New-CaxtonPassword.md: Example 3'      = @{
            Setup   = { param($World) $null = New-GivenPassword }
            Prelude = '$null = Connect-Caxton -Environment Production'
            Then    = { param($World) Test-WorkingCredential $World.Vaults.CompanyVault.Secrets['Caxton-Production'].Secret | Should -BeTrue -Because 'the renewed password is kept, not discarded' }
        }
        'docs/New-CaxtonSubAccount.md: Example 1'    = @{ Prelude = "`$null = Connect-Caxton -Environment Production; `$null = New-CaxtonPassword -Username 'acme.api' -Clientname 'acmeclient'" }
        'docs/New-CaxtonSubAccount.md: Example 2'    = @{ Prelude = "`$null = Connect-Caxton -Environment Production; `$null = New-CaxtonPassword -Username 'acme.api' -Clientname 'acmeclient'" }
        'docs/New-CaxtonSubAccount.md: Example 3'    = @{ Prelude = '$null = Connect-Caxton -Environment Production' }
        'docs/Test-CaxtonContract.md: Example 1'     = @{ Setup = { param($World) Add-GivenSecret $World 'CaxtonSandbox' (New-GivenPassword) } }
        'docs/Test-CaxtonContract.md: Example 2'     = @{
            Setup = { param($World) Add-GivenSecret $World 'CaxtonSandbox' (New-GivenPassword) }
            Then  = { param($World) Test-WorkingCredential $World.Vaults.SecretStore.Secrets['CaxtonSandbox'].Secret | Should -BeTrue -Because 'the new password is stored' }
        }
        'docs/Test-CaxtonContract.md: Example 3'     = @{ Setup = { param($World) Add-GivenSecret $World 'CaxtonSandbox' (New-GivenPassword) }; Prelude = '$null = Connect-Caxton -Environment Sandbox -Credential (Get-Secret CaxtonSandbox)' }
        'docs/Test-CaxtonContract.md: Example 4'     = @{ Setup = { param($World) Add-GivenSecret $World 'CaxtonSandbox' (New-GivenPassword) }; Prelude = '$null = Connect-Caxton -Environment Sandbox -Credential (Get-Secret CaxtonSandbox)' }
        'README.md: Help us confirm the contract #1' = @{ Setup = { param($World) Add-GivenSecret $World 'CaxtonSandbox' (New-GivenPassword) } }
        'README.md: Help us confirm the contract #2' = @{ Setup = { param($World) Add-GivenSecret $World 'CaxtonSandbox' (New-GivenPassword) }; Prelude = '$null = Connect-Caxton -Environment Sandbox -Credential (Get-Secret CaxtonSandbox)' }
        'docs/Reset-CaxtonCredential.md: Example 1'  = @{ Setup = { param($World) $null = New-GivenPassword }; Prelude = '$null = Connect-Caxton -Environment Production' }
        'docs/Reset-CaxtonCredential.md: Example 2'  = @{ Prelude = '$null = Connect-Caxton -Environment Production' }
        'docs/Reset-CaxtonCredential.md: Example 3'  = @{
            Setup   = { param($World) Add-GivenSecret $World 'CaxtonProd' (New-GivenPassword) -WithEndDate }
            Prelude = '$null = Connect-Caxton -Environment Production -Credential (Get-Secret CaxtonProd)'
            Then    = { param($World) Test-WorkingCredential $World.Vaults.SecretStore.Secrets['CaxtonProd'].Secret | Should -BeTrue }
        }
        'docs/Reset-CaxtonCredential.md: Example 4'  = @{
            Setup = { param($World) Add-GivenSecret $World 'CaxtonProd' (New-GivenPassword) }
            Then  = { param($World) Test-WorkingCredential $World.Vaults.SecretStore.Secrets['CaxtonSub'].Secret | Should -BeTrue }
        }
        'docs/Reset-CaxtonCredential.md: Example 5'  = @{
            # The stored EndDate is 3 days away: the runbook rotates and writes the new credential back.
            Setup = { param($World) Add-GivenAsset $World 'CaxtonProd' (New-GivenPassword) -EndDate ([datetimeoffset]::UtcNow.AddDays(3)) }
            Then  = { param($World) $asset = $World.Automation.Credentials['CaxtonProd']; Test-WorkingCredential $asset.Credential | Should -BeTrue; [datetimeoffset]$asset.Description | Should -BeGreaterThan ([datetimeoffset]::UtcNow.AddDays(20)) }
        }
        'docs/Reset-CaxtonCredential.md: Example 6'  = @{ Prelude = '$null = Connect-Caxton -Environment Production' }
        'docs/Select-CaxtonConnection.md: Example 1' = @{ Setup = { param($World) Add-GivenSecret $World 'CaxtonProd' (New-GivenPassword); Add-GivenSecret $World 'CaxtonStaging' (New-GivenPassword acme.staging acmeclient) } }
        'docs/Select-CaxtonConnection.md: Example 2' = @{
            Setup   = { param($World) Add-GivenSecret $World 'CaxtonProd' (New-GivenPassword); Add-GivenSecret $World 'CaxtonStaging' (New-GivenPassword acme.staging acmeclient) }
            Prelude = '$null = Connect-Caxton -Name Prod -Environment Production -Credential (Get-Secret CaxtonProd); $null = Connect-Caxton -Name Staging -Environment Staging -Credential (Get-Secret CaxtonStaging)'
            Then    = { param($World, $Output) @($Output | Where-Object { $_ -is [Caxton.CaxtonConnection] }).Name | Should -Be 'Prod' }
        }
        'README.md: Quick start #2'                  = @{
            Then = {
                param($World, $Output)
                Test-WorkingCredential $World.Vaults.SecretStore.Secrets['Caxton'].Secret | Should -BeFalse -Because 'the Quick Start ends with a reset that voids it'
                # "The same request": Invoke-RestMethod's Content.Model and Invoke-CaxtonRestMethod's answer.
                $models = @($Output | Where-Object { $_.PSObject.Properties['Banks'] })
                $models.Count | Should -Be 2
                ($models[0] | ConvertTo-Json -Depth 5) | Should -Be ($models[1] | ConvertTo-Json -Depth 5)
            }
        }
        'README.md: Runbooks and parallel jobs #1'   = @{ Setup = { param($World) Add-GivenAsset $World 'Caxton' (New-GivenPassword) } }
        'README.md: Runbooks and parallel jobs #2'   = @{ Setup = { param($World) Add-GivenSecret $World 'CaxtonProd' (New-GivenPassword) } }
        'README.md: Rotating the client password #1' = @{
            Setup   = { param($World) Add-GivenSecret $World 'CaxtonProd' (New-GivenPassword) -WithEndDate }
            Prelude = '$user = ''acme.api''; $client = ''acmeclient''; $null = Connect-Caxton -Environment Production -Credential (Get-Secret CaxtonProd)'
            Then    = { param($World) Test-WorkingCredential $World.Vaults.SecretStore.Secrets['CaxtonProd'].Secret | Should -BeTrue }
        }
        'README.md: Rotating the client password #2' = @{
            Setup = { param($World) Add-GivenSecret $World 'CaxtonProd' (New-GivenPassword) -EndDate ([datetimeoffset]::UtcNow.AddDays(3)) }
            Then  = { param($World) $entry = $World.Vaults.SecretStore.Secrets['CaxtonProd']; Test-WorkingCredential $entry.Secret | Should -BeTrue; $entry.Metadata.EndDate | Should -BeGreaterThan ([datetime]::UtcNow.AddDays(20)) }
        }
        'README.md: Rotating the client password #3' = @{
            Setup = { param($World) Add-GivenAsset $World 'CaxtonProd' (New-GivenPassword) -EndDate ([datetimeoffset]::UtcNow.AddDays(3)) }
            Then  = { param($World) $asset = $World.Automation.Credentials['CaxtonProd']; Test-WorkingCredential $asset.Credential | Should -BeTrue; [datetimeoffset]$asset.Description | Should -BeGreaterThan ([datetimeoffset]::UtcNow.AddDays(20)) }
        }
        'about_Caxton: ROTATING THE CLIENT PASSWORD #1' = @{
            Setup   = { param($World) Add-GivenSecret $World 'CaxtonProd' (New-GivenPassword) }
            Prelude = '$user = ''acme.api''; $client = ''acmeclient''; $null = Connect-Caxton -Environment Production -Credential (Get-Secret CaxtonProd)'
            Then    = { param($World) Test-WorkingCredential $World.Vaults.SecretStore.Secrets['CaxtonProd'].Secret | Should -BeTrue }
        }
        'about_Caxton: SUB-ACCOUNTS AND IDENTITYNUMBER #1' = @{ Prelude = '$main = ''acme.api''; $client = ''acmeclient''; $null = Connect-Caxton -Environment Production' }
        'about_Caxton: USING THE TOKEN WITH INVOKE-RESTMETHOD #1' = @{ Setup = { param($World) Add-GivenSecret $World 'CaxtonProd' (New-GivenPassword) }; Prelude = '$null = Connect-Caxton -Environment Production -Credential (Get-Secret CaxtonProd)' }
        'about_Caxton: USING THE TOKEN WITH INVOKE-RESTMETHOD #2' = @{ Setup = { param($World) Add-GivenSecret $World 'CaxtonProd' (New-GivenPassword) }; Prelude = '$null = Connect-Caxton -Environment Production -Credential (Get-Secret CaxtonProd)' }
    }

    function Invoke-InRunspace($Runspace, [string] $Script) {
        $ps = [powershell]::Create($Runspace)
        try { $ps.AddScript($Script).Invoke() } finally { $ps.Dispose() }
    }

    function Invoke-DocExample($Example, $Scene) {
        # The example in a fresh runspace, as a user would run it; returns its output, errors and runspace.
        # $Scene replaces the example's entry in $Given (a step of the scene that fails, for instance).
        $null = Clear-CaxtonEmulatorAccount -Emulator $emulator
        foreach ($account in $accounts) { $null = New-CaxtonEmulatorAccount -Emulator $emulator @account }
        $given = if ($Scene) { $Scene } else { $Given[$Example.Id] }
        $world = New-World
        if ($given.Setup) { & $given.Setup $world }

        $runspace = [runspacefactory]::CreateRunspace([initialsessionstate]::CreateDefault2())
        $runspace.Open()
        $runspace.SessionStateProxy.Path.SetLocation($repoRoot) | Out-Null
        $runspace.SessionStateProxy.SetVariable('CaxtonDocWorld', $world)
        $runspace.SessionStateProxy.SetVariable('CaxtonDocEmulator', $emulator.BaseUri)
        $null = Invoke-InRunspace $runspace "Import-Module '$($env:CAXTON_TEST_MODULE)'`n$standIns`n$proxies"
        if ($given.Prelude) {
            $ps = [powershell]::Create($runspace)
            try {
                $null = $ps.AddScript($given.Prelude).Invoke()
                if ($ps.Streams.Error.Count) { throw "The given scene of $($Example.Id) failed: $($ps.Streams.Error[0])" }
            }
            finally { $ps.Dispose() }
        }

        $ps = [powershell]::Create($runspace)
        $result = @{ Runspace = $runspace; World = $world; Output = $null; Errors = @(); Terminating = $null }
        try {
            $result.Output = $ps.AddScript($Example.Code).Invoke()
        }
        catch {
            $result.Terminating = $_.Exception.GetBaseException()
            if ($_.Exception.InnerException -is [Management.Automation.IContainsErrorRecord]) { $result.Terminating = $_.Exception.InnerException.ErrorRecord }
        }
        $result.Errors = @($ps.Streams.Error)
        $ps.Dispose()
        $result
    }
}

AfterAll {
    $env:PSModulePath = $script:savedModulePath
    $script:emulator | Stop-CaxtonEmulator
    if ($env:CAXTON_TEST_REPORT_DIR) {
        $null = New-Item -ItemType Directory -Force -Path $env:CAXTON_TEST_REPORT_DIR
        $found = @(Get-CaxtonDocExample -Root $repoRoot)
        $fragmentCount = @($found | Where-Object Kind -EQ 'NotRunnable').Count
        $pendingCount = @($found | Where-Object Kind -EQ 'Pending').Count
        $line = "examples: $script:examplesRun run, $script:examplesFailed failed ($fragmentCount fragments not run, each classified in tests/Pester/Examples"
        $line += if ($pendingCount) { "; $pendingCount pending: $((@($found | Where-Object Kind -EQ 'Pending') | ForEach-Object { "$($_.Id) ($($_.Reason))" }) -join '; '))" } else { ')' }
        Set-Content -LiteralPath (Join-Path $env:CAXTON_TEST_REPORT_DIR 'examples.txt') -Value $line
    }
}

Describe 'Documented examples run as written' {
    It '<Id> (line <Line>)' -ForEach $runnable {
        $script:examplesRun++
        try {
            $result = Invoke-DocExample @{ Id = $Id; Code = $Code }
            try {
                $errors = @($result.Errors | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" })
                if ($result.Terminating) { $errors += "terminating: $($result.Terminating)" }
                $errors | Should -BeNullOrEmpty -Because "$Id must run without an error"
                $then = $Given[$Id].Then
                if ($then) { & $then $result.World $result.Output $result.Runspace }
            }
            finally { $result.Runspace.Dispose() }
        }
        catch {
            $script:examplesFailed++
            throw
        }
    }
}

Describe 'What the docs promise when a step fails' {
    BeforeAll {
        $script:byId = @{}
        . $PSScriptRoot/Examples/DocExamples.ps1
        foreach ($example in Get-CaxtonDocExample -Root $repoRoot) { $byId[$example.Id] = $example }
    }

    It 'README Quick Start without a SecretManagement vault: "that one line fails, the rest still runs"' {
        $null = Reset-CaxtonEmulatorStats -Emulator $emulator
        $result = Invoke-DocExample $byId['README.md: Quick start #2'] @{ Setup = { param($World) $World.Vaults.Clear() } }
        try {
            $result.Terminating | Should -BeNullOrEmpty
            @($result.Errors).FullyQualifiedErrorId | Should -BeLike 'SetSecretFailNoDefaultVault,*'
            (Get-CaxtonEmulatorStats -Emulator $emulator).reset | Should -Be 1 -Because 'the last line, the reset, still ran'
        }
        finally { $result.Runspace.Dispose() }
    }

    It 'Connect-Caxton Example 2 with a voided credential: "stops the runbook there with the error InvalidCredentials"' {
        $scene = @{ Setup = { param($World) $password = New-GivenPassword; Add-GivenAsset $World 'Caxton' $password; $null = New-GivenPassword -Reset } }
        $null = Reset-CaxtonEmulatorStats -Emulator $emulator
        $result = Invoke-DocExample $byId['docs/Connect-Caxton.md: Example 2'] $scene
        try {
            $result.Terminating.FullyQualifiedErrorId | Should -BeLike 'InvalidCredentials,*'
            (Get-CaxtonEmulatorStats -Emulator $emulator).banks | Should -Be 0 -Because 'the runbook stopped before its next line'
        }
        finally { $result.Runspace.Dispose() }
    }

    It 'about_Caxton, SUB-ACCOUNTS: a foreign IdentityNumber fails a reset with ApiStatusNotValid, and the emulator refuses it on every call' {
        # SUB-000123 belongs to acme.api; another company's main account asks to reset it.
        $null = New-CaxtonEmulatorAccount -Emulator $emulator -Username 'other.corp' -Clientname 'otherclient'
        $connection = Caxton\Connect-Caxton -BaseUri $emulator.BaseUri -Name 'foreign'
        try {
            $null = New-CaxtonPassword -Username 'other.corp' -Clientname 'otherclient' -Connection $connection | Get-CaxtonToken -Connection $connection
            { Reset-CaxtonCredential -Username 'other.corp' -Clientname 'otherclient' -IdentityNumber 'SUB-000123' -Force -Connection $connection -ErrorAction Stop } |
                Should -Throw -ErrorId 'ApiStatusNotValid,*'
            # "the local emulator refuses it on every call that takes one"
            { Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' -IdentityNumber 'SUB-000123' -Connection $connection -ErrorAction Stop } |
                Should -Throw -ErrorId 'ApiStatusNotValid,*'
        }
        finally { Disconnect-Caxton -Connection $connection }
    }

    It '<Name>: the rotation stops with RegenerateHandOffFailed, and the new password is the error''s TargetObject' -ForEach @(
        @{
            Name  = 'the Azure Automation runbook without permission to write the asset'
            Id    = 'README.md: Rotating the client password #3'
            Setup = { param($World) Add-GivenAsset $World 'CaxtonProd' (New-GivenPassword) -EndDate ([datetimeoffset]::UtcNow.AddDays(3)); $World.Automation.CanWrite = $false }
            Cause = 'does not have authorization'
        }
        @{
            Name  = 'the SecretManagement runbook with a vault that keeps no metadata'
            Id    = 'README.md: Rotating the client password #2'
            Setup = { param($World) Add-GivenSecret $World 'CaxtonProd' (New-GivenPassword) -EndDate ([datetimeoffset]::UtcNow.AddDays(3)); $World.Vaults.SecretStore.SupportsMetadata = $false }
            Cause = 'does not support secret metadata'
        }
    ) {
        $result = Invoke-DocExample $byId[$Id] @{ Setup = $Setup }
        try {
            $result.Terminating.FullyQualifiedErrorId | Should -BeLike 'RegenerateHandOffFailed,*'
            "$($result.Terminating)" | Should -Match ([regex]::Escape($Cause)) -Because 'the error says why the hand-off failed'
            $password = $result.Terminating.TargetObject
            $password | Should -BeOfType ([Caxton.CaxtonClientPassword])
            Test-WorkingCredential $password.Credential | Should -BeTrue -Because 'the new password is not lost'
        }
        finally { $result.Runspace.Dispose() }
    }
}

Describe 'Documented runbooks stop at their first error' {
    It '<Id> is a console walkthrough, not a runbook: <Reason>' -ForEach @($consoleWalkthroughs.Keys | ForEach-Object { @{ Id = $_; Reason = $consoleWalkthroughs[$_]; Exists = $runnable.Id -contains $_ } }) {
        $Exists | Should -BeTrue -Because 'an exemption names an example that runs'
    }

    It '<Id> (line <Line>) starts with $ErrorActionPreference = ''Stop'' or handles its errors' -ForEach $runbooks {
        $ast = [Management.Automation.Language.Parser]::ParseInput($Code, [ref]$null, [ref]$null)
        $first = @($ast.EndBlock.Statements)[0]
        $stops = "$first" -match '^\$ErrorActionPreference\s*=\s*''Stop''$'
        $handles = $ast.Find({ param($node) $node -is [Management.Automation.Language.TryStatementAst] -and $node.CatchClauses.Count -gt 0 -or $node -is [Management.Automation.Language.TrapStatementAst] }, $true)
        ($stops -or $handles) | Should -BeTrue -Because "a runbook that goes on after a failed step reports success while doing the wrong thing"
    }
}

Describe 'The harness itself' {
    BeforeAll {
        $script:foundIds = @(Get-CaxtonDocExample -Root $repoRoot | ForEach-Object Id)
    }

    It 'sets a scene only for examples that exist, and classifies only fragments that exist' {
        foreach ($id in @($Given.Keys) + @($script:NotRunnable.Keys) + @($script:Pending.Keys)) {
            $foundIds | Should -Contain $id -Because 'a renamed or removed example must not leave its scene or classification behind'
        }
    }

    It 'fails an example that uses a parameter the cmdlet does not have (never skips it)' {
        $result = Invoke-DocExample @{ Id = 'harness: unknown parameter'; Code = "`$ErrorActionPreference = 'Stop'`nConnect-Caxton -Environment Production -NoSuchParameter 1" }
        try { $result.Terminating.FullyQualifiedErrorId | Should -BeLike 'NamedParameterNotFound,*' }
        finally { $result.Runspace.Dispose() }
    }

    It 'sees a non-terminating error of an example that goes on' {
        $result = Invoke-DocExample @{ Id = 'harness: goes on'; Code = "Get-Secret -Name 'NotThere'`n'went on'" }
        try {
            @($result.Errors).FullyQualifiedErrorId | Should -BeLike 'GetSecretNotFound,*'
            $result.Output | Should -Contain 'went on'
        }
        finally { $result.Runspace.Dispose() }
    }

    It 'maps every documented environment, and only those, to the emulator' {
        $result = Invoke-DocExample @{ Id = 'harness: environments'; Code = @'
'Sandbox', 'Staging', 'Production' | ForEach-Object { (Connect-Caxton -Environment $_ -Name $_).BaseUri.AbsoluteUri }
(Connect-Caxton -BaseUri 'https://example.invalid/api/' -Name other).BaseUri.AbsoluteUri
'@ }
        try {
            $result.Errors | Should -BeNullOrEmpty
            @($result.Output)[0..2] | Should -Be @($emulator.BaseUri, $emulator.BaseUri, $emulator.BaseUri)
            @($result.Output)[3] | Should -Be 'https://example.invalid/api/'
        }
        finally { $result.Runspace.Dispose() }
    }
}

Describe 'Examples pending a change that is not merged yet' {
    It '<Id> (line <Line>) is pending: <Reason>' -ForEach $pending {
        Set-ItResult -Pending -Because $Reason
    }
}

Describe 'Fragments that are not run are classified' {
    It '<Id> (line <Line>): <Reason>' -ForEach $fragments {
        $Reason | Should -Not -BeNullOrEmpty
    }
}
