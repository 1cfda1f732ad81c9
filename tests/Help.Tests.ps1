#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The help users read, as Get-Help renders it from the MAML that build.ps1 generated (tools/New-ModuleHelp.ps1 from the
# cmdlet metadata and docs/help/<Verb-Noun>.md): its syntax is the code's (Get-Command -Syntax), every parameter of the code
# is described and nothing else, the examples are numbered and parse, and Get-Help -Online has a URI to open.

BeforeDiscovery {
    $script:names = (Import-PowerShellDataFile (Join-Path $PSScriptRoot '..' 'ZscalerPki.psd1')).CmdletsToExport
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'PesterHelpers.ps1')
    $script:common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

    # Lines of text with runs of whitespace as one space, blank lines dropped.
    function ConvertTo-Lines([string] $Text) {
        @($Text -split "`r?`n" | ForEach-Object { ($_ -replace '\s+', ' ').Trim() } | Where-Object { $_ })
    }
}

Describe 'Get-Help <_>' -ForEach $names {
    BeforeAll {
        $script:name = $_
        $script:command = Get-Command $name
        $script:help = Get-Help $name -Full
    }

    It 'comes from the generated MAML, not from PowerShell''s fallback' {
        # Without a help file Get-Help makes up a synopsis from the syntax; ours is a sentence from docs/help.
        $help.Synopsis | Should -Not -Match "^\s*$name\s*\["
        $help.Synopsis | Should -Not -BeNullOrEmpty
        (Get-Help $name).description.Text -join ' ' | Should -Not -BeNullOrEmpty
    }

    It 'shows the syntax Get-Command -Syntax shows: every parameter set, switches without a type, -WhatIf/-Confirm where the cmdlet writes' {
        $rendered = @(ConvertTo-Lines (Get-Help $name | Select-Object -ExpandProperty syntax | Out-String -Width 100000))
        $expected = @(ConvertTo-Lines (Get-Command $name -Syntax | Out-String -Width 100000))
        $rendered.Count | Should -Be $command.ParameterSets.Count
        for ($i = 0; $i -lt $expected.Count; $i++) { $rendered[$i] | Should -BeExactly $expected[$i] }
        $rendered -join ' ' | Should -Not -Match 'SwitchParameter'
        if ($command.Parameters.ContainsKey('WhatIf')) { $rendered | ForEach-Object { $_ | Should -Match '\[-WhatIf\] \[-Confirm\]' } }
    }

    It 'describes every parameter of the code, and none the code lacks' {
        $described = @{}
        foreach ($p in $help.parameters.parameter) { $described[$p.name] = ($p.description | Out-String).Trim() }
        foreach ($p in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $described[$p] | Should -Not -BeNullOrEmpty -Because "-$p of $name is described"
        }
        foreach ($p in $described.Keys) { $command.Parameters.Keys | Should -Contain $p -Because "the help of $name describes -$p" }
    }

    It 'carries the code''s parameter facts: type, aliases, position, pipeline input' {
        foreach ($p in $help.parameters.parameter | Where-Object name -notin $common) {
            $code = $command.Parameters[$p.name]
            $p.type.name | Should -Be $code.ParameterType.FullName
            $aliases = if ($code.Aliases.Count) { $code.Aliases -join ', ' } else { 'none' }
            $p.aliases | Should -Be $aliases
            $byValue = [bool]($code.ParameterSets.Values | Where-Object ValueFromPipeline)
            $byName = [bool]($code.ParameterSets.Values | Where-Object ValueFromPipelineByPropertyName)
            ($p.pipelineInput -match 'ByValue') | Should -Be $byValue -Because "-$($p.name) of $name"
            ($p.pipelineInput -match 'ByPropertyName') | Should -Be $byName -Because "-$($p.name) of $name"
        }
    }

    It 'has at least two examples, numbered "Example N: title", whose code parses and calls <_>' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        for ($i = 0; $i -lt $examples.Count; $i++) {
            $examples[$i].title.Trim('-', ' ') | Should -Match "^Example $($i + 1): \S"
            $errors = $null
            [void][System.Management.Automation.Language.Parser]::ParseInput($examples[$i].code, [ref]$null, [ref]$errors)
            $errors | Should -BeNullOrEmpty -Because "example $($i + 1) of $name parses"
            $examples[$i].code | Should -Match ([regex]::Escape($name))
        }
    }

    It 'opens the help source online: HelpUri is the repository''s docs/help page, also the first related link' {
        $command.HelpUri | Should -Match "^https://.+/docs/help/$name\.md$"
        Test-Path (Join-Path $PSScriptRoot '..' 'docs' 'help' "$name.md") | Should -BeTrue
        @($help.relatedLinks.navigationLink)[0].uri | Should -Be $command.HelpUri
    }

    It 'lists the declared output types' {
        $declared = @($command.OutputType | ForEach-Object { if ($_.Type) { $_.Type.FullName } else { $_.Name } })
        @($help.returnValues.returnValue.type.name) | Should -Be $declared
    }
}

