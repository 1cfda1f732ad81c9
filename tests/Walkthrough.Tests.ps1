#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The README's walkthroughs, run as written: each ```powershell block under a "## Walkthrough:" heading is read from
# README.md and run statement by statement in a temp folder with $env:ZSCALERPKI_VAULT pointing at a temp vault.
# Statements marked "# Windows only" run only on Windows; Read-Host answers with a fixed password. OpenSSL stands in
# for the external CA (ca.pem/ca.key) and makes the files the third walkthrough starts from.

BeforeAll {
    . (Join-Path $PSScriptRoot 'PesterHelpers.ps1')
    $script:work = New-PkiTestFolder 'walk'
    $script:savedVault = $env:ZSCALERPKI_VAULT
    $env:ZSCALERPKI_VAULT = Join-Path $work 'vault'

    # The walkthrough blocks, keyed by heading.
    $readme = Get-Content -Raw (Join-Path $PSScriptRoot '..' 'README.md')
    $script:blocks = @{}
    foreach ($m in [regex]::Matches($readme, '(?ms)^## Walkthrough: (?<title>[^\r\n]+).*?^```powershell\r?\n(?<code>.*?)^```')) {
        $blocks[$m.Groups['title'].Value] = $m.Groups['code'].Value
    }

    # Splits a block into statements: a line ending in | or ` continues on the next; comments and blank lines are dropped.
    function Split-Statement([string] $Code) {
        $statements = [System.Collections.Generic.List[string]]::new()
        $current = ''
        foreach ($line in $Code -split "`r?`n") {
            if ($current -eq '' -and ($line.Trim() -eq '' -or $line.TrimStart().StartsWith('#'))) { continue }
            $current += $line + "`n"
            if ($line.TrimEnd() -notmatch '(\||`)$') { $statements.Add($current); $current = '' }
        }
        $statements
    }

    # One session for all walkthroughs, as a user's prompt keeps $pw from one to the next: a module's session state, in
    # which Read-Host answers with a fixed password.
    $script:session = New-Module -Name WalkthroughSession -ScriptBlock {
        function Read-Host { param([switch] $AsSecureString, [string] $Prompt) ConvertTo-SecureString 'Walkthrough-Passw0rd!' -AsPlainText -Force }
        # A user at the prompt answers "Yes" when Revoke-Certificate (ConfirmImpact High) asks.
        $ConfirmPreference = 'None'
        Export-ModuleMember
    }

    # Runs a walkthrough as a user would type it: in $work, each statement in the session, stopping at the first error.
    # What each statement printed is kept in $script:printed (statement text -> output), for checks of what users see.
    function Invoke-Walkthrough([string] $Title) {
        $blocks.ContainsKey($Title) | Should -BeTrue -Because "README.md has the walkthrough '$Title'"
        $script:printed = [ordered]@{}
        $ran = 0
        Push-Location $work
        try {
            foreach ($statement in Split-Statement $blocks[$Title]) {
                if (-not $IsWindows -and $statement -match '#\s*Windows only') { continue }
                $global:LASTEXITCODE = 0
                $output = . $session { $ErrorActionPreference = 'Stop'; $ConfirmPreference = 'None'; . ([scriptblock]::Create($args[0])) } $statement 6>&1 3>&1 | Out-String
                $LASTEXITCODE | Should -Be 0 -Because "the README statement`n$statement`nexits 0 ($output)"
                $printed[$statement] = $output
                $ran++
            }
        }
        finally { Pop-Location }
        $ran
    }

    $script:pw = ConvertTo-TestSecret 'Walkthrough-Passw0rd!'
}

AfterAll {
    $env:ZSCALERPKI_VAULT = $savedVault
    Remove-PkiTestFolder $work
}

