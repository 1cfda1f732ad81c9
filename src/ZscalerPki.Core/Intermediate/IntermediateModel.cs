using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Hsm;

namespace ZscalerPki.Core.Intermediate;

/// <summary>
/// Where an SSL-inspection intermediate is in its life cycle; the same steps as Zscaler's API
/// (<c>GENERAL_DONE → KEYGEN_DONE → CSRGEN_DONE → INTCERT_UPLOAD_DONE → CERTCHAIN_UPLOAD_DONE → CERT_READY</c>, see
/// <see cref="IntermediateStates.ToApiName"/>). New-IntermediateCsr completes the first three at once (CsrGenDone);
/// Import-SignedIntermediate validates certificate and chain together and, when every check passes, completes the rest (CertReady).
/// </summary>
public enum IntermediateState
{
    GeneralDone,
    KeygenDone,
    CsrGenDone,
    IntCertUploadDone,
    CertChainUploadDone,
    CertReady,
}

/// <summary>Zscaler's spelling of the states.</summary>
public static class IntermediateStates
{
    public static string ToApiName(this IntermediateState state) => state switch
    {
        IntermediateState.GeneralDone => "GENERAL_DONE",
        IntermediateState.KeygenDone => "KEYGEN_DONE",
        IntermediateState.CsrGenDone => "CSRGEN_DONE",
        IntermediateState.IntCertUploadDone => "INTCERT_UPLOAD_DONE",
        IntermediateState.CertChainUploadDone => "CERTCHAIN_UPLOAD_DONE",
        IntermediateState.CertReady => "CERT_READY",
        _ => state.ToString(),
    };
}

/// <summary>Whether an intermediate may be used for SSL interception (Zscaler's Status).</summary>
public enum IntermediateStatus
{
    Enabled,
    Disabled,
}

/// <summary>Everything New-IntermediateCsr asks for (the seed's General and Generate CSR tabs).</summary>
public sealed record NewIntermediateCsrRequest
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public string Region { get; init; } = IntermediateService.DefaultRegion;
    public IntermediateStatus Status { get; init; } = IntermediateStatus.Enabled;
    public required string CommonName { get; init; }
    public string? Organization { get; init; }
    /// <summary>OU.</summary>
    public string? Department { get; init; }
    /// <summary>L.</summary>
    public string? City { get; init; }
    /// <summary>ST.</summary>
    public string? State { get; init; }
    /// <summary>C: two-letter ISO 3166-1 code.</summary>
    public string? Country { get; init; }
    public int KeySize { get; init; } = 2048;
    public SignatureHash SignatureAlgorithm { get; init; } = SignatureHash.Sha256;
    /// <summary>0 or 1.</summary>
    public int PathLength { get; init; }
    /// <summary>AD CS template name, also requested in the CSR (szOID_ENROLL_CERTTYPE_EXTENSION).</summary>
    public string? CertificateTemplate { get; init; }
    /// <summary>Where the CSR file is written (recorded on the entry).</summary>
    public string? CsrPath { get; init; }
    /// <summary>Where the public key (SPKI PEM) is written (recorded on the entry).</summary>
    public string? PublicKeyPath { get; init; }
    public ReadOnlyMemory<char> KeyPassword { get; init; }
    /// <summary>Software (an encrypted key in the vault, <see cref="KeyPassword"/>) or Hsm (a key in an HSM, <see cref="Hsm"/>).</summary>
    public KeyProtectionType Protection { get; init; } = KeyProtectionType.Software;
    /// <summary>Protection Hsm: where the RSA key is made (or which existing key is used) and the PIN.</summary>
    public HsmKeyOptions? Hsm { get; init; }
    public DateTimeOffset? Now { get; init; }
    /// <summary>Called once every check has passed, just before the key is generated (the slow step): where progress may start.</summary>
    public Action? OnKeyGeneration { get; init; }
}

/// <summary>A certificate (and chain) an intermediate used before a later import replaced it.</summary>
public sealed record IntermediateHistoryEntry
{
    public required string CertificatePem { get; init; }
    public string? ChainPem { get; init; }
    public DateTimeOffset ImportedUtc { get; init; }
    public DateTimeOffset ReplacedUtc { get; init; }
    public string? Thumbprint { get; init; }
    public DateTimeOffset? NotAfter { get; init; }
}

