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

    /// <summary>
    /// RFC 5280 section 4 profile rules (but a critical AKI/SKI/AIA/SIA is an unknown critical extension to NSS) and CRL files.
    /// Policies are checked: vfychain -pp (libpkix, the measured one) processes the RFC 5280 policy tree; Firefox's
    /// mozilla::pkix checks policies only for EV.
    /// </summary>
    protected override IReadOnlySet<string> NotChecked { get; } = ClientRuleSets.Union(
        ClientRuleSets.CertificateProfileCodes.Where(c => c != ChainProblemCodes.ExtensionMustBeNonCritical), ClientRuleSets.RevocationCodes);

    protected override bool Checks(ChainProblem problem, ClientChainFacts facts) => base.Checks(problem, facts) && !ClientRuleSets.LenientlyDecoded(problem);

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
        ChainProblemCodes.UnknownCriticalExtension or ChainProblemCodes.ExtensionMustBeNonCritical => "SEC_ERROR_UNKNOWN_CRITICAL_EXTENSION: Certificate contains unknown critical extension.",
        ChainProblemCodes.NameConstraintViolation or ChainProblemCodes.InvalidNameConstraint => "SEC_ERROR_CERT_NOT_IN_NAME_SPACE: The Certifying Authority for this certificate is not permitted to issue a certificate with this name.",
        ChainProblemCodes.HostnameMismatch or ChainProblemCodes.IPAddressMismatch => "SSL_ERROR_BAD_CERT_DOMAIN: Unable to communicate securely with peer: requested domain name does not match the server's certificate.",
        ChainProblemCodes.EkuMismatch or ChainProblemCodes.WebPkiCaEkuMismatch => "SEC_ERROR_INADEQUATE_CERT_TYPE: Certificate type not approved for application.",
        ChainProblemCodes.SignatureAlgorithmUnsupported or ChainProblemCodes.SignatureAlgorithmParametersInvalid or ChainProblemCodes.SignatureAlgorithmNotAllowed
            => "SEC_ERROR_CERT_SIGNATURE_ALGORITHM_DISABLED: The certificate was signed using a signature algorithm that is disabled because it is not secure.",
        ChainProblemCodes.MalformedCertificate or ChainProblemCodes.MalformedExtension => "SEC_ERROR_BAD_DER: Security library: improperly formatted DER-encoded message.",
        ChainProblemCodes.PolicyRequired or ChainProblemCodes.PolicyMappingInvalid or ChainProblemCodes.PolicyTreeTooLarge => "SEC_ERROR_POLICY_VALIDATION_FAILED: Cert chain fails policy validation",
        _ => "SEC_ERROR_UNTRUSTED_CERT: " + problem.Message,
    };

    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts)
    {
        // Issuers are found by the DER subject (CERT_FindCertByName on the encoded name): differently encoded equal names do not chain.
        foreach (var c in facts.Path.Where(c => c.IssuerBytesMatchParent == false))
            yield return new ClientReason("Client.IssuerNameBytes", "SEC_ERROR_UNKNOWN_ISSUER: Peer's Certificate issuer is not recognized.", c.Index);
        if (ClientRuleSets.LeafKeyUsageUnfitForTls(facts))
            yield return new ClientReason("Client.LeafKeyUsagePurpose", "SEC_ERROR_INADEQUATE_KEY_USAGE: Certificate key usage inadequate for attempted operation.", 0);
        if (facts.Path.Count > 1 && facts.Path[0].IsCA && facts.Request.Purpose != ChainPurpose.Any)
            yield return new ClientReason("Client.LeafIsCa", "SEC_ERROR_INADEQUATE_CERT_TYPE: Certificate type not approved for application.", 0);
        foreach (var c in facts.Path.Where(ClientRuleSets.UnsupportedCurve))
            yield return new ClientReason("Client.UnsupportedCurve", "SEC_ERROR_BAD_SIGNATURE: Peer's certificate has an invalid signature.", c.Index);
        // Observed with NSS 3.87 (x509-limbo rfc5280::serial::negative): a leaf with a negative serial is refused.
        if (facts.Path.Count > 0 && facts.Path[0].SerialNegative)
            yield return new ClientReason("Client.NegativeSerial", "SEC_ERROR_INADEQUATE_KEY_USAGE: Certificate key usage inadequate for attempted operation.", 0);
        foreach (var (certificate, _) in ClientRuleSets.EkuNestingViolations(facts, includeAnchor: true))
            yield return new ClientReason("Client.CaEkuMismatch", "SEC_ERROR_INADEQUATE_CERT_TYPE: Certificate type not approved for application.", certificate.Index);
    }
}
