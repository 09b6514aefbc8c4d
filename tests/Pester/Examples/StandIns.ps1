# Stand-ins for the third-party commands the docs' examples call, defined in each example's runspace by
# tests/Pester/Examples.Tests.ps1. Each takes the real command's parameters, returns what it returns and
# fails as it fails (a non-terminating error with the real ErrorId and category) in the cases the docs
# handle: a secret or asset that is not there, a vault without metadata support, no permission to
# write an Automation asset, Az used before Connect-AzAccount. Their state is $CaxtonDocWorld, a
# hashtable the harness seeds before the example and reads afterwards:
#   Vaults       name -> @{ IsDefault; SupportsMetadata; Secrets = name -> @{ Secret; Metadata } }
#   Automation   @{ Credentials = name -> @{ Credential; Description }; CanWrite; Connected }

function Copy-StandInSecret($Secret) {
    # A vault hands out what it stored, never the caller's object.
    if ($Secret -is [pscredential]) { return [pscredential]::new($Secret.UserName, $Secret.Password.Copy()) }
    if ($Secret -is [securestring]) { return $Secret.Copy() }
    $Secret
}

function Write-StandInError([string] $Message, [string] $ErrorId, [Management.Automation.ErrorCategory] $Category, $Target, $Cmdlet) {
    $record = [Management.Automation.ErrorRecord]::new([InvalidOperationException]::new($Message), $ErrorId, $Category, $Target)
    $Cmdlet.WriteError($record)
}

function Get-StandInVault([string] $Vault, $Cmdlet) {
    $vaults = $CaxtonDocWorld.Vaults
    if ($Vault) {
        if (-not $vaults.ContainsKey($Vault)) {
            Write-StandInError "Vault $Vault does not exist in registry." 'GetSecretVaultNotFound' ObjectNotFound $Vault $Cmdlet
            return
        }
        return , @($Vault)
    }
    # Without -Vault: the default vault first, then the others, as SecretManagement searches them.
    , @($vaults.Keys | Sort-Object { -not $vaults[$_].IsDefault }, { $_ })
}

function Get-Secret {
    # Microsoft.PowerShell.SecretManagement\Get-Secret
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)] [string] $Name,
        [Parameter(Position = 1)] [string] $Vault,
        [switch] $AsPlainText
    )
    $names = Get-StandInVault $Vault $PSCmdlet
    if ($null -eq $names) { return }
    foreach ($vaultName in $names) {
        $entry = $CaxtonDocWorld.Vaults[$vaultName].Secrets[$Name]
        if ($entry) {
            $secret = Copy-StandInSecret $entry.Secret
            if ($AsPlainText -and $secret -is [securestring]) { return [Net.NetworkCredential]::new('', $secret).Password }
            return $secret
        }
    }
    Write-StandInError "The secret $Name was not found." 'GetSecretNotFound' ObjectNotFound $Name $PSCmdlet
}

function Get-SecretInfo {
    # Microsoft.PowerShell.SecretManagement\Get-SecretInfo: what is stored, never the secret; nothing
    # (and no error) when no name matches.
    [CmdletBinding()]
    param([Parameter(Position = 0)] [string] $Name = '*', [string] $Vault)
    $names = Get-StandInVault $Vault $PSCmdlet
    foreach ($vaultName in $names) {
        $secrets = $CaxtonDocWorld.Vaults[$vaultName].Secrets
        foreach ($secretName in @($secrets.Keys | Where-Object { $_ -like $Name } | Sort-Object)) {
            $entry = $secrets[$secretName]
            $metadata = [Collections.Generic.Dictionary[string, object]]::new()
            if ($entry.Metadata) { foreach ($key in $entry.Metadata.Keys) { $metadata[$key] = $entry.Metadata[$key] } }
            [pscustomobject]@{
                PSTypeName = 'Microsoft.PowerShell.SecretManagement.SecretInformation'
                Name       = $secretName
                Type       = if ($entry.Secret -is [pscredential]) { 'PSCredential' } elseif ($entry.Secret -is [securestring]) { 'SecureString' } else { 'String' }
                VaultName  = $vaultName
                Metadata   = [Collections.ObjectModel.ReadOnlyDictionary[string, object]]::new($metadata)
            }
        }
    }
}