Describe 'Code in the other user documents' {
    BeforeAll {
        $script:ours = @{}
        foreach ($c in Get-Command -Module ZscalerPki) { $ours[$c.Name] = $c }

        # The problems of one piece of code: parse errors, and parameters our cmdlets do not have (name, alias or prefix).
        function Test-DocumentCode([string] $Code, [string] $Where) {
            $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref]$null, [ref]$errors)
            foreach ($e in @($errors)) { "$($Where): does not parse: $($e.Message)" }
            foreach ($call in $ast.FindAll({ param($a) $a -is [System.Management.Automation.Language.CommandAst] }, $true)) {
                $command = $ours[[string]$call.GetCommandName()]
                if (-not $command) { continue }
                foreach ($given in $call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                    $matching = @($command.Parameters.Values | Where-Object {
                            $_.Name -eq $given.ParameterName -or $_.Aliases -contains $given.ParameterName -or $_.Name -like "$($given.ParameterName)*" })
                    if ($matching.Count -eq 0) { "$($Where): $($command.Name) has no parameter -$($given.ParameterName)" }
                }
            }
        }
    }

    It 'README.md: every powershell block parses and passes our cmdlets only parameters they have' {
        $readme = Get-Content -Raw (Join-Path $PSScriptRoot '..' 'README.md')
        $blocks = [regex]::Matches($readme, '(?ms)^(?<indent>[ ]*)```powershell\r?\n(?<code>.*?)^\k<indent>```')
        $blocks.Count | Should -BeGreaterOrEqual 6
        $problems = foreach ($b in $blocks) {
            $line = ($readme.Substring(0, $b.Index) -split "`n").Count
            Test-DocumentCode $b.Groups['code'].Value "README.md:$line"
        }
        $problems | Should -BeNullOrEmpty
    }

    It 'about_ZscalerPki: every code block (indented 8 spaces) parses and passes our cmdlets only parameters they have' {
        $about = Get-Content -LiteralPath (Join-Path $PSScriptRoot '..' 'en-US' 'about_ZscalerPki.help.txt')
        # A block starts at a line indented exactly 8 spaces after a blank or less indented line, and runs while lines
        # stay indented 8 or more (the tables' wrapped columns start deeper, never at 8).
        $blocks = [System.Collections.Generic.List[string]]::new()
        $current = $null
        foreach ($line in $about) {
            $indent = $line.Length - $line.TrimStart().Length
            if ($null -ne $current -and $line.Trim() -and $indent -ge 8) { $current += "`n" + $line; continue }
            if ($null -ne $current) { $blocks.Add($current); $current = $null }
            if ($line.Trim() -and $indent -eq 8) { $current = $line }
        }
        if ($null -ne $current) { $blocks.Add($current) }
        @($blocks | Where-Object { $_ -match 'Test-CertificateChain' }).Count | Should -BeGreaterOrEqual 2
        $problems = foreach ($b in $blocks) { Test-DocumentCode $b "about_ZscalerPki: $(($b -split "`n")[0].Trim())" }
        $problems | Should -BeNullOrEmpty
    }
}
