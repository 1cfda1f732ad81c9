using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Validation;

/// <summary>What the end-entity certificate is going to be used for (maps to <c>-Purpose</c>).</summary>
public enum ChainPurpose
{
    /// <summary>No extended key usage requirement.</summary>
    Any,
    /// <summary>TLS server authentication (id-kp-serverAuth, 1.3.6.1.5.5.7.3.1).</summary>
    ServerAuth,
    /// <summary>TLS client authentication (id-kp-clientAuth, 1.3.6.1.5.5.7.3.2).</summary>
    ClientAuth,
}

/// <summary>Which rule set to apply (maps to <c>-Profile</c>); see Validation/RULES.md.</summary>
public enum ValidationProfile
{
    /// <summary>RFC 5280 section 6 path validation plus the RFC 5280 certificate-profile checks listed in RULES.md.</summary>
    Rfc5280,
    /// <summary>Everything in <see cref="Rfc5280"/> plus the browser / CA-Browser-Forum rules listed in RULES.md.</summary>
    WebPki,
}

/// <summary>Whether revocation is checked against the supplied CRLs.</summary>
public enum RevocationMode
{
    /// <summary>No revocation checking.</summary>
    None,
    /// <summary>Every certificate below the trust anchor is checked against the supplied CRLs (RFC 5280 6.3).</summary>
    Check,
}

/// <summary>
/// Input of <see cref="ChainValidator.Validate(ChainValidationRequest)"/>; one property per parameter of
/// <c>Test-CertificateChain</c>.
/// </summary>
public sealed record ChainValidationRequest
{
    /// <summary>The end-entity certificate to validate (<c>-Certificate</c>).</summary>
    public required X509Certificate2 Certificate { get; init; }

    /// <summary>Trust anchors (<c>-TrustedRoot</c>). A path must end at one of them.</summary>
    public IReadOnlyList<X509Certificate2> TrustedRoots { get; init; } = Array.Empty<X509Certificate2>();

    /// <summary>Untrusted certificates available for path building (<c>-Intermediate</c>, or a store's contents).</summary>
    public IReadOnlyList<X509Certificate2> Intermediates { get; init; } = Array.Empty<X509Certificate2>();

    /// <summary>DER-encoded CRLs (<c>-Crl</c>); read files with <see cref="ValidationInput.ReadCrlFile(string)"/>.</summary>
    public IReadOnlyList<byte[]> Crls { get; init; } = Array.Empty<byte[]>();

    /// <summary>Validation time (<c>-At</c>); null means now.</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>Host name the leaf must match (<c>-DnsName</c>), or null.</summary>
    public string? DnsName { get; init; }

    /// <summary>IP address the leaf must match (<c>-IPAddress</c>), or null.</summary>
    public IPAddress? IPAddress { get; init; }

    /// <summary>Intended use (<c>-Purpose</c>).</summary>
    public ChainPurpose Purpose { get; init; } = ChainPurpose.Any;

    /// <summary>Explicit EKU OIDs the leaf must allow (in addition to <see cref="Purpose"/>); each must be present (or anyExtendedKeyUsage under Rfc5280).</summary>
    public IReadOnlyList<string>? RequiredEkus { get; init; }

    /// <summary>Rule set (<c>-Profile</c>).</summary>
    public ValidationProfile Profile { get; init; } = ValidationProfile.Rfc5280;

    /// <summary>Revocation checking; null means <see cref="Validation.RevocationMode.Check"/> when CRLs are supplied, else None.</summary>
    public RevocationMode? RevocationMode { get; init; }

    /// <summary>When true, a certificate whose revocation status cannot be determined makes the chain invalid; otherwise it is a warning.</summary>
    public bool UnknownRevocationIsFailure { get; init; }

    /// <summary>
    /// When true, a certificate that names no CRL distribution point (nowhere to look its status up) has an unknown
    /// revocation status as a warning even with <see cref="UnknownRevocationIsFailure"/>: the soft-fail browsers apply
    /// when they check revocation online (Test-CertificateChain -Online).
    /// </summary>
    public bool SoftFailWithoutDistributionPoint { get; init; }

