#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The SSL-inspection intermediate CA cmdlets as admins type them: the vault's subscription, key + CSR, signing (vault CA,
# OpenSSL as an external CA, AD CS off Windows), validated import, default/enabled state, export and removal.

BeforeAll {
    . (Join-Path $PSScriptRoot 'PesterHelpers.ps1')
    $script:work = New-PkiTestFolder 'inter'
    $script:vault = Join-Path $work 'vault'
    $script:pw = ConvertTo-TestSecret 'Pester-Passw0rd!'
    $script:cn = 'Pester SSL Inspection CA'
    $script:csrFile = Join-Path $work 'inspection.csr'
    New-EnrollmentCertificate -Name 'Pester-Root' -Subject 'CN=Pester Root CA' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault | Out-Null
    $script:rootPem = Join-Path $work 'root.pem'
    Export-EnrollmentCertificate -Name 'Pester-Root' -Path $rootPem -VaultPath $vault
}

AfterAll { Remove-PkiTestFolder $work }

Describe 'Get-PkiVault and Set-PkiVault' {
    It 'starts with the Software subscription and shows its limits in the list view' {
        $info = Get-PkiVault -VaultPath $vault
        $info.Subscription | Should -Be 'Software'
        $info.MaxIntermediates | Should -Be 2
        $info.MaxEnabledIntermediates | Should -Be 1
        $text = $info | Out-String
        $text | Should -Match 'Intermediates\s*:\s*0 of 2'
        $text | Should -Match 'DefaultIntermediate\s*:\s*\(Zscaler default\)'
    }

    It 'records SoftwareAndHsm with -PassThru, changes nothing with -WhatIf, and goes back' {
        (Set-PkiVault -Subscription SoftwareAndHsm -PassThru -VaultPath $vault).MaxEnabledIntermediates | Should -Be 4
        Set-PkiVault -Subscription Software -VaultPath $vault -WhatIf
        (Get-PkiVault -VaultPath $vault).Subscription | Should -Be 'SoftwareAndHsm'
        Set-PkiVault Software -VaultPath $vault | Should -BeNullOrEmpty
        (Get-PkiVault -VaultPath $vault).Subscription | Should -Be 'Software'
    }
}

