using Net.Pkcs11Interop.Common;

namespace ZscalerPki.Core.Hsm;

/// <summary>PKCS#11 return values (CKR_*) as our catalogued errors, each naming the token or key and what to do.</summary>
internal static class Pkcs11Errors
{
    public static PkiException ModuleNotFound(string modulePath, string why, Exception? inner = null) =>
        new(PkiErrorIds.HsmModuleNotFound, PkiErrorCategory.NotInstalled,
            $"The PKCS#11 module '{modulePath}' {why}. Pass the path of your HSM's PKCS#11 library (for SoftHSM2: /usr/lib/softhsm/libsofthsm2.so).", modulePath, inner);

    public static PkiException TokenNotFound(string modulePath, string token, bool environmentChanged) =>
        new(PkiErrorIds.HsmTokenNotFound, PkiErrorCategory.ObjectNotFound,
            $"No token labelled '{token}' is present in '{modulePath}'. Insert or initialise the token, or fix the key reference."
            + (environmentChanged
                ? " The environment changed since the module was loaded (e.g. SOFTHSM2_CONF) and a module reads it when it is initialised; it is initialised again only while none of its keys is open, so close them (or start a new session) and retry."
                : string.Empty), token);

    public static PkiException PinIncorrect(string token, Exception? inner = null) =>
        new(PkiErrorIds.HsmPinIncorrect, PkiErrorCategory.AuthenticationError,
            $"The PIN for token '{token}' is wrong (the token refused the login). Pass the token's user PIN; repeated wrong PINs may lock it.", token, inner);

    public static PkiException KeyNotFound(Pkcs11KeyReference key, string why, Exception? inner = null) =>
        new(PkiErrorIds.HsmKeyNotFound, PkiErrorCategory.ObjectNotFound,
            $"The token '{key.Token}' has no private key '{key.Object}' ({key.Uri}); {why}. Restore it from the HSM's backup, or point the entry at the key that replaced it.", key.Uri, inner);

    /// <summary>Why a login failed: a wrong or locked PIN, or a token that went away; anything else as <paramref name="otherwise"/>.</summary>
    public static PkiException Login(Pkcs11Exception ex, string modulePath, string token, Func<Pkcs11Exception, PkiException> otherwise) => ex.RV switch
    {
        CKR.CKR_PIN_INCORRECT or CKR.CKR_PIN_INVALID or CKR.CKR_PIN_LEN_RANGE => PinIncorrect(token, ex),
        CKR.CKR_PIN_LOCKED => new PkiException(PkiErrorIds.HsmPinIncorrect, PkiErrorCategory.AuthenticationError,
            $"The user PIN of token '{token}' is locked. Unlock it with the security officer PIN (e.g. softhsm2-util or your HSM's tools).", token, ex),
        CKR.CKR_USER_PIN_NOT_INITIALIZED => new PkiException(PkiErrorIds.HsmPinIncorrect, PkiErrorCategory.AuthenticationError,
            $"Token '{token}' has no user PIN yet. Set one with the security officer PIN (your HSM's tools), then retry.", token, ex),
        CKR.CKR_TOKEN_NOT_PRESENT or CKR.CKR_DEVICE_REMOVED or CKR.CKR_SLOT_ID_INVALID or CKR.CKR_TOKEN_NOT_RECOGNIZED
            => TokenNotFound(modulePath, token, environmentChanged: false),
        _ => otherwise(ex),
    };

    /// <summary>A failed operation with an open key (signing, reading, deriving): a vanished key or token, else the token's refusal.</summary>
    public static Exception Operation(Pkcs11Exception ex, Pkcs11KeyReference key, string what) => ex.RV switch
    {
        CKR.CKR_KEY_HANDLE_INVALID or CKR.CKR_OBJECT_HANDLE_INVALID => KeyNotFound(key, "it was deleted from the token while it was open", ex),
        CKR.CKR_TOKEN_NOT_PRESENT or CKR.CKR_DEVICE_REMOVED or CKR.CKR_SESSION_HANDLE_INVALID or CKR.CKR_SESSION_CLOSED or CKR.CKR_CRYPTOKI_NOT_INITIALIZED
            => TokenNotFound(key.ModulePath, key.Token, environmentChanged: false),
        CKR.CKR_USER_NOT_LOGGED_IN => new PkiException(PkiErrorIds.HsmPinIncorrect, PkiErrorCategory.AuthenticationError,
            $"Token '{key.Token}' is no longer logged in (something logged it out while {key.Uri} was open). Open the key again with its PIN.", key.Uri, ex),
        // What .NET's own keys throw when a signature cannot be made; signing paths expect it.
        _ => new System.Security.Cryptography.CryptographicException($"The token '{key.Token}' refused {what} with {key.Uri}: {ex.RV}.", ex),
    };
}
