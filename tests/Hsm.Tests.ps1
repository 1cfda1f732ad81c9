#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# An HSM-protected PKI as an admin makes one, with SoftHSM2 as the token: a root enrollment CA and an SSL-inspection
# intermediate whose keys are generated in the token; the vault keeps only their references, and every signature (the root's
# self-signature, the intermediate's certificate, forged site certificates, CRLs) is made inside the token with the PIN.
# The token is created in a temp folder named by $env:SOFTHSM2_CONF, set in this session only as PowerShell sets it (.NET's
# environment; the module copies it into the native one that SoftHSM's getenv reads before it initialises SoftHSM). The
# module needs only the PKCS#11 library (Pkcs11Interop, in process); these tests need softhsm2-util to make the token, and
# use OpenSC's pkcs11-tool, when installed, only to delete a key behind the module's back.

BeforeDiscovery {
    $script:hsmAvailable = $IsLinux -and (Test-Path '/usr/lib/softhsm/libsofthsm2.so') -and [bool](Get-Command softhsm2-util -ErrorAction SilentlyContinue)
    $script:pkcs11Tool = [bool](Get-Command pkcs11-tool -ErrorAction SilentlyContinue)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'PesterHelpers.ps1')
    $script:work = New-PkiTestFolder 'hsm'
    $script:vault = Join-Path $work 'vault'
    $script:pw = ConvertTo-TestSecret 'Hsm-Vault-Passw0rd!'
    $script:module = '/usr/lib/softhsm/libsofthsm2.so'
    $script:token = 'zpki-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
    $script:pinText = '4711-pester'
    $script:pin = ConvertTo-TestSecret $pinText
}

AfterAll {
    Remove-PkiTestFolder $work
}

