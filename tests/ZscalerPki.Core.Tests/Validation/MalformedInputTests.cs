using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Tests.Validation;

/// <summary>Malformed or hostile input gives a verdict or a clear error quickly; never a hang or crash.</summary>
public class MalformedInputTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(5);

    [Fact]
    public void TruncatedDer_IsAClearError()
    {
        using var root = TestCa.CreateRoot("CN=Truncation Root");
        var der = root.Certificate.RawData;
        var sw = Stopwatch.StartNew();
        foreach (var len in new[] { 0, 1, 2, 10, der.Length / 2, der.Length - 1 })
        {
            var ex = Assert.Throws<PkiException>(() => ValidationInput.ReadCertificates(der[..len]));
            Assert.Equal(len == 0 ? "CertificateEmpty" : "InvalidCertificateData", ex.ErrorId);
            Assert.Equal(PkiErrorCategory.InvalidData, ex.Category);
        }
        Assert.True(sw.Elapsed < Quick);
    }

    [Fact]
    public void TrailingGarbageAfterDer_IsAClearError()
    {
        using var root = TestCa.CreateRoot("CN=Trailing Root");
        var der = root.Certificate.RawData.Concat(new byte[] { 0, 1, 2 }).ToArray();
        Assert.Equal("InvalidCertificateData", Assert.Throws<PkiException>(() => ValidationInput.ReadCertificates(der)).ErrorId);
    }

    [Theory]
    [InlineData("-----BEGIN CERTIFICATE-----\nnot base64 at all!!\n-----END CERTIFICATE-----\n")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMIIBkDCCATWgAwIBAgIUG0F5bKR2rqXH1UJh\n-----END CERTIFICATE-----\n")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMIIB\n")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    [InlineData("hello world, this is not a certificate")]
    public void GarbagePem_IsAClearError(string text)
    {
        var sw = Stopwatch.StartNew();
        var ex = Assert.Throws<PkiException>(() => ValidationInput.ReadCertificates(Encoding.ASCII.GetBytes(text)));
        Assert.Equal("InvalidCertificateData", ex.ErrorId);
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        Assert.True(sw.Elapsed < Quick);
    }

    [Fact]
    public void GarbageCrl_IsAClearError()
    {
        Assert.Equal("CrlParseFailed", Assert.Throws<PkiException>(() => ValidationInput.ReadCrls(new byte[] { 0x30, 0x03, 0x02, 0x01 })).ErrorId);
        Assert.Equal("CrlParseFailed", Assert.Throws<PkiException>(() => ValidationInput.ReadCrls(Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))).ErrorId);
    }

    [Fact]
    public void PemBundleAndP7b_AreRead()
    {
        using var root = TestCa.CreateRoot("CN=Bundle Root");
        using var inter = root.IssueCa("CN=Bundle Intermediate");
        var pem = root.Certificate.ExportCertificatePem() + "\n" + inter.Certificate.ExportCertificatePem();
        Assert.Equal(2, ValidationInput.ReadCertificates(Encoding.ASCII.GetBytes(pem)).Count);
        var coll = new X509Certificate2Collection { root.Certificate, inter.Certificate };
        var p7b = coll.Export(X509ContentType.Pkcs7)!;
        Assert.Equal(2, ValidationInput.ReadCertificates(p7b).Count);
    }

    [Fact]
    public void FiftyDeepChain_GivesAVerdictQuickly()
    {
        var cas = new List<TestCa> { TestCa.CreateRoot("CN=Deep Root") };
        try
        {
            for (int i = 1; i <= 50; i++) cas.Add(cas[^1].IssueCa($"CN=Deep CA {i}"));
            var leaf = cas[^1].IssueLeaf("deep.example");
            var sw = Stopwatch.StartNew();
            var result = ChainValidator.Validate(new ChainValidationRequest
            {
                Certificate = leaf,
                TrustedRoots = new[] { cas[0].Certificate },
                Intermediates = cas.Skip(1).Select(c => c.Certificate).ToList(),
            });
            Assert.True(sw.Elapsed < Quick, $"took {sw.Elapsed}");
            Assert.False(result.IsValid);
            Assert.Contains(result.Problems, p => p.Code is ChainProblemCodes.PathBuildingLimitExceeded or ChainProblemCodes.NoPathToTrustAnchor);

            // A 20-deep chain (within the bound) validates.
            var shortLeaf = cas[20].IssueLeaf("twenty.example");
            var ok = ChainValidator.Validate(new ChainValidationRequest
            {
                Certificate = shortLeaf,
                TrustedRoots = new[] { cas[0].Certificate },
                Intermediates = cas.Skip(1).Select(c => c.Certificate).ToList(),
            });
            Assert.True(ok.IsValid, ok.ToTreeString());
            Assert.Equal(22, ok.Elements.Count);
        }
        finally
        {
            foreach (var c in cas) c.Dispose();
        }
    }

    [Fact]
    public void CrossSignedLoop_GivesAVerdictQuickly()
    {
        // Six CAs, every ordered pair cross-signed (30 cross-certificates): a mesh full of loops with no trust anchor.
        using var unrelated = TestCa.CreateRoot("CN=Unrelated Root");
        var cas = Enumerable.Range(0, 6).Select(i => TestCa.CreateRoot($"CN=Mesh CA {i}")).ToList();
        try
        {
            var certs = new List<X509Certificate2>();
            foreach (var a in cas)
                foreach (var b in cas)
                    if (!ReferenceEquals(a, b)) certs.Add(a.CrossSign(b));
            var leaf = cas[0].IssueLeaf("mesh.example");
            var sw = Stopwatch.StartNew();
            var result = ChainValidator.Validate(new ChainValidationRequest
            {
                Certificate = leaf,
                TrustedRoots = new[] { unrelated.Certificate },
                Intermediates = certs,
            });
            Assert.True(sw.Elapsed < Quick, $"took {sw.Elapsed}");
            Assert.False(result.IsValid);
            Assert.Contains(result.Problems, p => p.Code == ChainProblemCodes.NoPathToTrustAnchor);

            // Trusting one mesh CA: a path is found through the loops.
            sw.Restart();
            var ok = ChainValidator.Validate(new ChainValidationRequest
            {
                Certificate = cas[5].IssueLeaf("mesh5.example"),
                TrustedRoots = new[] { cas[3].Certificate },
                Intermediates = certs,
            });
            Assert.True(sw.Elapsed < Quick, $"took {sw.Elapsed}");
            Assert.True(ok.IsValid, ok.ToTreeString());
        }
        finally
        {
            foreach (var c in cas) c.Dispose();
        }
    }

    [Fact]
    public void TwoCaLoop_GivesAVerdictQuickly()
    {
        using var root = TestCa.CreateRoot("CN=Loop Root");
        using var a = TestCa.CreateRoot("CN=Loop A");
        using var b = TestCa.CreateRoot("CN=Loop B");
        var aByB = b.CrossSign(a);
        var bByA = a.CrossSign(b);
        var sw = Stopwatch.StartNew();
        var result = ChainValidator.Validate(new ChainValidationRequest
        {
            Certificate = a.IssueLeaf("loop.example"),
            TrustedRoots = new[] { root.Certificate },
            Intermediates = new[] { aByB, bByA },
        });
        Assert.True(sw.Elapsed < Quick);
        Assert.False(result.IsValid);
        Assert.Equal(ChainProblemCodes.NoPathToTrustAnchor, result.Problems[0].Code);
    }
}

