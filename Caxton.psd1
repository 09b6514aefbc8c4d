@{
    RootModule           = 'Caxton.dll'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Desktop', 'Core')
    GUID                 = '5b0c3a1e-8f5d-4b7e-9a57-2f1c9d3e6a41'
    Author               = 'Caxton module authors'
    CompanyName          = 'Caxton module authors'
    Copyright            = '(c) Caxton module authors. MIT License.'
    Description          = 'Authenticate to the Caxton payments API: generate a client password, get a cached bearer token, reset client credentials.'
    PowerShellVersion    = '5.1'
    CmdletsToExport      = @(
        'Connect-Caxton'
        'Disconnect-Caxton'
        'Get-CaxtonConnection'
        'New-CaxtonPassword'
        'Get-CaxtonToken'
        'Reset-CaxtonCredential'
        'Invoke-CaxtonRestMethod'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags = @('Caxton', 'Payments', 'API', 'Authentication', 'OAuth', 'PSEdition_Desktop', 'PSEdition_Core')
        }
    }
}
