using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Revocation;

/// <summary>RFC 5280 5.3.1 CRLReason, by name; the values are the codes written into CRLs.</summary>
public enum RevocationReason
{
    Unspecified = 0,
    KeyCompromise = 1,
    CACompromise = 2,
    AffiliationChanged = 3,
    Superseded = 4,
    CessationOfOperation = 5,
    /// <summary>Temporary: the only reason that can be lifted again (Restore-Certificate).</summary>
    CertificateHold = 6,
    /// <summary>Only in delta CRLs, for a hold that was lifted; not a reason to revoke with.</summary>
    RemoveFromCrl = 8,
    PrivilegeWithdrawn = 9,
    AACompromise = 10,
}

/// <summary>Where an issued certificate stands in its CA's database.</summary>
public enum IssuedCertificateStatus
{
    Issued,
    Revoked,
    /// <summary>Revoked with certificateHold; can be restored.</summary>
    OnHold,
}

/// <summary>Whether a CRL is complete (base) or lists only the changes since the last base (delta, RFC 5280 5.2.4).</summary>
public enum CrlKind
{
    Base,
    Delta,
}

/// <summary>One row of a CA's issued-certificate database, as Get-IssuedCertificate shows it.</summary>
public sealed class IssuedCertificateRecord
{
    private X509Certificate2? _certificate;
    private readonly byte[] _der;

    internal IssuedCertificateRecord(string issuer, string issuerIdentity, string vaultPath, byte[] der, string serial, string subject, string? dnsNames,
        DateTimeOffset notBefore, DateTimeOffset notAfter, DateTimeOffset issued, string profile, string thumbprint,
        DateTimeOffset? revoked, RevocationReason? reason, DateTimeOffset? invalidity)
    {
        Issuer = issuer;
        IssuerIdentity = issuerIdentity;
        VaultPath = vaultPath;
        _der = der;
        SerialNumber = serial;
        Subject = subject;
        DnsNames = string.IsNullOrEmpty(dnsNames) ? Array.Empty<string>() : dnsNames.Split('\n');
        NotBefore = notBefore;
        NotAfter = notAfter;
        Issued = issued;
        Profile = profile;
        Thumbprint = thumbprint;
        RevocationDate = revoked;
        RevocationReason = reason;
        InvalidityDate = invalidity;
    }

    /// <summary>The vault CA that issued it (binds to -Issuer of Revoke-Certificate and Publish-Crl).</summary>
    public string Issuer { get; }
    /// <summary>The issuing CA's identity, <c>kind/name</c> (e.g. <c>intermediate/Inspection-2026</c>): unique even where names are not.</summary>
    public string IssuerIdentity { get; }
    /// <summary>Serial number, hex, as in the certificate.</summary>
    public string SerialNumber { get; }
    public string Subject { get; }
    /// <summary>The subjectAltName entries (DNS names, IP addresses, URIs, e-mail addresses).</summary>
    public string[] DnsNames { get; }
    public DateTimeOffset NotBefore { get; }
    public DateTimeOffset NotAfter { get; }
    /// <summary>When the CA recorded it.</summary>
    public DateTimeOffset Issued { get; }
    /// <summary>What it was issued as: EnrollmentIntermediate, SubCA, Server, ….</summary>
    public string Profile { get; }
    public string Thumbprint { get; }
    public IssuedCertificateStatus Status => RevocationDate is null ? IssuedCertificateStatus.Issued
        : RevocationReason == Revocation.RevocationReason.CertificateHold ? IssuedCertificateStatus.OnHold : IssuedCertificateStatus.Revoked;
    public bool IsRevoked => RevocationDate is not null;
    public DateTimeOffset? RevocationDate { get; }
    public RevocationReason? RevocationReason { get; }
    public DateTimeOffset? InvalidityDate { get; }
    /// <summary>The certificate itself (pipe to Test-CertificateChain or Export-…).</summary>
    public X509Certificate2 Certificate => _certificate ??= new X509Certificate2(_der);
    public string Pem => CertificateReader.ToPem(Certificate);
    public string VaultPath { get; }

    public override string ToString() => $"{SerialNumber} {Subject}";
}

