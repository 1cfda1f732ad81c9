using ZscalerPki.Core.Inspection;

namespace ZscalerPki.Core.Tests.Inspection;

/// <summary>
/// What is passed to <see cref="InspectionService"/>'s constructor is all it uses: its <see cref="ForgingSession"/> (no
/// process-wide caches) and its recorder, which must know a certificate before anything hands it out.
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RecorderThatThrows_FailsTheForge_AndNothingIsHandedOutOrCached(bool deferPersistence)
    {
        using var session = new ForgingSession();
        var name = $"unrecorded-{deferPersistence}.contoso.example";
        var before = CachedFiles;
        var failing = new InspectionService(_f.Vault, session, recorder: new ThrowingRecorder()) { DeferPersistence = deferPersistence };

        var ex = Assert.Throws<InvalidOperationException>(() => failing.Forge(Request(name)));
        Assert.Equal(ThrowingRecorder.Message, ex.Message);
        failing.Flush(); // the cmdlet's End block: nothing was queued either
        Assert.Equal(before, CachedFiles);
        Assert.Equal(0, session.Cache.Count);

        // The next call, recorded this time, forges anew (not FromCache) and records what it returns.
        var recorder = new CountingRecorder();
        var forged = _f.Service(recorder: recorder, session: session).Forge(Request(name)).Item;
        Assert.False(forged.FromCache);
        Assert.Equal(forged.SerialNumber, Assert.Single(recorder.Records).SerialNumber);
        Assert.Equal(before + 1, CachedFiles);
    }

    [Fact]
    public void RecorderThatThrows_ForANewRotatingCa_KeepsItOutOfTheVault()
    {
        using var session = new ForgingSession();
        var request = Request("unrecorded-rotating.contoso.example") with { RotatingIssuer = true };
        Assert.Throws<InvalidOperationException>(() => _f.Service(recorder: new ThrowingRecorder(), session: session).Forge(request));

        // Had the (t) CA been written, this call would find it current and issue (and record) none.
        var recorder = new CountingRecorder();
        var result = _f.Service(recorder: recorder, session: session).Forge(request);
        Assert.Contains(result.Information, w => w.Contains("rotating issuing CA"));
        var rotating = Assert.Single(recorder.Records, r => r.Kind == "RotatingIssuer");
        Assert.Equal(result.Item.Chain[0].SerialNumber, rotating.SerialNumber);
    }

    private sealed class ThrowingRecorder : IIssuanceRecorder
    {
        public const string Message = "The issued-certificate database is unavailable.";

        public void Record(IssuanceRecord record) => throw new InvalidOperationException(Message);
    }
}
