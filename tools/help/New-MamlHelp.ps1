#requires -Version 7.0
<#
.SYNOPSIS
    Generates the MAML help of the built module from the markdown in docs/.
.DESCRIPTION
    docs/<Cmdlet>.md holds the prose, in the platyPS layout: SYNOPSIS, DESCRIPTION, EXAMPLES,
    PARAMETERS (one "### -Name" per parameter), INPUTS, OUTPUTS, NOTES, RELATED LINKS. Everything a
    machine can know comes from the built module instead, so it cannot drift: the syntax, parameter
    sets, types, positions, whether a parameter is required or takes pipeline input, aliases,
    accepted values, wildcards and default values (read from a new instance of the cmdlet class).

    It fails, naming the file and line, when a doc names a parameter or an output type the cmdlet
    does not have, documents a command the module does not export, has an unknown section, or when
    an exported cmdlet has no doc. A parameter left undocumented is a warning here (its help then
    says so) and a failure in tests/Pester/Help.Tests.ps1.

    Run it in its own process: it imports the module.
.EXAMPLE
    pwsh -NoProfile -File tools/help/New-MamlHelp.ps1 -ModulePath out/Caxton/Caxton.psd1 -DocsPath docs
#>
[CmdletBinding()]
param(
    # The built module's manifest.
    [Parameter(Mandatory)] [string] $ModulePath,
    # The folder of <Cmdlet>.md files.
    [Parameter(Mandatory)] [string] $DocsPath,
    # Where to write the MAML; by default <module folder>/en-US/<the cmdlets' HelpFile name>.
    [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters
$shouldProcessHelp = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}
$nsMaml = 'http://schemas.microsoft.com/maml/2004/10'
$nsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$nsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$sectionNames = 'SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS'

function Stop-Doc([string] $File, [int] $Line, [string] $Message) {
    throw "$File`:$Line`: $Message"
}

function ConvertFrom-HelpMarkdown {
    <#
        Reads one docs/<Cmdlet>.md into sections. Headings: "# Name", "## SECTION", "### item".
        Returns @{ Name; Sections = @{ SECTION = @{ Text = lines; Items = ordered @{ heading = @{ Line; Text } } } } }.
    #>
    param([string] $Path)
    $file = Split-Path -Leaf $Path
    $lines = Get-Content -LiteralPath $Path
    $doc = @{ Name = $null; Sections = @{} }
    $section = $null
    $item = $null
    $inFence = $false
    $start = 0
    if ($lines.Count -gt 0 -and $lines[0] -eq '---') {
        # platyPS front matter: not used.
        $start = [array]::IndexOf($lines, '---', 1) + 1
        if ($start -le 0) { Stop-Doc $file 1 'the front matter (---) is not closed.' }
    }

    for ($i = $start; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        $number = $i + 1
        if ($line -match '^\s*```') { $inFence = -not $inFence }
        elseif (-not $inFence -and $line -match '^# (.+)$') {
            $doc.Name = $Matches[1].Trim()
            continue
        }
        elseif (-not $inFence -and $line -match '^## (.+)$') {
            $name = $Matches[1].Trim()
            if ($name -notin $sectionNames) { Stop-Doc $file $number "unknown section '## $name'; the sections are: $($sectionNames -join ', ')." }
            if ($doc.Sections.ContainsKey($name)) { Stop-Doc $file $number "section '## $name' appears twice." }
            $section = @{ Text = [Collections.Generic.List[string]]::new(); Items = [ordered]@{}; Line = $number }
            $doc.Sections[$name] = $section
            $item = $null
            continue
        }
        elseif (-not $inFence -and $line -match '^### (.+)$') {
            if ($null -eq $section) { Stop-Doc $file $number "'### $($Matches[1])' comes before any '## ' section." }
            $heading = $Matches[1].Trim()
            if ($section.Items.Contains($heading)) { Stop-Doc $file $number "'### $heading' appears twice." }
            $item = @{ Line = $number; Text = [Collections.Generic.List[string]]::new() }
            $section.Items[$heading] = $item
            continue
        }

        if ($null -eq $section) {
            if ($line.Trim()) { Stop-Doc $file $number 'text before the first ## section.' }
            continue
        }
        if ($null -ne $item) { $item.Text.Add($line) } else { $section.Text.Add($line) }
    }
    if ($inFence) { Stop-Doc $file $lines.Count 'a code fence (```) is not closed.' }
    $doc
}

function Split-Prose {
    # Paragraphs of markdown prose: blank lines and list items start a new one; `code` and **bold** marks go.
    param([string[]] $Lines)
    $paragraphs = [Collections.Generic.List[string]]::new()
    $current = [Collections.Generic.List[string]]::new()
    foreach ($line in $Lines) {
        if (-not $line.Trim() -or $line -match '^\s*[-*] ') {
            if ($current.Count) { $paragraphs.Add(($current -join ' ')); $current.Clear() }
        }
        if ($line.Trim()) { $current.Add(($line.Trim() -replace '`', '' -replace '\*\*([^*]+)\*\*', '$1')) }
    }
    if ($current.Count) { $paragraphs.Add(($current -join ' ')) }
    , $paragraphs.ToArray()
}

function Split-Example {
    # An example's fenced code, and its prose (before and after the code) as remarks.
    param([string[]] $Lines, [string] $File, [int] $Line)
    $code = [Collections.Generic.List[string]]::new()
    $prose = [Collections.Generic.List[string]]::new()
    $inFence = $false
    foreach ($text in $Lines) {
        if ($text -match '^\s*```') { $inFence = -not $inFence; continue }
        if ($inFence) { $code.Add($text) } else { $prose.Add($text) }
    }
    if (-not $code.Count) { Stop-Doc $File $Line 'an example without a ```powershell code block.' }
    @{ Code = ($code -join "`n").Trim(); Remarks = Split-Prose $prose }
}

function Get-TypeName([type] $Type, [switch] $Full) {
    # Nullable<T> reads as T, as Get-Command -Syntax shows it.
    $inner = [Nullable]::GetUnderlyingType($Type)
    if ($inner) { $Type = $inner }
    if ($Full) { $Type.FullName } else { $Type.Name }
}

function Get-DefaultValue($Command, [string] $Name) {
    # What the property holds in a new instance of the cmdlet: its real default. -WhatIf and
    # -Confirm are PowerShell's, not properties of the cmdlet: off unless given.
    $property = $Command.ImplementingType.GetProperty($Name)
    if (-not $property) { return 'False' }
    $instance = [Activator]::CreateInstance($Command.ImplementingType)
    try {
        $value = $property.GetValue($instance)
    }
    finally {
        if ($instance -is [IDisposable]) { $instance.Dispose() }
    }
    if ($value -is [System.Management.Automation.SwitchParameter]) { return $value.IsPresent.ToString() }
    if ($null -eq $value -or ($value -is [string] -and $value -eq '') -or ($value -is [array] -and $value.Count -eq 0)) { return 'None' }
    "$value"
}

function Get-ParameterFacts($Command, $Metadata, [string] $SetName) {
    # Required, position and pipeline input of a parameter, in one set or (no set) over all its sets.
    $sets = @($Command.ParameterSets | Where-Object { -not $SetName -or $_.Name -eq $SetName })
    $inSets = @($sets | ForEach-Object { $_.Parameters | Where-Object Name -EQ $Metadata.Name })
    $positions = @($inSets | ForEach-Object Position | Where-Object { $_ -ge 0 } | Sort-Object -Unique)
    $byValue = @($inSets | Where-Object ValueFromPipeline).Count -gt 0
    $byName = @($inSets | Where-Object ValueFromPipelineByPropertyName).Count -gt 0
    $pipeline = if ($byValue -and $byName) { 'True (ByValue, ByPropertyName)' } elseif ($byValue) { 'True (ByValue)' } elseif ($byName) { 'True (ByPropertyName)' } else { 'False' }
    @{
        Required = (@($inSets | Where-Object IsMandatory).Count -eq $inSets.Count).ToString().ToLowerInvariant()
        Position = if ($positions.Count -eq 1 -and @($inSets | Where-Object Position -LT 0).Count -eq 0) { "$($positions[0])" } else { 'named' }
        Pipeline = $pipeline
    }
}

function Write-Para([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs) {
    if (-not $Paragraphs) { $Paragraphs = @('') }
    foreach ($paragraph in $Paragraphs) { $Writer.WriteElementString('maml', 'para', $nsMaml, $paragraph) }
}

function Write-Description([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs) {
    $Writer.WriteStartElement('maml', 'description', $nsMaml)
    Write-Para $Writer $Paragraphs
    $Writer.WriteEndElement()
}

function Write-Parameter([System.Xml.XmlWriter] $Writer, $Command, $Metadata, [string[]] $Description, [string] $SetName, [switch] $InSyntax) {
    $facts = Get-ParameterFacts $Command $Metadata $SetName
    $isSwitch = $Metadata.SwitchParameter
    $globbing = @($Metadata.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
    $Writer.WriteStartElement('command', 'parameter', $nsCommand)
    $Writer.WriteAttributeString('required', $facts.Required)
    $Writer.WriteAttributeString('variableLength', 'true')
    $Writer.WriteAttributeString('globbing', $globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', $facts.Pipeline)
    $Writer.WriteAttributeString('position', $facts.Position)
    $Writer.WriteAttributeString('aliases', $(if ($Metadata.Aliases.Count) { $Metadata.Aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $nsMaml, $Metadata.Name)
    Write-Description $Writer $Description
    $validateSet = @($Metadata.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] })
    if ($validateSet) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $nsCommand)
        foreach ($value in $validateSet[0].ValidValues) {
            $Writer.WriteStartElement('command', 'parameterValue', $nsCommand)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('command', 'variableLength', $nsCommand, 'false')
            $Writer.WriteString($value)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    if (-not ($InSyntax -and $isSwitch)) {
        $Writer.WriteStartElement('command', 'parameterValue', $nsCommand)
        $Writer.WriteAttributeString('required', (-not $isSwitch).ToString().ToLowerInvariant())
        $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString((Get-TypeName $Metadata.ParameterType))
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $nsDev)
    $Writer.WriteElementString('maml', 'name', $nsMaml, (Get-TypeName $Metadata.ParameterType -Full))
    $Writer.WriteElementString('maml', 'uri', $nsMaml, '')
    $Writer.WriteEndElement()
    $Writer.WriteElementString('dev', 'defaultValue', $nsDev, (Get-DefaultValue $Command $Metadata.Name))
    $Writer.WriteEndElement()
}

function Get-CommandHelp($Command, $Doc, [string] $File) {
    # Checks a parsed doc against the command and returns what the MAML needs.
    $sections = $Doc.Sections
    if ($Doc.Name -ne $Command.Name) { Stop-Doc $File 1 "the title '# $($Doc.Name)' is not '# $($Command.Name)'." }
    foreach ($required in 'SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS') {
        if (-not $sections.ContainsKey($required)) { Stop-Doc $File 1 "no '## $required' section." }
    }
    $synopsis = Split-Prose $sections.SYNOPSIS.Text
    if (-not $synopsis) { Stop-Doc $File $sections.SYNOPSIS.Line 'the synopsis is empty.' }

    $parameters = [ordered]@{}
    $known = @($Command.Parameters.Keys | Where-Object { $_ -notin $commonParameters })
    foreach ($heading in $sections.PARAMETERS.Items.Keys) {
        $entry = $sections.PARAMETERS.Items[$heading]
        if ($heading -eq 'CommonParameters') { continue }
        if ($heading -notmatch '^-(\w+)$') { Stop-Doc $File $entry.Line "'### $heading' is not a parameter heading ('### -Name' or '### CommonParameters')." }
        $name = $Matches[1]
        if ($name -notin $known) {
            Stop-Doc $File $entry.Line "documents parameter -$name, which $($Command.Name) does not have. Its parameters: -$($known -join ', -')."
        }
        if ($entry.Text -match '^\s*```') {
            Stop-Doc $File $entry.Line "-$name has a code block; type, position, pipeline input and defaults come from the module, so a parameter's help is prose only."
        }
        $parameters[$Command.Parameters[$name].Name] = Split-Prose $entry.Text
    }
    foreach ($name in $known) {
        if (-not $parameters.Contains($name) -or -not $parameters[$name]) {
            if ($shouldProcessHelp.ContainsKey($name)) { $parameters[$name] = @($shouldProcessHelp[$name]); continue }
            Write-Warning "$File`: parameter -$name of $($Command.Name) has no help."
            $parameters[$name] = @()
        }
    }

    $declared = @($Command.OutputType | ForEach-Object { if ($_.Type -eq [void]) { 'None' } else { $_.Name } })
    foreach ($heading in $sections.OUTPUTS.Items.Keys) {
        if ($heading -notin $declared) {
            Stop-Doc $File $sections.OUTPUTS.Items[$heading].Line "output '### $heading' is not among the [OutputType]s of $($Command.Name): $($declared -join ', ')."
        }
    }

    $examples = foreach ($heading in $sections.EXAMPLES.Items.Keys) {
        $entry = $sections.EXAMPLES.Items[$heading]
        $example = Split-Example $entry.Text $File $entry.Line
        $example.Title = $heading
        $example
    }

    $links = foreach ($line in $(if ($sections.ContainsKey('RELATED LINKS')) { $sections['RELATED LINKS'].Text } else { @() })) {
        if ($line -match '\[([^\]]+)\]\(([^)]*)\)') { @{ Text = $Matches[1]; Uri = $Matches[2] } }
    }

    @{
        Synopsis    = $synopsis
        Description = Split-Prose $sections.DESCRIPTION.Text
        Parameters  = $parameters
        Inputs      = @(foreach ($heading in $sections.INPUTS.Items.Keys) { @{ Type = $heading; Text = Split-Prose $sections.INPUTS.Items[$heading].Text } })
        Outputs     = @(foreach ($heading in $sections.OUTPUTS.Items.Keys) { @{ Type = $heading; Text = Split-Prose $sections.OUTPUTS.Items[$heading].Text } })
        Notes       = if ($sections.ContainsKey('NOTES')) { Split-Prose $sections.NOTES.Text } else { @() }
        Examples    = @($examples)
        Links       = @($links)
    }
}

function Write-TypeList([System.Xml.XmlWriter] $Writer, [string] $List, [string] $Item, $Entries) {
    $Writer.WriteStartElement('command', $List, $nsCommand)
    foreach ($entry in $Entries) {
        $Writer.WriteStartElement('command', $Item, $nsCommand)
        $Writer.WriteStartElement('dev', 'type', $nsDev)
        $Writer.WriteElementString('maml', 'name', $nsMaml, $entry.Type)
        $Writer.WriteEndElement()
        Write-Description $Writer $entry.Text
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Write-Command([System.Xml.XmlWriter] $Writer, $Command, $Help) {
    $Writer.WriteStartElement('command', 'command', $nsCommand)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $nsMaml)
    $Writer.WriteAttributeString('xmlns', 'command', $null, $nsCommand)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $nsDev)

    $Writer.WriteStartElement('command', 'details', $nsCommand)
    $Writer.WriteElementString('command', 'name', $nsCommand, $Command.Name)
    $Writer.WriteElementString('command', 'verb', $nsCommand, $Command.Verb)
    $Writer.WriteElementString('command', 'noun', $nsCommand, $Command.Noun)
    Write-Description $Writer $Help.Synopsis
    $Writer.WriteEndElement()
    Write-Description $Writer $Help.Description

    # Syntax: one item per parameter set, positional parameters first, as Get-Command -Syntax orders them.
    $Writer.WriteStartElement('command', 'syntax', $nsCommand)
    foreach ($set in $Command.ParameterSets) {
        $Writer.WriteStartElement('command', 'syntaxItem', $nsCommand)
        $Writer.WriteElementString('maml', 'name', $nsMaml, $Command.Name)
        $inSet = @($set.Parameters | Where-Object Name -NotIn $commonParameters)
        $ordered = @($inSet | Where-Object Position -GE 0 | Sort-Object Position) + @($inSet | Where-Object Position -LT 0 | Sort-Object { -not $_.IsMandatory })
        foreach ($parameter in $ordered) {
            Write-Parameter $Writer $Command $Command.Parameters[$parameter.Name] $Help.Parameters[$parameter.Name] -SetName $set.Name -InSyntax
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $nsCommand)
    foreach ($name in $Help.Parameters.Keys) {
        Write-Parameter $Writer $Command $Command.Parameters[$name] $Help.Parameters[$name]
    }
    $Writer.WriteEndElement()

    Write-TypeList $Writer 'inputTypes' 'inputType' $Help.Inputs
    Write-TypeList $Writer 'returnValues' 'returnValue' $Help.Outputs

    if ($Help.Notes) {
        $Writer.WriteStartElement('maml', 'alertSet', $nsMaml)
        $Writer.WriteStartElement('maml', 'alert', $nsMaml)
        Write-Para $Writer $Help.Notes
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('command', 'examples', $nsCommand)
    foreach ($example in $Help.Examples) {
        $Writer.WriteStartElement('command', 'example', $nsCommand)
        $Writer.WriteElementString('maml', 'title', $nsMaml, "-------------------------- $($example.Title) --------------------------")
        $Writer.WriteElementString('dev', 'code', $nsDev, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $nsDev)
        Write-Para $Writer $example.Remarks
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $nsCommand)
    # No "Online Version" link: the project has no public home yet, so Get-Help -Online has nowhere
    # to go (it says so) rather than to an address that could be anyone's. Related links name topics only.
    foreach ($link in $Help.Links) {
        if ($link.Uri) { throw "docs/$($Command.Name).md: the related link '$($link.Text)' has an address ($($link.Uri)); until the project has a real home, related links name a cmdlet or topic only." }
        $Writer.WriteStartElement('maml', 'navigationLink', $nsMaml)
        $Writer.WriteElementString('maml', 'linkText', $nsMaml, $link.Text)
        $Writer.WriteElementString('maml', 'uri', $nsMaml, $link.Uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

try {
    $module = Import-Module (Resolve-Path -LiteralPath $ModulePath).Path -Force -PassThru
    $commands = @($module.ExportedCmdlets.Values | Sort-Object Name)
    $docs = @{}
    foreach ($file in Get-ChildItem -LiteralPath $DocsPath -Filter *.md) {
        # Cmdlet help is docs/<Verb>-<Noun>.md; other pages (contract.md) are prose for readers of the repo.
        if ($file.BaseName -notmatch '^[A-Za-z]+-[A-Za-z]+$') { continue }
        if ($file.BaseName -notin $commands.Name) {
            throw "$($file.Name): documents '$($file.BaseName)', which the module does not export. Its cmdlets: $($commands.Name -join ', ')."
        }
        $docs[$file.BaseName] = $file
    }
    $missing = @($commands.Name | Where-Object { -not $docs.ContainsKey($_) })
    if ($missing) { throw "No help for $($missing -join ', '): add docs/<Cmdlet>.md for each (see docs/Get-CaxtonToken.md)." }

    if (-not $OutputPath) {
        $OutputPath = Join-Path $module.ModuleBase "en-US/$($commands[0].HelpFile)"
    }
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $OutputPath)

    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
    $writer = [System.Xml.XmlWriter]::Create($OutputPath, $settings)
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', 'http://msh')
        $writer.WriteAttributeString('schema', 'maml')
        foreach ($command in $commands) {
            $file = $docs[$command.Name]
            $help = Get-CommandHelp $command (ConvertFrom-HelpMarkdown $file.FullName) $file.Name
            Write-Command $writer $command $help
        }
        $writer.WriteEndElement()
        $writer.WriteEndDocument()
        $writer.Dispose()
    }
    catch {
        # No half-written help left behind for the module to load.
        $writer.Dispose()
        Remove-Item -LiteralPath $OutputPath -ErrorAction Ignore
        throw
    }
    Write-Host "Generated help for $($commands.Count) cmdlets: $OutputPath"
}
catch {
    # One plain line, easy to spot in build output, and a failing exit code.
    [Console]::Error.WriteLine("New-MamlHelp: help not generated: $($_.Exception.Message)")
    exit 1
}
