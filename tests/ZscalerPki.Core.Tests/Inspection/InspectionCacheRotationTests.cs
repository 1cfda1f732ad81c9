using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Inspection;

namespace ZscalerPki.Core.Tests.Inspection;

// The Inspection test classes run one after another (one collection) but beside other collections: each test forges in
// sessions of its own (InspectionFixture.Service), so there is no process-wide state to guard; each class has its own vault.
[CollectionDefinition("Inspection")]
public sealed class InspectionCollection
{
}

[Collection("Inspection")]
public sealed class InspectionCacheRotationTests : IClassFixture<InspectionFixture>
{
    private readonly InspectionFixture _f;

    public InspectionCacheRotationTests(InspectionFixture f) => _f = f;

    private ForgeRequest Request(string name) => new() { Site = SiteProfile.FromNames(new[] { name }, null), IssuerKeyPassword = InspectionFixture.Password };

    [Fact]
    public void Cache_HitDoesNotSign_SurvivesANewSessionThroughTheVault_ForceRegenerates_KeyChoiceIsPartOfTheKey()
    {
        var recorder = new CountingRecorder();
        var service = _f.Service(recorder: recorder);
        var first = service.Forge(Request("cached.contoso.example") with { IncludePrivateKey = true }).Item;
        var hit = service.Forge(Request("cached.contoso.example")).Item;
        Assert.False(first.FromCache);
        Assert.True(hit.FromCache);
        Assert.Equal(first.Certificate.RawData, hit.Certificate.RawData);
        Assert.Single(recorder.Records);

        // A new PowerShell session (_f.Service() without a session): memory is empty, the vault still has it (and its sealed key).
        var persisted = _f.Service(recorder: recorder).Forge(Request("cached.contoso.example") with { IncludePrivateKey = true }).Item;
        Assert.True(persisted.FromCache);
        Assert.Equal(first.Certificate.RawData, persisted.Certificate.RawData);
        Assert.Equal(first.Certificate.GetECDsaPrivateKey()!.ExportParameters(true).D, persisted.Certificate.GetECDsaPrivateKey()!.ExportParameters(true).D);
        Assert.Single(recorder.Records);

        var forced = service.Forge(Request("cached.contoso.example") with { Force = true }).Item;
        Assert.False(forced.FromCache);
        Assert.NotEqual(first.SerialNumber, forced.SerialNumber);
        Assert.Equal(2, recorder.Records.Count);

        var rsa = service.Forge(Request("cached.contoso.example") with { KeyAlgorithm = InspectionKeyAlgorithm.Rsa2048, KeyReuse = true }).Item;
        Assert.False(rsa.FromCache);
        // Names are a set: order and case do not matter.
        var set1 = service.Forge(new ForgeRequest { Site = SiteProfile.FromNames(new[] { "a.contoso.example", "B.contoso.example" }, null), IssuerKeyPassword = InspectionFixture.Password }).Item;
        var set2 = service.Forge(new ForgeRequest { Site = SiteProfile.FromNames(new[] { "b.contoso.example", "a.contoso.example" }, null), IssuerKeyPassword = InspectionFixture.Password }).Item;
        Assert.True(set2.FromCache);
        Assert.Equal(set1.SerialNumber, set2.SerialNumber);
    }

    [Fact]
    public void Cache_NearExpiryIsForgedAgain_AndKeyReuseSharesOneKeyAcrossSitesAndSessions()
    {
        var service = _f.Service();
        var now = DateTimeOffset.UtcNow;
        var a = service.Forge(Request("reuse-a.contoso.example") with { KeyReuse = true, Now = now }).Item;
        var b = service.Forge(Request("reuse-b.contoso.example") with { KeyReuse = true, Now = now }).Item;
        Assert.True(Keys.SameKey(a.Certificate.PublicKey, b.Certificate.PublicKey));
        var c = _f.Service().Forge(Request("reuse-c.contoso.example") with { KeyReuse = true, Now = now }).Item;
        Assert.True(Keys.SameKey(a.Certificate.PublicKey, c.Certificate.PublicKey));
        var perSite = _f.Service().Forge(Request("reuse-a.contoso.example") with { Now = now }).Item;
        Assert.False(Keys.SameKey(a.Certificate.PublicKey, perSite.Certificate.PublicKey));

        var late = _f.Service().Forge(Request("reuse-a.contoso.example") with { KeyReuse = true, Now = a.RenewAfter.ToUniversalTime().AddMinutes(1) }).Item;
        Assert.False(late.FromCache);
        Assert.NotEqual(a.SerialNumber, late.SerialNumber);
    }

