#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# SSL inspection and revocation together, as an admin running an inspecting proxy's CA would: the intermediate carries a
# CRL distribution point, every forged server certificate carries it and is recorded, and revoking one shows in the CRL
# that OpenSSL then enforces.

BeforeAll {
    . (Join-Path $PSScriptRoot 'PesterHelpers.ps1')
    $script:work = New-PkiTestFolder 'forge-revoke'
    $script:vault = Join-Path $work 'vault'
    $script:pw = ConvertTo-TestSecret 'Forge-Revoke-Passw0rd!'
    New-EnrollmentCertificate -Name 'Proxy-Root' -Subject 'CN=Proxy Root, O=Contoso' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault | Out-Null
    New-IntermediateCsr -Name 'Proxy-CA' -CommonName 'Contoso Proxy Inspection CA' -PathLength 0 -Path (Join-Path $work 'proxy.csr') -KeyPassword $pw -VaultPath $vault | Out-Null
    Submit-CertificateRequest -Path (Join-Path $work 'proxy.csr') -Issuer 'Proxy-Root' -IssuerKeyPassword $pw -VaultPath $vault |
        Import-SignedIntermediate -Name 'Proxy-CA' -VaultPath $vault -WarningAction SilentlyContinue | Out-Null
    $script:rootPem = Join-Path $work 'root.pem'
    Export-EnrollmentCertificate -Name 'Proxy-Root' -Path $rootPem -VaultPath $vault
    $script:caPem = Join-Path $work 'proxy-ca.pem'
    Export-IntermediateCertificate -Name 'Proxy-CA' -ExcludeChain -Path $caPem -VaultPath $vault
}

AfterAll { Remove-PkiTestFolder $work }

Describe 'Forged certificates and revocation' {
    It 'puts the intermediate''s stored CDP in every forged certificate and records each one' {
        Set-IntermediateCertificate -Name 'Proxy-CA' -CrlDistributionPoint 'http://pki.contoso.test/Proxy-CA.crl' -VaultPath $vault
        $forged = New-InspectionCertificate -DnsName 'www.contoso.test', 'mail.contoso.test' -IssuerKeyPassword $pw -VaultPath $vault
        @($forged).Count | Should -Be 1
        $pem = Join-Path $work 'forged.pem'
        Set-Content -LiteralPath $pem -Value ([System.Security.Cryptography.X509Certificates.X509Certificate2]::new($forged.Certificate.RawData).ExportCertificatePem())
        Invoke-OpenSsl x509 -in $pem -noout -ext crlDistributionPoints | Should -Match 'URI:http://pki.contoso.test/Proxy-CA.crl'
        $script:forgedPem = $pem

        $recorded = @(Get-IssuedCertificate 'Proxy-CA' -VaultPath $vault)
        $recorded.Count | Should -Be 1
        $recorded[0].Profile | Should -Be 'Server'
        $recorded[0].SerialNumber | Should -Be $forged.Certificate.SerialNumber
    }

    It 'does not sign or record again for a cache hit' {
        $again = New-InspectionCertificate -DnsName 'www.contoso.test', 'mail.contoso.test' -IssuerKeyPassword $pw -VaultPath $vault
        $again.FromCache | Should -BeTrue
        @(Get-IssuedCertificate 'Proxy-CA' -VaultPath $vault).Count | Should -Be 1
    }

    It 'revokes the forged certificate; the published CRL makes openssl verify -crl_check refuse it' {
        $chain = Join-Path $work 'chain.pem'
        Set-Content -LiteralPath $chain -Value ((Get-Content -Raw $caPem) + (Get-Content -Raw $rootPem))
        Publish-Crl 'Proxy-CA' -Path (Join-Path $work 'pki') -KeyPassword $pw -VaultPath $vault | Out-Null
        Publish-Crl 'Proxy-Root' -Path (Join-Path $work 'pki') -KeyPassword $pw -VaultPath $vault | Out-Null
        $crls = Join-Path $work 'crls.pem'
        $both = foreach ($name in 'Proxy-CA', 'Proxy-Root') { Invoke-OpenSsl crl -inform DER -in (Join-Path $work 'pki' "$name.crl") }
        Set-Content -LiteralPath $crls -Value ($both -join '')
        Invoke-OpenSsl verify -crl_check_all -CAfile $rootPem -untrusted $caPem -CRLfile $crls $forgedPem | Should -Match 'OK'

        Get-IssuedCertificate 'Proxy-CA' -VaultPath $vault | Revoke-Certificate -Reason KeyCompromise -Confirm:$false
        $published = Publish-Crl 'Proxy-CA' -Path (Join-Path $work 'pki') -KeyPassword $pw -VaultPath $vault
        $published.EntryCount | Should -Be 1
        $both = foreach ($name in 'Proxy-CA', 'Proxy-Root') { Invoke-OpenSsl crl -inform DER -in (Join-Path $work 'pki' "$name.crl") }
        Set-Content -LiteralPath $crls -Value ($both -join '')
        (Test-OpenSsl verify -crl_check_all -CAfile $rootPem -untrusted $caPem -CRLfile $crls $forgedPem).Output | Should -Match 'certificate revoked'
        $verdict = Test-CertificateChain $forgedPem -TrustedRoot $rootPem -Intermediate $caPem -Crl (Join-Path $work 'pki' 'Proxy-CA.crl'), (Join-Path $work 'pki' 'Proxy-Root.crl')
        $verdict.Problems.Code | Should -Contain 'Revoked'
    }
}
