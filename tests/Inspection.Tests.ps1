#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 tests for SSL-inspection forging: New-InspectionCertificate, Export-InspectionCertificate,
# Export-RootCertificateBundle, run as users type them. Build and stage first (./build.ps1 -Task Build).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' 'out' 'ZscalerPki' 'ZscalerPki.psd1') -Force
    $script:pw = ConvertTo-SecureString 'Pester-Inspect1on!' -AsPlainText -Force
    $script:wrong = ConvertTo-SecureString 'not the password' -AsPlainText -Force
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ('zpki-inspection-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $work | Out-Null
    $script:vault = Join-Path $work 'vault'
    $script:hasOpenSsl = [bool](Get-Command openssl -ErrorAction SilentlyContinue)

    # A root (path length 2), a CA with path length 0, and the SSL-inspection intermediate (path length 1) signed by the root
    # with a CDP of the root's CRL in it (which forged certificates must NOT copy).
    $script:root = New-EnrollmentCertificate -Name 'Pester-Root' -Subject 'CN=Pester Inspection Root, O=Pester' -PathLength 2 -KeyPassword $pw -VaultPath "$vault"
    New-EnrollmentCertificate -Name 'NoRoom' -Parent 'Pester-Root' -PathLength 0 -KeyPassword $pw -VaultPath "$vault" | Out-Null
    $csr = Join-Path $work 'inspection.csr'
    New-IntermediateCsr -Name 'Inspection' -CommonName 'Pester SSL Inspection CA' -Organization 'Pester' -PathLength 1 -Path "$csr" -KeyPassword $pw -VaultPath "$vault" | Out-Null
    Get-IntermediateCertificate -Name 'Inspection' -VaultPath "$vault" |
        Submit-CertificateRequest -Issuer 'Pester-Root' -IssuerKeyPassword $pw -CrlDistributionPoint 'http://pki.pester.test/root.crl' -VaultPath "$vault" |
        Import-SignedIntermediate -Name 'Inspection' -VaultPath "$vault" -WarningAction SilentlyContinue | Out-Null
    $script:rootPem = Join-Path $work 'root.pem'
    Export-EnrollmentCertificate -Name 'Pester-Root' -Path "$rootPem" -VaultPath "$vault"

    # Origin certificates as captured from sites (issued by some public CA, here OpenSSL).
    function New-Origin([string] $Name, [string] $San, [int] $Days = 200, [string] $KeyType = 'rsa:2048', [string] $Extra = '') {
        $dir = Join-Path $work 'origins'
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        $out = Join-Path $dir "$Name.pem"
        $key = if ($KeyType -eq 'ec') { @('-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256') } else { @('-newkey', $KeyType) }
        $args = @('req', '-x509') + $key + @('-nodes', '-keyout', (Join-Path $dir "$Name.key"), '-out', $out, '-subj', "/O=Origin/CN=$Name", '-days', "$Days",
            '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'extendedKeyUsage=serverAuth')
        if ($San) { $args += @('-addext', "subjectAltName=$San") }
        if ($Extra) { $args += @('-addext', $Extra) }
        & openssl @args 2>$null
        $out
    }
}

AfterAll {
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'New-InspectionCertificate' -Skip:(-not (Get-Command openssl -ErrorAction SilentlyContinue)) {
    BeforeAll {
        $script:rsaOrigin = New-Origin 'www.pester-shop.test' 'DNS:www.pester-shop.test,DNS:pester-shop.test'
        $script:ecOrigin = New-Origin 'ec.pester-shop.test' 'DNS:ec.pester-shop.test' -KeyType 'ec'
        $script:wildOrigin = New-Origin 'wild.pester.test' 'DNS:*.api.pester.test,IP:192.0.2.7'
        $script:subjectOnly = New-Origin 'legacy.pester.test' ''
        $script:longOrigin = New-Origin 'long.pester.test' 'DNS:long.pester.test' -Days 3000
        $script:caOrigin = Join-Path $work 'ca-origin.pem'
        & openssl req '-x509' -newkey rsa:2048 -nodes -keyout (Join-Path $work 'ca-origin.key') -out $caOrigin -subj '/CN=Some CA' -days 30 `
            -addext 'basicConstraints=critical,CA:TRUE' 2>$null
    }

    It 'forges from a file with the default intermediate, copies the names, and OpenSSL accepts it with only the root trusted' {
        $c = New-InspectionCertificate -Path "$rsaOrigin" -IssuerKeyPassword $pw -VaultPath "$vault"
        $c.Name | Should -Be 'www.pester-shop.test'
        $c.DnsNames | Should -Be @('www.pester-shop.test', 'pester-shop.test')
        $c.Subject | Should -Be 'CN=www.pester-shop.test, O=Origin'
        $c.Issuer | Should -Match 'CN=Pester SSL Inspection CA'
        $c.IssuerName | Should -Be 'Inspection'
        $c.FromCache | Should -BeFalse
        $c.KeyAlgorithm | Should -Be 'EcdsaP256'
        $c.Chain.Count | Should -Be 2
        $leaf = Join-Path $work 'leaf.pem'; $untrusted = Join-Path $work 'untrusted.pem'
        Export-InspectionCertificate $c -ExcludeChain | Set-Content -LiteralPath $leaf
        $c.Chain[0] | ForEach-Object { "-----BEGIN CERTIFICATE-----`n" + [Convert]::ToBase64String($_.RawData, 'InsertLineBreaks') + "`n-----END CERTIFICATE-----" } | Set-Content -LiteralPath $untrusted
        $out = & openssl verify '-x509_strict' -purpose sslserver -verify_hostname pester-shop.test -CAfile "$rootPem" -untrusted "$untrusted" "$leaf" 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $out
        $text = & openssl x509 -in "$leaf" -noout -text | Out-String
        $text | Should -Not -Match 'pki.pester.test/root.crl'   # the CDP in the intermediate's own certificate is not copied
        $text | Should -Match 'TLS Web Server Authentication'
    }

    It 'is accepted by Test-CertificateChain -Profile WebPki from the pipeline' {
        $result = New-InspectionCertificate -Path "$rsaOrigin" -IssuerKeyPassword $pw -VaultPath "$vault" |
            Test-CertificateChain -TrustedRoot "$rootPem" -DnsName 'www.pester-shop.test' -Profile WebPki
        $result.IsValid | Should -BeTrue -Because ($result | Out-String)
    }

    It 'returns the cached certificate (no new signature) until -BypassCache' {
        $a = New-InspectionCertificate -Path "$rsaOrigin" -IssuerKeyPassword $pw -VaultPath "$vault"
        $a.FromCache | Should -BeTrue
        $b = New-InspectionCertificate -Path "$rsaOrigin" -IssuerKeyPassword $pw -VaultPath "$vault" -BypassCache
        $b.FromCache | Should -BeFalse
        $b.SerialNumber | Should -Not -Be $a.SerialNumber
    }

    It 'takes X509Certificate2 objects from the pipeline: ECDSA, wildcard and IP, subject-only, long-lived' {
        $certs = $ecOrigin, $wildOrigin, $subjectOnly, $longOrigin | ForEach-Object { [Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem((Get-Content -Raw -LiteralPath $_)) }
        $out = $certs | New-InspectionCertificate -IssuerKeyPassword $pw -VaultPath "$vault"
        $out.Count | Should -Be 4
        $out[1].DnsNames | Should -Be @('*.api.pester.test')
        $out[1].IPAddresses | Should -Be @('192.0.2.7')
        $out[2].DnsNames | Should -Be @('legacy.pester.test')
        # CA/Browser Forum SC-081: at most 200 days from 2026-03-15 (a day less, counted inclusively).
        ($out[3].NotAfter - $out[3].NotBefore).TotalDays | Should -BeLessOrEqual 199.001
        ($out | Out-String) | Should -Match 'legacy.pester.test'
    }

    It 'forges for names only, with a shared RSA key and the rotating issuing CA' {
        $a = New-InspectionCertificate -DnsName 'intranet.pester.test' -IPAddress '10.9.8.7' -KeyAlgorithm Rsa2048 -KeyReuse -RotatingIssuer -IssuerKeyPassword $pw -VaultPath "$vault" -WarningVariable warn -WarningAction SilentlyContinue -InformationVariable info
        $b = New-InspectionCertificate -DnsName 'wiki.pester.test' -KeyAlgorithm Rsa2048 -KeyReuse -RotatingIssuer -IssuerKeyPassword $pw -VaultPath "$vault"
        $a.Issuer | Should -Match 'CN=Pester SSL Inspection CA \(t\)'
        $a.Chain.Count | Should -Be 3
        $a.KeyReuse | Should -BeTrue
        $a.Certificate.PublicKey.EncodedKeyValue.RawData | Should -Be $b.Certificate.PublicKey.EncodedKeyValue.RawData
        # A new rotating CA is normal operation: said on the information stream, not as a warning (issue 20).
        ($info | Out-String) | Should -Match 'rotating issuing CA'
        ($warn | Out-String) | Should -Not -Match 'rotating issuing CA'
    }

    It 'reports one clear error per bad input and forges the others' {
        $out = New-InspectionCertificate -Path "$caOrigin", "$ecOrigin" -IssuerKeyPassword $pw -VaultPath "$vault" -ErrorVariable errs -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'OriginIsCa*'
    }

    It 'drops a public-suffix wildcard with a warning, and refuses an origin of only those or with a huge subject' {
        $suffix = New-Origin 'www.pester-shop.co.uk' 'DNS:*.co.uk,DNS:www.pester-shop.co.uk'
        $c = New-InspectionCertificate -Path "$suffix" -IssuerKeyPassword $pw -VaultPath "$vault" -WarningVariable warns -WarningAction SilentlyContinue
        $c.DnsNames | Should -Be @('www.pester-shop.co.uk')
        ($warns -join "`n") | Should -BeLike '*`*.co.uk*public suffix*'
        { New-InspectionCertificate -DnsName '*.github.io' -IssuerKeyPassword $pw -VaultPath "$vault" -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidSiteName*'

        $huge = Join-Path $work 'huge-subject.pem'
        $subject = '/O=Origin' + ('/OU=unit' * 70) + '/CN=huge.pester.test'
        & openssl req '-x509' -newkey rsa:2048 -nodes -keyout (Join-Path $work 'huge-subject.key') -out $huge -subj $subject -days 30 `
            -addext 'basicConstraints=critical,CA:FALSE' -addext 'subjectAltName=DNS:huge.pester.test' 2>$null
        { New-InspectionCertificate -Path "$huge" -IssuerKeyPassword $pw -VaultPath "$vault" -ErrorAction Stop } | Should -Throw -ErrorId 'InputTooLarge*'
    }

    It 'fails with <Id> for <Case>' -ForEach @(
        @{ Case = 'an origin that is a CA'; Id = 'OriginIsCa'; Run = { New-InspectionCertificate -LiteralPath "$caOrigin" -IssuerKeyPassword $pw -VaultPath "$vault" -ErrorAction Stop } }
        @{ Case = 'an empty name list'; Id = 'NoSiteNames'; Run = { New-InspectionCertificate -DnsName @() -IssuerKeyPassword $pw -VaultPath "$vault" -ErrorAction Stop } }
        @{ Case = 'no issuer key password'; Id = 'KeyPasswordRequired'; Run = { New-InspectionCertificate -DnsName 'x.pester.test' -VaultPath "$vault" -ErrorAction Stop } }
        @{ Case = 'a wrong issuer key password'; Id = 'WrongKeyPassword'; Run = { New-InspectionCertificate -DnsName 'x.pester.test' -IssuerKeyPassword $wrong -VaultPath "$vault" -ErrorAction Stop } }
        @{ Case = 'a non-CA issuer'; Id = 'IssuerNotCa'; Run = {
                $key = [Security.Cryptography.ECDsa]::Create()
                $req = [Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=not a CA', $key, 'SHA256')
                $leaf = $req.CreateSelfSigned([DateTimeOffset]::Now.AddDays(-1), [DateTimeOffset]::Now.AddDays(30))
                New-InspectionCertificate -DnsName 'x.pester.test' -Issuer $leaf -VaultPath "$vault" -ErrorAction Stop } }
        @{ Case = 'rotation below path length 0'; Id = 'RotationNotAllowed'; Run = { New-InspectionCertificate -DnsName 'x.pester.test' -Issuer NoRoom -RotatingIssuer -IssuerKeyPassword $pw -VaultPath "$vault" -ErrorAction Stop } }
        @{ Case = 'a bad host name'; Id = 'InvalidSiteName'; Run = { New-InspectionCertificate -DnsName 'not a host' -IssuerKeyPassword $pw -VaultPath "$vault" -ErrorAction Stop } }
        @{ Case = 'a vault without a default intermediate'; Id = 'NoDefaultIntermediate'; Run = { New-Item -ItemType Directory -Force -Path (Join-Path $work 'empty-vault') | Out-Null; New-InspectionCertificate -DnsName 'x.pester.test' -IssuerKeyPassword $pw -VaultPath (Join-Path $work 'empty-vault') -ErrorAction Stop } }
    ) {
        $Run | Should -Throw -ErrorId "$Id*"
    }

    It 'forges nothing with -WhatIf' {
        $before = @(Get-ChildItem -Recurse -File (Join-Path $vault 'inspection')).Count
        New-InspectionCertificate -DnsName 'whatif.pester.test' -IssuerKeyPassword $pw -VaultPath "$vault" -WhatIf | Should -BeNullOrEmpty
        @(Get-ChildItem -Recurse -File (Join-Path $vault 'inspection')).Count | Should -Be $before
    }
}

Describe 'Export-InspectionCertificate' -Skip:(-not (Get-Command openssl -ErrorAction SilentlyContinue)) {
    It 'writes PEM (leaf, chain to the root, encrypted key) that OpenSSL opens' {
        $file = Join-Path $work 'site.pem'
        $item = New-InspectionCertificate -DnsName 'export.pester.test' -IssuerKeyPassword $pw -IncludePrivateKey -VaultPath "$vault" |
            Export-InspectionCertificate -Path "$file" -IncludePrivateKey -Password $pw -PassThru
        $item.Name | Should -Be 'site.pem'
        $text = Get-Content -Raw -LiteralPath $file
        ([regex]::Matches($text, 'BEGIN CERTIFICATE')).Count | Should -Be 3
        $text | Should -Match 'BEGIN ENCRYPTED PRIVATE KEY'
        & openssl pkey -in "$file" -passin 'pass:Pester-Inspect1on!' -noout 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 0
        if (-not $IsWindows) { [int](Get-Item -LiteralPath $file).UnixFileMode | Should -Be 384 }   # 0600
    }

    It 'writes a PFX and refuses a key the object does not carry' {
        $c = New-InspectionCertificate -DnsName 'pfx.pester.test' -IssuerKeyPassword $pw -VaultPath "$vault"
        { $c | Export-InspectionCertificate -Path (Join-Path $work 'nokey.pem') -IncludePrivateKey -Password $pw -ErrorAction Stop } | Should -Throw -ErrorId 'PrivateKeyNotIncluded*'
        $k = New-InspectionCertificate -DnsName 'pfx.pester.test' -IssuerKeyPassword $pw -IncludePrivateKey -VaultPath "$vault"
        $k.FromCache | Should -BeTrue
        $pfx = Join-Path $work 'site.pfx'
        $k | Export-InspectionCertificate -Format Pfx -Path "$pfx" -IncludePrivateKey -Password $pw
        & openssl pkcs12 -in "$pfx" -passin 'pass:Pester-Inspect1on!' -nokeys -noout 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 0
        { $k | Export-InspectionCertificate -Format Pfx -Path "$pfx" -Password $pw -ErrorAction Stop } | Should -Throw -ErrorId 'FileExists*'
    }
}

Describe 'Export-RootCertificateBundle' {
    It 'writes a ZIP with the root as .crt (DER), .pem and a README' {
        $zip = Join-Path $work 'RootCerts.zip'
        $file = Export-RootCertificateBundle -Path "$zip" -VaultPath "$vault" -PassThru
        $file.Name | Should -Be 'RootCerts.zip'
        $dest = Join-Path $work 'RootCerts'
        Expand-Archive -LiteralPath $zip -DestinationPath $dest
        $names = (Get-ChildItem -LiteralPath $dest).Name | Sort-Object
        $names | Should -Be @('Pester_Inspection_Root.crt', 'Pester_Inspection_Root.pem', 'README.txt')
        $der = [IO.File]::ReadAllBytes((Join-Path $dest 'Pester_Inspection_Root.crt'))
        [Security.Cryptography.X509Certificates.X509Certificate2]::new($der).Thumbprint | Should -Be $root.Thumbprint
        Get-Content -Raw (Join-Path $dest 'README.txt') | Should -Match $root.Thumbprint
    }

    It 'takes intermediates from the pipeline, and asks before writing' {
        $zip = Join-Path $work 'whatif.zip'
        Get-IntermediateCertificate -Name 'Inspection' -VaultPath "$vault" | Export-RootCertificateBundle -Path "$zip" -WhatIf
        Test-Path -LiteralPath $zip | Should -BeFalse
    }

    It 'installs the root into a certificate store (ShouldProcess)' {
        $store = 'Cert:\CurrentUser\ZscalerPkiPester'
        Export-RootCertificateBundle -Name 'Pester-Root' -CertStoreLocation $store -VaultPath "$vault" -Confirm:$false
        $x = [Security.Cryptography.X509Certificates.X509Store]::new('ZscalerPkiPester', 'CurrentUser')
        $x.Open('ReadWrite')
        try {
            ($x.Certificates | Where-Object Thumbprint -eq $root.Thumbprint) | Should -Not -BeNullOrEmpty
            $x.Remove($root.Certificate)
        } finally { $x.Close() }
    }

    It 'refuses a certificate that is not a root' {
        { Export-RootCertificateBundle -Certificate (Get-IntermediateCertificate -Name 'Inspection' -VaultPath "$vault").Certificate -Path (Join-Path $work 'x.zip') -VaultPath "$vault" -ErrorAction Stop } |
            Should -Throw -ErrorId 'RootNotFound*'
    }
}
