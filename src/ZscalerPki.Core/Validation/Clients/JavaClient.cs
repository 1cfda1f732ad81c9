namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// Java PKIX (CertPathValidator "PKIX", the JSSE default TrustManager; Maven, Gradle, IntelliJ): sun.security.provider.certpath
/// BasicChecker (signature, validity, name chaining), ConstraintsChecker (basicConstraints, pathLen, name constraints),
/// KeyChecker (keyCertSign on CAs, critical extensions), PolicyChecker (RFC 5280 policy tree), and the JSSE endpoint
/// checks (HostnameChecker, EKU of the leaf). The trust anchor is a TrustAnchor (name and key); RFC 5280 section 4
/// profile rules are not checked. Revocation is on by default in PKIX but JSSE turns it off unless asked.
/// </summary>
public sealed class JavaClient : ClientProfile
{
    public override string Id => "java";

    public override string Name => "Java PKIX";

    /// <summary>JSSE's default trust manager does not check revocation (com.sun.net.ssl.checkRevocation is false by default).</summary>
    /// <remarks>
    /// X509CertImpl refuses an empty subject with a non-critical SAN and a critical AKI/SKI/AIA is an unrecognized critical
    /// extension, so those two profile codes stay checked.
    /// </remarks>
    protected override IReadOnlySet<string> NotChecked { get; } = ClientRuleSets.Union(
        ClientRuleSets.CertificateProfileCodes.Where(c => c is not (ChainProblemCodes.ExtensionMustBeNonCritical or ChainProblemCodes.SubjectAltNameNotCritical)),
        ClientRuleSets.RevocationCodes);

    /// <summary>
    /// The host name is Java's (<see cref="JavaHostnameChecker"/>), not the validator's RFC 6125 match: its
    /// HostnameMismatch is not checked when a DNS name was asked for.
    /// </summary>
    /// <remarks>
    /// The certificate-policy verdict is Java's (<see cref="JavaPolicyChecker"/>) on an anchored path: the validator's
    /// policy problems are then not checked.
    /// </remarks>
    protected override bool Checks(ChainProblem problem, ClientChainFacts facts) =>
        base.Checks(problem, facts) && !ClientRuleSets.LenientlyDecoded(problem)
        && !(problem.Code == ChainProblemCodes.HostnameMismatch && facts.Request.DnsName is not null)
        && !(problem.Code is ChainProblemCodes.PolicyRequired or ChainProblemCodes.PolicyMappingInvalid or ChainProblemCodes.PolicyTreeTooLarge
             && Policy(facts).Completed);

    /// <summary>Java's policy verdict for the path, once per facts; not completed when the path has no anchor or the tree outgrows the bound.</summary>
    private static (bool Completed, string? Error) Policy(ClientChainFacts facts) =>
        facts.Derived("java:policy", f => f.Anchored ? JavaPolicyChecker.Check(f.Path, f.Request) : (false, (string?)null));

