#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 tests for revocation: the issued-certificate database, Revoke-/Restore-Certificate, Publish-Crl and the CA URLs,
# run as users type them. Run through build.ps1 (which stages the module into out/ZscalerPki).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' 'out' 'ZscalerPki' 'ZscalerPki.psd1') -Force
    $script:pw = ConvertTo-SecureString 'Pester-Passw0rd!' -AsPlainText -Force
    $script:root = Join-Path ([IO.Path]::GetTempPath()) ('zpki-revocation-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $script:vault = Join-Path $root 'vault'
    $script:crlDir = Join-Path $root 'crl'
    $script:hasOpenSsl = [bool](Get-Command openssl -ErrorAction SilentlyContinue)
    New-Item -ItemType Directory -Path $root | Out-Null

    New-EnrollmentCertificate -Name 'Rev-Root' -Subject 'CN=Pester Revocation Root' -KeyAlgorithm EcdsaP256 -KeyPassword $pw `
        -CrlDistributionPoint 'http://127.0.0.1/Rev-Root.crl' -AuthorityInfoAccess 'http://127.0.0.1/Rev-Root.cer' -VaultPath "$vault" | Out-Null
    foreach ($n in 'Rev-A', 'Rev-B', 'Rev-C', 'Rev-Hold') {
        Get-EnrollmentCertificate 'Rev-Root' -VaultPath "$vault" |
            New-EnrollmentCertificate -Name $n -KeyAlgorithm EcdsaP256 -PathLength 0 -KeyPassword $pw | Out-Null
    }
    $script:rootPem = Join-Path $root 'root.pem'
    Export-EnrollmentCertificate 'Rev-Root' -Path "$rootPem" -VaultPath "$vault"
}

AfterAll {
    if ($script:root -and (Test-Path -LiteralPath $script:root)) { Remove-Item -LiteralPath $script:root -Recurse -Force }
}

Describe 'New-EnrollmentCertificate -CrlDistributionPoint and Set-EnrollmentCertificate' {
    It 'stores the URLs on the CA and embeds them in what it issues' {
        $ca = Get-EnrollmentCertificate 'Rev-Root' -VaultPath "$vault"
        $ca.CrlDistributionPoint | Should -Be @('http://127.0.0.1/Rev-Root.crl')
        $ca.AuthorityInfoAccess | Should -Be @('http://127.0.0.1/Rev-Root.cer')
        $child = Get-EnrollmentCertificate 'Rev-A' -VaultPath "$vault"
        $cdp = $child.Certificate.Extensions | Where-Object { $_.Oid.Value -eq '2.5.29.31' }
        $cdp.Format($false) | Should -Match 'http://127.0.0.1/Rev-Root.crl'
    }

    It 'changes the URLs for later certificates, with -PassThru and -WhatIf' {
        Set-EnrollmentCertificate 'Rev-Root' -CrlDistributionPoint 'http://127.0.0.1/other.crl' -WhatIf -VaultPath "$vault"
        (Get-EnrollmentCertificate 'Rev-Root' -VaultPath "$vault").CrlDistributionPoint | Should -Be @('http://127.0.0.1/Rev-Root.crl')
        $changed = Get-EnrollmentCertificate 'Rev-Root' -VaultPath "$vault" |
            Set-EnrollmentCertificate -CrlDistributionPoint 'http://127.0.0.1/Rev-Root.crl', 'file:///tmp/Rev-Root.crl' -PassThru -WarningAction SilentlyContinue
        $changed.CrlDistributionPoint.Count | Should -Be 2
        Set-EnrollmentCertificate 'Rev-Root' -CrlDistributionPoint 'http://127.0.0.1/Rev-Root.crl' -VaultPath "$vault" -WarningAction SilentlyContinue
    }

    It 'refuses a URL that is not absolute' {
        { Set-EnrollmentCertificate 'Rev-Root' -CrlDistributionPoint 'pki/root.crl' -VaultPath "$vault" -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidCrlDistributionPoint*'
        { Set-EnrollmentCertificate 'Rev-Root' -AuthorityInfoAccess 'ftp://x/y.cer' -VaultPath "$vault" -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidAuthorityInfoAccess*'
    }
}

Describe 'Get-IssuedCertificate' {
    It 'lists what the CA issued, from a name or a piped CA, with the certificate attached' {
        $rows = @(Get-EnrollmentCertificate 'Rev-Root' -VaultPath "$vault" | Get-IssuedCertificate)
        $rows.Count | Should -Be 4
        $rows[0].Issuer | Should -Be 'Rev-Root'
        $rows[0].Profile | Should -Be 'EnrollmentIntermediate'
        $rows[0].Status | Should -Be 'Issued'
        $rows[0].Certificate | Should -BeOfType ([System.Security.Cryptography.X509Certificates.X509Certificate2])
        (Get-IssuedCertificate 'Rev-Root' -VaultPath "$vault" | Out-String) | Should -Match 'SerialNumber\s+Status'
    }

    It 'filters by subject wildcard, serial, dates' {
        @(Get-IssuedCertificate 'Rev-Root' -Subject 'CN=Rev-[AB]' -VaultPath "$vault").Count | Should -Be 2
        $a = Get-EnrollmentCertificate 'Rev-A' -VaultPath "$vault"
        (Get-IssuedCertificate 'Rev-Root' -SerialNumber $a.SerialNumber -VaultPath "$vault").Thumbprint | Should -Be $a.Thumbprint
        @(Get-IssuedCertificate 'Rev-Root' -ExpiringBefore (Get-Date).AddDays(1) -VaultPath "$vault").Count | Should -Be 0
        @(Get-IssuedCertificate 'Rev-Root' -IssuedAfter (Get-Date).AddDays(-1) -VaultPath "$vault").Count | Should -Be 4
    }

    It 'pipes to Test-CertificateChain' {
        $result = Get-IssuedCertificate 'Rev-Root' -Subject 'CN=Rev-C' -VaultPath "$vault" | Test-CertificateChain -TrustedRoot "$rootPem"
        $result.IsValid | Should -BeTrue
    }

    It 'reports an unknown CA' {
        { Get-IssuedCertificate 'No-Such-CA' -VaultPath "$vault" -ErrorAction Stop } | Should -Throw -ErrorId 'NotFound*'
    }
}

Describe 'Revoke-Certificate and Restore-Certificate' {
    It 'does nothing with -WhatIf' {
        Get-IssuedCertificate 'Rev-Root' -Subject 'CN=Rev-A' -VaultPath "$vault" | Revoke-Certificate -Reason KeyCompromise -WhatIf
        @(Get-IssuedCertificate 'Rev-Root' -Revoked -VaultPath "$vault").Count | Should -Be 0
    }

    It 'revokes piped rows, marks the vault CA Revoked and warns' {
        $row = Get-IssuedCertificate 'Rev-Root' -Subject 'CN=Rev-A' -VaultPath "$vault" |
            Revoke-Certificate -Reason KeyCompromise -InvalidityDate (Get-Date).AddDays(-1) -Confirm:$false -PassThru -WarningVariable warned -WarningAction SilentlyContinue
        $row.Status | Should -Be 'Revoked'
        $row.RevocationReason | Should -Be 'KeyCompromise'
        ($warned -join "`n") | Should -Match "'Rev-A'.*Revoked"
        (Get-EnrollmentCertificate 'Rev-A' -VaultPath "$vault").Status | Should -Be 'Revoked'
        @(Get-IssuedCertificate 'Rev-Root' -Revoked -VaultPath "$vault").Count | Should -Be 1
        @(Get-IssuedCertificate 'Rev-Root' -Revoked:$false -VaultPath "$vault").Count | Should -Be 3
    }

    It 'revokes by serial and by certificate file, and reports each bad input on its own' {
        $b = Get-EnrollmentCertificate 'Rev-B' -VaultPath "$vault"
        Revoke-Certificate -Issuer 'Rev-Root' -SerialNumber $b.SerialNumber, 'zz-not-hex', '0BADC0DE' -Reason Superseded -Confirm:$false `
            -VaultPath "$vault" -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $errs.Count | Should -Be 2
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'InvalidSerialNumber*'
        $errs[1].FullyQualifiedErrorId | Should -BeLike 'SerialNotIssued*'
        (Get-IssuedCertificate 'Rev-Root' -SerialNumber $b.SerialNumber -VaultPath "$vault").Status | Should -Be 'Revoked'
    }

    It 'revokes an unknown serial with -AllowUnknownSerial, refuses it twice' {
        Revoke-Certificate 'Rev-Root' '0BADC0DE' -AllowUnknownSerial -Confirm:$false -VaultPath "$vault" -WarningAction SilentlyContinue
        { Revoke-Certificate 'Rev-Root' '0BADC0DE' -AllowUnknownSerial -Confirm:$false -VaultPath "$vault" -ErrorAction Stop } | Should -Throw -ErrorId 'AlreadyRevoked*'
    }

    It 'puts a certificate on hold and lifts it again' {
        $file = Join-Path $root 'hold.pem'
        # The export carries the chain (the default): the file names its first certificate, not the root above it.
        Export-EnrollmentCertificate 'Rev-Hold' -Path "$file" -VaultPath "$vault"
        @(Select-String -LiteralPath $file -Pattern 'BEGIN CERTIFICATE').Count | Should -Be 2
        Revoke-Certificate -Issuer 'Rev-Root' -Certificate "$file" -Reason CertificateHold -Confirm:$false -VaultPath "$vault" -WarningAction SilentlyContinue -ErrorAction Stop
        @(Get-IssuedCertificate 'Rev-Root' -Revoked -VaultPath "$vault" | Where-Object Status -eq 'OnHold').Count | Should -Be 1
        (Get-EnrollmentCertificate 'Rev-Hold' -VaultPath "$vault").Status | Should -Be 'Revoked'
        $restored = Get-IssuedCertificate 'Rev-Root' -Revoked -VaultPath "$vault" | Where-Object Status -eq 'OnHold' |
            Restore-Certificate -Confirm:$false -PassThru -WarningAction SilentlyContinue
        $restored.Status | Should -Be 'Issued'
        (Get-EnrollmentCertificate 'Rev-Hold' -VaultPath "$vault").Status | Should -Be 'Active'
        { Restore-Certificate 'Rev-Root' -SerialNumber $restored.SerialNumber -Confirm:$false -VaultPath "$vault" -ErrorAction Stop } |
            Should -Throw -ErrorId 'NotOnHold*'
    }

    It 'refuses an unknown reason and a missing target' {
        { Revoke-Certificate 'Rev-Root' '01' -Reason Stolen -AllowUnknownSerial -Confirm:$false -VaultPath "$vault" -ErrorAction Stop } | Should -Throw
        { Revoke-Certificate 'Rev-Root' -Confirm:$false -VaultPath "$vault" -ErrorAction Stop } | Should -Throw -ErrorId 'RevocationTargetRequired*'
    }
}

Describe 'Publish-Crl' {
    It 'writes a DER CRL that OpenSSL verifies, and a PEM copy' {
        $crl = Get-EnrollmentCertificate 'Rev-Root' -VaultPath "$vault" | Publish-Crl -Path "$crlDir" -KeyPassword $pw -Pem
        $crl.Kind | Should -Be 'Base'
        $crl.CrlNumber | Should -Be 1
        $crl.EntryCount | Should -Be 3
        $crl.Path | Should -Be (Join-Path $crlDir 'Rev-Root.crl')
        Test-Path -LiteralPath $crl.PemPath | Should -BeTrue
        ($crl | Out-String) | Should -Match 'CrlNumber'
        if ($hasOpenSsl) {
            $out = & openssl crl -inform DER -in $crl.Path -CAfile "$rootPem" -noout 2>&1 | Out-String
            $out | Should -Match 'verify OK'
        }
    }

    It 'numbers CRLs upward and writes deltas' {
        (Publish-Crl 'Rev-Root' "$crlDir" -KeyPassword $pw -VaultPath "$vault").CrlNumber | Should -Be 2
        $delta = Publish-Crl 'Rev-Root' -LiteralPath "$crlDir" -KeyPassword $pw -Delta -VaultPath "$vault"
        $delta.Kind | Should -Be 'Delta'
        $delta.BaseCrlNumber | Should -Be 2
        $delta.Path | Should -Be (Join-Path $crlDir 'Rev-Root-delta.crl')
    }

    It 'agrees with openssl verify -crl_check and Test-CertificateChain -Crl' -Skip:(-not (Get-Command openssl -ErrorAction SilentlyContinue)) {
        Publish-Crl 'Rev-Root' "$crlDir" -KeyPassword $pw -Pem -VaultPath "$vault" | Out-Null
        $crlPem = Join-Path $crlDir 'Rev-Root.crl.pem'
        $bad = Join-Path $root 'revoked.pem'; Export-EnrollmentCertificate 'Rev-A' -Path "$bad" -VaultPath "$vault"
        $good = Join-Path $root 'good.pem'; Export-EnrollmentCertificate 'Rev-C' -Path "$good" -VaultPath "$vault"
        $out = & openssl verify -crl_check -CAfile "$rootPem" -CRLfile "$crlPem" "$bad" 2>&1 | Out-String
        $LASTEXITCODE | Should -Not -Be 0
        $out | Should -Match 'certificate revoked'
        & openssl verify -crl_check -CAfile "$rootPem" -CRLfile "$crlPem" "$good" | Out-Null
        $LASTEXITCODE | Should -Be 0
        Test-CertificateChain "$bad" -TrustedRoot "$rootPem" -Crl (Join-Path $crlDir 'Rev-Root.crl') -Quiet | Should -BeFalse
        Test-CertificateChain "$good" -TrustedRoot "$rootPem" -Crl (Join-Path $crlDir 'Rev-Root.crl') -Quiet | Should -BeTrue
    }

    It 'does nothing with -WhatIf' {
        $other = Join-Path $root 'whatif'
        Publish-Crl 'Rev-Root' "$other" -KeyPassword $pw -WhatIf -VaultPath "$vault"
        Test-Path -LiteralPath $other | Should -BeFalse
    }

    It 'gives one clear error for a missing key password, a wrong one, and a folder it cannot write' {
        { Publish-Crl 'Rev-Root' "$crlDir" -VaultPath "$vault" -ErrorAction Stop } | Should -Throw -ErrorId 'KeyPasswordRequired*'
        $wrong = ConvertTo-SecureString 'wrong' -AsPlainText -Force
        { Publish-Crl 'Rev-Root' "$crlDir" -KeyPassword $wrong -VaultPath "$vault" -ErrorAction Stop } | Should -Throw -ErrorId 'WrongKeyPassword*'
        $file = Join-Path $root 'not-a-folder'; Set-Content -LiteralPath $file -Value 'x'
        { Publish-Crl 'Rev-Root' "$file" -KeyPassword $pw -VaultPath "$vault" -ErrorAction Stop } | Should -Throw -ErrorId 'CrlFolderNotWritable*'
        { Publish-Crl 'Rev-Root' "$crlDir" -KeyPassword $pw -Validity ([timespan]::Zero) -VaultPath "$vault" -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidCrlValidity*'
    }
}

Describe 'Revoking an SSL-inspection intermediate the vault holds' {
    It 'marks it Revoked and disabled, with a warning because it was enabled' {
        $csr = Join-Path $root 'inspection.csr'
        New-IntermediateCsr -Name 'Rev-Inspection' -CommonName 'Pester Revocation Inspection' -Country US -Path "$csr" -KeyPassword $pw -VaultPath "$vault" | Out-Null
        Submit-CertificateRequest -Path "$csr" -Issuer 'Rev-Root' -IssuerKeyPassword $pw -VaultPath "$vault" -WarningAction SilentlyContinue |
            Import-SignedIntermediate -Name 'Rev-Inspection' -VaultPath "$vault" -WarningAction SilentlyContinue | Out-Null
        $row = Get-IssuedCertificate 'Rev-Root' -Subject '*Pester Revocation Inspection*' -VaultPath "$vault"
        $row.Profile | Should -Be 'SubCA'
        $row | Revoke-Certificate -Reason CACompromise -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue
        ($warned -join "`n") | Should -Match 'Rev-Inspection.*enabled'
        $entry = Get-IntermediateCertificate 'Rev-Inspection' -VaultPath "$vault"
        $entry.Revoked | Should -Not -BeNullOrEmpty
        $entry.Enabled | Should -BeFalse
    }

    It 'sets the URLs an intermediate embeds with Set-IntermediateCertificate' {
        $i = Set-IntermediateCertificate 'Rev-Inspection' -CrlDistributionPoint 'http://127.0.0.1/Rev-Inspection.crl' -PassThru -VaultPath "$vault" -WarningAction SilentlyContinue
        $i.CrlDistributionPoint | Should -Be @('http://127.0.0.1/Rev-Inspection.crl')
    }
}