    /// <summary>RFC 5280 user-initial-policy-set (OIDs); null or empty means anyPolicy.</summary>
    public IReadOnlyList<string>? InitialPolicySet { get; init; }

    /// <summary>RFC 5280 initial-explicit-policy.</summary>
    public bool InitialExplicitPolicy { get; init; }

    /// <summary>RFC 5280 initial-policy-mapping-inhibit.</summary>
    public bool InitialPolicyMappingInhibit { get; init; }

    /// <summary>RFC 5280 initial-any-policy-inhibit.</summary>
    public bool InitialAnyPolicyInhibit { get; init; }

    /// <summary>
    /// E-mail address (RFC 822 mailbox) the leaf must carry as a subjectAltName rfc822Name, or null. Engine-only
    /// (x509-limbo <c>RFC822</c> peer names): the local part is compared exactly, the domain case-insensitively.
    /// </summary>
    public string? EmailAddress { get; init; }

    /// <summary>
    /// Key usages the leaf must allow (x509-limbo <c>key_usage</c>); null means no requirement. A leaf without a keyUsage
    /// extension is unrestricted; one with keyUsage must assert every requested bit.
    /// </summary>
    public X509KeyUsageFlags? RequiredKeyUsages { get; init; }

    /// <summary>
    /// Signature algorithm OIDs acceptable for the signatures below the trust anchor (x509-limbo
    /// <c>signature_algorithms</c>); null or empty means every supported algorithm.
    /// </summary>
    public IReadOnlyList<string>? AllowedSignatureAlgorithms { get; init; }

    /// <summary>
    /// Import-time option (Import-SignedIntermediate): every supplied intermediate must lie on the validated path, so an
    /// uploaded bundle holds nothing else (<see cref="ChainProblemCodes.IntermediateNotOnPath"/>).
    /// </summary>
    public bool RequireAllIntermediatesOnPath { get; init; }

    /// <summary>Maximum number of intermediate CA certificates in the path, not counting self-issued ones; null means no limit beyond <see cref="ChainValidator.MaxPathLength"/>.</summary>
    public int? MaxDepth { get; init; }

    /// <summary>
    /// Whether the trust anchor certificate's nameConstraints extension constrains the path (default true). RFC 5280 6.1.1(d)
    /// leaves trust-anchor constraints to the relying party; false takes the anchor as its name and key only, as Java's
    /// PKIX does (a <c>TrustAnchor</c> made from a certificate carries no name constraints).
    /// </summary>
    public bool TrustAnchorNameConstraints { get; init; } = true;

    /// <summary>Client modelling only (docs/RULES.md): how dNSNames are compared with dNSName constraints (default RFC 5280).</summary>
    internal DnsConstraintMatching DnsConstraintMatching { get; init; }
}

/// <summary>How the validator compares dNSNames with dNSName constraints; the variants model clients (docs/RULES.md).</summary>
internal enum DnsConstraintMatching
{
    /// <summary>RFC 5280 4.2.1.10, a wildcard excluded when it may match an excluded subtree.</summary>
    Rfc5280,

    /// <summary>
    /// As strings, permitted and excluded (OpenSSL v3_ncons.c nc_dns, NSS genname.c compareDNSN2C, Java DNSName.constrains): a
    /// name is within a constraint when it ends with it at a label boundary (or the constraint starts with a period), and a
    /// wildcard is a literal label, so "*.example.com" is within "example.com" and not within excluded "bar.example.com".
    /// </summary>
    Strings,

    /// <summary>
    /// As strings for permitted subtrees, as <see cref="Rfc5280"/> for excluded ones (Chromium name_constraints.cc
    /// DNSNameMatches: WILDCARD_FULL_MATCH for permitted, WILDCARD_PARTIAL_MATCH for excluded).
    /// </summary>
    StringsForPermitted,
}
