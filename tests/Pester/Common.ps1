# Dot-sourced by every test file's BeforeAll: the built module, the emulator helpers, small utilities.
Import-Module $env:CAXTON_TEST_MODULE -Force
Import-Module $env:CAXTON_TEST_HELPERS -Force

function ConvertTo-PlainText([securestring] $Secure) {
    [System.Net.NetworkCredential]::new('', $Secure).Password
}

function New-TestPassword {
    # A fresh account on the emulator and its first client password, on the given connection.
    param([Parameter(Mandatory)] $Emulator, $Connection)
    $account = New-CaxtonEmulatorAccount -Emulator $Emulator
    $splat = @{ Username = $account.Username; Clientname = $account.Clientname; Confirm = $false }
    if ($Connection) { $splat.Connection = $Connection }
    New-CaxtonPassword @splat
}

function Invoke-FreshPwsh {
    # A new pwsh process like the one running the tests (under `dotnet pwsh` that is dotnet + pwsh.dll).
    $host_ = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($host_) -eq 'dotnet') {
        & $host_ (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive @args
    }
    else {
        & $host_ -NoProfile -NonInteractive @args
    }
}
