using System.Security.Cryptography.X509Certificates;

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

    protected override IReadOnlySet<string> NotChecked { get; } = ClientRuleSets.CertificateProfileCodes;

    private static readonly HashSet<string> PolicyCodes = new() { ChainProblemCodes.PolicyRequired, ChainProblemCodes.PolicyMappingInvalid, ChainProblemCodes.PolicyTreeTooLarge };

    /// <summary>
    /// The policy tree is evaluated only under X509_V_FLAG_POLICY_CHECK (x509_vfy.c verify_chain), which an application sets
    /// with a policy input (-policy, -explicit_policy, -inhibit_map, -inhibit_any); TLS clients do not.
    /// </summary>
    protected override bool Checks(ChainProblem problem, ClientChainFacts facts) =>
        base.Checks(problem, facts)
        && (!PolicyCodes.Contains(problem.Code) || ClientRuleSets.HasPolicyInputs(facts.Request))
        && !ClientRuleSets.LenientlyDecoded(problem)
        && !(problem.Code == ChainProblemCodes.HostnameMismatch && PartialWildcards && PartialWildcardMatches(facts));

    /// <summary>
    /// X509_check_host without X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS (openssl verify -verify_hostname, curl): a left-most
    /// label such as "f*.example.com" matches "foo.example.com" (v3_utl.c wildcard_match). Python sets the flag.
    /// </summary>
    protected virtual bool PartialWildcards => true;

    private static bool PartialWildcardMatches(ClientChainFacts facts)
    {
        if (facts.Request.DnsName is not { } host || facts.Path.Count == 0)
            return false;
        host = host.TrimEnd('.');
        int hostDot = host.IndexOf('.');
        if (hostDot <= 0)
            return false;
        foreach (var pattern in facts.Path[0].DnsNames)
        {
            int dot = pattern.IndexOf('.');
            if (dot <= 0 || pattern.Count(ch => ch == '*') != 1 || pattern.IndexOf('*') > dot || pattern.Count(ch => ch == '.') < 2)
                continue;
            if (!string.Equals(pattern[dot..], host[hostDot..], StringComparison.OrdinalIgnoreCase))
                continue;
            var label = pattern[..dot];
            var hostLabel = host[..hostDot];
            // v3_utl.c valid_star: no wildcard inside an IDNA A-label ("xn--…").
            if (label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase) || hostLabel.StartsWith("xn--", StringComparison.OrdinalIgnoreCase))
                continue;
            int star = label.IndexOf('*');
            string prefix = label[..star], suffix = label[(star + 1)..];
            if (hostLabel.Length >= prefix.Length + suffix.Length
                && hostLabel.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && hostLabel.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

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
        ChainProblemCodes.EkuMismatch or ChainProblemCodes.KeyUsageMismatch or ChainProblemCodes.WebPkiCaEkuMismatch => "unsuitable certificate purpose (26)",
        ChainProblemCodes.Revoked => "certificate revoked (23)",
        ChainProblemCodes.CrlExpired => "CRL has expired (12)",
        ChainProblemCodes.NoCrl or ChainProblemCodes.RevocationUnknown or ChainProblemCodes.CrlSignerNotFound or ChainProblemCodes.CrlScopeMismatch
            => "unable to get certificate CRL (3)",
        ChainProblemCodes.MalformedCertificate or ChainProblemCodes.MalformedExtension or ChainProblemCodes.InvalidVersion
            => "invalid or inconsistent certificate extension (41)",
        _ => "certificate verify failed (" + code + ")",
    };

    protected override string ErrorFor(ChainProblem problem, ClientChainFacts facts) => Text(problem.Code);

    /// <summary>
    /// Revocation with the CRLs OpenSSL uses without X509_V_FLAG_EXTENDED_CRL_SUPPORT (what -crl_check_all and TLS clients
    /// set; x509_vfy.c get_crl_sk / get_crl_score / check_crl_path): no indirect CRLs, no CRLs partitioned by reasons
    /// (onlySomeReasons), and only CRLs signed with the key of a certificate on the path whose subject is the CRL issuer (a
    /// separate CRL-signing key is not looked for). Delta CRLs stay: dropping them predicted PKITS 4.15.x worse (measured).
    /// dNSName constraints are compared as strings (v3_ncons.c nc_dns: <see cref="ClientRuleSets.WithLiteralDnsNameConstraints"/>).
    /// </summary>
    protected override ChainValidationResult BaseResult(ClientChainFacts facts)
    {
        if (facts.Request.Crls.Count == 0 || facts.Request.RevocationMode == RevocationMode.None)
            return ClientRuleSets.WithLiteralDnsNameConstraints(facts);
        var usable = UsableCrls(facts);
        return usable.Count == facts.Request.Crls.Count
            ? ClientRuleSets.WithLiteralDnsNameConstraints(facts)
            : ClientRuleSets.WithLiteralDnsNameConstraints(facts, "openssl-crls", r => r with { Crls = usable, RevocationMode = RevocationMode.Check });
    }

    private static List<byte[]> UsableCrls(ClientChainFacts facts)
    {
        var path = facts.Result.Elements.Select(e => ParsedCertificate.From(e.Certificate)).ToList();
        var usable = new List<byte[]>();
        foreach (var raw in facts.Request.Crls)
        {
            ParsedCrl crl;
            try
            {
                crl = ParsedCrl.From(raw);
            }
            catch (PkiException)
            {
                continue;
            }
            if (crl.Idp is { IndirectCrl: true } || crl.Idp?.OnlySomeReasons is not null)
                continue;
            bool signedByPathKey = path.Any(c => c.Subject.Canonical == crl.Issuer.Canonical
                && (crl.AuthorityKeyId is null || c.SubjectKeyId is null || crl.AuthorityKeyId.AsSpan().SequenceEqual(c.SubjectKeyId)));
            if (signedByPathKey)
                usable.Add(raw);
        }
        return usable;
    }

    /// <summary>
    /// The trust anchor's own basicConstraints: check_chain lets the top certificate pass unless X509_check_ca() is 0, so a
    /// root without basicConstraints (v1, or keyUsage keyCertSign only) is accepted by default; cA FALSE is not.
    /// </summary>
    protected override bool IgnoresAnchorProblem(ChainProblem problem) =>
        problem.Code == ChainProblemCodes.CaBasicConstraintsInvalid && problem.Message.Contains("no basicConstraints", StringComparison.Ordinal);

    /// <summary>Extensions OpenSSL may see critical (v3_purp.c X509_supported_extension); any other critical one is error 34.</summary>
    private static readonly HashSet<string> SupportedCritical = new()
    {
        "2.16.840.1.113730.1.1", Oids.KeyUsage, Oids.ExtendedKeyUsage, Oids.SubjectAltName, Oids.BasicConstraints, Oids.CertificatePolicies,
        Oids.PolicyConstraints, Oids.NameConstraints, Oids.PolicyMappings, Oids.InhibitAnyPolicy, "1.3.6.1.5.5.7.1.14",
        "1.3.6.1.5.5.7.1.7", "1.3.6.1.5.5.7.1.8",
    };

    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts)
    {
        var path = facts.Path;
        // Without X509_V_FLAG_PARTIAL_CHAIN the chain must end in a self-signed trusted certificate (x509_vfy.c build_chain,
        // X509_check_issued(x, x) with X509_check_akid): a trusted intermediate, a cross-signed root, or a root whose AKI
        // names another key or issuer makes OpenSSL look further up and fail with error 2.
        if (facts.Anchored && !path[^1].SelfSignedByAki)
            yield return new ClientReason("Client.AnchorNotSelfSigned", "unable to get issuer certificate (2)", path[^1].Index);
        // Issuers are looked up by subject name: a CA with an empty subject is never found (error 2).
        foreach (var c in path.Skip(1).Where(c => c.SubjectEmpty))
            yield return new ClientReason("Client.IssuerSubjectEmpty", "unable to get issuer certificate (2)", c.Index);
        // -verify_depth / X509_VERIFY_PARAM_set_depth counts every intermediate, self-issued ones included (error 22).
        if (facts.Request.MaxDepth is { } depth && facts.Anchored && path.Count - 2 > depth)
            yield return new ClientReason("Client.ChainTooLong", "certificate chain too long (22)", null);
        // X509_cmp_time: a certificate whose notAfter equals the verification time (to the second) has expired (error 10).
        var at = facts.Result.At.UtcDateTime;
        var atSecond = new DateTime(at.Ticks - at.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        foreach (var c in path.Where(c => c.NotAfter == atSecond))
            yield return new ClientReason("Client.ExpiredAtNotAfter", Text(ChainProblemCodes.Expired), c.Index);
        // v3_purp.c X509_supported_extension.
        foreach (var c in path)
            if (c.CriticalExtensionOids.Any(o => !SupportedCritical.Contains(o)))
                yield return new ClientReason("Client.UnhandledCriticalExtension", Text(ChainProblemCodes.UnknownCriticalExtension), c.Index);
        // check_purpose_ssl_server/client for the leaf: a keyUsage without digitalSignature/keyEncipherment/keyAgreement
        // (e.g. a CA certificate used as the leaf) is "unsupported certificate purpose" (26).
        if (ClientRuleSets.LeafKeyUsageUnfitForTls(facts))
            yield return new ClientReason("Client.LeafKeyUsagePurpose", Text(ChainProblemCodes.EkuMismatch), 0);
        // DSA parameter inheritance (RFC 3279 2.3.2) is not supported: the key cannot be used (observed: PKITS 4.1.5, error 20).
        foreach (var c in path.Where(c => c.KeyParametersInherited))
            yield return new ClientReason("Client.DsaParametersInherited", Text(ChainProblemCodes.NoPathToTrustAnchor), c.Index);
        // OpenSSL 3.0 does not chain a certificate with a negative serial number (observed: error 20 on limbo rfc5280::serial::negative).
        if (path.Count > 0 && path[0].SerialNegative)
            yield return new ClientReason("Client.NegativeSerial", Text(ChainProblemCodes.NoPathToTrustAnchor), 0);
        // check_chain -> check_purpose: an issuing CA whose extKeyUsage lacks the purpose is refused (X509_PURPOSE sslserver
        // checks xku on CAs); trusted anchors are exempt (check_purpose returns early for trusted certificates).
        foreach (var (certificate, _) in ClientRuleSets.EkuNestingViolations(facts, includeAnchor: false))
        {
            yield return new ClientReason("Client.CaEkuMismatch", Text(ChainProblemCodes.EkuMismatch), certificate.Index);
        }
    }
}
