using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Tests.Inspection;

[Collection("Inspection")]
public sealed class InspectionForgeTests : IClassFixture<InspectionFixture>
{
    private readonly InspectionFixture _f;

    public InspectionForgeTests(InspectionFixture f) => _f = f;

    private ForgeRequest Request(SiteProfile site) => new() { Site = site, IssuerKeyPassword = InspectionFixture.Password };

    /// <summary>openssl verify -x509_strict -purpose sslserver -verify_hostname against the root alone, the chain as untrusted; and our WebPki profile.</summary>
    private void AssertAccepted(InspectionCertificate forged, string host, bool isIp = false)
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("leaf.pem"), CertificateReader.ToPem(forged.Certificate));
        File.WriteAllText(tmp.File("untrusted.pem"), string.Concat(forged.Chain.Where(c => c.Subject != c.Issuer).Select(CertificateReader.ToPem)));
        var verify = OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-purpose", "sslserver", isIp ? "-verify_ip" : "-verify_hostname", host,
            "-CAfile", _f.RootPem, "-untrusted", "untrusted.pem", "leaf.pem");
        Assert.Contains("leaf.pem: OK", verify);

        var result = ChainValidator.Validate(new ChainValidationRequest
        {
            Certificate = forged.Certificate,
            TrustedRoots = new[] { _f.Root },
            Intermediates = forged.Chain,
            Profile = ValidationProfile.WebPki,
            Purpose = ChainPurpose.ServerAuth,
            DnsName = isIp ? null : host,
            IPAddress = isIp ? System.Net.IPAddress.Parse(host) : null,
        });
        Assert.True(result.IsValid, result.ToTreeString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RsaAndEcdsaOrigins_CopySubjectAndSans_DropWhatBrowsersReject_AndPassOpenSslAndWebPki(bool ecdsaOrigin)
    {
        var origin = _f.Origin("CN=www.contoso-shop.example, O=Contoso Shop, C=US", new[] { "www.contoso-shop.example", "contoso-shop.example" }, ecdsa: ecdsaOrigin);
        var forged = _f.Service().Forge(Request(SiteProfile.FromOrigin(origin))).Item;

        Assert.Equal(origin.Subject, forged.Subject);
        Assert.Equal(_f.Intermediate.Subject, forged.Issuer);
        Assert.Equal(new[] { "www.contoso-shop.example", "contoso-shop.example" }, forged.DnsNames);
        Assert.NotEqual(origin.SerialNumber, forged.SerialNumber);
        Assert.Equal(3, forged.Chain.Length + 1); // leaf, intermediate, root
        Assert.IsAssignableFrom<ECDsa>(forged.Certificate.GetECDsaPublicKey()); // default key: P-256
        var oids = forged.Certificate.Extensions.Select(e => e.Oid!.Value).ToHashSet();
        Assert.DoesNotContain("1.3.6.1.4.1.11129.2.4.2", oids); // SCTs
        Assert.DoesNotContain("1.2.3.4.5.6.7", oids); // unknown critical
        Assert.DoesNotContain("1.3.6.1.5.5.7.1.24", oids); // must-staple
        Assert.DoesNotContain("2.5.29.31", oids); // the public CA's CDP is never copied; our issuer has none today
        Assert.False(forged.Certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, forged.Certificate.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.Equal("1.3.6.1.5.5.7.3.1", forged.Certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages[0].Value);
        var serial = forged.Certificate.SerialNumberBytes.Span;
        Assert.True(serial[0] is > 0 and < 0x80 && serial.Length <= 20); // positive, no leading zero (big-endian)
        AssertAccepted(forged, "www.contoso-shop.example");
        AssertAccepted(forged, "contoso-shop.example");
    }

    [Fact]
    public void WildcardAndIpSans_AreCopied_AndMatch()
    {
        var origin = _f.Origin("CN=*.api.contoso.example", new[] { "*.api.contoso.example" }, new[] { "192.0.2.44", "2001:db8::44" });
        var forged = _f.Service().Forge(Request(SiteProfile.FromOrigin(origin))).Item;
        Assert.Equal(new[] { "*.api.contoso.example" }, forged.DnsNames);
        Assert.Equal(new[] { "192.0.2.44", "2001:db8::44" }, forged.IPAddresses);
        AssertAccepted(forged, "eu.api.contoso.example");
        AssertAccepted(forged, "192.0.2.44", isIp: true);
    }

    [Fact]
    public void SubjectOnlyOrigin_GetsASanFromItsCn()
    {
        var origin = _f.Origin("CN=legacy.contoso.example, O=Legacy", Array.Empty<string>(), noSan: true);
        var forged = _f.Service().Forge(Request(SiteProfile.FromOrigin(origin))).Item;
        Assert.Equal(new[] { "legacy.contoso.example" }, forged.DnsNames);
        Assert.Single(forged.Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        AssertAccepted(forged, "legacy.contoso.example");
    }

    [Fact]
    public void LongLivedOrigin_IsClampedToTheBrowsersMaximumOnTheDay_OrTheConfiguredMaximum()
    {
        var origin = _f.Origin("CN=long.contoso.example", new[] { "long.contoso.example" }, notAfter: DateTimeOffset.UtcNow.AddYears(5));
        var now = DateTimeOffset.UtcNow;
        var forged = _f.Service().Forge(Request(SiteProfile.FromOrigin(origin)) with { Now = now }).Item;
        var days = (forged.NotAfter.ToUniversalTime() - forged.NotBefore.ToUniversalTime()).TotalDays;
        var limit = ForgeOptions.MaximumTlsValidity(now).TotalDays; // 199 days from 2026-03-15 (SC-081)
        Assert.InRange(days, limit - 0.1, limit + 0.01);
        Assert.Equal(397, ForgeOptions.MaximumTlsValidity(new DateTimeOffset(2026, 3, 14, 23, 0, 0, TimeSpan.Zero)).TotalDays);
        Assert.Equal(199, ForgeOptions.MaximumTlsValidity(new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero)).TotalDays);
        Assert.Equal(99, ForgeOptions.MaximumTlsValidity(new DateTimeOffset(2027, 3, 15, 0, 0, 0, TimeSpan.Zero)).TotalDays);
        Assert.Equal(46, ForgeOptions.MaximumTlsValidity(new DateTimeOffset(2029, 3, 15, 0, 0, 0, TimeSpan.Zero)).TotalDays);
        var shorter = _f.Service().Forge(Request(SiteProfile.FromOrigin(origin)) with { Now = now, MaxValidity = TimeSpan.FromDays(90), Force = true }).Item;
        Assert.InRange((shorter.NotAfter.ToUniversalTime() - now.UtcDateTime).TotalDays, 89.9, 90.01);
        AssertAccepted(forged, "long.contoso.example");
    }

    [Fact]
    public void OriginExpiringTomorrow_EndsWithTheOrigin_AndWarns()
    {
        var end = DateTimeOffset.UtcNow.AddDays(1);
        var origin = _f.Origin("CN=soon.contoso.example", new[] { "soon.contoso.example" }, notAfter: end);
        var result = _f.Service().Forge(Request(SiteProfile.FromOrigin(origin)));
        Assert.Equal(origin.NotAfter, result.Item.NotAfter);
        Assert.Contains(result.Warnings, w => w.Contains("origin certificate expires"));
        AssertAccepted(result.Item, "soon.contoso.example");
    }

    [Fact]
    public void IssuerExpiringBeforeTheOrigin_ClampsToTheIssuer_AndWarns()
    {
        var origin = _f.Origin("CN=clamp.contoso.example", new[] { "clamp.contoso.example" });
        var result = _f.Service().Forge(Request(SiteProfile.FromOrigin(origin)) with { Issuer = "Short" });
        var shortCa = result.Item.Chain[0];
        Assert.Equal(shortCa.NotAfter, result.Item.NotAfter);
        Assert.Contains(result.Warnings, w => w.Contains("with its issuer"));
        Assert.Equal("Short", result.Item.IssuerName);
        AssertAccepted(result.Item, "clamp.contoso.example");
    }

    [Fact]
    public void NamesOnly_RsaKey_GivesCnAndSan()
    {
        var forged = _f.Service().Forge(Request(SiteProfile.FromNames(new[] { "Intranet.Contoso.Example" }, new[] { "10.1.2.3" })) with { KeyAlgorithm = InspectionKeyAlgorithm.Rsa2048, KeyReuse = true }).Item;
        Assert.Equal("CN=intranet.contoso.example", forged.Subject);
        Assert.NotNull(forged.Certificate.GetRSAPublicKey());
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, forged.Certificate.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        AssertAccepted(forged, "intranet.contoso.example");
        AssertAccepted(forged, "10.1.2.3", isIp: true);
    }

    [Fact]
    public void PublicationHook_PutsTheIssuersCdpAndAia_AndTheRecorderSeesEachSignatureOnce()
    {
        var recorder = new CountingRecorder();
        var service = _f.Service(new FixedPublication(), recorder);
        var site = SiteProfile.FromNames(new[] { "hooked.contoso.example" }, null);
        var forged = service.Forge(Request(site) with { IncludePrivateKey = true }).Item;
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("leaf.pem"), CertificateReader.ToPem(forged.Certificate));
        var text = OpenSsl.Ok(tmp.Path, "x509", "-in", "leaf.pem", "-noout", "-text");
        Assert.Contains("URI:http://pki.contoso.example/Inspection.crl", text);
        Assert.Contains("CA Issuers - URI:http://pki.contoso.example/Inspection.cer", text);
        Assert.True(forged.HasPrivateKey);

        service.Forge(Request(site)); // hit
        var record = Assert.Single(recorder.Records);
        Assert.Equal("ServerCertificate", record.Kind);
        Assert.Equal(forged.SerialNumber, record.SerialNumber);
        Assert.Equal("Inspection", record.Issuer.Name);

        // The CA's publication changed (here: removed): the cache does not return a certificate with the old CDP.
        var plain = _f.Service().Forge(Request(site)).Item;
        Assert.False(plain.FromCache);
        Assert.DoesNotContain(plain.Certificate.Extensions.Cast<X509Extension>(), e => e.Oid!.Value == "2.5.29.31");
    }
}
