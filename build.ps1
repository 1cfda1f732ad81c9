#Requires -Version 7.4
<#
.SYNOPSIS
    Builds ZscalerPki, stages the module in out/ZscalerPki, runs the main workflow or the tests.
.DESCRIPTION
    PowerShell and Pester come from NuGet: `dotnet tool restore` installs the pinned PowerShell (.config/dotnet-tools.json,
    run as `dotnet pwsh`), and -Task Test restores Pester 5.9.1 (tests/TestTools) before anything else runs.

    -Task Build    (default) compile (Release) and stage out/ZscalerPki: manifest, assemblies, format file, en-US help
                   (the MAML generated from the cmdlets and docs/help/*.md by tools/New-ModuleHelp.ps1).
    -Task Demo     Build, then run the SSL-inspection workflow end to end in a temporary vault in a new PowerShell
                   (docs/demo.ps1): root CA, intermediate key + CSR, signing, validated import, chain test, a forged site
                   certificate, revocation and a CRL, each checked by OpenSSL where it is installed.
    -Task Test     Pester first (restored from NuGet, or the run stops before building), then Build, the xunit suites
                   (engine on .NET 10 and .NET 8, cmdlets in an in-process PowerShell), then the Pester suite in tests/;
                   ends with one line "tests: N passed, N failed, N skipped" and a non-zero exit code on any failure.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1
    Import-Module ./out/ZscalerPki/ZscalerPki.psd1

    Builds and stages the module (about a minute), then imports it.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Demo

    Builds, then runs the main workflow in a temporary vault and prints what each step made.
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test

    Every test: the xunit suites and the Pester suite (about 12 minutes on 2 cores).
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Demo', 'Test')]
    [string] $Task = 'Build',

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

# A new PowerShell, the same one that runs this script (under `dotnet pwsh` the process is dotnet, so start pwsh.dll through
# it); $LASTEXITCODE is its exit code.
function Invoke-ChildPowerShell([string[]] $Arguments) {
    $pwshDll = Join-Path $PSHOME 'pwsh.dll'
    if (Test-Path -LiteralPath $pwshDll) { & dotnet $pwshDll @Arguments } else { & (Join-Path $PSHOME 'pwsh') @Arguments }
}

# Pester 5 from NuGet (tests/TestTools restores the package; its module is under tools/), found before anything is built so
# a missing test framework is reported first, not after the xunit suites.
function Resolve-Pester {
    $project = Join-Path $root 'tests' 'TestTools' 'TestTools.csproj'
    $version = ([xml](Get-Content -Raw -LiteralPath $project)).Project.PropertyGroup.PesterVersion | Where-Object { $_ } | Select-Object -First 1
    Invoke-Native 'dotnet' @('restore', $project, '--nologo', '-v', 'quiet')
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else {
        ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    }
    $manifest = Join-Path $packages 'pester' $version 'tools' 'Pester.psd1'
    if (-not (Test-Path -LiteralPath $manifest)) {
        throw "Pester $version was not restored from NuGet (expected $manifest). Check that NuGet is reachable: dotnet restore $project"
    }
    $manifest
}

if ($Task -eq 'Test') {
    $pesterManifest = Resolve-Pester
    Write-Host "Pester: $pesterManifest"
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
# Help: the about topic as written; the cmdlet help (MAML) generated from the staged module's cmdlet metadata and the words in
# docs/help/<Verb-Noun>.md (tools/New-ModuleHelp.ps1, in a child PowerShell so this process does not load the module). A
# missing description or example fails the build here, naming every cmdlet and parameter at once.
$help = New-Item -ItemType Directory -Path (Join-Path $stage 'en-US') -Force
Copy-Item -Path (Join-Path $root 'en-US' '*.help.txt') -Destination $help
$generator = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'tools' 'New-ModuleHelp.ps1'),
    '-ModulePath', (Join-Path $stage 'ZscalerPki.psd1'), '-SourcePath', (Join-Path $root 'docs' 'help'),
    '-OutputPath', (Join-Path $help 'ZscalerPki.dll-Help.xml'), '-ExitOnError')
Invoke-ChildPowerShell $generator
if ($LASTEXITCODE -ne 0) { throw "Help generation failed (tools/New-ModuleHelp.ps1, exit code $LASTEXITCODE): the problems in docs/help/*.md are listed above." }
Write-Host "Staged module in $stage"

if ($Task -eq 'Build') { return }

if ($Task -eq 'Demo') {
    # A new PowerShell, as a user's session would be.
    Invoke-ChildPowerShell @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'docs' 'demo.ps1'), '-ModulePath', (Join-Path $stage 'ZscalerPki.psd1'))
    exit $LASTEXITCODE
}

# Tests: the xunit suites (engine on .NET 10 and, self-contained, .NET 8; cmdlets in an in-process PowerShell on .NET 10; conformance floors),
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

Write-Host "Running the Pester suite (Pester from $pesterManifest, PowerShell $($PSVersionTable.PSVersion))"
Import-Module $pesterManifest -Force
$config = New-PesterConfiguration
$config.Run.Path = Join-Path $root 'tests'
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $config
$total.Passed += $result.PassedCount
$total.Failed += $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
$total.Skipped += $result.SkippedCount
if ($result.Result -ne 'Passed') { $failedSuites += "Pester ($($result.FailedCount) failed)" }

if ($failedSuites) { Write-Host "Failed: $($failedSuites -join '; ')" }
Write-Host ("tests: {0} passed, {1} failed, {2} skipped" -f $total.Passed, $total.Failed, $total.Skipped)
if ($failedSuites -or $total.Failed -gt 0) { exit 1 }
