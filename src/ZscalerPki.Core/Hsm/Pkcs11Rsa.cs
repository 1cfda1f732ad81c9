using System.Formats.Asn1;
using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace ZscalerPki.Core.Hsm;

/// <summary>
/// An RSA private key inside a PKCS#11 token as .NET's <see cref="RSA"/>: every signing path (CertificateRequest,
/// X509SignatureGenerator.CreateForRSA, CRLs, CSRs) calls <see cref="SignHash"/>, which signs in the token. The public key
/// is known; the private key is not (exporting it or decrypting throws, as for any non-exportable key).
/// </summary>
internal sealed class Pkcs11Rsa : RSA
{
    private readonly Pkcs11PrivateKey _key;
    private readonly RSAParameters _public;

    public Pkcs11Rsa(Pkcs11PrivateKey key, RSAParameters publicParameters)
    {
        _key = key;
        _public = publicParameters;
        var modulus = publicParameters.Modulus!;
        var first = Array.FindIndex(modulus, b => b != 0);
        KeySizeValue = first < 0 ? 0 : (modulus.Length - first) * 8 - System.Numerics.BitOperations.LeadingZeroCount((uint)modulus[first]) + 24;
        LegalKeySizesValue = new[] { new KeySizes(KeySizeValue, KeySizeValue, 0) };
    }

    public Pkcs11KeyReference Reference => _key.Reference;

    public override RSAParameters ExportParameters(bool includePrivateParameters) => includePrivateParameters
        ? throw new CryptographicException($"The private key {Reference.Uri} lives in an HSM token and cannot be exported.")
        : new RSAParameters { Modulus = (byte[])_public.Modulus!.Clone(), Exponent = (byte[])_public.Exponent!.Clone() };

    public override void ImportParameters(RSAParameters parameters) =>
        throw new CryptographicException($"The key {Reference.Uri} is in an HSM token; another key cannot be imported into it.");

    public override byte[] SignHash(byte[] hash, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding)
    {
        ArgumentNullException.ThrowIfNull(hash);
        ArgumentNullException.ThrowIfNull(padding);
        var f = _key.Factories;
        var (hashMechanism, mgf, oid, length) = Digest(hashAlgorithm);
        if (hash.Length != length)
            throw new CryptographicException($"A {hashAlgorithm.Name} hash is {length} bytes, not {hash.Length}.");
        if (padding == RSASignaturePadding.Pkcs1)
        {
            // CKM_RSA_PKCS pads whatever it is given: the DigestInfo (hash algorithm and hash) is ours to build.
            var digestInfo = new AsnWriter(AsnEncodingRules.DER);
            using (digestInfo.PushSequence())
            {
                using (digestInfo.PushSequence())
                {
                    digestInfo.WriteObjectIdentifier(oid);
                    digestInfo.WriteNull();
                }
                digestInfo.WriteOctetString(hash);
            }
            return _key.Sign(f.MechanismFactory.Create(CKM.CKM_RSA_PKCS), digestInfo.Encode());
        }
        if (padding == RSASignaturePadding.Pss)
        {
            // .NET's PSS: MGF1 with the message hash, salt as long as the hash.
            using var parameters = f.MechanismParamsFactory.CreateCkRsaPkcsPssParams((ulong)hashMechanism, (ulong)mgf, (ulong)length);
            return _key.Sign(f.MechanismFactory.Create(CKM.CKM_RSA_PKCS_PSS, parameters), hash);
        }
        throw new CryptographicException($"The RSA padding {padding} is not supported by HSM keys here (PKCS#1 v1.5 and PSS are).");
    }

    public override bool VerifyHash(byte[] hash, byte[] signature, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding)
    {
        using var publicKey = RSA.Create(_public);
        return publicKey.VerifyHash(hash, signature, hashAlgorithm, padding);
    }

    public override byte[] Encrypt(byte[] data, RSAEncryptionPadding padding)
    {
        using var publicKey = RSA.Create(_public);
        return publicKey.Encrypt(data, padding);
    }

    public override byte[] Decrypt(byte[] data, RSAEncryptionPadding padding) =>
        throw new CryptographicException($"The key {Reference.Uri} is a signing key in an HSM token; it does not decrypt.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _key.Dispose();
        base.Dispose(disposing);
    }

    private static (CKM Hash, CKG Mgf, string Oid, int Length) Digest(HashAlgorithmName name)
    {
        if (name == HashAlgorithmName.SHA256)
            return (CKM.CKM_SHA256, CKG.CKG_MGF1_SHA256, "2.16.840.1.101.3.4.2.1", 32);
        if (name == HashAlgorithmName.SHA384)
            return (CKM.CKM_SHA384, CKG.CKG_MGF1_SHA384, "2.16.840.1.101.3.4.2.2", 48);
        if (name == HashAlgorithmName.SHA512)
            return (CKM.CKM_SHA512, CKG.CKG_MGF1_SHA512, "2.16.840.1.101.3.4.2.3", 64);
        if (name == HashAlgorithmName.SHA1)
            return (CKM.CKM_SHA_1, CKG.CKG_MGF1_SHA1, "1.3.14.3.2.26", 20);
        throw new CryptographicException($"The hash {name.Name} is not supported by HSM keys here (SHA-256, SHA-384, SHA-512 are).");
    }
}
