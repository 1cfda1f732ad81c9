using System.Security.Cryptography;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Hsm;

/// <summary>A new CA's key in an HSM: opened, and the reference the vault entry keeps (never key material, never the PIN).</summary>
public sealed class HsmKey : IDisposable
{
    private Action? _destroy;

    internal HsmKey(AsymmetricAlgorithm key, IHsmKeyReference reference, KeyAlgorithm algorithm, Action? destroy)
    {
        Key = key;
        Reference = reference;
        Algorithm = algorithm;
        _destroy = destroy;
    }

    public AsymmetricAlgorithm Key { get; }

    public IHsmKeyReference Reference { get; }

    /// <summary>The key's own algorithm (for an existing key, what the HSM holds, not what was asked for).</summary>
    public KeyAlgorithm Algorithm { get; }

    /// <summary>The PKCS#11 reference, when the key is in a PKCS#11 token.</summary>
    public Pkcs11KeyReference? Pkcs11 => Reference as Pkcs11KeyReference;

    /// <summary>The CNG reference, when the key is in a Windows key storage provider.</summary>
    public CngKeyReference? Cng => Reference as CngKeyReference;

    /// <summary>True when this call generated the key (so a failed creation must not leave it behind).</summary>
    public bool Generated => _destroy is not null;

    /// <summary>
    /// Destroys a key this call generated, because the creation it was for failed with <paramref name="cause"/>: a key
    /// outlives the process in an HSM, and an orphan there is invisible to the vault. An existing key (-ExistingKey) is
    /// never touched. Call before disposing. If the HSM refuses, the failure keeps <paramref name="cause"/>'s ErrorId and
    /// also names the key left behind, so it can be deleted by hand.
    /// </summary>
    public void DiscardGenerated(Exception cause)
    {
        var destroy = Interlocked.Exchange(ref _destroy, null);
        if (destroy is null)
            return;
        try
        {
            destroy();
        }
        catch (Exception ex) when (ex is PkiException or CryptographicException or ObjectDisposedException)
        {
            var known = cause as PkiException;
            throw new PkiException(known?.ErrorId ?? PkiErrorIds.HsmKeyGenerationFailed, known?.Category ?? PkiErrorCategory.InvalidResult,
                $"{cause.Message} The key generated for it could not be destroyed ({ex.Message}); delete {Reference.Describe()} with the HSM's own tools.",
                Reference.Describe(), cause);
        }
    }

    public void Dispose() => Key.Dispose();
}

/// <summary>
/// Makes the key pair of a new vault CA inside an HSM (or takes one the HSM's own tools made) and opens HSM keys for
/// signing: PKCS#11 tokens through the vendor's library loaded in process (Pkcs11Interop), CNG key storage providers on
/// Windows. Generated keys are sensitive and never extractable. The stores come in through the constructor;
/// <see cref="Production"/> is the one place the real ones are put together.
/// </summary>
public sealed class HsmKeyFactory
{
    /// <summary>The prefix of key names we create in a key storage provider (its names are shared by every application).</summary>
    public const string CngKeyNamePrefix = "ZscalerPki-";

    private static readonly Lazy<HsmKeyFactory> ProductionFactory = new(() => new HsmKeyFactory(CngKeys.ForThisSystem(), Pkcs11Modules.Process));

    private readonly ICngKeyStore _cng;
    private readonly Pkcs11Modules _pkcs11;

    public HsmKeyFactory(ICngKeyStore cng, Pkcs11Modules pkcs11)
    {
        _cng = cng;
        _pkcs11 = pkcs11;
    }

    /// <summary>This system's HSM access: its CNG key storage providers (Windows) and the process's PKCS#11 modules.</summary>
    public static HsmKeyFactory Production => ProductionFactory.Value;

