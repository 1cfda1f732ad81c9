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

    protected override IReadOnlySet<string> NotChecked { get; } = ClientRuleSets.CertificateProfileCodes;

    protected override bool IgnoresAnchorProblem(ChainProblem problem) =>
        problem.Code is ChainProblemCodes.CaBasicConstraintsInvalid or ChainProblemCodes.Expired or ChainProblemCodes.NotYetValid
            or ChainProblemCodes.KeyUsageMissingCertSign or ChainProblemCodes.UnknownCriticalExtension;

    protected override string ErrorFor(ChainProblem problem, ClientChainFacts facts) => problem.Code switch
    {
        ChainProblemCodes.NoPathToTrustAnchor or ChainProblemCodes.PathBuildingLimitExceeded or ChainProblemCodes.WorkBudgetExceeded
            => "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
        ChainProblemCodes.SignatureInvalid => "PKIX path validation failed: java.security.cert.CertPathValidatorException: signature check failed",
        ChainProblemCodes.Expired => "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (CertificateExpiredException)",
        ChainProblemCodes.NotYetValid => "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (CertificateNotYetValidException)",
        ChainProblemCodes.NotACA or ChainProblemCodes.CaBasicConstraintsInvalid => "PKIX path validation failed: java.security.cert.CertPathValidatorException: basic constraints check failed: this is not a CA certificate",
        ChainProblemCodes.PathLengthExceeded or ChainProblemCodes.MaxDepthExceeded => "PKIX path validation failed: java.security.cert.CertPathValidatorException: basic constraints check failed: pathLenConstraint violated",
        ChainProblemCodes.KeyUsageMissingCertSign => "PKIX path validation failed: java.security.cert.CertPathValidatorException: CA key usage check failed: keyCertSign bit is not set",
        ChainProblemCodes.UnknownCriticalExtension => "PKIX path validation failed: java.security.cert.CertPathValidatorException: Unrecognized critical extension(s)",
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