    /// <summary>
    /// A JSSE trust anchor is a certificate's name and key: <c>new TrustAnchor(cert, null)</c> (what a KeyStore gives) has no
    /// name constraints, and PKIX.ValidatorParams refuses an anchor that has them ("name constraints in trust anchor not
    /// supported"); the anchor certificate's own nameConstraints extension is never read (ConstraintsChecker.init starts
    /// with prevNC = null and the anchor is not on the CertPath). So the chain is validated without them.
    /// dNSName constraints are compared as strings (sun.security.x509.DNSName.constrains: lower-cased endsWith at a '.'
    /// boundary; a SAN read from DER is not checked for syntax, so ".example.com" is within "example.com" and
    /// "*.example.com" is neither within nor above excluded "bar.example.com"): <see cref="ClientRuleSets.WithLiteralDnsNameConstraints"/>.
    /// </summary>
    protected override ChainValidationResult BaseResult(ClientChainFacts facts) =>
        facts.Request.TrustedRoots.Any(r => r.Extensions[Oids.NameConstraints] is not null)
            ? ClientRuleSets.WithLiteralDnsNameConstraints(facts, "java:anchor-name-and-key", r => r with { TrustAnchorNameConstraints = false })
            : ClientRuleSets.WithLiteralDnsNameConstraints(facts);

    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts)
    {
        foreach (var c in facts.Path.Where(c => c.IssuerEmpty))
            yield return new ClientReason("Client.EmptyIssuer", "Empty issuer DN not allowed in X509Certificates", c.Index);
        if (ClientRuleSets.LeafKeyUsageUnfitForTls(facts))
            yield return new ClientReason("Client.LeafKeyUsagePurpose", "KeyUsage does not allow digital signatures", 0);
        foreach (var c in facts.Path.Where(ClientRuleSets.UnsupportedCurve))
            yield return new ClientReason("Client.UnsupportedCurve", "PKIX path validation failed: java.security.cert.CertPathValidatorException: Algorithm constraints check failed on keysize limits", c.Index);
        if (facts.Request.At is { } at)
        {
            // X509CertImpl.checkValidity(Date) compares java.util.Date values: milliseconds, where the validator compares whole
            // seconds. Only the sub-second difference is added here (the validator reports the rest).
            var exact = at.UtcDateTime;
            var second = new DateTime(exact.Ticks - (exact.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
            foreach (var c in facts.Path.Where(c => !c.IsTrustAnchor))
            {
                if (exact > c.NotAfter && second <= c.NotAfter)
                    yield return new ClientReason("Client.ExpiredMilliseconds", "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (CertificateExpiredException)", c.Index);
                else if (exact < c.NotBefore && second >= c.NotBefore)
                    yield return new ClientReason("Client.NotYetValidMilliseconds", "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (CertificateNotYetValidException)", c.Index);
            }
        }
        if (Policy(facts) is { Completed: true, Error: { } policyError })
            yield return new ClientReason(ChainProblemCodes.PolicyRequired, "PKIX path validation failed: java.security.cert.CertPathValidatorException: " + policyError, null);
        if (facts.Request.DnsName is { } host && facts.Path.Count > 0 && JavaHostnameChecker.MatchDns(host, facts.Path[0]) is { } hostError)
            yield return new ClientReason(ChainProblemCodes.HostnameMismatch, hostError, 0);
    }

    protected override bool IgnoresAnchorProblem(ChainProblem problem) =>
        problem.Code is ChainProblemCodes.Expired or ChainProblemCodes.NotYetValid
            or ChainProblemCodes.KeyUsageMissingCertSign or ChainProblemCodes.UnknownCriticalExtension;

    protected override string ErrorFor(ChainProblem problem, ClientChainFacts facts) => problem.Code switch
    {
        ChainProblemCodes.NoPathToTrustAnchor or ChainProblemCodes.PathBuildingLimitExceeded or ChainProblemCodes.WorkBudgetExceeded
            => "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
        ChainProblemCodes.SignatureInvalid => "PKIX path validation failed: java.security.cert.CertPathValidatorException: signature check failed",
        ChainProblemCodes.Expired => "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (CertificateExpiredException)",
        ChainProblemCodes.NotYetValid => "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (CertificateNotYetValidException)",
        ChainProblemCodes.CaBasicConstraintsInvalid => "PKIX path validation failed: sun.security.validator.ValidatorException: TrustAnchor is not a CA certificate",
        ChainProblemCodes.NotACA => "PKIX path validation failed: java.security.cert.CertPathValidatorException: basic constraints check failed: this is not a CA certificate",
        ChainProblemCodes.PathLengthExceeded or ChainProblemCodes.MaxDepthExceeded => "PKIX path validation failed: java.security.cert.CertPathValidatorException: basic constraints check failed: pathLenConstraint violated",
        ChainProblemCodes.KeyUsageMissingCertSign => "PKIX path validation failed: java.security.cert.CertPathValidatorException: CA key usage check failed: keyCertSign bit is not set",
        ChainProblemCodes.UnknownCriticalExtension or ChainProblemCodes.ExtensionMustBeNonCritical => "PKIX path validation failed: java.security.cert.CertPathValidatorException: Unrecognized critical extension(s)",
        ChainProblemCodes.SubjectAltNameNotCritical => "X.509 Certificate is incomplete: SubjectAlternativeName extension MUST be marked critical when subject field is empty",
        ChainProblemCodes.NameConstraintViolation or ChainProblemCodes.InvalidNameConstraint => "PKIX path validation failed: java.security.cert.CertPathValidatorException: name constraints check failed",
        ChainProblemCodes.PolicyRequired or ChainProblemCodes.PolicyMappingInvalid or ChainProblemCodes.PolicyTreeTooLarge => "PKIX path validation failed: java.security.cert.CertPathValidatorException: policy constraints check failed",
        ChainProblemCodes.HostnameMismatch => $"No subject alternative DNS name matching {facts.Request.DnsName} found.",
        ChainProblemCodes.IPAddressMismatch => $"No subject alternative names matching IP address {facts.Request.IPAddress} found",
        ChainProblemCodes.EkuMismatch or ChainProblemCodes.KeyUsageMismatch => "Extended key usage does not permit use for TLS server authentication",
        ChainProblemCodes.Revoked => "PKIX path validation failed: java.security.cert.CertPathValidatorException: Certificate has been revoked",
        ChainProblemCodes.SignatureAlgorithmUnsupported or ChainProblemCodes.SignatureAlgorithmParametersInvalid or ChainProblemCodes.SignatureAlgorithmNotAllowed
            => "PKIX path validation failed: java.security.cert.CertPathValidatorException: Algorithm constraints check failed on signature algorithm",
        _ => "PKIX path validation failed: " + problem.Message,
    };
}
