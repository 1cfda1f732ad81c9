using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Validation.Clients;

/// <summary>The facts of one certificate of the validated path that client rules look at (leaf = index 0).</summary>
public sealed record ClientCertificateFacts
{
    public required int Index { get; init; }
    public required bool IsTrustAnchor { get; init; }
    /// <summary>X.509 version: 1, 2 or 3.</summary>
    public required int Version { get; init; }
    public required bool IsSelfIssued { get; init; }
    public required bool HasBasicConstraints { get; init; }
    public required bool BasicConstraintsCritical { get; init; }
    public required bool IsCA { get; init; }
    public int? PathLength { get; init; }
    /// <summary>keyUsage, or null when absent.</summary>
    public X509KeyUsageFlags? KeyUsage { get; init; }
    /// <summary>extKeyUsage OIDs, or null when absent.</summary>
    public IReadOnlyList<string>? ExtendedKeyUsages { get; init; }
    public required bool HasAuthorityKeyIdentifier { get; init; }
    public required bool AuthorityKeyIdentifierCritical { get; init; }
    /// <summary>The authorityKeyIdentifier has authorityCertIssuer without authorityCertSerialNumber, or the other way round (RFC 5280 4.2.1.1: both or neither).</summary>
    public bool AuthorityKeyIdentifierIssuerSerialUnpaired { get; init; }
    public required bool HasSubjectKeyIdentifier { get; init; }
    public required bool SubjectKeyIdentifierCritical { get; init; }
    public required bool SubjectEmpty { get; init; }
    public required bool IssuerEmpty { get; init; }
    public required bool HasSubjectAltName { get; init; }
    public required bool SubjectAltNameCritical { get; init; }
    /// <summary>Number of dNSName and iPAddress entries in subjectAltName.</summary>
    public required int DnsOrIpNames { get; init; }
    public required string SignatureAlgorithm { get; init; }
    /// <summary>The TBS signature algorithm equals the outer one (RFC 5280 4.1.1.2).</summary>
    public required bool SignatureAlgorithmsConsistent { get; init; }
    public required DateTime NotBefore { get; init; }
    public required DateTime NotAfter { get; init; }
    public required IReadOnlyList<string> ExtensionOids { get; init; }
    /// <summary>The serial number is negative (its DER INTEGER has the top bit set).</summary>
    public required bool SerialNegative { get; init; }
    /// <summary>The public key algorithm OID (e.g. 1.2.840.113549.1.1.1 RSA, 1.2.840.10045.2.1 EC).</summary>
    public required string KeyAlgorithm { get; init; }
    /// <summary>RSA modulus size in bits, or 0 for other keys.</summary>
    public required int RsaKeySize { get; init; }
    /// <summary>OIDs of the extensions marked critical.</summary>
    public required IReadOnlyList<string> CriticalExtensionOids { get; init; }
    /// <summary>
    /// Self-issued and its authorityKeyIdentifier (when present) names itself: keyIdentifier equal to its own
    /// subjectKeyIdentifier, authorityCertIssuer equal to its issuer, authorityCertSerialNumber equal to its serial — what
    /// OpenSSL's X509_check_issued(x, x) / X509_check_akid require of a self-signed trust anchor.
    /// </summary>
    public required bool SelfSignedByAki { get; init; }
    /// <summary>A DSA key without domain parameters (they are inherited from the issuer, RFC 3279 2.3.2).</summary>
    public required bool KeyParametersInherited { get; init; }
    /// <summary>The subjectAltName dNSName entries.</summary>
    public required IReadOnlyList<string> DnsNames { get; init; }
    /// <summary>The name forms (GeneralName CHOICE names: dNSName, iPAddress, rfc822Name, uniformResourceIdentifier, directoryName, otherName, …) in nameConstraints.</summary>
    public required IReadOnlyList<string> NameConstraintForms { get; init; }
    /// <summary>A CRL distribution point uses nameRelativeToCRLIssuer or cRLIssuer.</summary>
    public required bool CrlDistributionPointIndirect { get; init; }
    /// <summary>A CRL distribution point's distributionPoint is a nameRelativeToCRLIssuer (not a fullName).</summary>
    public required bool CrlDistributionPointRelativeName { get; init; }
    /// <summary>Every subjectAltName entry (empty when the extension is absent).</summary>
    public required IReadOnlyList<ClientGeneralName> SubjectAltNames { get; init; }
    /// <summary>The nameConstraints permittedSubtrees bases (null when the certificate has no nameConstraints).</summary>
    public IReadOnlyList<ClientGeneralName>? PermittedSubtrees { get; init; }
    /// <summary>The nameConstraints excludedSubtrees bases (null when the certificate has no nameConstraints).</summary>
    public IReadOnlyList<ClientGeneralName>? ExcludedSubtrees { get; init; }
    /// <summary>The issuer name is byte-for-byte the subject of the next certificate up the path (null for the top one).</summary>
    public bool? IssuerBytesMatchParent { get; init; }
    /// <summary>The named curve OID of an EC key, or null.</summary>
    public string? EcCurve { get; init; }
    /// <summary>The most specific (last) commonName of the subject, or null.</summary>
    public string? SubjectCommonName { get; init; }
    /// <summary>certificatePolicies OIDs in order, or null when absent.</summary>
    public IReadOnlyList<string>? Policies { get; init; }
    /// <summary>policyMappings pairs in order, or null when absent.</summary>
    public IReadOnlyList<(string IssuerDomain, string SubjectDomain)>? PolicyMappings { get; init; }
    /// <summary>policyConstraints requireExplicitPolicy, or null.</summary>
    public int? RequireExplicitPolicy { get; init; }
    /// <summary>policyConstraints inhibitPolicyMapping, or null.</summary>
    public int? InhibitPolicyMapping { get; init; }
    /// <summary>inhibitAnyPolicy SkipCerts, or null.</summary>
    public int? InhibitAnyPolicy { get; init; }
}

