# Get-Help as a user reads it: generated from docs/*.md and the built module, complete, and unable
# to name a parameter that does not exist.
BeforeDiscovery {
    $cmdlets = (Import-PowerShellDataFile $env:CAXTON_TEST_MODULE).CmdletsToExport
}

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:repoRoot = Resolve-Path "$PSScriptRoot/../.." | ForEach-Object Path
    $script:docs = Join-Path $repoRoot 'docs'
    $script:generator = Join-Path $repoRoot 'tools/help/New-MamlHelp.ps1'
    $script:common = [System.Management.Automation.Cmdlet]::CommonParameters
    $script:caxtonCmdlets = @((Get-Module Caxton).ExportedCmdlets.Keys)

    function Get-DocSynopsis([string] $Name) {
        $text = Get-Content -Raw (Join-Path $docs "$Name.md")
        ([regex]::Match($text, '(?ms)^## SYNOPSIS\s*\n(.*?)\n\s*\n').Groups[1].Value -replace '\s+', ' ').Trim()
    }

    function Get-ExampleCode([string] $Name) {
        @((Get-Help $Name -Full).examples.example | ForEach-Object code)
    }
}

Describe 'Help for <_>' -ForEach $cmdlets {
    BeforeAll {
        $script:name = $_
        $script:help = Get-Help $name -Full
        $script:command = Get-Command $name
        $script:parameters = @($command.Parameters.Keys | Where-Object { $_ -notin $common })
    }

    It 'shows the synopsis and description from docs/ in Get-Help -Full' {
        $synopsis = Get-DocSynopsis $name
        $synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis -replace '\s+', ' ' | Should -Be $synopsis
        $shown = (Get-Help $name -Full | Out-String -Width 4000) -replace '\s+', ' '
        $shown | Should -Match ([regex]::Escape($synopsis))
        # Without MAML, PowerShell makes up a synopsis from the syntax.
        $help.Synopsis | Should -Not -Match "^\s*$name \["
        ($help.description.Text -join ' ').Length | Should -BeGreaterThan 100
    }

    It 'has no address for Get-Help -Online to open until the project has a real home' {
        @($help.relatedLinks.navigationLink | Where-Object { $_.uri }) | Should -BeNullOrEmpty
        (Get-Command $name).HelpUri | Should -BeNullOrEmpty
        Join-Path $docs "$name.md" | Should -Exist
    }

    It 'documents every parameter of the cmdlet' {
        foreach ($parameter in $parameters) {
            $entry = @($help.parameters.parameter | Where-Object name -EQ $parameter)
            $entry.Count | Should -Be 1 -Because "-$parameter needs a '### -$parameter' section in docs/$name.md"
            ($entry[0].description.Text -join ' ').Trim() | Should -Not -BeNullOrEmpty -Because "-$parameter needs a description in docs/$name.md"
        }
    }

    It 'names no parameter the cmdlet does not have' {
        foreach ($entry in $help.parameters.parameter) {
            $parameters | Should -Contain $entry.name
        }
        foreach ($item in $help.syntax.syntaxItem) {
            foreach ($entry in $item.parameter) { $parameters | Should -Contain $entry.name }
        }
    }

    It 'shows the type, position, mandatory and pipeline input the cmdlet really has' {
        @($help.syntax.syntaxItem).Count | Should -Be $command.ParameterSets.Count
        foreach ($entry in $help.parameters.parameter) {
            $metadata = $command.Parameters[$entry.name]
            $inSets = @($command.ParameterSets.Parameters | Where-Object Name -EQ $entry.name)
            $type = if ([Nullable]::GetUnderlyingType($metadata.ParameterType)) { [Nullable]::GetUnderlyingType($metadata.ParameterType) } else { $metadata.ParameterType }
            $entry.type.name | Should -Be $type.FullName
            $entry.required | Should -Be (@($inSets | Where-Object IsMandatory).Count -eq $inSets.Count).ToString().ToLower()
            ($entry.pipelineInput -match 'ByValue') | Should -Be (@($inSets | Where-Object ValueFromPipeline).Count -gt 0) -Because "-$($entry.name) by value"
            ($entry.pipelineInput -match 'ByPropertyName') | Should -Be (@($inSets | Where-Object ValueFromPipelineByPropertyName).Count -gt 0) -Because "-$($entry.name) by property name"
            $positions = @($inSets.Position | Where-Object { $_ -ge 0 } | Sort-Object -Unique)
            if ($positions.Count -eq 1 -and -not @($inSets | Where-Object Position -LT 0)) { $entry.position | Should -Be "$($positions[0])" }
            else { $entry.position | Should -Be 'named' }
        }
    }

    It 'has [OutputType] and lists each output type in help' {
        $command.OutputType.Count | Should -BeGreaterThan 0
        $shown = @($help.returnValues.returnValue.type.name)
        foreach ($type in $command.OutputType) {
            $shown | Should -Contain $(if ($type.Type -eq [void]) { 'None' } else { $type.Name })
        }
        @($help.inputTypes.inputType).Count | Should -BeGreaterThan 0
    }

    It 'has at least two examples, each valid PowerShell that uses only real parameters of the Caxton cmdlets' {
        $examples = Get-ExampleCode $name
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($code in $examples) {
            $tokens = $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($code, [ref] $tokens, [ref] $errors)
            $errors | Should -BeNullOrEmpty -Because "the example must parse: $code"
            foreach ($call in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)) {
                $called = $call.GetCommandName()
                if ($called -notin $caxtonCmdlets) { continue }
                $known = (Get-Command $called).Parameters.Values | ForEach-Object { $_.Name; $_.Aliases }
                foreach ($used in $call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                    $known | Should -Contain $used.ParameterName -Because "$called has no -$($used.ParameterName) (in: $code)"
                }
            }
        }
    }
}

