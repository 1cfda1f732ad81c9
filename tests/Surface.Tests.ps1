#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The cmdlet surface as a PowerShell user meets it (issue 20): one parameter vocabulary with the old names as aliases, one
# -Issuer conversion everywhere, property-named 80-column tables, inputs as users have them (an openssl s_client
# -showcerts capture, a piped list exported to one file, tab completion of files and serials), and a missing password that
# fails at once in a non-interactive session. The prompt answered by a host is in tests/ZscalerPki.Tests/Host/PromptTests.cs
# (Pester cannot supply a host that answers Read-Host).

BeforeAll {
    . (Join-Path $PSScriptRoot 'PesterHelpers.ps1')
    $script:work = New-PkiTestFolder 'surface'
    $script:vault = Join-Path $work 'vault'
    $script:pw = ConvertTo-TestSecret 'Surface-Passw0rd!'
    New-EnrollmentCertificate -Name 'S-Root' -Subject 'CN=Surface Root' -KeyAlgorithm EcdsaP256 -PathLength 2 -KeyPassword $pw -VaultPath $vault | Out-Null
    # The old names through their aliases: -Parent and -ParentKeyPassword.
    New-EnrollmentCertificate -Name 'S-Sub' -Parent 'S-Root' -ParentKeyPassword $pw -KeyAlgorithm EcdsaP256 -PathLength 1 -KeyPassword $pw -VaultPath $vault | Out-Null
    # Two ready SSL-inspection intermediates, signed by the root, the old -KeySize/-SignatureAlgorithm/-Path/-PublicKeyPath.
    foreach ($n in 'S-Inspect-A', 'S-Inspect-B') {
        New-IntermediateCsr -Name $n -CommonName "Surface $n" -KeySize 2048 -SignatureAlgorithm Sha384 -Path (Join-Path $work "$n.csr") `
            -PublicKeyPath (Join-Path $work "$n.pub") -PathLength 0 -Status Disabled -KeyPassword $pw -VaultPath $vault | Out-Null
        Submit-CertificateRequest -Path (Join-Path $work "$n.csr") -Issuer 'enrollment/S-Root' -IssuerKeyPassword $pw -OutFile (Join-Path $work "$n.pem") -VaultPath $vault -Confirm:$false | Out-Null
        Export-EnrollmentCertificate 'S-Root' -Path (Join-Path $work "$n-chain.pem") -VaultPath $vault
        Import-SignedIntermediate -Name $n -Path (Join-Path $work "$n.pem") -ChainPath (Join-Path $work "$n-chain.pem") -VaultPath $vault -Confirm:$false -WarningAction SilentlyContinue | Out-Null
    }
    Set-IntermediateCertificate -Name 'S-Inspect-A' -Enabled -Default -VaultPath $vault -Confirm:$false
}

AfterAll { Remove-PkiTestFolder $work }

Describe 'One parameter vocabulary, the old names as aliases' {
    It 'declares every renamed parameter with its old name as an alias, and about_ZscalerPki lists each' {
        $about = Get-Content -Raw (Join-Path $PSScriptRoot '..' 'en-US' 'about_ZscalerPki.help.txt')
        $renames = @(
            @('New-EnrollmentCertificate', 'Issuer', 'Parent'), @('New-EnrollmentCertificate', 'IssuerKeyPassword', 'ParentKeyPassword'),
            @('New-EnrollmentCertificate', 'KeyPassword', 'Pin'), @('New-IntermediateCsr', 'KeyPassword', 'Pin'),
            @('New-IntermediateCsr', 'KeyAlgorithm', 'KeySize'), @('New-IntermediateCsr', 'HashAlgorithm', 'SignatureAlgorithm'),
            @('New-IntermediateCsr', 'OutFile', 'Path'), @('New-IntermediateCsr', 'PublicKeyOutFile', 'PublicKeyPath'),
            @('Publish-Crl', 'IssuerKeyPassword', 'KeyPassword'), @('Publish-Crl', 'ValidityDays', 'Validity'),
            @('New-InspectionCertificate', 'IssuerKeyPassword', 'KeyPassword'), @('New-InspectionCertificate', 'RotationDays', 'RotationPeriod'),
            @('New-InspectionCertificate', 'ValidityDays', 'MaxValidityDays'), @('Export-RootCertificateBundle', 'Issuer', 'Name'))
        foreach ($r in $renames) {
            $cmd, $new, $old = $r
            (Get-Command $cmd).Parameters[$new].Aliases | Should -Contain $old -Because "$cmd -$new keeps -$old"
            $about | Should -Match ("(?m)^\s+{0}\s+-{1}\s+-{2}\b" -f [regex]::Escape($cmd), $old, $new) -Because "about_ZscalerPki lists $cmd -$old -> -$new"
        }
        # -Force only overwrites or proceeds: the cache and the unknown serial have their own switches.
        (Get-Command New-InspectionCertificate).Parameters.Keys | Should -Not -Contain 'Force'
        (Get-Command New-InspectionCertificate).Parameters.Keys | Should -Contain 'BypassCache'
        (Get-Command Revoke-Certificate).Parameters.Keys | Should -Contain 'AllowUnknownSerial'
        # One chain switch with one meaning: -ExcludeChain on every Export of certificates.
        foreach ($c in 'Export-EnrollmentCertificate', 'Export-IntermediateCertificate', 'Export-InspectionCertificate') {
            (Get-Command $c).Parameters['ExcludeChain'].SwitchParameter | Should -BeTrue
            (Get-Command $c).Parameters['Format'].ParameterType.FullName | Should -Be 'ZscalerPki.Core.Certificates.ExportFormat'
        }
    }

    It 'made the CSR with the old -KeySize/-SignatureAlgorithm (OpenSSL reads RSA 2048 and SHA-384) and the new names alike' {
        Invoke-OpenSsl req -in (Join-Path $work 'S-Inspect-A.csr') -noout -text | Should -Match 'Public-Key: \(2048 bit\)[\s\S]*sha384WithRSAEncryption'
        $csr = Join-Path $work 'new-names.csr'
        Set-PkiVault -Subscription SoftwareAndHsm -VaultPath $vault -Confirm:$false   # a third intermediate
        $made = New-IntermediateCsr -Name 'S-NewNames' -CommonName 'Surface New Names' -KeyAlgorithm Rsa3072 -HashAlgorithm Sha512 -OutFile $csr `
            -PublicKeyOutFile "$csr.pub" -KeyPassword $pw -Status Disabled -VaultPath $vault
        $made.KeySize | Should -Be 3072
        Invoke-OpenSsl req -in $csr -noout -text -verify | Should -Match 'Public-Key: \(3072 bit\)[\s\S]*sha512WithRSAEncryption'
        Invoke-OpenSsl pkey -pubin -in "$csr.pub" -noout -text | Should -Match '3072 bit'
        { New-IntermediateCsr -Name 'S-Ec' -CommonName 'EC' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidKeySize,*'
        Remove-IntermediateCertificate 'S-NewNames' -VaultPath $vault -Confirm:$false
        Set-PkiVault -Subscription Software -VaultPath $vault -Confirm:$false
    }

    It 'publishes a CRL with the old -KeyPassword/-Validity and the new -IssuerKeyPassword/-ValidityDays; OpenSSL reads nextUpdate' {
        $old = Publish-Crl 'S-Root' -Path $work -KeyPassword $pw -Validity 2.00:00:00 -VaultPath $vault -Confirm:$false
        ($old.NextUpdate - $old.ThisUpdate).TotalDays | Should -Be 2
        $new = Publish-Crl 'S-Root' -Path $work -IssuerKeyPassword $pw -ValidityDays 3 -VaultPath $vault -Confirm:$false
        ($new.NextUpdate - $new.ThisUpdate).TotalDays | Should -Be 3
        Invoke-OpenSsl crl -in $new.Path -inform DER -noout -nextupdate | Should -Match ($new.NextUpdate.UtcDateTime.ToString('MMM d', [cultureinfo]::InvariantCulture) -replace ' ', '\s+')
        { Publish-Crl 'S-Root' -Path $work -IssuerKeyPassword $pw -Validity 01:00:00 -VaultPath $vault -ErrorAction Stop } | Should -Throw '*whole number of days*'
    }

    It 'refuses a one-character CA key password with KeyPasswordTooShort' {
        { New-EnrollmentCertificate -Name 'S-Weak' -KeyPassword (ConvertTo-TestSecret 'x') -VaultPath $vault -ErrorAction Stop } |
            Should -Throw -ErrorId 'KeyPasswordTooShort,*'
        Get-EnrollmentCertificate -VaultPath $vault | Where-Object Name -eq 'S-Weak' | Should -BeNullOrEmpty
    }

    It 'fails at once with KeyPasswordRequired in pwsh -NonInteractive, or with its input redirected, instead of waiting at a prompt' {
        $manifest = (Get-Module ZscalerPki).Path
        $script = "Import-Module '$manifest'; New-EnrollmentCertificate -Name NoPw -VaultPath '$(Join-Path $work 'noni')' -ErrorAction Stop"
        foreach ($case in @(@{ Switches = @('-NonInteractive'); Says = 'non-interactive' }, @{ Switches = @(); Says = 'redirected' })) {
            $psi = [System.Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
            $first = [Environment]::GetCommandLineArgs()[0]
            if ($first -like '*.dll') { $psi.ArgumentList.Add($first) }
            foreach ($a in @('-NoProfile') + $case.Switches + @('-Command', $script)) { $psi.ArgumentList.Add($a) }
            # The input stays open and empty: a prompt reading it would wait for ever.
            $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.RedirectStandardInput = $true
            $p = [System.Diagnostics.Process]::Start($psi)
            try {
                $err = $p.StandardError.ReadToEndAsync()
                $out = $p.StandardOutput.ReadToEndAsync()
                if (-not $p.WaitForExit(90000)) { $p.Kill(); throw "pwsh $($case.Switches) waited for a password" }
                $p.ExitCode | Should -Not -Be 0
                ($err.Result + $out.Result) | Should -Match 'KeyPasswordRequired|-KeyPassword'
                ($err.Result + $out.Result) | Should -Match $case.Says
            }
            finally { $p.Dispose() }
        }
    }
}

Describe '-Issuer: one conversion, the same errors everywhere' {
    It 'takes a name, kind/name, our objects and a vault CA''s certificate alike' {
        $root = Get-EnrollmentCertificate 'S-Root' -VaultPath $vault
        $byName = @(Get-IssuedCertificate -Issuer 'S-Root' -VaultPath $vault)
        $byName.Count | Should -BeGreaterOrEqual 3
        @(Get-IssuedCertificate -Issuer 'enrollment/S-Root' -VaultPath $vault).Count | Should -Be $byName.Count
        @($root | Get-IssuedCertificate -VaultPath $vault).Count | Should -Be $byName.Count
        @(Get-IssuedCertificate -Issuer $root.Certificate -VaultPath $vault).Count | Should -Be $byName.Count
        (Publish-Crl -Issuer $root.Certificate -Path $work -IssuerKeyPassword $pw -VaultPath $vault -Confirm:$false).Issuer | Should -Be 'S-Root'
    }

    It 'reports InvalidIssuer for what names no CA, and IssuerNotInVault for an outside certificate, in every cmdlet' {
        $outside = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=Outside', [System.Security.Cryptography.ECDsa]::Create(), 'SHA256').CreateSelfSigned([datetimeoffset]::UtcNow.AddDays(-1), [datetimeoffset]::UtcNow.AddDays(1))
        $outsideNoKey = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($outside.RawData)
        { Get-IssuedCertificate -Issuer 42 -VaultPath $vault -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidIssuer,*'
        { Publish-Crl -Issuer 42 -Path $work -IssuerKeyPassword $pw -VaultPath $vault -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidIssuer,*'
        { Revoke-Certificate -Issuer 42 -SerialNumber 01 -VaultPath $vault -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidIssuer,*'
        { New-InspectionCertificate -DnsName 'x.surface.test' -Issuer 42 -IssuerKeyPassword $pw -VaultPath $vault -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidIssuer,*'
        { Get-IssuedCertificate -Issuer $outsideNoKey -VaultPath $vault -ErrorAction Stop } | Should -Throw -ErrorId 'IssuerNotInVault,*'
        { Submit-CertificateRequest -Path (Join-Path $work 'S-Inspect-A.csr') -Issuer $outsideNoKey -IssuerKeyPassword $pw -VaultPath $vault -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'IssuerNotInVault,*'
    }

    It 'revokes a serial the vault never issued only with -AllowUnknownSerial' {
        { Revoke-Certificate 'S-Root' '0BADF00D' -VaultPath $vault -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'SerialNotIssued,*'
        Revoke-Certificate 'S-Root' '0BADF00D' -AllowUnknownSerial -VaultPath $vault -Confirm:$false -WarningAction SilentlyContinue -ErrorAction Stop
        $crl = Publish-Crl 'S-Root' -Path $work -IssuerKeyPassword $pw -VaultPath $vault -Confirm:$false
        Invoke-OpenSsl crl -in $crl.Path -inform DER -noout -text | Should -Match 'Serial Number: 0?BADF00D'
    }
}

Describe 'Default views: property-named headers that fit 80 columns' {
    BeforeAll {
        $script:formatFile = [xml](Get-Content -Raw (Join-Path (Split-Path (Get-Module ZscalerPki).Path) 'ZscalerPki.Format.ps1xml'))
        $forged = New-InspectionCertificate -DnsName 'views.surface.test' -IssuerKeyPassword $pw -VaultPath $vault
        $script:samples = @{
            'ZscalerPki.Core.Enrollment.EnrollmentCertificate' = Get-EnrollmentCertificate 'S-Sub' -VaultPath $vault
            'ZscalerPki.Core.Intermediate.IntermediateCertificate' = Get-IntermediateCertificate 'S-Inspect-A' -VaultPath $vault
            'ZscalerPki.Core.Intermediate.IssuedCertificate' = Submit-CertificateRequest -Path (Join-Path $work 'S-Inspect-B.csr') -Issuer 'S-Root' -IssuerKeyPassword $pw -VaultPath $vault -Confirm:$false -WarningAction SilentlyContinue
            'ZscalerPki.Core.Revocation.IssuedCertificateRecord' = Get-IssuedCertificate 'S-Root' -VaultPath $vault | Select-Object -First 1
            'ZscalerPki.Core.Revocation.CrlPublication' = Publish-Crl 'S-Root' -Path $work -IssuerKeyPassword $pw -VaultPath $vault -Confirm:$false
            'ZscalerPki.Core.Inspection.InspectionCertificate' = $forged
        }
    }

    It 'names each column of every table view after a public property of its type, within 80 columns' {
        # Every view, including those whose objects need a tenant or real trust stores (the walk below uses live samples).
        $tables = @($formatFile.Configuration.ViewDefinitions.View | Where-Object { $_.SelectSingleNode('TableControl') })
        $tables.Count | Should -BeGreaterOrEqual $samples.Count
        foreach ($view in $tables) {
            $typeName = $view.ViewSelectedBy.TypeName
            $type = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -like 'ZscalerPki*' } |
                ForEach-Object { $_.GetType($typeName) } | Where-Object { $_ } | Select-Object -First 1
            $type | Should -Not -BeNullOrEmpty -Because "the view $($view.Name) selects $typeName"
            $headers = @($view.TableControl.TableHeaders.TableColumnHeader)
            $width = ($headers | ForEach-Object { if ($_.SelectSingleNode('Width')) { [int]$_.Width } else { 0 } } | Measure-Object -Sum).Sum + $headers.Count - 1
            $width | Should -BeLessOrEqual 80 -Because "$typeName's columns (and the spaces between them) fit 80 columns"
            foreach ($h in $headers) {
                $type.GetProperty($h.Label) | Should -Not -BeNullOrEmpty -Because "$typeName shows a column '$($h.Label)', which scripts filter on"
            }
        }
    }

    It 'names each column after a property (Where-Object on the header finds the row), and the widths fit 80 columns' {
        foreach ($view in @($formatFile.Configuration.ViewDefinitions.View | Where-Object { $_.SelectSingleNode('TableControl') -and $samples.ContainsKey($_.ViewSelectedBy.TypeName) })) {
            $type = $view.ViewSelectedBy.TypeName
            $row = $samples[$type]
            $headers = @($view.TableControl.TableHeaders.TableColumnHeader)
            $width = ($headers | ForEach-Object { if ($_.SelectSingleNode('Width')) { [int]$_.Width } else { 0 } } | Measure-Object -Sum).Sum + $headers.Count - 1
            $width | Should -BeLessOrEqual 80 -Because "$type's columns (and the spaces between them) fit 80 columns"
            foreach ($h in $headers) {
                $label = $h.Label
                $row.PSObject.Properties[$label] | Should -Not -BeNullOrEmpty -Because "$type shows a column '$label', which scripts filter on"
                if ($h.SelectSingleNode('Width')) { [int]$h.Width | Should -BeGreaterOrEqual $label.Length -Because "the header '$label' is not cut" }
                @($row | Where-Object $label -eq $row.$label).Count | Should -Be 1 -Because "Where-Object $label -eq <its value> returns the row of $type"
            }
            $text = $row | Format-Table | Out-String -Width 80
            foreach ($h in $headers) { $text | Should -Match ([regex]::Escape($h.Label)) }
            if ($row.PSObject.Properties['NotAfter'] -and $row.NotAfter) {
                $text | Should -Match '\d{4}-\d{2}-\d{2}' -Because 'dates are not cut at 80 columns'
            }
        }
    }

    It 'shows Where-Object ClientCertificateType / IsDefault / FromCache rows the issue found missing' {
        @(Get-EnrollmentCertificate -VaultPath $vault | Where-Object ClientCertificateType -eq 'None').Count | Should -Be 2
        @(Get-IntermediateCertificate -VaultPath $vault | Where-Object IsDefault).Name | Should -Be 'S-Inspect-A'
        @(New-InspectionCertificate -DnsName 'views.surface.test' -IssuerKeyPassword $pw -VaultPath $vault | Where-Object FromCache).Count | Should -Be 1
    }
}

Describe 'Inputs as users have them' {
    It 'forges the leaf of an openssl s_client -showcerts capture and takes its CAs as the chain, with no error per CA' {
        $ca = Export-OpenSslCa -Name 'S-Sub' -KeyPassword $pw -VaultPath $vault -Folder $work
        $leaf = New-OpenSslLeaf -Ca $ca -DnsName 'www.capture.test' -Path (Join-Path $work 'capture-leaf.pem')
        $subPem = Get-Content -Raw $ca.Certificate
        $rootPem = Export-EnrollmentCertificate 'S-Root' -VaultPath $vault
        # What `openssl s_client -connect www.capture.test:443 -showcerts </dev/null > capture.txt` writes: text around the PEM blocks.
        $capture = Join-Path $work 'capture.txt'
        Set-Content -LiteralPath $capture -Value @(
            'CONNECTED(00000003)', 'depth=2 CN = Surface Root', 'verify return:1', '---', 'Certificate chain',
            ' 0 s:CN = www.capture.test', '   i:CN = S-Sub', '   a:PKEY: id-ecPublicKey, 256 (bit); sigalg: ecdsa-with-SHA256',
            (Get-Content -Raw $leaf).Trim(), ' 1 s:CN = S-Sub', '   i:CN = Surface Root', $subPem.Trim(),
            ' 2 s:CN = Surface Root', '   i:CN = Surface Root', $rootPem.Trim(), '---', 'Server certificate',
            'subject=CN = www.capture.test', '---', 'SSL handshake has read 2345 bytes and written 400 bytes', 'DONE')
        $forged = @(New-InspectionCertificate -Path $capture -IssuerKeyPassword $pw -VaultPath $vault -ErrorVariable errs -Verbose 4>&1)
        $errs | Should -BeNullOrEmpty
        $certs = @($forged | Where-Object { $_ -is [ZscalerPki.Core.Inspection.InspectionCertificate] })
        $certs.Count | Should -Be 1
        $certs[0].DnsNames | Should -Be @('www.capture.test')
        ($forged | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Out-String) | Should -Match '\d CA certificate\(s\) taken as the chain of CN=www\.capture\.test'
        # OpenSSL verifies what was forged, up to the vault's root.
        $out = Join-Path $work 'capture-forged.pem'
        Export-InspectionCertificate $certs[0] -Path $out
        $root = Join-Path $work 'capture-root.pem'
        Set-Content -LiteralPath $root -Value $rootPem
        Invoke-OpenSsl verify -CAfile $root -untrusted $out $out | Should -Match 'OK'
    }

    It 'exports piped intermediates into the one PEM file, refuses a second item for a DER file, and -PassThru shows the file''s size' {
        $all = Join-Path $work 'all.pem'
        $file = Get-IntermediateCertificate -VaultPath $vault | Where-Object State -eq 'CertReady' | Export-IntermediateCertificate -Path $all -PassThru
        $file.Length | Should -Be (Get-Item -LiteralPath $all).Length
        $file.Length | Should -BeGreaterThan 0
        $file.Mode | Should -Not -BeNullOrEmpty
        $subjects = Invoke-OpenSsl crl2pkcs7 -nocrl -certfile $all | openssl pkcs7 -print_certs -noout | Select-String '^subject='
        @($subjects).Count | Should -Be 4  # two intermediates, each with the root
        { Get-IntermediateCertificate -VaultPath $vault | Where-Object State -eq 'CertReady' | Export-IntermediateCertificate -Format Der -Path (Join-Path $work 'all.der') -ErrorAction Stop } |
            Should -Throw -ErrorId 'ExportOneItemPerFile,*'
    }

    It 'completes files and vault names for -TrustedRoot, and serial numbers (not files) for -SerialNumber' {
        Push-Location $work
        try {
            Export-EnrollmentCertificate 'S-Root' -Path (Join-Path $work 'completion-root.pem') -VaultPath $vault
            $line = "Test-CertificateChain ./capture-leaf.pem -VaultPath '$vault' -TrustedRoot ./completion-r"
            $files = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
            $files | Should -Contain (Join-Path '.' 'completion-root.pem')
            $line = "Test-CertificateChain ./capture-leaf.pem -VaultPath '$vault' -TrustedRoot S-R"
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'S-Root'
            $serial = (Get-IssuedCertificate 'S-Root' -VaultPath $vault | Select-Object -First 1).SerialNumber
            $line = "Revoke-Certificate -Issuer S-Root -VaultPath '$vault' -SerialNumber $($serial.Substring(0, 4))"
            $serials = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
            $serials | Should -Contain $serial
            $serials | Where-Object { Test-Path -LiteralPath $_ } | Should -BeNullOrEmpty
            # Without an -Issuer there is nothing to offer, and still no file names.
            $line = "Revoke-Certificate -VaultPath '$vault' -SerialNumber "
            $none = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
            @($none | ForEach-Object ResultType) | Should -Not -Contain 'ProviderItem'
        }
        finally { Pop-Location }
    }

    It 'says a -VaultPath that does not exist is missing, instead of showing nothing or an empty vault' {
        { Get-EnrollmentCertificate -VaultPath "$vault-typo" -ErrorAction Stop } | Should -Throw -ErrorId 'VaultNotFound,*'
        { Get-PkiVault -VaultPath "$vault-typo" -ErrorAction Stop } | Should -Throw -ErrorId 'VaultNotFound,*'
        Test-Path -LiteralPath "$vault-typo" | Should -BeFalse
    }

    It 'has the -Issuer that Export-RootCertificateBundle''s message names' {
        $empty = Join-Path $work 'empty-vault'
        Set-PkiVault -Subscription Software -VaultPath $empty -Confirm:$false
        $err = { Export-RootCertificateBundle -Path (Join-Path $work 'r.zip') -VaultPath $empty -ErrorAction Stop } | Should -Throw -PassThru
        $err.Exception.Message | Should -Match '-Issuer'
        (Get-Command Export-RootCertificateBundle).Parameters.Keys | Should -Contain 'Issuer'
        $zip = Export-RootCertificateBundle -Issuer 'S-Inspect-A' -Path (Join-Path $work 'roots.zip') -VaultPath $vault -PassThru
        $zip.Length | Should -BeGreaterThan 0
    }
}

Describe 'Warnings only for what needs attention' {
    It 'sets the first CRL distribution point without a warning, and warns when earlier certificates keep an old one' {
        Set-EnrollmentCertificate 'S-Sub' -CrlDistributionPoint 'http://pki.surface.test/sub.crl' -VaultPath $vault -Confirm:$false -WarningVariable first -WarningAction SilentlyContinue
        $first | Should -BeNullOrEmpty
        Set-EnrollmentCertificate 'S-Sub' -CrlDistributionPoint 'http://pki2.surface.test/sub.crl' -VaultPath $vault -Confirm:$false -WarningVariable second -WarningAction SilentlyContinue
        "$second" | Should -Match 'keep their old CRL distribution points'
        (Get-EnrollmentCertificate 'S-Sub' -VaultPath $vault).CrlDistributionPoint | Should -Be 'http://pki2.surface.test/sub.crl'
    }

    It 'says a new default intermediate on the information stream, not as a warning' {
        Set-IntermediateCertificate 'S-Inspect-A' -Enabled:$false -VaultPath $vault -Confirm:$false -WarningAction SilentlyContinue
        Set-IntermediateCertificate 'S-Inspect-B' -Enabled -VaultPath $vault -Confirm:$false -WarningVariable warned -InformationVariable info
        "$info" | Should -Match "'S-Inspect-B' is now the default intermediate"
        "$warned" | Should -Not -Match 'now the default'
        Set-IntermediateCertificate 'S-Inspect-B' -Enabled:$false -VaultPath $vault -Confirm:$false -WarningAction SilentlyContinue
        Set-IntermediateCertificate 'S-Inspect-A' -Enabled -Default -VaultPath $vault -Confirm:$false
    }
}

Describe 'Chain results read as text' {
    It 'Format-List * shows elements and problems as lines, "revoked" once, and -Online soft-fails a leaf without a CDP' {
        $leaf = Join-Path $work 'capture-leaf.pem'
        $sub = Join-Path $work 'S-Sub.pem'
        $result = Test-CertificateChain $leaf -TrustedRoot 'S-Root' -Intermediate $sub -VaultPath $vault
        $result.IsValid | Should -BeTrue
        $text = $result | Format-List * | Out-String -Width 200
        $text | Should -Not -Match 'System\.Collections\.Generic'
        $text | Should -Match '\[0\] CN=www\.capture\.test'
        # The leaf names no CRL distribution point: -Online cannot look it up and, as browsers do, does not fail it.
        $online = Test-CertificateChain $leaf -TrustedRoot 'S-Root' -Intermediate $sub -Online -VaultPath $vault
        $online.IsValid | Should -BeTrue
        ($online.Problems | Where-Object ElementIndex -eq 0).Code | Should -Contain 'NoCrl'
        ($online.Problems | Where-Object ElementIndex -eq 0 | Select-Object -First 1).Severity | Should -Be 'Warning'
    }

    It 'words a revocation once ("Revoked: The certificate was revoked (reason: keyCompromise)")' {
        $ca = Export-OpenSslCa -Name 'S-Sub' -KeyPassword $pw -VaultPath $vault -Folder $work
        $leaf = Join-Path $work 'capture-leaf.pem'
        $crl = New-OpenSslCrl -Ca $ca -Revoke $leaf -Path (Join-Path $work 'sub.crl')
        $rootCrl = (Publish-Crl 'S-Root' -Path $work -IssuerKeyPassword $pw -VaultPath $vault -Confirm:$false).Path
        $result = Test-CertificateChain $leaf -TrustedRoot 'S-Root' -Intermediate (Join-Path $work 'S-Sub.pem') -Crl $crl, $rootCrl -VaultPath $vault
        $result.IsValid | Should -BeFalse
        $revoked = $result.Problems | Where-Object Code -eq 'Revoked'
        "$revoked" | Should -Match '^\[0\] Revoked: The certificate was revoked \(reason: keyCompromise\)'
        "$revoked" | Should -Not -Match 'Revoked: Revoked'
    }
}
