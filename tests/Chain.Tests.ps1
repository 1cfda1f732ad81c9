#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Test-CertificateChain as admins type it: certificates from the pipeline (X509Certificate2, our objects, FileInfo,
# strings), roots by vault name, files or objects, CRLs, the browser profile, and one error per unreadable input.

BeforeAll {
    . (Join-Path $PSScriptRoot 'PesterHelpers.ps1')
    $script:work = New-PkiTestFolder 'chain'
    $script:vault = Join-Path $work 'vault'
    $script:pw = ConvertTo-TestSecret 'Chain-Passw0rd!'
    $script:root = New-EnrollmentCertificate -Name 'Chain-Root' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault
    $script:sub = New-EnrollmentCertificate -Name 'Chain-Sub' -Parent 'Chain-Root' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault
    $script:rootPem = Join-Path $work 'root.pem'
    Export-EnrollmentCertificate -Name 'Chain-Root' -Path $rootPem -VaultPath $vault
    $script:subPem = Join-Path $work 'sub.pem'
    Export-EnrollmentCertificate -Name 'Chain-Sub' -Path $subPem -VaultPath $vault
    $script:ca = Export-OpenSslCa -Name 'Chain-Sub' -KeyPassword $pw -VaultPath $vault -Folder $work
    $script:www = New-OpenSslLeaf -Ca $ca -DnsName 'www.contoso.test' -Path (Join-Path $work 'www.pem')
    $script:revoked = New-OpenSslLeaf -Ca $ca -DnsName 'old.contoso.test' -Path (Join-Path $work 'old.pem')
    $script:noSan = New-OpenSslLeaf -Ca $ca -DnsName 'nosan.contoso.test' -Path (Join-Path $work 'nosan.pem') -NoSan
    $script:crl = New-OpenSslCrl -Ca $ca -Path (Join-Path $work 'sub.crl') -Revoke $revoked
}

AfterAll { Remove-PkiTestFolder $work }

Describe 'Test-CertificateChain' {
    It 'accepts a chain made by New-EnrollmentCertificate, from X509Certificate2 objects' {
        Test-CertificateChain -Certificate $sub.Certificate -TrustedRoot $root.Certificate -Quiet | Should -BeTrue
    }

    It 'takes our objects from the pipeline, with roots by vault name in the piped object''s vault' {
        $result = Get-EnrollmentCertificate -Name 'Chain-Sub' -VaultPath $vault | Test-CertificateChain -TrustedRoot 'Chain-Root'
        $result.IsValid | Should -BeTrue
        $result.Elements.Count | Should -Be 2
        $result.Elements[-1].IsTrustAnchor | Should -BeTrue
    }

    It 'takes files from Get-ChildItem and paths as strings' {
        $results = Get-ChildItem -LiteralPath $www, $noSan | Test-CertificateChain -TrustedRoot $rootPem -Intermediate $subPem
        @($results).Count | Should -Be 2
        $results.IsValid | Should -Be @($true, $true)
        $www | Test-CertificateChain -TrustedRoot $rootPem -Intermediate $subPem -Quiet | Should -BeTrue
    }

    It 'checks the host name and the browser profile, with stable problem codes' {
        Test-CertificateChain $www -TrustedRoot $rootPem -Intermediate $subPem -DnsName 'www.contoso.test' -Profile WebPki -Quiet | Should -BeTrue
        $wrongHost = Test-CertificateChain $www -TrustedRoot $rootPem -Intermediate $subPem -DnsName 'mail.contoso.test'
        $wrongHost.Problems.Code | Should -Contain 'HostnameMismatch'
        $browser = Test-CertificateChain $noSan -TrustedRoot $rootPem -Intermediate $subPem -Profile WebPki
        $browser.IsValid | Should -BeFalse
        $browser.Problems.Code | Should -Contain 'WebPki.LeafMissingSan'
    }

    It 'fails a certificate the CRL revokes, and agrees with openssl verify -crl_check' {
        $result = Test-CertificateChain $revoked -TrustedRoot $rootPem -Intermediate $subPem -Crl $crl -AllowUnknownRevocation
        $result.IsValid | Should -BeFalse
        $result.Problems.Code | Should -Contain 'Revoked'
        (Test-OpenSsl verify -crl_check -CAfile $rootPem -untrusted $subPem -CRLfile $crl $revoked).Output | Should -Match 'certificate revoked'
        Test-CertificateChain $www -TrustedRoot $rootPem -Intermediate $subPem -Crl $crl -AllowUnknownRevocation -Quiet | Should -BeTrue
        Invoke-OpenSsl verify -crl_check -CAfile $rootPem -untrusted $subPem -CRLfile $crl $www | Should -Match 'OK'
    }

    It 'rejects the chain at a time after it expires' {
        Test-CertificateChain -Certificate $sub.Certificate -TrustedRoot $root.Certificate -At (Get-Date).AddYears(20) -Quiet | Should -BeFalse
    }

    It 'explains a failure in the tree view, with problem codes' {
        $other = New-EnrollmentCertificate -Name 'Other-Root' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault
        $result = Test-CertificateChain -Certificate $sub.Certificate -TrustedRoot $other.Certificate
        $result.IsValid | Should -BeFalse
        $result.Problems.Code | Should -Contain 'NoPathToTrustAnchor'
        $good = Test-CertificateChain -Certificate $sub.Certificate -TrustedRoot $root.Certificate | Out-String
        $good | Should -Match '✔'
        $good | Should -Match 'Chain-Sub|CN='
        ($result | Out-String) | Should -Match 'NoPathToTrustAnchor'
    }

    It 'reports a missing file among several as one non-terminating error and tests the rest' {
        $missing = Join-Path $work 'missing.pem'
        $results = Test-CertificateChain -Certificate $missing, $www -TrustedRoot $rootPem -Intermediate $subPem -ErrorVariable errs -ErrorAction SilentlyContinue
        @($results).Count | Should -Be 1
        $results.IsValid | Should -BeTrue
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'FileNotFound,ZscalerPki.Commands.TestCertificateChainCommand'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        "$($errs[0].TargetObject)" | Should -Be $missing
    }

    It 'answers $false with -Quiet for an input it cannot read' {
        $answers = Test-CertificateChain -Certificate (Join-Path $work 'missing.pem'), $www -TrustedRoot $rootPem -Intermediate $subPem -Quiet -ErrorAction SilentlyContinue
        $answers | Should -Be @($false, $true)
    }

    It 'stops with -ErrorAction Stop and the ErrorId' -TestCases @(
        @{ Id = 'InvalidIPAddress'; Splat = @{ IPAddress = '300.1.1.1' } }
        @{ Id = 'CertificateSourceNotFound'; Splat = @{ Intermediate = 'No-Such-Entry' } }
    ) {
        param($Id, $Splat)
        { Test-CertificateChain -Certificate $www -TrustedRoot $rootPem @Splat -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId "$Id,ZscalerPki.Commands.TestCertificateChainCommand"
    }

    It 'refuses a text that is not a certificate' {
        { Test-CertificateChain -Certificate "-----BEGIN CERTIFICATE-----`nAAAA`n-----END CERTIFICATE-----" -TrustedRoot $rootPem -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidCertificateData,*'
    }

    It 'validates against the machine root store' -Skip:(-not $IsWindows) {
        Test-CertificateChain -Certificate $sub.Certificate -TrustedRoot 'Cert:\LocalMachine\Root' -Quiet | Should -BeFalse
    }
}
