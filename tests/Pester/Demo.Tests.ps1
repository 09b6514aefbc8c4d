# The README's demo must keep working: run examples/Demo.ps1 as `build.ps1 -Task Demo` does.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-CaxtonEmulator -Path $env:CAXTON_TEST_EMULATOR
}

AfterAll {
    $script:emulator | Stop-CaxtonEmulator
}

Describe 'The demo' {
    It 'runs the whole flow against the emulator, exits 0 and shows secrets only masked' {
        $demo = Join-Path $PSScriptRoot '../../examples/Demo.ps1'
        $output = Invoke-FreshPwsh -File $demo -ModulePath $env:CAXTON_TEST_MODULE -BaseUri $emulator.BaseUri 2>&1 | Out-String
        $output = $output -replace '\e\[[0-9;]*m'   # host colours
        $LASTEXITCODE | Should -Be 0 -Because $output
        $output | Should -Match 'Demo finished'
        $output | Should -Match 'ClientPassword\s+: \*{8}'
        $output | Should -Match 'AccessToken\s+: \*{8}'
        $output | Should -Match 'Sandbox Albion Bank'        # Invoke-RestMethod with the token
        $output | Should -Match 'Account\s+: Sub-account'     # the sub-account reset
        $output | Should -Not -Match 'System\.Security\.SecureString'
        # What it says about the cache is true: the module's own line, and the same token again.
        $output | Should -Match "VERBOSE: Get Access Token: the cached token for 'caxton\.demo'.*; no request sent\."
        $output | Should -Match 'The same token as before \(issued [^)]+\): True'
    }
}
