using System.Security.Cryptography;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Hsm;

/// <summary>A new CA's key in an HSM: opened, and the reference the vault entry keeps (never key material, never the PIN).</summary>
public sealed record HsmKey(AsymmetricAlgorithm Key, IHsmKeyReference Reference, KeyAlgorithm Algorithm) : IDisposable
{
    /// <summary>The PKCS#11 reference, when the key is in a PKCS#11 token.</summary>
    public Pkcs11KeyReference? Pkcs11 => Reference as Pkcs11KeyReference;

    /// <summary>The CNG reference, when the key is in a Windows key storage provider.</summary>
    public CngKeyReference? Cng => Reference as CngKeyReference;

    public void Dispose() => Key.Dispose();
}

/// <summary>
/// Makes the key pair of a new vault CA inside an HSM (or takes one the HSM's own tools made) and opens it for signing:
/// PKCS#11 tokens on Linux and macOS (OpenSC's pkcs11-tool generates, OpenSSL's pkcs11 engine signs), CNG key storage
/// providers on Windows. Generated keys are sensitive and never extractable.
/// </summary>
public static class HsmKeyFactory
{
    /// <summary>The prefix of key names we create in a key storage provider (its names are shared by every application).</summary>
    public const string CngKeyNamePrefix = "ZscalerPki-";

    /// <summary>Checks the options before any slow or irreversible work: one kind of HSM, where to make the key, the PIN.</summary>
    public static void Validate(HsmKeyOptions? options, string entryName)
    {
        if (options is null || (string.IsNullOrWhiteSpace(options.Pkcs11Module) && string.IsNullOrWhiteSpace(options.KeyStorageProvider)))
            throw new PkiException(PkiErrorIds.HsmModuleNotFound, PkiErrorCategory.InvalidArgument,
                "An HSM key needs the token's PKCS#11 module (the HSM vendor's library; SoftHSM2: /usr/lib/softhsm/libsofthsm2.so) or, on Windows, a key storage provider (e.g. 'Microsoft Platform Crypto Provider').", entryName);
        if (!string.IsNullOrWhiteSpace(options.Pkcs11Module) && !string.IsNullOrWhiteSpace(options.KeyStorageProvider))
            throw new PkiException(PkiErrorIds.InvalidKeyReference, PkiErrorCategory.InvalidArgument,
                "Both a PKCS#11 module and a key storage provider were given. Name one: the PKCS#11 module (Linux, macOS) or the key storage provider (Windows).", entryName);
        if (string.IsNullOrWhiteSpace(options.Pkcs11Module))
            return; // a key storage provider asks for its PIN itself, or takes the one given
        if (string.IsNullOrWhiteSpace(options.ExistingKey) && string.IsNullOrWhiteSpace(options.Token))
            throw new PkiException(PkiErrorIds.HsmTokenNotFound, PkiErrorCategory.InvalidArgument,
                "Name the token to generate the key in, or an existing key by its pkcs11: URI.", entryName);
        if (options.ExistingKey is { } uri)
            Pkcs11KeyReference.Parse(uri, options.Pkcs11Module); // refuse a broken URI before anything else
        if (options.Pin.IsEmpty)
            throw new PkiException(PkiErrorIds.PinRequired, PkiErrorCategory.InvalidArgument, "An HSM key needs the token's user PIN.", entryName);
    }

    /// <summary>
    /// Generates an <paramref name="algorithm"/> key labelled <paramref name="entryName"/> in the HSM, or opens the existing key
    /// named in the options (its own algorithm then counts, see <see cref="HsmKey.Algorithm"/>).
    /// </summary>
    public static HsmKey CreateOrOpen(HsmKeyOptions options, string entryName, KeyAlgorithm algorithm)
    {
        Validate(options, entryName);
        IHsmKeyReference reference;
        AsymmetricAlgorithm key;
        if (!string.IsNullOrWhiteSpace(options.KeyStorageProvider))
        {
            var provider = options.KeyStorageProvider.Trim();
            if (string.IsNullOrWhiteSpace(options.ExistingKey))
            {
                var cng = new CngKeyReference { Provider = provider, KeyName = CngKeyNamePrefix + entryName };
                key = CngKeys.Store.Create(provider, cng.KeyName, algorithm, options.Pin.Span);
                reference = cng;
            }
            else
            {
                var cng = new CngKeyReference { Provider = provider, KeyName = options.ExistingKey.Trim() };
                key = cng.Open(options.Pin.Span);
                reference = cng;
            }
        }
        else
        {
            var pkcs11 = options.ExistingKey is { } uri
                ? Pkcs11KeyReference.Parse(uri, options.Pkcs11Module!)
                : Pkcs11Tool.GenerateKeyPair(options.Pkcs11Module!, options.Token!, entryName, Pkcs11KeyType(algorithm), options.Pin.Span);
            key = pkcs11.Open(options.Pin.Span);
            reference = pkcs11;
        }
        var actual = AlgorithmOf(key, reference);
        return new HsmKey(key, reference, actual);
    }

    /// <summary>pkcs11-tool's name for a key type.</summary>
    public static string Pkcs11KeyType(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.Rsa2048 => "rsa:2048",
        KeyAlgorithm.Rsa3072 => "rsa:3072",
        KeyAlgorithm.Rsa4096 => "rsa:4096",
        KeyAlgorithm.EcdsaP256 => "EC:prime256v1",
        KeyAlgorithm.EcdsaP384 => "EC:secp384r1",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    private static KeyAlgorithm AlgorithmOf(AsymmetricAlgorithm key, IHsmKeyReference reference)
    {
        if (Keys.AlgorithmOf(key) is { } known)
            return known;
        var what = $"{(key is RSA ? "RSA" : key is ECDsa ? "EC" : key.GetType().Name)} {key.KeySize}-bit";
        key.Dispose();
        throw new PkiException(PkiErrorIds.UnsupportedKey, PkiErrorCategory.InvalidArgument,
            $"The HSM key {reference.Describe()} is a {what} key; a CA key here is RSA 2048, 3072 or 4096, or EC P-256 or P-384.", reference.Describe());
    }
}
