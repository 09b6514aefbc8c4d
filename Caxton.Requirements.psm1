# Loaded by Caxton.psd1 (NestedModules) before Caxton.dll, so Windows PowerShell 5.1 on a .NET Framework older
# than 4.7.1 stops with a plain message instead of "Could not load file or assembly 'netstandard'": Caxton.dll is
# a .NET Standard 2.0 assembly, and .NET Framework provides netstandard 2.0.0.0 from 4.7.1 on. Exports nothing.
& {
    param([string] $Edition, [string] $NetStandard)
    if ($Edition -ne 'Desktop') { return }
    try {
        $null = [System.Reflection.Assembly]::Load($NetStandard)
    }
    catch {
        throw 'Caxton needs .NET Framework 4.7.2 or later on Windows PowerShell 5.1: this .NET Framework cannot load netstandard 2.0, which came with 4.7.1. Install .NET Framework 4.8, or use PowerShell 7.4 or later.'
    }
} $PSVersionTable.PSEdition 'netstandard, Version=2.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51'
