#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 tests for Test-CertificateChain. Run through build.ps1 (which stages the module into out/ZscalerPki).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' 'out' 'ZscalerPki' 'ZscalerPki.psd1') -Force
    $script:pw = ConvertTo-SecureString 'Chain-Passw0rd!' -AsPlainText -Force
    $script:vault = Join-Path $TestDrive 'vault'
    $script:root = New-EnrollmentCertificate -Name 'Chain-Root' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath "$vault"
    $script:sub = New-EnrollmentCertificate -Name 'Chain-Sub' -Parent 'Chain-Root' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath "$vault"
    $script:rootPem = Join-Path $TestDrive 'root.pem'
    Export-EnrollmentCertificate -Name 'Chain-Root' -Path "$rootPem" -VaultPath "$vault"
}

Describe 'Test-CertificateChain' {
    It 'accepts a chain made by New-EnrollmentCertificate' {
        Test-CertificateChain -Certificate $sub.Certificate -TrustedRoot $root.Certificate -Quiet | Should -BeTrue
    }

    It 'takes certificates from the pipeline and roots by vault name' {
        $result = $sub | Test-CertificateChain -TrustedRoot 'Chain-Root' -VaultPath "$vault"
        $result.IsValid | Should -BeTrue
        $result.Elements.Count | Should -Be 2
        $result.Elements[-1].IsTrustAnchor | Should -BeTrue
    }

    It 'takes roots from a file' {
        Test-CertificateChain -Certificate $sub.Certificate -TrustedRoot "$rootPem" -Quiet | Should -BeTrue
    }

    It 'rejects the chain after it expires' {
        Test-CertificateChain -Certificate $sub.Certificate -TrustedRoot $root.Certificate -At (Get-Date).AddYears(20) -Quiet | Should -BeFalse
    }

    It 'explains a failure with stable problem codes' {
        $other = New-EnrollmentCertificate -Name 'Other-Root' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath "$vault"
        $result = Test-CertificateChain -Certificate $sub.Certificate -TrustedRoot $other.Certificate
        $result.IsValid | Should -BeFalse
        $result.Problems.Code | Should -Contain 'NoPathToTrustAnchor'
    }

    It 'validates against the machine root store' -Skip:(-not $IsWindows) {
        Test-CertificateChain -Certificate $sub.Certificate -TrustedRoot 'Cert:\LocalMachine\Root' -Quiet | Should -BeFalse
    }
}
