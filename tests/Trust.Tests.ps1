#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 tests for installing and proving trust (issue 21): Install-/Uninstall-RootCertificate, Get-/Test-RootCertificateTrust,
# end to end with the real clients of this machine, headless Firefox and Chromium included when installed (the mitmproxy
# rehearsal is tests/Rehearsal.Tests.ps1). Nothing here touches this machine's real trust: per-user stores live under
# a temp HOME, the machine's stores are changed only inside a private mount namespace (unshare -m) over temp copies, and the
# real /etc/ssl/certs/ca-certificates.crt and HOME are checked unchanged at the end.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' 'out' 'ZscalerPki' 'ZscalerPki.psd1') -Force
    $script:pw = ConvertTo-SecureString 'Pester-Trust-1!' -AsPlainText -Force
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ('zpki-trust-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $work | Out-Null
    $script:vault = Join-Path $work 'vault'

    # What this machine's own trust looks like now (checked unchanged in AfterAll).
    $script:realHome = $env:HOME
    $script:watched = @('/etc/ssl/certs/ca-certificates.crt', '/etc/ssl/certs/java/cacerts') +
        (@('.profile', '.bash_profile', '.bashrc', '.gitconfig', '.npmrc', '.wgetrc', '.condarc', '.config/pip/pip.conf', '.local/share/ZscalerPki/trust-journal.json') | ForEach-Object { Join-Path $realHome $_ })
    function Get-Fingerprints([string[]] $Paths) {
        $h = [ordered]@{}
        foreach ($p in $Paths) { $h[$p] = if (Test-Path -LiteralPath $p -PathType Leaf) { (Get-FileHash -LiteralPath $p -Algorithm SHA256).Hash } else { 'absent' } }
        $h
    }
    $script:realBefore = Get-Fingerprints $watched
    $script:savedEnv = @{}
    foreach ($v in 'HOME', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS', 'CURL_CA_BUNDLE', 'AWS_CA_BUNDLE', 'JAVA_TOOL_OPTIONS', 'GIT_SSL_CAINFO') {
        $savedEnv[$v] = [Environment]::GetEnvironmentVariable($v)
    }

    # A root, an issuing CA below it (the loopback server's leaf is forged below that), and a temp HOME with files of its own.
    $script:root = New-EnrollmentCertificate -Name 'Trust-Root' -Subject 'CN=Pester Trust Root, O=Pester' -PathLength 1 -KeyPassword $pw -VaultPath "$vault"
    New-EnrollmentCertificate -Name 'Trust-Issuing' -Parent 'Trust-Root' -PathLength 0 -KeyPassword $pw -VaultPath "$vault" | Out-Null
    $script:rootPem = Join-Path $work 'root.pem'
    Export-EnrollmentCertificate -Name 'Trust-Root' -Path "$rootPem" -VaultPath "$vault"

    $script:testHome = Join-Path $work 'home'
    New-Item -ItemType Directory -Path (Join-Path $testHome '.config/pip') -Force | Out-Null
    Set-Content -LiteralPath (Join-Path $testHome '.profile') -Value "# the user's own profile`nexport EDITOR=vi" -NoNewline
    Set-Content -LiteralPath (Join-Path $testHome '.gitconfig') -Value "[user]`n`tname = Pester`n[http]`n`tpostBuffer = 1048576`n"
    Set-Content -LiteralPath (Join-Path $testHome '.config/pip/pip.conf') -Value "[global]`ntimeout = 60`n"
    Set-Content -LiteralPath (Join-Path $testHome '.npmrc') -Value "fund=false" -NoNewline
    # An NSS database (Chromium's ~/.pki/nssdb) when certutil is here, so the NSS store is exercised too.
    $script:nssdb = Join-Path $testHome '.pki/nssdb'
    $script:hasCertutil = [bool](Get-Command certutil -ErrorAction SilentlyContinue)
    if ($hasCertutil) {
        New-Item -ItemType Directory -Path $nssdb -Force | Out-Null
        & certutil -N -d "sql:$nssdb" --empty-password 2>&1 | Out-Null
    }
    $env:HOME = $testHome
    # Firefox, when installed, started once headless in the temp HOME: that creates its default profile with cert9.db as a
    # real user's first start does (profiles.ini + installs.ini; ~/.config/mozilla/firefox for Firefox >= 147, else ~/.mozilla).
    $script:firefox = @('firefox', 'firefox-esr' | ForEach-Object { Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue } | Select-Object -First 1)
    $script:hasChromium = [bool](@('chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome' | ForEach-Object { Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue }).Count)
    if ($firefox) {
        & $firefox[0].Source --headless --screenshot (Join-Path $work 'first-start.png') about:blank 2>&1 | Out-Null
        $script:firefoxProfile = Get-ChildItem -Path (Join-Path $testHome '.mozilla/firefox'), (Join-Path $testHome '.config/mozilla/firefox') -Filter cert9.db -Recurse -ErrorAction SilentlyContinue | Select-Object -First 1 | ForEach-Object DirectoryName
    }
    foreach ($v in 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS', 'CURL_CA_BUNDLE', 'AWS_CA_BUNDLE', 'JAVA_TOOL_OPTIONS') { [Environment]::SetEnvironmentVariable($v, $null) }

    # Every file and folder under the temp HOME with its hash; PowerShell's own cache (written by the child pwsh) is not ours.
    function Get-HomeSnapshot {
        Get-ChildItem -LiteralPath $testHome -Recurse -Force | Where-Object { $_.FullName -notmatch '/(\.cache|\.local/share/powershell)(/|$)' } |
            ForEach-Object { '{0} {1}' -f $_.FullName.Substring($testHome.Length), $(if ($_.LinkType) { 'link ' + $_.LinkTarget } elseif ($_.PSIsContainer) { 'dir' } else { (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash }) } |
            Sort-Object
    }
    function Invoke-Clients { Test-RootCertificateTrust -Issuer 'Trust-Issuing' -IssuerKeyPassword $pw -VaultPath "$vault" }
    function Format-Verdicts($Results) { ($Results | ForEach-Object { '{0}={1}' -f $_.Client, $_.Trusted }) -join ' ' }
}

AfterAll {
    foreach ($v in $savedEnv.Keys) { [Environment]::SetEnvironmentVariable($v, $savedEnv[$v]) }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Install-RootCertificate refuses what must not be a trust anchor' {
    BeforeAll {
        Add-Type -AssemblyName System.Security.Cryptography
        function New-SelfSigned([string] $Cn, [bool] $Ca, [bool] $BasicConstraints, [datetimeoffset] $From, [datetimeoffset] $To) {
            $key = [Security.Cryptography.ECDsa]::Create([Security.Cryptography.ECCurve+NamedCurves]::nistP256)
            $req = [Security.Cryptography.X509Certificates.CertificateRequest]::new("CN=$Cn", $key, [Security.Cryptography.HashAlgorithmName]::SHA256)
            if ($BasicConstraints) { $req.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($Ca, $false, 0, $true)) }
            $req.CreateSelfSigned($From, $To)
        }
    }

    It 'refuses a leaf with LeafNotTrustAnchor, a certificate without CA:TRUE with NotCaCertificate, an expired root with CertificateExpired, an intermediate with RootNotFound; each one error, nothing installed' {
        $leaf = New-InspectionCertificate -DnsName 'leaf.pester.test' -Issuer 'Trust-Issuing' -IssuerKeyPassword $pw -VaultPath "$vault"
        $noCa = New-SelfSigned 'No CA' $false $false ([datetimeoffset]::UtcNow.AddDays(-1)) ([datetimeoffset]::UtcNow.AddDays(30))
        $expired = New-SelfSigned 'Expired Root' $true $true ([datetimeoffset]::UtcNow.AddDays(-30)) ([datetimeoffset]::UtcNow.AddDays(-1))
        $issuing = (Get-EnrollmentCertificate -Name 'Trust-Issuing' -VaultPath "$vault").Certificate
        $errs = $null
        Install-RootCertificate -Certificate $leaf.Certificate, $noCa, $expired, $issuing -Store Curl -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 4
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'LeafNotTrustAnchor,*'
        $errs[0].Exception.Message | Should -Match 'leaf.pester.test'
        $errs[1].FullyQualifiedErrorId | Should -BeLike 'NotCaCertificate,*'
        $errs[2].FullyQualifiedErrorId | Should -BeLike 'CertificateExpired,*'
        $errs[3].FullyQualifiedErrorId | Should -BeLike 'RootNotFound,*'
        Test-Path (Join-Path $testHome '.local/share/ZscalerPki/trust-journal.json') | Should -BeFalse
    }

    It 'says TrustClientNotFound when none of the clients asked for is on PATH' {
        $savedPath = $env:PATH
        $env:PATH = $work
        try {
            { Test-RootCertificateTrust -Issuer 'Trust-Issuing' -IssuerKeyPassword $pw -VaultPath "$vault" -Client curl -ErrorAction Stop } |
                Should -Throw -ErrorId 'TrustClientNotFound*' -ExpectedMessage '*curl*PATH*'
        }
        finally { $env:PATH = $savedPath }
    }

    It 'says so when a root to uninstall is not in the journal, and changes nothing' {
        $before = Get-HomeSnapshot
        $w = $null
        Uninstall-RootCertificate -Certificate "$rootPem" -WarningVariable w -WarningAction SilentlyContinue
        $w | Should -Match 'is not in the trust journal'
        Get-HomeSnapshot | Should -Be $before
    }

    It 'names an unknown -Store with TrustStoreNotFound and the stores there are' {
        { Install-RootCertificate -Path "$rootPem" -Store Netscape -ErrorAction Stop } | Should -Throw -ErrorId 'TrustStoreNotFound*' -ExpectedMessage '*Netscape*Curl*'
    }
}

Describe 'A store that cannot be written' {
    It 'is one TrustStoreWriteFailed error naming the store and the fix; the other stores still install, and -WhatIf changes nothing' {
        $before = Get-HomeSnapshot
        Install-RootCertificate -Path "$rootPem" -Store Curl, Git -WhatIf
        Get-HomeSnapshot | Should -Be $before

        # ~/.gitconfig is a folder here: git's setting cannot be written.
        $saved = Get-Content -Raw -LiteralPath (Join-Path $testHome '.gitconfig')
        Remove-Item -LiteralPath (Join-Path $testHome '.gitconfig') -Force
        New-Item -ItemType Directory -Path (Join-Path $testHome '.gitconfig') | Out-Null
        try {
            $errs = $null
            $done = Install-RootCertificate -Path "$rootPem" -Store Curl, Git -PassThru -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'TrustStoreWriteFailed,*'
            $errs[0].Exception.Message | Should -Match 'The Git store .*\.gitconfig.*Check that ~/.gitconfig is a writable file'
            $done.Store | Should -Be @('Curl')
            $env:CURL_CA_BUNDLE | Should -BeLike '*/ZscalerPki/ca-bundle.pem'
            (Get-RootCertificateTrust -Store Curl).Installed | Should -BeTrue
        }
        finally {
            Uninstall-RootCertificate
            Remove-Item -LiteralPath (Join-Path $testHome '.gitconfig') -Recurse -Force
            Set-Content -LiteralPath (Join-Path $testHome '.gitconfig') -Value $saved -NoNewline
        }
        $env:CURL_CA_BUNDLE | Should -BeNullOrEmpty
        Test-Path (Join-Path $testHome '.local/share/ZscalerPki/ca-bundle.pem') | Should -BeFalse
    }
}

Describe 'Every client on this machine, before and after Install-RootCertificate and after Uninstall-RootCertificate (per user, temp HOME)' {
    It 'refuses the chain before, accepts it after the install (in a new bash -lc), refuses it after the uninstall; every touched file byte-identical' {
        $before = Invoke-Clients
        $before.Count | Should -BeGreaterOrEqual 3 -Because 'curl, openssl and pwsh are always here'
        $before | Where-Object Trusted | ForEach-Object Client | Should -BeNullOrEmpty
        $before | ForEach-Object { $_.Error | Should -Not -BeNullOrEmpty; $_.Fix | Should -Match 'Install-RootCertificate' }
        # The browsers take part when installed, with the error they report themselves.
        if ($firefox) {
            $firefoxProfile | Should -Not -BeNullOrEmpty -Because 'Firefox created its profile in the temp HOME'
            ($before | Where-Object Client -EQ 'firefox').Error | Should -Match 'SEC_ERROR_UNKNOWN_ISSUER|MOZILLA_PKIX_ERROR_'
        }
        if ($hasChromium) { ($before | Where-Object Client -EQ 'chromium').Error | Should -Match '^net::ERR_CERT_' }
        $homeBefore = Get-HomeSnapshot

        $installed = Install-RootCertificate -Path "$rootPem" -PassThru
        $installed.Action | Sort-Object -Unique | Should -Be 'Installed'
        @($installed.Store) | Should -Contain 'Curl'
        # idempotent: a second run changes nothing
        $afterFirst = Get-HomeSnapshot
        (Install-RootCertificate -Path "$rootPem" -PassThru).Action | Sort-Object -Unique | Should -Be 'AlreadyInstalled'
        Get-HomeSnapshot | Should -Be $afterFirst
        (Get-Content -Raw -LiteralPath (Join-Path $testHome '.profile')) | Should -Match '(?s)^# the user''s own profile\nexport EDITOR=vi\n# >>> ZscalerPki trust'
        (Get-Content -Raw -LiteralPath (Join-Path $testHome '.config/pip/pip.conf')) | Should -Match '(?s)\[global\]\ncert = .*ca-bundle.pem\ntimeout = 60'
        Get-RootCertificateTrust | Where-Object { $_.Scope -eq 'CurrentUser' } | ForEach-Object { $_.Installed | Should -BeTrue -Because "$($_.Store): $($_.Detail)" }

        if ($hasCertutil) {
            (Get-RootCertificateTrust -Store NSS).Installed | Should -BeTrue
            (& certutil -L -d "sql:$nssdb" 2>&1 | Out-String) | Should -Match 'ZscalerPki [0-9A-F]{16}\s+C,,'
            if ($firefoxProfile) { (& certutil -L -d "sql:$firefoxProfile" 2>&1 | Out-String) | Should -Match 'ZscalerPki [0-9A-F]{16}\s+C,,' -Because 'the install writes the root into the Firefox profile' }
        }

        $after = Invoke-Clients
        $after | Where-Object { -not $_.Trusted } | ForEach-Object { "$($_.Client): $($_.Error)" } | Should -BeNullOrEmpty
        $after.Count | Should -Be $before.Count
        (Test-RootCertificateTrust -Issuer 'Trust-Issuing' -IssuerKeyPassword $pw -VaultPath "$vault" -Client curl -Quiet) | Should -BeTrue

        Uninstall-RootCertificate
        $gone = Invoke-Clients
        $gone | Where-Object Trusted | ForEach-Object Client | Should -BeNullOrEmpty
        Get-HomeSnapshot | Should -Be $homeBefore
        if ($hasCertutil) { (& certutil -L -d "sql:$nssdb" 2>&1 | Out-String) | Should -Not -Match 'ZscalerPki' }
        if ($firefox) { @($gone | Where-Object Client -EQ 'firefox').Count | Should -Be 1 }
        if ($hasChromium) { @($gone | Where-Object Client -EQ 'chromium').Count | Should -Be 1 }
        $env:SSL_CERT_FILE | Should -BeNullOrEmpty
        (Get-RootCertificateTrust -Path "$rootPem" | Where-Object Installed) | Should -BeNullOrEmpty

        $table = foreach ($c in $before) {
            '{0,-16} {1,-7} {2,-7} {3,-7} {4}' -f $c.Client, $c.Trusted, ($after | Where-Object Client -EQ $c.Client).Trusted, ($gone | Where-Object Client -EQ $c.Client).Trusted, $c.Version
        }
        Write-Host ("client           before  install uninstall version`n" + ($table -join "`n"))
        foreach ($c in $before) { Write-Host ('{0}: before: {1} | after uninstall: {2}' -f $c.Client, $c.Error, ($gone | Where-Object Client -EQ $c.Client).Error) }
    }
}

Describe 'A user without a Firefox profile' {
    It 'gets a firefox result that says so: Trusted False, the missing profile named, the fix to start Firefox once and install into NSS' {
        if (-not $firefox) { Set-ItResult -Skipped -Because 'Firefox is not installed'; return }
        $empty = Join-Path $work 'home-without-firefox'
        New-Item -ItemType Directory -Path $empty -Force | Out-Null
        $env:HOME = $empty
        try {
            $r = Test-RootCertificateTrust -Issuer 'Trust-Issuing' -IssuerKeyPassword $pw -VaultPath "$vault" -Client firefox
        }
        finally { $env:HOME = $testHome }
        $r.Trusted | Should -BeFalse
        $r.Error | Should -Match 'No Firefox profile .*cert9\.db.*profiles\.ini'
        $r.Fix | Should -Be 'Start Firefox once (it creates its profile), then Install-RootCertificate -Store NSS'
        Get-ChildItem -LiteralPath $empty -Force | ForEach-Object Name | Should -BeNullOrEmpty -Because 'nothing is created in a home without a profile'
    }
}

Describe 'The machine''s stores (-Scope LocalMachine) in a private mount namespace' {
    BeforeAll {
        $script:unshare = $false
        if ((Get-Command unshare -ErrorAction SilentlyContinue) -and (Get-Command update-ca-certificates -ErrorAction SilentlyContinue) -and ((& id -u) -eq '0')) {
            & unshare -m true 2>$null
            $script:unshare = $LASTEXITCODE -eq 0
        }
    }

    It 'installs into the OS store (update-ca-certificates) and Java, the OS clients accept, and the uninstall leaves the OS bundle byte-identical' {
        if (-not $unshare) { Set-ItResult -Skipped -Because 'unshare -m is not permitted here (needs root) or update-ca-certificates is missing'; return }
        $out = Join-Path $work 'machine.json'
        $inner = Join-Path $PSScriptRoot 'Trust.Machine.ps1'
        $module = Join-Path $PSScriptRoot '..' 'out' 'ZscalerPki' 'ZscalerPki.psd1'
        $pwsh = (Get-Process -Id $PID).Path
        $pwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        $script = @'
set -e
w="$1"; shift
for d in /etc/ssl/certs /usr/local/share/ca-certificates; do mkdir -p "$w/ns$d"; cp -a "$d/." "$w/ns$d/"; mount --bind "$w/ns$d" "$d"; done
mkdir -p "$w/ns/var-lib"; mount --bind "$w/ns/var-lib" /var/lib
exec "$@"
'@
        & unshare -m --propagation private bash -c $script bash $work $pwsh @pwshArgs -NoProfile -NonInteractive -File $inner -Module $module -Vault "$vault" -Out $out -Work $work 2>&1 | Write-Host
        $LASTEXITCODE | Should -Be 0
        $r = Get-Content -Raw $out | ConvertFrom-Json
        $r.Before | Where-Object Trusted | ForEach-Object Client | Should -BeNullOrEmpty
        $r.Installed | Should -Contain 'OS'
        $r.After | Where-Object { -not $_.Trusted } | ForEach-Object { "$($_.Client): $($_.Error)" } | Should -BeNullOrEmpty
        $r.Gone | Where-Object Trusted | ForEach-Object Client | Should -BeNullOrEmpty
        $r.BundleHadRootAfterInstall | Should -BeTrue
        $r.Changed | Should -BeNullOrEmpty -Because 'every file under the namespace''s /etc/ssl/certs and /usr/local/share/ca-certificates is as before'
    }
}

Describe 'Fleet artefacts beside the ZIP (Export-RootCertificateBundle -FleetProfile)' {
    It 'writes a .mobileconfig with a com.apple.security.root payload and a DER .cer that OpenSSL reads; the trust cmdlets read the ZIP' {
        $zip = Join-Path $work 'fleet/RootCerts.zip'
        New-Item -ItemType Directory -Path (Split-Path $zip) -Force | Out-Null
        $files = Export-RootCertificateBundle -Certificate "$rootPem" -Path "$zip" -FleetProfile -PassThru
        $files.Name | Should -Be @('RootCerts.zip', 'RootCerts.mobileconfig', 'Pester_Trust_Root.cer')
        $thumb = (Get-EnrollmentCertificate -Name 'Trust-Root' -VaultPath "$vault").Certificate.Thumbprint
        (& openssl x509 -inform DER -in (Join-Path $work 'fleet/Pester_Trust_Root.cer') -noout -fingerprint -sha1 2>&1 | Out-String) -replace '[:\s]', '' | Should -Match $thumb
        if (Get-Command python3 -ErrorAction SilentlyContinue) {
            $check = 'import plistlib,sys,hashlib; p=plistlib.load(open(sys.argv[1],"rb")); c=p["PayloadContent"][0]; print(p["PayloadType"], c["PayloadType"], hashlib.sha1(c["PayloadContent"]).hexdigest().upper())'
            (& python3 -c $check (Join-Path $work 'fleet/RootCerts.mobileconfig')) | Should -Be "Configuration com.apple.security.root $thumb"
        }
        $status = Get-RootCertificateTrust -Path "$zip" -Store Curl
        $status.Thumbprint | Should -Be $thumb
        $status.Installed | Should -BeFalse
    }
}

Describe 'This machine''s own trust' {
    It 'is unchanged: the real OS bundle, Java cacerts and HOME files' {
        $now = Get-Fingerprints $watched
        $now.Keys | ForEach-Object { "$_ $($now[$_])" } | Should -Be ($realBefore.Keys | ForEach-Object { "$_ $($realBefore[$_])" })
    }
}
