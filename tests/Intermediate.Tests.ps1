#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 tests for the SSL-inspection intermediate cmdlets. Run through build.ps1 (which stages the module into out/ZscalerPki).

BeforeAll {
    $modulePath = Join-Path $PSScriptRoot '..' 'out' 'ZscalerPki' 'ZscalerPki.psd1'
    Import-Module $modulePath -Force
    $script:pw = ConvertTo-SecureString 'Pester-Passw0rd!' -AsPlainText -Force
    $script:vault = Join-Path $TestDrive 'vault'
    $script:hasOpenSsl = [bool](Get-Command openssl -ErrorAction SilentlyContinue)
    $script:cn = 'Pester SSL Inspection CA'
}

Describe 'Get-PkiVault and Set-PkiVault' {
    It 'starts with the Software subscription and its limits' {
        $info = Get-PkiVault -VaultPath "$vault"
        $info.Subscription | Should -Be 'Software'
        $info.MaxIntermediates | Should -Be 2
        $info.MaxEnabledIntermediates | Should -Be 1
    }

    It 'records SoftwareAndHsm and back' {
        (Set-PkiVault -Subscription SoftwareAndHsm -PassThru -VaultPath "$vault").MaxEnabledIntermediates | Should -Be 4
        Set-PkiVault -Subscription Software -VaultPath "$vault"
        (Get-PkiVault -VaultPath "$vault").Subscription | Should -Be 'Software'
    }
}

