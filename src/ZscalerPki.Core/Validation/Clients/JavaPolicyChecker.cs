namespace ZscalerPki.Core.Validation.Clients;

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
