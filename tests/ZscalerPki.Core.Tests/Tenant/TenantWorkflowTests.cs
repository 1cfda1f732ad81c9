using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Emulator;

namespace ZscalerPki.Core.Tests.Tenant;

/// <summary>The ZIA intermediate workflow and ZPA enrollment certificates end to end against the contract emulator.</summary>
public sealed class TenantWorkflowTests : IDisposable
{
    private readonly ZscalerEmulator _emulator = new();
    private readonly TenantSession _session;

    public TenantWorkflowTests() => _session = TenantSession.Connect(TenantTestKit.OneApi(_emulator));

    public void Dispose()
    {
        _session.Dispose();
        _emulator.Dispose();
    }

    [Fact]
    public void Zia_CreateKeyPairCsr_SignLocally_UploadWithChain_Finalize_Default_Activate()
    {
        var zia = new ZiaIntermediateService(_session);
        var sent = new List<string>();
        var made = zia.NewCsr(TenantTestKit.Csr("Inspection-2026", pathLength: 1), TenantTestKit.Always(sent), activate: false).Item!;
        Assert.Equal(("CSRGEN_DONE", "Software", false), (made.State, made.ProtectionType, made.Default));
        Assert.Equal(new[] { "POST /zia/api/v1/intermediateCaCertificate (name 'Inspection-2026', type CUSTOM_SW)", "POST /zia/api/v1/intermediateCaCertificate/keyPair/{id}" },
            sent.Take(2));
        Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----", made.Csr);
        Assert.Equal("PENDING", zia.Status().Status);

        var root = TenantTestKit.Root();
        var signed = TenantTestKit.Sign(made.Csr!, root, pathLength: 1);
        var published = zia.Publish(made, new ZiaPublishRequest { Certificates = new[] { signed }, Chain = new[] { root.Cert }, MakeDefault = true }, TenantTestKit.Always(), activate: true);
        Assert.Empty(published.Warnings);
        var ready = published.Item!;
        Assert.Equal(("CERT_READY", true), (ready.State, ready.Default));
        Assert.Equal(new DateTimeOffset(signed.NotAfter.ToUniversalTime()).ToUnixTimeSeconds(), ready.NotAfter!.Value.ToUnixTimeSeconds());
        var entry = _emulator.ZiaByName("Inspection-2026");
        Assert.False(entry.UploadIgnored);
        Assert.Equal(root.Cert.RawData, X509Certificate2.CreateFromPem(entry.ChainPem).RawData);
        Assert.Equal("ACTIVE", zia.Status().Status);
        Assert.False(zia.Get(1).Default);
        Assert.Contains(zia.List(readyToUse: true), e => e.Name == "Inspection-2026");

        // The default is never removed; Zscaler's own becomes removable only through Zscaler (403).
        var ex = Assert.Throws<PkiException>(() => zia.Delete(ready, TenantTestKit.Always(), activate: false));
        Assert.Equal(PkiErrorIds.TenantDefaultIntermediate, ex.ErrorId);
    }