    [Fact]
    public void RotatingIssuer_SignsBelowTheIntermediate_RotatesAfterThePeriod_AndTheCacheFollows()
    {
        var recorder = new CountingRecorder();
        var service = _f.Service(recorder: recorder);
        var now = DateTimeOffset.UtcNow;
        var result = service.Forge(Request("rotate.contoso.example") with { RotatingIssuer = true, Now = now });
        var forged = result.Item;
        Assert.Equal("CN=Contoso SSL Inspection CA (t), O=Contoso, C=US", forged.Issuer);
        Assert.Equal(3, forged.Chain.Length); // (t), intermediate, root
        Assert.Equal(_f.Intermediate.Thumbprint, forged.Chain[1].Thumbprint);
        var t = forged.Chain[0];
        Assert.Equal(0, t.Extensions.OfType<X509BasicConstraintsExtension>().Single().PathLengthConstraint);
        Assert.InRange((t.NotAfter.ToUniversalTime() - now.UtcDateTime).TotalDays, 13.9, 14.01);
        Assert.Contains(result.Information, w => w.Contains("rotating issuing CA"));
        Assert.Contains(recorder.Records, r => r.Kind == "RotatingIssuer");

        using (var tmp = new TempDir())
        {
            File.WriteAllText(tmp.File("leaf.pem"), CertificateReader.ToPem(forged.Certificate));
            File.WriteAllText(tmp.File("untrusted.pem"), CertificateReader.ToPem(t) + CertificateReader.ToPem(_f.Intermediate));
            Assert.Contains("OK", OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-purpose", "sslserver", "-verify_hostname", "rotate.contoso.example",
                "-CAfile", _f.RootPem, "-untrusted", "untrusted.pem", "leaf.pem"));
        }

        var webPki = ZscalerPki.Core.Validation.ChainValidator.Validate(new ZscalerPki.Core.Validation.ChainValidationRequest
        {
            Certificate = forged.Certificate,
            TrustedRoots = new[] { _f.Root },
            Intermediates = new[] { t, _f.Intermediate },
            Profile = ZscalerPki.Core.Validation.ValidationProfile.WebPki,
            Purpose = ZscalerPki.Core.Validation.ChainPurpose.ServerAuth,
            DnsName = "rotate.contoso.example",
        });
        Assert.True(webPki.IsValid, webPki.ToTreeString());

        // Same period, new session: same (t) from the vault, cached leaf.
        var again = _f.Service().Forge(Request("rotate.contoso.example") with { RotatingIssuer = true, Now = now.AddDays(3) }).Item;
        Assert.True(again.FromCache);
        Assert.Equal(t.Thumbprint, again.Chain[0].Thumbprint);

        // After the period: a new (t), and the cache does not return a certificate of the old one.
        var rotated = _f.Service().Forge(Request("rotate.contoso.example") with { RotatingIssuer = true, Now = now.AddDays(7.5) }).Item;
        Assert.False(rotated.FromCache);
        Assert.NotEqual(t.Thumbprint, rotated.Chain[0].Thumbprint);
        Assert.Equal(rotated.Chain[0].Subject, t.Subject);
    }

    [Fact]
    public void TamperedCacheFile_IsACleanError()
    {
        var forged = _f.Service().Forge(Request("tamper.contoso.example")).Item;
        var dir = Path.Combine(_f.Vault.Root, "inspection", "intermediate-Inspection", "cache");
        var der = Convert.ToBase64String(forged.Certificate.RawData);
        var file = Directory.EnumerateFiles(dir).Select(p => (p, text: File.ReadAllText(p)))
            .Single(x => System.Text.Json.JsonDocument.Parse(x.text).RootElement.GetProperty("CertificateDer").GetString() == der);
        var sealedKey = System.Text.Json.JsonDocument.Parse(file.text).RootElement.GetProperty("SealedKey").GetString()!;
        var bytes = Convert.FromBase64String(sealedKey);
        bytes[^1] ^= 1;
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file.p));
        var node = System.Text.Json.Nodes.JsonNode.Parse(file.text)!;
        node["SealedKey"] = Convert.ToBase64String(bytes);
        File.WriteAllText(file.p, node.ToJsonString());
        var ex = Assert.Throws<PkiException>(() => _f.Service().Forge(Request("tamper.contoso.example")));
        Assert.Equal(PkiErrorIds.InspectionCacheCorrupt, ex.ErrorId);
    }
}
