using System.Security.Cryptography;

namespace ZscalerPki.Core.Hsm;

/// <summary>Where a CA's private key lives: Software (encrypted PKCS#8 in the vault) or Hsm (a PKCS#11 token or a Windows key storage provider, only referenced).</summary>
public enum KeyProtectionType
{
    Software,
    Hsm,
}

/// <summary>
/// Where a new CA key is made (or found) in an HSM and how to log in to it: a PKCS#11 token (any OS: module path and
/// token label, or an existing key's RFC 7512 URI) or a Windows CNG key storage provider (provider name; the existing key's name).
/// </summary>
public sealed record HsmKeyOptions
{
    /// <summary>PKCS#11: the token's module (the HSM vendor's library).</summary>
    public string? Pkcs11Module { get; init; }

    /// <summary>PKCS#11: the label of the token the key is generated in.</summary>
    public string? Token { get; init; }

    /// <summary>Windows: the CNG key storage provider, e.g. "Microsoft Platform Crypto Provider" (TPM) or a vendor's KSP.</summary>
    public string? KeyStorageProvider { get; init; }

    /// <summary>A key the HSM's own tools made, used instead of generating one: a pkcs11: URI, or a key name in the key storage provider.</summary>
    public string? ExistingKey { get; init; }

    /// <summary>The token's user PIN (PKCS#11: required; key storage provider: for smart-card style providers, else empty).</summary>
    public ReadOnlyMemory<char> Pin { get; init; }
}

/// <summary>
/// A reference to a private key inside an HSM, as a vault entry keeps it: never key material, never a PIN.
/// <see cref="HsmKeyFactory.Open"/> opens it as an <see cref="AsymmetricAlgorithm"/> that signs inside the HSM, so signing
/// paths need nothing HSM-specific.
/// </summary>
public interface IHsmKeyReference
{
    /// <summary>How the reference reads to a person (shown as KeyReference on our objects).</summary>
    string Describe();
}
