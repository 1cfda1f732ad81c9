using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Hsm;

namespace ZscalerPki.Core.Enrollment;

/// <summary>Root or intermediate CA.</summary>
public enum CaType
{
    Root,
    Intermediate,
}

/// <summary>What the enrollment CA enrolls (Zscaler: "Client Certificate Type").</summary>
public enum ClientCertificateType
{
    /// <summary>App Connectors, Private Service Edges, Private Cloud Controllers.</summary>
    None,
    ClientConnector,
    IsolationClient,
    /// <summary>AppProtection-enabled application segments; only one is active, a new one replaces the previous.</summary>
    AppProtection,
}

/// <summary>Whether an enrollment CA is in use or was replaced (AppProtection).</summary>
public enum EnrollmentStatus
{
    Active,
    Replaced,
    /// <summary>Its issuer revoked it (Revoke-Certificate); it should issue nothing more.</summary>
    Revoked,
}

/// <summary>The parent of an intermediate: a vault entry by name, or a certificate with its private key (e.g. from Cert:\CurrentUser\My).</summary>
public sealed record EnrollmentParent
{
    public string? VaultName { get; init; }
    public X509Certificate2? Certificate { get; init; }

    public static EnrollmentParent FromVault(string name) => new() { VaultName = name };
    public static EnrollmentParent FromCertificate(X509Certificate2 certificate) => new() { Certificate = certificate };

    public override string ToString() => VaultName ?? Certificate?.Subject ?? "(none)";
}

/// <summary>Everything New-EnrollmentCertificate asks for.</summary>
public sealed record NewEnrollmentRequest
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public CaType Type { get; init; } = CaType.Root;
    public EnrollmentParent? Parent { get; init; }
    /// <summary>Called once every check has passed, just before the key is generated (the slow step): where progress may start.</summary>
    public Action? OnKeyGeneration { get; init; }
    public ClientCertificateType ClientCertificateType { get; init; } = ClientCertificateType.None;
    /// <summary>X.500 subject; default <c>CN=&lt;Name&gt;</c>.</summary>
    public string? Subject { get; init; }
    public KeyAlgorithm KeyAlgorithm { get; init; } = KeyAlgorithm.Rsa2048;
    /// <summary>The signature hash; null (the default) matches the signing key: SHA-384 for P-384, SHA-512 for P-521, else SHA-256.</summary>
    public SignatureHash? HashAlgorithm { get; init; }
    public DateTimeOffset? NotAfter { get; init; }
    public int? ValidityDays { get; init; }
    public int? PathLength { get; init; }
    /// <summary>Protects the new key in the vault (protection Software).</summary>
    public ReadOnlyMemory<char> KeyPassword { get; init; }
    /// <summary>Software (the key encrypted in the vault with <see cref="KeyPassword"/>) or Hsm (made and kept in an HSM, <see cref="Hsm"/>).</summary>
    public KeyProtectionType Protection { get; init; } = KeyProtectionType.Software;
    /// <summary>Protection Hsm: where the key is made (or which existing key is used) and the PIN.</summary>
    public HsmKeyOptions? Hsm { get; init; }
    /// <summary>Opens the parent's key (its key password, or its HSM's PIN); defaults to <see cref="KeyPassword"/>, or the PIN for an HSM-protected new CA.</summary>
    public ReadOnlyMemory<char>? ParentKeyPassword { get; init; }
    /// <summary>CRL distribution point URLs the new CA embeds in every certificate it issues.</summary>
    public IReadOnlyList<string>? CrlDistributionPoints { get; init; }
    /// <summary>AIA caIssuers URLs (where the new CA's certificate is published) embedded in every certificate it issues.</summary>
    public IReadOnlyList<string>? AuthorityInfoAccess { get; init; }
    /// <summary>Also persist certificate and key in this store (e.g. <c>Cert:\CurrentUser\My</c>).</summary>
    public CertStoreLocation? CertStoreLocation { get; init; }
    /// <summary>The clock; tests pin it.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>The vault record of an enrollment CA (<c>entry.json</c>).</summary>
