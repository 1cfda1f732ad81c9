namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// Windows CryptoAPI (CertGetCertificateChain + CertVerifyCertificateChainPolicy with CERT_CHAIN_POLICY_SSL; Edge, .NET on
/// Windows, PowerShell, Invoke-WebRequest, git with schannel): chain trust status bits (CERT_TRUST_IS_NOT_TIME_VALID,
/// CERT_TRUST_IS_NOT_SIGNATURE_VALID, CERT_TRUST_INVALID_BASIC_CONSTRAINTS, CERT_TRUST_IS_NOT_VALID_FOR_USAGE for EKU nested
/// through every certificate, CERT_TRUST_INVALID_NAME_CONSTRAINTS) and the SSL policy's host name check (SAN, Common Name
/// when the leaf has no dNSName). Windows does not check RFC 5280 section 4 profile rules, keyUsage keyCertSign, or the
/// root's criticality. Not runnable here: documented rules behind the same interface, no agreement figure.
/// </summary>
public sealed class WindowsClient : ClientProfile
{
    public override string Id => "windows";

    public override string Name => "Windows CryptoAPI";

    public override bool RunnableHere => false;

    protected override IReadOnlySet<string> NotChecked { get; } = ClientRuleSets.Union(ClientRuleSets.CertificateProfileCodes,
        new[] { ChainProblemCodes.KeyUsageMissingCertSign, ChainProblemCodes.PolicyRequired, ChainProblemCodes.PolicyMappingInvalid, ChainProblemCodes.PolicyTreeTooLarge });

    protected override string ErrorFor(ChainProblem problem, ClientChainFacts facts) => problem.Code switch
    {
        ChainProblemCodes.NoPathToTrustAnchor or ChainProblemCodes.PathBuildingLimitExceeded or ChainProblemCodes.WorkBudgetExceeded
            => "CERT_E_UNTRUSTEDROOT (0x800B0109): A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider.",
        ChainProblemCodes.SignatureInvalid => "TRUST_E_CERT_SIGNATURE (0x80096004): The signature of the certificate cannot be verified.",
        ChainProblemCodes.Expired or ChainProblemCodes.NotYetValid => "CERT_E_EXPIRED (0x800B0101): A required certificate is not within its validity period.",
        ChainProblemCodes.NotACA or ChainProblemCodes.CaBasicConstraintsInvalid or ChainProblemCodes.PathLengthExceeded or ChainProblemCodes.MaxDepthExceeded
            => "TRUST_E_BASIC_CONSTRAINTS (0x80096019): A certificate's basic constraint extension has not been observed.",
        ChainProblemCodes.HostnameMismatch or ChainProblemCodes.IPAddressMismatch => "CERT_E_CN_NO_MATCH (0x800B010F): The certificate's CN name does not match the passed value.",
        ChainProblemCodes.EkuMismatch or ChainProblemCodes.KeyUsageMismatch => "CERT_E_WRONG_USAGE (0x800B0110): The certificate is not valid for the requested usage.",
        ChainProblemCodes.NameConstraintViolation or ChainProblemCodes.InvalidNameConstraint => "CERT_E_INVALID_NAME (0x800B0114): The certificate has an invalid name.",
        ChainProblemCodes.Revoked => "CRYPT_E_REVOKED (0x80092010): The certificate is revoked.",
        ChainProblemCodes.UnknownCriticalExtension => "CERT_E_CRITICAL (0x800B0105): A certificate contains an unknown extension that is marked 'critical'.",
        var code when ClientRuleSets.RevocationCodes.Contains(code) => "CRYPT_E_REVOCATION_OFFLINE (0x80092013): The revocation function was unable to check revocation because the revocation server was offline.",
        _ => "CERT_E_CHAINING (0x800B010A): A certificate chain could not be built to a trusted root authority.",
    };

    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts)
    {
        foreach (var (certificate, _) in ClientRuleSets.EkuNestingViolations(facts, includeAnchor: true))
            yield return new ClientReason("Client.CaEkuMismatch", "CERT_E_WRONG_USAGE (0x800B0110): The certificate is not valid for the requested usage.", certificate.Index);
    }
}
