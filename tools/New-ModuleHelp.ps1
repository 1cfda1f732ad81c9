#Requires -Version 7.4
<#
.SYNOPSIS
    Generates the module's MAML help (en-US/ZscalerPki.dll-Help.xml) from the cmdlet metadata and docs/help/<Verb-Noun>.md.
.DESCRIPTION
    What the code knows comes from the code: syntax per parameter set (the order and spelling Get-Command -Syntax uses),
    parameter types, aliases, mandatory/position, pipeline input, wildcard support, default values of the cmdlet class,
    -WhatIf/-Confirm, [OutputType] and the pipeline-bound parameters as input types, HelpUri as the "Online Version" link.
    The words come from one markdown file per cmdlet, in the format docs/help/README.md defines.

    Every problem is collected first and reported together, each naming the file, the cmdlet and the parameter: a cmdlet
    without a help file, a parameter without a description, a description of a parameter the code lacks, fewer than two
    examples, an example not titled "Example N: Title" in order, example code that does not parse, an OUTPUTS entry for a
    type the cmdlet does not declare. Then the script throws (exit code 1 under -File), and no file is written.
.EXAMPLE
    dotnet pwsh -NoProfile -File tools/New-ModuleHelp.ps1 -ModulePath out/ZscalerPki/ZscalerPki.psd1 -SourcePath docs/help -OutputPath out/ZscalerPki/en-US/ZscalerPki.dll-Help.xml -ExitOnError

    What build.ps1 runs after staging the module.
