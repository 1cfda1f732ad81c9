using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Tests.Harness;

namespace ZscalerPki.Tests.Intermediate;

/// <summary>Shared steps of the intermediate tests: the CSR through the cmdlet, an OpenSSL CA, certificates made in memory.</summary>
public static class IntermediateTestKit
{
    public const string Password = "correct horse battery staple";
    public const string CommonName = "Contoso SSL Inspection CA";

    /// <summary>New-IntermediateCsr in PowerShell; asserts success.</summary>
    public static IntermediateCertificate NewCsr(PwshHost pwsh, TempDir tmp, string name, string? csrFile = null, IntermediateStatus status = IntermediateStatus.Enabled, int pathLength = 0, string cn = CommonName)
    {
        var run = pwsh.Run("New-IntermediateCsr", new()
        {
            ["Name"] = name,
            ["CommonName"] = cn,
            ["Organization"] = "Contoso Ltd",
            ["Department"] = "IT Security",
            ["City"] = "Seattle",
            ["State"] = "Washington",
            ["Country"] = "US",
            ["Status"] = status,
            ["PathLength"] = pathLength,
            ["Path"] = csrFile,
            ["KeyPassword"] = PwshHost.Secure(Password),
            ["VaultPath"] = tmp.Vault,
        });
        Assert.Empty(run.Errors);
        return Assert.IsType<IntermediateCertificate>(Assert.Single(run.Output));
    }

    /// <summary>An OpenSSL root CA (root.pem / root.key) and an issuing CA under it (issuing.pem / issuing.key) in the folder.</summary>
    public static void OpenSslCa(string dir)
    {
        File.WriteAllText(Path.Combine(dir, "ca.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
        OpenSsl.Ok(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "root.key", "-out", "root.pem",
            "-subj", "/O=Contoso Ltd/CN=Contoso Root CA", "-days", "3650", "-sha256",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        OpenSsl.Ok(dir, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "issuing.key", "-out", "issuing.csr",
            "-subj", "/O=Contoso Ltd/CN=Contoso Issuing CA");
        OpenSsl.Ok(dir, "x509", "-req", "-in", "issuing.csr", "-CA", "root.pem", "-CAkey", "root.key", "-set_serial", "0x1001",
            "-out", "issuing.pem", "-days", "1825", "-sha256", "-extfile", "ca.ext");
        // Exactly the seed's OpenSSL attributes for the SSL-inspection intermediate.
        File.WriteAllText(Path.Combine(dir, "seed.ext"), "basicConstraints=CA:TRUE\nkeyUsage=keyCertSign, cRLSign\n");
    }

    /// <summary>Signs a CSR with the OpenSSL issuing CA using the seed's extfile.</summary>
    public static void OpenSslSign(string dir, string csr, string outFile, string serial, params string[] extra)
    {
        var args = new List<string> { "x509", "-req", "-in", csr, "-CA", "issuing.pem", "-CAkey", "issuing.key", "-set_serial", serial,
            "-out", outFile, "-days", "365", "-sha256", "-extfile", "seed.ext" };
        args.AddRange(extra);
        OpenSsl.Ok(dir, args.ToArray());
    }

    /// <summary>An in-memory CA (no vault, no PBKDF2) for certificates the negative tests need.</summary>
    public sealed class MemoryCa : IDisposable
    {
        public MemoryCa(string cn, MemoryCa? parent = null, RSA? key = null)
        {
            Key = key ?? RSA.Create(2048);
            var now = DateTimeOffset.UtcNow;
            var signer = parent is null ? new CaCertificateBuilder.Signer(null, Key) : new CaCertificateBuilder.Signer(parent.Certificate, parent.Key);
            Certificate = CaCertificateBuilder.Issue(new X500DistinguishedName("CN=" + cn), Keys.PublicKeyOf(Key), signer, SignatureHash.Sha256,
                now.AddDays(-10), now.AddYears(5), parent is null ? null : 1);
        }

        public RSA Key { get; }
        public X509Certificate2 Certificate { get; }

        public string Pem => CertificateReader.ToPem(Certificate);

        /// <summary>Signs a certificate for <paramref name="publicKey"/> with whatever profile the test wants.</summary>
        public X509Certificate2 Sign(PublicKey publicKey, string subject, bool? ca = true, int? pathLength = 0,
            X509KeyUsageFlags? usage = X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign,
            DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, HashAlgorithmName? hash = null, IEnumerable<X509Extension>? extra = null)
        {
            var request = new CertificateRequest(new X500DistinguishedName(subject), publicKey, hash ?? HashAlgorithmName.SHA256);
            if (ca is not null)
                request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca.Value, pathLength.HasValue, pathLength ?? 0, true));
            if (usage is not null)
                request.CertificateExtensions.Add(new X509KeyUsageExtension(usage.Value, true));
            request.CertificateExtensions.Add(CaCertificateBuilder.AuthorityKeyIdentifier(Certificate));
            foreach (var extension in extra ?? Array.Empty<X509Extension>())
                request.CertificateExtensions.Add(extension);
            var now = DateTimeOffset.UtcNow;
            X509SignatureGenerator generator = hash == HashAlgorithmName.SHA1 ? new Sha1RsaGenerator(Key) : X509SignatureGenerator.CreateForRSA(Key, RSASignaturePadding.Pkcs1);
            return request.Create(Certificate.SubjectName, generator,
                notBefore ?? now.AddDays(-1), notAfter ?? now.AddYears(2), Keys.NewSerialNumber());
        }

        public void Dispose() => Key.Dispose();
    }

    /// <summary>sha1WithRSAEncryption, which .NET no longer offers for certificates: only to prove that imports refuse it.</summary>
    private sealed class Sha1RsaGenerator(RSA key) : X509SignatureGenerator
    {
        public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) =>
            new byte[] { 0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x05, 0x05, 0x00 };

        public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) =>
            key.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);

        protected override PublicKey BuildPublicKey() => new(key);
    }

    public static PublicKey PublicKeyOf(IntermediateCertificate item) =>
        PublicKey.CreateFromSubjectPublicKeyInfo(Convert.FromBase64String(string.Concat(item.PublicKey.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)))), out _);

    public static IntermediateCertificate Get(PwshHost pwsh, TempDir tmp, string name)
    {
        var run = pwsh.Run("Get-IntermediateCertificate", new() { ["Name"] = name, ["VaultPath"] = tmp.Vault });
        Assert.Empty(run.Errors);
        return Assert.IsType<IntermediateCertificate>(Assert.Single(run.Output));
    }

    /// <summary>Import-SignedIntermediate with the parameters given (a null one is not passed).</summary>
    public static PwshResult Import(PwshHost pwsh, TempDir tmp, string name, string? path = null, string? chainPath = null, X509Certificate2? certificate = null, string? pem = null, X509Certificate2[]? chain = null, object? trustedRoot = null) =>
        pwsh.Run("Import-SignedIntermediate", new()
        {
            ["Name"] = name,
            ["Path"] = path,
            ["Certificate"] = certificate,
            ["Pem"] = pem,
            ["ChainPath"] = chainPath,
            ["Chain"] = chain,
            ["TrustedRoot"] = trustedRoot,
            ["VaultPath"] = tmp.Vault,
        });
}
