namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// Chrome's own verifier (Chrome Root Store era; net/cert/pki verify_certificate_chain.cc and path_builder.cc, with
/// net/cert/cert_verify_proc.cc's checks): the validator's WebPki result minus the CA/B Forum profile rules Chromium does not
/// enforce at verification (AKI/SKI presence, serial encoding, root EKU/AKI, CN-in-SAN, leaf EKU presence, EKU criticality),
/// with SHA-1 refused, RSA keys below 1024 bits refused (ERR_CERT_WEAK_KEY), SANs required (no Common Name fallback since
/// Chrome 58), and EKU nested through the intermediates. Locally installed roots (Zscaler's) are exempt from Certificate
/// Transparency and the 398-day limit. Measured against Chromium 156 (Debian's chromium, headless, the case's roots in a fresh
/// ~/.pki/nssdb: tests/ZscalerPki.Conformance/drivers/chromium_verify.js) on the x509-limbo cases it can take.
/// </summary>
public sealed class ChromeClient : ClientProfile
{
    public override string Id => "chrome";

    public override string Name => "Chrome (Chrome Root Store verifier)";


    protected override bool StartsFromWebPki => true;

    protected override IReadOnlySet<string> NotChecked { get; } = ClientRuleSets.Union(
        new[]
        {
            ChainProblemCodes.AuthorityKeyIdMissing, ChainProblemCodes.SubjectKeyIdMissing, ChainProblemCodes.KeyCertSignWithoutCA,
            ChainProblemCodes.SubjectAltNameInvalid,
            ChainProblemCodes.SignatureAlgorithmMismatch, ChainProblemCodes.PathLenWithoutKeyCertSign, ChainProblemCodes.NameConstraintsInEndEntity,
            ChainProblemCodes.PolicyRequired, ChainProblemCodes.PolicyMappingInvalid, ChainProblemCodes.PolicyTreeTooLarge,
            ChainProblemCodes.WebPkiSerialNumberInvalid, ChainProblemCodes.WebPkiRootAuthorityKeyIdInvalid, ChainProblemCodes.WebPkiRootHasEku,
            ChainProblemCodes.WebPkiCommonNameNotInSan, ChainProblemCodes.WebPkiEkuCritical, ChainProblemCodes.WebPkiAuthorityKeyIdMissing,
            ChainProblemCodes.WebPkiLeafMissingEku, ChainProblemCodes.WebPkiAnyEkuForbidden, ChainProblemCodes.WebPkiLeafIsCA,
            ChainProblemCodes.WebPkiForbiddenPublicKey, ChainProblemCodes.WebPkiForbiddenSignatureAlgorithm,
        },
        ClientRuleSets.RevocationCodes);

    /// <summary>
    /// dNSNames against permitted dNSName subtrees as strings, against excluded ones with wildcards that may match
    /// (name_constraints.cc DNSNameMatches: WILDCARD_FULL_MATCH / WILDCARD_PARTIAL_MATCH).
    /// </summary>
    protected override ChainValidationResult BaseResult(ClientChainFacts facts) =>
        facts.Path.Any(c => c.NameConstraintForms.Contains("dNSName"))
            ? facts.ResultWith("chrome:dns-nc", r => r with { Profile = ValidationProfile.WebPki, DnsConstraintMatching = DnsConstraintMatching.StringsForPermitted })
            : facts.WebPkiResult;

    /// <summary>
    /// A dNSName constraint with a leading period is read as "subdomains" (name_constraints.cc); a nameConstraints with
    /// neither subtree is refused (it does not parse), unlike OpenSSL. A wildcard on a public suffix is refused for the
    /// ICANN section only (X509Certificate::VerifyHostname, registry_controlled_domains EXCLUDE_PRIVATE_REGISTRIES).
    /// </summary>
    protected override bool Checks(ChainProblem problem, ClientChainFacts facts) =>
        base.Checks(problem, facts)
        && !(problem.Code == ChainProblemCodes.InvalidNameConstraint && problem.Message.Contains("starts with a period", StringComparison.Ordinal))
        && !(problem.Code == ChainProblemCodes.WebPkiWildcardOnPublicSuffix && !WildcardOnIcannSuffix(facts));

