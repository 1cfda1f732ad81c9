# Dot-sourced by tools/New-ModuleHelp.ps1: reads one docs/help/<Verb-Noun>.md (format: docs/help/README.md) into its parts.
# Problems with the file's shape are added to the caller's $problems list, with the file and line.

# The markdown source: "## SECTION" headings; "### Example N: Title" (a ```powershell fence, then remarks) under EXAMPLES;
# "### -Name" under PARAMETERS; "### TypeName" under INPUTS and OUTPUTS. Paragraphs are separated by blank lines; a line
# starting with "- " starts a paragraph of its own (lists).
function Read-HelpSource([string] $File) {
    $source = [ordered]@{
        File = $File; Title = $null; Sections = [ordered]@{}
        Examples = [System.Collections.Generic.List[object]]::new()
        Parameters = [ordered]@{}; Inputs = [ordered]@{}; Outputs = [ordered]@{}
    }
    $section = $null; $item = $null; $fence = $null; $lineNo = 0
    $current = $null   # the list of paragraphs text goes to
    $paragraph = [System.Text.StringBuilder]::new()

    function Close-Paragraph {
        if ($paragraph.Length -gt 0 -and $null -ne $current) { $current.Add($paragraph.ToString().Trim()) }
        [void]$paragraph.Clear()
    }

    foreach ($line in [System.IO.File]::ReadAllLines($File)) {
        $lineNo++
        if ($null -ne $fence) {
            if ($line -match '^\s*```\s*$') { $item.Code = ($fence -join "`n").TrimEnd(); $fence = $null; continue }
            $fence.Add($line); continue
        }
        if ($line -match '^# (?<t>\S.*)$' -and $null -eq $source.Title) { $source.Title = $Matches.t.Trim(); continue }
        if ($line -match '^## (?<s>\S.*)$') {
            Close-Paragraph
            $section = $Matches.s.Trim().ToUpperInvariant(); $item = $null
            $current = [System.Collections.Generic.List[string]]::new()
            $source.Sections[$section] = $current
            continue
        }
        if ($line -match '^### (?<h>\S.*)$') {
            Close-Paragraph
            $heading = $Matches.h.Trim()
            $current = [System.Collections.Generic.List[string]]::new()
            switch ($section) {
                'EXAMPLES' {
                    $item = [pscustomobject]@{ Heading = $heading; Line = $lineNo; Code = $null; Remarks = $current }
                    $source.Examples.Add($item)
                }
                'PARAMETERS' {
                    $name = $heading.TrimStart('-').Trim()
                    if ($source.Parameters.Contains($name)) { $problems.Add("$($File):$($lineNo): -$name is described twice") }
                    $source.Parameters[$name] = $current
                }
                'INPUTS' { $source.Inputs[$heading] = $current }
                'OUTPUTS' { $source.Outputs[$heading] = $current }
                default { $problems.Add("$($File):$($lineNo): a '### $heading' heading outside EXAMPLES, PARAMETERS, INPUTS and OUTPUTS") }
            }
            continue
        }
        if ($line -match '^\s*```') {
            Close-Paragraph
            if ($section -eq 'EXAMPLES' -and $null -ne $item -and $null -eq $item.Code) { $fence = [System.Collections.Generic.List[string]]::new(); continue }
            $problems.Add("$($File):$($lineNo): a code block outside an example, or a second one in an example (one block per example)")
            $fence = [System.Collections.Generic.List[string]]::new(); $item = [pscustomobject]@{ Code = $null }
            continue
        }
        if ($line.Trim() -eq '') { Close-Paragraph; continue }
        if ($line -match '^\s*[-*] ') { Close-Paragraph }
        if ($paragraph.Length -gt 0) { [void]$paragraph.Append(' ') }
        [void]$paragraph.Append($line.Trim())
    }
    Close-Paragraph
    if ($null -ne $fence) { $problems.Add("$($File): a code block is not closed with ``````") }
    [pscustomobject]$source
}
