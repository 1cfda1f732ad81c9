using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace ZscalerPki.Core.Hsm;

/// <summary>
/// Opens a PKCS#11 private key in-process through OpenSSL's pkcs11 engine (libp11, Debian's libengine-pkcs11-openssl): the
/// module path and the PIN are set per call with engine control commands (no OpenSSL configuration file, nothing global
/// written), and the key comes back as an <see cref="RSAOpenSsl"/> or <see cref="ECDsaOpenSsl"/> whose every signature is
/// made inside the token. The key cannot be exported: the token marks it sensitive and never-extractable.
/// <para>libcrypto is the one .NET itself loaded (same soname), so the EVP_PKEY is shared with .NET's OpenSSL shim.</para>
/// </summary>
[SupportedOSPlatform("linux")]
[SupportedOSPlatform("macos")]
internal static class OpenSslPkcs11Engine
{
    private const string LibCrypto = "libcrypto.so.3";
    private static readonly object Gate = new();

    private const int EvpPkeyRsa = 6;
    private const int EvpPkeyEc = 408;

    public static AsymmetricAlgorithm Open(Pkcs11KeyReference key, ReadOnlySpan<char> pin)
    {
        if (!File.Exists(key.ModulePath))
            throw new PkiException(PkiErrorIds.HsmModuleNotFound, PkiErrorCategory.NotInstalled,
                $"The PKCS#11 module '{key.ModulePath}' does not exist. Pass the path of your HSM's PKCS#11 library (for SoftHSM2: /usr/lib/softhsm/libsofthsm2.so).", key.ModulePath);
        if (pin.IsEmpty)
            throw new PkiException(PkiErrorIds.PinRequired, PkiErrorCategory.InvalidArgument,
                $"The key {key.Uri} is in an HSM token: pass the token's user PIN (as a SecureString).", key.Uri);
        var present = Pkcs11Tool.ListPrivateKeys(key.ModulePath, key.Token, pin);
        if (!present.Any(k => k.Label == key.Object && (string.IsNullOrEmpty(key.IdHex) || string.Equals(k.IdHex, key.IdHex, StringComparison.OrdinalIgnoreCase))))
            throw new PkiException(PkiErrorIds.HsmKeyNotFound, PkiErrorCategory.ObjectNotFound,
                $"The token '{key.Token}' has no private key '{key.Object}' ({key.Uri}); it was deleted or never created there. Restore it from the HSM's backup, or point the entry at the key that replaced it.", key.Uri);
        var pinText = new string(pin);
        IntPtr pkey;
        string errors;
        lock (Gate)
        {
            var engine = ENGINE_by_id("pkcs11");
            if (engine == IntPtr.Zero)
                throw new PkiException(PkiErrorIds.HsmEngineNotInstalled, PkiErrorCategory.NotInstalled,
                    $"OpenSSL's pkcs11 engine is not installed, so keys in PKCS#11 tokens cannot be used. Install it (Debian/Ubuntu: apt-get install libengine-pkcs11-openssl). {DrainErrors()}", key.Uri);
            try
            {
                if (ENGINE_ctrl_cmd_string(engine, "MODULE_PATH", key.ModulePath, 0) != 1 || ENGINE_ctrl_cmd_string(engine, "PIN", pinText, 0) != 1 || ENGINE_init(engine) != 1)
                    throw new PkiException(PkiErrorIds.HsmModuleNotFound, PkiErrorCategory.OpenError,
                        $"The PKCS#11 module '{key.ModulePath}' could not be loaded: {DrainErrors()}", key.ModulePath);
                pkey = ENGINE_load_private_key(engine, key.Uri, IntPtr.Zero, IntPtr.Zero);
                errors = DrainErrors();
                ENGINE_finish(engine);
            }
            finally
            {
                ENGINE_free(engine);
            }
        }
        if (pkey == IntPtr.Zero)
            throw Classify(key, errors);
        using var handle = new SafeEvpPKeyHandle(pkey, ownsHandle: true);
        return EVP_PKEY_get_base_id(pkey) switch
        {
            EvpPkeyRsa => new RSAOpenSsl(handle),
            EvpPkeyEc => new ECDsaOpenSsl(handle),
            var other => throw new PkiException(PkiErrorIds.UnsupportedKey, PkiErrorCategory.InvalidArgument,
                $"The HSM key {key.Uri} is neither RSA nor EC (OpenSSL key type {other}); CA keys here are RSA or ECDSA.", key.Uri),
        };
    }

