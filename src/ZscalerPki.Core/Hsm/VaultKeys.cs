using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Hsm;

/// <summary>
/// The signing key of a vault CA, wherever it lives: encrypted PKCS#8 in the vault (opened with the key password) or a
/// key in an HSM (opened with its PIN through <see cref="HsmKeyFactory"/>; the vault holds only its reference). Either way
/// the key must be the one of <c>expected</c> (the CA's certificate or CSR public key), else <c>KeyMismatch</c>. Signing
/// paths take what this returns and need nothing HSM-specific.
/// </summary>
public sealed class VaultKeys
{
    private readonly HsmKeyFactory _hsm;

    public VaultKeys(HsmKeyFactory hsm) => _hsm = hsm;

    /// <summary>
    /// Opens the private key of the vault entry <paramref name="name"/> in <paramref name="collection"/>: the HSM key
    /// <paramref name="hsm"/> refers to (opened with the PIN), or, when it is null, the entry's encrypted key in the vault
    /// (opened with the key password); <paramref name="secret"/> is whichever applies. The entry's kind knows its HSM
    /// reference (<c>CertificateAuthority.HsmKey</c>), so this class reads no entry type of its own.
    /// </summary>
    public AsymmetricAlgorithm Open(Vault vault, string collection, string name, IHsmKeyReference? hsm, PublicKey expected, ReadOnlySpan<char> secret)
    {
        if (hsm is null)
            return KeyProtection.Decrypt(vault.ReadKey(collection, name), secret, expected, name);
        var key = _hsm.Open(hsm, secret);
        if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(expected.ExportSubjectPublicKeyInfo()))
        {
            key.Dispose();
            throw new PkiException(PkiErrorIds.KeyMismatch, PkiErrorCategory.SecurityError,
                $"The HSM key {hsm.Describe()} is not the key of '{name}' (its certificate has another public key). Fix the entry's key reference, or restore the key in the token.", name);
        }
        return key;
    }

    /// <summary>The warning when a vault entry is removed and its HSM key stays (deleting HSM keys is the HSM administrator's decision).</summary>
    public static string KeptInHsm(string name, IHsmKeyReference hsm) =>
        $"The private key of '{name}' stays in its HSM ({hsm.Describe()}); delete it there with the HSM's own tools if it is no longer needed.";

    /// <summary>Refuses to let an HSM key's private part out of the HSM (exports with the private key, copies into software stores).</summary>
    public static void RefuseExport(IHsmKeyReference? hsm, string name, string what)
    {
        if (hsm is not null)
            throw new PkiException(PkiErrorIds.HsmKeyNotExportable, PkiErrorCategory.SecurityError,
                $"The private key of '{name}' lives in an HSM ({hsm.Describe()}) and never leaves it, so {what} is refused. Export the certificate (and chain) without the private key; sign with the CA where it is.", name);
    }
}