Describe 'HSM-protected PKI (PKCS#11 token)' -Skip:(-not $hsmAvailable) {
    BeforeAll {
        # The token lives in this test's temp folder: SOFTHSM2_CONF names it, set only as $env: (what an admin types).
        $script:conf = Join-Path $work 'softhsm2.conf'
        New-Item -ItemType Directory (Join-Path $work 'tokens') | Out-Null
        Set-Content -LiteralPath $conf -Value "directories.tokendir = $(Join-Path $work 'tokens')`nobjectstore.backend = file`nlog.level = ERROR"
        $env:SOFTHSM2_CONF = $conf
        & softhsm2-util --init-token --free --label $token --so-pin "so-$pinText" --pin $pinText 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 0
        $script:rootPem = Join-Path $work 'root.pem'
        # The token's objects as its user sees them, read in process through the module's own PKCS#11 access.
        function script:Get-TokenObject { [ZscalerPki.Core.Hsm.Pkcs11Modules]::Process.ListObjects($module, $token, $pinText) }
    }

    It 'works with SOFTHSM2_CONF set only as $env: in this session (not in the native environment SoftHSM reads)' {
        if (-not ('ZscalerPkiTests.NativeEnvironment' -as [type])) {
            Add-Type -Namespace ZscalerPkiTests -Name NativeEnvironment -MemberDefinition @'
[System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getenv")] private static extern System.IntPtr getenv(string name);
public static string Get(string name) { return System.Runtime.InteropServices.Marshal.PtrToStringUTF8(getenv(name)); }
'@
        }
        $before = [ZscalerPkiTests.NativeEnvironment]::Get('SOFTHSM2_CONF')
        $envVault = Join-Path $work 'env-vault'
        $root = New-EnrollmentCertificate -Name 'Env-Root' -KeyAlgorithm EcdsaP256 -ProtectionType Hsm -Pkcs11Module $module -Token $token -Pin $pin -VaultPath $envVault
        $root.ProtectionType | Should -Be 'Hsm'
        $envPem = Join-Path $work 'env-root.pem'
        Set-Content -LiteralPath $envPem -Value $root.Certificate.ExportCertificatePem()
        Invoke-OpenSsl verify -x509_strict -CAfile $envPem $envPem | Should -Match 'OK'
        # Before the first HSM cmdlet of this process libc did not have it (unless an earlier test file loaded the module):
        # the module copied $env: into the native environment before initialising SoftHSM.
        if ($before -ne $conf) { [ZscalerPkiTests.NativeEnvironment]::Get('SOFTHSM2_CONF') | Should -Be $conf }
        @(Get-TokenObject | Where-Object Label -eq 'Env-Root').Count | Should -Be 2
    }

    It 'makes a root enrollment CA whose key is generated in the token and signs itself there' {
        New-EnrollmentCertificate -Name 'Hsm-Root' -KeyAlgorithm EcdsaP256 -PathLength 1 -WhatIf -ProtectionType Hsm -Pkcs11Module $module -Token $token -Pin $pin -VaultPath $vault
        # -WhatIf made nothing, not even the vault folder.
        Test-Path -LiteralPath $vault | Should -BeFalse
        $root = New-EnrollmentCertificate -Name 'Hsm-Root' -KeyAlgorithm EcdsaP256 -PathLength 1 -ProtectionType Hsm -Pkcs11Module $module -Token $token -Pin $pin `
            -Cdp 'http://pki.contoso.test/hsm-root.crl' -VaultPath $vault
        $root.ProtectionType | Should -Be 'Hsm'
        $root.KeyReference | Should -Match "^pkcs11:token=$token;object=Hsm-Root;id=%[0-9A-F]{2}.*\(module $([regex]::Escape($module))\)$"
        (Get-EnrollmentCertificate -VaultPath $vault | Format-Table | Out-String) | Should -Match 'Hsm-Root\s+Root\s+None\s+Active\s+\d{4}-'
        Export-EnrollmentCertificate -Name 'Hsm-Root' -Path $rootPem -VaultPath $vault
        Invoke-OpenSsl verify -x509_strict -CAfile $rootPem $rootPem | Should -Match 'OK'
        (Get-ChildItem -Recurse -File $vault -Filter key.p8) | Should -BeNullOrEmpty
    }

    It 'never lets the root key out, and issues a software child with the root PIN' {
        { Export-EnrollmentCertificate -Name 'Hsm-Root' -IncludePrivateKey -Format Pfx -Password $pw -KeyPassword $pin -Path (Join-Path $work 'root.pfx') -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'HsmKeyNotExportable,*'
        { Export-EnrollmentCertificate -Name 'Hsm-Root' -IncludePrivateKey -Password $pw -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'HsmKeyNotExportable,*'
        Test-Path (Join-Path $work 'root.pfx') | Should -BeFalse
        $child = Get-EnrollmentCertificate -Name 'Hsm-Root' -VaultPath $vault |
            New-EnrollmentCertificate -Name 'Soft-Under-Hsm' -PathLength 0 -KeyPassword $pw -ParentKeyPassword $pin -ClientCertificateType ClientConnector
        $child.ProtectionType | Should -Be 'Software'
        $child.Parent | Should -Be 'Hsm-Root'
        $childPem = Join-Path $work 'soft-child.pem'
        Set-Content -LiteralPath $childPem -Value $child.Certificate.ExportCertificatePem()
        Invoke-OpenSsl verify -x509_strict -CAfile $rootPem $childPem | Should -Match 'OK'
        { Export-EnrollmentCertificate -Name 'Soft-Under-Hsm' -IncludePrivateKey -Password $pw -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'KeyPasswordRequired,*'
        { Get-EnrollmentCertificate -Name 'Hsm-Root' -VaultPath $vault | New-EnrollmentCertificate -Name 'Wrong-Pin' -KeyPassword $pw -ParentKeyPassword (ConvertTo-TestSecret 'nope') -ErrorAction Stop } |
            Should -Throw -ErrorId 'HsmPinIncorrect,*'
        { New-EnrollmentCertificate -Name 'Both' -ProtectionType Hsm -Pkcs11Module $module -KeyStorageProvider 'Microsoft Platform Crypto Provider' -Pin $pin -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidKeyReference,*'
        { New-EnrollmentCertificate -Name 'Mixed' -ProtectionType Software -Token $token -KeyPassword $pw -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidKeyReference,*'
        Get-EnrollmentCertificate -Name 'Wrong-Pin', 'Both', 'Mixed' -VaultPath $vault -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses HSM protection on a Software subscription' {
        { New-IntermediateCsr -Name 'Too-Early' -CommonName 'x' -ProtectionType Hsm -Pkcs11Module $module -Token $token -Pin $pin -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'HsmNotSubscribed,*'
    }

    It 'generates the key in the token, and the vault keeps only its reference' {
        Set-PkiVault -Subscription SoftwareAndHsm -VaultPath $vault
        # No -ProtectionType: naming a module and token means Hsm.
        $item = New-IntermediateCsr -Name 'Inspection-Hsm' -CommonName 'Pester HSM Inspection CA' -Pkcs11Module $module -Token $token -Pin $pin `
            -Path (Join-Path $work 'hsm.csr') -VaultPath $vault
        $item.ProtectionType | Should -Be 'Hsm'
        $item.KeyReference | Should -Match "pkcs11:token=$token;object=Inspection-Hsm"
        Invoke-OpenSsl req -in (Join-Path $work 'hsm.csr') -verify -noout | Out-Null
        $private = @(Get-TokenObject | Where-Object { $_.Class -eq 'CKO_PRIVATE_KEY' -and $_.Label -eq 'Inspection-Hsm' })
        $private | Should -HaveCount 1
        $private[0].Sensitive | Should -BeTrue
        $private[0].Extractable | Should -BeFalse
        Get-ChildItem -Recurse -File $vault | Where-Object Name -eq 'key.p8' | Where-Object DirectoryName -like '*Inspection-Hsm*' | Should -BeNullOrEmpty
        (Get-ChildItem -Recurse -File $vault | Where-Object Extension -ne '.db' | Select-String -Pattern 'PRIVATE KEY', $pinText -SimpleMatch |
            Where-Object Path -like '*Inspection-Hsm*') | Should -BeNullOrEmpty
    }

    It 'is signed, imported, and forges and publishes CRLs inside the token' {
        Submit-CertificateRequest -Path (Join-Path $work 'hsm.csr') -Issuer 'Hsm-Root' -IssuerKeyPassword $pin -VaultPath $vault |
            Import-SignedIntermediate -Name 'Inspection-Hsm' -VaultPath $vault -WarningAction SilentlyContinue | Out-Null
        $ca = Join-Path $work 'hsm-intermediate.pem'
        Export-IntermediateCertificate -Name 'Inspection-Hsm' -ExcludeChain -Path $ca -VaultPath $vault
        $forged = New-InspectionCertificate -DnsName 'www.hsm.test' -Issuer 'Inspection-Hsm' -IssuerKeyPassword $pin -VaultPath $vault
        $leaf = Join-Path $work 'hsm-issued.pem'
        Set-Content -LiteralPath $leaf -Value $forged.Certificate.ExportCertificatePem()
        Invoke-OpenSsl verify -x509_strict -purpose sslserver -CAfile $rootPem -untrusted $ca $leaf | Should -Match 'OK'
        $crl = Publish-Crl 'Inspection-Hsm' -Path (Join-Path $work 'pki') -KeyPassword $pin -VaultPath $vault
        (Test-OpenSsl crl -inform DER -in $crl.Path -CAfile $ca -noout).Output | Should -Match 'verify OK'
        # The EC root in the token forges too.
        $fromRoot = New-InspectionCertificate -DnsName 'root.hsm.test' -Issuer 'Hsm-Root' -IssuerKeyPassword $pin -VaultPath $vault
        $fromRoot.VaultPath | Should -Be $vault
        $rootLeaf = Join-Path $work 'root-leaf.pem'
        Set-Content -LiteralPath $rootLeaf -Value $fromRoot.Certificate.ExportCertificatePem()
        Invoke-OpenSsl verify -x509_strict -purpose sslserver -CAfile $rootPem $rootLeaf | Should -Match 'OK'
        (New-InspectionCertificate -DnsName 'root.hsm.test' -Issuer 'Hsm-Root' -IssuerKeyPassword $pin -VaultPath $vault).FromCache | Should -BeTrue
        $rootCrl = Publish-Crl 'Hsm-Root' -Path (Join-Path $work 'pki') -KeyPassword $pin -VaultPath $vault
        Invoke-OpenSsl verify -x509_strict -crl_check -CRLfile $rootCrl.Path -CAfile $rootPem $ca | Should -Match 'OK'
        if ($env:ZSCALERPKI_ARTIFACTS) {
            Copy-Item $rootPem (Join-Path $env:ZSCALERPKI_ARTIFACTS 'hsm-root.pem')
            Copy-Item $ca (Join-Path $env:ZSCALERPKI_ARTIFACTS 'hsm-intermediate.pem')
            Copy-Item $leaf (Join-Path $env:ZSCALERPKI_ARTIFACTS 'hsm-issued.pem')
        }
    }

    It 'refuses the mitmproxy rehearsal with one HsmKeyNotExportable error: the key never leaves the token for mitmproxy''s CA file' {
        $folders = { Get-ChildItem -LiteralPath ([IO.Path]::GetTempPath()) -Directory -Filter 'zscalerpki-mitmproxy-*' -ErrorAction SilentlyContinue | ForEach-Object FullName }
        $before = & $folders
        { Test-RootCertificateTrust -Issuer 'Inspection-Hsm' -IssuerKeyPassword $pin -ThroughMitmproxy -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'HsmKeyNotExportable,*' -ExpectedMessage "*'Inspection-Hsm' lives in an HSM*mitmproxy's CA file*"
        & $folders | Should -Be $before
    }

    It 'reports a wrong PIN and a missing module as one ErrorRecord each' {
        $wrong = ConvertTo-TestSecret 'not-the-pin'
        { New-InspectionCertificate -DnsName 'x.hsm.test' -Issuer 'Inspection-Hsm' -IssuerKeyPassword $wrong -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'HsmPinIncorrect,*'
        { New-IntermediateCsr -Name 'No-Module' -CommonName 'x' -Status Disabled -ProtectionType Hsm -Pkcs11Module '/nonexistent/lib.so' -Token $token -Pin $pin -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'HsmModuleNotFound,*'
        Get-IntermediateCertificate -Name 'No-Module' -VaultPath $vault -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'reports an absent token as one ErrorRecord, the vault and the token unchanged' {
        $before = Get-ChildItem -Recurse -File $vault | Get-FileHash | ForEach-Object { "$($_.Path) $($_.Hash)" }
        $objects = Get-TokenObject | ForEach-Object { "$($_.Class) $($_.Label) $($_.IdHex)" } | Sort-Object
        { New-IntermediateCsr -Name 'No-Token' -CommonName 'x' -Status Disabled -Pkcs11Module $module -Token 'no-such-token' -Pin $pin -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'HsmTokenNotFound,*'
        Get-ChildItem -Recurse -File $vault | Get-FileHash | ForEach-Object { "$($_.Path) $($_.Hash)" } | Should -Be $before
        Get-TokenObject | ForEach-Object { "$($_.Class) $($_.Label) $($_.IdHex)" } | Sort-Object | Should -Be $objects
    }

    # Deleting a key behind the module's back needs another PKCS#11 client (OpenSC's pkcs11-tool); xunit covers the same
    # case in process (SoftHsmTests.EachFailure_IsOneClearError).
    It 'reports a key deleted from the token as one ErrorRecord, the vault unchanged' -Skip:(-not $pkcs11Tool) {
        $before = Get-ChildItem -Recurse -File $vault | Get-FileHash | ForEach-Object { "$($_.Path) $($_.Hash)" }
        & pkcs11-tool --module $module --token-label $token --login --pin $pinText --delete-object --type privkey --label 'Inspection-Hsm' 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 0
        $err = $null
        New-InspectionCertificate -DnsName 'gone.hsm.test' -Issuer 'Inspection-Hsm' -IssuerKeyPassword $pin -VaultPath $vault -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'HsmKeyNotFound,*'
        $err[0].Exception.Message | Should -Match 'Inspection-Hsm'
        Get-ChildItem -Recurse -File $vault | Get-FileHash | ForEach-Object { "$($_.Path) $($_.Hash)" } | Should -Be $before
    }

    It 'removes an HSM CA from the vault but leaves its key in the token, with a warning' {
        Get-EnrollmentCertificate -Name 'Soft-Under-Hsm' -VaultPath $vault | Remove-EnrollmentCertificate -Confirm:$false -WarningVariable none
        $none | Should -BeNullOrEmpty
        Remove-EnrollmentCertificate -Name 'Hsm-Root' -Force -Confirm:$false -VaultPath $vault -WarningVariable kept -WarningAction SilentlyContinue
        $kept | Should -HaveCount 1
        "$kept" | Should -Match "stays in its HSM \(pkcs11:token=$token;object=Hsm-Root"
        @(Get-TokenObject | Where-Object { $_.Class -eq 'CKO_PRIVATE_KEY' -and $_.Label -eq 'Hsm-Root' }) | Should -HaveCount 1
    }
}

Describe 'HSM keys in a Windows key storage provider (CNG)' {
    BeforeAll {
        $script:kspVault = Join-Path $work 'ksp-vault'
        $script:kspName = 'Pester-Ksp-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
    }

    It 'is one clear error where CNG does not exist' -Skip:$IsWindows {
        $err = $null
        New-EnrollmentCertificate -Name 'Tpm-Root' -ProtectionType Hsm -KeyStorageProvider 'Microsoft Platform Crypto Provider' -VaultPath $kspVault -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'HsmModuleNotFound,*'
        $err[0].Exception.Message | Should -Match 'Windows'
        Get-EnrollmentCertificate -VaultPath $kspVault -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    # Windows only: CNG key storage providers exist only there (the vault flow over them runs everywhere in xunit, through a seam).
    It 'makes a root whose key stays in the Microsoft Software Key Storage Provider' -Skip:(-not $IsWindows) {
        try {
            $root = New-EnrollmentCertificate -Name $kspName -ProtectionType Hsm -KeyStorageProvider 'Microsoft Software Key Storage Provider' -VaultPath $kspVault
            $root.ProtectionType | Should -Be 'Hsm'
            $root.KeyReference | Should -Match "ZscalerPki-$kspName"
            { Export-EnrollmentCertificate -Name $kspName -IncludePrivateKey -Password $pw -Path (Join-Path $work 'ksp.pem') -VaultPath $kspVault -ErrorAction Stop } |
                Should -Throw -ErrorId 'HsmKeyNotExportable,*'
        }
        finally {
            $provider = [System.Security.Cryptography.CngProvider]::new('Microsoft Software Key Storage Provider')
            if ([System.Security.Cryptography.CngKey]::Exists("ZscalerPki-$kspName", $provider)) { [System.Security.Cryptography.CngKey]::Open("ZscalerPki-$kspName", $provider).Delete() }
        }
    }
}
