using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Tests.Validation;

public class EngineTests
{
    private static ChainValidationResult Pkits(string[] certs, string[] crls, bool unknownIsFailure = true)
    {
        var dir = TestData.PkitsDir;
        var c = certs.Select(f => ValidationInput.ReadCertificateFile(Path.Combine(dir, "certs", f))[0]).ToList();
        return ChainValidator.Validate(new ChainValidationRequest
        {
            Certificate = c[^1],
            TrustedRoots = new[] { c[0] },
            Intermediates = c.Skip(1).Take(c.Count - 2).ToList(),
            Crls = crls.SelectMany(f => ValidationInput.ReadCrlFile(Path.Combine(dir, "crls", f))).ToList(),
            At = new DateTimeOffset(2011, 4, 15, 0, 0, 0, TimeSpan.Zero),
            UnknownRevocationIsFailure = unknownIsFailure,
        });
    }

    [Fact]
    public void ValidChain_ReportsElementsLeafFirst()
    {
        var r = Pkits(new[] { "TrustAnchorRootCertificate.crt", "GoodCACert.crt", "ValidCertificatePathTest1EE.crt" },
            new[] { "TrustAnchorRootCRL.crl", "GoodCACRL.crl" });
        Assert.True(r.IsValid, r.ToTreeString());
        Assert.Equal(3, r.Elements.Count);
        Assert.Equal(0, r.Elements[0].Index);
        Assert.Contains("Valid EE Certificate Test1", r.Elements[0].Subject);
        Assert.True(r.Elements[2].IsTrustAnchor);
        Assert.Equal(RevocationStatus.Good, r.Elements[0].Revocation);
        Assert.Equal(RevocationStatus.Good, r.Elements[1].Revocation);
        Assert.Contains("✔", r.ToTreeString());
    }

    [Fact]
    public void NoCrl_And_CrlExpired_AreDistinct_AndSeverityFollowsParameter()
    {
        var missing = Pkits(new[] { "TrustAnchorRootCertificate.crt", "NoCRLCACert.crt", "InvalidMissingCRLTest1EE.crt" },
            new[] { "TrustAnchorRootCRL.crl" });
        Assert.False(missing.IsValid);
        Assert.Contains(missing.Problems, p => p.Code == ChainProblemCodes.NoCrl && p.ElementIndex == 0);

        var expired = Pkits(new[] { "TrustAnchorRootCertificate.crt", "OldCRLnextUpdateCACert.crt", "InvalidOldCRLnextUpdateTest11EE.crt" },
            new[] { "TrustAnchorRootCRL.crl", "OldCRLnextUpdateCACRL.crl" });
        Assert.Contains(expired.Problems, p => p.Code == ChainProblemCodes.CrlExpired);

        var soft = Pkits(new[] { "TrustAnchorRootCertificate.crt", "NoCRLCACert.crt", "InvalidMissingCRLTest1EE.crt" },
            new[] { "TrustAnchorRootCRL.crl" }, unknownIsFailure: false);
        Assert.True(soft.IsValid);
        Assert.Contains(soft.Problems, p => p.Code == ChainProblemCodes.NoCrl && p.Severity == ChainProblemSeverity.Warning);
    }

    [Fact]
    public void Revoked_IsReportedOnTheElement()
    {
        var r = Pkits(new[] { "TrustAnchorRootCertificate.crt", "GoodCACert.crt", "InvalidRevokedEETest3EE.crt" },
            new[] { "TrustAnchorRootCRL.crl", "GoodCACRL.crl" });
        Assert.False(r.IsValid);
        Assert.Equal(RevocationStatus.Revoked, r.Elements[0].Revocation);
        Assert.Contains(r.Elements[0].Problems, p => p.Code == ChainProblemCodes.Revoked);
    }

    [Fact]
    public void HostnameIpAndEku_AreChecked()
    {
        using var root = TestCa.CreateRoot("CN=Usage Root");
        var leaf = root.IssueLeaf("www.example.test");
        ChainValidationResult V(string? dns = null, IPAddress? ip = null, ChainPurpose purpose = ChainPurpose.Any, ValidationProfile profile = ValidationProfile.Rfc5280) =>
            ChainValidator.Validate(new ChainValidationRequest { Certificate = leaf, TrustedRoots = new[] { root.Certificate }, DnsName = dns, IPAddress = ip, Purpose = purpose, Profile = profile });
        Assert.True(V("www.example.test").IsValid);
        Assert.True(V("WWW.Example.Test.").IsValid);
        Assert.Contains(V("other.example.test").Problems, p => p.Code == ChainProblemCodes.HostnameMismatch);
        Assert.Contains(V(ip: IPAddress.Parse("192.0.2.1")).Problems, p => p.Code == ChainProblemCodes.IPAddressMismatch);
        Assert.True(V(purpose: ChainPurpose.ServerAuth, profile: ValidationProfile.WebPki, dns: "www.example.test").IsValid);
        Assert.Contains(V(purpose: ChainPurpose.ClientAuth).Problems, p => p.Code == ChainProblemCodes.EkuMismatch);
    }

    [Theory]
    [InlineData("*.example.com", "foo.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "a.b.example.com", false)]
    [InlineData("f*.example.com", "foo.example.com", false)]
    [InlineData("*.com", "example.com", false)]
    [InlineData("Example.COM", "example.com", true)]
    public void WildcardRules(string pattern, string host, bool expected) =>
        Assert.Equal(expected, UsageRules.MatchPattern(pattern, host));

    [Theory]
    [InlineData("example.com", "example.com", true)]
    [InlineData("www.example.com", "example.com", true)]
    [InlineData("notexample.com", "example.com", false)]
    [InlineData("example.com", ".example.com", false)]
    [InlineData("a.example.com", ".example.com", true)]
    public void DnsNameConstraintMatching(string name, string constraint, bool expected) =>
        Assert.Equal(expected, NameConstraintState.DnsInSubtree(name, constraint));

    [Fact]
    public void ExpiredIntermediate_IsReportedWithItsIndex()
    {
        using var root = TestCa.CreateRoot("CN=Expiry Root");
        using var inter = root.IssueCa("CN=Expiry Intermediate");
        var leaf = inter.IssueLeaf("expiry.example");
        var r = ChainValidator.Validate(new ChainValidationRequest
        {
            Certificate = leaf,
            TrustedRoots = new[] { root.Certificate },
            Intermediates = new[] { inter.Certificate },
            At = TestCa.Now.AddYears(6),
        });
        Assert.False(r.IsValid);
        Assert.Contains(r.Problems, p => p.Code == ChainProblemCodes.Expired && p.ElementIndex == 1);
        Assert.Contains(r.Problems, p => p.Code == ChainProblemCodes.Expired && p.ElementIndex == 0);
        Assert.Contains("✘", r.ToTreeString());
    }

    [Fact]
    public void ParallelValidation_IsThreadSafe()
    {
        using var root = TestCa.CreateRoot("CN=Parallel Root", rsa: true);
        using var inter = root.IssueCa("CN=Parallel Intermediate", rsa: true);
        var leaf = inter.IssueLeaf("parallel.example", rsa: true);
        var req = new ChainValidationRequest { Certificate = leaf, TrustedRoots = new[] { root.Certificate }, Intermediates = new[] { inter.Certificate } };
        var sw = Stopwatch.StartNew();
        Parallel.For(0, 400, _ => Assert.True(ChainValidator.Validate(req).IsValid));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20));
    }
}