#>
[CmdletBinding()]
param(
    # The module manifest to read the cmdlets of (imported here; already imported is fine).
    [Parameter(Mandatory)] [string] $ModulePath,
    # The folder of <Verb-Noun>.md help sources.
    [Parameter(Mandatory)] [string] $SourcePath,
    # The MAML file to write.
    [Parameter(Mandatory)] [string] $OutputPath,
    # On problems, print them one per line to the error stream of the process and exit 1 (for build.ps1, which runs this in a
    # child PowerShell) instead of throwing one exception that lists them (for callers in the same session, such as tests).
    [switch] $ExitOnError
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$module = Import-Module -Name (Resolve-Path -LiteralPath $ModulePath).ProviderPath -PassThru -ErrorAction Stop
$commands = @(Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name)
$common = [System.Management.Automation.Cmdlet]::CommonParameters
$shouldProcess = [System.Management.Automation.Cmdlet]::OptionalCommonParameters   # WhatIf, Confirm (and UseTransaction on Windows PowerShell)
$problems = [System.Collections.Generic.List[string]]::new()

# The markdown reader (Read-HelpSource); it adds what it cannot read to $problems.
. (Join-Path $PSScriptRoot 'HelpSource.ps1')

# ---------------------------------------------------------------------------------------------------------------------
# What the code says.

# The type as Get-Command -Syntax spells it (type accelerators, no namespaces): taken from the parameter set's own rendering,
# so the two cannot differ.
function Get-SyntaxType($Set, $Parameter) {
    $text = $Set.ToString()
    $m = [regex]::Match($text, '-' + [regex]::Escape($Parameter.Name) + '\]? <(?<t>[^>]+)>')
    if ($m.Success) { $m.Groups['t'].Value } else { $Parameter.ParameterType.Name }
}

# Positional parameters by position, then named mandatory, then named optional, each in declaration order: the order
# Get-Command -Syntax uses. Common parameters are left out (Get-Help adds [<CommonParameters>]).
function Get-DisplayOrder($Set) {
    $own = @($Set.Parameters | Where-Object Name -notin $common)
    $positional = @($own | Where-Object Position -ge 0 | Sort-Object Position)
    $mandatory = @($own | Where-Object { $_.Position -lt 0 -and $_.IsMandatory })
    $optional = @($own | Where-Object { $_.Position -lt 0 -and -not $_.IsMandatory })
    @($positional) + @($mandatory) + @($optional)
}

function Get-PipelineText([bool] $ByValue, [bool] $ByName) {
    if ($ByValue -and $ByName) { 'True (ByValue, ByPropertyName)' }
    elseif ($ByValue) { 'True (ByValue)' }
    elseif ($ByName) { 'True (ByPropertyName)' }
    else { 'False' }
}

# The value a new instance of the cmdlet class holds, where it says something: a non-null reference, an enum, a non-zero
# number or a true bool. Switches default to absent and show nothing.
function Get-DefaultValue($Instance, $Parameter) {
    if ($null -eq $Instance -or $Parameter.ParameterType -eq [switch]) { return $null }
    $property = $Instance.GetType().GetProperty($Parameter.Name)
    if ($null -eq $property) { return $null }
    try { $value = $property.GetValue($Instance) } catch { return $null }
    if ($null -eq $value) { return $null }
    $type = $value.GetType()
    if ($type.IsEnum) { return "$value" }
    if ($type.IsValueType -and $value -eq [Activator]::CreateInstance($type)) { return $null }
    if ($value -is [array] -and $value.Count -eq 0) { return $null }
    if ($value -is [string] -and $value -eq '') { return $null }
    if ($value -is [System.Security.SecureString]) { return $null }
    ($value | ForEach-Object { "$_" }) -join ', '
}

# ---------------------------------------------------------------------------------------------------------------------
# The MAML.
$ns = @{
    maml = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.IndentChars = '  '
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$buffer = [System.IO.MemoryStream]::new()
$w = [System.Xml.XmlWriter]::Create($buffer, $settings)

function Write-Element([string] $Prefix, [string] $Name, [string] $Text, [hashtable] $Attributes) {
    $w.WriteStartElement($Prefix, $Name, $ns[$Prefix])
    if ($Attributes) { foreach ($k in $Attributes.Keys | Sort-Object) { $w.WriteAttributeString($k, [string]$Attributes[$k]) } }
    if ($null -ne $Text) { $w.WriteString($Text) }
    $w.WriteEndElement()
}

function Write-Paragraphs([string] $Prefix, [string] $Name, $Paragraphs) {
    $w.WriteStartElement($Prefix, $Name, $ns[$Prefix])
    foreach ($p in @($Paragraphs)) { if ($p) { Write-Element maml para $p } }
    $w.WriteEndElement()
}

function Write-Type([string] $TypeName) {
    $w.WriteStartElement('dev', 'type', $ns.dev)
    Write-Element maml name $TypeName
    $w.WriteEndElement()
}

$w.WriteStartDocument()
$w.WriteStartElement('helpItems', 'http://msh')
$w.WriteAttributeString('schema', 'maml')

$sourceFiles = @{}
if (Test-Path -LiteralPath $SourcePath) {
    foreach ($f in Get-ChildItem -LiteralPath $SourcePath -Filter '*-*.md' -File) { $sourceFiles[$f.BaseName] = $f.FullName }
}
foreach ($name in $sourceFiles.Keys | Sort-Object) {
    if ($name -notin $commands.Name) { $problems.Add("$($sourceFiles[$name]): documents $name, which the module does not export (rename or remove the file)") }
}

# Parameters named in prose ("-Name" outside code blocks) must exist: a parameter or alias of one of the module's cmdlets, a
# common parameter, or a parameter of the PowerShell command named before it on the line (Read-Host -AsSecureString), so a
# renamed parameter cannot linger in the words either.
$moduleParameters = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
foreach ($c in $commands) { foreach ($p in $c.Parameters.Values) { [void]$moduleParameters.Add($p.Name); foreach ($a in $p.Aliases) { [void]$moduleParameters.Add($a) } } }
foreach ($p in $common + $shouldProcess) { [void]$moduleParameters.Add($p) }
$otherCommands = @{}
function Find-UnknownMention([string] $File) {
    $inCode = $false; $lineNo = 0
    foreach ($line in [System.IO.File]::ReadAllLines($File)) {
        $lineNo++
        if ($line -match '^\s*```') { $inCode = -not $inCode; continue }
        if ($inCode) { continue }
        foreach ($m in [regex]::Matches($line, '(?<![\w-])-(?<p>[A-Z][A-Za-z0-9]+)\b')) {
            $mentioned = $m.Groups['p'].Value
            if ($moduleParameters.Contains($mentioned)) { continue }
            $before = [regex]::Matches($line.Substring(0, $m.Index), '\b(?<c>[A-Z][a-z]+-[A-Z][A-Za-z]+)\b')
            $owner = if ($before.Count) { $before[$before.Count - 1].Groups['c'].Value }
            if ($owner -and -not $otherCommands.ContainsKey($owner)) {
                $found = Get-Command $owner -CommandType Cmdlet, Function -ErrorAction SilentlyContinue | Select-Object -First 1
                $otherCommands[$owner] = if ($found) { @($found.Parameters.Values | ForEach-Object { $_.Name; $_.Aliases }) } else { @() }
            }
            if ($owner -and $otherCommands[$owner] -contains $mentioned) { continue }
            $problems.Add("$($File):$($lineNo): the text names -$mentioned, which no cmdlet of the module has (renamed or removed?)")
        }
    }
}

foreach ($cmd in $commands) {
    $name = $cmd.Name
    if (-not $sourceFiles.ContainsKey($name)) {
        $problems.Add("$($name): no help source; write $(Join-Path $SourcePath "$name.md") (format: $(Join-Path $SourcePath 'README.md'))")
        continue
    }
    $file = $sourceFiles[$name]
    $src = Read-HelpSource $file
    Find-UnknownMention $file
    if ($src.Title -ne $name) { $problems.Add("$($file): the first heading is '# $($src.Title)', expected '# $name'") }
    $synopsis = if ($src.Sections.Contains('SYNOPSIS')) { $src.Sections['SYNOPSIS'] -join ' ' } else { '' }
    if (-not $synopsis) { $problems.Add("$($name): no SYNOPSIS in $file") }
    $description = if ($src.Sections.Contains('DESCRIPTION')) { $src.Sections['DESCRIPTION'] } else { @() }
    if (-not $description) { $problems.Add("$($name): no DESCRIPTION in $file") }

    # Parameters: every parameter of the code described, nothing described that the code lacks.
    $codeParameters = @($cmd.Parameters.Values | Where-Object { $_.Name -notin $common -and $_.Name -notin $shouldProcess })
    foreach ($p in $codeParameters) {
        if (-not $src.Parameters.Contains($p.Name) -or -not ($src.Parameters[$p.Name] -join '').Trim()) {
            $problems.Add("$($name) -$($p.Name): no description; add '### -$($p.Name)' with a paragraph under '## PARAMETERS' in $file")
        }
    }
    foreach ($documented in $src.Parameters.Keys) {
        if ($documented -notin $codeParameters.Name) {
            $what = if ($documented -in $shouldProcess) { 'needs no section (PowerShell describes it)' } else { 'is not a parameter of the code (renamed or removed?)' }
            $problems.Add("$($name) -$($documented): described in $file but $what")
        }
    }

    # Examples: at least two, titled "Example N: Title" in order, code that parses.
    if ($src.Examples.Count -lt 2) { $problems.Add("$($name): $($src.Examples.Count) example(s) in $file, at least 2 are needed") }
    $n = 0
    foreach ($ex in $src.Examples) {
        $n++
        if ($ex.Heading -notmatch "^Example $($n): \S") {
            $problems.Add("$($file):$($ex.Line): example heading '### $($ex.Heading)' should be '### Example $($n): <title>'")
        }
        if (-not $ex.Code) { $problems.Add("$($file):$($ex.Line): example $n has no ``````powershell code block"); continue }
        $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($ex.Code, [ref]$null, [ref]$errors)
        foreach ($e in @($errors)) {
            $problems.Add("$($file):$($ex.Line): example $n does not parse: $($e.Message) (code line $($e.Extent.StartLineNumber))")
        }
        # Every -Parameter given to one of our cmdlets in an example exists (by name, alias or unambiguous prefix), so a
        # renamed parameter cannot linger in the examples.
        foreach ($call in $ast.FindAll({ param($a) $a -is [System.Management.Automation.Language.CommandAst] }, $true)) {
            $called = $commands | Where-Object Name -eq $call.GetCommandName()
            if (-not $called) { continue }
            $known = @($called.Parameters.Values | ForEach-Object { $_.Name; $_.Aliases })
            foreach ($given in $call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                $exact = @($known | Where-Object { $_ -eq $given.ParameterName })
                $prefixed = @($called.Parameters.Values | Where-Object { $_.Name -like "$($given.ParameterName)*" -or ($_.Aliases -like "$($given.ParameterName)*") })
                if ($exact.Count -eq 0 -and $prefixed.Count -ne 1) {
                    $problems.Add("$($file):$($ex.Line): example $n calls $($called.Name) -$($given.ParameterName), which the cmdlet does not have")
                }
            }
        }
    }

    # Outputs: the declared [OutputType]s; words for them from OUTPUTS.
    $outputTypes = @($cmd.OutputType | ForEach-Object { if ($_.Type) { $_.Type.FullName } else { $_.Name } } | Select-Object -Unique)
    foreach ($documented in $src.Outputs.Keys) {
        $match = $outputTypes | Where-Object { $_ -eq $documented -or $_.Split('.')[-1] -eq $documented }
        if (-not $match -and $documented -ne 'None') {
            $problems.Add("$($name): OUTPUTS names $documented in $file, which is not an [OutputType] of the cmdlet ($($outputTypes -join ', '))")
        }
    }

    # Inputs: the pipeline-bound parameters, with the words of INPUTS first.
    $pipelineParameters = @($codeParameters | Where-Object { $_.ParameterSets.Values | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName } })
    if ($src.Inputs.Contains('None') -and @($pipelineParameters | Where-Object Name -ne 'VaultPath').Count -gt 0) {
        $problems.Add("$($name): INPUTS says None in $file, but -$(($pipelineParameters | Where-Object Name -ne 'VaultPath').Name -join ', -') take pipeline input")
    }

    if ($problems.Count -gt 0) { continue }   # nothing is written once anything is wrong; keep collecting

    $instance = try { [Activator]::CreateInstance($cmd.ImplementingType) } catch { $null }

    $w.WriteStartElement('command', 'command', $ns.command)
    $w.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
    $w.WriteAttributeString('xmlns', 'command', $null, $ns.command)
    $w.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)

    $w.WriteStartElement('command', 'details', $ns.command)
    Write-Element command name $name
    Write-Element command verb $cmd.Verb
    Write-Element command noun $cmd.Noun
    Write-Paragraphs maml description @($synopsis)
    $w.WriteEndElement()
    Write-Paragraphs maml description $description

    # Syntax: one item per parameter set, in Get-Command's order.
    $w.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $cmd.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $ns.command)
        Write-Element maml name $name
        foreach ($p in Get-DisplayOrder $set) {
            $attributes = @{
                required = "$($p.IsMandatory)".ToLowerInvariant()
                position = if ($p.Position -ge 0) { "$($p.Position)" } else { 'named' }
                pipelineInput = Get-PipelineText $p.ValueFromPipeline $p.ValueFromPipelineByPropertyName
                globbing = "$([bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }))".ToLowerInvariant()
                aliases = if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }
            }
            $w.WriteStartElement('command', 'parameter', $ns.command)
            foreach ($k in $attributes.Keys | Sort-Object) { $w.WriteAttributeString($k, $attributes[$k]) }
            Write-Element maml name $p.Name
            # A switch has no value: Get-Help shows [-Force], not [-Force <SwitchParameter>].
            if ($p.ParameterType -ne [switch]) { Write-Element command parameterValue (Get-SyntaxType $set $p) @{ required = 'true' } }
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    # Parameters: in the code's order (declaration order; -VaultPath of the base class, then -WhatIf/-Confirm, last).
    $w.WriteStartElement('command', 'parameters', $ns.command)
    $ordered = @($codeParameters | Where-Object Name -ne 'VaultPath') + @($codeParameters | Where-Object Name -eq 'VaultPath') + @($cmd.Parameters.Values | Where-Object Name -in $shouldProcess)
    foreach ($p in $ordered) {
        $sets = @($p.ParameterSets.Values)
        $positions = @($sets.Position | Where-Object { $_ -ge 0 } | Sort-Object -Unique)
        $attributes = @{
            required = "$(@($sets | Where-Object IsMandatory).Count -eq $sets.Count)".ToLowerInvariant()
            position = if ($positions.Count -ge 1) { "$($positions[0])" } else { 'named' }
            pipelineInput = Get-PipelineText ([bool]($sets | Where-Object ValueFromPipeline)) ([bool]($sets | Where-Object ValueFromPipelineByPropertyName))
            globbing = "$([bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }))".ToLowerInvariant()
            aliases = if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }
        }
        $w.WriteStartElement('command', 'parameter', $ns.command)
        foreach ($k in $attributes.Keys | Sort-Object) { $w.WriteAttributeString($k, $attributes[$k]) }
        Write-Element maml name $p.Name
        $words = if ($p.Name -eq 'WhatIf') { @('Shows what the cmdlet would do without doing it.') }
                 elseif ($p.Name -eq 'Confirm') { @('Asks for confirmation before the cmdlet changes anything.') }
                 else { $src.Parameters[$p.Name] }
        $mandatoryIn = @($p.ParameterSets.GetEnumerator() | Where-Object { $_.Value.IsMandatory } | ForEach-Object Key)
        if ($mandatoryIn.Count -gt 0 -and $mandatoryIn.Count -lt $sets.Count) {
            $words = @($words) + "Required in the parameter set(s) $($mandatoryIn -join ', ')."
        }
        Write-Paragraphs maml description $words
        if ($p.ParameterType -ne [switch]) { Write-Element command parameterValue $p.ParameterType.Name @{ required = 'true' } }
        Write-Type $p.ParameterType.FullName
        # A parameter mandatory everywhere has no default a user meets.
        $default = if ($attributes.required -eq 'true') { $null } else { Get-DefaultValue $instance $p }
        if ($null -ne $default) { Write-Element dev defaultValue $default } elseif ($p.ParameterType -eq [switch]) { Write-Element dev defaultValue 'False' } else { Write-Element dev defaultValue 'None' }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'inputTypes', $ns.command)
    foreach ($entry in $src.Inputs.GetEnumerator() | Where-Object Key -ne 'None') {
        $w.WriteStartElement('command', 'inputType', $ns.command); Write-Type $entry.Key; Write-Paragraphs maml description $entry.Value; $w.WriteEndElement()
    }
    # -VaultPath binds by property name on every cmdlet (objects carry their vault); its description says so, not the list.
    foreach ($p in $pipelineParameters | Where-Object Name -ne 'VaultPath') {
        $byValue = [bool]($p.ParameterSets.Values | Where-Object ValueFromPipeline)
        $byName = [bool]($p.ParameterSets.Values | Where-Object ValueFromPipelineByPropertyName)
        $names = (@($p.Name) + @($p.Aliases)) -join ' or '
        $text = if ($byValue -and $byName) { "Bound to -$($p.Name): the object itself, or its property $names." }
                elseif ($byValue) { "Bound to -$($p.Name): the object itself." }
                else { "Bound to -$($p.Name) from the property $names of any piped object." }
        $w.WriteStartElement('command', 'inputType', $ns.command); Write-Type $p.ParameterType.FullName; Write-Paragraphs maml description @($text); $w.WriteEndElement()
    }
    if (@($pipelineParameters | Where-Object Name -ne 'VaultPath').Count -eq 0) {
        $w.WriteStartElement('command', 'inputType', $ns.command); Write-Type 'None'; Write-Paragraphs maml description @('This cmdlet takes no pipeline input.'); $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'returnValues', $ns.command)
    foreach ($t in $outputTypes) {
        $words = $src.Outputs.GetEnumerator() | Where-Object { $_.Key -eq $t -or $_.Key -eq $t.Split('.')[-1] } | Select-Object -First 1
        $w.WriteStartElement('command', 'returnValue', $ns.command); Write-Type $t; Write-Paragraphs maml description $(if ($words) { $words.Value } else { @() }); $w.WriteEndElement()
    }
    $w.WriteEndElement()

    if ($src.Sections.Contains('NOTES') -and $src.Sections['NOTES'].Count) {
        $w.WriteStartElement('maml', 'alertSet', $ns.maml)
        $w.WriteStartElement('maml', 'alert', $ns.maml)
        foreach ($p in $src.Sections['NOTES']) { Write-Element maml para $p }
        $w.WriteEndElement(); $w.WriteEndElement()
    }

    $w.WriteStartElement('command', 'examples', $ns.command)
    foreach ($ex in $src.Examples) {
        $w.WriteStartElement('command', 'example', $ns.command)
        Write-Element maml title "-------------------------- $($ex.Heading) --------------------------"
        Write-Element dev code $ex.Code
        # An empty paragraph last, so Get-Help leaves a blank line before the next example's title.
        $w.WriteStartElement('dev', 'remarks', $ns.dev)
        foreach ($p in @($ex.Remarks) + @('')) { Write-Element maml para $p }
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    # Related links: the online version first (Get-Help -Online opens the first link with a URI), then the source's list.
    $w.WriteStartElement('command', 'relatedLinks', $ns.command)
    if ($cmd.HelpUri) {
        $w.WriteStartElement('maml', 'navigationLink', $ns.maml); Write-Element maml linkText 'Online Version:'; Write-Element maml uri $cmd.HelpUri; $w.WriteEndElement()
    }
    $links = if ($src.Sections.Contains('RELATED LINKS')) { $src.Sections['RELATED LINKS'] } else { @() }
    foreach ($link in $links) {
        $text = $link -replace '^[-*]\s+', ''
        $uri = ''
        if ($text -match '^\[(?<t>[^\]]+)\]\((?<u>[^)]+)\)$') { $text = $Matches.t; $uri = $Matches.u }
        $w.WriteStartElement('maml', 'navigationLink', $ns.maml); Write-Element maml linkText $text; Write-Element maml uri $uri; $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteEndElement()   # command:command
}

$w.WriteEndElement()
$w.WriteEndDocument()
$w.Flush()

if ($problems.Count -gt 0) {
    $message = "The help of $($module.Name) is incomplete ($($problems.Count) problem(s)); fix $SourcePath (format: $(Join-Path $SourcePath 'README.md')) and build again:`n  " + ($problems -join "`n  ")
    if ($ExitOnError) { [Console]::Error.WriteLine($message); exit 1 }
    throw $message
}

# Written whole: a temp file beside the target, then renamed over it.
$folder = Split-Path -Parent ([System.IO.Path]::GetFullPath($OutputPath))
New-Item -ItemType Directory -Path $folder -Force | Out-Null
$temp = Join-Path $folder ".$([System.IO.Path]::GetFileName($OutputPath)).$PID.tmp"
[System.IO.File]::WriteAllBytes($temp, $buffer.ToArray())
Move-Item -LiteralPath $temp -Destination $OutputPath -Force
Write-Verbose "Wrote $OutputPath ($($commands.Count) cmdlets)"
