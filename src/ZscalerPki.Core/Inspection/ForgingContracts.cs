using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Inspection;

/// <summary>Which vault entry signs (or, for a rotating issuing CA, stands behind) forged certificates.</summary>
/// <param name="Collection">The vault collection: <c>intermediate</c> or <c>enrollment</c>.</param>
/// <param name="Name">The entry's stored name.</param>
/// <param name="Certificate">The CA certificate that signs (the rotating CA when one is in use).</param>
/// <param name="IsRotating">True when <paramref name="Certificate"/> is the short-lived "(t)" CA below the vault entry.</param>
public sealed record IssuerReference(string Collection, string Name, X509Certificate2 Certificate, bool IsRotating);

/// <summary>The revocation and issuer-access URLs a CA's issued certificates carry.</summary>
public sealed record IssuerPublication
{
    public static readonly IssuerPublication None = new();

    /// <summary>CRL distribution points (http URLs) put in every certificate the CA issues.</summary>
    public IReadOnlyList<string> CrlDistributionPoints { get; init; } = Array.Empty<string>();
    /// <summary>AIA id-ad-ocsp URLs.</summary>
    public IReadOnlyList<string> OcspUrls { get; init; } = Array.Empty<string>();
    /// <summary>AIA id-ad-caIssuers URLs (where the CA certificate can be fetched).</summary>
    public IReadOnlyList<string> CaIssuersUrls { get; init; } = Array.Empty<string>();

    public bool IsEmpty => CrlDistributionPoints.Count == 0 && OcspUrls.Count == 0 && CaIssuersUrls.Count == 0;

    /// <summary>The URLs in one string: equal publications have equal fingerprints (part of the issuer's cache identity).</summary>
    public string Fingerprint => IsEmpty ? string.Empty
        : string.Join("\n", CrlDistributionPoints.Select(u => "c:" + u).Concat(OcspUrls.Select(u => "o:" + u)).Concat(CaIssuersUrls.Select(u => "i:" + u)));
}

/// <summary>
/// Where the CDP/AIA of certificates a CA issues come from. The CDP inside the issuer's
/// own certificate says where the issuer's PARENT publishes its CRL, so it is deliberately NOT copied; the CA-level
/// distribution points stored with the CA in the vault are. The default (<see cref="StoredCaPublication"/>, built by
/// <see cref="InspectionService"/> from its vault) reads those; tests and benchmarks pass their own to its constructor.
/// </summary>
public interface IIssuerPublicationSource
{
    IssuerPublication GetPublication(IssuerReference issuer);
}

/// <summary>What was issued, for the issued-certificate database.</summary>
public sealed record IssuanceRecord
{
    public required IssuerReference Issuer { get; init; }
    /// <summary>"ServerCertificate" for a forged leaf, "RotatingIssuer" for a "(t)" CA.</summary>
    public required string Kind { get; init; }
    public required byte[] CertificateDer { get; init; }
    public required string SerialNumber { get; init; }
    public required string Subject { get; init; }
    public IReadOnlyList<string> Names { get; init; } = Array.Empty<string>();
    public required DateTimeOffset NotBefore { get; init; }
    public required DateTimeOffset NotAfter { get; init; }
}

/// <summary>
/// Called once per certificate actually signed (never for a cache hit), before it is cached, persisted or returned: a
/// recorder that throws fails the forge and nothing is handed out. The default (<see cref="IssuedCertificateRecorder"/>,
/// built by <see cref="InspectionService"/> from its vault) writes the issued-certificate database, so forged
/// certificates can be listed and revoked; tests pass their own to the constructor.
/// </summary>
public interface IIssuanceRecorder
{
    void Record(IssuanceRecord record);

    /// <summary>
    /// Records certificates of one issuer together: all of them durably, or (throwing) none of them handed out. The default
    /// records one at a time; the database recorder writes them in one transaction, one flush to disk for the batch (group
    /// commit), which is what keeps a pipeline of new sites near the signing rate.
    /// </summary>
    void RecordMany(IReadOnlyList<IssuanceRecord> records)
    {
        foreach (var record in records)
            Record(record);
    }
}
