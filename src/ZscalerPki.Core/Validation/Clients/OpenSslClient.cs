namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// OpenSSL 3 with default flags (<c>openssl verify</c>, curl, wget, git, Ruby, PHP; Python &lt; 3.13): crypto/x509/x509_vfy.c
/// verify_chain — check_chain (basicConstraints cA and pathLen, keyUsage keyCertSign, purpose), check_name_constraints,
/// check_id (host), check_revocation (with CRLs), internal_verify (signatures, validity). RFC 5280 section 4 profile
/// rules (AKI/SKI presence, criticality) are checked only under X509_V_FLAG_X509_STRICT (<see cref="OpenSslStrictClient"/>).
/// </summary>
public class OpenSslClient : ClientProfile
{
    public override string Id => "openssl";

    public override string Name => "OpenSSL 3 (default)";

    protected override IReadOnlySet<string> NotChecked { get; } = ClientRuleSets.Union(ClientRuleSets.CertificateProfileCodes,
        new[] { ChainProblemCodes.PolicyRequired, ChainProblemCodes.PolicyMappingInvalid, ChainProblemCodes.PolicyTreeTooLarge });

    /// <summary>OpenSSL's X509_verify_cert_error_string texts (crypto/x509/x509_txt.c), with the X509_V_ERR code number.</summary>
    internal static string Text(string code) => code switch
    {
        ChainProblemCodes.NoPathToTrustAnchor or ChainProblemCodes.PathBuildingLimitExceeded or ChainProblemCodes.WorkBudgetExceeded
            => "unable to get local issuer certificate (20)",
        ChainProblemCodes.SignatureInvalid => "certificate signature failure (7)",
        ChainProblemCodes.SignatureAlgorithmUnsupported or ChainProblemCodes.SignatureAlgorithmParametersInvalid or ChainProblemCodes.SignatureAlgorithmNotAllowed
            => "certificate signature failure (7)",
        ChainProblemCodes.Expired => "certificate has expired (10)",
        ChainProblemCodes.NotYetValid => "certificate is not yet valid (9)",
        ChainProblemCodes.NotACA or ChainProblemCodes.CaBasicConstraintsInvalid => "invalid CA certificate (79)",
        ChainProblemCodes.PathLengthExceeded or ChainProblemCodes.MaxDepthExceeded => "path length constraint exceeded (25)",
        ChainProblemCodes.KeyUsageMissingCertSign => "key usage does not include certificate signing (32)",
        ChainProblemCodes.UnknownCriticalExtension => "unhandled critical extension (34)",
        ChainProblemCodes.NameConstraintViolation => "permitted subtree violation (47)",
        ChainProblemCodes.InvalidNameConstraint => "name constraints minimum and maximum not supported (49)",
        ChainProblemCodes.PolicyRequired or ChainProblemCodes.PolicyMappingInvalid or ChainProblemCodes.PolicyTreeTooLarge => "no explicit policy (43)",
        ChainProblemCodes.HostnameMismatch => "hostname mismatch (62)",
        ChainProblemCodes.IPAddressMismatch => "IP address mismatch (64)",
        ChainProblemCodes.EmailAddressMismatch => "email address mismatch (63)",
        ChainProblemCodes.EkuMismatch or ChainProblemCodes.KeyUsageMismatch or ChainProblemCodes.WebPkiCaEkuMismatch => "unsupported certificate purpose (26)",
        ChainProblemCodes.Revoked => "certificate revoked (23)",
        ChainProblemCodes.CrlExpired => "CRL has expired (12)",
        ChainProblemCodes.NoCrl or ChainProblemCodes.RevocationUnknown or ChainProblemCodes.CrlSignerNotFound or ChainProblemCodes.CrlScopeMismatch
            => "unable to get certificate CRL (3)",
        ChainProblemCodes.MalformedCertificate or ChainProblemCodes.MalformedExtension or ChainProblemCodes.InvalidVersion
            => "invalid or inconsistent certificate extension (41)",
        _ => "certificate verify failed (" + code + ")",
    };

    protected override string ErrorFor(ChainProblem problem, ClientChainFacts facts) => Text(problem.Code);

    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts)
    {
        // check_chain -> check_purpose: an issuing CA whose extKeyUsage lacks the purpose is refused (X509_PURPOSE sslserver
        // checks xku on CAs); trusted anchors are exempt (check_purpose returns early for trusted certificates).
        foreach (var (certificate, _) in ClientRuleSets.EkuNestingViolations(facts, includeAnchor: false))
        {
            yield return new ClientReason("Client.CaEkuMismatch", Text(ChainProblemCodes.EkuMismatch), certificate.Index);
        }
    }
}
