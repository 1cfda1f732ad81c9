using System.Security.Cryptography;

namespace ZscalerPki.Core.Hsm;

/// <summary>
/// The one way the engine opens a key that lives in an HSM: it returns an <see cref="AsymmetricAlgorithm"/> that signs
/// inside the token, so every signing path (CSR, certificates, CRLs) works unchanged with it.
/// </summary>
public static class HsmKeys
{
    /// <summary>Opens the private key <paramref name="key"/> refers to, logging in with <paramref name="pin"/>.</summary>
    public static AsymmetricAlgorithm Open(Pkcs11KeyReference key, ReadOnlySpan<char> pin)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
            return OpenSslPkcs11Engine.Open(key, pin);
        throw new PkiException(PkiErrorIds.HsmEngineNotInstalled, PkiErrorCategory.NotImplemented,
            $"PKCS#11 keys ({key.Uri}) are opened through OpenSSL's pkcs11 engine on Linux and macOS; on Windows use the HSM's key storage provider (CNG).", key.Uri);
    }
}