Describe 'New-IntermediateCsr' {
    It 'creates the key and a CSR that requests the CA profile; OpenSSL verifies it' {
        $pubFile = Join-Path $work 'inspection.pub.pem'
        $item = New-IntermediateCsr -Name 'Inspection' -CommonName $cn -Organization 'Contoso Ltd' -Department 'IT' -City 'Seattle' -State 'Washington' -Country 'US' -PathLength 0 -Path $csrFile -PublicKeyPath $pubFile -KeyPassword $pw -VaultPath $vault
        $item.State | Should -Be 'CsrGenDone'
        $item.ApiState | Should -Be 'CSRGEN_DONE'
        $item.Status | Should -Be 'Enabled'
        $item.Csr | Should -Match 'BEGIN CERTIFICATE REQUEST'
        $text = Invoke-OpenSsl req -in $csrFile -verify -noout -text
        $text | Should -Match 'CA:TRUE, pathlen:0'
        $text | Should -Match 'Certificate Sign, CRL Sign'
        $text | Should -Match "CN\s*=\s*$cn"
        Invoke-OpenSsl pkey -pubin -in $pubFile -noout | Out-Null
    }

    It 'shows the table the format file promises' {
        $text = Get-IntermediateCertificate -VaultPath $vault | Out-String -Width 200
        $text | Should -Match 'Name\s+State\s+Status\s+IsDefault\s+ProtectionType\s+NotAfter'
        $text | Should -Match 'Inspection\s+CsrGenDone\s+Enabled\s+False\s+Software'
    }

    It 'refuses bad input with one ErrorRecord naming the rule' -TestCases @(
        @{ Id = 'InvalidCountry'; Splat = @{ Name = 'BadCountry'; CommonName = 'x'; Country = 'UK'; Status = 'Disabled' } }
        @{ Id = 'EnabledLimitExceeded'; Splat = @{ Name = 'Second'; CommonName = 'Second' } }
        @{ Id = 'NameAlreadyExists'; Splat = @{ Name = 'INSPECTION'; CommonName = 'x'; Status = 'Disabled' } }
        @{ Id = 'SubjectPartTooLong'; Splat = @{ Name = 'LongCn'; CommonName = ('x' * 65); Status = 'Disabled' } }
    ) {
        param($Id, $Splat)
        { New-IntermediateCsr @Splat -KeyPassword $pw -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId "$Id,ZscalerPki.Commands.NewIntermediateCsrCommand"
        Get-IntermediateCertificate -Name $Splat.Name -VaultPath $vault -ErrorAction SilentlyContinue |
            Where-Object State -ne 'CsrGenDone' | Should -BeNullOrEmpty
    }

    It 'refuses to overwrite a CSR file without -Force, and creates nothing' {
        { New-IntermediateCsr -Name 'Clobber' -CommonName 'x' -Status Disabled -Path $csrFile -KeyPassword $pw -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'FileExists,ZscalerPki.Commands.NewIntermediateCsrCommand'
        Get-IntermediateCertificate -Name 'Clobber' -VaultPath $vault -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'does nothing with -WhatIf' {
        New-IntermediateCsr -Name 'WhatIf' -CommonName 'x' -Status Disabled -KeyPassword $pw -VaultPath $vault -WhatIf
        Get-IntermediateCertificate -Name 'WhatIf' -VaultPath $vault -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Submit-CertificateRequest' {
    It 'signs the CSR of a piped intermediate with a vault CA (the object brings its vault)' {
        $issued = Get-IntermediateCertificate -Name 'Inspection' -VaultPath $vault |
            Submit-CertificateRequest -Issuer 'Pester-Root' -IssuerKeyPassword $pw -CrlDistributionPoint 'http://pki.contoso.test/root.crl'
        $issued.Subject | Should -Match $cn
        $issued.Chain.Count | Should -Be 1
        $text = $issued | Out-String -Width 200
        $text | Should -Match 'Subject\s+IssuedBy\s+RequestId\s+NotAfter'
        $script:issued = $issued
    }

    It 'signs files from Get-ChildItem and writes -OutFile' {
        $out = Join-Path $work 'from-file.pem'
        $result = Get-ChildItem -LiteralPath $csrFile | Submit-CertificateRequest -Issuer 'Pester-Root' -IssuerKeyPassword $pw -OutFile $out -VaultPath $vault
        $result.Path | Should -Be $out
        Invoke-OpenSsl verify -x509_strict -CAfile $rootPem $out | Should -Match 'OK'
        Invoke-OpenSsl x509 -in $out -noout -ext crlDistributionPoints | Should -Not -Match 'URI'
    }

    It 'signs CSR text passed to -Csr' {
        (Submit-CertificateRequest -Csr (Get-Content -Raw $csrFile) -Issuer 'Pester-Root' -IssuerKeyPassword $pw -VaultPath $vault).Subject | Should -Match $cn
    }

    It 'reports an unreadable CSR among several as one error and signs the others' {
        $bad = Join-Path $work 'bad.csr'
        Set-Content -LiteralPath $bad -Value 'not a CSR'
        $good = Join-Path $work 'good.csr'
        Copy-Item $csrFile $good
        $results = Submit-CertificateRequest -Path (Join-Path $work '*.csr') -Issuer 'Pester-Root' -IssuerKeyPassword $pw -VaultPath $vault -ErrorVariable errs -ErrorAction SilentlyContinue
        @($results).Count | Should -Be 2
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'InvalidCsr,*'
        Remove-Item $bad, $good
    }

    It 'refuses a missing file with FileNotFound, not PowerShell''s PathNotFound' {
        { Submit-CertificateRequest -Path (Join-Path $work 'missing.csr') -Issuer 'Pester-Root' -IssuerKeyPassword $pw -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'FileNotFound,*'
    }

    It 'needs exactly one signer' {
        { Submit-CertificateRequest -Path $csrFile -VaultPath $vault -ErrorAction Stop } | Should -Throw -ErrorId 'SignerRequired,*'
        { Submit-CertificateRequest -Path $csrFile -Issuer 'Pester-Root' -ConfigString 'ca\CA' -VaultPath $vault -ErrorAction Stop } | Should -Throw -ErrorId 'SignerConflict,*'
    }

    It 'fails clearly for AD CS off Windows' -Skip:($IsWindows) {
        { Submit-CertificateRequest -Path $csrFile -ConfigString 'ca01.contoso.test\Contoso CA' -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'AdcsRequiresWindows,*'
    }

    It 'reports a wrong issuer password' {
        { Submit-CertificateRequest -Path $csrFile -Issuer 'Pester-Root' -IssuerKeyPassword (ConvertTo-TestSecret 'nope') -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'WrongKeyPassword,*'
    }
}

Describe 'Import-SignedIntermediate' {
    It 'refuses a certificate for another key and leaves the state as it was' {
        $other = Join-Path $work 'other.pem'
        $otherKey = Join-Path $work 'other.key'
        Invoke-OpenSsl req -x509 -newkey rsa:2048 -nodes -keyout $otherKey -out $other -subj "/CN=$cn" -days 30 -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' | Out-Null
        $err = { Import-SignedIntermediate -Name 'Inspection' -Path $other -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'PublicKeyMismatch,*' -PassThru
        $err.CategoryInfo.Category | Should -Not -Be 'NotSpecified'
        (Get-IntermediateCertificate -Name 'Inspection' -VaultPath $vault).State | Should -Be 'CsrGenDone'
    }

    It 'refuses an empty file' {
        $empty = Join-Path $work 'empty.pem'
        Set-Content -LiteralPath $empty -Value '' -NoNewline
        { Import-SignedIntermediate -Name 'Inspection' -LiteralPath $empty -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'CertificateEmpty,*'
    }

    It 'changes nothing with -WhatIf' {
        $issued | Import-SignedIntermediate -Name 'Inspection' -VaultPath $vault -WhatIf
        (Get-IntermediateCertificate -Name 'Inspection' -VaultPath $vault).State | Should -Be 'CsrGenDone'
    }

    It 'imports what Submit-CertificateRequest pipes (certificate and chain bind by property name)' {
        $ready = $issued | Import-SignedIntermediate -Name 'Inspection' -VaultPath $vault -WarningAction SilentlyContinue
        $ready.State | Should -Be 'CertReady'
        $ready.ApiState | Should -Be 'CERT_READY'
        $ready.IsDefault | Should -BeTrue
        $ready.Chain.Count | Should -Be 1
    }

    It 'rotates to a certificate signed by OpenSSL, imported from a .p7b that Get-ChildItem pipes' {
        $caKey = Join-Path $work 'root.key.pem'
        $keyPw = ConvertTo-TestSecret 'Export-Passw0rd!'
        Export-EnrollmentCertificate -Name 'Pester-Root' -IncludePrivateKey -Password $keyPw -KeyPassword $pw -Path (Join-Path $work 'root.p12') -Format Pfx -VaultPath $vault
        Invoke-OpenSsl pkcs12 -in (Join-Path $work 'root.p12') -nocerts -passin 'pass:Export-Passw0rd!' -passout 'pass:Export-Passw0rd!' -out $caKey | Out-Null
        $ext = Join-Path $work 'ext.cnf'
        Set-Content -LiteralPath $ext -Value "basicConstraints=critical,CA:TRUE,pathlen:0`nkeyUsage=critical,keyCertSign,cRLSign`nsubjectKeyIdentifier=hash`nauthorityKeyIdentifier=keyid"
        $signed = Join-Path $work 'openssl-signed.pem'
        Invoke-OpenSsl x509 -req -in $csrFile -CA $rootPem -CAkey $caKey -passin 'pass:Export-Passw0rd!' -CAcreateserial -days 365 -sha256 -extfile $ext -out $signed | Out-Null
        $p7b = Join-Path $work 'inspection.p7b'
        Invoke-OpenSsl crl2pkcs7 -nocrl -certfile $signed -certfile $rootPem -outform DER -out $p7b | Out-Null
        $ready = Get-ChildItem -LiteralPath $p7b | Import-SignedIntermediate -Name 'Inspection' -VaultPath $vault -WarningAction SilentlyContinue
        $ready.State | Should -Be 'CertReady'
        $ready.Thumbprint | Should -Not -Be $issued.Thumbprint
        $ready.History.Count | Should -BeGreaterOrEqual 1
    }
}

Describe 'Set-IntermediateCertificate' {
    It 'disables with -Enabled:$false, clearing the default, for the piped object''s vault' {
        Get-IntermediateCertificate -Name 'Inspection' -VaultPath $vault | Set-IntermediateCertificate -Enabled:$false -WarningAction SilentlyContinue
        $item = Get-IntermediateCertificate -Name 'Inspection' -VaultPath $vault
        $item.Status | Should -Be 'Disabled'
        $item.IsDefault | Should -BeFalse
    }

    It 'requires enabled for the default' {
        { Set-IntermediateCertificate -Name 'Inspection' -Default -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'DefaultRequiresEnabled,*'
    }

    It 'changes nothing with -WhatIf' {
        Set-IntermediateCertificate -Name 'Inspection' -Enabled -Default -VaultPath $vault -WhatIf
        (Get-IntermediateCertificate -Name 'Inspection' -VaultPath $vault).Status | Should -Be 'Disabled'
    }

    It 'enables and makes it the default with switches as users type them, and -PassThru returns it' {
        $item = Set-IntermediateCertificate -Name 'Inspection' -Enabled -Default -PassThru -VaultPath $vault -WarningAction SilentlyContinue
        $item.IsDefault | Should -BeTrue
        $item.Status | Should -Be 'Enabled'
        (Get-IntermediateCertificate -Default -VaultPath $vault).Name | Should -Be 'Inspection'
        (Get-PkiVault -VaultPath $vault).DefaultIntermediate | Should -Be 'Inspection'
    }

    It 'returns nothing without -PassThru, and clears the default with -Default:$false' {
        Set-IntermediateCertificate -Name 'Inspection' -Default:$false -VaultPath $vault -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        (Get-IntermediateCertificate -Name 'Inspection' -VaultPath $vault).IsDefault | Should -BeFalse
        Set-IntermediateCertificate -Name 'Inspection' -Default -Description 'primary' -VaultPath $vault
        (Get-IntermediateCertificate -Name 'Inspection' -VaultPath $vault).Description | Should -Be 'primary'
    }
}

Describe 'Export-IntermediateCertificate' {
    It 'exports the bundle of a piped intermediate, which OpenSSL verifies' {
        $bundle = Join-Path $work 'inspection-chain.pem'
        $file = Get-IntermediateCertificate -Name 'Inspection' -VaultPath $vault | Export-IntermediateCertificate -Path $bundle -PassThru
        $file.FullName | Should -Be $bundle
        Invoke-OpenSsl verify -CAfile $rootPem -untrusted $bundle $bundle | Should -Match ': OK'
    }

    It 'writes only the certificate with -ExcludeChain' {
        $pem = Export-IntermediateCertificate -Name 'Inspection' -ExcludeChain -VaultPath $vault
        ([regex]::Matches($pem, 'BEGIN CERTIFICATE')).Count | Should -Be 1
    }

    It 'refuses an intermediate without a certificate' {
        New-IntermediateCsr -Name 'Pending' -CommonName 'Pending CA' -Status Disabled -KeyPassword $pw -VaultPath $vault | Out-Null
        { Export-IntermediateCertificate -Name 'Pending' -VaultPath $vault -ErrorAction Stop } | Should -Throw -ErrorId 'IntermediateNotReady,*'
    }
}

Describe 'Remove-IntermediateCertificate' {
    It 'removes what Get-IntermediateCertificate pipes, in the piped object''s vault' {
        Get-IntermediateCertificate -Name 'Pending' -VaultPath $vault | Remove-IntermediateCertificate -Confirm:$false
        Get-IntermediateCertificate -Name 'Pending' -VaultPath $vault -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'keeps it with -WhatIf, and removes the default with a warning' {
        Remove-IntermediateCertificate -Name 'Inspection' -VaultPath $vault -WhatIf
        Get-IntermediateCertificate -Name 'Inspection' -VaultPath $vault | Should -Not -BeNullOrEmpty
        Remove-IntermediateCertificate -Name 'Inspection', 'Missing' -Confirm:$false -VaultPath $vault -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
        $warned.Count | Should -BeGreaterOrEqual 1
        Get-IntermediateCertificate -VaultPath $vault | Should -BeNullOrEmpty
        (Get-PkiVault -VaultPath $vault).DefaultIntermediate | Should -BeNullOrEmpty
    }
}