    private static bool WildcardOnIcannSuffix(ClientChainFacts facts)
    {
        var host = facts.Request.DnsName;
        if (host is null || facts.Path.Count == 0 || host.IndexOf('.') is var dot && dot < 0)
            return false;
        var parent = host[(dot + 1)..].TrimEnd('.');
        return facts.Path[0].DnsNames.Any(d => string.Equals(d, "*." + parent, StringComparison.OrdinalIgnoreCase)) && PublicSuffixList.IsIcannPublicSuffix(parent);
    }

    /// <summary>A locally trusted root without basicConstraints is accepted (measured: limbo rfc5280::root-missing-basic-constraints).</summary>
    protected override bool IgnoresAnchorProblem(ChainProblem problem) => problem.Code is ChainProblemCodes.CaBasicConstraintsInvalid;

    protected override string ErrorFor(ChainProblem problem, ClientChainFacts facts) => problem.Code switch
    {
        ChainProblemCodes.Expired or ChainProblemCodes.NotYetValid => "NET::ERR_CERT_DATE_INVALID",
        ChainProblemCodes.HostnameMismatch or ChainProblemCodes.IPAddressMismatch or ChainProblemCodes.WebPkiLeafMissingSan
            or ChainProblemCodes.WebPkiWildcardOnPublicSuffix => "NET::ERR_CERT_COMMON_NAME_INVALID",
        ChainProblemCodes.NoPathToTrustAnchor or ChainProblemCodes.PathBuildingLimitExceeded or ChainProblemCodes.WorkBudgetExceeded
            or ChainProblemCodes.SignatureInvalid or ChainProblemCodes.NotACA => "NET::ERR_CERT_AUTHORITY_INVALID",
        ChainProblemCodes.SignatureAlgorithmUnsupported or ChainProblemCodes.SignatureAlgorithmParametersInvalid or ChainProblemCodes.SignatureAlgorithmNotAllowed
            => "NET::ERR_CERT_WEAK_SIGNATURE_ALGORITHM",
        ChainProblemCodes.NameConstraintViolation => "NET::ERR_CERT_NAME_CONSTRAINT_VIOLATION",
        _ => "NET::ERR_CERT_INVALID",
    };

    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts)
    {
        foreach (var c in facts.Path.Where(c => !c.IsTrustAnchor && ClientRuleSets.IsSha1OrMd5(c.SignatureAlgorithm)))
            yield return new ClientReason("Client.Sha1Signature", "NET::ERR_CERT_WEAK_SIGNATURE_ALGORITHM", c.Index);
        foreach (var c in facts.Path.Where(c => c.RsaKeySize is > 0 and < 1024))
            yield return new ClientReason("Client.WeakKey", "NET::ERR_CERT_WEAK_KEY", c.Index);
        // An authorityKeyIdentifier with authorityCertIssuer but no authorityCertSerialNumber (or the reverse) does not parse
        // (parse_certificate.cc ParseAuthorityKeyIdentifier): the certificate is unusable, anchor included.
        foreach (var c in facts.Path.Where(c => c.AuthorityKeyIdentifierIssuerSerialUnpaired))
            yield return new ClientReason("Client.AuthorityKeyIdUnparsed", "NET::ERR_CERT_AUTHORITY_INVALID", c.Index);
        // Keys Chromium's parser does not take, anchor included: DSA, and EC outside P-256/384/521 (P-192).
        foreach (var c in facts.Path.Where(c => c.KeyAlgorithm == "1.2.840.10040.4.1" || ClientRuleSets.UnsupportedCurve(c)))
            yield return new ClientReason("Client.UnsupportedKey", "NET::ERR_CERT_INVALID", c.Index);
        // The TLS handshake's own check of the leaf's keyUsage (SSL_R_KEY_USAGE_BIT_INCORRECT, enforced for local roots too).
        if (ClientRuleSets.LeafKeyUsageUnfitForTls(facts))
            yield return new ClientReason("Client.LeafKeyUsagePurpose", "NET::ERR_SSL_KEY_USAGE_INCOMPATIBLE", 0);
    }
}