/// <summary>Filters of Get-IssuedCertificate (all optional; they combine with AND).</summary>
public sealed record IssuedCertificateQuery
{
    /// <summary>Exact serial (hex; colons, spaces and leading zeros ignored).</summary>
    public string? SerialNumber { get; init; }
    /// <summary>Subject wildcard (PowerShell syntax, case-insensitive).</summary>
    public string? Subject { get; init; }
    /// <summary>True: only revoked (incl. on hold); false: only not revoked; null: all.</summary>
    public bool? Revoked { get; init; }
    public DateTimeOffset? ExpiringBefore { get; init; }
    public DateTimeOffset? IssuedAfter { get; init; }
}

/// <summary>Everything Revoke-Certificate asks for, per certificate.</summary>
public sealed record RevokeRequest
{
    /// <summary>The vault CA (enrollment CA or SSL-inspection intermediate) that issued it.</summary>
    public required string Issuer { get; init; }
    /// <summary>Hex serial; or give <see cref="Certificate"/>.</summary>
    public string? SerialNumber { get; init; }
    public X509Certificate2? Certificate { get; init; }
    public RevocationReason Reason { get; init; } = RevocationReason.Unspecified;
    public DateTimeOffset? RevocationDate { get; init; }
    public DateTimeOffset? InvalidityDate { get; init; }
    /// <summary>Revoke a serial the database has no record of.</summary>
    public bool Force { get; init; }
}

/// <summary>Everything Publish-Crl asks for.</summary>
public sealed record PublishCrlRequest
{
    public required string Issuer { get; init; }
    /// <summary>Output folder; the CRL is written as &lt;Issuer&gt;.crl (base) or &lt;Issuer&gt;-delta.crl (delta).</summary>
    public required string Folder { get; init; }
    public ReadOnlyMemory<char> KeyPassword { get; init; }
    public TimeSpan Validity { get; init; } = TimeSpan.FromDays(7);
    public DateTimeOffset? NextUpdate { get; init; }
    public bool IncludeExpired { get; init; }
    public bool Delta { get; init; }
    /// <summary>Also write &lt;file&gt;.pem.</summary>
    public bool Pem { get; init; }
    public DateTimeOffset? Now { get; init; }
}

/// <summary>A CRL that Publish-Crl wrote.</summary>
public sealed class CrlPublication
{
    internal CrlPublication(string issuer, string issuerIdentity, long number, long? baseNumber, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate,
        int entries, string path, string? pemPath, CrlKind kind, string vaultPath)
    {
        Issuer = issuer;
        IssuerIdentity = issuerIdentity;
        CrlNumber = number;
        BaseCrlNumber = baseNumber;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        EntryCount = entries;
        Path = path;
        PemPath = pemPath;
        Kind = kind;
        VaultPath = vaultPath;
    }

    public string Issuer { get; }
    /// <summary>The CA's identity, <c>kind/name</c>.</summary>
    public string IssuerIdentity { get; }
    public long CrlNumber { get; }
    /// <summary>For a delta CRL, the base it completes (DeltaCRLIndicator).</summary>
    public long? BaseCrlNumber { get; }
    public DateTimeOffset ThisUpdate { get; }
    public DateTimeOffset NextUpdate { get; }
    public int EntryCount { get; }
    /// <summary>The DER file.</summary>
    public string Path { get; }
    public string? PemPath { get; }
    public CrlKind Kind { get; }
    public string VaultPath { get; }

    public override string ToString() => Path;
}

/// <summary>The profile names recorded with each issued certificate.</summary>
public static class IssuedProfiles
{
    /// <summary>An enrollment intermediate CA created under a vault CA (New-EnrollmentCertificate -Parent).</summary>
    public const string EnrollmentIntermediate = "EnrollmentIntermediate";
    /// <summary>A subordinate CA signed from a CSR (Submit-CertificateRequest -Issuer), e.g. an SSL-inspection intermediate.</summary>
    public const string SubCA = "SubCA";
    /// <summary>A server certificate forged for SSL inspection.</summary>
    public const string Server = "Server";
    /// <summary>A rotating issuing CA ("(t)") below an SSL-inspection issuer (New-InspectionCertificate -RotatingIssuer).</summary>
    public const string RotatingIssuer = "RotatingIssuer";
}
