using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Inspection;

/// <summary>Key types for forged server certificates.</summary>
public enum InspectionKeyAlgorithm
{
    /// <summary>ECDSA on P-256: a fresh key costs well under a millisecond, so a key per site is affordable (default).</summary>
    EcdsaP256,
    /// <summary>RSA-2048: for clients without ECDSA; a fresh key costs 50-300 ms, so pair it with key reuse.</summary>
    Rsa2048,
}

/// <summary>A leaf key with its SubjectPublicKeyInfo and SKI extension encoded once (a shared key is encoded once for all sites).</summary>
public sealed class LeafKey : IDisposable
{
    private LeafKey(AsymmetricAlgorithm key, InspectionKeyAlgorithm algorithm, bool shared)
    {
        Key = key;
        Algorithm = algorithm;
        Shared = shared;
        SubjectPublicKeyInfo = key.ExportSubjectPublicKeyInfo();
        // RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bits (what .NET and OpenSSL compute).
        var spki = new AsnReader(SubjectPublicKeyInfo, AsnEncodingRules.DER).ReadSequence();
        spki.ReadEncodedValue(); // algorithm
        var keyBits = spki.ReadBitString(out _);
        var ski = new AsnWriter(AsnEncodingRules.DER);
        ski.WriteOctetString(SHA1.HashData(keyBits));
        SubjectKeyIdentifierDer = CertificateForger.EncodeExtension("2.5.29.14", false, ski.Encode());
    }

    public AsymmetricAlgorithm Key { get; }
    public InspectionKeyAlgorithm Algorithm { get; }
    /// <summary>True for the one key reused across sites.</summary>
    public bool Shared { get; }
    public byte[] SubjectPublicKeyInfo { get; }
    public byte[] SubjectKeyIdentifierDer { get; }

    public static LeafKey Generate(InspectionKeyAlgorithm algorithm, bool shared = false) => new(algorithm switch
    {
        InspectionKeyAlgorithm.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        InspectionKeyAlgorithm.Rsa2048 => RSA.Create(2048),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    }, algorithm, shared);

    /// <summary>A key read back from its PKCS#8 form (the persisted cache).</summary>
    public static LeafKey FromPkcs8(ReadOnlySpan<byte> pkcs8, InspectionKeyAlgorithm algorithm, bool shared)
    {
        AsymmetricAlgorithm key = algorithm == InspectionKeyAlgorithm.Rsa2048 ? RSA.Create() : ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        return new LeafKey(key, algorithm, shared);
    }

    public void Dispose() => Key.Dispose();
}
