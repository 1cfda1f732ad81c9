#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# One CA, one identity: an enrollment CA and an SSL-inspection intermediate may share a name (names are unique within a
# kind only). A bare name two kinds share is refused as ambiguous everywhere; kind/name (or the piped object) reaches each
# CA; every certificate handed out is listed by Get-IssuedCertificate of the CA that signed it.

BeforeAll {
    . (Join-Path $PSScriptRoot 'PesterHelpers.ps1')
    $script:work = New-PkiTestFolder 'ca-identity'
    $script:vault = Join-Path $work 'vault'
    $script:pw = ConvertTo-TestSecret 'Same-Name-Passw0rd!'
    # The enrollment CA "X" (a root) and the intermediate "X", signed by another root.
    New-EnrollmentCertificate -Name 'X' -Subject 'CN=X Enrollment Root' -KeyAlgorithm EcdsaP384 -KeyPassword $pw -VaultPath $vault | Out-Null
    New-EnrollmentCertificate -Name 'Other-Root' -Subject 'CN=Other Root' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault | Out-Null
    New-IntermediateCsr -Name 'X' -CommonName 'X Inspection CA' -PathLength 0 -Path (Join-Path $work 'x.csr') -KeyPassword $pw -VaultPath $vault | Out-Null
    Submit-CertificateRequest -Path (Join-Path $work 'x.csr') -Issuer 'Other-Root' -IssuerKeyPassword $pw -VaultPath $vault |
        Import-SignedIntermediate -Name 'X' -VaultPath $vault -WarningAction SilentlyContinue | Out-Null
}

AfterAll { Remove-PkiTestFolder $work }

Describe 'An enrollment CA and an intermediate both named X' {
    It 'refuses the bare name as ambiguous, naming both identities, and signs nothing' {
        $err = $null
        New-InspectionCertificate -DnsName 'www.x.test' -Issuer 'X' -IssuerKeyPassword $pw -VaultPath $vault -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'AmbiguousIssuer,*'
        "$($err[0])" | Should -Match 'enrollment/X' -Because 'the message says how to name each CA'
        "$($err[0])" | Should -Match 'intermediate/X'
        { Publish-Crl 'X' -Path (Join-Path $work 'pki') -KeyPassword $pw -VaultPath $vault -ErrorAction Stop } | Should -Throw -ErrorId 'AmbiguousIssuer,*'
        { Get-IssuedCertificate 'X' -VaultPath $vault -ErrorAction Stop } | Should -Throw -ErrorId 'AmbiguousIssuer,*'
        @(Get-IssuedCertificate 'intermediate/X' -VaultPath $vault).Count | Should -Be 0
        @(Get-IssuedCertificate 'enrollment/X' -VaultPath $vault).Count | Should -Be 0
    }

    It 'forges with the intermediate by identity, and with the enrollment CA by its piped object; each is recorded by its own CA' {
        $byIntermediate = New-InspectionCertificate -DnsName 'www.x.test' -Issuer 'intermediate/X' -IssuerKeyPassword $pw -VaultPath $vault
        $byIntermediate.Certificate.Issuer | Should -Be 'CN=X Inspection CA'
        $byEnrollment = New-InspectionCertificate -DnsName 'www.x.test' -Issuer (Get-EnrollmentCertificate 'X' -VaultPath $vault) -IssuerKeyPassword $pw -VaultPath $vault
        $byEnrollment.Certificate.Issuer | Should -Be 'CN=X Enrollment Root'

        # Asked again: the same certificates come from the cache, and nothing was handed out unrecorded.
        (New-InspectionCertificate -DnsName 'www.x.test' -Issuer 'intermediate/X' -IssuerKeyPassword $pw -VaultPath $vault).FromCache | Should -BeTrue
        $intermediateIssued = @(Get-IssuedCertificate 'intermediate/X' -VaultPath $vault)
        $intermediateIssued.SerialNumber | Should -Be @($byIntermediate.Certificate.SerialNumber)
        $intermediateIssued[0].IssuerIdentity | Should -Be 'intermediate/X'
        @(Get-IssuedCertificate 'enrollment/X' -VaultPath $vault).SerialNumber | Should -Be @($byEnrollment.Certificate.SerialNumber)
    }

    It 'publishes each CA''s own CRL: the intermediate''s is reachable, signed by it, and lists what it revoked' {
        Get-IssuedCertificate 'intermediate/X' -VaultPath $vault | Revoke-Certificate -Reason KeyCompromise -Confirm:$false
        $folder = Join-Path $work 'pki'
        $crl = Publish-Crl 'intermediate/X' -Path $folder -KeyPassword $pw -VaultPath $vault
        $crl.IssuerIdentity | Should -Be 'intermediate/X'
        $crl.EntryCount | Should -Be 1
        Invoke-OpenSsl crl -inform DER -in $crl.Path -noout -issuer | Should -Match 'X Inspection CA'
        $root = Publish-Crl 'enrollment/X' -Path (Join-Path $work 'pki-root') -KeyPassword $pw -VaultPath $vault
        $root.EntryCount | Should -Be 0
        Invoke-OpenSsl crl -inform DER -in $root.Path -noout -issuer | Should -Match 'X Enrollment Root'
        # A P-384 CA signs its CRLs and certificates with SHA-384.
        Invoke-OpenSsl crl -inform DER -in $root.Path -noout -text | Should -Match 'ecdsa-with-SHA384'
    }
}
