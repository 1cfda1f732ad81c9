using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using ZscalerPki.Core.Intermediate;

namespace ZscalerPki.Core.Tenant;

/// <summary>
/// An SSL-inspection intermediate CA certificate of the ZIA tenant (<c>/intermediateCaCertificate</c>), shaped like
/// Get-IntermediateCertificate's objects where the concepts match. Wire fields (zscaler/zscaler-sdk-go
/// zia/services/intermediatecacertificates IntermediateCACertificate; zscaler/zscaler-sdk-python
/// zscaler/zia/models/intermediate_certificates.py): id, name, description, type, region, status, defaultCertificate,
/// certStartDate, certExpDate, currentState, publicKey, keyType, keyGenerationTime, csrFileName, csrGenerationTime.
/// </summary>
public sealed class ZiaIntermediateCertificate
{
    public const string ReadyState = "CERT_READY";

    internal ZiaIntermediateCertificate(JsonObject o, string tenant)
    {
        Id = TenantJson.Long(o, "id") ?? 0;
        Name = TenantJson.String(o, "name") ?? string.Empty;
        Description = TenantJson.String(o, "description");
        ApiType = TenantJson.String(o, "type");
        ProtectionType = ApiType switch
        {
            "CUSTOM_SW" => "Software",
            "CUSTOM_HSM" => "Hsm",
            "ZSCALER" => "Zscaler",
            _ => ApiType,
        };
        Region = TenantJson.String(o, "region");
        Enabled = string.Equals(TenantJson.String(o, "status"), "ENABLED", StringComparison.OrdinalIgnoreCase);
        Default = TenantJson.Bool(o, "defaultCertificate");
        State = TenantJson.String(o, "currentState");
        NotBefore = TenantJson.Epoch(o, "certStartDate");
        NotAfter = TenantJson.Epoch(o, "certExpDate");
        KeyType = TenantJson.String(o, "keyType");
        PublicKey = TenantJson.String(o, "publicKey");
        KeyGenerated = TenantJson.Epoch(o, "keyGenerationTime");
        CsrFileName = TenantJson.String(o, "csrFileName");
        CsrGenerated = TenantJson.Epoch(o, "csrGenerationTime");
        Tenant = tenant;
    }

    public long Id { get; }
    public string Name { get; }
    public string? Description { get; }
    /// <summary>Zscaler (Zscaler's own), Software (CUSTOM_SW) or Hsm (CUSTOM_HSM).</summary>
    public string? ProtectionType { get; }
    /// <summary>The API's spelling of the type: ZSCALER, CUSTOM_SW, CUSTOM_HSM.</summary>
    public string? ApiType { get; }
    /// <summary>Where the HSM keys are: GLOBAL, ASIA, EUROPE, US.</summary>
    public string? Region { get; }
    public bool Enabled { get; }
    public bool Default { get; }
    /// <summary>Zscaler's currentState: GENERAL_DONE, KEYGEN_DONE, PUBKEY_DONE, ATTESTATION_DONE, ATTESTATION_VERIFY_DONE, CSRGEN_DONE, INTCERT_UPLOAD_DONE, CERTCHAIN_UPLOAD_DONE, CERT_READY.</summary>
    public string? State { get; }
    public bool IsReady => State == ReadyState;
    public DateTimeOffset? NotBefore { get; }
    public DateTimeOffset? NotAfter { get; }
    public string? KeyType { get; }
    /// <summary>The public key Zscaler generated (PEM), once the key pair exists.</summary>
    public string? PublicKey { get; }
    public DateTimeOffset? KeyGenerated { get; }
    public string? CsrFileName { get; }
    public DateTimeOffset? CsrGenerated { get; }
    /// <summary>The CSR (PEM) when the command downloaded it; pipe the object to Submit-CertificateRequest.</summary>
    public string? Csr { get; internal set; }
    /// <summary>The tenant the entry was read from.</summary>
    public string Tenant { get; }

    public override string ToString() => Name;
}

/// <summary>The ZIA configuration's activation status (<c>/status</c>): ACTIVE, or PENDING when changes wait for activation.</summary>
public sealed class ZiaActivationStatus
{
    internal ZiaActivationStatus(string status, string tenant)
    {
        Status = status;
        Tenant = tenant;
    }

    public string Status { get; }
    /// <summary>True when saved changes are not active yet (Invoke-ZiaActivation or -Activate).</summary>
    public bool Pending => !string.Equals(Status, "ACTIVE", StringComparison.OrdinalIgnoreCase);
    public string Tenant { get; }

    public override string ToString() => Status;
}

/// <summary>Creating an intermediate in the tenant and taking it to its CSR (the seed's generateCsr fields).</summary>
public sealed record ZiaCsrRequest
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    /// <summary>CUSTOM_SW (default) or CUSTOM_HSM.</summary>
    public string Type { get; init; } = "CUSTOM_SW";
    /// <summary>HSM region: GLOBAL, ASIA, EUROPE, US.</summary>
    public string? Region { get; init; }
    public string? CsrFileName { get; init; }
    public string? CommonName { get; init; }
    public string? Organization { get; init; }
    public string? Department { get; init; }
    public string? City { get; init; }
    public string? State { get; init; }
    public string? Country { get; init; }
    public int KeySize { get; init; } = 2048;
    /// <summary>SHA256 (default), SHA384 or SHA512 — the API's signatureAlgorithm values.</summary>
    public string SignatureAlgorithm { get; init; } = "SHA256";
    /// <summary>0 or 1 (the seed's path length constraint).</summary>
    public int PathLength { get; init; }
}

/// <summary>Uploading the signed certificate (and chain) to an entry, after the local checks.</summary>
public sealed record ZiaPublishRequest
{
    /// <summary>The signed certificate and anything given with it (a .p7b's other certificates join the chain).</summary>
    public IReadOnlyList<X509Certificate2> Certificates { get; init; } = Array.Empty<X509Certificate2>();
    /// <summary>Issuers up to the root.</summary>
    public IReadOnlyList<X509Certificate2>? Chain { get; init; }
    public X509Certificate2? TrustedRoot { get; init; }
    /// <summary>Where the certificate came from, for messages.</summary>
    public string Source { get; init; } = "the given certificate";
    public bool MakeDefault { get; init; }
    public DateTimeOffset? Now { get; init; }
}

/// <summary>
/// Asked once before a command sends its first change, with every request it will send (method and path; ids not yet
/// known are shown as {id}); false sends nothing (-WhatIf, a declined -Confirm).
/// </summary>
public delegate bool TenantGate(string target, IReadOnlyList<string> requests);

/// <summary>What a workflow command did: the entry as the tenant now has it, and what to say.</summary>
public sealed record TenantOutcome<T>(T? Item, IReadOnlyList<string> Warnings, bool Sent);

internal static class SignedIntermediateTargets
{
    public static SignedIntermediateTarget For(ZiaIntermediateCertificate entry, CsrInfo csr, int? requestedPathLength) => new()
    {
        Name = entry.Name,
        CommonName = Intermediate.CertificateChecks.CommonName(csr.Subject) ?? string.Empty,
        PathLength = csr.PathLength ?? requestedPathLength ?? 0,
        PublicKey = csr.PublicKey,
        State = entry.State ?? "unknown",
        CsrLocation = $"Export-ZiaIntermediateCsr -Name '{entry.Name}'",
    };
}
