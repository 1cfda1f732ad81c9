using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace ZscalerPki.Core.Validation;

/// <summary>
/// The signatures .NET 8 cannot verify, through BouncyCastle.Cryptography: Ed25519 and Ed448 (RFC 8410; .NET has no
/// EdDSA API) and RSASSA-PSS with a salt length other than the hash length or an MGF1 hash other than the message hash
/// (RFC 4055; <see cref="RSASignaturePadding.Pss"/> has no parameters). Everything else stays with .NET
/// (<see cref="SignatureVerifier"/> asks .NET first and comes here only for these).
/// <para>
/// Cost: BouncyCastle.Cryptography.dll (5 MB) is loaded, and these methods compiled, only when one of them is
/// first called, i.e. when a chain or CRL actually uses one of these algorithms. That holds because BouncyCastle types
/// appear only inside these method bodies: the signatures take and return BCL types, the class has no fields, and
/// the methods are not inlined into their callers (JIT-compiling a caller would otherwise resolve BouncyCastle). An
/// RSA/ECDSA-only validation never loads it (checked by a test in a separate AssemblyLoadContext).
/// </para>
/// </summary>
internal static class BouncyCastleVerifier
{
    /// <summary>
    /// Ed25519 or Ed448 (pure EdDSA, empty context: RFC 8410 section 6 signs the TBS bytes directly, no pre-hash) with a
    /// raw public key (32 or 57 octets, the subjectPublicKey BIT STRING of RFC 8410 section 4).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static SignatureCheck VerifyEdDsa(bool ed448, byte[] publicKey, ReadOnlySpan<byte> data, byte[] signature, out string? reason)
    {
        reason = null;
        try
        {
            ISigner signer;
            if (ed448)
            {
                signer = new Ed448Signer(Array.Empty<byte>());
                signer.Init(false, new Ed448PublicKeyParameters(publicKey));
            }
            else
            {
                signer = new Ed25519Signer();
                signer.Init(false, new Ed25519PublicKeyParameters(publicKey));
            }
            signer.BlockUpdate(data);
            if (signer.VerifySignature(signature)) return SignatureCheck.Valid;
            reason = "signature does not verify with the issuer's public key";
            return SignatureCheck.Invalid;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptoException or InvalidOperationException)
        {
            // An encoding that is not a point on the curve, for instance.
            reason = "the Ed" + (ed448 ? "448" : "25519") + " public key could not be used: " + ex.Message;
            return SignatureCheck.Invalid;
        }
    }

    /// <summary>
    /// RSASSA-PSS (RFC 8017 section 8.1.2, parameters per RFC 4055 section 3.1) with any supported hash, MGF1 hash and
    /// salt length, trailer 0xBC (trailerField 1). <paramref name="modulus"/> and <paramref name="exponent"/> are
    /// unsigned big-endian.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static SignatureCheck VerifyRsaPss(byte[] modulus, byte[] exponent, PssParameters pss, ReadOnlySpan<byte> data, byte[] signature, out string? reason)
    {
        reason = null;
        try
        {
            var key = new RsaKeyParameters(false, new Org.BouncyCastle.Math.BigInteger(1, modulus), new Org.BouncyCastle.Math.BigInteger(1, exponent));
            var signer = new PssSigner(new RsaEngine(), Digest(pss.Hash), Digest(pss.MgfHash), pss.SaltLength, PssSigner.TrailerImplicit);
            signer.Init(false, key);
            signer.BlockUpdate(data);
            if (signer.VerifySignature(signature)) return SignatureCheck.Valid;
            reason = "signature does not verify with the issuer's public key";
            return SignatureCheck.Invalid;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptoException or InvalidOperationException)
        {
            reason = "signature could not be verified: " + ex.Message;
            return SignatureCheck.Invalid;
        }
    }

    private static IDigest Digest(HashAlgorithmName hash) =>
        hash == HashAlgorithmName.SHA1 ? new Sha1Digest()
        : hash == HashAlgorithmName.SHA256 ? new Sha256Digest()
        : hash == HashAlgorithmName.SHA384 ? new Sha384Digest()
        : hash == HashAlgorithmName.SHA512 ? new Sha512Digest()
        : throw new ArgumentException("unsupported hash " + hash.Name);
}
