using ZscalerPki.Core.Inspection;

namespace ZscalerPki.Core.Tests.Inspection;

/// <summary>
/// What is passed to <see cref="InspectionService"/>'s constructor is all it uses: its <see cref="ForgingSession"/> (no
/// process-wide caches).
/// </summary>
[Collection("Inspection")]
public sealed class InspectionSessionTests : IClassFixture<InspectionFixture>
{
    private readonly InspectionFixture _f;

    public InspectionSessionTests(InspectionFixture f) => _f = f;

    private static ForgeRequest Request(string name) => new() { Site = SiteProfile.FromNames(new[] { name }, null), IssuerKeyPassword = InspectionFixture.Password };

    private string CacheDirectory => Path.Combine(_f.Vault.Root, "inspection", "intermediate-Inspection", "cache");

    private int CachedFiles => Directory.Exists(CacheDirectory) ? Directory.EnumerateFiles(CacheDirectory).Count() : 0;

    [Fact]
    public void TwoSessions_DoNotSeeEachOthersOpenedIssuersOrCertificates()
    {
        using var a = new ForgingSession();
        using var b = new ForgingSession();
        var serviceA = _f.Service(session: a);
        var serviceB = _f.Service(session: b);

        // An issuer passed as a certificate has no vault cache, so only memory could return a certificate again.
        var external = Request("isolated.contoso.example") with { IssuerCertificate = _f.PublicCa };
        var first = serviceA.Forge(external).Item;
        Assert.True(serviceA.Forge(external).Item.FromCache);
        Assert.Equal((1, 1), (a.OpenedCount, a.Cache.Count));
        Assert.Equal((0, 0), (b.OpenedCount, b.Cache.Count));

        var other = serviceB.Forge(external).Item;
        Assert.False(other.FromCache);
        Assert.NotEqual(first.SerialNumber, other.SerialNumber);

        // A vault issuer: B opens it for itself; clearing A (a reset of A's PowerShell session) leaves B's memory alone.
        serviceA.Forge(Request("vault-isolated.contoso.example"));
        Assert.Equal(1, b.OpenedCount);
        serviceB.Forge(Request("vault-isolated.contoso.example"));
        Assert.Equal((2, 2), (b.OpenedCount, b.Cache.Count));
        a.Clear();
        Assert.Equal((0, 0), (a.OpenedCount, a.Cache.Count));
        Assert.Equal((2, 2), (b.OpenedCount, b.Cache.Count));
        Assert.True(serviceB.Forge(external).Item.FromCache);
    }
}
