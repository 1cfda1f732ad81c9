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
        'Connect-ZscalerTenant'
        'Disconnect-ZscalerTenant'
        'Export-EnrollmentCertificate'
        'Export-InspectionCertificate'
        'Export-IntermediateCertificate'
        'Export-RootCertificateBundle'
        'Export-ZiaIntermediateCsr'
        'Get-EnrollmentCertificate'
        'Get-IntermediateCertificate'
        'Get-IssuedCertificate'
        'Get-PkiVault'
        'Get-RootCertificateTrust'
        'Get-ZiaActivationStatus'
        'Get-ZiaIntermediateCertificate'
        'Get-ZpaEnrollmentCertificate'
        'Import-SignedIntermediate'
        'Install-RootCertificate'
        'Invoke-ZiaActivation'
        'New-EnrollmentCertificate'
        'New-InspectionCertificate'
        'New-IntermediateCsr'
        'New-ZiaIntermediateCertificate'
        'New-ZpaEnrollmentCertificate'
        'Publish-Crl'
        'Publish-ZiaSignedIntermediate'
        'Remove-EnrollmentCertificate'
        'Remove-IntermediateCertificate'
        'Remove-ZiaIntermediateCertificate'
        'Remove-ZpaEnrollmentCertificate'
        'Restore-Certificate'
        'Revoke-Certificate'
        'Set-EnrollmentCertificate'
        'Set-IntermediateCertificate'
        'Set-PkiVault'
        'Set-ZiaIntermediateCertificate'
        'Set-ZpaEnrollmentCertificate'
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
