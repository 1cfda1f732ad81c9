#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 tests for the rehearsal of SSL inspection (issue 21): Test-RootCertificateTrust -ThroughMitmproxy runs mitmproxy
# (mitmdump) signing with the vault's SSL-inspection intermediate and sends every client of this machine through it. With
# the root installed (Install-RootCertificate, temp HOME) every client accepts; without it every client refuses with its own
# error. openssl s_client -proxy shows the chain mitmproxy presents: leaf, then our intermediate (issued by our root).
# Nothing here touches this machine's real trust (temp HOME; the real OS bundle is checked unchanged).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' 'out' 'ZscalerPki' 'ZscalerPki.psd1') -Force
    $script:pw = ConvertTo-SecureString 'Pester-Rehearsal-1!' -AsPlainText -Force
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ('zpki-rehearsal-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $work | Out-Null
    $script:vault = Join-Path $work 'vault'
    $script:hasMitmdump = [bool](Get-Command mitmdump -CommandType Application -ErrorAction SilentlyContinue)
    $script:osBundle = '/etc/ssl/certs/ca-certificates.crt'
    $script:osBundleBefore = if (Test-Path $osBundle) { (Get-FileHash $osBundle -Algorithm SHA256).Hash } else { 'absent' }
    $script:savedEnv = @{}
    foreach ($v in 'HOME', 'PATH', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS', 'CURL_CA_BUNDLE', 'AWS_CA_BUNDLE', 'JAVA_TOOL_OPTIONS', 'GIT_SSL_CAINFO') {
        $savedEnv[$v] = [Environment]::GetEnvironmentVariable($v)
    }

    # A root and the SSL-inspection intermediate it signed (what a vault has before rollout).
    New-EnrollmentCertificate -Name 'Rehearsal-Root' -Subject 'CN=Pester Rehearsal Root, O=Pester' -PathLength 1 -KeyPassword $pw -VaultPath "$vault" | Out-Null
    $csr = Join-Path $work 'inspection.csr'
    New-IntermediateCsr -Name 'Inspection' -CommonName 'Pester Rehearsal Inspection CA' -Organization 'Pester' -PathLength 0 -Path "$csr" -KeyPassword $pw -VaultPath "$vault" | Out-Null
    Get-IntermediateCertificate -Name 'Inspection' -VaultPath "$vault" |
        Submit-CertificateRequest -Issuer 'Rehearsal-Root' -IssuerKeyPassword $pw -VaultPath "$vault" |
        Import-SignedIntermediate -Name 'Inspection' -VaultPath "$vault" -WarningAction SilentlyContinue | Out-Null
    $script:rootPem = Join-Path $work 'root.pem'
    Export-EnrollmentCertificate -Name 'Rehearsal-Root' -Path "$rootPem" -VaultPath "$vault"
    $script:inspection = (Get-IntermediateCertificate -Name 'Inspection' -VaultPath "$vault").Certificate

    # A temp HOME as a user has it: Firefox started once (its profile), Chromium's ~/.pki/nssdb.
    $script:testHome = Join-Path $work 'home'
    New-Item -ItemType Directory -Path $testHome | Out-Null
    $env:HOME = $testHome
    foreach ($v in 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS', 'CURL_CA_BUNDLE', 'AWS_CA_BUNDLE', 'JAVA_TOOL_OPTIONS') { [Environment]::SetEnvironmentVariable($v, $null) }
    $firefox = @('firefox', 'firefox-esr' | ForEach-Object { Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue } | Select-Object -First 1)
    if ($firefox) { & $firefox[0].Source --headless --screenshot (Join-Path $work 'first-start.png') about:blank 2>&1 | Out-Null }
    if (Get-Command certutil -ErrorAction SilentlyContinue) {
        New-Item -ItemType Directory -Path (Join-Path $testHome '.pki/nssdb') -Force | Out-Null
        & certutil -N -d ('sql:' + (Join-Path $testHome '.pki/nssdb')) --empty-password 2>&1 | Out-Null
    }
    function Invoke-Rehearsal { Test-RootCertificateTrust -Issuer 'Inspection' -IssuerKeyPassword $pw -ThroughMitmproxy -VaultPath "$vault" }
    function Get-MitmproxyFolders { Get-ChildItem -LiteralPath ([IO.Path]::GetTempPath()) -Directory -Filter 'zscalerpki-mitmproxy-*' -ErrorAction SilentlyContinue | ForEach-Object FullName }
}

AfterAll {
    foreach ($v in $savedEnv.Keys) { [Environment]::SetEnvironmentVariable($v, $savedEnv[$v]) }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'The rehearsal through mitmproxy (Test-RootCertificateTrust -ThroughMitmproxy)' {
    It 'with the root installed every client accepts mitmproxy''s chain, each through mitmproxy; mitmproxy''s key folder is gone afterwards' {
        if (-not $hasMitmdump) { Set-ItResult -Skipped -Because 'mitmproxy (mitmdump) is not installed: apt-get install mitmproxy'; return }
        $foldersBefore = Get-MitmproxyFolders
        Install-RootCertificate -Path "$rootPem" | Out-Null
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $r = Invoke-Rehearsal
            Write-Host ("rehearsal with the root installed: {0:0.0} s" -f $clock.Elapsed.TotalSeconds)
            $r.Count | Should -BeGreaterOrEqual 3
            $r | Where-Object { -not $_.Trusted } | ForEach-Object { "$($_.Client): $($_.Error)" } | Should -BeNullOrEmpty
            $r | ForEach-Object { $_.Through | Should -Match '^mitmproxy \d+(\.\d+)+ at 127\.0\.0\.1:\d+$' }
            $r | Format-Table Client, Version, Trusted, Error -AutoSize | Out-String -Width 220 | Write-Host
        }
        finally { Uninstall-RootCertificate }
        Get-MitmproxyFolders | Should -Be $foldersBefore -Because 'the folder with the issuer''s key is deleted'
        Get-Process -Name mitmdump -ErrorAction SilentlyContinue | Where-Object { $_.CommandLine -match 'zscalerpki-mitmproxy-' } | Should -BeNullOrEmpty
    }

    It 'without the root every client refuses, each with its own error and the fix' {
        if (-not $hasMitmdump) { Set-ItResult -Skipped -Because 'mitmproxy (mitmdump) is not installed: apt-get install mitmproxy'; return }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-Rehearsal
        Write-Host ("rehearsal without the root: {0:0.0} s" -f $clock.Elapsed.TotalSeconds)
        $r.Count | Should -BeGreaterOrEqual 3
        $r | Where-Object Trusted | ForEach-Object Client | Should -BeNullOrEmpty
        $r | ForEach-Object {
            $_.Error | Should -Not -BeNullOrEmpty
            $_.Error | Should -Not -Match 'without going through the proxy' -Because "$($_.Client) must go through mitmproxy"
            $_.Fix | Should -Match 'Install-RootCertificate'
            $_.Through | Should -Match '^mitmproxy '
        }
        ($r | Where-Object Client -EQ 'curl').Error | Should -Match 'curl: \(60\)'
        if ($r.Client -contains 'firefox') { ($r | Where-Object Client -EQ 'firefox').Error | Should -Match 'SEC_ERROR_UNKNOWN_ISSUER' }
        if ($r.Client -contains 'chromium') { ($r | Where-Object Client -EQ 'chromium').Error | Should -Be 'net::ERR_CERT_AUTHORITY_INVALID' }
        $r | Format-Table Client, Version, Trusted, Error -AutoSize | Out-String -Width 220 | Write-Host
    }

    It 'presents leaf and our inspection intermediate (issued by our root) to openssl s_client -proxy, not the root' {
        if (-not $hasMitmdump) { Set-ItResult -Skipped -Because 'mitmproxy (mitmdump) is not installed: apt-get install mitmproxy'; return }
        # A shim on PATH named openssl records what mitmproxy presented: s_client -showcerts through the same proxy.
        $shim = Join-Path $work 'shim'
        New-Item -ItemType Directory -Path $shim -Force | Out-Null
        $real = (Get-Command openssl -CommandType Application | Select-Object -First 1).Source
        $capture = Join-Path $work 'showcerts.txt'
        # (the probe's arguments without -brief, which hides the certificates; they hold no spaces)
        Set-Content -LiteralPath (Join-Path $shim 'openssl') -Value @"
#!/bin/sh
if [ "`$1" = s_client ]; then
  a=""; for x in "`$@"; do [ "`$x" = -brief ] || a="`$a `$x"; done
  { echo "args:`$a"; "$real" `$a -showcerts </dev/null; } >'$capture' 2>&1
fi
exec "$real" "`$@"
"@
        & chmod +x (Join-Path $shim 'openssl')
        $env:PATH = "$shim$([IO.Path]::PathSeparator)$($savedEnv.PATH)"
        try {
            $r = Test-RootCertificateTrust -Issuer 'Inspection' -IssuerKeyPassword $pw -ThroughMitmproxy -Client openssl -NoLoginShell -VaultPath "$vault"
        }
        finally { $env:PATH = $savedEnv.PATH }
        $r.Client | Should -Be 'openssl'
        $text = Get-Content -Raw -LiteralPath $capture
        $text | Should -Match 'args: s_client -connect localhost:\d+ .*-proxy 127\.0\.0\.1:\d+' -Because 'openssl s_client went through mitmproxy (-proxy)'
        $pems = [regex]::Matches($text, '(?s)-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----').Value
        $pems.Count | Should -Be 2 -Because 'mitmproxy sends its leaf and the issuer, as Zscaler does'
        $certs = $pems | ForEach-Object { [Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem($_) }
        $certs[0].Issuer | Should -Be $inspection.Subject
        $certs[-1].Thumbprint | Should -Be $inspection.Thumbprint -Because 'the chain ends in our intermediate'
        $certs[-1].Issuer | Should -Be 'CN=Pester Rehearsal Root, O=Pester'
        $text | Should -Match 's:CN\s*=\s*localhost'
    }
}

Describe 'Test-RootCertificateTrust -Proxy: the admin''s own proxy' {
    BeforeAll {
        # The admin's own proxy: mitmdump started by hand, with its own CA (made in a temp confdir on first start), once as a
        # plain tunnel (--ignore-hosts: TLS passes through untouched) and once inspecting with that CA.
        function Start-OwnMitmdump([string[]] $Extra) {
            $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $listener.Start()
            $port = $listener.LocalEndpoint.Port; $listener.Stop()
            $conf = Join-Path $work ('own-mitmproxy-' + [guid]::NewGuid().ToString('N').Substring(0, 6))
            New-Item -ItemType Directory -Path $conf | Out-Null
            $p = Start-Process -FilePath mitmdump -ArgumentList (@('--listen-host', '127.0.0.1', '--listen-port', "$port", '--set', "confdir=$conf", '--set', 'ssl_insecure=true') + $Extra) -PassThru `
                -RedirectStandardOutput (Join-Path $conf 'out.txt') -RedirectStandardError (Join-Path $conf 'err.txt')
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ([DateTime]::UtcNow -lt $deadline) {
                $c = [Net.Sockets.TcpClient]::new()
                try { $c.Connect('127.0.0.1', $port); break } catch { Start-Sleep -Milliseconds 200 } finally { $c.Dispose() }
            }
            [pscustomobject]@{ Process = $p; Url = "http://127.0.0.1:$port"; Log = (Join-Path $conf 'out.txt') }
        }
    }

    It 'sends every client through it: a tunnel keeps the verdicts (root installed: all accept); an inspecting proxy whose CA is not trusted is refused by every client' {
        if (-not $hasMitmdump) { Set-ItResult -Skipped -Because 'mitmproxy (mitmdump) is not installed: apt-get install mitmproxy'; return }
        Install-RootCertificate -Path "$rootPem" | Out-Null
        $tunnel = Start-OwnMitmdump @('--ignore-hosts', '.*')
        $inspecting = Start-OwnMitmdump @()
        try {
            $through = Test-RootCertificateTrust -Issuer 'Inspection' -IssuerKeyPassword $pw -Proxy $tunnel.Url -VaultPath "$vault"
            $through.Count | Should -BeGreaterOrEqual 3
            $through | Where-Object { -not $_.Trusted } | ForEach-Object { "$($_.Client): $($_.Error)" } | Should -BeNullOrEmpty
            $refused = Test-RootCertificateTrust -Issuer 'Inspection' -IssuerKeyPassword $pw -Proxy $inspecting.Url -VaultPath "$vault"
            $refused.Count | Should -Be $through.Count
            # Each client met mitmproxy's own CA, so none may reach the server: a client that ignored -Proxy would be trusted.
            $refused | Where-Object Trusted | ForEach-Object Client | Should -BeNullOrEmpty -Because 'every client must honour -Proxy'
            $refused | ForEach-Object { $_.Error | Should -Not -BeNullOrEmpty }
            $refused | Format-Table Client, Trusted, Error -AutoSize | Out-String -Width 220 | Write-Host
        }
        finally {
            foreach ($m in $tunnel, $inspecting) { if (-not $m.Process.HasExited) { $m.Process.Kill($true) }; $m.Process.WaitForExit(10000) | Out-Null }
            Uninstall-RootCertificate
        }
    }
}

Describe 'The rehearsal refuses what it cannot do, with one clear error' {
    It 'says MitmproxyNotFound, naming how to install it, when mitmdump is not on PATH' {
        $env:PATH = (Join-Path $work 'nothing-here')
        try {
            { Test-RootCertificateTrust -Issuer 'Inspection' -IssuerKeyPassword $pw -ThroughMitmproxy -VaultPath "$vault" -ErrorAction Stop } |
                Should -Throw -ErrorId 'MitmproxyNotFound*' -ExpectedMessage '*apt-get install mitmproxy*pipx install mitmproxy*'
        }
        finally { $env:PATH = $savedEnv.PATH }
    }

    It 'says MitmproxyFailed with what mitmdump printed when it does not start, and deletes the key folder' {
        $fake = Join-Path $work 'fake-mitmproxy'
        New-Item -ItemType Directory -Path $fake -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $fake 'mitmdump') -Value "#!/bin/sh`n[ `"`$1`" = --version ] && { echo 'Mitmproxy: 0.0-fake'; exit 0; }`necho 'fake mitmdump: cannot load the CA' >&2`nexit 3`n"
        & chmod +x (Join-Path $fake 'mitmdump')
        $foldersBefore = Get-MitmproxyFolders
        $env:PATH = "$fake$([IO.Path]::PathSeparator)$($savedEnv.PATH)"
        try {
            { Test-RootCertificateTrust -Issuer 'Inspection' -IssuerKeyPassword $pw -ThroughMitmproxy -VaultPath "$vault" -ErrorAction Stop } |
                Should -Throw -ErrorId 'MitmproxyFailed*' -ExpectedMessage '*exited (code 3)*fake mitmdump: cannot load the CA*'
        }
        finally { $env:PATH = $savedEnv.PATH }
        Get-MitmproxyFolders | Should -Be $foldersBefore
    }

    It 'says KeyNotFound when the issuer''s key is not in the vault, and starts nothing' {
        if (-not $hasMitmdump) { Set-ItResult -Skipped -Because 'mitmproxy (mitmdump) is not installed: the key is looked at after mitmdump is found'; return }
        $keyless = Join-Path $work 'vault-keyless'
        Copy-Item -LiteralPath $vault -Destination $keyless -Recurse
        Get-ChildItem -LiteralPath $keyless -Recurse -File | Where-Object { $_.FullName -cmatch '[\\/]intermediate[\\/]Inspection[\\/]key\.p8$' } | Remove-Item -Force
        { Test-RootCertificateTrust -Issuer 'Inspection' -IssuerKeyPassword $pw -ThroughMitmproxy -VaultPath "$keyless" -ErrorAction Stop } |
            Should -Throw -ErrorId 'KeyNotFound*'
    }
}

Describe 'This machine''s own trust' {
    It 'is unchanged: the real OS bundle' {
        $now = if (Test-Path $osBundle) { (Get-FileHash $osBundle -Algorithm SHA256).Hash } else { 'absent' }
        $now | Should -Be $osBundleBefore
    }
}
