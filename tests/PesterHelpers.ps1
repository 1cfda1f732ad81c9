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

# Exports a vault enrollment CA's certificate and its private key (PEM, encrypted with $KeyPass) for OpenSSL to sign with.
function Export-OpenSslCa {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [securestring] $KeyPassword,
        [Parameter(Mandatory)] [string] $VaultPath, [Parameter(Mandatory)] [string] $Folder, [string] $KeyPass = 'OpenSsl-Passw0rd!')
    $p12 = Join-Path $Folder "$Name.p12"
    $cert = Join-Path $Folder "$Name.pem"
    $key = Join-Path $Folder "$Name.key.pem"
    Export-EnrollmentCertificate -Name $Name -Format Pfx -IncludePrivateKey -Password (ConvertTo-TestSecret $KeyPass) -KeyPassword $KeyPassword -Path $p12 -VaultPath $VaultPath -Force
    Export-EnrollmentCertificate -Name $Name -Path $cert -VaultPath $VaultPath -Force
    Invoke-OpenSsl pkcs12 -in $p12 -nocerts -passin "pass:$KeyPass" -passout "pass:$KeyPass" -out $key | Out-Null
    [pscustomobject]@{ Certificate = $cert; Key = $key; Pass = $KeyPass; Folder = $Folder }
}

# OpenSSL as a CA: a TLS server certificate for $DnsName signed by $Ca (from Export-OpenSslCa).
function New-OpenSslLeaf {
    param([Parameter(Mandatory)] $Ca, [Parameter(Mandatory)] [string] $DnsName, [Parameter(Mandatory)] [string] $Path,
        [int] $Days = 90, [switch] $NoSan)
    $key = "$Path.key"
    $csr = "$Path.csr"
    $ext = "$Path.ext"
    Invoke-OpenSsl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $key -out $csr -subj "/CN=$DnsName" | Out-Null
    $lines = @('basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth',
        'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid')
    if (-not $NoSan) { $lines += "subjectAltName=DNS:$DnsName" }
    Set-Content -LiteralPath $ext -Value ($lines -join "`n")
    Invoke-OpenSsl x509 -req -in $csr -CA $Ca.Certificate -CAkey $Ca.Key -passin "pass:$($Ca.Pass)" -set_serial ("0x{0:x}" -f (Get-Random -Minimum 1000 -Maximum 2000000000)) -days $Days -sha256 -extfile $ext -out $Path | Out-Null
    $Path
}

# OpenSSL as a CA: a CRL of $Ca that revokes the certificates in $Revoke (files), valid for $Days days.
function New-OpenSslCrl {
    param([Parameter(Mandatory)] $Ca, [Parameter(Mandatory)] [string] $Path, [string[]] $Revoke = @(), [int] $Days = 60)
    $dir = Join-Path $Ca.Folder ("ca-" + [guid]::NewGuid().ToString('N').Substring(0, 6))
    New-Item -ItemType Directory -Path $dir | Out-Null
    New-Item -ItemType File -Path (Join-Path $dir 'index.txt') | Out-Null
    Set-Content -LiteralPath (Join-Path $dir 'crlnumber') -Value '01'
    $cnf = Join-Path $dir 'ca.cnf'
    Set-Content -LiteralPath $cnf -Value @"
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $dir
database = `$dir/index.txt
crlnumber = `$dir/crlnumber
new_certs_dir = `$dir
default_md = sha256
default_crl_days = $Days
unique_subject = no
crl_extensions = crl_ext
[ crl_ext ]
authorityKeyIdentifier = keyid:always
"@
    foreach ($cert in $Revoke) {
        Invoke-OpenSsl ca -config $cnf -revoke $cert -keyfile $Ca.Key -cert $Ca.Certificate -passin "pass:$($Ca.Pass)" -crl_reason keyCompromise | Out-Null
    }
    Invoke-OpenSsl ca -config $cnf -gencrl -keyfile $Ca.Key -cert $Ca.Certificate -passin "pass:$($Ca.Pass)" -out $Path | Out-Null
    $Path
}