/// <summary>
/// One GeneralName as client rules see it: its CHOICE name (<see cref="ClientCertificateFacts.NameConstraintForms"/>), the
/// IA5String text (rfc822Name, dNSName, uniformResourceIdentifier; the type-id OID of an otherName) and the octets
/// (iPAddress, address+mask in a constraint; the encoded otherName).
/// </summary>
public sealed record ClientGeneralName(string Form, string? Text, byte[]? Bytes);

/// <summary>
/// The input of every <see cref="IClientProfile"/>: the validator's RFC 5280 result for the chain (and, on demand, its
/// WebPki result — the same validator with the browser rules), the request, and the facts of each certificate on the path.
/// </summary>
public sealed class ClientChainFacts
{
    private readonly Lazy<ChainValidationResult> _webPki;

    internal ClientChainFacts(ChainValidationRequest request, ChainValidationResult rfc5280, Func<ChainValidationResult> webPki)
    {
        Request = request;
        Result = rfc5280;
        _webPki = new Lazy<ChainValidationResult>(webPki);
        var described = rfc5280.Elements.Select(Describe).ToList();
        for (int i = 0; i + 1 < described.Count; i++)
        {
            var child = ParsedCertificate.From(rfc5280.Elements[i].Certificate);
            var parent = ParsedCertificate.From(rfc5280.Elements[i + 1].Certificate);
            described[i] = described[i] with { IssuerBytesMatchParent = child.Issuer.Raw.AsSpan().SequenceEqual(parent.Subject.Raw) };
        }
        Path = described;
    }

    /// <summary>The request the chain was validated with (time, host name, purpose, CRLs).</summary>
    public ChainValidationRequest Request { get; }

    /// <summary>The validator's verdict under <see cref="ValidationProfile.Rfc5280"/>.</summary>
    public ChainValidationResult Result { get; }

    /// <summary>The validator's verdict under <see cref="ValidationProfile.WebPki"/> (computed when a client asks for it).</summary>
    public ChainValidationResult WebPkiResult => _webPki.Value;

    private readonly Dictionary<string, ChainValidationResult> _variants = new(StringComparer.Ordinal);

