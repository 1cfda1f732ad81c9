using System.Management.Automation;
using System.Security;
using ZscalerPki.Core;
using ZscalerPki.Core.Hsm;

namespace ZscalerPki.Infrastructure;

/// <summary>
/// The base of cmdlets that create a CA key (New-IntermediateCsr, New-EnrollmentCertificate): the same parameters choose
/// Software (the key encrypted in the vault) or Hsm (a PKCS#11 token, or a Windows key storage provider) everywhere.
/// </summary>
public abstract class HsmKeyCmdlet : ZscalerPkiCmdlet
{
    /// <summary>
    /// Software: the key is encrypted in the vault. Hsm: the key is generated in (or already lives in) an HSM and never leaves it.
    /// Default: Hsm when an HSM parameter (-Pkcs11Module, -Token, -KeyStorageProvider, -ExistingKey) is given, else Software.
    /// </summary>
    [Parameter]
    public KeyProtectionType? ProtectionType { get; set; }

    /// <summary>The protection asked for: -ProtectionType, else Hsm when an HSM parameter is given; Software with HSM parameters is refused.</summary>
    protected KeyProtectionType Protection
    {
        get
        {
            var hsmParameters = new[] { Pkcs11Module, Token, KeyStorageProvider, ExistingKey }.Any(p => !string.IsNullOrWhiteSpace(p));
            if (ProtectionType == KeyProtectionType.Software && hsmParameters)
                throw new PkiException(PkiErrorIds.InvalidKeyReference, PkiErrorCategory.InvalidArgument,
                    "-ProtectionType Software keeps the key in the vault, but HSM parameters (-Pkcs11Module, -Token, -KeyStorageProvider or -ExistingKey) were given. Pass -ProtectionType Hsm, or leave the HSM parameters out.", ProtectionType);
            return ProtectionType ?? (hsmParameters ? KeyProtectionType.Hsm : KeyProtectionType.Software);
        }
    }

    /// <summary>Hsm on Linux/macOS: the token's PKCS#11 module (the HSM vendor's library; SoftHSM2: /usr/lib/softhsm/libsofthsm2.so).</summary>
    [Parameter]
    public string? Pkcs11Module { get; set; }

    /// <summary>Hsm with -Pkcs11Module: the label of the token to generate the key pair in.</summary>
    [Parameter]
    public string? Token { get; set; }

    /// <summary>Hsm on Windows: the CNG key storage provider, e.g. 'Microsoft Platform Crypto Provider' (TPM) or the HSM vendor's KSP.</summary>
    [Parameter]
    public string? KeyStorageProvider { get; set; }

    /// <summary>Hsm: use a key the HSM's own tools made: its RFC 7512 URI (pkcs11:token=...;object=...;type=private), or its key name in the key storage provider.</summary>
    [Parameter]
    public string? ExistingKey { get; set; }

    /// <summary>
    /// The secret of the new key: Software, the password that encrypts it in the vault (at least 8 characters); Hsm with
    /// PKCS#11, the token's user PIN (alias -Pin). Never logged or stored. Prompted for when missing.
    /// </summary>
    [Parameter]
    [Alias("Pin")]
    public SecureString? KeyPassword { get; set; }

    /// <summary>
    /// The new key's secret, asked for at the prompt when missing: the key password (Software; refused under 8 characters),
    /// or the token's PIN (PKCS#11). A key storage provider (Windows) needs none: empty then.
    /// </summary>
    protected SecureString? NewKeySecret(string target)
    {
        if (Protection == KeyProtectionType.Software)
        {
            var password = RequireSecret(KeyPassword, nameof(KeyPassword), $"A password to encrypt the key of '{target}' in the vault", target);
            RequireStrongKeyPassword(password, "-KeyPassword", target);
            return password;
        }
        var pkcs11 = !string.IsNullOrWhiteSpace(Pkcs11Module) || (ExistingKey?.StartsWith("pkcs11:", StringComparison.OrdinalIgnoreCase) ?? false);
        return pkcs11 ? RequireSecret(KeyPassword, nameof(KeyPassword), $"The user PIN of the HSM token{(string.IsNullOrEmpty(Token) ? string.Empty : $" '{Token}'")}", target, PkiErrorIds.PinRequired) : KeyPassword;
    }

    /// <summary>Where the key will be, for -WhatIf and confirmation.</summary>
    protected string KeyLocation(string vaultRoot)
    {
        if (Protection != KeyProtectionType.Hsm)
            return $"in vault '{vaultRoot}'";
        if (!string.IsNullOrEmpty(ExistingKey))
            return $"with the HSM key {ExistingKey}";
        return string.IsNullOrEmpty(KeyStorageProvider) ? $"in HSM token '{Token}'" : $"in key storage provider '{KeyStorageProvider}'";
    }

    /// <summary>The HSM options for the engine (null for Software); <paramref name="pin"/> is the revealed -KeyPassword (the PIN).</summary>
    protected HsmKeyOptions? HsmOptions(ReadOnlyMemory<char> pin) => Protection != KeyProtectionType.Hsm ? null : new HsmKeyOptions
    {
        Pkcs11Module = string.IsNullOrWhiteSpace(Pkcs11Module) ? null : ResolveOutputPath(Pkcs11Module),
        Token = Token,
        KeyStorageProvider = KeyStorageProvider,
        ExistingKey = ExistingKey,
        Pin = pin,
    };
}
