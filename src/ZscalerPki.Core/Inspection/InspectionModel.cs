using System.Net;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Inspection;

/// <summary>Everything New-InspectionCertificate asks for, for one site.</summary>
public sealed record ForgeRequest
{
    public required SiteProfile Site { get; init; }
    /// <summary>Vault name of the issuer (SSL-inspection intermediate first, then enrollment CA); null: the default intermediate.</summary>
    public string? Issuer { get; init; }
    /// <summary>An issuer outside the vault: a CA certificate with its private key (cache in memory only).</summary>
    public X509Certificate2? IssuerCertificate { get; init; }
    /// <summary>Opens the issuer's key in the vault.</summary>
    public ReadOnlyMemory<char> IssuerKeyPassword { get; init; }
    public InspectionKeyAlgorithm KeyAlgorithm { get; init; } = InspectionKeyAlgorithm.EcdsaP256;
    /// <summary>One leaf key shared by all sites of this issuer instead of a key per site.</summary>
    public bool KeyReuse { get; init; }
    /// <summary>Sign with a short-lived "(t)" CA below the issuer, re-issued every <see cref="RotationPeriod"/>.</summary>
    public bool RotatingIssuer { get; init; }
    public TimeSpan RotationPeriod { get; init; } = RotatingIssuerService.DefaultPeriod;
    /// <summary>The longest validity; null (the default) is the browsers' maximum on the day (<see cref="ForgeOptions.MaximumTlsValidity"/>).</summary>
    public TimeSpan? MaxValidity { get; init; }
    /// <summary>Forge anew even when a cached certificate is still good.</summary>
    public bool Force { get; init; }
    /// <summary>Return the certificate joined with its private key.</summary>
    public bool IncludePrivateKey { get; init; }
    public DateTimeOffset? Now { get; init; }
}

/// <summary>A forged server certificate as the cmdlets show it: the leaf, the chain to present, where it came from.</summary>
public sealed class InspectionCertificate : CertificateFacts
{
    internal InspectionCertificate(ForgedCertificate forged, bool fromCache, bool includeKey, string? issuerName, string? vaultPath)
        : base(forged.ToCertificate(includeKey))
    {
        Forged = forged;
        Name = forged.Site.DisplayName;
        DnsNames = forged.Site.DnsNames.ToArray();
        IPAddresses = forged.Site.IPAddresses.Select(i => i.ToString()).ToArray();
        Chain = forged.Issuer.Chain.ToArray();
        IssuerName = issuerName;
        SigningCa = forged.Issuer.Certificate.Subject;
        KeyAlgorithm = forged.Key.Algorithm;
        KeyReuse = forged.Key.Shared;
        FromCache = fromCache;
        RenewAfter = forged.RenewAfter.UtcDateTime.ToLocalTime();
        VaultPath = vaultPath;
    }

    internal ForgedCertificate Forged { get; }

    /// <summary>The site's first name.</summary>
    public string Name { get; }
    public string[] DnsNames { get; }
    public string[] IPAddresses { get; }
    /// <summary>What a server presents after the leaf: the signing CA (the "(t)" CA when rotating), its issuers, up to the root when known.</summary>
    public X509Certificate2[] Chain { get; }
    /// <summary>Vault name of the issuer (null for a CA passed as a certificate).</summary>
    public string? IssuerName { get; }
    /// <summary>Subject of the CA that signed the leaf.</summary>
    public string SigningCa { get; }
    public InspectionKeyAlgorithm KeyAlgorithm { get; }
    public bool KeyReuse { get; }
    /// <summary>True when the certificate came from the cache (no new signature).</summary>
    public bool FromCache { get; }
    /// <summary>After this time the cache forges a new certificate for the site.</summary>
    public DateTime RenewAfter { get; }
    public bool HasPrivateKey => Certificate.HasPrivateKey;
    public string? VaultPath { get; }

    public override string ToString() => Name;
}


/// <summary>One site's outcome in <see cref="InspectionService.ForgeMany"/>: its certificate, or the error that site met.</summary>
public sealed record ForgeOutcome(PkiResult<InspectionCertificate>? Result, Exception? Error);
