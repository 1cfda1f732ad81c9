namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// Java PKIX (CertPathValidator "PKIX", the JSSE default TrustManager; Maven, Gradle, IntelliJ): sun.security.provider.certpath
/// BasicChecker (signature, validity, name chaining), ConstraintsChecker (basicConstraints, pathLen, name constraints),
/// KeyChecker (keyCertSign on CAs, critical extensions), PolicyChecker (RFC 5280 policy tree), and the JSSE endpoint
/// checks (HostnameChecker, EKU of the leaf). The trust anchor is a TrustAnchor (name and key); RFC 5280 section 4
/// profile rules are not checked. Revocation is on by default in PKIX but JSSE turns it off unless asked.
/// </summary>
public sealed class JavaClient : ClientProfile
{
    public override string Id => "java";

    public override string Name => "Java PKIX";

    /// <summary>JSSE's default trust manager does not check revocation (com.sun.net.ssl.checkRevocation is false by default).</summary>
    /// <remarks>
    /// X509CertImpl refuses an empty subject with a non-critical SAN and a critical AKI/SKI/AIA is an unrecognized critical
    /// extension, so those two profile codes stay checked.
    /// </remarks>
    protected override IReadOnlySet<string> NotChecked { get; } = ClientRuleSets.Union(
        ClientRuleSets.CertificateProfileCodes.Where(c => c is not (ChainProblemCodes.ExtensionMustBeNonCritical or ChainProblemCodes.SubjectAltNameNotCritical)),
        ClientRuleSets.RevocationCodes);

    /// <summary>
    /// The host name is Java's (<see cref="JavaHostnameChecker"/>), not the validator's RFC 6125 match: its
    /// HostnameMismatch is not checked when a DNS name was asked for.
    /// </summary>
    /// <remarks>
    /// The certificate-policy verdict is Java's (<see cref="JavaPolicyChecker"/>) on an anchored path: the validator's
    /// policy problems are then not checked.
    /// </remarks>
    protected override bool Checks(ChainProblem problem, ClientChainFacts facts) =>
        base.Checks(problem, facts) && !ClientRuleSets.LenientlyDecoded(problem)
        && !(problem.Code == ChainProblemCodes.HostnameMismatch && facts.Request.DnsName is not null)
        && !(problem.Code is ChainProblemCodes.PolicyRequired or ChainProblemCodes.PolicyMappingInvalid or ChainProblemCodes.PolicyTreeTooLarge
             && Policy(facts).Completed);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ClientChainFacts, Tuple<bool, string?>> PolicyVerdicts = new();

    /// <summary>Java's policy verdict for the path, once per facts; not completed when the path has no anchor or the tree outgrows the bound.</summary>
    private static (bool Completed, string? Error) Policy(ClientChainFacts facts)
    {
        var verdict = PolicyVerdicts.GetValue(facts, f =>
        {
            var (completed, error) = f.Anchored ? JavaPolicyChecker.Check(f.Path, f.Request) : (false, null);
            return Tuple.Create(completed, error);
        });
        return (verdict.Item1, verdict.Item2);
    }