function Set-Secret {
    # Microsoft.PowerShell.SecretManagement\Set-Secret: the default vault unless -Vault; -Metadata only
    # where the vault supports it (SecretStore does; many extension vaults do not), else nothing is stored.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Name,
        [Parameter(Mandatory, Position = 1, ValueFromPipeline)] [object] $Secret,
        [string] $Vault,
        [hashtable] $Metadata,
        [switch] $NoClobber
    )
    process {
        if (-not $Vault) {
            $Vault = @($CaxtonDocWorld.Vaults.Keys | Where-Object { $CaxtonDocWorld.Vaults[$_].IsDefault })[0]
            if (-not $Vault) {
                Write-StandInError 'Unable to add secret because no default vault is registered. Use Set-SecretVaultDefault, or specify a vault with -Vault.' 'SetSecretFailNoDefaultVault' InvalidOperation $Name $PSCmdlet
                return
            }
        }
        $store = $CaxtonDocWorld.Vaults[$Vault]
        if (-not $store) {
            Write-StandInError "Vault $Vault does not exist in registry." 'SetSecretVaultNotFound' ObjectNotFound $Vault $PSCmdlet
            return
        }
        if ($Metadata -and -not $store.SupportsMetadata) {
            Write-StandInError "Cannot store secret $Name. Vault $Vault does not support secret metadata." 'SetSecretMetadataNotSupported' NotImplemented $Name $PSCmdlet
            return
        }
        if ($NoClobber -and $store.Secrets.ContainsKey($Name)) {
            Write-StandInError "A secret with name $Name already exists in vault $Vault." 'SetSecretAlreadyExists' ResourceExists $Name $PSCmdlet
            return
        }
        $store.Secrets[$Name] = @{ Secret = (Copy-StandInSecret $Secret); Metadata = $Metadata }
    }
}

function Get-AutomationPSCredential {
    # Azure Automation's internal cmdlet (a runbook's sandbox only): the credential asset as a PSCredential.
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Name)
    $asset = $CaxtonDocWorld.Automation.Credentials[$Name]
    if (-not $asset) {
        Write-StandInError "Credentials asset not found. To create this Credentials asset, navigate to the Assets blade and create a Credentials asset named: $Name." 'CredentialsAssetNotFound' ObjectNotFound $Name $PSCmdlet
        return
    }
    Copy-StandInSecret $asset.Credential
}

function Connect-AzAccount {
    # Az.Accounts: -Identity signs in as the Automation account's managed identity.
    [CmdletBinding()]
    param([switch] $Identity)
    $CaxtonDocWorld.Automation.Connected = $true
    [pscustomobject]@{ PSTypeName = 'Microsoft.Azure.Commands.Profile.Models.Core.PSAzureProfile'; Context = [pscustomobject]@{ Account = 'MSI@50342' } }
}

function Test-StandInAzContext($Cmdlet) {
    if ($CaxtonDocWorld.Automation.Connected) { return $true }
    Write-StandInError 'Run Connect-AzAccount to login.' 'InvalidOperation' InvalidOperation $null $Cmdlet
    $false
}

function Get-AzAutomationCredential {
    # Az.Automation: the asset's metadata (never its password).
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $ResourceGroupName, [Parameter(Mandatory)] [string] $AutomationAccountName, [string] $Name)
    if (-not (Test-StandInAzContext $PSCmdlet)) { return }
    $asset = $CaxtonDocWorld.Automation.Credentials[$Name]
    if (-not $asset) {
        Write-StandInError "Credential $Name not found." 'ResourceNotFound' ObjectNotFound $Name $PSCmdlet
        return
    }
    [pscustomobject]@{
        PSTypeName            = 'Microsoft.Azure.Commands.Automation.Model.CredentialInfo'
        ResourceGroupName     = $ResourceGroupName
        AutomationAccountName = $AutomationAccountName
        Name                  = $Name
        UserName              = $asset.Credential.UserName
        Description           = $asset.Description
    }
}

function Set-AzAutomationCredential {
    # Az.Automation: needs a role that may write credential assets; without one, Azure answers AuthorizationFailed.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $ResourceGroupName,
        [Parameter(Mandatory)] [string] $AutomationAccountName,
        [Parameter(Mandatory)] [string] $Name,
        [string] $Description,
        [pscredential] $Value
    )
    if (-not (Test-StandInAzContext $PSCmdlet)) { return }
    if (-not $CaxtonDocWorld.Automation.CanWrite) {
        Write-StandInError "The client 'MSI@50342' does not have authorization to perform action 'Microsoft.Automation/automationAccounts/credentials/write' over scope '/resourceGroups/$ResourceGroupName/providers/Microsoft.Automation/automationAccounts/$AutomationAccountName/credentials/$Name'." 'AuthorizationFailed' PermissionDenied $Name $PSCmdlet
        return
    }
    $asset = $CaxtonDocWorld.Automation.Credentials[$Name]
    if (-not $asset) {
        Write-StandInError "Credential $Name not found." 'ResourceNotFound' ObjectNotFound $Name $PSCmdlet
        return
    }
    if ($Value) { $asset.Credential = Copy-StandInSecret $Value }
    if ($PSBoundParameters.ContainsKey('Description')) { $asset.Description = $Description }
    Get-AzAutomationCredential -ResourceGroupName $ResourceGroupName -AutomationAccountName $AutomationAccountName -Name $Name
}
