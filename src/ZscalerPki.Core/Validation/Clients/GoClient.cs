namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// Go crypto/x509 (Certificate.Verify; Terraform, Docker, kubectl, gh), as Debian 12 ships it (Go 1.19, the measured one):
/// verify.go isValid (validity of every certificate, the root included, to the nanosecond; basicConstraints cA; pathLen
/// counting every intermediate; name constraints for DNS, IP, email and URI), CheckSignatureFrom (keyCertSign when the
/// parent has keyUsage; no DSA), buildChains (issuer found by the raw subject bytes), checkChainForKeyUsage (EKU nested
/// through the whole chain), VerifyHostname (SANs only since Go 1.15); parser.go (critical extensions it does not handle:
/// the policy extensions, name constraints of other forms, unsupported curves). No RFC 5280 section 4 profile rules, no
/// policy processing, no CRLs. Go 1.22+ processes policies and Go 1.23+ refuses negative serials (docs/RULES.md).
/// </summary>
public sealed class GoClient : ClientProfile
{
    public override string Id => "go";

    public override string Name => "Go crypto/x509";

    protected override IReadOnlySet<string> NotChecked { get; } = ClientRuleSets.Union(ClientRuleSets.CertificateProfileCodes, ClientRuleSets.RevocationCodes,
        new[] { ChainProblemCodes.KeyUsageMismatch, ChainProblemCodes.PolicyRequired, ChainProblemCodes.PolicyMappingInvalid, ChainProblemCodes.PolicyTreeTooLarge });

    private const string UnknownAuthority = "x509: certificate signed by unknown authority";

    /// <summary>Extensions Go 1.19's parser handles (parser.go processExtensions); any other critical one is unhandled.</summary>
    private static readonly HashSet<string> Handled = new()
    {
        Oids.KeyUsage, Oids.BasicConstraints, Oids.SubjectAltName, Oids.NameConstraints, Oids.CrlDistributionPoints,
        Oids.AuthorityKeyId, Oids.ExtendedKeyUsage, Oids.SubjectKeyId, Oids.CertificatePolicies, Oids.AuthorityInfoAccess,
    };

    private static readonly HashSet<string> ConstraintForms = new() { "dNSName", "iPAddress", "rfc822Name", "uniformResourceIdentifier" };

    private static readonly HashSet<string> Curves = new() { "1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35", "1.3.132.0.33" };

    private static readonly HashSet<string> DsaSignatures = new() { "1.2.840.10040.4.3", "2.16.840.1.101.3.4.3.1", "2.16.840.1.101.3.4.3.2" };

