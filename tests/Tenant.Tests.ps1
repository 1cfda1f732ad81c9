#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The Zscaler tenant cmdlets end to end against the contract emulator (tests/TenantEmulator, compiled here by Add-Type; its
# wire format follows zscaler-sdk-go, zscaler-sdk-python and their recorded cassettes): connect, the ZIA intermediate from
# create to activation with our vault CA signing the CSR Zscaler generated, refusal before upload, the API's manners (429,
# 409, expired tokens), secrets absent from every stream, ZPA enrollment certificates.

BeforeAll {
    . (Join-Path $PSScriptRoot 'PesterHelpers.ps1')
    $emulatorFiles = Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'TenantEmulator') -Filter '*.cs' | ForEach-Object FullName
    if (-not ('ZscalerPki.Emulator.ZscalerEmulator' -as [type])) { Add-Type -Path $emulatorFiles }
    $script:emu = [ZscalerPki.Emulator.ZscalerEmulator]::new()
    $script:work = New-PkiTestFolder 'tenant'
    $script:vault = Join-Path $work 'vault'
    $script:pw = ConvertTo-TestSecret 'Pester-Passw0rd!'
    $script:secretText = $emu.ClientSecret
    $script:secret = ConvertTo-TestSecret $emu.ClientSecret
    New-EnrollmentCertificate -Name 'Tenant-Root' -Subject 'CN=Contoso Tenant Root, O=Contoso' -KeyAlgorithm EcdsaP256 -KeyPassword $pw -VaultPath $vault | Out-Null
    $script:rootPem = Join-Path $work 'root.pem'
    Export-EnrollmentCertificate -Name 'Tenant-Root' -Path $rootPem -VaultPath $vault
    $script:connect = @{ ClientId = $emu.ClientId; ClientSecret = $secret; BaseUri = $emu.BaseUri; CustomerId = $emu.CustomerId; RetryDelaySec = 0.2 }
}

AfterAll {
    Get-Variable -Name emu -Scope Script -ErrorAction Ignore | ForEach-Object { $_.Value.Dispose() }
    Remove-PkiTestFolder $work
}

Describe 'Connect-ZscalerTenant' {
    It 'signs in with OneAPI client credentials, returns the session and makes it the default' {
        $session = Connect-ZscalerTenant @connect
        $session.Method | Should -Be 'OneApiClientSecret'
        $session.Connected | Should -BeTrue
        $session.Principal | Should -Be $emu.ClientId
        ($session | Out-String) | Should -Match 'Method\s+Principal\s+Connected\s+ApiUri'
        (Get-ZiaIntermediateCertificate).Name | Should -Contain 'Zscaler Intermediate CA Certificate'
    }

    It 'refuses http:// to another host, and a wrong secret, each with one ErrorRecord' {
        { Connect-ZscalerTenant -ClientId x -ClientSecret $secret -BaseUri 'http://api.example.com/' -ErrorAction Stop } | Should -Throw -ErrorId 'TenantUriNotAllowed,ZscalerPki.Commands.ConnectZscalerTenantCommand'
        $bad = ConvertTo-TestSecret 'Not-The-Secret-42'
        $err = { Connect-ZscalerTenant -ClientId $emu.ClientId -ClientSecret $bad -BaseUri $emu.BaseUri -ErrorAction Stop } | Should -Throw -ErrorId 'TenantAuthenticationFailed,ZscalerPki.Commands.ConnectZscalerTenantCommand' -PassThru
        "$err" | Should -Not -Match 'Not-The-Secret-42'
    }

    It 'signs in to the legacy ZIA API with the obfuscated API key and a credential' {
        $cred = [pscredential]::new($emu.ZiaUsername, (ConvertTo-TestSecret $emu.ZiaPassword))
        $legacy = Connect-ZscalerTenant -ApiKey (ConvertTo-TestSecret $emu.ZiaApiKey) -Credential $cred -BaseUri $emu.BaseUri
        $legacy.Method | Should -Be 'LegacyZia'
        (Get-ZiaIntermediateCertificate -Tenant $legacy -Id 1).ProtectionType | Should -Be 'Zscaler'
        Disconnect-ZscalerTenant -Tenant $legacy
        { Get-ZiaIntermediateCertificate -Tenant $legacy -ErrorAction Stop } | Should -Throw -ErrorId 'TenantNotConnected,ZscalerPki.Commands.GetZiaIntermediateCertificateCommand'
        Connect-ZscalerTenant @connect | Out-Null   # the OneAPI session is the default again
    }
}

