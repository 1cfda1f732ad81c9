using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Tests.Revocation;

/// <summary>
/// -Online follows URLs from the certificate under test, so each is hostile input: dead servers, endless bodies, redirects
/// to file:, file: CDPs naming devices. Each must end as a CrlUnreachable problem naming the URL, within the deadline.
/// </summary>
public sealed class OnlineRevocationLimitsTests : IDisposable
{
    private static readonly ReadOnlyMemory<char> Password = Pw.Of("pw");
    private readonly TempDir _tmp = new();
    private readonly LoopbackHttpServer _server;
    private readonly Vault _vault;

    public OnlineRevocationLimitsTests()
    {
        var www = _tmp.File("www");
        Directory.CreateDirectory(www);
        _server = new LoopbackHttpServer(www) { SlowDelay = TimeSpan.FromMinutes(2) };
        _vault = Vault.Open(_tmp.Vault);
    }

    public void Dispose()
    {
        _server.Dispose();
        _tmp.Dispose();
    }

    /// <summary>A root whose CRL URLs are <paramref name="cdps"/>, and an intermediate it issued (which carries them).</summary>
    private (X509Certificate2 Root, X509Certificate2 Mid) Chain(IEnumerable<string> cdps)
    {
        var enrollment = new EnrollmentService(_vault);
        var root = enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Root", Subject = "CN=Hostile Root", KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
            CrlDistributionPoints = cdps.ToArray(),
        }).Item.Certificate;
        var mid = enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Mid", Subject = "CN=Hostile Mid", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), KeyPassword = Password,
            KeyAlgorithm = KeyAlgorithm.EcdsaP256,
        }).Item.Certificate;
        return (root, mid);
    }

    private static ChainValidationRequest Request(X509Certificate2 root, X509Certificate2 mid) => new()
    {
        Certificate = mid,
        TrustedRoots = new[] { root },
        UnknownRevocationIsFailure = true,
    };

    [Fact]
    public void FortyServersThatNeverAnswer_CostOneDeadline()
    {
        var (root, mid) = Chain(Enumerable.Range(0, 40).Select(i => _server.Url($"slow/dead{i}.crl")));
        var deadline = TimeSpan.FromSeconds(3);
        var fetcher = new OnlineRevocation { Deadline = deadline };
        var clock = Stopwatch.StartNew();
        var online = fetcher.Augment(Request(root, mid));
        clock.Stop();
        Assert.True(clock.Elapsed < deadline + TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
        // One problem per distribution point, each naming its URL: 32 waited for until the deadline, 8 over the fetch limit.
        Assert.Equal(40, online.Problems.Count(p => p.Code == ChainProblemCodes.CrlUnreachable));
        Assert.Contains(online.Problems, p => p.Message.Contains(_server.Url("slow/dead0.crl") + ": no answer before the 3 s deadline"));
        Assert.Equal(8, online.Problems.Count(p => p.Message.Contains("fetch limit of 32")));
        var result = ChainValidator.Validate(online.Request);
        Assert.False(result.IsValid);
        Assert.Equal(RevocationStatus.Unknown, result.Elements[0].Revocation);
    }

    [Fact]
    public void EndlessBody_StopsOneByteAfterTheLimit()
    {
        Assert.Equal(64L * 1024 * 1024, new OnlineRevocation().MaxBytes); // what the CRL reader accepts
        var fetcher = new OnlineRevocation { MaxBytes = 1024 * 1024, Deadline = TimeSpan.FromSeconds(20) };
        var clock = Stopwatch.StartNew();
        Assert.False(fetcher.TryFetch(_server.Url("endless/root.crl"), out _, out var why));
        Assert.Contains("limit", why);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");

        var (root, mid) = Chain(new[] { _server.Url("endless/root.crl") });
        var online = fetcher.Augment(Request(root, mid));
        Assert.Contains(online.Problems, p => p.Code == ChainProblemCodes.CrlUnreachable && p.Message.Contains(_server.Url("endless/root.crl")) && p.Message.Contains("limit"));
    }

    [Fact]
    public void RedirectToFile_IsRefused_AndRedirectLoopsEnd()
    {
        var fetcher = new OnlineRevocation();
        Assert.False(fetcher.TryFetch(_server.Url("302/file:///etc/passwd"), out _, out var why));
        Assert.Contains("redirected to file:///etc/passwd, refused", why);

        // 302 -> 302 -> ... back to itself: stops after MaxRedirects hops.
        var loop = _server.Url("302/" + Uri.EscapeDataString(_server.Url("302/" + _server.Url("302/" + _server.Url("302/" + _server.Url("302/" + _server.Url("302/" + _server.Url("x.crl"))))))));
        Assert.False(fetcher.TryFetch(loop, out _, out why));
        Assert.Contains("redirect", why);

        var (root, mid) = Chain(new[] { _server.Url("302/file:///etc/passwd") });
        var online = fetcher.Augment(Request(root, mid));
        Assert.Contains(online.Problems, p => p.Code == ChainProblemCodes.CrlUnreachable && p.Message.Contains("refused"));
    }

    [Fact]
    public void FileUrlsInACertificate_AreRefusedWithoutOpening()
    {
        var fetcher = new OnlineRevocation();
        var clock = Stopwatch.StartNew();
        foreach (var url in new[] { "file:///dev/zero", "file:///dev/stdin", "file:///etc/shadow" })
        {
            Assert.False(fetcher.TryFetch(url, out _, out var why));
            Assert.Contains("only http and https", why);
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}"); // /dev/zero and /dev/stdin were not read

        var (root, mid) = Chain(new[] { "file:///dev/zero" });
        var online = fetcher.Augment(Request(root, mid));
        var problem = Assert.Single(online.Problems);
        Assert.Equal(ChainProblemCodes.CrlUnreachable, problem.Code);
        Assert.Contains("file:///dev/zero", problem.Message);
        Assert.Equal(0, fetcher.Downloads);
    }
}
