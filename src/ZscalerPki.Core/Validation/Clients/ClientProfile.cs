namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// The common shape of a client rule set: start from the validator's result (<see cref="StartsFromWebPki"/>), drop the
/// problem codes the client does not check (<see cref="NotChecked"/>), add the client's own rules over the chain's facts
/// (<see cref="OwnRules"/>), and say each remaining reason in the client's own words (<see cref="ErrorFor"/>).
/// Path-building failures come first (a client that finds no issuer says so before anything else), then the client's own
/// rules, then the other validator problems in path order, leaf first.
/// </summary>
public abstract class ClientProfile : IClientProfile
{
    public abstract string Id { get; }

    public abstract string Name { get; }

    public virtual bool RunnableHere => true;

    /// <summary>Start from the validator's WebPki result (browser-like clients) instead of its RFC 5280 result.</summary>
    protected virtual bool StartsFromWebPki => false;

    /// <summary>Validator problem codes this client does not check.</summary>
    protected abstract IReadOnlySet<string> NotChecked { get; }

    /// <summary>Whether the client checks this validator problem (default: its code is not in <see cref="NotChecked"/>).</summary>
    protected virtual bool Checks(ChainProblem problem, ClientChainFacts facts) => !NotChecked.Contains(problem.Code);

    /// <summary>The client's own error text for a validator problem it checks.</summary>
    protected abstract string ErrorFor(ChainProblem problem, ClientChainFacts facts);

    /// <summary>The client's rules beyond the validator's, from the facts of the path.</summary>
    protected virtual IEnumerable<ClientReason> OwnRules(ClientChainFacts facts) => Array.Empty<ClientReason>();

    /// <summary>Whether a problem on the trust anchor (the last element) is ignored: clients that take only the anchor's name and key.</summary>
    protected virtual bool IgnoresAnchorProblem(ChainProblem problem) => false;

    /// <summary>The validator result the client's rules start from (default: RFC 5280, or WebPki when <see cref="StartsFromWebPki"/>).</summary>
    protected virtual ChainValidationResult BaseResult(ClientChainFacts facts) => StartsFromWebPki ? facts.WebPkiResult : facts.Result;

    public ClientVerdict Evaluate(ClientChainFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var result = BaseResult(facts);
        int anchorIndex = result.Elements.Count > 0 && result.Elements[^1].IsTrustAnchor ? result.Elements.Count - 1 : -1;
        var problems = result.Problems
            .Where(p => p.Severity == ChainProblemSeverity.Error && Checks(p, facts))
            .Where(p => !(p.ElementIndex == anchorIndex && anchorIndex >= 0 && IgnoresAnchorProblem(p)))
            .ToList();
        var reasons = new List<ClientReason>();
        foreach (var p in problems.Where(p => ClientRuleSets.BuildFailures.Contains(p.Code)))
        {
            reasons.Add(new ClientReason(p.Code, ErrorFor(p, facts), p.ElementIndex));
        }
        reasons.AddRange(OwnRules(facts));
        foreach (var p in problems.Where(p => !ClientRuleSets.BuildFailures.Contains(p.Code)).OrderBy(p => p.ElementIndex ?? int.MaxValue))
        {
            reasons.Add(new ClientReason(p.Code, ErrorFor(p, facts), p.ElementIndex));
        }
        return new ClientVerdict
        {
            Client = Id,
            Name = Name,
            Accepted = reasons.Count == 0,
            Reasons = reasons.Distinct().ToList(),
        };
    }
}

/// <summary>Code sets and fact-based rules shared by several clients (each documented in docs/RULES.md).</summary>
public static class ClientRuleSets
{
    /// <summary>No path to a trust anchor (or none within bounds).</summary>
    public static readonly IReadOnlySet<string> BuildFailures = new HashSet<string>
    {
        ChainProblemCodes.NoPathToTrustAnchor, ChainProblemCodes.PathBuildingLimitExceeded, ChainProblemCodes.WorkBudgetExceeded,
    };

