namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// rustls with rustls-webpki (cargo, uv, deno, many Rust CLIs; webpki-roots when bundled, rustls-native-certs for the OS
/// store): src/verify_cert.rs (path building; a trust anchor is only its subject, key and name constraints, so the root's
/// validity and extensions are not checked), src/cert.rs (v3 only), EKU nested (required EKU in every certificate that has
/// extKeyUsage), src/subject_name (SANs only, no Common Name), src/signed_data.rs (RSA 2048-8192 and ECDSA P-256/P-384,
/// Ed25519; no SHA-1). Not runnable here: documented rules, no agreement figure.
/// </summary>
public sealed class RustlsClient : ClientProfile
{
    public override string Id => "rustls";

    public override string Name => "rustls / webpki";

    public override bool RunnableHere => false;

    protected override bool StartsFromWebPki => true;

    protected override IReadOnlySet<string> NotChecked { get; } = ClientRuleSets.Union(
        new[]
        {
            ChainProblemCodes.AuthorityKeyIdMissing, ChainProblemCodes.SubjectKeyIdMissing, ChainProblemCodes.ExtensionMustBeNonCritical,
            ChainProblemCodes.ExtensionMustBeCritical, ChainProblemCodes.SignatureAlgorithmMismatch, ChainProblemCodes.PathLenWithoutKeyCertSign,
            ChainProblemCodes.KeyCertSignWithoutCA, ChainProblemCodes.NameConstraintsInEndEntity, ChainProblemCodes.KeyUsageMissingCertSign,
            ChainProblemCodes.PolicyRequired, ChainProblemCodes.PolicyMappingInvalid, ChainProblemCodes.PolicyTreeTooLarge,
            ChainProblemCodes.WebPkiSerialNumberInvalid, ChainProblemCodes.WebPkiRootAuthorityKeyIdInvalid, ChainProblemCodes.WebPkiRootHasEku,
            ChainProblemCodes.WebPkiCommonNameNotInSan, ChainProblemCodes.WebPkiEkuCritical, ChainProblemCodes.WebPkiAuthorityKeyIdMissing,
            ChainProblemCodes.WebPkiLeafMissingEku, ChainProblemCodes.WebPkiWildcardOnPublicSuffix, ChainProblemCodes.WebPkiLeafIsCA,
        });

    /// <summary>A rustls trust anchor is subject + key + name constraints: nothing else about the root is checked.</summary>
    protected override bool IgnoresAnchorProblem(ChainProblem problem) => problem.Code is not ChainProblemCodes.NameConstraintViolation;

    protected override string ErrorFor(ChainProblem problem, ClientChainFacts facts) => "invalid peer certificate: " + problem.Code switch
    {
        ChainProblemCodes.NoPathToTrustAnchor or ChainProblemCodes.PathBuildingLimitExceeded or ChainProblemCodes.SignatureInvalid
            or ChainProblemCodes.NotACA => "UnknownIssuer",
        ChainProblemCodes.WorkBudgetExceeded => "Other(MaximumSignatureChecksExceeded)",
        ChainProblemCodes.Expired => "Expired",
        ChainProblemCodes.NotYetValid => "NotValidYet",
        ChainProblemCodes.HostnameMismatch or ChainProblemCodes.IPAddressMismatch or ChainProblemCodes.WebPkiLeafMissingSan => "NotValidForName",
        ChainProblemCodes.Revoked => "Revoked",
        ChainProblemCodes.EkuMismatch or ChainProblemCodes.WebPkiCaEkuMismatch or ChainProblemCodes.WebPkiAnyEkuForbidden => "InvalidPurpose",
        ChainProblemCodes.PathLengthExceeded or ChainProblemCodes.MaxDepthExceeded => "Other(PathLenConstraintViolated)",
        ChainProblemCodes.NameConstraintViolation or ChainProblemCodes.InvalidNameConstraint => "Other(NameConstraintViolation)",
        ChainProblemCodes.UnknownCriticalExtension => "Other(UnsupportedCriticalExtension)",
        ChainProblemCodes.WebPkiNotV3 or ChainProblemCodes.InvalidVersion => "Other(UnsupportedCertVersion)",
        ChainProblemCodes.SignatureAlgorithmUnsupported or ChainProblemCodes.SignatureAlgorithmParametersInvalid or ChainProblemCodes.SignatureAlgorithmNotAllowed
            or ChainProblemCodes.WebPkiForbiddenSignatureAlgorithm or ChainProblemCodes.WebPkiForbiddenPublicKey => "UnsupportedSignatureAlgorithm",
        ChainProblemCodes.MalformedCertificate or ChainProblemCodes.MalformedExtension => "BadEncoding",
        var code when ClientRuleSets.RevocationCodes.Contains(code) => "UnknownRevocationStatus",
        _ => "Other(" + problem.Code + ")",
    };
}