    /// <summary>
    /// The validator's RFC 5280 result for the same chain with inputs as a client would give them (e.g. only the CRLs the
    /// client can use), computed once per <paramref name="key"/>. Still the one validator: only the input changes.
    /// </summary>
    public ChainValidationResult ResultWith(string key, Func<ChainValidationRequest, ChainValidationRequest> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_variants)
        {
            if (!_variants.TryGetValue(key, out var result))
            {
                result = ChainValidator.Validate(change(Request));
                _variants[key] = result;
            }
            return result;
        }
    }

    private readonly Dictionary<string, object?> _derived = new(StringComparer.Ordinal);

    /// <summary>A client's own verdict over these facts (e.g. Java's policy replay), computed once per <paramref name="key"/>.</summary>
    public T Derived<T>(string key, Func<ClientChainFacts, T> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        lock (_derived)
        {
            if (!_derived.TryGetValue(key, out var value))
            {
                value = compute(this);
                _derived[key] = value;
            }
            return (T)value!;
        }
    }

    /// <summary>The path of <see cref="Result"/>, leaf first, trust anchor last when one was reached.</summary>
    public IReadOnlyList<ClientCertificateFacts> Path { get; }

    /// <summary>Whether the path ends at a trust anchor.</summary>
    public bool Anchored => Path.Count > 0 && Path[^1].IsTrustAnchor;

    private static ClientCertificateFacts Describe(ChainElementResult element)
    {
        var c = ParsedCertificate.From(element.Certificate);
        c.ExtensionsByOid.TryGetValue(Oids.AuthorityKeyId, out var aki);
        c.ExtensionsByOid.TryGetValue(Oids.SubjectKeyId, out var ski);
        c.ExtensionsByOid.TryGetValue(Oids.SubjectAltName, out var san);
        c.ExtensionsByOid.TryGetValue(Oids.BasicConstraints, out var bc);
        return new ClientCertificateFacts
        {
            Index = element.Index,
            IsTrustAnchor = element.IsTrustAnchor,
            Version = c.Version + 1,
            IsSelfIssued = c.IsSelfIssued,
            HasBasicConstraints = bc is not null,
            BasicConstraintsCritical = bc?.Critical ?? false,
            IsCA = c.BasicConstraints?.IsCA ?? false,
            PathLength = c.BasicConstraints?.PathLength,
            KeyUsage = c.KeyUsage is { } ku ? ToFlags(ku) : null,
            ExtendedKeyUsages = c.ExtendedKeyUsage,
            HasAuthorityKeyIdentifier = aki is not null,
            AuthorityKeyIdentifierCritical = aki?.Critical ?? false,
            AuthorityKeyIdentifierIssuerSerialUnpaired = c.AuthorityKeyId is { } akid && (akid.Issuer is null) != (akid.Serial is null),
            HasSubjectKeyIdentifier = ski is not null,
            SubjectKeyIdentifierCritical = ski?.Critical ?? false,
            SubjectEmpty = c.Subject.IsEmpty,
            IssuerEmpty = c.Issuer.IsEmpty,
            HasSubjectAltName = san is not null,
            SubjectAltNameCritical = san?.Critical ?? false,
            DnsOrIpNames = c.SubjectAltNames?.Count(n => n.Kind is GeneralNameKind.Dns or GeneralNameKind.IPAddress) ?? 0,
            SignatureAlgorithm = c.SignatureAlgorithm.Oid,
            SignatureAlgorithmsConsistent = c.TbsSignatureAlgorithm.SameAs(c.SignatureAlgorithm),
            NotBefore = c.NotBefore,
            NotAfter = c.NotAfter,
            ExtensionOids = c.Extensions.Select(e => e.Oid).ToList(),
            SerialNegative = c.Serial.Length > 0 && (c.Serial[0] & 0x80) != 0,
            KeyAlgorithm = c.SpkiAlgorithm.Oid,
            RsaKeySize = RsaSize(element.Certificate, c),
            CriticalExtensionOids = c.Extensions.Where(e => e.Critical).Select(e => e.Oid).ToList(),
            SelfSignedByAki = c.IsSelfIssued && AkiNamesItself(c),
            KeyParametersInherited = c.SpkiAlgorithm.Oid == "1.2.840.10040.4.1" && c.SpkiAlgorithm.ParametersAbsent,
            NameConstraintForms = c.NameConstraints is { } nc
                ? nc.Permitted.Concat(nc.Excluded).Select(t => FormName(t.Base.Kind)).Distinct().ToList() : new List<string>(),
            CrlDistributionPointIndirect = c.CrlDistributionPoints?.Any(d => d.RelativeName is not null || d.CrlIssuer is not null) ?? false,
            CrlDistributionPointRelativeName = c.CrlDistributionPoints?.Any(d => d.RelativeName is not null) ?? false,
            SubjectAltNames = c.SubjectAltNames?.Select(Describe).ToList() ?? new List<ClientGeneralName>(),
            PermittedSubtrees = c.NameConstraints?.Permitted.Select(t => Describe(t.Base)).ToList(),
            ExcludedSubtrees = c.NameConstraints?.Excluded.Select(t => Describe(t.Base)).ToList(),
            EcCurve = EcCurveOf(c),
            DnsNames = c.SubjectAltNames?.Where(n => n.Kind == GeneralNameKind.Dns && n.Text is not null).Select(n => n.Text!).ToList() ?? new List<string>(),
            SubjectCommonName = c.Subject.Attributes.LastOrDefault(a => a.Oid == Oids.CommonName).Value,
            Policies = c.Policies,
            PolicyMappings = c.PolicyMappings,
            RequireExplicitPolicy = c.RequireExplicitPolicy,
            InhibitPolicyMapping = c.InhibitPolicyMapping,
            InhibitAnyPolicy = c.InhibitAnyPolicy,
        };
    }

    /// <summary>A GeneralName for client rules; an otherName's Text is its type-id OID (when it decodes).</summary>
    private static ClientGeneralName Describe(GeneralName name) =>
        new(FormName(name.Kind), name.Kind == GeneralNameKind.OtherName ? OtherNameTypeId(name.Bytes) : name.Text, name.Bytes);

    private static string? OtherNameTypeId(byte[]? encoded)
    {
        if (encoded is null)
        {
            return null;
        }
        try
        {
            var reader = new System.Formats.Asn1.AsnReader(encoded, System.Formats.Asn1.AsnEncodingRules.DER);
            return reader.ReadSequence(new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 0, true)).ReadObjectIdentifier();
        }
        catch (System.Formats.Asn1.AsnContentException)
        {
            return null;
        }
    }

    private static string FormName(GeneralNameKind kind) => kind switch
    {
        GeneralNameKind.Dns => "dNSName",
        GeneralNameKind.IPAddress => "iPAddress",
        GeneralNameKind.Rfc822 => "rfc822Name",
        GeneralNameKind.Uri => "uniformResourceIdentifier",
        GeneralNameKind.Directory => "directoryName",
        GeneralNameKind.OtherName => "otherName",
        GeneralNameKind.RegisteredId => "registeredID",
        GeneralNameKind.X400 => "x400Address",
        _ => "ediPartyName",
    };

    private static string? EcCurveOf(ParsedCertificate c)
    {
        if (c.SpkiAlgorithm.Oid != "1.2.840.10045.2.1" || c.SpkiAlgorithm.Parameters is not { } parameters)
        {
            return null;
        }
        try
        {
            return new System.Formats.Asn1.AsnReader(parameters, System.Formats.Asn1.AsnEncodingRules.DER).ReadObjectIdentifier();
        }
        catch (System.Formats.Asn1.AsnContentException)
        {
            return null;
        }
    }

    private static bool AkiNamesItself(ParsedCertificate c)
    {
        if (c.AuthorityKeyId is not { } aki)
        {
            return true;
        }
        if (aki.KeyId is not null && c.SubjectKeyId is not null && !aki.KeyId.AsSpan().SequenceEqual(c.SubjectKeyId))
        {
            return false;
        }
        if (aki.Serial is not null && !aki.Serial.AsSpan().SequenceEqual(c.Serial))
        {
            return false;
        }
        if (aki.Issuer is { } names && !names.Any(n => n.Directory is { } d && d.Canonical == c.Issuer.Canonical))
        {
            return false;
        }
        return true;
    }

    private static int RsaSize(X509Certificate2 certificate, ParsedCertificate parsed)
    {
        if (parsed.SpkiAlgorithm.Oid != "1.2.840.113549.1.1.1")
        {
            return 0;
        }
        try
        {
            using var rsa = certificate.GetRSAPublicKey();
            return rsa?.KeySize ?? 0;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return 0;
        }
    }

    private static X509KeyUsageFlags ToFlags(KeyUsageBits bits)
    {
        var flags = X509KeyUsageFlags.None;
        if ((bits & KeyUsageBits.DigitalSignature) != 0) flags |= X509KeyUsageFlags.DigitalSignature;
        if ((bits & KeyUsageBits.NonRepudiation) != 0) flags |= X509KeyUsageFlags.NonRepudiation;
        if ((bits & KeyUsageBits.KeyEncipherment) != 0) flags |= X509KeyUsageFlags.KeyEncipherment;
        if ((bits & KeyUsageBits.DataEncipherment) != 0) flags |= X509KeyUsageFlags.DataEncipherment;
        if ((bits & KeyUsageBits.KeyAgreement) != 0) flags |= X509KeyUsageFlags.KeyAgreement;
        if ((bits & KeyUsageBits.KeyCertSign) != 0) flags |= X509KeyUsageFlags.KeyCertSign;
        if ((bits & KeyUsageBits.CrlSign) != 0) flags |= X509KeyUsageFlags.CrlSign;
        if ((bits & KeyUsageBits.EncipherOnly) != 0) flags |= X509KeyUsageFlags.EncipherOnly;
        if ((bits & KeyUsageBits.DecipherOnly) != 0) flags |= X509KeyUsageFlags.DecipherOnly;
        return flags;
    }
}
