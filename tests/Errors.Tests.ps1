#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Bad input as users meet it: each is one ErrorRecord with its catalogued ErrorId (about_ZscalerPki, ERROR IDS), the
# right category and the offending object, and nothing is left half-done.

BeforeAll {
    . (Join-Path $PSScriptRoot 'PesterHelpers.ps1')
    $script:work = New-PkiTestFolder 'errors'
    $script:vault = Join-Path $work 'vault'
    $script:pw = ConvertTo-TestSecret 'Errors-Passw0rd!'
    $script:root = New-EnrollmentCertificate -Name 'Err-Root' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault
    $script:rootPem = Join-Path $work 'root.pem'
    Export-EnrollmentCertificate -Name 'Err-Root' -Path $rootPem -VaultPath $vault

    # X509Certificate2 parents made in memory, with their keys.
    function New-MemoryCa([string] $Subject, [bool] $IsCa = $true, [string] $Usage = 'KeyCertSign, CrlSign', [int] $FromDays = -1, [int] $ToDays = 365) {
        $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
        $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new($Subject, $key, 'SHA256')
        $req.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($IsCa, $false, 0, $true))
        $req.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509KeyUsageExtension]::new($Usage, $true))
        $req.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays($FromDays), [DateTimeOffset]::UtcNow.AddDays($ToDays))
    }
}

AfterAll { Remove-PkiTestFolder $work }

