using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Validation;

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

    /// <summary>
    /// Verifies the certificate's signature with the issuer's public key, through the path-validation engine's verifier
    /// (RSA PKCS#1 v1.5, RSA-PSS with its parameters, ECDSA, DSA).
    /// </summary>
    public static bool SignatureVerifies(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        try
        {
            var subject = ParsedCertificate.Parse(certificate.RawData);
            var signer = ParsedCertificate.Parse(issuer.RawData);
            return subject.SignatureUnusedBits == 0
                && SignatureVerifier.Verify(signer, null, subject.Tbs.Span, subject.SignatureAlgorithm, subject.SignatureValue, out _) == SignatureCheck.Valid;
        }
        catch (PkiException)
        {
            return false;
        }
    }

    /// <summary>A short label for messages: the subject and the thumbprint.</summary>
    public static string Describe(X509Certificate2 certificate) => $"'{certificate.Subject}' ({certificate.Thumbprint})";
}