Describe 'The custom intermediate in the ZIA tenant, signed by our vault CA' {
    It 'creates it, generates key pair and CSR, signs, uploads with chain, finalizes, makes it default and activates' {
        $csrFile = Join-Path $work 'zia.csr'
        $entry = New-ZiaIntermediateCertificate -Name 'Inspection-2026' -CommonName 'Contoso SSL Inspection CA' -Organization Contoso -Department IT -City Seattle -State Washington -Country US -PathLength 0 -Path $csrFile
        $entry.State | Should -Be 'CSRGEN_DONE'
        $entry.ProtectionType | Should -Be 'Software'
        Invoke-OpenSsl req -in $csrFile -verify -noout -text | Should -Match 'CA:TRUE, pathlen:0'
        (Get-ZiaActivationStatus).Pending | Should -BeTrue

        # The CSR Zscaler made, signed by the vault CA straight from the pipeline (Submit-CertificateRequest).
        $signed = Join-Path $work 'zia-signed.pem'
        $entry | Submit-CertificateRequest -Issuer 'Tenant-Root' -IssuerKeyPassword $pw -OutFile $signed -VaultPath $vault | Out-Null
        Invoke-OpenSsl verify -CAfile $rootPem $signed | Should -Match 'OK'
        (Export-ZiaIntermediateCsr -Name 'Inspection-2026') | Should -Match 'BEGIN CERTIFICATE REQUEST'

        # -WhatIf prints every request it would send, and sends none.
        $before = $emu.Count('/uploadCert/')
        Publish-ZiaSignedIntermediate -Name 'Inspection-2026' -Path $signed -ChainPath $rootPem -WhatIf
        $emu.Count('/uploadCert/') | Should -Be $before
        (Get-ZiaIntermediateCertificate 'Inspection-2026').State | Should -Be 'CSRGEN_DONE'

        $ready = Publish-ZiaSignedIntermediate -Name 'Inspection-2026' -Path $signed -ChainPath $rootPem
        $ready.State | Should -Be 'CERT_READY'
        $ready.Default | Should -BeFalse
        $emu.ZiaByName('Inspection-2026').ChainPem | Should -Match 'BEGIN CERTIFICATE'
        $emu.ZiaByName('Inspection-2026').UploadIgnored | Should -BeFalse

        Set-ZiaIntermediateCertificate -Name 'Inspection-2026' -Default -PassThru | ForEach-Object Default | Should -BeTrue
        (Get-ZiaIntermediateCertificate -ReadyToUse).Name | Should -Contain 'Inspection-2026'
        (Get-ZiaActivationStatus).Status | Should -Be 'PENDING'
        (Invoke-ZiaActivation).Status | Should -Be 'ACTIVE'
        (Get-ZiaActivationStatus).Pending | Should -BeFalse
        (Get-ZiaIntermediateCertificate | Out-String -Width 80) | Should -Match 'Id\s+Name\s+ProtectionType\s+State\s+Default\s+NotAfter'
    }

    It 'prints the requests -WhatIf would send' {
        # What if: lines go to the host; a transcript records them.
        $log = Join-Path $work 'whatif.log'
        Start-Transcript -LiteralPath $log -Force | Out-Null
        try { New-ZiaIntermediateCertificate -Name 'WhatIf-CA' -CommonName 'W CA' -Organization Contoso -Country US -WhatIf } finally { Stop-Transcript | Out-Null }
        $text = Get-Content -Raw -LiteralPath $log
        $emu.ZiaByName('WhatIf-CA') | Should -BeNullOrEmpty
        $text | Should -Match 'POST /zia/api/v1/intermediateCaCertificate'
        $text | Should -Match 'keyPair/\{id\}'
        $text | Should -Match 'generateCsr/\{id\}'
    }

    It 'refuses a certificate the local import would refuse, with its ErrorId, before anything is uploaded' {
        New-ZiaIntermediateCertificate -Name 'Spoiled' -CommonName 'Spoiled CA' -Organization Contoso -Country US -Path (Join-Path $work 'spoiled.csr') | Out-Null
        $ca = Export-OpenSslCa -Name 'Tenant-Root' -KeyPassword $pw -VaultPath $vault -Folder $work
        $ext = Join-Path $work 'spoiled.ext'
        Set-Content -LiteralPath $ext "basicConstraints=critical,CA:TRUE,pathlen:0`nkeyUsage=critical,keyCertSign,cRLSign"
        $bad = Join-Path $work 'spoiled.pem'
        Invoke-OpenSsl x509 -req -in (Join-Path $work 'spoiled.csr') -CA $ca.Certificate -CAkey $ca.Key -passin "pass:$($ca.Pass)" -CAcreateserial -days 365 -sha256 -extfile $ext -subj '/CN=Somebody Else' -out $bad | Out-Null
        $before = $emu.Count('/uploadCert/')
        { Publish-ZiaSignedIntermediate -Name 'Spoiled' -Path $bad -ChainPath $rootPem -ErrorAction Stop } | Should -Throw -ErrorId 'CommonNameMismatch,ZscalerPki.Commands.PublishZiaSignedIntermediateCommand'
        $emu.Count('/uploadCert/') | Should -Be $before
        (Get-ZiaIntermediateCertificate 'Spoiled').State | Should -Be 'CSRGEN_DONE'
    }

    It 'never removes the default, reports unknown names and Zscaler refusals with one ErrorRecord each' {
        { Remove-ZiaIntermediateCertificate -Name 'Inspection-2026' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'TenantDefaultIntermediate,ZscalerPki.Commands.RemoveZiaIntermediateCertificateCommand'
        { Get-ZiaIntermediateCertificate -Name 'No-Such-CA' -ErrorAction Stop } | Should -Throw -ErrorId 'TenantEntryNotFound,ZscalerPki.Commands.GetZiaIntermediateCertificateCommand'
        # [CAS-ZIA]: the Zscaler root answers 403 "This operation is not applicable for the Zscaler root certificate".
        $err = { Export-ZiaIntermediateCsr -Name 'Zscaler Intermediate CA Certificate' -ErrorAction Stop } | Should -Throw -ErrorId 'TenantApiError,ZscalerPki.Commands.ExportZiaIntermediateCsrCommand' -PassThru
        "$err" | Should -Match 'INVALID_INPUT_ARGUMENT: This operation is not applicable for the Zscaler root certificate'
        { New-ZiaIntermediateCertificate -Name 'No-Subject' -ErrorAction Stop } | Should -Throw -ErrorId 'TenantWorkflowState,ZscalerPki.Commands.NewZiaIntermediateCertificateCommand'
        Remove-ZiaIntermediateCertificate -Name 'Spoiled' -Confirm:$false
        Get-ZiaIntermediateCertificate 'Spoiled' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'The API''s manners' {
    It 'waits out a 429 within -MaxWait, and stops with a time to run again beyond it' {
        $emu.RateLimitNext('GET /zia/api/v1/intermediateCaCertificate', 1)
        $watch = [Diagnostics.Stopwatch]::StartNew()
        (Get-ZiaIntermediateCertificate -Id 1).Name | Should -Be 'Zscaler Intermediate CA Certificate'
        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.9

        $impatient = Connect-ZscalerTenant @connect -MaxWait 0
        $emu.RateLimitNext('GET /zia/api/v1/intermediateCaCertificate', 30)
        $err = { Get-ZiaIntermediateCertificate -Tenant $impatient -ErrorAction Stop } | Should -Throw -ErrorId 'TenantRateLimited,ZscalerPki.Commands.GetZiaIntermediateCertificateCommand' -PassThru
        "$err" | Should -Match 'Run the command again after \d{4}-\d\d-\d\d'
        Connect-ZscalerTenant @connect | Out-Null
    }

    It 'retries a 409 EDIT_LOCK_NOT_AVAILABLE on an idempotent update' {
        $puts = $emu.Count('PUT /zia/api/v1/intermediateCaCertificate/')
        $emu.EditLockNext('PUT /zia/api/v1/intermediateCaCertificate/')
        Set-ZiaIntermediateCertificate -Name 'Inspection-2026' -Description 'Rotated yearly'
        $emu.Count('PUT /zia/api/v1/intermediateCaCertificate/') | Should -Be ($puts + 2)
        (Get-ZiaIntermediateCertificate 'Inspection-2026').Description | Should -Be 'Rotated yearly'
    }

    It 'renews a token the server expired, without the user noticing' {
        $issued = $emu.TokensIssued
        $emu.ExpireCredentials()
        (Get-ZiaIntermediateCertificate -Id 1).Id | Should -Be 1
        $emu.TokensIssued | Should -Be ($issued + 1)
    }

    It 'keeps secrets, tokens and bodies out of every stream, with -Debug and -Verbose' {
        $DebugPreference = 'Continue'
        $emu.ExpireCredentials()
        $emu.RateLimitNext('GET /zia/api/v1/status', 1)
        $all = & {
            $s = Connect-ZscalerTenant @connect -Debug -Verbose
            Get-ZiaIntermediateCertificate -Tenant $s -Debug -Verbose
            Get-ZiaActivationStatus -Tenant $s -Debug -Verbose
            Export-ZiaIntermediateCsr -Name 'Inspection-2026' -Tenant $s -Debug -Verbose
            Get-ZiaIntermediateCertificate -Name 'Missing' -Tenant $s -Debug -Verbose -ErrorAction Continue
            $bad = ConvertTo-TestSecret 'Wrong-Secret-Shown-Nowhere'
            try { Connect-ZscalerTenant -ClientId $emu.ClientId -ClientSecret $bad -BaseUri $emu.BaseUri -Debug -Verbose -ErrorAction Stop } catch { $_ }
        } *>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { "$_ $($_.Exception)" } else { $_ | Out-String } } | Out-String
        $all | Should -Match 'HTTP POST /oauth2/v1/token'
        $all | Should -Match 'Authorization=\[redacted\]'
        $all | Should -Match '429'
        $tokens = $emu.Snapshot() | Where-Object Authorization -like 'Bearer *' | ForEach-Object { $_.Authorization.Substring(7) } | Select-Object -Unique
        $tokens.Count | Should -BeGreaterThan 0
        foreach ($t in $tokens) { $all.Contains($t) | Should -BeFalse }
        $all.Contains($secretText) | Should -BeFalse
        $all.Contains('Wrong-Secret-Shown-Nowhere') | Should -BeFalse
        $all.Contains($emu.ZiaPassword) | Should -BeFalse
    }
}

Describe 'ZPA enrollment certificates' {
    It 'lists every page, by name and id' {
        $emu.ZpaMaxPageSize = 2
        $all = Get-ZpaEnrollmentCertificate
        $all.Name | Should -Be @('Root', 'Client', 'Connector', 'Service Edge')
        (Get-ZpaEnrollmentCertificate -Name 'Client').ClientCertificateType | Should -Be 'ClientConnector'
        (Get-ZpaEnrollmentCertificate -Id 6571).Certificate.Subject | Should -Match 'zpa-customer.com/Root'
        (Get-ZpaEnrollmentCertificate 'Conn*').Name | Should -Be 'Connector'
        (Get-ZpaEnrollmentCertificate | Out-String -Width 80) | Should -Match 'Id\s+Name\s+ClientCertificateType\s+Parent\s+NotAfter\s+Csr'
    }

    It 'has ZPA generate a certificate below its root, and a CSR our CA signs and we upload below a parent' {
        $zcc = New-ZpaEnrollmentCertificate -Name 'ZCC-2027' -ClientCertificateType ClientConnector -NotAfter (Get-Date).AddYears(1) -RootCertificateId 6571
        $zcc.Parent | Should -Be 'Root'
        $zcc.ClientCertificateType | Should -Be 'ClientConnector'

        $csr = New-ZpaEnrollmentCertificate -Name 'Connectors-CSR' -Csr
        $csr.Csr | Should -Match 'BEGIN CERTIFICATE REQUEST'
        $signed = Join-Path $work 'zpa-signed.pem'
        $csr | Submit-CertificateRequest -Issuer 'Tenant-Root' -IssuerKeyPassword $pw -OutFile $signed -VaultPath $vault | Out-Null
        Invoke-OpenSsl verify -CAfile $rootPem $signed | Should -Match 'OK'
        { New-ZpaEnrollmentCertificate -Name 'Wrong-Parent' -Path $signed -ParentId 6571 -ErrorAction Stop } | Should -Throw -ErrorId 'BrokenChain,ZscalerPki.Commands.NewZpaEnrollmentCertificateCommand'
        $up = New-ZpaEnrollmentCertificate -Name 'Connectors-2027' -Path $signed -ChainPath $rootPem
        $up.PrivateKeyPresent | Should -BeTrue
        Set-ZpaEnrollmentCertificate -Name 'Connectors-2027' -Description 'App Connectors' -PassThru | ForEach-Object Description | Should -Be 'App Connectors'
        Remove-ZpaEnrollmentCertificate -Name 'Connectors-2027' -Confirm:$false
        { Get-ZpaEnrollmentCertificate -Name 'Connectors-2027' -ErrorAction Stop } | Should -Throw -ErrorId 'TenantEntryNotFound,ZscalerPki.Commands.GetZpaEnrollmentCertificateCommand'
        Remove-ZpaEnrollmentCertificate -Name 'ZCC-2027' -WhatIf
        (Get-ZpaEnrollmentCertificate -Name 'ZCC-2027').Name | Should -Be 'ZCC-2027'
    }

    It 'signs in to the legacy ZPA API' {
        $zpa = Connect-ZscalerTenant -LegacyZpa -ClientId $emu.ZpaClientId -ClientSecret (ConvertTo-TestSecret $emu.ZpaClientSecret) -CustomerId $emu.CustomerId -BaseUri $emu.BaseUri
        (Get-ZpaEnrollmentCertificate -Tenant $zpa -Name 'Root').Id | Should -Be '6571'
        Disconnect-ZscalerTenant -Tenant $zpa
    }
}
