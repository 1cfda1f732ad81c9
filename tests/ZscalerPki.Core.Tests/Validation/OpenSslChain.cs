using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Tests.Validation;

/// <summary>
/// A root → intermediate → leaf chain made with the OpenSSL CLI (genpkey, req -x509, x509 -req) in a temp folder, for
/// the algorithms .NET cannot sign with (Ed25519, Ed448, RSASSA-PSS with arbitrary parameters). Keys are made once per
/// test run for each (role, genpkey options); certificates are made fresh per chain.
/// </summary>
internal sealed class OpenSslChain : IDisposable
{
    public const string LeafName = "leaf.example.com";

    private const string Config = """
        [req]
        distinguished_name = dn
        [dn]
        [root]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        [ca]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid:always
        [leaf]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = serverAuth
        subjectAltName = DNS:leaf.example.com
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid:always
        [ca_db]
        database = index.txt
        crlnumber = crlnumber
        default_md = default
        default_crl_days = 30
        crl_extensions = crl_ext
        [crl_ext]
        authorityKeyIdentifier = keyid:always
        """;

    public static readonly string[] Ed25519 = { "-algorithm", "ed25519" };
    public static readonly string[] Ed448 = { "-algorithm", "ed448" };
    public static readonly string[] Rsa = { "-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:2048" };

    private static readonly ConcurrentDictionary<string, Lazy<byte[]>> Keys = new();

    private readonly TempDir _dir = new();

    private OpenSslChain() { }

    public X509Certificate2 Root { get; private set; } = null!;
    public X509Certificate2 Intermediate { get; private set; } = null!;
    public X509Certificate2 Leaf { get; private set; } = null!;
    public string Dir => _dir.Path;

    /// <summary>PEM of a certificate in the chain's folder ("root", "int" or "leaf").</summary>
    public string Pem(string name) => File.ReadAllText(_dir.File(name + ".pem"));

    /// <summary>
    /// Builds the chain. <paramref name="caKey"/> is the genpkey options of the root's and intermediate's keys,
    /// <paramref name="leafKey"/> of the leaf's (default: the same); <paramref name="sign"/> are the signing options
    /// (<c>-sha256 -sigopt rsa_padding_mode:pss ...</c>) used for all three certificates.
    /// </summary>
    public static OpenSslChain Build(string[] caKey, string[] sign, string[]? leafKey = null)
    {
        var c = new OpenSslChain();
        var d = c.Dir;
        File.WriteAllText(c._dir.File("openssl.cnf"), Config);
        File.WriteAllBytes(c._dir.File("root.key"), Key("root", caKey));
        File.WriteAllBytes(c._dir.File("int.key"), Key("int", caKey));
        File.WriteAllBytes(c._dir.File("leaf.key"), Key("leaf", leafKey ?? caKey));
        OpenSsl.Ok(d, new[] { "req", "-x509", "-new", "-config", "openssl.cnf", "-extensions", "root", "-key", "root.key", "-subj", "/CN=BC Test Root",
            "-days", "3650", "-set_serial", "1", "-out", "root.pem" }.Concat(sign).ToArray());
        c.Issue("int", "/CN=BC Test Intermediate", "root", "ca", 2, sign);
        c.Issue("leaf", "/CN=" + LeafName, "int", "leaf", 3, sign);
        c.Root = Load(c._dir.File("root.pem"));
        c.Intermediate = Load(c._dir.File("int.pem"));
        c.Leaf = Load(c._dir.File("leaf.pem"));
        return c;
    }

    private void Issue(string name, string subject, string issuer, string extensions, int serial, string[] sign)
    {
        OpenSsl.Ok(Dir, "req", "-new", "-config", "openssl.cnf", "-key", name + ".key", "-subj", subject, "-out", name + ".csr");
        OpenSsl.Ok(Dir, new[] { "x509", "-req", "-in", name + ".csr", "-CA", issuer + ".pem", "-CAkey", issuer + ".key", "-set_serial", serial.ToString(),
            "-days", "2000", "-extfile", "openssl.cnf", "-extensions", extensions, "-out", name + ".pem" }.Concat(sign).ToArray());
    }

    /// <summary>The intermediate's CRL (signed with its key, <c>openssl ca -gencrl</c>), revoking the leaf when asked.</summary>
    public byte[] IntermediateCrl(bool revokeLeaf) => Crl("int", revokeLeaf ? "leaf" : null);

    /// <summary>The root's CRL, revoking nothing.</summary>
    public byte[] RootCrl() => Crl("root", null);

    private byte[] Crl(string ca, string? revoke)
    {
        var db = _dir.File("index.txt");
        File.WriteAllText(db, "");
        File.WriteAllText(_dir.File("crlnumber"), "01\n");
        var common = new[] { "ca", "-config", "openssl.cnf", "-name", "ca_db", "-keyfile", ca + ".key", "-cert", ca + ".pem" };
        if (revoke is not null) OpenSsl.Ok(Dir, common.Concat(new[] { "-revoke", revoke + ".pem", "-crl_reason", "keyCompromise" }).ToArray());
        OpenSsl.Ok(Dir, common.Concat(new[] { "-gencrl", "-out", ca + ".crl.pem" }).ToArray());
        OpenSsl.Ok(Dir, "crl", "-in", ca + ".crl.pem", "-outform", "DER", "-out", ca + ".crl");
        return File.ReadAllBytes(_dir.File(ca + ".crl"));
    }

    /// <summary>Validates the leaf (or <paramref name="leaf"/>) to the root under the Rfc5280 profile, for TLS server use.</summary>
    public ChainValidationResult Validate(X509Certificate2? leaf = null, IReadOnlyList<byte[]>? crls = null) =>
        ChainValidator.Validate(new ChainValidationRequest
        {
            Certificate = leaf ?? Leaf,
            TrustedRoots = new[] { Root },
            Intermediates = new[] { Intermediate },
            DnsName = LeafName,
            Purpose = ChainPurpose.ServerAuth,
            Profile = ValidationProfile.Rfc5280,
            Crls = crls ?? Array.Empty<byte[]>(),
            RevocationMode = crls is null ? RevocationMode.None : RevocationMode.Check,
            UnknownRevocationIsFailure = crls is not null,
        });

    /// <summary>A copy of <paramref name="certificate"/> with one byte of its signature value flipped.</summary>
    public static X509Certificate2 TamperSignature(X509Certificate2 certificate)
    {
        var der = certificate.RawData;
        der[^10] ^= 0x01; // the signature BIT STRING is the certificate's last field
        return X509CertificateLoader.LoadCertificate(der);
    }

    private static byte[] Key(string role, string[] genpkey)
    {
        var id = role + " " + string.Join(' ', genpkey);
        return Keys.GetOrAdd(id, _ => new Lazy<byte[]>(() =>
        {
            using var dir = new TempDir();
            OpenSsl.Ok(dir.Path, new[] { "genpkey", "-out", "k.pem" }.Concat(genpkey).ToArray());
            return File.ReadAllBytes(dir.File("k.pem"));
        })).Value;
    }

    private static X509Certificate2 Load(string pemFile) => X509Certificate2.CreateFromPem(File.ReadAllText(pemFile));

    public void Dispose() => _dir.Dispose();
}
