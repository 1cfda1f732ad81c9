#Requires -Version 7.4
<#
.SYNOPSIS
    The main job, end to end, in a temporary vault: the SSL-inspection intermediate CA as Zscaler's admin docs run it.
.DESCRIPTION
    Run by `build.ps1 -Task Demo` after the module is staged. Each step is a cmdlet a user types; what it made is printed,
    and OpenSSL (where installed) checks the artifacts independently. Nothing outside a temporary folder is touched, and
    the folder is removed at the end. Exits non-zero if any step fails.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module $ModulePath -Force

$work = Join-Path ([IO.Path]::GetTempPath()) ("zpki-demo-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
$env:ZSCALERPKI_VAULT = Join-Path $work 'vault'
$openssl = Get-Command openssl -ErrorAction Ignore

function Step([string] $Title) { Write-Host "`n== $Title" -ForegroundColor Cyan }
function Check-OpenSsl([string[]] $Arguments) {
    if (-not $openssl) { Write-Host '   (openssl not installed: independent check skipped)'; return }
    $out = & $openssl.Source @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "openssl $($Arguments -join ' ') failed:`n$out" }
    Write-Host "   openssl $($Arguments[0]): $(($out | Select-Object -Last 1))"
}

Push-Location $work
try {
    # A demo password; at a real prompt, Read-Host -AsSecureString asks for it.
    $pw = ConvertTo-SecureString 'demo-Passw0rd!' -AsPlainText -Force

    Step '1. A root CA in the vault (stands in for your AD CS or offline root)'
    New-EnrollmentCertificate -Name Contoso-Root -Subject 'CN=Contoso Demo Root, O=Contoso' -KeyPassword $pw | Format-Table | Out-Host
    Export-EnrollmentCertificate Contoso-Root -Path ./root.pem
    Set-EnrollmentCertificate Contoso-Root -CrlDistributionPoint http://pki.contoso.example/Contoso-Root.crl -WarningAction SilentlyContinue

    Step '2. The SSL-inspection intermediate: key pair and CSR (Zscaler''s "Software Protection Intermediate CA" fields)'
    New-IntermediateCsr -Name Inspection-Demo -CommonName 'Contoso SSL Inspection CA' -Organization Contoso `
        -Department IT -City Seattle -State Washington -Country US -PathLength 1 `
        -OutFile ./inspection.csr -PublicKeyOutFile ./inspection.pub.pem -KeyPassword $pw | Format-List Name, State, ApiState | Out-Host
    Check-OpenSsl @('req', '-in', './inspection.csr', '-noout', '-verify')

    Step '3. Signed by the root (SubCA profile), then the validated import'
    Submit-CertificateRequest -Path ./inspection.csr -Issuer Contoso-Root -IssuerKeyPassword $pw -OutFile ./inspection.pem | Out-Null
    Import-SignedIntermediate -Name Inspection-Demo -Path ./inspection.pem -ChainPath ./root.pem | Format-List Name, State, NotAfter | Out-Host
    Set-IntermediateCertificate -Name Inspection-Demo -Enabled -Default -WarningAction SilentlyContinue
    Export-IntermediateCertificate -Name Inspection-Demo -Path ./inspection-chain.pem
    Check-OpenSsl @('verify', '-x509_strict', '-CAfile', './root.pem', './inspection.pem')

    Step '4. Will clients trust the chain? (RFC 5280 and the browser profile)'
    $verdict = Test-CertificateChain ./inspection-chain.pem -TrustedRoot ./root.pem
    $verdict | Format-List IsValid, Profile, Problems | Out-Host
    if (-not $verdict.IsValid) { throw "the chain was not valid: $($verdict.Problems)" }

    Step '5. A forged server certificate for a site, as the inspecting proxy would present it'
    $site = New-InspectionCertificate -DnsName www.contoso.example -IssuerKeyPassword $pw
    $site | Format-List Subject, Issuer, NotAfter | Out-Host
    $check = $site | Test-CertificateChain -TrustedRoot ./root.pem -DnsName www.contoso.example -Profile WebPki
    if (-not $check.IsValid) { throw "the forged certificate was not valid: $($check.Problems)" }

    Step '6. Revoke the intermediate at the root and publish the CRL'
    Get-IssuedCertificate Contoso-Root -Subject '*SSL Inspection*' | Revoke-Certificate -Reason KeyCompromise -Confirm:$false -WarningAction SilentlyContinue
    Publish-Crl Contoso-Root -Path ./pki -IssuerKeyPassword $pw | Out-Null
    Check-OpenSsl @('crl', '-inform', 'DER', '-in', './pki/Contoso-Root.crl', '-noout', '-CAfile', './root.pem')
    $revoked = Test-CertificateChain ./inspection.pem -TrustedRoot ./root.pem -Crl ./pki/Contoso-Root.crl
    $revoked | Format-List IsValid, Problems | Out-Host
    if ($revoked.IsValid) { throw 'the revoked intermediate still validated' }

    Write-Host "`nDemo complete: every step ran and was checked." -ForegroundColor Green
}
finally {
    Pop-Location
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore
}