    /// <summary>
    /// A JSSE trust anchor is a certificate's name and key: <c>new TrustAnchor(cert, null)</c> (what a KeyStore gives) has no
    /// name constraints, and PKIX.ValidatorParams refuses an anchor that has them ("name constraints in trust anchor not
    /// supported"); the anchor certificate's own nameConstraints extension is never read (ConstraintsChecker.init starts
    /// with prevNC = null and the anchor is not on the CertPath). So the chain is validated without them.
    /// </summary>
    protected override ChainValidationResult BaseResult(ClientChainFacts facts) =>
        facts.Request.TrustedRoots.Any(r => r.Extensions[Oids.NameConstraints] is not null)
            ? facts.ResultWith("java:anchor-name-and-key", r => r with { TrustAnchorNameConstraints = false })
            : facts.Result;

    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts)
    {
        foreach (var c in facts.Path.Where(c => c.IssuerEmpty))
            yield return new ClientReason("Client.EmptyIssuer", "Empty issuer DN not allowed in X509Certificates", c.Index);
        if (ClientRuleSets.LeafKeyUsageUnfitForTls(facts))
            yield return new ClientReason("Client.LeafKeyUsagePurpose", "KeyUsage does not allow digital signatures", 0);
        foreach (var c in facts.Path.Where(ClientRuleSets.UnsupportedCurve))
            yield return new ClientReason("Client.UnsupportedCurve", "PKIX path validation failed: java.security.cert.CertPathValidatorException: Algorithm constraints check failed on keysize limits", c.Index);
        if (facts.Request.At is { } at)
        {
            // X509CertImpl.checkValidity(Date) compares java.util.Date values: milliseconds, where the validator compares whole
            // seconds. Only the sub-second difference is added here (the validator reports the rest).
            var exact = at.UtcDateTime;
            var second = new DateTime(exact.Ticks - (exact.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
            foreach (var c in facts.Path.Where(c => !c.IsTrustAnchor))
            {
                if (exact > c.NotAfter && second <= c.NotAfter)
                    yield return new ClientReason("Client.ExpiredMilliseconds", "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (CertificateExpiredException)", c.Index);
                else if (exact < c.NotBefore && second >= c.NotBefore)
                    yield return new ClientReason("Client.NotYetValidMilliseconds", "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (CertificateNotYetValidException)", c.Index);
            }
        }
        if (Policy(facts) is { Completed: true, Error: { } policyError })
            yield return new ClientReason(ChainProblemCodes.PolicyRequired, "PKIX path validation failed: java.security.cert.CertPathValidatorException: " + policyError, null);
        if (facts.Request.DnsName is { } host && facts.Path.Count > 0 && JavaHostnameChecker.MatchDns(host, facts.Path[0]) is { } hostError)
            yield return new ClientReason(ChainProblemCodes.HostnameMismatch, hostError, 0);
    }

    protected override bool IgnoresAnchorProblem(ChainProblem problem) =>
        problem.Code is ChainProblemCodes.Expired or ChainProblemCodes.NotYetValid
            or ChainProblemCodes.KeyUsageMissingCertSign or ChainProblemCodes.UnknownCriticalExtension;

    protected override string ErrorFor(ChainProblem problem, ClientChainFacts facts) => problem.Code switch
    {
        ChainProblemCodes.NoPathToTrustAnchor or ChainProblemCodes.PathBuildingLimitExceeded or ChainProblemCodes.WorkBudgetExceeded
            => "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
        ChainProblemCodes.SignatureInvalid => "PKIX path validation failed: java.security.cert.CertPathValidatorException: signature check failed",
        ChainProblemCodes.Expired => "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (CertificateExpiredException)",
        ChainProblemCodes.NotYetValid => "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (CertificateNotYetValidException)",
        ChainProblemCodes.CaBasicConstraintsInvalid => "PKIX path validation failed: sun.security.validator.ValidatorException: TrustAnchor is not a CA certificate",
        ChainProblemCodes.NotACA => "PKIX path validation failed: java.security.cert.CertPathValidatorException: basic constraints check failed: this is not a CA certificate",
        ChainProblemCodes.PathLengthExceeded or ChainProblemCodes.MaxDepthExceeded => "PKIX path validation failed: java.security.cert.CertPathValidatorException: basic constraints check failed: pathLenConstraint violated",
        ChainProblemCodes.KeyUsageMissingCertSign => "PKIX path validation failed: java.security.cert.CertPathValidatorException: CA key usage check failed: keyCertSign bit is not set",
        ChainProblemCodes.UnknownCriticalExtension or ChainProblemCodes.ExtensionMustBeNonCritical => "PKIX path validation failed: java.security.cert.CertPathValidatorException: Unrecognized critical extension(s)",
        ChainProblemCodes.SubjectAltNameNotCritical => "X.509 Certificate is incomplete: SubjectAlternativeName extension MUST be marked critical when subject field is empty",
        ChainProblemCodes.NameConstraintViolation or ChainProblemCodes.InvalidNameConstraint => "PKIX path validation failed: java.security.cert.CertPathValidatorException: name constraints check failed",
        ChainProblemCodes.PolicyRequired or ChainProblemCodes.PolicyMappingInvalid or ChainProblemCodes.PolicyTreeTooLarge => "PKIX path validation failed: java.security.cert.CertPathValidatorException: policy constraints check failed",
        ChainProblemCodes.HostnameMismatch => $"No subject alternative DNS name matching {facts.Request.DnsName} found.",
        ChainProblemCodes.IPAddressMismatch => $"No subject alternative names matching IP address {facts.Request.IPAddress} found",
        ChainProblemCodes.EkuMismatch or ChainProblemCodes.KeyUsageMismatch => "Extended key usage does not permit use for TLS server authentication",
        ChainProblemCodes.Revoked => "PKIX path validation failed: java.security.cert.CertPathValidatorException: Certificate has been revoked",
        ChainProblemCodes.SignatureAlgorithmUnsupported or ChainProblemCodes.SignatureAlgorithmParametersInvalid or ChainProblemCodes.SignatureAlgorithmNotAllowed
            => "PKIX path validation failed: java.security.cert.CertPathValidatorException: Algorithm constraints check failed on signature algorithm",
        _ => "PKIX path validation failed: " + problem.Message,
    };
}

/// <summary>
/// JSSE's host-name check for a DNS name: sun.security.util.HostnameChecker (TYPE_TLS, chainsToPublicCA false: a private
/// root) matchDNS, isMatched, hasIllegalWildcard, matchAllWildcards, matchWildCards, and javax.net.ssl.SNIHostName.
/// </summary>
internal static class JavaHostnameChecker
{
    /// <summary>Null when the leaf matches <paramref name="host"/>; otherwise Java's CertificateException message.</summary>
    public static string? MatchDns(string host, ClientCertificateFacts leaf)
    {
        // matchDNS: the expected name must be an SNIHostName (IDN.toASCII with USE_STD3_ASCII_RULES, not empty, no trailing dot).
        if (!IsSniHostName(host))
            return $"Illegal given domain name: {host}";
        if (leaf.DnsNames.Count > 0)
            return leaf.DnsNames.Any(n => IsMatched(host, n)) ? null : $"No subject alternative DNS name matching {host} found.";
        // No dNSName in subjectAltName: the most specific commonName of the subject.
        if (leaf.SubjectCommonName is { } cn)
        {
            if (!cn.IsNormalized(System.Text.NormalizationForm.FormKC))
                return $"Not a formal name {cn}";
            if (IsMatched(host, cn))
                return null;
        }
        return $"No name matching {host} found";
    }

    /// <summary>
    /// isMatched: both names are normalized to Unicode (IDN.toUnicode(IDN.toASCII(x)); a failure is no match), the template
    /// has no illegal wildcard and is an SNIHostName with '*' read as 'z'; then matchAllWildcards.
    /// </summary>
    private static bool IsMatched(string name, string template)
    {
        if (!IdnToAscii(name, std3: false) || !IdnToAscii(template, std3: false))
            return false;
        name = IdnToUnicode(name);
        template = IdnToUnicode(template);
        if (HasIllegalWildcard(template) || !IsSniHostName(template.Replace('*', 'z')))
            return false;
        return MatchAllWildcards(name, template);
    }

    /// <summary>
    /// java.net.IDN.toUnicode per label: an ACE label ("xn--") that decodes becomes its Unicode form; a label that does not
    /// decode (e.g. "xn--*-…") is kept as it is.
    /// </summary>
    private static string IdnToUnicode(string name) => string.Join('.', name.Split('.').Select(label =>
    {
        if (!label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase))
            return label;
        try
        {
            return new System.Globalization.IdnMapping { AllowUnassigned = true }.GetUnicode(label);
        }
        catch (ArgumentException)
        {
            return label;
        }
    }));

    /// <summary>"*" and "*." are illegal, and so is a wildcard with no dot after it ("*com"); no public-suffix check for a private root.</summary>
    private static bool HasIllegalWildcard(string template)
    {
        if (template is "*" or "*.")
            return true;
        int last = template.LastIndexOf('*');
        return last >= 0 && template.IndexOf('.', last) < 0;
    }

    /// <summary>RFC 2818 3.1: the same number of labels (empty labels skipped, as StringTokenizer does), each matched with '*' as a glob inside the label.</summary>
    private static bool MatchAllWildcards(string name, string template)
    {
        var names = name.ToLowerInvariant().Split('.', StringSplitOptions.RemoveEmptyEntries);
        var templates = template.ToLowerInvariant().Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (names.Length != templates.Length)
            return false;
        for (int i = 0; i < names.Length; i++)
        {
            if (!MatchWildcards(names[i], templates[i]))
                return false;
        }
        return true;
    }

    /// <summary>matchWildCards: the text before the first '*' must start the label, each later piece is found in order, the text after the last '*' ends it.</summary>
    private static bool MatchWildcards(string name, string template)
    {
        int wildcard = template.IndexOf('*');
        if (wildcard < 0)
            return name == template;
        bool beginning = true;
        string after = template;
        while (wildcard >= 0)
        {
            string before = after[..wildcard];
            after = after[(wildcard + 1)..];
            int at = name.IndexOf(before, StringComparison.Ordinal);
            if (at < 0 || (beginning && at != 0))
                return false;
            beginning = false;
            name = name[(at + before.Length)..];
            wildcard = after.IndexOf('*');
        }
        return name.EndsWith(after, StringComparison.Ordinal);
    }

    /// <summary>new SNIHostName(name): IDN.toASCII(name, USE_STD3_ASCII_RULES), then not empty and no trailing dot.</summary>
    private static bool IsSniHostName(string name) => IdnToAscii(name, std3: true) && name.Length > 0 && !name.EndsWith('.');

    /// <summary>
    /// java.net.IDN.toASCII per label: an ASCII label passes unchanged (with USE_STD3_ASCII_RULES only letters, digits and
    /// hyphens, no leading or trailing hyphen); a non-ASCII label is converted to punycode; a label over 63 characters fails.
    /// </summary>
    private static bool IdnToAscii(string name, bool std3)
    {
        foreach (var label in name.Split('.'))
        {
            string ascii = label;
            if (label.Any(ch => ch > 0x7F))
            {
                try
                {
                    ascii = new System.Globalization.IdnMapping { UseStd3AsciiRules = std3, AllowUnassigned = true }.GetAscii(label);
                }
                catch (ArgumentException)
                {
                    return false;
                }
            }
            else if (std3 && (label.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch == '-')) || label.StartsWith('-') || label.EndsWith('-')))
            {
                return false;
            }
            if (ascii.Length > 63)
                return false;
        }
        return true;
    }
}

