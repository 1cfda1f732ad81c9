namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// Chrome's own verifier (Chrome Root Store era; net/cert/pki verify_certificate_chain.cc and path_builder.cc, with
/// net/cert/cert_verify_proc.cc's checks): the validator's WebPki result minus the CA/B Forum profile rules Chromium does not
/// enforce at verification (AKI/SKI presence, serial encoding, root EKU/AKI, CN-in-SAN, leaf EKU presence, EKU criticality),
/// with SHA-1 refused, RSA keys below 1024 bits refused (ERR_CERT_WEAK_KEY), SANs required (no Common Name fallback since
/// Chrome 58), and EKU nested through the intermediates. Locally installed roots (Zscaler's) are exempt from Certificate
/// Transparency and the 398-day limit. Not runnable here: documented rules, no agreement figure.
/// </summary>
public sealed class ChromeClient : ClientProfile
{
    public override string Id => "chrome";

    public override string Name => "Chrome (Chrome Root Store verifier)";

    public override bool RunnableHere => false;

    protected override bool StartsFromWebPki => true;

    protected override IReadOnlySet<string> NotChecked { get; } = ClientRuleSets.Union(
        new[]
        {
            ChainProblemCodes.AuthorityKeyIdMissing, ChainProblemCodes.SubjectKeyIdMissing, ChainProblemCodes.ExtensionMustBeNonCritical,
            ChainProblemCodes.SignatureAlgorithmMismatch, ChainProblemCodes.PathLenWithoutKeyCertSign, ChainProblemCodes.NameConstraintsInEndEntity,
            ChainProblemCodes.PolicyRequired, ChainProblemCodes.PolicyMappingInvalid, ChainProblemCodes.PolicyTreeTooLarge,
            ChainProblemCodes.WebPkiSerialNumberInvalid, ChainProblemCodes.WebPkiRootAuthorityKeyIdInvalid, ChainProblemCodes.WebPkiRootHasEku,
            ChainProblemCodes.WebPkiCommonNameNotInSan, ChainProblemCodes.WebPkiEkuCritical, ChainProblemCodes.WebPkiAuthorityKeyIdMissing,
            ChainProblemCodes.WebPkiLeafMissingEku, ChainProblemCodes.WebPkiAnyEkuForbidden, ChainProblemCodes.WebPkiLeafIsCA,
            ChainProblemCodes.WebPkiForbiddenPublicKey, ChainProblemCodes.WebPkiForbiddenSignatureAlgorithm,
        },
        ClientRuleSets.RevocationCodes);

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
    }
}
