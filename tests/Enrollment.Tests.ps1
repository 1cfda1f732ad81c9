#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The enrollment CA cmdlets as admins type them: New-, Get-, Export-, Remove-EnrollmentCertificate.

BeforeAll {
    . (Join-Path $PSScriptRoot 'PesterHelpers.ps1')
    $script:work = New-PkiTestFolder 'enroll'
    $script:vault = Join-Path $work 'vault'
    $script:pw = ConvertTo-TestSecret 'Pester-Passw0rd!'
    $script:root = New-EnrollmentCertificate -Name 'Pester-Root' -Subject 'CN=Pester Enrollment Root, O=Contoso' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault
}

AfterAll { Remove-PkiTestFolder $work }

Describe 'New-EnrollmentCertificate' {
    It 'creates a root CA with the RFC 5280 CA profile, which OpenSSL reads back' {
        $root.Type | Should -Be 'Root'
        $root.Status | Should -Be 'Active'
        $root.Certificate | Should -BeOfType ([System.Security.Cryptography.X509Certificates.X509Certificate2])
        $root.Certificate.HasPrivateKey | Should -BeFalse
        $root.VaultPath | Should -Be (Resolve-Path $vault).Path
        $pem = Join-Path $work 'root-profile.pem'
        Export-EnrollmentCertificate -Name 'Pester-Root' -Path $pem -VaultPath $vault
        $text = Invoke-OpenSsl x509 -in $pem -noout -text
        $text | Should -Match 'X509v3 Basic Constraints: critical\s+CA:TRUE'
        $text | Should -Match 'X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign'
        $text | Should -Match 'Subject: O\s*=\s*Contoso, CN\s*=\s*Pester Enrollment Root'
    }

    It 'takes the parent from the pipeline, and the piped object brings its vault' {
        # No -VaultPath here: the parent's VaultPath property binds from the pipeline.
        $sub = Get-EnrollmentCertificate -Name 'Pester-Root' -VaultPath $vault |
            New-EnrollmentCertificate -Name 'Pester-ZCC' -ClientCertificateType ClientConnector -KeyAlgorithm EcdsaP256 -KeyPassword $pw
        $sub.Type | Should -Be 'Intermediate'
        $sub.Parent | Should -Be 'Pester-Root'
        $sub.ClientCertificateType | Should -Be 'ClientConnector'
        $sub.Issuer | Should -Be $root.Subject
        (Get-EnrollmentCertificate -Name 'Pester-ZCC' -VaultPath $vault).Thumbprint | Should -Be $sub.Thumbprint
    }

    It 'signs with an X509Certificate2 parent that carries its private key' {
        $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
        $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=Pester External CA', $key, 'SHA256')
        $req.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
        $req.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509KeyUsageExtension]::new('KeyCertSign, CrlSign', $true))
        $external = $req.CreateSelfSigned([DateTimeOffset]::UtcNow.AddMinutes(-5), [DateTimeOffset]::UtcNow.AddYears(2))
        $sub = New-EnrollmentCertificate -Name 'Under-External' -Parent $external -Type Intermediate -PathLength 0 -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault
        $sub.Issuer | Should -Be 'CN=Pester External CA'
        Test-CertificateChain -Certificate $sub -TrustedRoot $external -Quiet | Should -BeTrue
    }

    It 'clamps an intermediate to its parent''s lifetime with a warning' {
        $sub = New-EnrollmentCertificate -Name 'Pester-Long' -Parent 'Pester-Root' -ValidityDays 36500 -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings.Count | Should -Be 1
        "$warnings" | Should -Match 'never outlives its parent'
        $sub.NotAfter | Should -BeLessOrEqual $root.NotAfter
    }

    It 'keeps only one active AppProtection CA and says which it replaced' {
        New-EnrollmentCertificate -Name 'AppProt-1' -ClientCertificateType AppProtection -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault | Out-Null
        New-EnrollmentCertificate -Name 'AppProt-2' -ClientCertificateType AppProtection -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault -WarningVariable warned -InformationVariable replaced | Out-Null
        # Replacing is what was asked for: said on the information stream, not as a warning (issue 20).
        "$replaced" | Should -Match 'AppProt-1'
        "$warned" | Should -Not -Match 'AppProt-1'
        $app = Get-EnrollmentCertificate -ClientCertificateType AppProtection -VaultPath $vault
        ($app | Where-Object Status -eq 'Active').Name | Should -Be 'AppProt-2'
        ($app | Where-Object Status -eq 'Replaced').Name | Should -Be 'AppProt-1'
    }

    It 'does nothing with -WhatIf' {
        New-EnrollmentCertificate -Name 'Pester-WhatIf' -KeyPassword $pw -VaultPath $vault -WhatIf
        Get-EnrollmentCertificate -Name 'Pester-WhatIf' -VaultPath $vault -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'uses $env:ZSCALERPKI_VAULT when -VaultPath is not given' {
        $saved = $env:ZSCALERPKI_VAULT
        try {
            $env:ZSCALERPKI_VAULT = Join-Path $work 'env-vault'
            New-EnrollmentCertificate -Name 'From-Env' -KeyAlgorithm EcdsaP256 -KeyPassword $pw | Out-Null
            (Get-EnrollmentCertificate).Name | Should -Be 'From-Env'
            (Get-PkiVault).Path | Should -Be $env:ZSCALERPKI_VAULT
        }
        finally { $env:ZSCALERPKI_VAULT = $saved }
    }

    It 'refuses bad input with one ErrorRecord naming the rule' -TestCases @(
        @{ Id = 'InvalidName'; Splat = @{ Name = 'a b' } }
        @{ Id = 'InvalidName'; Splat = @{ Name = 'x/y' } }
        @{ Id = 'InvalidName'; Splat = @{ Name = 'ü' } }
        @{ Id = 'NameAlreadyExists'; Splat = @{ Name = 'PESTER-ROOT' } }
        @{ Id = 'InvalidSubject'; Splat = @{ Name = 'Bad-Subject'; Subject = 'no equals sign' } }
        @{ Id = 'ParentRequired'; Splat = @{ Name = 'No-Parent'; Type = 'Intermediate' } }
        @{ Id = 'ParentNotAllowed'; Splat = @{ Name = 'Root-With-Parent'; Type = 'Root'; Parent = 'Pester-Root' } }
        @{ Id = 'ValidityConflict'; Splat = @{ Name = 'Both-Dates'; ValidityDays = 10; NotAfter = (Get-Date).AddDays(20) } }
        @{ Id = 'InvalidStoreLocation'; Splat = @{ Name = 'Bad-Store'; CertStoreLocation = 'Cert:\Nowhere\My' } }
    ) {
        param($Id, $Splat)
        { New-EnrollmentCertificate @Splat -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId "$Id,ZscalerPki.Commands.NewEnrollmentCertificateCommand"
    }

    It 'reports a wrong parent password as WrongKeyPassword, with the parent as target' {
        $wrong = ConvertTo-TestSecret 'typo'
        $err = { New-EnrollmentCertificate -Name 'Pester-Bad' -Parent 'Pester-Root' -KeyPassword $pw -ParentKeyPassword $wrong -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'WrongKeyPassword*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        "$($err.TargetObject)" | Should -Be 'Pester-Root'
        Get-EnrollmentCertificate -Name 'Pester-Bad' -VaultPath $vault -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses to sign under a parent with path length 0' {
        { New-EnrollmentCertificate -Name 'Too-Deep' -Parent 'Under-External' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParentPathLengthExceeded*'
    }
}

Describe 'Get-EnrollmentCertificate' {
    It 'lists by name, wildcard and type' {
        (Get-EnrollmentCertificate -Name 'pester-*' -VaultPath $vault).Name | Should -Contain 'Pester-ZCC'
        (Get-EnrollmentCertificate -Type Root -VaultPath $vault).Name | Should -Contain 'Pester-Root'
        (Get-EnrollmentCertificate -Type Root -VaultPath $vault).Name | Should -Not -Contain 'Pester-ZCC'
    }

    It 'reports a missing name as one non-terminating error and returns the others' {
        $found = Get-EnrollmentCertificate -Name 'Pester-Root', 'Missing-One', 'Pester-ZCC' -VaultPath $vault -ErrorVariable errs -ErrorAction SilentlyContinue
        $found.Name | Should -Be @('Pester-Root', 'Pester-ZCC')
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'NotFound,ZscalerPki.Commands.GetEnrollmentCertificateCommand'
        $errs[0].TargetObject | Should -Be 'Missing-One'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'shows the table the format file promises' {
        $text = Get-EnrollmentCertificate -Name 'Pester-ZCC' -VaultPath $vault | Out-String -Width 200
        $text | Should -Match 'Name\s+Type\s+ClientCertificateType\s+Status\s+NotAfter'
        $text | Should -Match 'Pester-ZCC\s+Intermediate\s+ClientConnector\s+Active\s+\d{4}-\d{2}-\d{2}'
    }

    It 'completes vault names with Tab, from the vault on the command line' {
        $line = "Get-EnrollmentCertificate -VaultPath '$vault' -Name Pester-Z"
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $completion.CompletionMatches.CompletionText | Should -Contain 'Pester-ZCC'
    }
}

Describe 'Export-EnrollmentCertificate' {
    It 'writes PEM to the pipeline without -Path' {
        $pem = Export-EnrollmentCertificate -Name 'Pester-Root' -VaultPath $vault
        $pem | Should -BeOfType ([string])
        $pem | Should -Match '^-----BEGIN CERTIFICATE-----'
    }

    It 'writes the chain leaf first with -PassThru, and OpenSSL verifies it' {
        $chain = Join-Path $work 'zcc-chain.pem'
        $rootPem = Join-Path $work 'root.pem'
        $file = Get-EnrollmentCertificate -Name 'Pester-ZCC' -VaultPath $vault | Export-EnrollmentCertificate -IncludeChain -Path $chain -PassThru
        $file | Should -BeOfType ([System.IO.FileInfo])
        $file.FullName | Should -Be $chain
        Export-EnrollmentCertificate -Name 'Pester-Root' -Path $rootPem -VaultPath $vault -Force
        ([regex]::Matches((Get-Content $chain -Raw), 'BEGIN CERTIFICATE')).Count | Should -Be 2
        Invoke-OpenSsl verify -x509_strict -CAfile $rootPem $chain | Should -Match 'OK'
    }

    It 'refuses to overwrite without -Force, and replaces with it' {
        $target = Join-Path $work 'twice.pem'
        Export-EnrollmentCertificate -Name 'Pester-Root' -Path $target -VaultPath $vault
        { Export-EnrollmentCertificate -Name 'Pester-Root' -Path $target -VaultPath $vault -ErrorAction Stop } | Should -Throw -ErrorId 'FileExists*'
        Export-EnrollmentCertificate -Name 'Pester-ZCC' -Path $target -VaultPath $vault -Force
        Invoke-OpenSsl x509 -in $target -noout -subject | Should -Match 'Pester'
    }

    It 'exports DER that OpenSSL reads, to a -LiteralPath with brackets' {
        $der = Join-Path $work 'root[1].cer'
        Export-EnrollmentCertificate -Name 'Pester-Root' -Format Der -LiteralPath $der -VaultPath $vault
        Invoke-OpenSsl x509 -inform DER -in $der -noout -subject | Should -Match 'Pester Enrollment Root'
    }

    It 'exports a PFX with the key that OpenSSL opens with the password' {
        $pfx = Join-Path $work 'zcc.pfx'
        $exportPw = ConvertTo-TestSecret 'Pfx-Passw0rd!'
        Export-EnrollmentCertificate -Name 'Pester-ZCC' -Format Pfx -IncludePrivateKey -IncludeChain -Password $exportPw -KeyPassword $pw -Path $pfx -VaultPath $vault
        $text = Invoke-OpenSsl pkcs12 -in $pfx -passin 'pass:Pfx-Passw0rd!' -nodes
        ([regex]::Matches($text, 'BEGIN CERTIFICATE')).Count | Should -Be 2
        $text | Should -Match 'BEGIN PRIVATE KEY'
        if (-not $IsWindows) { (Get-Item $pfx).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') }
        (Test-OpenSsl pkcs12 -in $pfx -passin 'pass:Pfx-Passw0rd!' -info -noout).Output | Should -Match 'MAC: sha256'
        $legacy = Join-Path $work 'zcc-legacy.pfx'
        Export-EnrollmentCertificate -Name 'Pester-ZCC' -Format Pfx -Legacy -IncludePrivateKey -Password $exportPw -KeyPassword $pw -Path $legacy -VaultPath $vault
        (Test-OpenSsl pkcs12 -legacy -in $legacy -passin 'pass:Pfx-Passw0rd!' -info -noout).Output | Should -Match 'MAC: sha1'
    }

    It 'refuses what a format cannot hold, and a key without a password' {
        { Export-EnrollmentCertificate -Name 'Pester-ZCC' -Format Der -IncludeChain -Path (Join-Path $work 'x.der') -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'FormatCannotHoldChain*'
        { Export-EnrollmentCertificate -Name 'Pester-ZCC' -Format Pfx -IncludePrivateKey -KeyPassword $pw -Path (Join-Path $work 'y.pfx') -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'ExportPasswordRequired*'
        { Export-EnrollmentCertificate -Name 'Pester-ZCC' -Format Der -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'PathRequired*'
    }

    It 'writes nothing with -WhatIf' {
        $target = Join-Path $work 'whatif.pem'
        Export-EnrollmentCertificate -Name 'Pester-Root' -Path $target -VaultPath $vault -WhatIf
        Test-Path $target | Should -BeFalse
    }
}

Describe 'Remove-EnrollmentCertificate' {
    It 'removes what Get-EnrollmentCertificate pipes, in the piped object''s vault' {
        Get-EnrollmentCertificate -Name 'AppProt-1' -VaultPath $vault | Remove-EnrollmentCertificate -Confirm:$false
        Get-EnrollmentCertificate -Name 'AppProt-1' -VaultPath $vault -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'keeps the entry with -WhatIf' {
        Remove-EnrollmentCertificate -Name 'AppProt-2' -VaultPath $vault -WhatIf
        Get-EnrollmentCertificate -Name 'AppProt-2' -VaultPath $vault | Should -Not -BeNullOrEmpty
    }

    It 'goes on past a missing name, with one non-terminating error' {
        Remove-EnrollmentCertificate -Name 'No-Such-CA', 'AppProt-2' -VaultPath $vault -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'NotFound,*'
        Get-EnrollmentCertificate -Name 'AppProt-2' -VaultPath $vault -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses a CA with children unless -Force' {
        { Remove-EnrollmentCertificate -Name 'Pester-Root' -VaultPath $vault -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'HasChildren*'
        Remove-EnrollmentCertificate -Name 'Pester-Root' -Force -VaultPath $vault -Confirm:$false
        Get-EnrollmentCertificate -Name 'Pester-Root' -VaultPath $vault -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Certificate store parents' {
    It 'signs with a CA whose key is in a CurrentUser store, named by Cert:\ path and thumbprint' {
        $storeName = 'ZscalerPkiPester' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
        $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=Pester Store CA', $key, 'SHA256')
        $req.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
        $req.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509KeyUsageExtension]::new('KeyCertSign, CrlSign', $true))
        $ca = $req.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddYears(2))
        $persisted = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($ca.Export('Pkcs12', 'x'), 'x', 'PersistKeySet, Exportable, UserKeySet')
        $store = [System.Security.Cryptography.X509Certificates.X509Store]::new($storeName, 'CurrentUser')
        $store.Open('ReadWrite')
        try {
            $store.Add($persisted)
            $sub = New-EnrollmentCertificate -Name 'Under-Store' -Parent "Cert:\CurrentUser\$storeName\$($ca.Thumbprint)" -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault
            $sub.Issuer | Should -Be 'CN=Pester Store CA'
            $sub.Type | Should -Be 'Intermediate'
            { New-EnrollmentCertificate -Name 'Under-Nothing' -Parent "Cert:\CurrentUser\$storeName\$('0' * 40)" -KeyPassword $pw -VaultPath $vault -ErrorAction Stop } |
                Should -Throw -ErrorId 'CertificateNotFound,*'
        }
        finally {
            foreach ($c in @($store.Certificates)) { $store.Remove($c) }
            $store.Close()
        }
    }

    It 'says a vault that does not exist is missing (VaultNotFound), and does not create it' {
        $missing = Join-Path $work 'not-yet'
        { Get-EnrollmentCertificate -VaultPath $missing -ErrorAction Stop } | Should -Throw -ErrorId 'VaultNotFound,*'
        Test-Path $missing | Should -BeFalse
    }
}

Describe 'Windows certificate store parents' -Skip:(-not $IsWindows) {
    It 'signs an intermediate with a CA from Cert:\CurrentUser\My' {
        $ca = New-SelfSignedCertificate -Subject 'CN=Pester Store CA' -CertStoreLocation 'Cert:\CurrentUser\My' -KeyUsage 'CertSign', 'CRLSign' -TextExtension @('2.5.29.19={critical}{text}ca=1')
        try {
            $sub = New-EnrollmentCertificate -Name 'Under-WinStore' -Parent "Cert:\CurrentUser\My\$($ca.Thumbprint)" -KeyPassword $pw -VaultPath $vault
            $sub.Issuer | Should -Be $ca.Subject
        }
        finally {
            Remove-Item "Cert:\CurrentUser\My\$($ca.Thumbprint)" -DeleteKey
        }
    }
}
