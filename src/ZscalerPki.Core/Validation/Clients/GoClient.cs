namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// Go crypto/x509 (Certificate.Verify; Terraform, Docker, kubectl, gh), as Debian 12 ships it (Go 1.19, the measured one):
/// verify.go isValid (validity of every certificate, the root included, to the nanosecond; basicConstraints cA; pathLen
/// counting every intermediate; name constraints for DNS, IP, email and URI with Go's own matching over the SANs of the
/// leaf and the constrained CA), CheckSignatureFrom (keyCertSign when the parent's keyUsage is non-zero; no DSA),
/// buildChains (issuer found by the raw subject bytes), checkChainForKeyUsage (EKU nested through the whole chain; an
/// empty extKeyUsage restricts nothing), VerifyHostname (SANs only since Go 1.15; Go's wildcard matching); parser.go
/// (critical extensions it does not handle: the policy extensions, name constraints of other forms; unsupported curves;
/// a CRL distribution point given as nameRelativeToCRLIssuer). No RFC 5280 section 4 profile rules, no
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

    /// <summary>
    /// Validator problems Go reaches differently: parser.go reads a keyUsage with no bit and an empty extKeyUsage without
    /// complaint (parseKeyUsageExtension, parseExtKeyUsageExtension); CheckSignatureFrom asks for keyCertSign only when the
    /// parent's KeyUsage is non-zero; checkChainForKeyUsage lets an empty extKeyUsage restrict nothing; name constraints and
    /// host names are Go's own matching (<see cref="NameConstraintErrors"/>, <see cref="MatchesHost"/>).
    /// </summary>
    protected override bool Checks(ChainProblem problem, ClientChainFacts facts)
    {
        if (!base.Checks(problem, facts))
            return false;
        var c = facts.Path.FirstOrDefault(p => p.Index == problem.ElementIndex);
        return problem.Code switch
        {
            ChainProblemCodes.MalformedExtension => !(problem.Message.Contains("(keyUsage): it asserts no bit", StringComparison.Ordinal)
                || problem.Message.Contains("(extKeyUsage): it is an empty SEQUENCE", StringComparison.Ordinal)),
            ChainProblemCodes.KeyUsageMissingCertSign => c?.KeyUsage is not System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.None,
            ChainProblemCodes.EkuMismatch or ChainProblemCodes.WebPkiCaEkuMismatch => c?.ExtendedKeyUsages is not { Count: 0 },
            ChainProblemCodes.NameConstraintViolation or ChainProblemCodes.HostnameMismatch => false,
            _ => true,
        };
    }

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
            // parser.go processExtensions (cRLDistributionPoints): a distributionPoint must be a fullName; a
            // nameRelativeToCRLIssuer fails the parse. cRLIssuer and reasons are never read.
            if (c.CrlDistributionPointRelativeName)
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
        foreach (var c in NameConstraintErrors(path))
            yield return new ClientReason("Client.NameConstraints", "x509: a root or intermediate certificate is not authorized to sign for this name", c.Index);
        if (ClientRuleSets.HostNeedsSan(facts))
            yield return new ClientReason("Client.CommonNameNotUsed", "x509: certificate relies on legacy Common Name field, use SANs instead", 0);
        else if (facts.Request.DnsName is { } host && path.Count > 0 && !MatchesHost(path[0], host))
            yield return new ClientReason("Client.HostnameMismatch", $"x509: certificate is not valid for {host}", 0);
        // checkChainForKeyUsage: a certificate whose extKeyUsage lists nothing restricts nothing.
        foreach (var (certificate, _) in ClientRuleSets.EkuNestingViolations(facts, includeAnchor: true).Where(v => v.Certificate.ExtendedKeyUsages is not { Count: 0 }))
            yield return new ClientReason("Client.CaEkuMismatch", "x509: certificate specifies an incompatible key usage", certificate.Index);
    }

    /// <summary>
    /// verify.go isValid for every CA of the path that has nameConstraints (intermediates and the root): the SANs of the
    /// leaf and of the CA itself (not the subject, not the certificates in between) against the CA's constraints, excluded
    /// first, then permitted per form (a form without permitted subtrees is unconstrained). Matching is Go's, not RFC 5280's:
    /// matchDomainConstraint compares reversed labels (a wildcard "*" is a literal label, a constraint with a leading period
    /// requires a subdomain), and an e-mail domain or URI host constraint without a leading period also takes subdomains
    /// (matchEmailConstraint, matchURIConstraint). A name Go cannot parse (a dNSName with an empty label or a trailing
    /// period, an e-mail without a domain, a URI without a host or with an IP host when a URI constraint is compared) fails the CA.
    /// </summary>
    internal static IEnumerable<ClientCertificateFacts> NameConstraintErrors(IReadOnlyList<ClientCertificateFacts> path)
    {
        if (path.Count < 2)
            yield break;
        foreach (var ca in path.Skip(1))
        {
            if (ca.PermittedSubtrees is not { } permitted || ca.ExcludedSubtrees is not { } excluded)
                continue;
            var names = path[0].SubjectAltNames.Concat(ca.SubjectAltNames);
            if (names.Any(n => !NameAllowed(n, permitted, excluded)))
                yield return ca;
        }
    }

    private static bool NameAllowed(ClientGeneralName name, IReadOnlyList<ClientGeneralName> permitted, IReadOnlyList<ClientGeneralName> excluded)
    {
        Func<ClientGeneralName, bool?> match;
        switch (name.Form)
        {
            case "dNSName":
                if (ReverseLabels(name.Text!) is null) return false;
                match = c => MatchDomain(name.Text!, c.Text!);
                break;
            case "rfc822Name":
                int at = name.Text!.LastIndexOf('@');
                if (at <= 0 || ReverseLabels(name.Text[(at + 1)..]) is null) return false;
                match = c => MatchEmail(name.Text, c.Text!);
                break;
            case "uniformResourceIdentifier":
                // matchURIConstraint: a URI without a host, or with an IP address as host, fails once it is compared.
                string? host = Uri.TryCreate(name.Text, UriKind.Absolute, out var uri) && uri.Host.Length > 0
                    && uri.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6) ? uri.Host : null;
                match = c => host is null ? null : MatchDomain(host, c.Text!);
                break;
            case "iPAddress":
                if (name.Bytes!.Length is not (4 or 16)) return false;
                match = c => NameConstraintState.IpInSubtree(name.Bytes, c.Bytes!); // verify.go matchIPConstraint
                break;
            default:
                return true; // forEachSAN: other forms are not checked.
        }
        foreach (var constraint in excluded.Where(c => c.Form == name.Form))
        {
            if (match(constraint) is not false) return false;
        }
        var sameForm = permitted.Where(c => c.Form == name.Form).ToList();
        if (sameForm.Count == 0) return true;
        foreach (var constraint in sameForm)
        {
            var m = match(constraint);
            if (m is null) return false;
            if (m == true) return true;
        }
        return false;
    }

    /// <summary>verify.go domainToReverseLabels: null for an empty label, a trailing period, or a byte outside 33..126.</summary>
    private static List<string>? ReverseLabels(string domain)
    {
        var labels = new List<string>();
        while (domain.Length > 0)
        {
            int i = domain.LastIndexOf('.');
            if (i < 0)
            {
                labels.Add(domain);
                domain = string.Empty;
            }
            else
            {
                labels.Add(domain[(i + 1)..]);
                domain = domain[..i];
            }
        }
        if (labels.Count > 0 && labels[0].Length == 0) return null;
        foreach (var label in labels)
        {
            if (label.Length == 0 || label.Any(ch => ch < 33 || ch > 126)) return null;
        }
        return labels;
    }

    /// <summary>verify.go matchDomainConstraint (null = Go's "cannot parse" error).</summary>
    private static bool? MatchDomain(string domain, string constraint)
    {
        if (constraint.Length == 0) return true;
        var domainLabels = ReverseLabels(domain);
        if (domainLabels is null) return null;
        bool mustHaveSubdomains = constraint[0] == '.';
        var constraintLabels = ReverseLabels(mustHaveSubdomains ? constraint[1..] : constraint);
        if (constraintLabels is null) return null;
        if (domainLabels.Count < constraintLabels.Count || (mustHaveSubdomains && domainLabels.Count == constraintLabels.Count)) return false;
        for (int i = 0; i < constraintLabels.Count; i++)
        {
            if (!string.Equals(constraintLabels[i], domainLabels[i], StringComparison.OrdinalIgnoreCase)) return false;
        }
        return true;
    }

    /// <summary>verify.go matchEmailConstraint: a constraint with '@' is one mailbox, otherwise a domain constraint on the mail domain.</summary>
    private static bool? MatchEmail(string email, string constraint)
    {
        int at = email.LastIndexOf('@');
        if (constraint.Contains('@'))
        {
            int cat = constraint.LastIndexOf('@');
            return email[..at] == constraint[..cat] && string.Equals(email[(at + 1)..], constraint[(cat + 1)..], StringComparison.OrdinalIgnoreCase);
        }
        return MatchDomain(email[(at + 1)..], constraint);
    }

    /// <summary>
    /// verify.go VerifyHostname for a DNS host (Go 1.19): a valid host name is matched against valid patterns by
    /// matchHostnames (same number of labels; a left-most label "*" matches any one label, so "*" alone matches any
    /// single-label host); anything else must equal a dNSName exactly (case-insensitive). The subject CN is not used.
    /// </summary>
    internal static bool MatchesHost(ClientCertificateFacts leaf, string host)
    {
        var candidate = host.ToLowerInvariant();
        bool validCandidate = ValidHostname(candidate, pattern: false);
        foreach (var pattern in leaf.DnsNames)
        {
            if (validCandidate && ValidHostname(pattern, pattern: true))
            {
                if (MatchHostnames(pattern.ToLowerInvariant(), candidate)) return true;
            }
            else if (candidate is not ("" or ".") && pattern is not ("" or ".") && string.Equals(pattern, candidate, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static bool ValidHostname(string host, bool pattern)
    {
        if (!pattern && host.EndsWith('.')) host = host[..^1];
        if (host.Length == 0) return false;
        var parts = host.Split('.');
        for (int i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0) return false;
            if (pattern && i == 0 && part == "*") continue;
            for (int j = 0; j < part.Length; j++)
            {
                char ch = part[j];
                if (char.IsAsciiLetterOrDigit(ch) || (ch == '-' && j != 0) || ch == '_') continue;
                return false;
            }
        }
        return true;
    }

    private static bool MatchHostnames(string pattern, string host)
    {
        if (host.EndsWith('.')) host = host[..^1];
        if (pattern.Length == 0 || host.Length == 0) return false;
        var patternParts = pattern.Split('.');
        var hostParts = host.Split('.');
        if (patternParts.Length != hostParts.Length) return false;
        for (int i = 0; i < patternParts.Length; i++)
        {
            if (i == 0 && patternParts[i] == "*") continue;
            if (patternParts[i] != hostParts[i]) return false;
        }
        return true;
    }
}
