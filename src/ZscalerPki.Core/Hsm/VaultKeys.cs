using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Hsm;

/// <summary>
/// The signing key of a vault CA, wherever it lives: encrypted PKCS#8 in the vault (opened with the key password) or a
/// key in an HSM token (opened with the token's PIN; the vault holds only its reference). Either way the key must be the
/// one of <c>expected</c> (the CA's certificate or CSR public key), else <c>KeyMismatch</c>. Signing paths take what this
/// returns and need nothing HSM-specific.
/// </summary>
public static class VaultKeys
{
    /// <summary>The HSM key reference of a vault entry, or null for a software key.</summary>
    public static Pkcs11KeyReference? HsmKeyOf(Vault vault, string collection, string name) =>
        collection == Collections.Intermediate ? vault.TryRead<IntermediateEntry>(collection, name)?.HsmKey : null;

    /// <summary>Opens the private key of <paramref name="name"/>; <paramref name="secret"/> is its key password, or the PIN of its HSM token.</summary>
    public static AsymmetricAlgorithm Open(Vault vault, string collection, string name, PublicKey expected, ReadOnlySpan<char> secret) =>
        Open(vault, collection, name, expected, secret, out _);

    /// <summary>As the other overload; <c>inHsm</c> tells whether the key lives in an HSM token (so it cannot be exported).</summary>
    public static AsymmetricAlgorithm Open(Vault vault, string collection, string name, PublicKey expected, ReadOnlySpan<char> secret, out bool inHsm)
    {
        var hsm = HsmKeyOf(vault, collection, name);
        inHsm = hsm is not null;
        if (hsm is null)
            return KeyProtection.Decrypt(vault.ReadKey(collection, name), secret, expected, name);
        var key = HsmKeys.Open(hsm, secret, expected.Oid.Value ?? string.Empty);
        if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(expected.ExportSubjectPublicKeyInfo()))
        {
            key.Dispose();
            throw new PkiException(PkiErrorIds.KeyMismatch, PkiErrorCategory.SecurityError,
                $"The HSM key {hsm.Uri} is not the key of '{name}' (its certificate has another public key). Fix the entry's key reference, or restore the key in the token.", name);
        }
        return key;
    }
}
