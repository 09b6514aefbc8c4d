@{
    RootModule           = 'Caxton.dll'
    # The version lives in one place, <Version> in Directory.Build.props: build.ps1 stamps it (and the
    # matching CHANGELOG.md section as ReleaseNotes) into out/Caxton/Caxton.psd1. 0.0.0 marks this
    # source copy, which is never imported as it is.
    ModuleVersion        = '0.0.0'
    CompatiblePSEditions = @('Desktop', 'Core')
    GUID                 = '5b0c3a1e-8f5d-4b7e-9a57-2f1c9d3e6a41'
    Author               = 'Caxton module authors'
    CompanyName          = 'Caxton module authors'
    Copyright            = '(c) Caxton module authors. MIT License.'
    Description          = 'Authenticate to the Caxton payments API: generate a client password, get a cached bearer token, reset client credentials.'
    PowerShellVersion    = '5.1'
    FormatsToProcess     = @('Caxton.format.ps1xml')
    TypesToProcess       = @('Caxton.types.ps1xml')
    # Before Caxton.dll: a plain message on a .NET Framework too old for it (see the file). As a required
    # assembly it also loads before TypesToProcess, whose CodeProperties name its CaxtonTypeMembers.
    RequiredAssemblies   = @('Caxton.Requirements.dll')
    NestedModules        = @('Caxton.Requirements.dll')
    CmdletsToExport      = @(
        'Connect-Caxton'
        'Disconnect-Caxton'
        'Get-CaxtonConnection'
        'Select-CaxtonConnection'
        'New-CaxtonPassword'
        'New-CaxtonSubAccount'
        'Get-CaxtonToken'
        'Reset-CaxtonCredential'
        'Invoke-CaxtonRestMethod'
        'Test-CaxtonContract'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Caxton', 'Payments', 'API', 'Authentication', 'OAuth', 'BearerToken', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            # No ProjectUri, LicenseUri or IconUri until the project has a real public home: an invented
            # address (a GitHub organisation that is not ours) could send users, and Get-Help -Online,
            # to anyone's page. The licence travels as the LICENSE file and the Copyright above.
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