/// <summary>
/// Java's certificate-policy processing, step by step as sun.security.provider.certpath.PolicyChecker (checkPolicy,
/// processPolicies, processParents, processPolicyMappings, removeInvalidNodes, rewriteLeafNodes, mergeExplicitPolicy,
/// mergePolicyMapping, mergeInhibitAnyPolicy) and PolicyNodeImpl (prune, getPolicyNodesExpected, addExpectedPolicy) do it.
/// It differs from RFC 5280 6.1.5(g) where the user-initial-policy-set is not anyPolicy: removeInvalidNodes prunes, at
/// each certificate, the nodes of that certificate's own policies that hang under an anyPolicy node and are not in the
/// initial set, before a later certificate could reach them through policyMappings; the next certificate's policy then
/// attaches under an anyPolicy sibling instead (PKITS 4.10.13 subpart 3 is accepted).
/// </summary>
internal static class JavaPolicyChecker
{
    private const string AnyPolicy = "2.5.29.32.0";

    /// <summary>Java has no bound on the tree; past this many nodes the emulation gives up and the validator's verdict stands.</summary>
    private const int MaxNodes = 10_000;

    private sealed class Node
    {
        public Node(Node? parent, string validPolicy, string expected, bool generatedByPolicyMapping)
        {
            Parent = parent;
            ValidPolicy = validPolicy;
            Expected.Add(expected);
            OriginalExpected = !generatedByPolicyMapping;
            Depth = parent is null ? 0 : parent.Depth + 1;
            parent?.Children.Add(this);
        }

