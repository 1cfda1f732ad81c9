using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Certificates;

/// <summary>Key types a CA may be created with.</summary>
public enum KeyAlgorithm
{
    Rsa2048,
    Rsa3072,
    Rsa4096,
    EcdsaP256,
    EcdsaP384,
}

/// <summary>Digest used in signatures (MD5 and SHA-1 are not offered: browsers and RFC 9155-era clients reject them).</summary>
public enum SignatureHash
{
    Sha256,
    Sha384,
    Sha512,
}

/// <summary>Key generation and signing helpers over .NET's RSA and ECDsa.</summary>
public static class Keys
{
    public static AsymmetricAlgorithm Generate(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.Rsa2048 => RSA.Create(2048),
        KeyAlgorithm.Rsa3072 => RSA.Create(3072),
        KeyAlgorithm.Rsa4096 => RSA.Create(4096),
        KeyAlgorithm.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        KeyAlgorithm.EcdsaP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>The algorithm of an existing key (one made elsewhere, e.g. in an HSM), or null when it is none of ours.</summary>
    public static KeyAlgorithm? AlgorithmOf(AsymmetricAlgorithm key) => key switch
    {
        RSA { KeySize: 2048 } => KeyAlgorithm.Rsa2048,
        RSA { KeySize: 3072 } => KeyAlgorithm.Rsa3072,
        RSA { KeySize: 4096 } => KeyAlgorithm.Rsa4096,
        ECDsa { KeySize: 256 } => KeyAlgorithm.EcdsaP256,
        ECDsa { KeySize: 384 } => KeyAlgorithm.EcdsaP384,
        _ => null,
    };

    /// <summary>The RSA algorithm of <paramref name="bits"/> (2048, 3072 or 4096).</summary>
    public static KeyAlgorithm Rsa(int bits) => bits switch
    {
        2048 => KeyAlgorithm.Rsa2048,
        3072 => KeyAlgorithm.Rsa3072,
        4096 => KeyAlgorithm.Rsa4096,
        _ => throw new ArgumentOutOfRangeException(nameof(bits), bits, "RSA keys here are 2048, 3072 or 4096 bits"),
    };

    /// <summary>The key size of an RSA algorithm.</summary>
    public static int RsaBits(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.Rsa2048 => 2048,
        KeyAlgorithm.Rsa3072 => 3072,
        KeyAlgorithm.Rsa4096 => 4096,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "not an RSA algorithm"),
    };

    /// <summary>
    /// The hash matched to the strength of a signing key (NIST SP 800-57 part 1 table 3, as CAs pair them): SHA-384 for
    /// P-384, SHA-512 for P-521, SHA-256 for P-256 and RSA. A CA's certificates and CRLs use the same one.
    /// </summary>
    public static SignatureHash MatchingHash(AsymmetricAlgorithm key) => key is ECDsa ec ? MatchingEcHash(ec.KeySize) : SignatureHash.Sha256;

    /// <inheritdoc cref="MatchingHash(AsymmetricAlgorithm)"/>
    public static SignatureHash MatchingHash(PublicKey key)
    {
        using var ec = key.GetECDsaPublicKey();
        return ec is null ? SignatureHash.Sha256 : MatchingEcHash(ec.KeySize);
    }

    private static SignatureHash MatchingEcHash(int bits) => bits switch
    {
        > 384 => SignatureHash.Sha512,
        > 256 => SignatureHash.Sha384,
        _ => SignatureHash.Sha256,
    };

    public static HashAlgorithmName ToName(this SignatureHash hash) => hash switch
    {
        SignatureHash.Sha256 => HashAlgorithmName.SHA256,
        SignatureHash.Sha384 => HashAlgorithmName.SHA384,
        SignatureHash.Sha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(hash), hash, null),
    };

    /// <summary>A signature generator for the issuer's key: RSA PKCS#1 v1.5 (what every client accepts) or ECDSA.</summary>
    public static X509SignatureGenerator SignatureGenerator(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
        _ => throw new PkiException(PkiErrorIds.UnsupportedKey, PkiErrorCategory.NotImplemented,
            $"Keys of type {key.GetType().Name} cannot sign; use RSA or ECDSA.", key),
    };

    public static PublicKey PublicKeyOf(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => new PublicKey(rsa),
        ECDsa ec => new PublicKey(ec),
        _ => throw new PkiException(PkiErrorIds.UnsupportedKey, PkiErrorCategory.NotImplemented,
            $"Keys of type {key.GetType().Name} are not supported; use RSA or ECDSA.", key),
    };

    /// <summary>The private key of a certificate (from a store or a PFX), or null when it has none.</summary>
    public static AsymmetricAlgorithm? PrivateKeyOf(X509Certificate2 certificate)
    {
        if (!certificate.HasPrivateKey)
            return null;
        return (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey();
    }

    /// <summary>A certificate joined with its private key.</summary>
    public static X509Certificate2 WithKey(X509Certificate2 certificate, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => certificate.CopyWithPrivateKey(rsa),
        ECDsa ec => certificate.CopyWithPrivateKey(ec),
        _ => throw new ArgumentException("unsupported key", nameof(key)),
    };

    /// <summary>
    /// True when two public keys are the same key (algorithm, parameters and key bits). Compares the three parts rather
    /// than a re-encoded SubjectPublicKeyInfo: .NET 8 cannot re-encode a key whose parameters are absent (Ed25519, Ed448,
    /// RFC 8410), so a bundle holding such a certificate must not make this throw.
    /// </summary>
    public static bool SameKey(PublicKey a, PublicKey b) =>
        a.Oid.Value == b.Oid.Value
        && a.EncodedKeyValue.RawData.AsSpan().SequenceEqual(b.EncodedKeyValue.RawData)
        && (a.EncodedParameters?.RawData ?? Array.Empty<byte>()).AsSpan().SequenceEqual(b.EncodedParameters?.RawData ?? Array.Empty<byte>());

    /// <summary>A positive serial number of 16 bytes with 126 bits from the CSPRNG (CA/B Forum asks for at least 64).</summary>
    public static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x3F) | 0x40); // positive, and no leading zero octet so the DER length stays 16
        return serial;
    }
}