    protected override string ErrorFor(ChainProblem problem, ClientChainFacts facts) => problem.Code switch
    {
        ChainProblemCodes.NoPathToTrustAnchor or ChainProblemCodes.PathBuildingLimitExceeded or ChainProblemCodes.WorkBudgetExceeded
            or ChainProblemCodes.SignatureInvalid => UnknownAuthority,
        ChainProblemCodes.Expired or ChainProblemCodes.NotYetValid => "x509: certificate has expired or is not yet valid",
        ChainProblemCodes.NotACA or ChainProblemCodes.CaBasicConstraintsInvalid => "x509: certificate signed by unknown authority (possibly because the issuer is not authorized to sign other certificates)",
        ChainProblemCodes.KeyUsageMissingCertSign => "x509: certificate signed by unknown authority (possibly because of \"x509: invalid signature: parent certificate cannot sign this kind of certificate\")",
        ChainProblemCodes.PathLengthExceeded or ChainProblemCodes.MaxDepthExceeded => "x509: too many intermediates for path length constraint",
        ChainProblemCodes.UnknownCriticalExtension => "x509: unhandled critical extension",
        ChainProblemCodes.NameConstraintViolation or ChainProblemCodes.InvalidNameConstraint => "x509: a root or intermediate certificate is not authorized to sign for this name",
        ChainProblemCodes.HostnameMismatch or ChainProblemCodes.IPAddressMismatch or ChainProblemCodes.EmailAddressMismatch
            => $"x509: certificate is not valid for {(object?)facts.Request.DnsName ?? facts.Request.IPAddress}",
        ChainProblemCodes.EkuMismatch or ChainProblemCodes.WebPkiCaEkuMismatch => "x509: certificate specifies an incompatible key usage",
        ChainProblemCodes.SignatureAlgorithmUnsupported or ChainProblemCodes.SignatureAlgorithmParametersInvalid or ChainProblemCodes.SignatureAlgorithmNotAllowed
            => "x509: cannot verify signature: algorithm unimplemented",
        ChainProblemCodes.MalformedCertificate or ChainProblemCodes.MalformedExtension => "x509: malformed certificate",
        _ => "x509: " + problem.Message,
    };

    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts)
    {
        var path = facts.Path;
        // buildChains looks issuers up by the raw subject bytes: an issuer name that is equal under RFC 5280 7.1 but encoded
        // differently (case, spaces, PrintableString vs UTF8String) finds no parent.
        foreach (var c in path.Where(c => c.IssuerBytesMatchParent == false))
            yield return new ClientReason("Client.IssuerNameBytes", UnknownAuthority, c.Index);
        foreach (var c in path)
        {
            // parser.go: critical extensions Go does not handle (Go 1.19: certificatePolicies' companions, i.e.
            // policyConstraints, policyMappings and inhibitAnyPolicy; name constraints of forms it cannot check).
            if (c.CriticalExtensionOids.Any(o => !Handled.Contains(o))
                || (c.CriticalExtensionOids.Contains(Oids.NameConstraints) && c.NameConstraintForms.Any(f => !ConstraintForms.Contains(f))))
                yield return new ClientReason("Client.UnhandledCriticalExtension", "x509: unhandled critical extension", c.Index);
            if (c.KeyParametersInherited)
                yield return new ClientReason("Client.DsaParametersInherited", "x509: invalid DSA parameters", c.Index);
            if (c.EcCurve is { } curve && !Curves.Contains(curve))
                yield return new ClientReason("Client.UnsupportedCurve", "x509: unsupported elliptic curve", c.Index);
            if (c.CrlDistributionPointIndirect)
                yield return new ClientReason("Client.CrlDistributionPointUnparsed", "x509: invalid CRL distribution point", c.Index);
            if (!c.IsTrustAnchor && DsaSignatures.Contains(c.SignatureAlgorithm))
                yield return new ClientReason("Client.DsaSignature", UnknownAuthority + " (possibly because of \"x509: cannot verify signature: insecure algorithm DSA-SHA1\")", c.Index);
        }
        // isValid: pathLen counts every intermediate below the CA, self-issued ones included.
        for (int i = 1; i < path.Count; i++)
            if (path[i].PathLength is { } pathLen && i - 1 > pathLen)
                yield return new ClientReason("Client.PathLenCountsSelfIssued", "x509: too many intermediates for path length constraint", path[i].Index);
        // isValid compares times to the nanosecond: a certificate whose notAfter is earlier than the verification time is expired.
        var at = facts.Result.At.UtcDateTime;
        foreach (var c in path.Where(c => c.NotAfter < at && at - c.NotAfter < TimeSpan.FromSeconds(1)))
            yield return new ClientReason("Client.ExpiredSubSecond", "x509: certificate has expired or is not yet valid", c.Index);
        if (ClientRuleSets.HostNeedsSan(facts))
            yield return new ClientReason("Client.CommonNameNotUsed", "x509: certificate relies on legacy Common Name field, use SANs instead", 0);
        foreach (var (certificate, _) in ClientRuleSets.EkuNestingViolations(facts, includeAnchor: true))
            yield return new ClientReason("Client.CaEkuMismatch", "x509: certificate specifies an incompatible key usage", certificate.Index);
    }
}
