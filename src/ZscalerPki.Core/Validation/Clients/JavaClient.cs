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

    protected override bool Checks(ChainProblem problem, ClientChainFacts facts) => base.Checks(problem, facts) && !ClientRuleSets.LenientlyDecoded(problem);

    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts)
    {
        if (ClientRuleSets.LeafKeyUsageUnfitForTls(facts))
            yield return new ClientReason("Client.LeafKeyUsagePurpose", "KeyUsage does not allow digital signatures", 0);
        foreach (var c in facts.Path.Where(ClientRuleSets.UnsupportedCurve))
            yield return new ClientReason("Client.UnsupportedCurve", "PKIX path validation failed: java.security.cert.CertPathValidatorException: Algorithm constraints check failed on keysize limits", c.Index);
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
