#Requires -Version 7.4
<#
.SYNOPSIS
    The PowerShell syntax gate: every .ps1, .psm1 and .psd1 file under -Path must parse with PowerShell's own parser.
.DESCRIPTION
    Reports each parse error as file:line:column: message, then one line "syntax: N PowerShell files parsed, M problem(s)",
    and exits 1 when there is any problem. (It replaced a tree-sitter grammar that ran while no PowerShell was available
    here, and that rejected valid scripts.)
.EXAMPLE
    pwsh -NoProfile -File tests/syntax/Test-PowerShellSyntax.ps1 -Path .
#>
[CmdletBinding()]
param([string] $Path = '.')

$skip = 'node_modules', 'bin', 'obj', 'out', '.git', 'TestResults'
$files = Get-ChildItem -LiteralPath $Path -Recurse -File -Include '*.ps1', '*.psm1', '*.psd1' |
    Where-Object { -not ($_.FullName.Split([IO.Path]::DirectorySeparatorChar) | Where-Object { $_ -in $skip }) }
$problems = 0
foreach ($file in $files) {
    $tokens = $null
    $errors = $null
    [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref] $tokens, [ref] $errors) | Out-Null
    foreach ($e in $errors) {
        $problems++
        $relative = [IO.Path]::GetRelativePath((Resolve-Path $Path).Path, $file.FullName)
        Write-Host ("{0}:{1}:{2}: {3}" -f $relative, $e.Extent.StartLineNumber, $e.Extent.StartColumnNumber, $e.Message)
    }
}
Write-Host ("syntax: {0} PowerShell files parsed, {1} problem(s)" -f @($files).Count, $problems)
if ($problems -gt 0 -or @($files).Count -eq 0) { exit 1 }
