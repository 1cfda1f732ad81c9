namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// NSS with mozilla::pkix (Firefox, Thunderbird, Chromium's NSS store on Linux; <c>vfychain</c>): pkixbuild.cpp
/// (path building, name chaining), pkixcheck.cpp CheckIssuerIndependentProperties (validity, basicConstraints with pathLen,
/// keyUsage keyCertSign, EKU nested through the CAs, trust anchors included), pkixnames.cpp (name constraints, host names),
/// pkixverify.cpp (signatures). No RFC 5280 policy processing outside EV, no CRL files (OCSP/CRLite instead), no RFC 5280
/// section 4 profile rules.
/// </summary>
public sealed class NssClient : ClientProfile
{
    public override string Id => "nss";

    public override string Name => "NSS (Firefox)";

    protected override IReadOnlySet<string> NotChecked { get; } = ClientRuleSets.Union(ClientRuleSets.CertificateProfileCodes, ClientRuleSets.RevocationCodes,
        new[] { ChainProblemCodes.PolicyRequired, ChainProblemCodes.PolicyMappingInvalid, ChainProblemCodes.PolicyTreeTooLarge });

    protected override string ErrorFor(ChainProblem problem, ClientChainFacts facts) => problem.Code switch
    {
        ChainProblemCodes.NoPathToTrustAnchor or ChainProblemCodes.PathBuildingLimitExceeded or ChainProblemCodes.WorkBudgetExceeded
            => "SEC_ERROR_UNKNOWN_ISSUER: Peer's Certificate issuer is not recognized.",
        ChainProblemCodes.SignatureInvalid => "SEC_ERROR_BAD_SIGNATURE: Peer's certificate has an invalid signature.",
        ChainProblemCodes.Expired => problem.ElementIndex == 0 ? "SEC_ERROR_EXPIRED_CERTIFICATE: Peer's Certificate has expired." : "SEC_ERROR_EXPIRED_ISSUER_CERTIFICATE: The certificate issuer's certificate has expired.",
        ChainProblemCodes.NotYetValid => "MOZILLA_PKIX_ERROR_NOT_YET_VALID_CERTIFICATE: The server presented a certificate that is not yet valid.",
        ChainProblemCodes.NotACA or ChainProblemCodes.CaBasicConstraintsInvalid => "SEC_ERROR_CA_CERT_INVALID: Issuer certificate is invalid.",
        ChainProblemCodes.PathLengthExceeded or ChainProblemCodes.MaxDepthExceeded => "SEC_ERROR_PATH_LEN_CONSTRAINT_INVALID: The certification path length constraint was violated.",
        ChainProblemCodes.KeyUsageMissingCertSign or ChainProblemCodes.KeyUsageMismatch => "SEC_ERROR_INADEQUATE_KEY_USAGE: Certificate key usage inadequate for attempted operation.",
        ChainProblemCodes.UnknownCriticalExtension => "SEC_ERROR_UNKNOWN_CRITICAL_EXTENSION: Certificate contains unknown critical extension.",
        ChainProblemCodes.NameConstraintViolation or ChainProblemCodes.InvalidNameConstraint => "SEC_ERROR_CERT_NOT_IN_NAME_SPACE: The Certifying Authority for this certificate is not permitted to issue a certificate with this name.",
        ChainProblemCodes.HostnameMismatch or ChainProblemCodes.IPAddressMismatch => "SSL_ERROR_BAD_CERT_DOMAIN: Unable to communicate securely with peer: requested domain name does not match the server's certificate.",
        ChainProblemCodes.EkuMismatch or ChainProblemCodes.WebPkiCaEkuMismatch => "SEC_ERROR_INADEQUATE_CERT_TYPE: Certificate type not approved for application.",
        ChainProblemCodes.SignatureAlgorithmUnsupported or ChainProblemCodes.SignatureAlgorithmParametersInvalid or ChainProblemCodes.SignatureAlgorithmNotAllowed
            => "SEC_ERROR_CERT_SIGNATURE_ALGORITHM_DISABLED: The certificate was signed using a signature algorithm that is disabled because it is not secure.",
        ChainProblemCodes.MalformedCertificate or ChainProblemCodes.MalformedExtension => "SEC_ERROR_BAD_DER: Security library: improperly formatted DER-encoded message.",
        _ => "SEC_ERROR_UNTRUSTED_CERT: " + problem.Message,
    };

    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts)
    {
        foreach (var (certificate, _) in ClientRuleSets.EkuNestingViolations(facts, includeAnchor: true))
            yield return new ClientReason("Client.CaEkuMismatch", "SEC_ERROR_INADEQUATE_CERT_TYPE: Certificate type not approved for application.", certificate.Index);
    }
}