    /// <summary>
    /// RFC 5280 section 4 certificate-profile rules ("conforming CAs MUST …") that TLS clients do not check at
    /// verification time in their default mode (OpenSSL's default, Go, Java, NSS, Windows, Apple): RULES.md section D.
    /// </summary>
    public static readonly IReadOnlySet<string> CertificateProfileCodes = new HashSet<string>
    {
        ChainProblemCodes.AuthorityKeyIdMissing, ChainProblemCodes.SubjectKeyIdMissing, ChainProblemCodes.ExtensionMustBeNonCritical,
        ChainProblemCodes.ExtensionMustBeCritical, ChainProblemCodes.CaSubjectEmpty, ChainProblemCodes.SubjectAltNameNotCritical,
        ChainProblemCodes.SignatureAlgorithmMismatch, ChainProblemCodes.PathLenWithoutKeyCertSign, ChainProblemCodes.KeyCertSignWithoutCA,
        ChainProblemCodes.NameConstraintsInEndEntity, ChainProblemCodes.SubjectAltNameInvalid, ChainProblemCodes.InvalidVersion,
    };

    /// <summary>CRL-based revocation outcomes (clients that do not read CRL files ignore them).</summary>
    public static readonly IReadOnlySet<string> RevocationCodes = new HashSet<string>
    {
        ChainProblemCodes.Revoked, ChainProblemCodes.RevocationUnknown, ChainProblemCodes.CrlExpired, ChainProblemCodes.NoCrl,
        ChainProblemCodes.CrlVersionInvalid, ChainProblemCodes.CrlEmptySequence, ChainProblemCodes.CrlDuplicateEntry,
        ChainProblemCodes.CrlEntryIssuerNotIndirect, ChainProblemCodes.CrlSignatureAlgorithmMismatch, ChainProblemCodes.CrlScopeMismatch,
        ChainProblemCodes.CrlSignerNotFound, ChainProblemCodes.CrlExtensionCriticality, ChainProblemCodes.CrlUnreachable,
    };

    /// <summary>Union of code sets.</summary>
    public static IReadOnlySet<string> Union(params IEnumerable<string>[] sets) => sets.SelectMany(s => s).ToHashSet();

    /// <summary>Whether the request carries RFC 5280 policy inputs (an initial policy set or one of the initial-* flags).</summary>
    public static bool HasPolicyInputs(ChainValidationRequest request) =>
        request.InitialPolicySet is { Count: > 0 } || request.InitialExplicitPolicy || request.InitialPolicyMappingInhibit || request.InitialAnyPolicyInhibit;

    /// <summary>The EKU OIDs the request asks for (purpose and explicit EKUs).</summary>
    public static IReadOnlyList<string> RequestedEkus(ChainValidationRequest request)
    {
        var list = new List<string>();
        if (request.Purpose == ChainPurpose.ServerAuth) list.Add(Oids.ServerAuth);
        if (request.Purpose == ChainPurpose.ClientAuth) list.Add(Oids.ClientAuth);
        if (request.RequiredEkus is { } explicitEkus) list.AddRange(explicitEkus);
        return list;
    }

    /// <summary>
    /// EKU nesting: a CA whose extKeyUsage is present must allow each requested purpose (or carry anyExtendedKeyUsage).
    /// Go (verify.go checkChainForKeyUsage), NSS (mozilla::pkix CheckExtendedKeyUsage for CAs), Windows and Chromium apply it;
    /// <paramref name="includeAnchor"/> says whether the trust anchor's EKU counts.
    /// </summary>
    public static IEnumerable<(ClientCertificateFacts Certificate, string Eku)> EkuNestingViolations(ClientChainFacts facts, bool includeAnchor)
    {
        var wanted = RequestedEkus(facts.Request);
        if (wanted.Count == 0) yield break;
        foreach (var c in facts.Path.Skip(1))
        {
            if (c.IsTrustAnchor && !includeAnchor) continue;
            if (c.ExtendedKeyUsages is not { } ekus || ekus.Contains(Oids.AnyEku)) continue;
            foreach (var eku in wanted)
            {
                if (!ekus.Contains(eku))
                {
                    yield return (c, eku);
                    break;
                }
            }
        }
    }