    [Theory]
    [InlineData("cn", PkiErrorIds.CommonNameMismatch)]
    [InlineData("notca", PkiErrorIds.NotCaCertificate)]
    [InlineData("pathlen", PkiErrorIds.PathLengthTooLarge)]
    [InlineData("sha1", PkiErrorIds.WeakSignatureAlgorithm)]
    [InlineData("otherkey", PkiErrorIds.PublicKeyMismatch)]
    [InlineData("brokenchain", PkiErrorIds.BrokenChain)]
    public void Zia_ACertificateTheLocalImportWouldRefuse_IsRefusedBeforeAnythingIsSent(string spoil, string errorId)
    {
        var zia = new ZiaIntermediateService(_session);
        var made = zia.NewCsr(TenantTestKit.Csr("Spoiled-" + spoil, pathLength: 0), TenantTestKit.Always(), activate: false).Item!;
        var root = TenantTestKit.Root();
        X509Certificate2 cert;
        IReadOnlyList<X509Certificate2> chain = new[] { root.Cert };
        switch (spoil)
        {
            case "cn": cert = TenantTestKit.Sign(made.Csr!, root, overrideSubject: "CN=Someone Else, O=Contoso"); break;
            case "notca": cert = TenantTestKit.Sign(made.Csr!, root, ca: false); break;
            case "pathlen": cert = TenantTestKit.Sign(made.Csr!, root, pathLength: 3); break;
            case "sha1": cert = TenantTestKit.Sign(made.Csr!, root, hash: HashAlgorithmName.SHA1); break;
            case "otherkey":
                using (var key = RSA.Create(2048))
                {
                    var req = new CertificateRequest("CN=Spoiled-otherkey SSL Inspection CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                    cert = TenantTestKit.Sign(new string(PemEncoding.Write("CERTIFICATE REQUEST", req.CreateSigningRequest())), root);
                }
                break;
            default: cert = TenantTestKit.Sign(made.Csr!, root); chain = new[] { TenantTestKit.NewRoot("Contoso Test Root").Cert }; break;
        }
        var before = _emulator.Snapshot().Length;
        var ex = Assert.Throws<PkiException>(() => zia.Publish(made, new ZiaPublishRequest { Certificates = new[] { cert }, Chain = chain }, TenantTestKit.Always(), activate: false));
        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal("Spoiled-" + spoil, ex.Target);
        Assert.DoesNotContain(_emulator.Snapshot().Skip(before), r => r.Method != "GET");
        Assert.Equal("CSRGEN_DONE", zia.Get(made.Id).State);
    }

    [Fact]
    public void Zia_AnEntryThatStoppedHalfWay_ContinuesFromItsCurrentState_AndWhatIfSendsNothing()
    {
        var zia = new ZiaIntermediateService(_session);
        // The key pair call fails (a 503 on a POST is not retried): the entry stays at GENERAL_DONE.
        _emulator.UnavailableNext("POST /zia/api/v1/intermediateCaCertificate/keyPair/");
        Assert.Equal(PkiErrorIds.TenantUnavailable, Assert.Throws<PkiException>(() => zia.NewCsr(TenantTestKit.Csr("HalfWay"), TenantTestKit.Always(), false)).ErrorId);
        Assert.Equal("GENERAL_DONE", zia.Find("HalfWay").State);

        var planned = new List<string>();
        var before = _emulator.Snapshot().Length;
        var whatIf = zia.NewCsr(TenantTestKit.Csr("HalfWay"), (_, r) => { planned.AddRange(r); return false; }, activate: true);
        Assert.False(whatIf.Sent);
        var id = zia.Find("HalfWay").Id;
        Assert.Equal(new[] { $"POST /zia/api/v1/intermediateCaCertificate/keyPair/{id}", $"POST /zia/api/v1/intermediateCaCertificate/generateCsr/{id} (commName 'HalfWay SSL Inspection CA', pathLengthConstraint 0)", $"GET /zia/api/v1/intermediateCaCertificate/downloadCsr/{id}", "POST /zia/api/v1/status/activate" }, planned);
        Assert.DoesNotContain(_emulator.Snapshot().Skip(before), r => r.Method != "GET");

        var done = zia.NewCsr(TenantTestKit.Csr("HalfWay"), TenantTestKit.Always(), false).Item!;
        Assert.Equal("CSRGEN_DONE", done.State);
        // At CSRGEN_DONE only the download is left; an activation asked for is still a change -WhatIf must hold back.
        var activations = _emulator.Activations;
        Assert.False(zia.NewCsr(TenantTestKit.Csr("HalfWay"), (_, _) => false, activate: true).Sent);
        Assert.Equal(activations, _emulator.Activations);
        Assert.Equal(1, _emulator.Count("POST /zia/api/v1/intermediateCaCertificate") - _emulator.Count("POST /zia/api/v1/intermediateCaCertificate/"));

        // Publish stops after uploadCert (a 503 on uploadCertChain); again, it continues at the chain.
        var root = TenantTestKit.Root();
        var signed = TenantTestKit.Sign(done.Csr!, root);
        _emulator.UnavailableNext("POST /zia/api/v1/intermediateCaCertificate/uploadCertChain/");
        Assert.Throws<PkiException>(() => zia.Publish(done, new ZiaPublishRequest { Certificates = new[] { signed }, Chain = new[] { root.Cert } }, TenantTestKit.Always(), false));
        var half = zia.Get(done.Id);
        Assert.Equal("INTCERT_UPLOAD_DONE", half.State);
        var ready = zia.Publish(half, new ZiaPublishRequest { Certificates = new[] { signed }, Chain = new[] { root.Cert } }, TenantTestKit.Always(), false).Item!;
        Assert.Equal("CERT_READY", ready.State);
        Assert.Equal(1, _emulator.Count("/uploadCert/"));

        // A workflow step the state does not allow is one clear error.
        var fresh = Assert.Throws<PkiException>(() => zia.NewCsr(TenantTestKit.Csr("Fresh") with { CommonName = null }, TenantTestKit.Always(), false));
        Assert.Equal((PkiErrorIds.TenantWorkflowState, "Fresh"), (fresh.ErrorId, fresh.Target));
        Assert.Contains("-CommonName", fresh.Message);
        Assert.Null(zia.TryFind("Fresh"));
    }

    [Fact]
    public void Zpa_ListsEveryPage_GeneratesSelfSignedAndCsr_UploadsASignedCa_UpdatesAndDeletes()
    {
        _emulator.ZpaMaxPageSize = 2;
        var zpa = new ZpaEnrollmentService(_session);
        var all = zpa.List();
        Assert.Equal(new[] { "Root", "Client", "Connector", "Service Edge" }, all.Select(c => c.Name));
        Assert.Equal(2, _emulator.Count("GET /zpa/mgmtconfig/v2/admin/customers/216196257331281920/enrollmentCert"));
        var client = zpa.Find("client");
        Assert.Equal((Core.Enrollment.ClientCertificateType.ClientConnector, "Root", "6571"), (client.ClientCertificateType, client.Parent, client.ParentId));
        Assert.NotNull(client.Certificate);

        var from = DateTimeOffset.UtcNow.AddHours(-1);
        var to = DateTimeOffset.UtcNow.AddYears(1);
        var self = zpa.GenerateSelfSigned(new ZpaGenerateRequest { Name = "ZCC-2026", ClientCertType = "ZAPP_CLIENT", NotBefore = from, NotAfter = to, RootCertificateId = "6571" }, TenantTestKit.Always())!;
        Assert.Equal((Core.Enrollment.ClientCertificateType.ClientConnector, "6571"), (self.ClientCertificateType, self.ParentId));
        Assert.Equal(to.ToUnixTimeSeconds(), self.NotAfter!.Value.ToUnixTimeSeconds());

        var csr = zpa.GenerateCsr(new ZpaGenerateRequest { Name = "Connectors-CSR" }, TenantTestKit.Always())!;
        var root = TenantTestKit.Root();
        var signed = TenantTestKit.Sign(csr.Csr!, root);
        var uploaded = zpa.Upload(new ZpaUploadRequest { Name = "Connectors-2026", Certificate = signed, Chain = new[] { root.Cert } }, TenantTestKit.Always())!;
        Assert.Equal(signed.Thumbprint, uploaded.Thumbprint);
        Assert.True(uploaded.PrivateKeyPresent);

        var notCa = TenantTestKit.Sign(csr.Csr!, root, ca: false);
        var ex = Assert.Throws<PkiException>(() => zpa.Upload(new ZpaUploadRequest { Name = "NotCa", Certificate = notCa }, TenantTestKit.Always()));
        Assert.Equal(PkiErrorIds.NotCaCertificate, ex.ErrorId);
        var wrongParent = Assert.Throws<PkiException>(() => zpa.Upload(new ZpaUploadRequest { Name = "WrongParent", Certificate = signed, ParentId = "6571" }, TenantTestKit.Always()));
        Assert.Equal(PkiErrorIds.BrokenChain, wrongParent.ErrorId);

        var renamed = zpa.Update(uploaded, "Connectors-2026b", "App Connectors", TenantTestKit.Always())!;
        Assert.Equal(("Connectors-2026b", "App Connectors"), (renamed.Name, renamed.Description));
        Assert.True(zpa.Delete(renamed, TenantTestKit.Always()));
        Assert.Equal(PkiErrorIds.TenantEntryNotFound, Assert.Throws<PkiException>(() => zpa.Get(renamed.Id)).ErrorId);
    }

    [Fact]
    public void Zia_Hsm_GoesThroughPublicKeyAndAttestation_BeforeTheCsr()
    {
        var zia = new ZiaIntermediateService(_session);
        var sent = new List<string>();
        var made = zia.NewCsr(TenantTestKit.Csr("Hsm-2026") with { Type = "CUSTOM_HSM", Region = "EUROPE" }, TenantTestKit.Always(sent), false).Item!;
        Assert.Equal(("CSRGEN_DONE", "Hsm", "EUROPE"), (made.State, made.ProtectionType, made.Region));
        Assert.Equal(new[] { "keyPair", "downloadPublicKey", "downloadAttestation", "verifyKeyAttestation", "generateCsr", "downloadCsr" },
            sent.Skip(1).Select(r => r.Split('/')[5]));
        Assert.NotNull(made.PublicKey);
    }

    [Fact]
    public void Cancellation_StopsAWaitAtOnce()
    {
        using var cancel = new CancellationTokenSource();
        var zia = new ZiaIntermediateService(_session, new TenantObserver { Waiting = _ => cancel.Cancel() }, cancel.Token);
        _emulator.RateLimitNext("GET /zia/api/v1/intermediateCaCertificate", 60);
        Assert.ThrowsAny<OperationCanceledException>(() => zia.List());
    }

    [Fact]
    public void Zpa_LegacySignin_AndMicrotenant()
    {
        using var legacy = TenantSession.Connect(new TenantConnectRequest
        {
            Method = TenantAuthMethod.LegacyZpa,
            BaseUri = _emulator.BaseUri,
            ClientId = _emulator.ZpaClientId,
            ClientSecret = new TenantSecret(_emulator.ZpaClientSecret),
            CustomerId = _emulator.CustomerId,
        });
        var zpa = new ZpaEnrollmentService(legacy);
        Assert.Equal(4, zpa.List().Count);
        Assert.Contains(_emulator.Snapshot(), r => r.Path.StartsWith("/mgmtconfig/v2/admin/customers/", StringComparison.Ordinal));
        Assert.Throws<PkiException>(() => new ZiaIntermediateService(legacy));

        var micro = new ZpaEnrollmentService(_session, microtenantId: "1234");
        micro.GenerateSelfSigned(new ZpaGenerateRequest { Name = "Micro-ZCC", ClientCertType = "ZAPP_CLIENT" }, TenantTestKit.Always());
        Assert.Equal("Micro-ZCC", Assert.Single(micro.List()).Name);
        Assert.Contains("microtenantId=1234", _emulator.Snapshot().Last().Path);
    }
}