        public Node? Parent { get; }
        public string ValidPolicy { get; }
        public HashSet<string> Expected { get; } = new(StringComparer.Ordinal);
        public bool OriginalExpected { get; set; }
        public int Depth { get; }
        public List<Node> Children { get; } = new();

        /// <summary>addExpectedPolicy: the first mapping replaces the original expected set, later ones add to it.</summary>
        public void AddExpected(string policy)
        {
            if (OriginalExpected)
            {
                Expected.Clear();
                OriginalExpected = false;
            }
            Expected.Add(policy);
        }

        public IEnumerable<Node> AtDepth(int depth) =>
            Depth == depth ? new[] { this } : Depth < depth ? Children.ToList().SelectMany(c => c.AtDepth(depth)) : Enumerable.Empty<Node>();

        public int Count() => 1 + Children.Sum(c => c.Count());

        /// <summary>prune: below the given depth, a node without children is removed.</summary>
        public void Prune(int depth)
        {
            foreach (var child in Children.ToList())
            {
                child.Prune(depth);
                if (child.Children.Count == 0 && depth > Depth + 1)
                    Children.Remove(child);
            }
        }
    }

    private sealed class TooLarge : Exception
    {
    }

    private sealed class Invalid : Exception
    {
        public Invalid(string message) : base(message)
        {
        }
    }

