namespace ZscalerPki.Core.Validation;

/// <summary>The RFC 5280 section 6.1 valid_policy_tree, with a node budget against pathological growth.</summary>
internal sealed class PolicyTree
{
    internal sealed class Node
    {
        public Node(string validPolicy, HashSet<string> expected, Node? parent, int depth)
        {
            ValidPolicy = validPolicy;
            Expected = expected;
            Parent = parent;
            Depth = depth;
        }

        public string ValidPolicy { get; }
        public HashSet<string> Expected { get; set; }
        public Node? Parent { get; }
        public int Depth { get; }
        public List<Node> Children { get; } = new();
    }

    public const int MaxNodes = 10_000;
    private readonly List<List<Node>> _levels = new();
    private int _count;

    public PolicyTree()
    {
        var root = new Node(Oids.AnyPolicy, new HashSet<string> { Oids.AnyPolicy }, null, 0);
        _levels.Add(new List<Node> { root });
        _count = 1;
    }

    public bool TooLarge => _count > MaxNodes;

    public IReadOnlyList<Node> Level(int depth) => depth >= 0 && depth < _levels.Count ? _levels[depth] : Array.Empty<Node>();

    private Node Add(Node parent, string policy, HashSet<string> expected)
    {
        var d = parent.Depth + 1;
        while (_levels.Count <= d) _levels.Add(new List<Node>());
        var n = new Node(policy, expected, parent, d);
        parent.Children.Add(n);
        _levels[d].Add(n);
        _count++;
        return n;
    }

    /// <summary>Section 6.1.3 (d)(1)-(3) for certificate <paramref name="i"/>. Returns false when the tree becomes empty.</summary>
    public bool ProcessCertificatePolicies(int i, List<string> policies, bool anyPolicyAllowed)
    {
        var prev = Level(i - 1).ToList();
        foreach (var p in policies)
        {
            if (p == Oids.AnyPolicy) continue;
            bool matched = false;
            foreach (var node in prev)
            {
                if (node.Expected.Contains(p))
                {
                    Add(node, p, new HashSet<string> { p });
                    matched = true;
                }
            }
            if (!matched)
            {
                foreach (var node in prev)
                    if (node.ValidPolicy == Oids.AnyPolicy)
                        Add(node, p, new HashSet<string> { p });
            }
        }
        if (policies.Contains(Oids.AnyPolicy) && anyPolicyAllowed)
        {
            foreach (var node in prev)
            {
                foreach (var e in node.Expected)
                {
                    if (!node.Children.Any(c => c.ValidPolicy == e))
                        Add(node, e, new HashSet<string> { e });
                }
            }
        }
        PruneBelow(i);
        return Level(i).Count > 0;
    }

    /// <summary>Deletes childless nodes of depth &lt; <paramref name="depth"/>, bottom-up.</summary>
    public void PruneBelow(int depth)
    {
        for (int d = Math.Min(depth, _levels.Count) - 1; d >= 0; d--)
        {
            var level = _levels[d];
            for (int k = level.Count - 1; k >= 0; k--)
            {
                var n = level[k];
                if (n.Children.Count == 0) Remove(n);
            }
        }
    }

    private void Remove(Node n)
    {
        n.Parent?.Children.Remove(n);
        _levels[n.Depth].Remove(n);
        _count--;
    }

    private void RemoveSubtree(Node n)
    {
        foreach (var c in n.Children.ToList()) RemoveSubtree(c);
        Remove(n);
    }

    public bool IsEmpty => _levels.Count == 0 || _levels[0].Count == 0;

    /// <summary>Section 6.1.4 (b): apply policy mappings of certificate i.</summary>
    public void ApplyMappings(int i, List<(string IssuerDomain, string SubjectDomain)> mappings, bool mappingAllowed)
    {
        var byIssuer = new Dictionary<string, HashSet<string>>();
        foreach (var (idp, sdp) in mappings)
        {
            if (!byIssuer.TryGetValue(idp, out var set)) byIssuer[idp] = set = new HashSet<string>();
            set.Add(sdp);
        }
        foreach (var (idp, sdps) in byIssuer)
        {
            var level = Level(i).ToList();
            if (mappingAllowed)
            {
                bool found = false;
                foreach (var n in level)
                {
                    if (n.ValidPolicy == idp) { n.Expected = new HashSet<string>(sdps); found = true; }
                }
                if (!found)
                {
                    var any = level.FirstOrDefault(n => n.ValidPolicy == Oids.AnyPolicy);
                    if (any?.Parent is { } parent)
                        Add(parent, idp, new HashSet<string>(sdps));
                }
            }
            else
            {
                foreach (var n in level)
                    if (n.ValidPolicy == idp) RemoveSubtree(n);
                PruneBelow(i);
            }
        }
    }

    /// <summary>Section 6.1.5 (g): intersection with the user-initial-policy-set. Returns the authority/user constrained set.</summary>
    public bool Intersect(int n, IReadOnlyCollection<string> initial)
    {
        if (initial.Contains(Oids.AnyPolicy)) return Level(n).Count > 0 || IsRootOnly(n);
        // valid_policy_node_set: nodes whose parent is anyPolicy
        var all = _levels.SelectMany(l => l).ToList();
        var nodeSet = all.Where(x => x.Parent is { ValidPolicy: Oids.AnyPolicy }).ToList();
        foreach (var x in nodeSet)
        {
            if (x.ValidPolicy != Oids.AnyPolicy && !initial.Contains(x.ValidPolicy))
                if (_levels[x.Depth].Contains(x)) RemoveSubtree(x);
        }
        var anyLeaf = Level(n).FirstOrDefault(x => x.ValidPolicy == Oids.AnyPolicy);
        if (anyLeaf?.Parent is { } p)
        {
            foreach (var pol in initial)
            {
                if (!Level(n).Any(x => x.ValidPolicy == pol))
                    Add(p, pol, new HashSet<string> { pol });
            }
            Remove(anyLeaf);
        }
        PruneBelow(n);
        return Level(n).Count > 0;
    }

    private bool IsRootOnly(int n) => n == 0 && _levels[0].Count > 0;

    public List<string> LeafPolicies(int n) => Level(n).Select(x => x.ValidPolicy).Distinct().ToList();
}