public sealed record EnrollmentEntry
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public CaType Type { get; init; }
    public ClientCertificateType ClientCertificateType { get; init; }
    public EnrollmentStatus Status { get; init; }
    /// <summary>Vault name of the parent; null for roots and for parents outside the vault.</summary>
    public string? Parent { get; init; }
    /// <summary>The parent certificate when it is not in the vault (a CA from a certificate store).</summary>
    public string? ExternalParentPem { get; init; }
    public KeyAlgorithm KeyAlgorithm { get; init; }
    public required string CertificatePem { get; init; }
    public DateTimeOffset CreatedUtc { get; init; }
    public DateTimeOffset? ReplacedUtc { get; init; }
    public string? ReplacedBy { get; init; }
    /// <summary>CRL distribution point URLs this CA embeds in every certificate it issues.</summary>
    public List<string>? CrlDistributionPoints { get; init; }
    /// <summary>AIA caIssuers URLs (where its own certificate is published) embedded in every certificate it issues.</summary>
    public List<string>? AuthorityInfoAccess { get; init; }
    /// <summary>When its issuer revoked it (status Revoked); null while it is not revoked.</summary>
    public DateTimeOffset? RevokedUtc { get; init; }
    /// <summary>The status before revocation (restored when a certificateHold is lifted).</summary>
    public EnrollmentStatus? StatusBeforeRevocation { get; init; }
    /// <summary>The key in a PKCS#11 token (protection type Hsm); null for a software key (encrypted key.p8 beside the entry).</summary>
    public Pkcs11KeyReference? HsmKey { get; init; }
    /// <summary>The key in a Windows key storage provider (protection type Hsm).</summary>
    public CngKeyReference? KspKey { get; init; }
    /// <summary>Whichever HSM reference the entry holds; null for a software key.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IHsmKeyReference? HsmReference => (IHsmKeyReference?)HsmKey ?? KspKey;
}

/// <summary>An enrollment CA as the cmdlets show it.</summary>
public sealed class EnrollmentCertificate : CertificateFacts
{
    internal EnrollmentCertificate(EnrollmentEntry entry, X509Certificate2 certificate, string vaultPath)
        : base(certificate)
    {
        Name = entry.Name;
        Description = entry.Description;
        Type = entry.Type;
        ClientCertificateType = entry.ClientCertificateType;
        Status = entry.Status;
        Parent = entry.Parent ?? (entry.ExternalParentPem is null ? null : certificate.Issuer);
        KeyAlgorithm = entry.KeyAlgorithm;
        Created = entry.CreatedUtc;
        ReplacedBy = entry.ReplacedBy;
        CrlDistributionPoint = (entry.CrlDistributionPoints ?? new List<string>()).ToArray();
        AuthorityInfoAccess = (entry.AuthorityInfoAccess ?? new List<string>()).ToArray();
        Revoked = entry.RevokedUtc;
        ProtectionType = entry.HsmReference is null ? KeyProtectionType.Software : KeyProtectionType.Hsm;
        KeyReference = entry.HsmReference?.Describe();
        VaultPath = vaultPath;
    }

    public string Name { get; }
    public string? Description { get; }
    public CaType Type { get; }
    public ClientCertificateType ClientCertificateType { get; }
    public EnrollmentStatus Status { get; }
    /// <summary>Parent's vault name, or its subject when it lives outside the vault; null for roots.</summary>
    public string? Parent { get; }
    public KeyAlgorithm KeyAlgorithm { get; }
    public DateTimeOffset Created { get; }
    public string? ReplacedBy { get; }
    /// <summary>CRL distribution point URLs embedded in the certificates this CA issues.</summary>
    public string[] CrlDistributionPoint { get; }
    /// <summary>AIA caIssuers URLs embedded in the certificates this CA issues.</summary>
    public string[] AuthorityInfoAccess { get; }
    /// <summary>When its issuer revoked it; null when not revoked.</summary>
    public DateTimeOffset? Revoked { get; }
    /// <summary>Software (key encrypted in the vault) or Hsm (key in a PKCS#11 token or a key storage provider).</summary>
    public KeyProtectionType ProtectionType { get; }
    /// <summary>For an HSM key: its RFC 7512 URI and module, or its key storage provider and name (never key material, never a PIN).</summary>
    public string? KeyReference { get; }
    public string VaultPath { get; }

    public override string ToString() => Name;
}

/// <summary>File formats for exports.</summary>

/// <summary>Everything Export-EnrollmentCertificate asks for.</summary>
public sealed record ExportEnrollmentRequest
{
    public required string Name { get; init; }
    public ExportFormat Format { get; init; } = ExportFormat.Pem;
    /// <summary>Leaf first, then each parent up to the root, as Zscaler's upload expects.</summary>
    public bool IncludeChain { get; init; }
    public bool IncludePrivateKey { get; init; }
    /// <summary>Opens the key in the vault (with <see cref="IncludePrivateKey"/>). A key in an HSM is never exported.</summary>
    public ReadOnlyMemory<char> KeyPassword { get; init; }
    /// <summary>Protects the exported key or PFX.</summary>
    public ReadOnlyMemory<char> Password { get; init; }
    /// <summary>PFX for old importers: 3DES and a SHA-1 MAC instead of AES-256 and SHA-256 (see <see cref="Certificates.PfxWriter"/>).</summary>
    public bool LegacyPfx { get; init; }
}
