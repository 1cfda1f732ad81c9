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

    /// <summary>
    /// A secret only the holder of an HSM key can make, the same every time: SHA-256 of the key's RSA PKCS#1 v1.5 signature
    /// over <paramref name="label"/>, or for an EC key in a PKCS#11 token of its ECDH agreement with its own public key
    /// (d·d·G; ECDSA signatures are randomised). Null when the key cannot make one (an EC key without the derive usage,
    /// an EC key in a Windows key storage provider, which is created for signing only).
    /// </summary>
    public static byte[]? DeterministicSecret(AsymmetricAlgorithm key, string label)
    {
        var labelBytes = System.Text.Encoding.UTF8.GetBytes(label);
        switch (key)
        {
            case RSA rsa:
                return SHA256.HashData(rsa.SignData(labelBytes, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            case ECDsa ec when OperatingSystem.IsLinux() || OperatingSystem.IsMacOS():
                if (ec is not ECDsaOpenSsl openSsl || OpenSslPkcs11Engine.DeriveWithOwnPublicKey(openSsl) is not { } shared)
                    return null; // not an engine key, or the token does not allow derivation with it
                var secret = SHA256.HashData(labelBytes.Concat(shared).ToArray());
                CryptographicOperations.ZeroMemory(shared);
                return secret;
            default:
                return null;
        }
    }
}
