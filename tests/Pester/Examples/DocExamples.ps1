# Finds every example the docs show, for tests/Pester/Examples.Tests.ps1:
#   docs/<Cmdlet>.md   each fenced block under "## EXAMPLES" (the source of Get-Help's examples)
#   README.md          every fenced block
#   about_Caxton       every block indented 8 spaces after a blank line or a line ending in ':', with its
#                      indented continuation
# A fenced block whose language is not powershell (sh, text, console) is a fragment by its fence and is
# counted, not run. Everything else runs, unless $NotRunnable below names it with the reason: a new
# example runs by default, and a new table or output sample must be classified here to pass.

$script:NotRunnable = [ordered]@{
    'about_Caxton: LONG DESCRIPTION #1' = 'a table: the three steps and the cmdlet for each'
    'about_Caxton: CONNECTIONS #1'      = 'a table: the CAXTON_* environment variables'
    'about_Caxton: TROUBLESHOOTING #1'  = 'prose: the two commands RegenerateIncomplete may name, with ... for their arguments'
    'README.md: Version, package and install #1' = 'installs the package into the user''s scope from out/; tests/Pester/Package.Tests.ps1 makes this very round trip (pack, Register-PSResourceRepository, Install-PSResource, import, flow) in a temporary scope'
}

# Examples that need a parameter or behaviour not merged yet: reported as pending with the reason (and
# counted), never skipped silently. Empty when everything the docs show exists.
$script:Pending = [ordered]@{
}

function Get-CaxtonDocExample {
    param([Parameter(Mandatory)] [string] $Root)

    foreach ($doc in Get-ChildItem -LiteralPath (Join-Path $Root 'docs') -Filter '*.md' | Sort-Object Name) {
        $lines = Get-Content -LiteralPath $doc.FullName
        # Cmdlet help only (the front matter names the help file); ARCHITECTURE.md and contract.md are not help.
        if (-not ($lines -match '^external help file:')) { continue }
        $inExamples = $false; $title = $null
        foreach ($block in Get-FencedBlock $lines) {
            $heading = $block.Headings
            $section = @($heading | Where-Object Level -EQ 2 | Select-Object -Last 1).Text
            if ($section -ne 'EXAMPLES') { continue }
            $title = @($heading | Where-Object Level -EQ 3 | Select-Object -Last 1).Text
            $id = "docs/$($doc.Name): $(($title -split ':')[0])"
            New-DocExample -Id $id -File "docs/$($doc.Name)" -Title $title -Block $block
        }
    }

    $readme = Get-Content -LiteralPath (Join-Path $Root 'README.md')
    $count = @{}
    foreach ($block in Get-FencedBlock $readme) {
        $section = @($block.Headings | Where-Object Level -EQ 2 | Select-Object -Last 1).Text
        $count[$section] = 1 + [int]$count[$section]
        New-DocExample -Id "README.md: $section #$($count[$section])" -File 'README.md' -Title $section -Block $block
    }

    $about = Get-Content -LiteralPath (Join-Path $Root 'en-US/about_Caxton.help.txt')
    $count = @{}; $section = $null
    for ($i = 0; $i -lt $about.Count; $i++) {
        if ($about[$i] -match '^[A-Z][A-Z0-9 ,-]+$') { $section = $about[$i]; continue }
        $startsBlock = $about[$i] -match '^ {8}\S' -and ($i -eq 0 -or $about[$i - 1].Trim() -eq '' -or $about[$i - 1] -match ':\s*$')
        if (-not $startsBlock) { continue }
        $start = $i
        $code = [Collections.Generic.List[string]]::new()
        # The block goes on through blank lines while the next text is indented 8 or more.
        while ($i -lt $about.Count -and ($about[$i] -match '^ {8}' -or ($about[$i].Trim() -eq '' -and $i + 1 -lt $about.Count -and $about[$i + 1] -match '^ {8}'))) {
            $code.Add(($about[$i] -replace '^ {8}', '')); $i++
        }
        $count[$section] = 1 + [int]$count[$section]
        $block = [pscustomobject]@{ Language = 'powershell'; Code = ($code -join "`n"); Line = $start + 1 }
        New-DocExample -Id "about_Caxton: $section #$($count[$section])" -File 'en-US/about_Caxton.help.txt' -Title $section -Block $block
    }
}

function Get-FencedBlock([string[]] $Lines) {
    # Fenced blocks with the markdown headings above each one.
    $headings = [Collections.Generic.List[object]]::new()
    for ($i = 0; $i -lt $Lines.Count; $i++) {
        if ($Lines[$i] -match '^(#{1,6}) (.+)$') {
            $headings.Add([pscustomobject]@{ Level = $Matches[1].Length; Text = $Matches[2].Trim() })
            continue
        }
        if ($Lines[$i] -match '^```(\S*)\s*$') {
            $language = $Matches[1]; $start = $i
            $code = [Collections.Generic.List[string]]::new()
            for ($i++; $i -lt $Lines.Count -and $Lines[$i] -notmatch '^```\s*$'; $i++) { $code.Add($Lines[$i]) }
            [pscustomobject]@{ Language = $language; Code = ($code -join "`n"); Line = $start + 1; Headings = @($headings) }
        }
    }
}

function New-DocExample([string] $Id, [string] $File, [string] $Title, $Block) {
    $kind = 'Run'; $reason = $null
    if ($Block.Language -notin 'powershell', 'pwsh', 'ps1') {
        $kind = 'NotRunnable'; $reason = "a '$($Block.Language)' fence, not PowerShell"
    }
    elseif ($script:NotRunnable.Contains($Id)) {
        $kind = 'NotRunnable'; $reason = $script:NotRunnable[$Id]
    }
    elseif ($script:Pending.Contains($Id)) {
        $kind = 'Pending'; $reason = $script:Pending[$Id]
    }
    [pscustomobject]@{
        Id = $Id; File = $File; Title = $Title; Line = $Block.Line; Code = $Block.Code; Kind = $kind; Reason = $reason
    }
}