/// <summary>The vault record of an SSL-inspection intermediate (<c>intermediate/&lt;name&gt;/entry.json</c>).</summary>
public sealed record IntermediateEntry
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public string Region { get; init; } = IntermediateService.DefaultRegion;
    public IntermediateStatus Status { get; init; }
    public bool IsDefault { get; init; }
    public IntermediateState State { get; init; }
    public required string CommonName { get; init; }
    public string? Organization { get; init; }
    public string? Department { get; init; }
    public string? City { get; init; }
    public string? StateOrProvince { get; init; }
    public string? Country { get; init; }
    /// <summary>The requested subject, RFC 4514 style as .NET prints it.</summary>
    public required string Subject { get; init; }
    public int KeySize { get; init; }
    public SignatureHash SignatureAlgorithm { get; init; }
    public int PathLength { get; init; }
    public string? CertificateTemplate { get; init; }
    public required string CsrPem { get; init; }
    public required string PublicKeyPem { get; init; }
    public string? CsrPath { get; init; }
    public string? PublicKeyPath { get; init; }
    public string? CertificatePem { get; init; }
    /// <summary>The issuers of the certificate, leaf's issuer first, up to the root (PEM bundle); null without a chain.</summary>
    public string? ChainPem { get; init; }
    public DateTimeOffset CreatedUtc { get; init; }
    public DateTimeOffset? ImportedUtc { get; init; }
    public DateTimeOffset ModifiedUtc { get; init; }
    public List<IntermediateHistoryEntry> History { get; init; } = new();
    /// <summary>CRL distribution point URLs this intermediate embeds in every certificate it issues.</summary>
    public List<string>? CrlDistributionPoints { get; init; }
    /// <summary>AIA caIssuers URLs embedded in every certificate it issues.</summary>
    public List<string>? AuthorityInfoAccess { get; init; }
    /// <summary>When its issuer (a vault CA) revoked it; null while not revoked.</summary>
    public DateTimeOffset? RevokedUtc { get; init; }
    /// <summary>The key in a PKCS#11 token (protection type Hsm); null for a software key (encrypted key.p8 beside the entry).</summary>
    public Hsm.Pkcs11KeyReference? HsmKey { get; init; }
    /// <summary>The key in a Windows key storage provider (protection type Hsm).</summary>
    public Hsm.CngKeyReference? KspKey { get; init; }
    /// <summary>Whichever HSM reference the entry holds; null for a software key.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IHsmKeyReference? HsmReference => (IHsmKeyReference?)HsmKey ?? KspKey;
}

/// <summary>An SSL-inspection intermediate as the cmdlets show it.</summary>
public sealed class IntermediateCertificate
{
    internal IntermediateCertificate(IntermediateEntry entry, string vaultPath)
    {
        ProtectionType = entry.HsmReference is null ? KeyProtectionType.Software : KeyProtectionType.Hsm;
        KeyReference = entry.HsmReference?.Describe();
        Name = entry.Name;
        Description = entry.Description;
        Region = entry.Region;
        State = entry.State;
        Status = entry.Status;
        IsDefault = entry.IsDefault;
        CommonName = entry.CommonName;
        Subject = entry.Subject;
        KeySize = entry.KeySize;
        SignatureAlgorithm = entry.SignatureAlgorithm;
        PathLength = entry.PathLength;
        CertificateTemplate = entry.CertificateTemplate;
        CsrPath = entry.CsrPath;
        PublicKeyPath = entry.PublicKeyPath;
        Csr = entry.CsrPem;
        PublicKey = entry.PublicKeyPem;
        Created = entry.CreatedUtc;
        Imported = entry.ImportedUtc;
        Modified = entry.ModifiedUtc;
        VaultPath = vaultPath;
        if (entry.CertificatePem is not null)
            Certificate = CertificateReader.ReadSingle(Encoding.ASCII.GetBytes(entry.CertificatePem), $"vault entry '{entry.Name}'");
        Chain = entry.ChainPem is null
            ? Array.Empty<X509Certificate2>()
            : CertificateReader.ReadText(entry.ChainPem).ToArray();
        History = entry.History.ToArray();
        Revoked = entry.RevokedUtc;
        CrlDistributionPoint = (entry.CrlDistributionPoints ?? new List<string>()).ToArray();
        AuthorityInfoAccess = (entry.AuthorityInfoAccess ?? new List<string>()).ToArray();
    }

