# Dot-sourced by every tests/*.Tests.ps1 in its top-level BeforeAll: imports the staged module (build.ps1 -Task Build
# stages it in out/ZscalerPki), and gives each file one temp folder of its own (Pester 5 gives every Describe a fresh
# TestDrive, so state shared across Describes lives here) and OpenSSL as the independent oracle.

Import-Module (Join-Path $PSScriptRoot '..' 'out' 'ZscalerPki' 'ZscalerPki.psd1') -Force

function New-PkiTestFolder {
    param([Parameter(Mandatory)] [string] $Prefix)
    $dir = Join-Path ([IO.Path]::GetTempPath()) ("zpki-{0}-{1}" -f $Prefix, [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $dir | Out-Null
    $dir
}

function Remove-PkiTestFolder {
    param([string] $Path)
    if ($Path -and (Test-Path -LiteralPath $Path)) { Remove-Item -LiteralPath $Path -Recurse -Force }
}

# Runs the openssl CLI; returns its output (stdout and stderr), throws with that output when it exits non-zero.
function Invoke-OpenSsl {
    $out = & openssl @args 2>&1 | Out-String
    if ($LASTEXITCODE -ne 0) { throw "openssl $($args -join ' ') failed with exit code ${LASTEXITCODE}: $out" }
    $out
}

# Runs openssl and returns only its exit code and output, for checks that expect a refusal.
function Test-OpenSsl {
    $out = & openssl @args 2>&1 | Out-String
    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $out }
}

function ConvertTo-TestSecret {
    param([Parameter(Mandatory)] [string] $Text)
    ConvertTo-SecureString $Text -AsPlainText -Force
}