    /// <summary>Checks the options before any slow or irreversible work: one kind of HSM, where to make the key, the PIN.</summary>
    public static void Validate(HsmKeyOptions? options, string entryName)
    {
        if (options is null || (string.IsNullOrWhiteSpace(options.Pkcs11Module) && string.IsNullOrWhiteSpace(options.KeyStorageProvider)))
            throw new PkiException(PkiErrorIds.HsmModuleNotFound, PkiErrorCategory.InvalidArgument,
                "An HSM key needs the token's PKCS#11 module (the HSM vendor's library; SoftHSM2: /usr/lib/softhsm/libsofthsm2.so) or, on Windows, a key storage provider (e.g. 'Microsoft Platform Crypto Provider').", entryName);
        if (!string.IsNullOrWhiteSpace(options.Pkcs11Module) && !string.IsNullOrWhiteSpace(options.KeyStorageProvider))
            throw new PkiException(PkiErrorIds.InvalidKeyReference, PkiErrorCategory.InvalidArgument,
                "Both a PKCS#11 module and a key storage provider were given. Name one: the PKCS#11 module or the key storage provider (Windows).", entryName);
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

    /// <summary>Opens the private key <paramref name="reference"/> names, logging in with <paramref name="pin"/>.</summary>
    public AsymmetricAlgorithm Open(IHsmKeyReference reference, ReadOnlySpan<char> pin) => reference switch
    {
        Pkcs11KeyReference pkcs11 => OpenPkcs11(pkcs11, pin),
        CngKeyReference cng => _cng.Open(cng, pin),
        _ => throw new ArgumentException($"unknown HSM key reference {reference.GetType().Name}", nameof(reference)),
    };

    /// <summary>
    /// Generates an <paramref name="algorithm"/> key labelled <paramref name="entryName"/> in the HSM, or opens the existing key
    /// named in the options (its own algorithm then counts, see <see cref="HsmKey.Algorithm"/>).
    /// </summary>
    public HsmKey CreateOrOpen(HsmKeyOptions options, string entryName, KeyAlgorithm algorithm)
    {
        Validate(options, entryName);
        IHsmKeyReference reference;
        AsymmetricAlgorithm key;
        Action? destroy = null;
        if (!string.IsNullOrWhiteSpace(options.KeyStorageProvider))
        {
            var provider = options.KeyStorageProvider.Trim();
            var generate = string.IsNullOrWhiteSpace(options.ExistingKey);
            var cng = new CngKeyReference { Provider = provider, KeyName = generate ? CngKeyNamePrefix + entryName : options.ExistingKey!.Trim() };
            key = generate ? _cng.Create(provider, cng.KeyName, algorithm, options.Pin.Span) : _cng.Open(cng, options.Pin.Span);
            if (generate)
                destroy = () => _cng.Delete(cng);
            reference = cng;
        }
        else if (options.ExistingKey is { } uri)
        {
            var pkcs11 = Pkcs11KeyReference.Parse(uri, options.Pkcs11Module!);
            key = OpenPkcs11(pkcs11, options.Pin.Span);
            reference = pkcs11;
        }
        else
        {
            var generated = _pkcs11.Generate(options.Pkcs11Module!, options.Token!, entryName, Pkcs11KeySpec.Of(algorithm), options.Pin.Span);
            // The reference keeps the module path as the caller wrote it (the vault shows it back so).
            reference = generated.Reference with { ModulePath = options.Pkcs11Module! };
            key = generated.Key;
            destroy = generated.Destroy;
        }
        return new HsmKey(key, reference, AlgorithmOf(key, reference, destroy), destroy);
    }

    private AsymmetricAlgorithm OpenPkcs11(Pkcs11KeyReference reference, ReadOnlySpan<char> pin)
    {
        if (pin.IsEmpty)
            throw new PkiException(PkiErrorIds.PinRequired, PkiErrorCategory.InvalidArgument,
                $"The key {reference.Uri} is in an HSM token: pass the token's user PIN (as a SecureString).", reference.Uri);
        return _pkcs11.Open(reference, pin);
    }

    private static KeyAlgorithm AlgorithmOf(AsymmetricAlgorithm key, IHsmKeyReference reference, Action? destroy)
    {
        if (Keys.AlgorithmOf(key) is { } known)
            return known;
        var what = $"{(key is RSA ? "RSA" : key is ECDsa ? "EC" : key.GetType().Name)} {key.KeySize}-bit";
        destroy?.Invoke();
        key.Dispose();
        throw new PkiException(PkiErrorIds.UnsupportedKey, PkiErrorCategory.InvalidArgument,
            $"The HSM key {reference.Describe()} is a {what} key; a CA key here is RSA 2048, 3072 or 4096, or EC P-256 or P-384.", reference.Describe());
    }
}
