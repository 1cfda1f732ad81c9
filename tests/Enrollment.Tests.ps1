#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 tests for the enrollment CA cmdlets. Run through build.ps1 (which stages the module into out/ZscalerPki).

BeforeAll {
    $modulePath = Join-Path $PSScriptRoot '..' 'out' 'ZscalerPki' 'ZscalerPki.psd1'
    Import-Module $modulePath -Force
    $script:pw = ConvertTo-SecureString 'Pester-Passw0rd!' -AsPlainText -Force
    $script:vault = Join-Path $TestDrive 'vault'
}

Describe 'New-EnrollmentCertificate' {
    It 'creates a root CA with the CA profile' {
        $root = New-EnrollmentCertificate -Name 'Pester-Root' -KeyPassword $pw -VaultPath "$vault"
        $root.Type | Should -Be 'Root'
        $root.Status | Should -Be 'Active'
        $root.Certificate.Extensions.Where({ $_.Oid.Value -eq '2.5.29.19' }).CertificateAuthority | Should -BeTrue
        $root.Certificate.HasPrivateKey | Should -BeFalse
    }

    It 'takes the parent from the pipeline and infers an intermediate' {
        $sub = Get-EnrollmentCertificate -Name 'Pester-Root' -VaultPath "$vault" |
            New-EnrollmentCertificate -Name 'Pester-ZCC' -ClientCertificateType ClientConnector -KeyPassword $pw -VaultPath "$vault"
        $sub.Type | Should -Be 'Intermediate'
        $sub.Parent | Should -Be 'Pester-Root'
    }

    It 'refuses a name with a space, naming the rule' {
        { New-EnrollmentCertificate -Name 'a b' -KeyPassword $pw -VaultPath "$vault" -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidName*'
    }

    It 'refuses a duplicate name, ignoring case' {
        { New-EnrollmentCertificate -Name 'PESTER-ROOT' -KeyPassword $pw -VaultPath "$vault" -ErrorAction Stop } |
            Should -Throw -ErrorId 'NameAlreadyExists*'
    }

    It 'reports a wrong parent password clearly' {
        $wrong = ConvertTo-SecureString 'typo' -AsPlainText -Force
        { New-EnrollmentCertificate -Name 'Pester-Bad' -Parent 'Pester-Root' -KeyPassword $pw -ParentKeyPassword $wrong -VaultPath "$vault" -ErrorAction Stop } |
            Should -Throw -ErrorId 'WrongKeyPassword*'
    }

    It 'keeps only one active AppProtection CA' {
        New-EnrollmentCertificate -Name 'AppProt-1' -ClientCertificateType AppProtection -KeyPassword $pw -VaultPath "$vault" | Out-Null
        New-EnrollmentCertificate -Name 'AppProt-2' -ClientCertificateType AppProtection -KeyPassword $pw -VaultPath "$vault" -WarningAction SilentlyContinue | Out-Null
        $app = Get-EnrollmentCertificate -ClientCertificateType AppProtection -VaultPath "$vault"
        ($app | Where-Object Status -eq 'Active').Name | Should -Be 'AppProt-2'
        ($app | Where-Object Status -eq 'Replaced').Name | Should -Be 'AppProt-1'
    }

    It 'does nothing with -WhatIf' {
        New-EnrollmentCertificate -Name 'Pester-WhatIf' -KeyPassword $pw -VaultPath "$vault" -WhatIf
        Get-EnrollmentCertificate -Name 'Pester-WhatIf' -VaultPath "$vault" -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Export-EnrollmentCertificate' {
    It 'writes the chain leaf first, and OpenSSL verifies it' -Skip:(-not (Get-Command openssl -ErrorAction SilentlyContinue)) {
        $chain = Join-Path $TestDrive 'zcc-chain.pem'
        $root = Join-Path $TestDrive 'root.pem'
        Export-EnrollmentCertificate -Name 'Pester-ZCC' -IncludeChain -Path "$chain" -VaultPath "$vault"
        Export-EnrollmentCertificate -Name 'Pester-Root' -Path "$root" -VaultPath "$vault"
        (Get-Content "$chain" -Raw) | Should -Match '(?s)BEGIN CERTIFICATE.*BEGIN CERTIFICATE'
        & openssl verify '-x509_strict' -CAfile "$root" "$chain" | Should -Match 'OK'
    }
}

Describe 'Remove-EnrollmentCertificate' {
    It 'refuses a CA with children unless -Force' {
        { Remove-EnrollmentCertificate -Name 'Pester-Root' -VaultPath "$vault" -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'HasChildren*'
        Remove-EnrollmentCertificate -Name 'Pester-Root' -Force -VaultPath "$vault" -Confirm:$false
        Get-EnrollmentCertificate -Name 'Pester-Root' -VaultPath "$vault" -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Certificate store parents' -Skip:(-not $IsWindows) {
    It 'signs an intermediate with a CA from Cert:\CurrentUser\My' {
        $ca = New-SelfSignedCertificate -Subject 'CN=Pester Store CA' -CertStoreLocation 'Cert:\CurrentUser\My' -KeyUsage 'CertSign', 'CRLSign' -TextExtension @('2.5.29.19={critical}{text}ca=1')
        try {
            $sub = New-EnrollmentCertificate -Name 'Under-Store' -Parent $ca -KeyPassword $pw -VaultPath "$vault"
            $sub.Issuer | Should -Be $ca.Subject
        }
        finally {
            Remove-Item "Cert:\CurrentUser\My\$($ca.Thumbprint)" -DeleteKey
        }
    }
}
