using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Inspection;

[Collection("Inspection")]
public sealed class InspectionBadInputTests : IClassFixture<InspectionFixture>
{
    private readonly InspectionFixture _f;

    public InspectionBadInputTests(InspectionFixture f) => _f = f;

    private static string ErrorOf(Action a) => Assert.Throws<PkiException>(a).ErrorId;

    private ForgeRequest Request(string name = "bad.contoso.example") => new() { Site = SiteProfile.FromNames(new[] { name }, null), IssuerKeyPassword = InspectionFixture.Password };

    [Fact]
    public void NonCaIssuer_IsIssuerNotCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=not a ca", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var leaf = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        Assert.Equal(PkiErrorIds.IssuerNotCa, ErrorOf(() => _f.Service().Forge(Request() with { IssuerCertificate = leaf })));
        Assert.Equal(PkiErrorIds.IssuerNotCa, ErrorOf(() => new ForgingIssuer(leaf, key, Array.Empty<X509Certificate2>())));
    }

    [Fact]
    public void IssuerWithoutItsKeyPassword_OrAWrongOne()
    {
        Assert.Equal(PkiErrorIds.KeyPasswordRequired, ErrorOf(() => _f.Service().Forge(Request() with { IssuerKeyPassword = default })));
        Assert.Equal(PkiErrorIds.WrongKeyPassword, ErrorOf(() => _f.Service().Forge(Request() with { IssuerKeyPassword = Pw.Of("wrong") })));
    }

    [Fact]
    public void OriginThatIsACa_AndEmptyNameLists_AndBadNames()
    {
        var ca = _f.Origin("CN=Some CA", new[] { "ca.example" }, ca: true);
        Assert.Equal(PkiErrorIds.OriginIsCa, ErrorOf(() => SiteProfile.FromOrigin(ca)));
        Assert.Equal(PkiErrorIds.NoSiteNames, ErrorOf(() => SiteProfile.FromNames(Array.Empty<string>(), null)));
        Assert.Equal(PkiErrorIds.NoSiteNames, ErrorOf(() => SiteProfile.FromNames(new[] { " " }, new string[0])));
        Assert.Equal(PkiErrorIds.NoSiteNames, ErrorOf(() => SiteProfile.FromOrigin(_f.Origin("O=No Name", Array.Empty<string>(), noSan: true))));
        Assert.Equal(PkiErrorIds.InvalidSiteName, ErrorOf(() => SiteProfile.FromNames(new[] { "bad name.example" }, null)));
        Assert.Equal(PkiErrorIds.InvalidSiteName, ErrorOf(() => SiteProfile.FromNames(new[] { "a.*.example" }, null)));
        Assert.Equal(PkiErrorIds.InvalidSiteName, ErrorOf(() => SiteProfile.FromNames(Enumerable.Range(0, SiteProfile.MaxNames + 1).Select(i => $"h{i}.example"), null)));
        Assert.Equal(PkiErrorIds.InvalidIPAddress, ErrorOf(() => SiteProfile.FromNames(null, new[] { "300.1.1.1" })));
    }

    [Fact]
    public void ExpiredOrigin_IsOriginExpired()
    {
        var old = _f.Origin("CN=old.example", new[] { "old.example" }, notBefore: DateTimeOffset.UtcNow.AddDays(-400), notAfter: DateTimeOffset.UtcNow.AddDays(-1));
        Assert.Equal(PkiErrorIds.OriginExpired, ErrorOf(() => _f.Service().Forge(Request() with { Site = SiteProfile.FromOrigin(old) })));
    }

    [Fact]
    public void RotationBelowPathLengthZero_IsRefused_AndPeriodsAreBounded()
    {
        Assert.Equal(PkiErrorIds.RotationNotAllowed, ErrorOf(() => _f.Service().Forge(Request() with { Issuer = "NoRoom", RotatingIssuer = true })));
        Assert.Equal(PkiErrorIds.InvalidRotationPeriod, ErrorOf(() => _f.Service().Forge(Request() with { RotatingIssuer = true, RotationPeriod = TimeSpan.FromMinutes(5) })));
        Assert.Equal(PkiErrorIds.InvalidValidity, ErrorOf(() => _f.Service().Forge(Request() with { MaxValidity = TimeSpan.Zero })));
        // Without rotation the same CA signs directly.
        Assert.Equal("CN=Contoso NoRoom CA", _f.Service().Forge(Request() with { Issuer = "NoRoom" }).Item.Issuer);
    }

    [Fact]
    public void NoDefaultIntermediate_UnknownIssuer_ExpiredIssuer_KeyMismatch()
    {
        using var tmp = new TempDir();
        Assert.Equal(PkiErrorIds.NoDefaultIntermediate, ErrorOf(() => new InspectionService(Vault.Open(tmp.Vault), _f.NewSession()).Forge(Request())));
        Assert.Equal(PkiErrorIds.NotFound, ErrorOf(() => _f.Service().Forge(Request() with { Issuer = "Nope" })));
        Assert.Equal(PkiErrorIds.IssuerNotValid, ErrorOf(() => _f.Service().Forge(Request() with { Issuer = "Short", Now = DateTimeOffset.UtcNow.AddDays(40) })));
        using var other = RSA.Create(2048);
        Assert.Equal(PkiErrorIds.IssuerKeyMismatch, ErrorOf(() => new ForgingIssuer(_f.Root, other, Array.Empty<X509Certificate2>())));
    }
}
