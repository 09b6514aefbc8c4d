# Scripts that make temporary files and folders use fresh, unguessable names: never $PID (another
# user can guess it and plant the folder first) and never New-Item -Force on a temporary path, which
# would quietly reuse whatever is already there.
BeforeDiscovery {
    $root = Resolve-Path "$PSScriptRoot/../.." | ForEach-Object Path
    $script:scripts = Get-ChildItem -LiteralPath $root -Recurse -File -Include *.ps1, *.psm1 |
        Where-Object { $_.FullName -notmatch '[\\/](out|bin|obj)[\\/]' -and $_.FullName -ne $PSCommandPath } | # this file's probes are bad on purpose
        ForEach-Object { @{ Name = [IO.Path]::GetRelativePath($root, $_.FullName); Path = $_.FullName } }
}

BeforeAll {
    # What a script does wrong with temporary paths, one line per finding.
    function Find-TempPathMisuse([string] $Path) {
        $tokens = $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref] $tokens, [ref] $errors)
        $isTemp = { param($text) $text -match 'GetTempPath|CreateTempSubdirectory|\$env:TEMP|\$env:TMPDIR|[''"]/tmp/' }

        # Variables assigned a temporary path.
        $tempVariables = @($ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.AssignmentStatementAst] }, $true) |
            Where-Object { & $isTemp $_.Right.Extent.Text } |
            ForEach-Object { $_.Left.Extent.Text -replace '^\[[^\]]+\]\s*', '' -replace '^\$(script:|global:)?', '' })

        $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.AssignmentStatementAst] -or $node -is [System.Management.Automation.Language.CommandAst] }, $true) |
            Where-Object { (& $isTemp $_.Extent.Text) -and $_.Extent.Text -match '\$PID\b' } |
            ForEach-Object { "line $($_.Extent.StartLineNumber): a temporary path named after `$PID" } |
            Select-Object -Unique
        foreach ($command in $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] -and $node.GetCommandName() -in 'New-Item', 'ni', 'mkdir', 'md' }, $true)) {
            $text = $command.Extent.Text
            $onTemp = (& $isTemp $text) -or @($tempVariables | Where-Object { $text -match ('\$(script:)?' + [regex]::Escape($_) + '\b') }).Count -gt 0
            if ($onTemp -and $text -match '\s-Force\b') {
                "line $($command.Extent.StartLineNumber): New-Item -Force on a temporary path"
            }
        }
    }
}

Describe 'Temporary paths' {
    It 'are fresh and unguessable in <Name>' -TestCases $scripts {
        Find-TempPathMisuse $Path | Should -BeNullOrEmpty
    }

    It 'the check finds <Case>' -TestCases @(
        @{ Case = 'the benchmark''s old $PID folder'; Expected = 2; Script = @'
$emptyModule = Join-Path ([IO.Path]::GetTempPath()) "caxton-bench-empty-$PID"
$null = New-Item -ItemType Directory -Force -Path $emptyModule
'@ }
        @{ Case = 'New-Item -Force straight on the temporary folder'; Expected = 1; Script = '$null = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "x") -Force' }
        @{ Case = 'a fresh folder as fine'; Expected = 0; Script = '$dir = [IO.Directory]::CreateTempSubdirectory("x-").FullName; Set-Content (Join-Path $dir a) 1' }
    ) {
        $file = Join-Path $TestDrive 'probe.ps1'
        Set-Content -LiteralPath $file -Value $Script
        @(Find-TempPathMisuse $file).Count | Should -Be $Expected
    }
}