Describe 'Help across the module' {
    It 'shows Invoke-RestMethod with the token in the PowerShell 7 and 5.1 forms' {
        $code = (Get-ExampleCode Get-CaxtonToken) -join "`n"
        $code | Should -Match 'Invoke-RestMethod .*-Authentication Bearer -Token \$t\.AccessToken'
        $code | Should -Match 'Invoke-RestMethod .*-Headers \(Get-CaxtonToken -AsHeader\)'
    }

    It 'shows runbook examples with Get-AutomationPSCredential and SecretManagement' {
        $code = (Get-ExampleCode Connect-Caxton) -join "`n"
        $code | Should -Match 'Get-AutomationPSCredential[\s\S]*Connect-Caxton .*-Credential \$credential'
        $code | Should -Match 'Get-Secret[\s\S]*Connect-Caxton .*-Credential \$credential'
    }

    It 'keeps no hand-written MAML in the repository: it is generated into out/' {
        $kept = Get-ChildItem $repoRoot -Recurse -Filter '*-Help.xml' -File |
            Where-Object { $_.FullName -notmatch '[\\/](out|bin|obj)[\\/]' }
        $kept | Should -BeNullOrEmpty
        (Get-Item (Join-Path (Split-Path $env:CAXTON_TEST_MODULE) 'en-US/Caxton.dll-Help.xml')).LastWriteTime |
            Should -BeGreaterOrEqual (Get-Item (Join-Path (Split-Path $env:CAXTON_TEST_MODULE) 'Caxton.dll')).LastWriteTime
    }
}

