using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Certificates;

/// <summary>
/// What a CA in the vault agrees to certify and which request signatures it accepts: the key sizes and algorithms of the
/// CA/Browser Forum Baseline Requirements (6.1.5, 6.1.6, 7.1.3) and NIST SP 800-57 Part 1 (112-bit security and more):
/// RSA of at least 2048 bits with the public exponent 65537, ECDSA on P-256, P-384 or P-521 (named curves only), and
/// request signatures with SHA-256 or stronger. Each refusal has its ErrorId and says what to generate instead.
/// </summary>
public static class KeyPolicy
{
    public const int MinimumRsaBits = 2048;
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string RsaPssOid = "1.2.840.113549.1.1.10";
    private const string EcOid = "1.2.840.10045.2.1";

    private static readonly Dictionary<string, string> NamedCurves = new()
    {
        ["1.2.840.10045.3.1.7"] = "P-256",
        ["1.3.132.0.34"] = "P-384",
        ["1.3.132.0.35"] = "P-521",
    };

    private static readonly Dictionary<string, string> StrongSignatures = new()
    {
        ["1.2.840.113549.1.1.11"] = "sha256WithRSAEncryption",
        ["1.2.840.113549.1.1.12"] = "sha384WithRSAEncryption",
        ["1.2.840.113549.1.1.13"] = "sha512WithRSAEncryption",
        ["1.2.840.10045.4.3.2"] = "ecdsa-with-SHA256",
        ["1.2.840.10045.4.3.3"] = "ecdsa-with-SHA384",
        ["1.2.840.10045.4.3.4"] = "ecdsa-with-SHA512",
    };

    private static readonly Dictionary<string, string> WeakSignatures = new()
    {
        ["1.2.840.113549.1.1.4"] = "md5WithRSAEncryption",
        ["1.2.840.113549.1.1.5"] = "sha1WithRSAEncryption",
        ["1.2.840.10045.4.1"] = "ecdsa-with-SHA1",
        ["1.2.840.113549.1.1.14"] = "sha224WithRSAEncryption",
        ["1.2.840.10045.4.3.1"] = "ecdsa-with-SHA224",
    };

    /// <summary>Refuses a public key a CA must not certify (<c>WeakPublicKey</c>, <c>UnsupportedPublicKey</c>).</summary>
    public static void RequireAcceptableKey(PublicKey key, string what)
    {
        var algorithm = key.Oid.Value;
        try
        {
            switch (algorithm)
            {
                case RsaOid:
                {
                    var rsa = new AsnReader(key.EncodedKeyValue.RawData, AsnEncodingRules.DER).ReadSequence();
                    var modulus = rsa.ReadInteger();
                    var exponent = rsa.ReadInteger();
                    var bits = modulus.Sign <= 0 ? 0 : (int)modulus.GetBitLength();
                    if (bits < MinimumRsaBits)
                        throw Weak(what, $"an RSA key of {bits} bits; at least {MinimumRsaBits} are required");
                    if (exponent != new BigInteger(65537))
                        throw Weak(what, $"an RSA key with the public exponent {exponent}; only 65537 is accepted");
                    return;
                }
                case EcOid:
                {
                    var parameters = key.EncodedParameters.RawData;
                    var reader = new AsnReader(parameters, AsnEncodingRules.DER);
                    if (reader.PeekTag() != Asn1Tag.ObjectIdentifier)
                        throw Unsupported(what, "an EC key with explicit curve parameters; only the named curves P-256, P-384 and P-521 are accepted");
                    var curve = reader.ReadObjectIdentifier();
                    if (!NamedCurves.ContainsKey(curve))
                        throw Unsupported(what, $"an EC key on the curve {curve}; only P-256, P-384 and P-521 are accepted");
                    return;
                }
                case RsaPssOid:
                    throw Unsupported(what, "an RSA-PSS key (id-RSASSA-PSS); generate an RSA (rsaEncryption) or ECDSA key");
                default:
                    throw Unsupported(what, $"a key of algorithm {key.Oid.FriendlyName ?? algorithm}; only RSA and ECDSA (P-256, P-384, P-521) are accepted");
            }
        }
        catch (AsnContentException ex)
        {
            throw new PkiException(PkiErrorIds.UnsupportedPublicKey, PkiErrorCategory.InvalidData,
                $"The public key of {what} cannot be decoded: {ex.Message}. Generate the request again.", what, ex);
        }
    }

    /// <summary>
    /// Checks the signature algorithm of a PKCS#10 request (its DER) before the signature is verified, so that an algorithm
    /// we do not verify (RSA-PSS) is reported as unsupported rather than as a bad signature, and a weak one as weak.
    /// </summary>
    public static void RequireAcceptableRequestSignature(ReadOnlyMemory<byte> csrDer, string what)
    {
        string oid;
        try
        {
            var request = new AsnReader(csrDer, AsnEncodingRules.DER).ReadSequence();
            request.ReadEncodedValue(); // certificationRequestInfo
            oid = request.ReadSequence().ReadObjectIdentifier();
        }
        catch (AsnContentException)
        {
            return; // not a structure we can read: the PKCS#10 reader reports it as InvalidCsr.
        }
        if (StrongSignatures.ContainsKey(oid))
            return;
        if (WeakSignatures.TryGetValue(oid, out var weak))
            throw new PkiException(PkiErrorIds.WeakSignatureAlgorithm, PkiErrorCategory.SecurityError,
                $"{Capitalize(what)} is signed with {weak}; SHA-256 or stronger is required. Generate the request again with SHA-256 (New-IntermediateCsr does).", what);
        throw new PkiException(PkiErrorIds.UnsupportedSignatureAlgorithm, PkiErrorCategory.NotImplemented,
            $"{Capitalize(what)} is signed with {(oid == RsaPssOid ? "RSA-PSS" : oid)}, which this module does not verify; use PKCS#1 v1.5 RSA or ECDSA with SHA-256 or stronger.", what);
    }

    private static PkiException Weak(string what, string detail) =>
        new(PkiErrorIds.WeakPublicKey, PkiErrorCategory.SecurityError,
            $"{Capitalize(what)} carries {detail} (CA/Browser Forum BR 6.1.5, NIST SP 800-57). Generate a new key: RSA 2048+ (exponent 65537) or ECDSA P-256/P-384.", what);

    private static PkiException Unsupported(string what, string detail) =>
        new(PkiErrorIds.UnsupportedPublicKey, PkiErrorCategory.InvalidData,
            $"{Capitalize(what)} carries {detail}. Generate a new key: RSA 2048+ (exponent 65537) or ECDSA P-256/P-384.", what);

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
