@{
    RootModule           = 'ZscalerPki.dll'
    ModuleVersion        = '0.0.0' # build.ps1 stamps the <Version> of Directory.Build.props into the staged manifest
    CompatiblePSEditions = @('Core')
    GUID                 = '6f0b7c2e-52a1-4d47-9a3e-1c5d7e0f9b21'
    Author               = 'ZscalerPki contributors'
    CompanyName          = 'ZscalerPki'
    Copyright            = '(c) ZscalerPki contributors. All rights reserved.'
    Description          = 'Certificate workflows for Zscaler admins on their own machines: enrollment CA certificates, SSL-inspection intermediate CA keys and CSRs, importing signed intermediates, revocation and CRL publishing, and RFC 5280 chain testing.'
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('ZscalerPki.Format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'Export-EnrollmentCertificate'
        'Export-InspectionCertificate'
        'Export-IntermediateCertificate'
        'Export-RootCertificateBundle'
        'Get-EnrollmentCertificate'
        'Get-IntermediateCertificate'
        'Get-IssuedCertificate'
        'Get-PkiVault'
        'Get-RootCertificateTrust'
        'Import-SignedIntermediate'
        'Install-RootCertificate'
        'New-EnrollmentCertificate'
        'New-InspectionCertificate'
        'New-IntermediateCsr'
        'Publish-Crl'
        'Remove-EnrollmentCertificate'
        'Remove-IntermediateCertificate'
        'Restore-Certificate'
        'Revoke-Certificate'
        'Set-EnrollmentCertificate'
        'Set-IntermediateCertificate'
        'Set-PkiVault'
        'Submit-CertificateRequest'
        'Test-CertificateChain'
        'Test-RootCertificateTrust'
        'Uninstall-RootCertificate'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('PKI', 'X509', 'Certificate', 'Zscaler', 'CSR', 'SSL', 'TLS', 'RFC5280', 'CRL')
        }
    }
}