Describe 'Files and paths' {
    It 'reports PathIsDirectory for an export to a folder' {
        { Export-EnrollmentCertificate Err-Root -Path $work -VaultPath $vault -ErrorAction Stop } | Should -Throw -ErrorId 'PathIsDirectory,*'
    }

    It 'reports FileWriteFailed when the target folder is a file, and leaves no temp file' {
        $blocker = Join-Path $work 'blocker'
        Set-Content -LiteralPath $blocker -Value 'x'
        $err = { Export-EnrollmentCertificate Err-Root -Path (Join-Path $blocker 'root.pem') -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'FileWriteFailed,*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'WriteError'
        Get-ChildItem -LiteralPath $work -Filter '*.tmp*' | Should -BeNullOrEmpty
    }

    It 'reports InvalidPath for a path with a NUL character' {
        { Export-EnrollmentCertificate Err-Root -Path "root`0.pem" -VaultPath $vault -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPath,*'
        { Test-CertificateChain -Certificate "bad`0.pem" -TrustedRoot $rootPem -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPath,*'
    }

    It 'reports NotAFileSystemPath for a path of another provider' {
        { Submit-CertificateRequest -Path 'Env:\PATH' -Issuer Err-Root -IssuerKeyPassword $pw -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'NotAFileSystemPath,*'
    }
}

Describe 'Inputs of the wrong kind' {
    It 'reports UnsupportedCertificateInput and UnsupportedCrlInput for objects that are neither' {
        { Test-CertificateChain -Certificate (Get-Date) -TrustedRoot $rootPem -ErrorAction Stop } | Should -Throw -ErrorId 'UnsupportedCertificateInput,*'
        { Test-CertificateChain -Certificate $root -TrustedRoot $rootPem -Crl (Get-Date) -ErrorAction Stop } | Should -Throw -ErrorId 'UnsupportedCrlInput,*'
    }

    It 'reports InputIsCertificate when a certificate is submitted as a CSR' {
        { Submit-CertificateRequest -Path $rootPem -Issuer Err-Root -IssuerKeyPassword $pw -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'InputIsCertificate,*'
    }

    It 'reports CsrWithoutCommonName for a CSR whose subject has no CN' {
        $csr = Join-Path $work 'no-cn.csr'
        Invoke-OpenSsl req -new -newkey rsa:2048 -nodes -keyout (Join-Path $work 'no-cn.key') -out $csr -subj '/O=Contoso' | Out-Null
        { Submit-CertificateRequest -Path $csr -Issuer Err-Root -IssuerKeyPassword $pw -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'CsrWithoutCommonName,*'
    }

    It 'reports CommonNameRequired for a blank common name' {
        { New-IntermediateCsr -Name 'Blank' -CommonName '   ' -KeyPassword $pw -VaultPath $vault -ErrorAction Stop } | Should -Throw -ErrorId 'CommonNameRequired,*'
        Get-IntermediateCertificate -Name 'Blank' -VaultPath $vault -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'reports TrustedRootAmbiguous for an import root that is a bundle' {
        $two = Join-Path $work 'two-roots.pem'
        Set-Content -LiteralPath $two -Value ((Get-Content -Raw $rootPem) + (Export-EnrollmentCertificate Err-Root -VaultPath $vault))
        New-IntermediateCsr -Name 'Amb' -CommonName 'Amb CA' -Path (Join-Path $work 'amb.csr') -KeyPassword $pw -VaultPath $vault | Out-Null
        $issued = Submit-CertificateRequest -Path (Join-Path $work 'amb.csr') -Issuer Err-Root -IssuerKeyPassword $pw -VaultPath $vault
        { $issued | Import-SignedIntermediate -Name 'Amb' -TrustedRoot $two -VaultPath $vault -ErrorAction Stop } | Should -Throw -ErrorId 'TrustedRootAmbiguous,*'
        (Get-IntermediateCertificate -Name 'Amb' -VaultPath $vault).State | Should -Be 'CsrGenDone'
    }

    It 'reports StoreUnavailable for a store that does not exist' {
        { Test-CertificateChain -Certificate $root -TrustedRoot 'Cert:\CurrentUser\ZpkiNoSuchStore' -ErrorAction Stop } | Should -Throw -ErrorId 'StoreUnavailable,*'
    }

    It 'reports NoTrustedRoot for an empty store' -Skip:$IsWindows {
        { Test-CertificateChain -Certificate $root -TrustedRoot 'Cert:\CurrentUser\Disallowed' -ErrorAction Stop } | Should -Throw -ErrorId 'NoTrustedRoot,*'
    }
}

Describe 'Parents that cannot sign' {
    It 'reports <Id>' -TestCases @(
        @{ Id = 'ParentNotCA'; Make = { New-MemoryCa 'CN=Leaf Not CA' -IsCa $false -Usage 'DigitalSignature' } }
        @{ Id = 'ParentCannotSign'; Make = { New-MemoryCa 'CN=CA Without CertSign' -Usage 'DigitalSignature' } }
        @{ Id = 'ParentNotValid'; Make = { New-MemoryCa 'CN=Expired CA' -FromDays -30 -ToDays -1 } }
        @{ Id = 'ParentHasNoPrivateKey'; Make = { [System.Security.Cryptography.X509Certificates.X509Certificate2]::new((New-MemoryCa 'CN=Public Only CA').RawData) } }
    ) {
        param($Id, $Make)
        $parent = & $Make
        { New-EnrollmentCertificate -Name "Under-$Id" -Parent $parent -Type Intermediate -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId "$Id,*"
        Get-EnrollmentCertificate -Name "Under-$Id" -VaultPath $vault -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'reports InvalidParent for a store location that names no single certificate' {
        { New-EnrollmentCertificate -Name 'Under-Store' -Parent 'Cert:\CurrentUser\Disallowed' -Type Intermediate -KeyPassword $pw -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidParent,*'
    }

    It 'reports StoreWriteFailed for a store this platform cannot write' -Skip:$IsWindows {
        { New-EnrollmentCertificate -Name 'To-Machine' -CertStoreLocation 'Cert:\LocalMachine\My' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'StoreWriteFailed,*'
    }
}

Describe 'A damaged vault' {
    BeforeAll {
        $script:damaged = Join-Path $work 'damaged'
        foreach ($n in 'Healthy', 'No-Key', 'Bad-Key', 'Broken', 'No-Field', 'Bad-Enum') {
            New-EnrollmentCertificate -Name $n -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $damaged | Out-Null
        }
        function Get-EntryFolder([string] $Name) { Join-Path $damaged 'enrollment' $Name }
        Remove-Item (Join-Path (Get-EntryFolder 'No-Key') 'key.p8')
        Set-Content -LiteralPath (Join-Path (Get-EntryFolder 'Bad-Key') 'key.p8') -Value 'garbage'
        Set-Content -LiteralPath (Join-Path (Get-EntryFolder 'Broken') 'entry.json') -Value '{ not json'
        $entry = Get-Content -Raw (Join-Path (Get-EntryFolder 'No-Field') 'entry.json') | ConvertFrom-Json -AsHashtable
        $entry.Remove('CertificatePem')
        $entry | ConvertTo-Json | Set-Content -LiteralPath (Join-Path (Get-EntryFolder 'No-Field') 'entry.json')
        $entry = Get-Content -Raw (Join-Path (Get-EntryFolder 'Bad-Enum') 'entry.json') | ConvertFrom-Json -AsHashtable
        $entry.Type = 7
        $entry | ConvertTo-Json | Set-Content -LiteralPath (Join-Path (Get-EntryFolder 'Bad-Enum') 'entry.json')
    }

    It 'lists the healthy entries and warns once about each corrupt one' {
        $listed = Get-EnrollmentCertificate -VaultPath $damaged -WarningVariable warned -WarningAction SilentlyContinue
        $listed.Name | Should -Be @('Bad-Key', 'Healthy', 'No-Key')
        $warned.Count | Should -Be 3
        "$warned" | Should -Match "'Broken'"
        "$warned" | Should -Match "'No-Field'.*CertificatePem"
        "$warned" | Should -Match "'Bad-Enum'"
    }

    It 'reports VaultEntryCorrupt, naming the file, for a corrupt entry asked for by name' {
        $err = { Get-EnrollmentCertificate Broken -VaultPath $damaged -WarningAction SilentlyContinue -ErrorAction Stop } |
            Should -Throw -ErrorId 'VaultEntryCorrupt,*' -PassThru
        "$($err.TargetObject)" | Should -Match 'Broken'
        { Export-EnrollmentCertificate No-Field -VaultPath $damaged -ErrorAction Stop } | Should -Throw -ErrorId 'VaultEntryCorrupt,*'
    }

    It 'reports KeyNotFound when an entry''s key file is gone' {
        { Export-EnrollmentCertificate No-Key -Format Pfx -IncludePrivateKey -Password $pw -KeyPassword $pw -Path (Join-Path $work 'nokey.pfx') -VaultPath $damaged -ErrorAction Stop } |
            Should -Throw -ErrorId 'KeyNotFound,*'
    }

    It 'reports KeyFileCorrupt when an entry''s key file is not encrypted PKCS#8' {
        { New-EnrollmentCertificate -Name 'Child' -Parent Bad-Key -KeyPassword $pw -VaultPath $damaged -ErrorAction Stop } |
            Should -Throw -ErrorId 'KeyFileCorrupt,*'
        Get-EnrollmentCertificate -Name 'Child' -VaultPath $damaged -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses a vault written by a newer version, and a vault.json that is a folder' {
        $newer = Join-Path $work 'newer'
        New-Item -ItemType Directory $newer | Out-Null
        Set-Content -LiteralPath (Join-Path $newer 'vault.json') -Value '{ "FormatVersion": 2, "Subscription": "Software" }'
        { Get-EnrollmentCertificate -VaultPath $newer -ErrorAction Stop } | Should -Throw -ErrorId 'VaultFormatUnsupported,*'
        { New-EnrollmentCertificate -Name 'X' -KeyPassword $pw -VaultPath $newer -ErrorAction Stop } | Should -Throw -ErrorId 'VaultFormatUnsupported,*'
        $folder = Join-Path $work 'folder-settings'
        New-Item -ItemType Directory (Join-Path $folder 'vault.json') | Out-Null
        { Get-PkiVault -VaultPath $folder -ErrorAction Stop } | Should -Throw -ErrorId 'VaultEntryCorrupt,*'
    }

    It 'reports VaultPathIsFile and VaultUnavailable for vault paths that cannot be folders' {
        $file = Join-Path $work 'a-file'
        Set-Content -LiteralPath $file -Value 'x'
        { Get-PkiVault -VaultPath $file -ErrorAction Stop } | Should -Throw -ErrorId 'VaultPathIsFile,*'
        { New-EnrollmentCertificate -Name 'Nowhere' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath (Join-Path $file 'vault') -ErrorAction Stop } |
            Should -Throw -ErrorId 'VaultUnavailable,*'
    }
}
