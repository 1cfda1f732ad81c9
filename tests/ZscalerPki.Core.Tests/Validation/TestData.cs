using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Tests.Validation;

/// <summary>Locates the repository's own test data (tests/testdata) and the repository root; builds small test PKIs.</summary>
internal static class TestData
{
    public static string TestDataDir => Path.Combine(RepoRoot, "tests", "testdata");
    public static string PkitsDir => Path.Combine(TestDataDir, "nist-pkits");
    public static string LimboFile => Path.Combine(TestDataDir, "x509-limbo", "limbo-dev-2026.json");

    /// <summary>Our own limbo-format cases, in the repository (tests/testdata/ours; see the README.md there).</summary>
    public static string OursDir => Path.Combine(RepoRoot, "tests", "testdata", "ours");

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ZscalerPki.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new DirectoryNotFoundException("ZscalerPki.sln not found above " + AppContext.BaseDirectory);
        }
    }
}

/// <summary>A CA that can issue certificates (ECDSA P-256 for speed unless told otherwise).</summary>
internal sealed class TestCa : IDisposable
{
    private static int _serial = 1000;
    public X509Certificate2 Certificate { get; }
    public AsymmetricAlgorithm Key { get; }
    private readonly X509Certificate2 _withKey;

    private TestCa(X509Certificate2 withKey, AsymmetricAlgorithm key)
    {
        _withKey = withKey;
        Key = key;
        Certificate = X509CertificateLoader.LoadCertificate(withKey.RawData);
    }

    public static DateTimeOffset Now { get; } = DateTimeOffset.UtcNow;

    /// <summary>Signs with this CA's key without .NET's issuer checks (so tests can build deliberately bad chains).</summary>
    private X509Certificate2 Sign(CertificateRequest req, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        X509SignatureGenerator gen = Key switch
        {
            ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
            RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
            _ => throw new NotSupportedException(),
        };
        return req.Create(Certificate.SubjectName, gen, notBefore, notAfter, NextSerial());
    }

    public static byte[] NextSerial()
    {
        var s = Interlocked.Increment(ref _serial);
        return new byte[] { 0x01, (byte)(s >> 16), (byte)(s >> 8), (byte)s };
    }

    private static CertificateRequest Request(string subject, AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        _ => throw new NotSupportedException(),
    };

    private static void AddCaExtensions(CertificateRequest req, int? pathLen)
    {
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, pathLen is not null, pathLen ?? 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
    }

    /// <summary>A CA from an existing certificate and its key (e.g. a re-issued, expired certificate of a CA).</summary>
    public static TestCa FromCertificate(X509Certificate2 certificate, AsymmetricAlgorithm key)
    {
        X509Certificate2 withKey = key switch
        {
            ECDsa ec => certificate.CopyWithPrivateKey(ec),
            RSA r => certificate.CopyWithPrivateKey(r),
            _ => throw new NotSupportedException(),
        };
        return new TestCa(withKey, key);
    }

    public static TestCa CreateRoot(string subject, bool rsa = false)
    {
        AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = Request(subject, key);
        AddCaExtensions(req, null);
        var cert = req.CreateSelfSigned(Now.AddDays(-10), Now.AddYears(10));
        return new TestCa(cert, key);
    }

    public TestCa IssueCa(string subject, int? pathLen = null, bool rsa = false, bool isCa = true)
    {
        AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = Request(subject, key);
        if (isCa) AddCaExtensions(req, pathLen);
        else
        {
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        }
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var cert = Sign(req, Now.AddDays(-5), Now.AddYears(5));
        X509Certificate2 withKey = key switch
        {
            ECDsa ec => cert.CopyWithPrivateKey(ec),
            RSA r => cert.CopyWithPrivateKey(r),
            _ => throw new NotSupportedException(),
        };
        return new TestCa(withKey, key);
    }

    public X509Certificate2 IssueLeaf(string dnsName, bool rsa = false, DateTimeOffset? notAfter = null)
    {
        AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (key)
        {
            var req = Request("CN=" + dnsName, key);
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(dnsName);
            req.CertificateExtensions.Add(san.Build());
            req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
            req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
            var cert = Sign(req, Now.AddDays(-1), notAfter ?? Now.AddYears(1));
            return X509CertificateLoader.LoadCertificate(cert.RawData);
        }
    }

    /// <summary>Another certificate for <paramref name="subject"/>'s name and key, issued by this CA (a cross-certificate).</summary>
    public X509Certificate2 CrossSign(TestCa subject)
    {
        var req = Request(subject.Certificate.Subject, subject.Key);
        AddCaExtensions(req, null);
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var cert = Sign(req, Now.AddDays(-5), Now.AddYears(5));
        return X509CertificateLoader.LoadCertificate(cert.RawData);
    }

    public void Dispose()
    {
        Key.Dispose();
        _withKey.Dispose();
    }
}