    /// <summary>
    /// Runs Java's policy checks over an anchored path (leaf first, anchor last; the anchor is not on Java's CertPath).
    /// Returns (true, null) when Java accepts, (true, message) when it rejects, (false, null) past the node bound.
    /// </summary>
    public static (bool Completed, string? Error) Check(IReadOnlyList<ClientCertificateFacts> path, ChainValidationRequest request)
    {
        var certs = path.Where(c => !c.IsTrustAnchor).Reverse().ToList();
        int n = certs.Count;
        var initial = request.InitialPolicySet is { Count: > 0 } set ? set.ToHashSet(StringComparer.Ordinal) : new HashSet<string>(StringComparer.Ordinal) { AnyPolicy };
        int explicitPolicy = request.InitialExplicitPolicy ? 0 : n + 1;
        int policyMapping = request.InitialPolicyMappingInhibit ? 0 : n + 1;
        int inhibitAnyPolicy = request.InitialAnyPolicyInhibit ? 0 : n + 1;
        Node? root = new(null, AnyPolicy, AnyPolicy, false);
        try
        {
            for (int i = 1; i <= n; i++)
            {
                var cert = certs[i - 1];
                bool final = i == n;
                root = ProcessPolicies(i, initial, ref explicitPolicy, policyMapping, inhibitAnyPolicy, root, cert, final);
                if (root is not null && root.Count() > MaxNodes)
                    throw new TooLarge();
                if (!final)
                {
                    explicitPolicy = MergeExplicitPolicy(explicitPolicy, cert, false);
                    policyMapping = Merge(policyMapping, cert, cert.InhibitPolicyMapping);
                    inhibitAnyPolicy = MergeInhibitAnyPolicy(inhibitAnyPolicy, cert);
                }
            }
            return (true, null);
        }
        catch (Invalid e)
        {
            return (true, e.Message);
        }
        catch (TooLarge)
        {
            return (false, null);
        }
    }

    private static Node? ProcessPolicies(int index, HashSet<string> initial, ref int explicitPolicy, int policyMapping, int inhibitAnyPolicy,
        Node? root, ClientCertificateFacts cert, bool final)
    {
        // 6.1.3(d)
        if (cert.Policies is { } policies && root is not null)
        {
            bool foundAny = false;
            foreach (var policy in policies)
            {
                if (policy == AnyPolicy)
                {
                    foundAny = true;
                    continue;
                }
                if (!ProcessParents(index, root, policy, matchAny: false))
                    ProcessParents(index, root, policy, matchAny: true);
            }
            if (foundAny && (inhibitAnyPolicy > 0 || (!final && cert.IsSelfIssued)))
                ProcessParents(index, root, AnyPolicy, matchAny: true);
            root.Prune(index);
            if (root.Children.Count == 0)
                root = null;
        }
        else if (cert.Policies is null)
        {
            root = null; // 6.1.3(e)
        }
        if (root is not null && !final)
            root = ProcessPolicyMappings(cert, index, policyMapping, root);
        if (root is not null && !initial.Contains(AnyPolicy) && cert.Policies is { } certPolicies)
        {
            root = RemoveInvalidNodes(root, index, initial, certPolicies);
            if (root is not null && final)
                root = RewriteLeafNodes(index, initial, root);
        }
        if (final)
            explicitPolicy = MergeExplicitPolicy(explicitPolicy, cert, true);
        if (explicitPolicy == 0 && root is null)
            throw new Invalid("non-null policy tree required and policy tree is null");
        return root;
    }

