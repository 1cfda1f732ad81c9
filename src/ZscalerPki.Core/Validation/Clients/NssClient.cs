namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// NSS with mozilla::pkix (Firefox, Thunderbird, Chromium's NSS store on Linux; <c>vfychain</c>): pkixbuild.cpp
/// (path building, name chaining), pkixcheck.cpp CheckIssuerIndependentProperties (validity, basicConstraints with pathLen,
/// keyUsage keyCertSign, EKU nested through the CAs, trust anchors included), pkixnames.cpp (name constraints, host names),
/// pkixverify.cpp (signatures). No RFC 5280 policy processing outside EV, no CRL files (OCSP/CRLite instead), no RFC 5280
/// section 4 profile rules. The measured verifier is vfychain -pp (libpkix over certdb): validity with a one-day pending
/// slop before notBefore, the leaf's keyUsage per key type (CERT_CheckKeyUsage), name constraints by genname.c.
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

    protected override bool Checks(ChainProblem problem, ClientChainFacts facts) =>
        base.Checks(problem, facts) && !ClientRuleSets.LenientlyDecoded(problem)
        && !(problem.Code == ChainProblemCodes.NotYetValid && WithinPendingSlop(problem, facts))
        && !(problem.Code == ChainProblemCodes.NameConstraintViolation && problem.Message.StartsWith("name form OtherName cannot be checked", StringComparison.Ordinal));

    /// <summary>
    /// certdb.c CERT_CheckCertValidTimes (what libpkix's pkix_pl_Cert_CheckValidity calls): a certificate counts as valid from
    /// notBefore minus the "pending slop" of one day (PENDING_SLOP, CERT_SetSlopTime), for clock skew; notAfter is exact.
    /// </summary>
    private static bool WithinPendingSlop(ChainProblem problem, ClientChainFacts facts) =>
        facts.Path.FirstOrDefault(c => c.Index == problem.ElementIndex) is { } c && facts.Result.At.UtcDateTime >= c.NotBefore - PendingSlop;

    private static readonly TimeSpan PendingSlop = TimeSpan.FromDays(1);

    /// <summary>
    /// genname.c cert_CompareNameWithConstraints for otherName: an excluded otherName constraint never excludes a name; a
    /// permitted one matches an otherName of the same type-id OID. The certificates below each constrained CA, leaf first.
    /// </summary>
    private static IEnumerable<ClientCertificateFacts> OtherNameOutsidePermitted(IReadOnlyList<ClientCertificateFacts> path)
    {
        for (int i = 1; i < path.Count; i++)
        {
            if (path[i].PermittedSubtrees?.Where(t => t.Form == "otherName").Select(t => t.Text).ToHashSet() is not { Count: > 0 } permitted)
                continue;
            foreach (var below in path.Take(i).Where(b => b.Index == 0 || !b.IsSelfIssued))
                if (below.SubjectAltNames.Any(n => n.Form == "otherName" && !permitted.Contains(n.Text)))
                    yield return path[i];
        }
    }

    /// <summary>
    /// certdb.c CERT_KeyUsageAndTypeForCertUsage + CERT_CheckKeyUsage for the leaf (libpkix pkix_pl_Cert_VerifyKeyUsage):
    /// SSL server needs keyEncipherment on an RSA key, digitalSignature on an RSA-PSS or DSA key, digitalSignature or
    /// keyAgreement on an EC key; SSL client needs digitalSignature. A leaf without keyUsage allows everything.
    /// </summary>
    private static bool LeafKeyUsageRefused(ClientChainFacts facts)
    {
        if (facts.Path.Count == 0 || facts.Path[0].KeyUsage is not { } usage)
            return false;
        const System.Security.Cryptography.X509Certificates.X509KeyUsageFlags Sign = System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.DigitalSignature;
        const System.Security.Cryptography.X509Certificates.X509KeyUsageFlags Encipher = System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.KeyEncipherment;
        const System.Security.Cryptography.X509Certificates.X509KeyUsageFlags Agree = System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.KeyAgreement;
        return facts.Request.Purpose switch
        {
            ChainPurpose.ClientAuth => (usage & Sign) == 0,
            ChainPurpose.ServerAuth => facts.Path[0].KeyAlgorithm switch
            {
                "1.2.840.113549.1.1.1" => (usage & Encipher) == 0,
                "1.2.840.113549.1.1.10" or "1.2.840.10040.4.1" => (usage & Sign) == 0,
                "1.2.840.10045.2.1" => (usage & (Sign | Agree)) == 0,
                _ => false,
            },
            _ => false,
        };
    }

    /// <summary>libpkix checks name constraints with certdb/genname.c CERT_CompareNameSpace: dNSNames by compareDNSN2C, as strings.</summary>
    protected override ChainValidationResult BaseResult(ClientChainFacts facts) => ClientRuleSets.WithLiteralDnsNameConstraints(facts);

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
        if (LeafKeyUsageRefused(facts))
            yield return new ClientReason("Client.LeafKeyUsagePurpose", "SEC_ERROR_INADEQUATE_KEY_USAGE: Certificate key usage inadequate for attempted operation.", 0);
        if (facts.Path.Count > 1 && facts.Path[0].IsCA && facts.Request.Purpose != ChainPurpose.Any)
            yield return new ClientReason("Client.LeafIsCa", "SEC_ERROR_INADEQUATE_CERT_TYPE: Certificate type not approved for application.", 0);
        // A key on an unsupported curve cannot verify a signature: only the issuers' keys are used in verification (the
        // leaf's key is used by the TLS handshake, not by CERT_PKIXVerifyCert).
        foreach (var c in facts.Path.Skip(1).Where(ClientRuleSets.UnsupportedCurve))
            yield return new ClientReason("Client.UnsupportedCurve", "SEC_ERROR_BAD_SIGNATURE: Peer's certificate has an invalid signature.", c.Index - 1);
        foreach (var c in OtherNameOutsidePermitted(facts.Path))
            yield return new ClientReason("Client.OtherNameNotPermitted", "SEC_ERROR_CERT_NOT_IN_NAME_SPACE: The Certifying Authority for this certificate is not permitted to issue a certificate with this name.", c.Index);
        foreach (var (certificate, _) in ClientRuleSets.EkuNestingViolations(facts, includeAnchor: true))
            yield return new ClientReason("Client.CaEkuMismatch", "SEC_ERROR_INADEQUATE_CERT_TYPE: Certificate type not approved for application.", certificate.Index);
    }
}
