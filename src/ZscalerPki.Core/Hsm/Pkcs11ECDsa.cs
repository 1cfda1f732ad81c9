using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;

namespace ZscalerPki.Core.Hsm;

/// <summary>
/// An EC private key inside a PKCS#11 token as .NET's <see cref="ECDsa"/>. CKM_ECDSA signs a hash and returns r||s, each
/// as long as the curve's field: exactly the IEEE P1363 form <see cref="ECDsa.SignHash(byte[])"/> returns, which .NET then
/// turns into DER where a certificate or CRL needs it. The public key is known; the private key is not.
/// </summary>
internal sealed class Pkcs11ECDsa : ECDsa
{
    private readonly Pkcs11PrivateKey _key;
    private readonly ECParameters _public;

    public Pkcs11ECDsa(Pkcs11PrivateKey key, ECParameters publicParameters)
    {
        _key = key;
        _public = publicParameters;
        KeySizeValue = FieldBits(publicParameters.Curve);
        LegalKeySizesValue = new[] { new KeySizes(KeySizeValue, KeySizeValue, 0) };
    }

    public Pkcs11KeyReference Reference => _key.Reference;

    public static int FieldBytes(ECCurve curve) => (FieldBits(curve) + 7) / 8;

    private static int FieldBits(ECCurve curve) => curve.Oid.Value switch
    {
        "1.2.840.10045.3.1.7" => 256,
        "1.3.132.0.34" => 384,
        "1.3.132.0.35" => 521,
        var other => throw new CryptographicException($"The curve {other} is not supported by HSM keys here."),
    };

    public override ECParameters ExportParameters(bool includePrivateParameters) => includePrivateParameters
        ? throw new CryptographicException($"The private key {Reference.Uri} lives in an HSM token and cannot be exported.")
        : new ECParameters { Curve = _public.Curve, Q = new ECPoint { X = (byte[])_public.Q.X!.Clone(), Y = (byte[])_public.Q.Y!.Clone() } };

    public override ECParameters ExportExplicitParameters(bool includePrivateParameters)
    {
        if (includePrivateParameters)
            return ExportParameters(true);
        using var publicKey = ECDsa.Create(_public);
        return publicKey.ExportExplicitParameters(false);
    }

    public override void ImportParameters(ECParameters parameters) =>
        throw new CryptographicException($"The key {Reference.Uri} is in an HSM token; another key cannot be imported into it.");

    public override void GenerateKey(ECCurve curve) =>
        throw new CryptographicException($"The key {Reference.Uri} is in an HSM token; generate keys there.");

    public override byte[] SignHash(byte[] hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        var signature = _key.Sign(_key.Factories.MechanismFactory.Create(CKM.CKM_ECDSA), hash);
        if (signature.Length != 2 * FieldBytes(_public.Curve))
            throw new CryptographicException($"The token returned a {signature.Length}-byte ECDSA signature for {Reference.Uri}; r||s on this curve is {2 * FieldBytes(_public.Curve)} bytes.");
        return signature;
    }

    public override bool VerifyHash(byte[] hash, byte[] signature)
    {
        using var publicKey = ECDsa.Create(_public);
        return publicKey.VerifyHash(hash, signature);
    }

    /// <summary>The raw ECDH agreement of this key with its own public key, derived in the token; null when the token refuses.</summary>
    public byte[]? DeriveWithOwnPublicKey()
    {
        var size = FieldBytes(_public.Curve);
        var point = new byte[1 + 2 * size];
        point[0] = 0x04; // uncompressed
        _public.Q.X!.CopyTo(point, 1);
        _public.Q.Y!.CopyTo(point, 1 + size);
        return _key.DeriveEcdh(point, size);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _key.Dispose();
        base.Dispose(disposing);
    }
}