    /// <summary>When its issuer revoked it (Revoke-Certificate on the vault CA that signed it); null when not revoked.</summary>
    public DateTimeOffset? Revoked { get; }
    /// <summary>CRL distribution point URLs embedded in the certificates it issues.</summary>
    public string[] CrlDistributionPoint { get; }
    /// <summary>AIA caIssuers URLs embedded in the certificates it issues.</summary>
    public string[] AuthorityInfoAccess { get; }

    public string Name { get; }
    public string? Description { get; }
    public string Region { get; }
    /// <summary>Life-cycle state; <see cref="ApiState"/> is Zscaler's spelling.</summary>
    public IntermediateState State { get; }
    public string ApiState => State.ToApiName();
    public IntermediateStatus Status { get; }
    public bool Enabled => Status == IntermediateStatus.Enabled;
    public bool IsDefault { get; }
    /// <summary>True when a validated certificate is in place (state CertReady).</summary>
    public bool IsReady => State == IntermediateState.CertReady;
    public string CommonName { get; }
    /// <summary>The requested subject (the certificate's subject once imported, which carries the same CN).</summary>
    public string Subject { get; }
    public int KeySize { get; }
    public SignatureHash SignatureAlgorithm { get; }
    /// <summary>The requested path-length constraint (0 or 1).</summary>
    public int PathLength { get; }
    public string? CertificateTemplate { get; }
    public string? CsrPath { get; }
    public string? PublicKeyPath { get; }
    /// <summary>The CSR as PEM text.</summary>
    public string Csr { get; }
    /// <summary>The public key (SubjectPublicKeyInfo) as PEM text.</summary>
    public string PublicKey { get; }
    /// <summary>The signed intermediate certificate; null until imported.</summary>
    public X509Certificate2? Certificate { get; }
    /// <summary>Its issuers up to the root, leaf's issuer first; empty when no chain was imported.</summary>
    public X509Certificate2[] Chain { get; }
    public string? Issuer => Certificate?.Issuer;
    public string? Thumbprint => Certificate?.Thumbprint;
    public string? SerialNumber => Certificate?.SerialNumber;
    public DateTime? NotBefore => Certificate?.NotBefore;
    public DateTime? NotAfter => Certificate?.NotAfter;
    /// <summary>Certificates this intermediate used before they were replaced by a later import, oldest first.</summary>
    public IntermediateHistoryEntry[] History { get; }
    public DateTimeOffset Created { get; }
    public DateTimeOffset? Imported { get; }
    public DateTimeOffset Modified { get; }
    public string VaultPath { get; }

    /// <summary>Software or Hsm.</summary>
    public KeyProtectionType ProtectionType { get; }

    /// <summary>For an HSM key: its RFC 7512 URI and module, or its key storage provider and name (never key material, never a PIN).</summary>
    public string? KeyReference { get; }

    public override string ToString() => Name;
}

/// <summary>Everything Import-SignedIntermediate asks for.</summary>
public sealed record ImportSignedIntermediateRequest
{
    public required string Name { get; init; }
    /// <summary>The signed certificate, or several (a .p7b from AD CS): the one whose key matches the CSR is taken, the rest count as chain.</summary>
    public IReadOnlyList<X509Certificate2> Certificates { get; init; } = Array.Empty<X509Certificate2>();
    /// <summary>Where the certificate came from, for messages.</summary>
    public string? Source { get; init; }
    /// <summary>The issuers (any order; the leaf itself may be included). Null: no chain given.</summary>
    public IReadOnlyList<X509Certificate2>? Chain { get; init; }
    /// <summary>The root the chain must end at when it does not end at a self-signed certificate.</summary>
    public X509Certificate2? TrustedRoot { get; init; }
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Everything Set-IntermediateCertificate asks for; null leaves a property as it is.</summary>
public sealed record SetIntermediateRequest
{
    public required string Name { get; init; }
    public bool? Enabled { get; init; }
    public bool? Default { get; init; }
    public string? Description { get; init; }
    public DateTimeOffset? Now { get; init; }
}