Describe 'New-IntermediateCsr' {
    It 'creates the key and a CSR that requests the CA profile' {
        $csrFile = Join-Path $TestDrive 'inspection.csr'
        $pubFile = Join-Path $TestDrive 'inspection.pub'
        $item = New-IntermediateCsr -Name 'Inspection' -CommonName $cn -Organization 'Contoso Ltd' -Department 'IT' -City 'Seattle' -State 'Washington' -Country 'US' -Path "$csrFile" -PublicKeyPath "$pubFile" -KeyPassword $pw -VaultPath "$vault"
        $item.State | Should -Be 'CsrGenDone'
        $item.ApiState | Should -Be 'CSRGEN_DONE'
        $item.Status | Should -Be 'Enabled'
        $item.IsDefault | Should -BeFalse
        $item.Csr | Should -Match 'BEGIN CERTIFICATE REQUEST'
        Test-Path -LiteralPath "$csrFile" | Should -BeTrue
        Test-Path -LiteralPath "$pubFile" | Should -BeTrue
    }

    It 'passes openssl req -verify' -Skip:(-not (Get-Command openssl -ErrorAction SilentlyContinue)) {
        $csrFile = Join-Path $TestDrive 'inspection.csr'
        $text = & openssl req -in "$csrFile" -verify -noout -text 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0
        $text | Should -Match 'CA:TRUE, pathlen:0'
        $text | Should -Match 'Certificate Sign, CRL Sign'
    }

    It 'refuses a country that is not ISO 3166' {
        { New-IntermediateCsr -Name 'BadCountry' -CommonName 'x' -Country 'UK' -Status Disabled -KeyPassword $pw -VaultPath "$vault" -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidCountry*'
    }

    It 'refuses a second enabled intermediate on a Software subscription' {
        { New-IntermediateCsr -Name 'Second' -CommonName 'Second' -KeyPassword $pw -VaultPath "$vault" -ErrorAction Stop } |
            Should -Throw -ErrorId 'EnabledLimitExceeded*'
    }

    It 'does nothing with -WhatIf' {
        New-IntermediateCsr -Name 'WhatIf' -CommonName 'x' -Status Disabled -KeyPassword $pw -VaultPath "$vault" -WhatIf
        Get-IntermediateCertificate -Name 'WhatIf' -VaultPath "$vault" -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Signing and Import-SignedIntermediate' {
    BeforeAll {
        New-EnrollmentCertificate -Name 'Pester-Root' -Subject 'CN=Pester Root CA' -KeyPassword $pw -VaultPath "$vault" | Out-Null
    }

    It 'refuses a certificate for another key and leaves the state as it was' -Skip:(-not (Get-Command openssl -ErrorAction SilentlyContinue)) {
        $other = Join-Path $TestDrive 'other.pem'
        $otherKey = Join-Path $TestDrive 'other.key'
        $opensslArgs = @('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', "$otherKey", '-out', "$other", '-subj', "/CN=$cn", '-days', '30',
            '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
        & openssl @opensslArgs 2>&1 | Out-Null
        { Import-SignedIntermediate -Name 'Inspection' -Path "$other" -VaultPath "$vault" -ErrorAction Stop } |
            Should -Throw -ErrorId 'PublicKeyMismatch*'
        (Get-IntermediateCertificate -Name 'Inspection' -VaultPath "$vault").State | Should -Be 'CsrGenDone'
    }

    It 'refuses an empty file' {
        $empty = Join-Path $TestDrive 'empty.pem'
        Set-Content -LiteralPath "$empty" -Value '' -NoNewline
        { Import-SignedIntermediate -Name 'Inspection' -LiteralPath "$empty" -VaultPath "$vault" -ErrorAction Stop } |
            Should -Throw -ErrorId 'CertificateEmpty*'
    }

    It 'signs with a vault CA and imports from the pipeline' {
        $issued = Get-IntermediateCertificate -Name 'Inspection' -VaultPath "$vault" |
            Submit-CertificateRequest -Issuer 'Pester-Root' -IssuerKeyPassword $pw -CrlDistributionPoint 'http://pki.contoso.test/root.crl' -VaultPath "$vault"
        $issued.Chain.Count | Should -Be 1
        $ready = $issued | Import-SignedIntermediate -Name 'Inspection' -VaultPath "$vault" -WarningAction SilentlyContinue
        $ready.State | Should -Be 'CertReady'
        $ready.IsDefault | Should -BeTrue
    }

    It 'exports a bundle that OpenSSL verifies' -Skip:(-not (Get-Command openssl -ErrorAction SilentlyContinue)) {
        $bundle = Join-Path $TestDrive 'inspection-chain.pem'
        $root = Join-Path $TestDrive 'root.pem'
        Export-IntermediateCertificate -Name 'Inspection' -Path "$bundle" -VaultPath "$vault"
        Export-EnrollmentCertificate -Name 'Pester-Root' -Path "$root" -VaultPath "$vault"
        & openssl verify -CAfile "$root" -untrusted "$bundle" "$bundle" | Should -Match ': OK'
    }

    It 'fails clearly for AD CS off Windows' -Skip:($IsWindows) {
        $csrFile = Join-Path $TestDrive 'inspection.csr'
        { Submit-CertificateRequest -Path "$csrFile" -ConfigString 'ca01.contoso.test\Contoso CA' -ErrorAction Stop } |
            Should -Throw -ErrorId 'AdcsRequiresWindows*'
    }
}

Describe 'Set-IntermediateCertificate and Remove-IntermediateCertificate' {
    It 'clears the default when the default is disabled' {
        Set-IntermediateCertificate -Name 'Inspection' -Enabled $false -VaultPath "$vault" -WarningAction SilentlyContinue
        $item = Get-IntermediateCertificate -Name 'Inspection' -VaultPath "$vault"
        $item.Status | Should -Be 'Disabled'
        $item.IsDefault | Should -BeFalse
    }

    It 'requires enabled for the default' {
        { Set-IntermediateCertificate -Name 'Inspection' -Default $true -VaultPath "$vault" -ErrorAction Stop } |
            Should -Throw -ErrorId 'DefaultRequiresEnabled*'
    }

    It 'enables and makes it the default again' {
        $item = Set-IntermediateCertificate -Name 'Inspection' -Enabled $true -Default $true -PassThru -VaultPath "$vault" -WarningAction SilentlyContinue
        $item.IsDefault | Should -BeTrue
        (Get-IntermediateCertificate -Default -VaultPath "$vault").Name | Should -Be 'Inspection'
    }

    It 'removes the intermediate' {
        Remove-IntermediateCertificate -Name 'Inspection' -Confirm:$false -VaultPath "$vault" -WarningAction SilentlyContinue
        Get-IntermediateCertificate -VaultPath "$vault" | Should -BeNullOrEmpty
        (Get-PkiVault -VaultPath "$vault").DefaultIntermediate | Should -BeNullOrEmpty
    }
}