/// <summary>Byte-level mutations of real certificates and CRLs: the parsers either accept or throw PkiException, nothing else.</summary>
public class MutationTests
{
    [Fact]
    public void MutatedCertificatesAndCrls_OnlyEverThrowPkiException()
    {
        var dir = TestData.PkitsDir;
        var inputs = new[]
        {
            (File.ReadAllBytes(Path.Combine(dir, "certs", "GoodCACert.crt")), false),
            (File.ReadAllBytes(Path.Combine(dir, "certs", "nameConstraintsDN1CACert.crt")), false),
            (File.ReadAllBytes(Path.Combine(dir, "certs", "P1Mapping1to234CACert.crt")), false),
            (File.ReadAllBytes(Path.Combine(dir, "crls", "GoodCACRL.crl")), true),
            (File.ReadAllBytes(Path.Combine(dir, "crls", "indirectCRLCA3cRLIssuerCRL.crl")), true),
        };
        var rng = new Random(1234);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        foreach (var (original, isCrl) in inputs)
        {
            for (int i = 0; i < 600; i++)
            {
                var data = (byte[])original.Clone();
                int flips = 1 + rng.Next(3);
                for (int f = 0; f < flips; f++) data[rng.Next(data.Length)] = (byte)rng.Next(256);
                if (rng.Next(4) == 0) data = data[..rng.Next(data.Length)];
                try
                {
                    if (isCrl) ParsedCrl.Parse(data);
                    else ParsedCertificate.Parse(data);
                }
                catch (PkiException)
                {
                }
            }
        }
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void MutatedLeaf_ValidationNeverThrows()
    {
        var dir = TestData.PkitsDir;
        var root = ValidationInput.ReadCertificateFile(Path.Combine(dir, "certs", "TrustAnchorRootCertificate.crt"))[0];
        var ca = ValidationInput.ReadCertificateFile(Path.Combine(dir, "certs", "GoodCACert.crt"))[0];
        var crls = new[] { "TrustAnchorRootCRL.crl", "GoodCACRL.crl" }.Select(f => File.ReadAllBytes(Path.Combine(dir, "crls", f))).ToList();
        var original = File.ReadAllBytes(Path.Combine(dir, "certs", "ValidCertificatePathTest1EE.crt"));
        var rng = new Random(99);
        int loaded = 0;
        for (int i = 0; i < 400; i++)
        {
            var data = (byte[])original.Clone();
            data[rng.Next(data.Length)] = (byte)rng.Next(256);
            X509Certificate2 leaf;
            try { leaf = ValidationInput.ReadCertificates(data)[0]; }
            catch (PkiException) { continue; }
            loaded++;
            var r = ChainValidator.Validate(new ChainValidationRequest
            {
                Certificate = leaf, TrustedRoots = new[] { root }, Intermediates = new[] { ca }, Crls = crls,
                At = new DateTimeOffset(2011, 4, 15, 0, 0, 0, TimeSpan.Zero),
            });
            Assert.NotNull(r);
        }
        Assert.True(loaded > 0);
    }
}
