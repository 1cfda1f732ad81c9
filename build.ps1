#Requires -Version 7.4
<#
.SYNOPSIS
    Builds ZscalerPki, stages the module in out/ZscalerPki, and runs the tests.
.DESCRIPTION
    -Task Build    compile (Release) and stage out/ZscalerPki: manifest, assemblies, format file, en-US help.
    -Task Test     Build, then the xunit suites (.NET 10 and .NET 8), then the Pester suite in tests/ (Pester 5 required);
                   ends with one line "tests: N passed, N failed, N skipped" and a non-zero exit code on any failure.
.EXAMPLE
    ./build.ps1
    Import-Module ./out/ZscalerPki/ZscalerPki.psd1
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test')]
    [string] $Task = 'Test',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$stage = Join-Path $root 'out' 'ZscalerPki'

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

Write-Host "Building ZscalerPki ($Configuration)"
Invoke-Native 'dotnet' @('build', (Join-Path $root 'src' 'ZscalerPki' 'ZscalerPki.csproj'), '-c', $Configuration, '-warnaserror', '--nologo')

if (Test-Path -LiteralPath $stage) { Remove-Item -LiteralPath $stage -Recurse -Force }
New-Item -ItemType Directory -Path $stage | Out-Null
$bin = Join-Path $root 'src' 'ZscalerPki' 'bin' $Configuration 'net8.0'
# Our assemblies and the packages they use (PowerShell's own System.Management.Automation comes from the host), and for the
# issued-certificate database the native e_sqlite3 of every platform under runtimes/<rid>/native (ZscalerPki.Core resolves
# it from there; see src/ZscalerPki.Core/Revocation/SqliteRuntime.cs).
Get-ChildItem -LiteralPath $bin -Filter '*.dll' | Where-Object Name -ne 'System.Management.Automation.dll' | Copy-Item -Destination $stage
foreach ($rid in 'win-x64', 'win-x86', 'win-arm64', 'linux-x64', 'linux-arm64', 'linux-musl-x64', 'linux-musl-arm64', 'osx-x64', 'osx-arm64') {
    $native = Join-Path $bin 'runtimes' $rid 'native'
    if (Test-Path -LiteralPath $native) {
        $target = Join-Path $stage 'runtimes' $rid 'native'
        New-Item -ItemType Directory -Path $target -Force | Out-Null
        Copy-Item -Path (Join-Path $native '*') -Destination $target
    }
}
Copy-Item -LiteralPath (Join-Path $bin 'ZscalerPki.Format.ps1xml') -Destination $stage
# The version lives in Directory.Build.props only: the assemblies are built with it, and the staged manifest gets it here.
$version = ([xml](Get-Content -Raw -LiteralPath (Join-Path $root 'Directory.Build.props'))).Project.PropertyGroup.Version | Where-Object { $_ } | Select-Object -First 1
$manifest = (Get-Content -Raw -LiteralPath (Join-Path $root 'ZscalerPki.psd1')) -replace "ModuleVersion\s*=\s*'[^']*'[^\r\n]*", "ModuleVersion        = '$version'"
Set-Content -LiteralPath (Join-Path $stage 'ZscalerPki.psd1') -Value $manifest -NoNewline
Copy-Item -LiteralPath (Join-Path $root 'en-US') -Destination $stage -Recurse
Write-Host "Staged module in $stage"

if ($Task -eq 'Build') { return }

# Tests: the xunit suites (engine, cmdlets through the seam, conformance floors; on .NET 10 and, self-contained, .NET 8),
# then the Pester suite in this PowerShell against the staged module. One closing line counts both; any failure fails.
$failedSuites = @()
$total = @{ Passed = 0; Failed = 0; Skipped = 0 }

Write-Host 'Running the xunit suites (dotnet test)'
$xunitLog = [System.Collections.Generic.List[string]]::new()
& dotnet test (Join-Path $root 'ZscalerPki.sln') -c $Configuration --nologo 2>&1 | ForEach-Object {
    $line = "$_"
    $xunitLog.Add($line)
    Write-Host $line
}
$xunitExit = $LASTEXITCODE
$summaries = $xunitLog | Select-String -Pattern '(Passed|Failed)!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+)'
if (-not $summaries) { $failedSuites += 'xunit (no test summary)' }
foreach ($m in $summaries) {
    $total.Failed += [int]$m.Matches[0].Groups[2].Value
    $total.Passed += [int]$m.Matches[0].Groups[3].Value
    $total.Skipped += [int]$m.Matches[0].Groups[4].Value
}
if ($xunitExit -ne 0) { $failedSuites += "xunit (exit code $xunitExit)" }

$pester = Get-Module -ListAvailable -Name Pester | Where-Object Version -ge ([version]'5.0') | Sort-Object Version -Descending | Select-Object -First 1
if ($null -eq $pester) {
    $failedSuites += 'Pester 5 is not installed (use ../shared/tools/pwsh/pwsh, or Install-Module Pester -MinimumVersion 5.0)'
}
else {
    Write-Host "Running the Pester suite (Pester $($pester.Version), PowerShell $($PSVersionTable.PSVersion))"
    Import-Module $pester
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $root 'tests'
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $result = Invoke-Pester -Configuration $config
    $total.Passed += $result.PassedCount
    $total.Failed += $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    $total.Skipped += $result.SkippedCount
    if ($result.Result -ne 'Passed') { $failedSuites += "Pester ($($result.FailedCount) failed)" }
}

if ($failedSuites) { Write-Host "Failed: $($failedSuites -join '; ')" }
Write-Host ("tests: {0} passed, {1} failed, {2} skipped" -f $total.Passed, $total.Failed, $total.Skipped)
if ($failedSuites -or $total.Failed -gt 0) { exit 1 }
