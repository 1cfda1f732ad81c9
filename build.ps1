#Requires -Version 7.4
<#
.SYNOPSIS
    Builds ZscalerPki, stages the module in out/ZscalerPki, and runs the tests.
.DESCRIPTION
    -Task Build    compile (Release) and stage out/ZscalerPki: manifest, assemblies, format file, en-US help.
    -Task Test     Build, then the xunit suites, then the Pester suite in tests/ when Pester 5 is installed.
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
Copy-Item -Path (Join-Path $bin 'ZscalerPki*.dll') -Destination $stage
# The issued-certificate database: Microsoft.Data.Sqlite, SQLitePCLRaw, and the native e_sqlite3 for every platform under
# runtimes/<rid>/native (ZscalerPki.Core resolves it from there; see src/ZscalerPki.Core/Revocation/SqliteRuntime.cs).
Copy-Item -Path (Join-Path $bin 'Microsoft.Data.Sqlite.dll'), (Join-Path $bin 'SQLitePCLRaw.*.dll') -Destination $stage
foreach ($rid in 'win-x64', 'win-x86', 'win-arm64', 'linux-x64', 'linux-arm64', 'linux-musl-x64', 'linux-musl-arm64', 'osx-x64', 'osx-arm64') {
    $native = Join-Path $bin 'runtimes' $rid 'native'
    if (Test-Path -LiteralPath $native) {
        $target = Join-Path $stage 'runtimes' $rid 'native'
        New-Item -ItemType Directory -Path $target -Force | Out-Null
        Copy-Item -Path (Join-Path $native '*') -Destination $target
    }
}
Copy-Item -LiteralPath (Join-Path $bin 'ZscalerPki.Format.ps1xml') -Destination $stage
Copy-Item -LiteralPath (Join-Path $root 'ZscalerPki.psd1') -Destination $stage
Copy-Item -LiteralPath (Join-Path $root 'en-US') -Destination $stage -Recurse
Write-Host "Staged module in $stage"

if ($Task -eq 'Build') { return }

Write-Host 'Running xunit suites'
Invoke-Native 'dotnet' @('test', (Join-Path $root 'ZscalerPki.sln'), '--nologo')

$pester = Get-Module -ListAvailable -Name Pester | Where-Object Version -ge ([version]'5.0') | Select-Object -First 1
if ($null -eq $pester) {
    Write-Warning 'Pester 5 is not installed; skipping tests/*.Tests.ps1 (Install-Module Pester -MinimumVersion 5.0).'
    return
}
Import-Module $pester
$config = New-PesterConfiguration
$config.Run.Path = Join-Path $root 'tests'
$config.Run.Exit = $true
$config.Output.Verbosity = 'Detailed'
Invoke-Pester -Configuration $config