Describe 'about_Caxton' {
    BeforeAll {
        $script:about = Get-Help about_Caxton | Out-String
    }

    It 'covers environments, connections, the cache, sub-accounts, security and troubleshooting' {
        foreach ($section in 'ENVIRONMENTS', 'CONNECTIONS', 'THE TOKEN CACHE', 'SUB-ACCOUNTS AND IDENTITYNUMBER', 'SECURITY NOTES', 'ERROR IDS', 'TROUBLESHOOTING') {
            $about | Should -Match "(?m)^$section\s*$"
        }
        $about | Should -Match 'IdentityNumber header'
        $about | Should -Match 'What SecureString does not protect'
        $about | Should -Match 'https://caxtonapi.caxtonfx.com/api/'
    }

    It 'lists every ErrorId the module can raise' {
        $table = [regex]::Match($about, '(?ms)^ERROR IDS\s*$(.*?)^TROUBLESHOOTING').Groups[1].Value
        $ids = [Caxton.CaxtonErrorIds].GetFields() | Where-Object IsLiteral | ForEach-Object { $_.GetRawConstantValue() }
        $ids.Count | Should -BeGreaterThan 10
        foreach ($id in @($ids) + 'UnexpectedError') {
            $table | Should -Match "(?m)^\s+$id\s" -Because "about_Caxton's ERROR IDS must explain $id"
        }
    }
}

Describe 'The help generator' {
    BeforeEach {
        $script:work = Join-Path ([IO.Path]::GetTempPath()) ("caxton-help-" + [guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $work
        Copy-Item (Join-Path $docs '*.md') -Destination $work
        $script:output = Join-Path $work 'out/Caxton.dll-Help.xml'

        function Invoke-Generator {
            # The generator, as the build runs it, over the copied docs.
            $log = Invoke-FreshPwsh -File $generator -ModulePath $env:CAXTON_TEST_MODULE -DocsPath $work -OutputPath $output 2>&1 | Out-String
            @{ ExitCode = $LASTEXITCODE; Log = $log }
        }

        function Edit-Doc([string] $Name, [string] $Pattern, [string] $Replacement) {
            $doc = Join-Path $work "$Name.md"
            (Get-Content -Raw $doc) -replace $Pattern, $Replacement | Set-Content $doc
        }
    }

    AfterEach {
        Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore
    }

    It 'produces valid MAML for every cmdlet from the docs as they are' {
        $result = Invoke-Generator
        $result.ExitCode | Should -Be 0 -Because $result.Log
        $xml = [xml](Get-Content -Raw $output)
        $ns = [System.Xml.XmlNamespaceManager]::new($xml.NameTable)
        $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $xml.SelectNodes('//command:command', $ns).Count | Should -Be $caxtonCmdlets.Count
        foreach ($part in 'details', 'description', 'syntax', 'parameters', 'inputTypes', 'returnValues', 'examples') {
            $xml.SelectNodes("//command:command/*[local-name()='$part']", $ns).Count | Should -Be $caxtonCmdlets.Count -Because "every command needs $part"
        }
    }

    It 'fails loudly, naming file and parameter, when a doc names a parameter the cmdlet does not have' {
        Edit-Doc 'Get-CaxtonToken' '(?m)^### -AsHeader$' '### -AsHeaders'
        $result = Invoke-Generator
        $result.ExitCode | Should -Not -Be 0
        $result.Log | Should -Match 'Get-CaxtonToken\.md:\d+: documents parameter -AsHeaders, which Get-CaxtonToken does not have'
        $output | Should -Not -Exist
    }

    It 'fails when an exported cmdlet has no doc' {
        Remove-Item (Join-Path $work 'Reset-CaxtonCredential.md')
        $result = Invoke-Generator
        $result.ExitCode | Should -Not -Be 0
        $result.Log | Should -Match 'No help for Reset-CaxtonCredential'
    }

    It 'fails when a doc names an output type the cmdlet does not declare' {
        Edit-Doc 'New-CaxtonPassword' '(?m)^### Caxton.CaxtonClientPassword$' '### Caxton.CaxtonToken'
        $result = Invoke-Generator
        $result.ExitCode | Should -Not -Be 0
        $result.Log | Should -Match "output '### Caxton.CaxtonToken' is not among the \[OutputType\]s of New-CaxtonPassword"
    }
}
