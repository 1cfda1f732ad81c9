namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// Go crypto/x509 (Certificate.Verify; Terraform, Docker, kubectl, gh): verify.go isValid (validity of every certificate,
/// the root included; basicConstraints cA and pathLen; name constraints), checkChainForKeyUsage (EKU nested through the
/// whole chain, root included), VerifyHostname (SANs only since Go 1.15; no Common Name fallback); parser.go refuses
/// duplicate extensions and, since Go 1.23, negative serial numbers. Go does not check keyUsage keyCertSign on CAs, RFC 5280
/// section 4 profile rules, or CRLs.
/// </summary>
public sealed class GoClient : ClientProfile
{
    public override string Id => "go";

    public override string Name => "Go crypto/x509";

    protected override IReadOnlySet<string> NotChecked { get; } = ClientRuleSets.Union(ClientRuleSets.CertificateProfileCodes, ClientRuleSets.RevocationCodes,
        new[] { ChainProblemCodes.KeyUsageMissingCertSign, ChainProblemCodes.KeyUsageMismatch });

    protected override string ErrorFor(ChainProblem problem, ClientChainFacts facts) => problem.Code switch
    {
        ChainProblemCodes.NoPathToTrustAnchor or ChainProblemCodes.PathBuildingLimitExceeded or ChainProblemCodes.WorkBudgetExceeded
            or ChainProblemCodes.SignatureInvalid => "x509: certificate signed by unknown authority",
        ChainProblemCodes.Expired or ChainProblemCodes.NotYetValid => "x509: certificate has expired or is not yet valid",
        ChainProblemCodes.NotACA or ChainProblemCodes.CaBasicConstraintsInvalid => "x509: certificate signed by unknown authority (possibly because the issuer is not authorized to sign other certificates)",
        ChainProblemCodes.PathLengthExceeded or ChainProblemCodes.MaxDepthExceeded => "x509: too many intermediates for path length constraint",
        ChainProblemCodes.UnknownCriticalExtension => "x509: unhandled critical extension",
        ChainProblemCodes.NameConstraintViolation or ChainProblemCodes.InvalidNameConstraint => "x509: a root or intermediate certificate is not authorized to sign for this name",
        ChainProblemCodes.HostnameMismatch or ChainProblemCodes.IPAddressMismatch or ChainProblemCodes.EmailAddressMismatch
            => $"x509: certificate is not valid for {(object?)facts.Request.DnsName ?? facts.Request.IPAddress}",
        ChainProblemCodes.EkuMismatch or ChainProblemCodes.WebPkiCaEkuMismatch => "x509: certificate specifies an incompatible key usage",
        ChainProblemCodes.SignatureAlgorithmUnsupported or ChainProblemCodes.SignatureAlgorithmParametersInvalid or ChainProblemCodes.SignatureAlgorithmNotAllowed
            => "x509: cannot verify signature: algorithm unimplemented",
        ChainProblemCodes.PolicyRequired or ChainProblemCodes.PolicyMappingInvalid or ChainProblemCodes.PolicyTreeTooLarge => "x509: no valid chains built: all candidate chains have invalid policies",
        ChainProblemCodes.MalformedCertificate or ChainProblemCodes.MalformedExtension => "x509: malformed certificate",
        _ => "x509: " + problem.Message,
    };

    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts)
    {
        if (ClientRuleSets.HostNeedsSan(facts))
            yield return new ClientReason("Client.CommonNameNotUsed", "x509: certificate relies on legacy Common Name field, use SANs instead", 0);
        foreach (var (certificate, _) in ClientRuleSets.EkuNestingViolations(facts, includeAnchor: true))
            yield return new ClientReason("Client.CaEkuMismatch", "x509: certificate specifies an incompatible key usage", certificate.Index);
        foreach (var c in facts.Path.Where(c => c.SerialNegative))
            yield return new ClientReason("Client.NegativeSerial", "x509: negative serial number", c.Index);
    }
}
