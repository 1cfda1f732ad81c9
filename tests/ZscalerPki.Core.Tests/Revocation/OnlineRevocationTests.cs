using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Tests.Revocation;

/// <summary>
/// "Do clients see my revocation?": the CA's CRLs and certificates are served from a loopback HTTP server this test starts;
/// OpenSSL (-crl_download) and the -Online pre-step fetch them from the URLs embedded in the certificates.
/// </summary>
public sealed class OnlineRevocationTests : IDisposable
{
    private static readonly ReadOnlyMemory<char> Password = Pw.Of("pw");
    private readonly TempDir _tmp = new();
    private readonly string _www;
    private readonly LoopbackHttpServer _server;
    private readonly Vault _vault;
    private readonly X509Certificate2 _root, _mid, _leaf;

    public OnlineRevocationTests()
    {
        _www = _tmp.File("www");
        Directory.CreateDirectory(_www);
        _server = new LoopbackHttpServer(_www);
        _vault = Vault.Open(_tmp.Vault);
        var enrollment = new EnrollmentService(_vault);
        _root = enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Root", Subject = "CN=Online Root", KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
            CrlDistributionPoints = new[] { _server.Url("Root.crl") }, AuthorityInfoAccess = new[] { _server.Url("Root.cer") },
        }).Item.Certificate;
        _mid = enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Mid", Subject = "CN=Online Mid", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), KeyPassword = Password,
            KeyAlgorithm = KeyAlgorithm.EcdsaP256, CrlDistributionPoints = new[] { _server.Url("Mid.crl") }, AuthorityInfoAccess = new[] { _server.Url("Mid.cer") },
        }).Item.Certificate;
        _leaf = enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Leaf", Subject = "CN=Online Leaf", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Mid"), KeyPassword = Password,
            KeyAlgorithm = KeyAlgorithm.EcdsaP256, PathLength = 0,
        }).Item.Certificate;
        File.WriteAllBytes(Path.Combine(_www, "Mid.cer"), _mid.RawData);
        File.WriteAllBytes(Path.Combine(_www, "Root.cer"), _root.RawData);
        Publish("Root");
        Publish("Mid");
    }

    public void Dispose()
    {
        _server.Dispose();
        _tmp.Dispose();
    }

    private void Publish(string ca) =>
        new CrlPublisher(_vault).Publish(new PublishCrlRequest { Issuer = ca, Folder = _www, KeyPassword = Password });

    private (ChainValidationResult Result, OnlineFetchResult Online) Validate(OnlineRevocation fetcher, X509Certificate2? cert = null)
    {
        var online = fetcher.Augment(new ChainValidationRequest
        {
            Certificate = cert ?? _leaf,
            TrustedRoots = new[] { _root },
            UnknownRevocationIsFailure = true,
        });
        return (ChainValidator.Validate(online.Request), online);
    }

    private string Pem(X509Certificate2 cert, string name)
    {
        var path = _tmp.File(name);
        File.WriteAllText(path, CertificateReader.ToPem(cert));
        return path;
    }

    [Fact]
    public void RevokedAfterIssuance_OpenSslCrlDownloadAndOnlineAgree()
    {
        var fetcher = new OnlineRevocation();
        var (before, online) = Validate(fetcher);
        Assert.True(before.IsValid, before.ToTreeString());
        Assert.Contains(_server.Url("Mid.cer"), online.FetchedUrls); // the missing intermediate came from AIA caIssuers
        Assert.Contains(_server.Url("Mid.crl"), online.FetchedUrls);
        Assert.Contains(_server.Url("Root.crl"), online.FetchedUrls);
        Assert.All(before.Elements.Take(2), e => Assert.Equal(RevocationStatus.Good, e.Revocation));

        var root = Pem(_root, "root.pem");
        var mid = Pem(_mid, "mid.pem");
        var leaf = Pem(_leaf, "leaf.pem");
        OpenSsl.Ok(_tmp.Path, "verify", "-crl_check", "-crl_download", "-CAfile", root, "-untrusted", mid, leaf);

        new RevocationService(_vault).Revoke(new RevokeRequest { Issuer = "Mid", Certificate = _leaf, Reason = RevocationReason.KeyCompromise });
        Publish("Mid");

        var openssl = OpenSsl.Run(_tmp.Path, "verify", "-crl_check", "-crl_download", "-CAfile", root, "-untrusted", mid, leaf);
        Assert.NotEqual(0, openssl.ExitCode);
        Assert.Contains("certificate revoked", openssl.All);

        // Same session: the cached Mid.crl is revalidated and the new one is seen; the unchanged Root.crl is not downloaded again.
        var downloads = fetcher.Downloads;
        var (after, _) = Validate(fetcher);
        Assert.False(after.IsValid);
        Assert.Equal(RevocationStatus.Revoked, after.Elements[0].Revocation);
        Assert.Contains(after.Problems, p => p.Code == ChainProblemCodes.Revoked);
        Assert.True(_server.NotModified >= 1, "the unchanged CRL and certificate should be answered 304");
        Assert.True(fetcher.Downloads - downloads <= 2);
    }

    [Fact]
    public void LastModifiedOnlyServers_StillSeeARepublishedCrl()
    {
        _server.UseETag = false;
        var fetcher = new OnlineRevocation();
        Assert.True(Validate(fetcher).Result.IsValid);
        new RevocationService(_vault).Revoke(new RevokeRequest { Issuer = "Mid", Certificate = _leaf, Reason = RevocationReason.Superseded });
        Publish("Mid"); // within the same second as the first fetch, typically
        Assert.Equal(RevocationStatus.Revoked, Validate(fetcher).Result.Elements[0].Revocation);
    }

    [Fact]
    public void UnreachableCdp_IsReportedWithItsCode_AndTheStatusStaysUnknown()
    {
        File.Delete(Path.Combine(_www, "Mid.crl"));
        var (result, online) = Validate(new OnlineRevocation());
        Assert.Contains(online.Problems, p => p.Code == ChainProblemCodes.CrlUnreachable && p.Message.Contains("HTTP 404"));
        Assert.False(result.IsValid);
        Assert.Equal(RevocationStatus.Unknown, result.Elements[0].Revocation);
        Assert.Contains(result.Problems, p => p.Code == ChainProblemCodes.NoCrl);
    }

    [Fact]
    public void Timeout_SizeCap_NotACrl_AndFileUrls()
    {
        var fetcher = new OnlineRevocation { Timeout = TimeSpan.FromMilliseconds(500), MaxBytes = 200 };
        _server.SlowDelay = TimeSpan.FromSeconds(3);
        Assert.False(fetcher.TryFetch(_server.Url("slow/Root.crl"), out _, out var why));
        Assert.Contains("no answer within", why);
        Assert.False(fetcher.TryFetch(_server.Url("Mid.cer"), out _, out why));
        Assert.Contains("limit", why);
        Assert.False(fetcher.TryFetch("ldap://127.0.0.1/cn=x", out _, out why));
        Assert.Contains("not fetched", why);
        Assert.False(fetcher.TryFetch("http://127.0.0.1:1/closed.crl", out _, out _));

        // A file: URL in a certificate is refused: the Mid.crl file it names is not read, so the leaf's revocation is unknown.
        File.WriteAllText(Path.Combine(_www, "junk.crl"), "this is not a CRL");
        new RevocationService(_vault).SetUrls("Mid", new[] { _server.Url("junk.crl"), new Uri(Path.Combine(_www, "Mid.crl")).AbsoluteUri }, null);
        var leaf2 = new EnrollmentService(_vault).Create(new NewEnrollmentRequest
        {
            Name = "Leaf2", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Mid"), KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
        }).Item.Certificate;
        var (result, online) = Validate(new OnlineRevocation(), leaf2);
        Assert.False(result.IsValid);
        Assert.DoesNotContain(online.FetchedUrls, u => u.StartsWith("file:", StringComparison.Ordinal));
        Assert.Contains(online.Problems, p => p.Code == ChainProblemCodes.CrlUnreachable && p.Message.Contains("file: URLs are not fetched"));
        Assert.Contains(online.Problems, p => p.Code == ChainProblemCodes.CrlUnreachable && p.Message.Contains("not a CRL"));

        // With an http URL for Mid.crl beside the junk one, it validates.
        new RevocationService(_vault).SetUrls("Mid", new[] { _server.Url("junk.crl"), _server.Url("Mid.crl") }, null);
        var leaf3 = new EnrollmentService(_vault).Create(new NewEnrollmentRequest
        {
            Name = "Leaf3", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Mid"), KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
        }).Item.Certificate;
        var (ok, _) = Validate(new OnlineRevocation(), leaf3);
        Assert.True(ok.IsValid, ok.ToTreeString());
    }
}