Describe 'README walkthroughs' {
    It 'runs "enrollment CAs for ZPA" as written' {
        $ran = Invoke-Walkthrough 'enrollment CAs for ZPA'
        $ran | Should -BeGreaterOrEqual 6
        (Get-EnrollmentCertificate Contoso-ZCC).Parent | Should -Be 'Contoso-Root'
        (Get-EnrollmentCertificate AppProtection-2026).Status | Should -Be 'Active'
        Export-EnrollmentCertificate Contoso-Root -Path (Join-Path $work 'contoso-root.pem')
        Invoke-OpenSsl verify -x509_strict -CAfile (Join-Path $work 'contoso-root.pem') (Join-Path $work 'zcc-chain.pem') | Should -Match 'OK'
    }

    It 'runs "the SSL-inspection intermediate CA" as written, with OpenSSL as the external CA' {
        Push-Location $work
        try {
            Invoke-OpenSsl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -subj '/CN=Walkthrough OpenSSL CA' -days 3650 `
                -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' | Out-Null
        }
        finally { Pop-Location }
        $ran = Invoke-Walkthrough 'the SSL-inspection intermediate CA'
        $ran | Should -BeGreaterOrEqual 9
        # Every route ends in its own import, so a user who takes one route alone still imports (2c's .p7b only in 2c).
        $code = $blocks['the SSL-inspection intermediate CA']
        foreach ($route in '2a', '2b', '2c') {
            $section = [regex]::Match($code, "(?ms)^# $route\..*?(?=^# \d|\z)").Value
            $section | Should -Match 'Import-SignedIntermediate' -Because "route $route imports what it signed"
        }
        ([regex]::Matches($code, 'inspection\.p7b')).Count | Should -Be 2 -Because 'the .p7b is made and imported in route 2c only'
        $item = Get-IntermediateCertificate Inspection-2026
        $item.State | Should -Be 'CertReady'
        $item.IsDefault | Should -BeTrue
        $item.Issuer | Should -Be 'CN=Walkthrough OpenSSL CA'
        Invoke-OpenSsl verify -x509_strict -CAfile (Join-Path $work 'ca.pem') -untrusted (Join-Path $work 'inspection-chain.pem') (Join-Path $work 'inspection-chain.pem') | Should -Match 'OK'
    }

    It 'runs "will my users'' machines trust this chain?" as written' {
        $root = Export-OpenSslCa -Name Contoso-Root -KeyPassword $pw -VaultPath $env:ZSCALERPKI_VAULT -Folder $work
        Copy-Item $root.Certificate (Join-Path $work 'root.pem')
        $issuingName = 'Contoso-Issuing'
        New-EnrollmentCertificate -Name $issuingName -Parent Contoso-Root -ParentKeyPassword $pw -KeyPassword $pw | Out-Null
        $issuing = Export-OpenSslCa -Name $issuingName -KeyPassword $pw -VaultPath $env:ZSCALERPKI_VAULT -Folder $work
        Copy-Item $issuing.Certificate (Join-Path $work 'issuing.pem')
        New-OpenSslLeaf -Ca $issuing -DnsName 'www.contoso.com' -Path (Join-Path $work 'www.pem') | Out-Null
        New-OpenSslLeaf -Ca $root -DnsName 'leaf.contoso.com' -Path (Join-Path $work 'leaf.pem') | Out-Null
        New-OpenSslCrl -Ca $root -Path (Join-Path $work 'root.crl') | Out-Null
        $ran = Invoke-Walkthrough "will my users' machines trust this chain?"
        $ran | Should -Be 2
        # The -Quiet check prints True (plain PowerShell: no Pester needed to read the README).
        @($printed.Keys)[-1] | Should -Match '-Quiet'
        $printed[@($printed.Keys)[-1]] | Should -Match '(?m)^True\s*$'
        $blocks["will my users' machines trust this chain?"] | Should -Not -Match 'Should -'
        Test-CertificateChain (Join-Path $work 'www.pem') -TrustedRoot (Join-Path $work 'root.pem') -Intermediate (Join-Path $work 'issuing.pem') -DnsName www.contoso.com -Profile WebPki -Quiet |
            Should -BeTrue
    }

    It 'runs "what will users see when a site is inspected?" as written' {
        # A captured site certificate, as openssl s_client -showcerts would save it.
        $captured = Join-Path $work 'captured'
        New-Item -ItemType Directory -Path $captured -Force | Out-Null
        Invoke-OpenSsl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout (Join-Path $captured 'site.key') `
            -out (Join-Path $captured 'www.contoso.com.pem') -subj '/CN=www.contoso.com/O=Contoso' -days 200 `
            -addext 'subjectAltName=DNS:www.contoso.com,DNS:contoso.com' -addext 'extendedKeyUsage=serverAuth' -addext 'basicConstraints=critical,CA:FALSE' | Out-Null
        $ran = Invoke-Walkthrough 'what will users see when a site is inspected? (forged server certificates)'
        $ran | Should -BeGreaterOrEqual 4
        Invoke-OpenSsl x509 -in (Join-Path $work 'www-inspected.pem') -noout -subject | Should -Match 'www.contoso.com'
        Test-Path (Join-Path $work 'RootCerts.zip') | Should -BeTrue
        $forged = Get-Content -Raw (Join-Path $work 'www-inspected.pem')
        ([regex]::Matches($forged, 'BEGIN CERTIFICATE')).Count | Should -BeGreaterOrEqual 2
    }

    It 'runs "revocation and CRLs" as written' {
        $ran = Invoke-Walkthrough 'revocation and CRLs'
        $ran | Should -BeGreaterOrEqual 10
        $quiet = @($printed.Keys | Where-Object { $_ -match '-Quiet' })
        $quiet.Count | Should -Be 1
        $printed[$quiet[0]] | Should -Match '(?m)^True\s*$'
        $crl = Join-Path $work 'pki' 'Contoso-Root.crl'
        Invoke-OpenSsl crl -inform DER -in $crl -noout -CAfile (Join-Path $work 'contoso-root.pem') | Should -Match 'verify OK'
        @(Get-IssuedCertificate Contoso-Root -Revoked).Count | Should -BeGreaterOrEqual 1
        (Get-EnrollmentCertificate Contoso-Branch).Issuer | Should -Be (Get-EnrollmentCertificate Contoso-Root).Subject
    }
}
