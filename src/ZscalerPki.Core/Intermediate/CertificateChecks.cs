using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Intermediate;

/// <summary>Small, self-contained certificate checks for imports: signature links, self-signed roots, weak digests, the CN.</summary>
public static class CertificateChecks
{
    private const string CommonNameOid = "2.5.4.3";

    /// <summary>Signature algorithms browsers reject (MD2/MD4/MD5/SHA-1 based), with a readable name.</summary>
    private static readonly Dictionary<string, string> Weak = new(StringComparer.Ordinal)
    {
        ["1.2.840.113549.1.1.2"] = "md2WithRSAEncryption",
        ["1.2.840.113549.1.1.3"] = "md4WithRSAEncryption",
        ["1.2.840.113549.1.1.4"] = "md5WithRSAEncryption",
        ["1.2.840.113549.1.1.5"] = "sha1WithRSAEncryption",
        ["1.3.14.3.2.29"] = "sha1WithRSAEncryption",
        ["1.2.840.10045.4.1"] = "ecdsa-with-SHA1",
        ["1.2.840.10040.4.3"] = "dsa-with-SHA1",
    };

    /// <summary>The name of the weak (MD5/SHA-1 family) signature algorithm, or null when the algorithm is acceptable.</summary>
    public static string? WeakSignatureAlgorithm(X509Certificate2 certificate) =>
        Weak.TryGetValue(certificate.SignatureAlgorithm.Value ?? string.Empty, out var name) ? name : null;

    /// <summary>The subject's common name exactly as encoded (the last CN when there are several), or null.</summary>
    public static string? CommonName(X500DistinguishedName name)
    {
        string? cn = null;
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == CommonNameOid)
                cn = rdn.GetSingleElementValue();
        }
        return cn;
    }

    /// <summary>True when the issuer's name matches and its key verifies the certificate's signature.</summary>
    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 issuer) =>
        certificate.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData) && SignatureVerifies(certificate, issuer);

    /// <summary>Self-issued and self-signed (a root).</summary>
    public static bool IsSelfSigned(X509Certificate2 certificate) => IsIssuedBy(certificate, certificate);

    /// <summary>Verifies the certificate's signature with the issuer's public key (RSA PKCS#1 v1.5, RSA-PSS, ECDSA).</summary>
    public static bool SignatureVerifies(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        try
        {
            var reader = new AsnReader(certificate.RawData, AsnEncodingRules.DER);
            var cert = reader.ReadSequence();
            var tbs = cert.ReadEncodedValue().ToArray();
            var algorithm = cert.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            var parameters = algorithm.HasData ? algorithm.ReadEncodedValue().ToArray() : null;
            var signature = cert.ReadBitString(out _);

            switch (oid)
            {
                case "1.2.840.113549.1.1.4":
                case "1.2.840.113549.1.1.5":
                case "1.2.840.113549.1.1.11":
                case "1.2.840.113549.1.1.12":
                case "1.2.840.113549.1.1.13":
                {
                    using var rsa = issuer.GetRSAPublicKey();
                    return rsa is not null && rsa.VerifyData(tbs, signature, RsaHash(oid), RSASignaturePadding.Pkcs1);
                }
                case "1.2.840.113549.1.1.10":
                {
                    using var rsa = issuer.GetRSAPublicKey();
                    return rsa is not null && parameters is not null && rsa.VerifyData(tbs, signature, PssHash(parameters), RSASignaturePadding.Pss);
                }
                case "1.2.840.10045.4.1":
                case "1.2.840.10045.4.3.2":
                case "1.2.840.10045.4.3.3":
                case "1.2.840.10045.4.3.4":
                {
                    using var ec = issuer.GetECDsaPublicKey();
                    return ec is not null && ec.VerifyData(tbs, signature, EcHash(oid), DSASignatureFormat.Rfc3279DerSequence);
                }
                default:
                    return false;
            }
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException or ArgumentException)
        {
            return false;
        }
    }

    private static HashAlgorithmName RsaHash(string oid) => oid switch
    {
        "1.2.840.113549.1.1.4" => HashAlgorithmName.MD5,
        "1.2.840.113549.1.1.5" => HashAlgorithmName.SHA1,
        "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
        "1.2.840.113549.1.1.13" => HashAlgorithmName.SHA512,
        _ => HashAlgorithmName.SHA256,
    };

    private static HashAlgorithmName EcHash(string oid) => oid switch
    {
        "1.2.840.10045.4.1" => HashAlgorithmName.SHA1,
        "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
        "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
        _ => HashAlgorithmName.SHA256,
    };

    /// <summary>The hash of RSASSA-PSS-params (RFC 4055); .NET uses a salt as long as the hash, which is what issuers use in practice.</summary>
    private static HashAlgorithmName PssHash(byte[] parameters)
    {
        var seq = new AsnReader(parameters, AsnEncodingRules.DER).ReadSequence();
        var tag0 = new Asn1Tag(TagClass.ContextSpecific, 0);
        if (!seq.HasData || !seq.PeekTag().HasSameClassAndValue(tag0))
            return HashAlgorithmName.SHA1;
        var hashOid = seq.ReadSequence(tag0).ReadSequence().ReadObjectIdentifier();
        return hashOid switch
        {
            "2.16.840.1.101.3.4.2.1" => HashAlgorithmName.SHA256,
            "2.16.840.1.101.3.4.2.2" => HashAlgorithmName.SHA384,
            "2.16.840.1.101.3.4.2.3" => HashAlgorithmName.SHA512,
            _ => HashAlgorithmName.SHA1,
        };
    }

    /// <summary>A short label for messages: the subject and the thumbprint.</summary>
    public static string Describe(X509Certificate2 certificate) => $"'{certificate.Subject}' ({certificate.Thumbprint})";
}