    /// <summary>
    /// The raw ECDH agreement of an EC key with its own public key, computed where the key is (for an engine key: in the
    /// token, through its derive). EVP_PKEY_derive directly: .NET 8's ECDiffieHellmanOpenSsl wants to export the curve of an
    /// engine key, which a token refuses. Null when the key or token does not allow derivation.
    /// </summary>
    public static byte[]? DeriveWithOwnPublicKey(ECDsaOpenSsl key)
    {
        using var own = key.DuplicateKeyHandle();
        using var peerKey = new ECDiffieHellmanOpenSsl();
        peerKey.ImportParameters(key.ExportParameters(false));
        using var peer = peerKey.DuplicateKeyHandle();
        var ctx = EVP_PKEY_CTX_new(own.DangerousGetHandle(), IntPtr.Zero);
        if (ctx == IntPtr.Zero)
            return Failed();
        try
        {
            nuint length = 0;
            if (EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer(ctx, peer.DangerousGetHandle()) != 1 || EVP_PKEY_derive(ctx, null, ref length) != 1 || length == 0 || length > 1024)
                return Failed();
            var secret = new byte[(int)length];
            if (EVP_PKEY_derive(ctx, secret, ref length) != 1)
                return Failed();
            return secret.AsSpan(0, (int)length).ToArray();
        }
        finally
        {
            EVP_PKEY_CTX_free(ctx);
        }

        static byte[]? Failed()
        {
            DrainErrors();
            return null;
        }
    }

    private static PkiException Classify(Pkcs11KeyReference key, string errors)
    {
        if (errors.Contains("PIN incorrect", StringComparison.OrdinalIgnoreCase) || errors.Contains("PIN_INCORRECT", StringComparison.Ordinal))
            return new PkiException(PkiErrorIds.HsmPinIncorrect, PkiErrorCategory.AuthenticationError,
                $"The PIN for token '{key.Token}' is wrong (the token refused the login). Pass the token's user PIN; repeated wrong PINs may lock it.", key.Token);
        if (errors.Contains("PIN locked", StringComparison.OrdinalIgnoreCase))
            return new PkiException(PkiErrorIds.HsmPinIncorrect, PkiErrorCategory.AuthenticationError,
                $"The user PIN of token '{key.Token}' is locked. Unlock it with the security officer PIN (e.g. softhsm2-util or your HSM's tools).", key.Token);
        if (!Pkcs11Tool.TokenExists(key.ModulePath, key.Token))
            return new PkiException(PkiErrorIds.HsmTokenNotFound, PkiErrorCategory.ObjectNotFound,
                $"No token labelled '{key.Token}' is present in '{key.ModulePath}'. Insert or initialise the token, or fix the key reference.", key.Token);
        return new PkiException(PkiErrorIds.HsmKeyNotFound, PkiErrorCategory.ObjectNotFound,
            $"The token '{key.Token}' has no private key '{key.Object}' ({key.Uri}); it was deleted or never created there. {errors}".TrimEnd(), key.Uri);
    }

    private static string DrainErrors()
    {
        var messages = new List<string>();
        ulong code;
        while ((code = ERR_get_error()) != 0)
            messages.Add(Marshal.PtrToStringAnsi(ERR_error_string(code, IntPtr.Zero)) ?? code.ToString("X", System.Globalization.CultureInfo.InvariantCulture));
        return string.Join("; ", messages);
    }

    [DllImport(LibCrypto)]
    private static extern IntPtr ENGINE_by_id(string id);

    [DllImport(LibCrypto)]
    private static extern int ENGINE_ctrl_cmd_string(IntPtr engine, string command, string? argument, int optional);

    [DllImport(LibCrypto)]
    private static extern int ENGINE_init(IntPtr engine);

    [DllImport(LibCrypto)]
    private static extern int ENGINE_finish(IntPtr engine);

    [DllImport(LibCrypto)]
    private static extern int ENGINE_free(IntPtr engine);

    [DllImport(LibCrypto)]
    private static extern IntPtr ENGINE_load_private_key(IntPtr engine, string keyId, IntPtr uiMethod, IntPtr callbackData);

    [DllImport(LibCrypto)]
    private static extern int EVP_PKEY_get_base_id(IntPtr pkey);

    [DllImport(LibCrypto)]
    private static extern IntPtr EVP_PKEY_CTX_new(IntPtr pkey, IntPtr engine);

    [DllImport(LibCrypto)]
    private static extern void EVP_PKEY_CTX_free(IntPtr ctx);

    [DllImport(LibCrypto)]
    private static extern int EVP_PKEY_derive_init(IntPtr ctx);

    [DllImport(LibCrypto)]
    private static extern int EVP_PKEY_derive_set_peer(IntPtr ctx, IntPtr peer);

    [DllImport(LibCrypto)]
    private static extern int EVP_PKEY_derive(IntPtr ctx, byte[]? key, ref nuint keyLength);

    [DllImport(LibCrypto)]
    private static extern ulong ERR_get_error();

    [DllImport(LibCrypto)]
    private static extern IntPtr ERR_error_string(ulong code, IntPtr buffer);
}