    private static bool ProcessParents(int index, Node root, string policy, bool matchAny)
    {
        var parents = root.AtDepth(index - 1)
            .Where(p => policy == AnyPolicy || (matchAny ? p.Expected.Contains(AnyPolicy) : p.Expected.Contains(policy))).ToList();
        foreach (var parent in parents)
        {
            if (policy == AnyPolicy)
            {
                foreach (var expected in parent.Expected.ToList())
                {
                    if (!parent.Children.Any(c => c.ValidPolicy == expected))
                        _ = new Node(parent, expected, expected, false);
                }
            }
            else
            {
                _ = new Node(parent, policy, policy, false);
            }
        }
        return parents.Count > 0;
    }

    private static Node? ProcessPolicyMappings(ClientCertificateFacts cert, int index, int policyMapping, Node root)
    {
        if (cert.PolicyMappings is not { } maps)
            return root;
        bool deleted = false;
        foreach (var (issuerDomain, subjectDomain) in maps)
        {
            if (issuerDomain == AnyPolicy)
                throw new Invalid("encountered an issuerDomainPolicy of ANY_POLICY");
            if (subjectDomain == AnyPolicy)
                throw new Invalid("encountered a subjectDomainPolicy of ANY_POLICY");
            var valid = root.AtDepth(index).Where(x => x.ValidPolicy == issuerDomain).ToList();
            if (valid.Count > 0)
            {
                foreach (var node in valid)
                {
                    if (policyMapping > 0 || policyMapping == -1)
                    {
                        node.AddExpected(subjectDomain);
                    }
                    else if (policyMapping == 0)
                    {
                        node.Parent!.Children.Remove(node);
                        deleted = true;
                    }
                }
            }
            else if (policyMapping > 0 || policyMapping == -1)
            {
                foreach (var any in root.AtDepth(index).Where(x => x.ValidPolicy == AnyPolicy).ToList())
                    _ = new Node(any.Parent, issuerDomain, subjectDomain, true);
            }
        }
        if (deleted)
        {
            root.Prune(index);
            if (root.Children.Count == 0)
                return null;
        }
        return root;
    }

    private static Node? RemoveInvalidNodes(Node root, int index, HashSet<string> initial, IReadOnlyList<string> policies)
    {
        bool deleted = false;
        foreach (var policy in policies)
        {
            foreach (var node in root.AtDepth(index).Where(x => x.ValidPolicy == policy).ToList())
            {
                var parent = node.Parent!;
                if (parent.ValidPolicy == AnyPolicy && !initial.Contains(policy) && policy != AnyPolicy)
                {
                    parent.Children.Remove(node);
                    deleted = true;
                }
            }
        }
        if (deleted)
        {
            root.Prune(index);
            if (root.Children.Count == 0)
                return null;
        }
        return root;
    }

    private static Node? RewriteLeafNodes(int index, HashSet<string> initial, Node root)
    {
        var any = root.AtDepth(index).FirstOrDefault(x => x.ValidPolicy == AnyPolicy);
        if (any is null)
            return root;
        var parent = any.Parent!;
        parent.Children.Remove(any);
        var missing = new HashSet<string>(initial, StringComparer.Ordinal);
        foreach (var node in root.AtDepth(index))
            missing.Remove(node.ValidPolicy);
        if (missing.Count == 0)
        {
            root.Prune(index);
            return root.Children.Count == 0 ? null : root;
        }
        foreach (var policy in missing)
            _ = new Node(parent, policy, policy, false);
        return root;
    }

    private static int MergeExplicitPolicy(int explicitPolicy, ClientCertificateFacts cert, bool final)
    {
        if (explicitPolicy > 0 && !cert.IsSelfIssued)
            explicitPolicy--;
        if (cert.RequireExplicitPolicy is not { } require)
            return explicitPolicy;
        if (!final)
            return explicitPolicy == -1 || require < explicitPolicy ? require : explicitPolicy;
        return require == 0 ? 0 : explicitPolicy;
    }

    private static int Merge(int value, ClientCertificateFacts cert, int? fromCert)
    {
        if (value > 0 && !cert.IsSelfIssued)
            value--;
        if (fromCert is { } inhibit && (value == -1 || inhibit < value))
            value = inhibit;
        return value;
    }

    private static int MergeInhibitAnyPolicy(int value, ClientCertificateFacts cert)
    {
        if (value > 0 && !cert.IsSelfIssued)
            value--;
        if (cert.InhibitAnyPolicy is { } skip && skip < value)
            value = skip;
        return value;
    }
}