Describe 'Test-CertificateChain -Online' {
    BeforeAll {
        $script:www = Join-Path $root 'www'
        New-Item -ItemType Directory -Path $www | Out-Null
        $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $probe.Start(); $script:port = $probe.LocalEndpoint.Port; $probe.Stop()
        $script:server = $null
        if (Get-Command python3 -ErrorAction SilentlyContinue) {
            # A static file server on loopback that this test starts and stops itself.
            $script:server = Start-Process -FilePath python3 -ArgumentList '-m', 'http.server', "$port", '--bind', '127.0.0.1', '--directory', "$www" `
                -PassThru -RedirectStandardOutput (Join-Path $root 'http.out') -RedirectStandardError (Join-Path $root 'http.err')
            $deadline = (Get-Date).AddSeconds(15)
            while ((Get-Date) -lt $deadline) {
                try { $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port); $c.Dispose(); break } catch { Start-Sleep -Milliseconds 100 }
            }
        }
        $cdp = "http://127.0.0.1:$port/On-Root.crl"
        New-EnrollmentCertificate -Name 'On-Root' -Subject 'CN=Pester Online Root' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -CrlDistributionPoint $cdp -VaultPath "$vault" | Out-Null
        New-EnrollmentCertificate -Name 'On-Leaf' -Parent 'On-Root' -KeyAlgorithm EcdsaP256 -PathLength 0 -KeyPassword $pw -VaultPath "$vault" | Out-Null
        $script:onRoot = Join-Path $root 'on-root.pem'; Export-EnrollmentCertificate 'On-Root' -Path "$onRoot" -VaultPath "$vault"
        $script:onLeaf = Join-Path $root 'on-leaf.pem'; Export-EnrollmentCertificate 'On-Leaf' -Path "$onLeaf" -ExcludeChain -VaultPath "$vault"
        Publish-Crl 'On-Root' -Path "$www" -KeyPassword $pw -VaultPath "$vault" | Out-Null
    }

    AfterAll {
        if ($script:server) { Stop-Process -Id $script:server.Id -ErrorAction SilentlyContinue }
    }

    It 'fetches the CRL from the CDP, and sees a revocation once it is published' -Skip:(-not (Get-Command python3 -ErrorAction SilentlyContinue)) {
        $good = Test-CertificateChain "$onLeaf" -TrustedRoot "$onRoot" -Online
        $good.IsValid | Should -BeTrue
        $good.Elements[0].Revocation | Should -Be 'Good'

        Revoke-Certificate -Issuer 'On-Root' -Certificate "$onLeaf" -Reason KeyCompromise -Confirm:$false -VaultPath "$vault" -WarningAction SilentlyContinue
        Publish-Crl 'On-Root' -Path "$www" -KeyPassword $pw -VaultPath "$vault" | Out-Null
        Start-Sleep -Milliseconds 1100 # python's http.server has whole-second Last-Modified

        $bad = Test-CertificateChain "$onLeaf" -TrustedRoot "$onRoot" -Online
        $bad.IsValid | Should -BeFalse
        $bad.Problems.Code | Should -Contain 'Revoked'
        if (Get-Command openssl -ErrorAction SilentlyContinue) {
            $out = & openssl verify -crl_check -crl_download -CAfile "$onRoot" "$onLeaf" 2>&1 | Out-String
            $out | Should -Match 'certificate revoked'
        }
    }

    It 'reports a CDP it cannot reach with CrlUnreachable' {
        $closed = 'http://127.0.0.1:1/nothing.crl'
        Set-EnrollmentCertificate 'On-Root' -CrlDistributionPoint $closed -VaultPath "$vault" -WarningAction SilentlyContinue
        New-EnrollmentCertificate -Name 'On-Orphan' -Parent 'On-Root' -KeyAlgorithm EcdsaP256 -PathLength 0 -KeyPassword $pw -VaultPath "$vault" | Out-Null
        $orphan = Get-EnrollmentCertificate 'On-Orphan' -VaultPath "$vault"
        $result = $orphan | Test-CertificateChain -TrustedRoot "$onRoot" -Online
        $result.Problems.Code | Should -Contain 'CrlUnreachable'
        $result.IsValid | Should -BeFalse
        ($orphan | Test-CertificateChain -TrustedRoot "$onRoot" -Online -AllowUnknownRevocation -Quiet) | Should -BeTrue
    }
}