    /// <summary>A host name was asked for and the leaf has no dNSName/iPAddress subjectAltName: clients without the CN fallback reject it.</summary>
    public static bool HostNeedsSan(ClientChainFacts facts) =>
        (facts.Request.DnsName is not null || facts.Request.IPAddress is not null) && facts.Path.Count > 0 && facts.Path[0].DnsOrIpNames == 0;

    /// <summary>
    /// What OpenSSL's, NSS's and Java's decoders accept where the validator is stricter (measured on x509-limbo and PKITS):
    /// a policyMappings with anyPolicy, a dNSName constraint with a leading period (read as "subdomains"), a nameConstraints
    /// with neither subtree, a permittedSubtrees/excludedSubtrees that is an empty SEQUENCE (OpenSSL's GENERAL_SUBTREE
    /// SEQUENCE OF template and NSS's decoder have no SIZE (1..MAX); both read it as no constraint).
    /// </summary>
    public static bool LenientlyDecoded(ChainProblem problem) =>
        (problem.Code == ChainProblemCodes.MalformedExtension && problem.Message.Contains("(policyMappings)", StringComparison.Ordinal))
        || (problem.Code == ChainProblemCodes.MalformedExtension
            && problem.Message.Contains("(nameConstraints): a permittedSubtrees or excludedSubtrees is an empty SEQUENCE", StringComparison.Ordinal))
        || (problem.Code is ChainProblemCodes.MalformedExtension or ChainProblemCodes.InvalidNameConstraint
            && problem.Message.Contains("neither permittedSubtrees nor excludedSubtrees", StringComparison.Ordinal))
        || (problem.Code == ChainProblemCodes.InvalidNameConstraint && problem.Message.Contains("starts with a period", StringComparison.Ordinal));

    /// <summary>
    /// The validator's RFC 5280 result with dNSName constraints compared as strings (<see cref="DnsConstraintMatching.Strings"/>:
    /// OpenSSL v3_ncons.c nc_dns, NSS genname.c compareDNSN2C), on top of <paramref name="change"/> (other client inputs,
    /// null for none) under <paramref name="key"/>; computed only when a certificate of the path has a dNSName constraint.
    /// </summary>
    public static ChainValidationResult WithLiteralDnsNameConstraints(ClientChainFacts facts, string? key = null, Func<ChainValidationRequest, ChainValidationRequest>? change = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (!facts.Path.Any(c => c.NameConstraintForms.Contains("dNSName")))
            return change is null ? facts.Result : facts.ResultWith(key!, change);
        return facts.ResultWith((key ?? "") + "+literal-dns-nc", r => (change is null ? r : change(r)) with { DnsConstraintMatching = DnsConstraintMatching.Strings });
    }

    /// <summary>
    /// A TLS purpose was asked for and the leaf's keyUsage has none of digitalSignature, keyEncipherment, keyAgreement
    /// (e.g. a CA certificate used as the leaf): OpenSSL check_purpose_ssl_server, NSS CheckKeyUsage, Java EndEntityChecker.
    /// </summary>
    public static bool LeafKeyUsageUnfitForTls(ClientChainFacts facts) =>
        facts.Path.Count > 0 && facts.Request.Purpose != ChainPurpose.Any && facts.Path[0].KeyUsage is { } usage
        && (usage & (System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.DigitalSignature
            | System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.KeyEncipherment
            | System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.KeyAgreement)) == 0;

    /// <summary>Named curves NSS, Java and Go support (P-256, P-384, P-521; secp256k1 in Go only is not needed here).</summary>
    public static bool UnsupportedCurve(ClientCertificateFacts c) =>
        c.EcCurve is { } curve && curve is not ("1.2.840.10045.3.1.7" or "1.3.132.0.34" or "1.3.132.0.35");

    /// <summary>SHA-1 or MD5 signature algorithm OIDs (RSA, ECDSA, DSA).</summary>
    public static bool IsSha1OrMd5(string oid) => oid is "1.2.840.113549.1.1.5" or "1.2.840.113549.1.1.4" or "1.2.840.10045.4.1" or "1.2.840.10040.4.3" or "1.3.14.3.2.29";
}
