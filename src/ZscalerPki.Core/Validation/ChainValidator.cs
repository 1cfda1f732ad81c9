using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Validation;

/// <summary>
/// Certificate path building and validation (RFC 5280 sections 6.1 and 6.3) with an optional WebPKI profile.
/// Thread-safe: parsed certificates and imported keys are cached per <see cref="X509Certificate2"/> instance
/// (reuse the objects for bulk work); every call verifies every signature again.
/// </summary>
public static class ChainValidator
{
    /// <summary>Hard bound on the number of certificates in one path (including leaf and trust anchor).</summary>
    public const int MaxPathLength = 32;

    /// <summary>Bound on complete candidate paths that are validated before giving up.</summary>
    public const int MaxCandidatePaths = 32;

    /// <summary>Bound on issuer look-ups during path building (work bound against cross-sign meshes).</summary>
    public const int MaxBuildSteps = 2000;

    /// <summary>Validates <paramref name="request"/>'s certificate. Never throws for bad certificate content (that is a verdict); throws <see cref="PkiException"/> for an invalid request.</summary>
    public static ChainValidationResult Validate(ChainValidationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Certificate is null)
            throw new PkiException(PkiErrorIds.CertificateRequired, PkiErrorCategory.InvalidArgument, "A certificate to validate is required.");
        var ctx = new ValidationContext(request);
        ParsedCertificate leaf;
        try
        {
            leaf = ParsedCertificate.From(request.Certificate);
        }
        catch (PkiException ex)
        {
            var problem = new ChainProblem(ChainProblemCodes.MalformedCertificate, ex.Message, 0);
            return new ChainValidationResult
            {
                IsValid = false,
                Elements = new[] { MakeElement(request.Certificate, 0, false, new[] { problem }, RevocationStatus.NotChecked) },
                Problems = new[] { problem },
                Profile = request.Profile,
                At = ctx.At,
            };
        }
        try
        {
            return ctx.Run(leaf, ctx.Anchors, depth: 0);
        }
        catch (Exception ex) when (ex is System.Formats.Asn1.AsnContentException or System.Security.Cryptography.CryptographicException
                                       or FormatException or OverflowException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            // Defensive: content the parsers accepted but a later step could not handle is a verdict, not a crash.
            var problem = new ChainProblem(ChainProblemCodes.ValidationError, "Validation could not be completed: " + ex.Message, null);
            return new ChainValidationResult
            {
                IsValid = false,
                Elements = new[] { MakeElement(request.Certificate, 0, false, Array.Empty<ChainProblem>(), RevocationStatus.NotChecked) },
                Problems = new[] { problem },
                Profile = request.Profile,
                At = ctx.At,
            };
        }
    }

    internal static ChainElementResult MakeElement(X509Certificate2 cert, int index, bool anchor, IReadOnlyList<ChainProblem> problems, RevocationStatus rev)
    {
        string subject, issuer, thumb;
        DateTime nb, na;
        try { subject = cert.Subject; issuer = cert.Issuer; thumb = cert.Thumbprint; nb = cert.NotBefore.ToUniversalTime(); na = cert.NotAfter.ToUniversalTime(); }
        catch (System.Security.Cryptography.CryptographicException) { subject = issuer = thumb = ""; nb = na = default; }
        return new ChainElementResult
        {
            Index = index, Certificate = cert, Subject = subject, Issuer = issuer, Thumbprint = thumb,
            NotBefore = nb, NotAfter = na, IsTrustAnchor = anchor, Problems = problems, Revocation = rev,
        };
    }
}

/// <summary>Per-request state: parsed pools, CRLs and the validation algorithm.</summary>
internal sealed class ValidationContext
{
    public ChainValidationRequest Request { get; }
    public DateTimeOffset At { get; }
    public DateTime Now { get; }
    public List<ParsedCertificate> Anchors { get; } = new();
    public Dictionary<string, List<ParsedCertificate>> AnchorsBySubject { get; } = new();
    public Dictionary<string, List<ParsedCertificate>> PoolBySubject { get; } = new();
    public HashSet<string> AnchorThumbprints { get; } = new();
    public List<ParsedCrl> Crls { get; } = new();
    public List<ChainProblem> InputWarnings { get; } = new();
    public bool CheckRevocation { get; }
    private readonly RevocationChecker _revocation;

    public ValidationContext(ChainValidationRequest request)
    {
        Request = request;
        At = request.At ?? DateTimeOffset.UtcNow;
        Now = At.UtcDateTime;
        foreach (var a in request.TrustedRoots ?? Array.Empty<X509Certificate2>())
        {
            if (a is null) continue;
            ParsedCertificate p;
            try { p = ParsedCertificate.From(a); }
            catch (PkiException ex) { InputWarnings.Add(new ChainProblem(ChainProblemCodes.MalformedCertificate, "A trusted root was ignored: " + ex.Message, null, ChainProblemSeverity.Warning)); continue; }
            if (!AnchorThumbprints.Add(p.Thumbprint)) continue;
            Anchors.Add(p);
            AddTo(AnchorsBySubject, p);
        }
        var seen = new HashSet<string>();
        foreach (var c in request.Intermediates ?? Array.Empty<X509Certificate2>())
        {
            if (c is null) continue;
            ParsedCertificate p;
            try { p = ParsedCertificate.From(c); }
            catch (PkiException ex) { InputWarnings.Add(new ChainProblem(ChainProblemCodes.MalformedCertificate, "An intermediate was ignored: " + ex.Message, null, ChainProblemSeverity.Warning)); continue; }
            if (!seen.Add(p.Thumbprint) || AnchorThumbprints.Contains(p.Thumbprint)) continue;
            AddTo(PoolBySubject, p);
        }
        foreach (var raw in request.Crls ?? Array.Empty<byte[]>())
        {
            if (raw is null) continue;
            try { Crls.Add(ParsedCrl.From(raw)); }
            catch (PkiException ex) { InputWarnings.Add(new ChainProblem("CrlParseFailed", "A CRL was ignored: " + ex.Message, null, ChainProblemSeverity.Warning)); }
        }
        CheckRevocation = (request.RevocationMode ?? (Crls.Count > 0 || (request.Crls?.Count ?? 0) > 0 ? RevocationMode.Check : RevocationMode.None)) == RevocationMode.Check;
        _revocation = new RevocationChecker(this);
    }

    private static void AddTo(Dictionary<string, List<ParsedCertificate>> d, ParsedCertificate p)
    {
        if (!d.TryGetValue(p.Subject.Canonical, out var list)) d[p.Subject.Canonical] = list = new List<ParsedCertificate>();
        list.Add(p);
    }

    /// <summary>All certificates (anchors and pool) with the given subject.</summary>
    public IEnumerable<ParsedCertificate> WithSubject(DistinguishedName subject)
    {
        if (AnchorsBySubject.TryGetValue(subject.Canonical, out var a)) foreach (var x in a) yield return x;
        if (PoolBySubject.TryGetValue(subject.Canonical, out var p)) foreach (var x in p) yield return x;
    }

    // ------------------------------------------------------------------ path building

    private sealed class Outcome
    {
        public required List<ParsedCertificate> Path; // anchor-first; Path[0] is an anchor when Anchored
        public required bool Anchored;
        public required List<ChainProblem> Problems;
        public required RevocationStatus[] Revocation; // indexed like Path
        public List<string> Policies = new();
        public int ErrorCount => Problems.Count(p => p.Severity == ChainProblemSeverity.Error);
    }

    /// <summary>
    /// Builds candidate paths depth-first from <paramref name="leaf"/> to one of <paramref name="anchors"/>, validates each
    /// complete candidate, and returns the first valid one or the best failing one.
    /// </summary>
    public ChainValidationResult Run(ParsedCertificate leaf, IReadOnlyList<ParsedCertificate> anchors, int depth)
    {
        var anchorSet = new HashSet<string>(anchors.Select(a => a.Thumbprint));
        Outcome? best = null;
        int tried = 0, steps = 0;
        bool limitHit = false;
        List<ParsedCertificate> longestPartial = new() { leaf };

        // stack of (certificate chain leaf-first)
        var chain = new List<ParsedCertificate> { leaf };
        var inChain = new HashSet<string> { leaf.Thumbprint };

        if (anchorSet.Contains(leaf.Thumbprint))
        {
            var o = ValidatePath(new List<ParsedCertificate> { leaf }, true, depth);
            return ToResult(o, 1);
        }

        bool Search()
        {
            if (++steps > ChainValidator.MaxBuildSteps || tried >= ChainValidator.MaxCandidatePaths) { limitHit = true; return true; }
            var current = chain[^1];
            if (chain.Count > longestPartial.Count) longestPartial = chain.ToList();
            if (chain.Count >= ChainValidator.MaxPathLength) { limitHit = true; return false; }
            foreach (var (cand, isAnchor) in IssuerCandidates(current, anchorSet))
            {
                if (inChain.Contains(cand.Thumbprint)) continue;
                if (isAnchor)
                {
                    var path = new List<ParsedCertificate>(chain.Count + 1) { cand };
                    for (int k = chain.Count - 1; k >= 0; k--) path.Add(chain[k]);
                    tried++;
                    var o = ValidatePath(path, true, depth);
                    if (o.ErrorCount == 0) { best = o; return true; }
                    if (best is null || Better(o, best)) best = o;
                    if (tried >= ChainValidator.MaxCandidatePaths) { limitHit = true; return true; }
                    continue;
                }
                chain.Add(cand);
                inChain.Add(cand.Thumbprint);
                bool done = Search();
                chain.RemoveAt(chain.Count - 1);
                inChain.Remove(cand.Thumbprint);
                if (done) return true;
            }
            return false;
        }

        Search();

        if (best is not null)
        {
            if (limitHit && best.ErrorCount > 0)
                best.Problems.Add(new ChainProblem(ChainProblemCodes.PathBuildingLimitExceeded, "Path building stopped at its work bound; other paths were not examined.", null, ChainProblemSeverity.Warning));
            return ToResult(best, tried);
        }

        // No anchored path: validate the longest partial chain for diagnostics.
        var partial = longestPartial.AsEnumerable().Reverse().ToList();
        var po = ValidatePath(partial, false, depth);
        var msg = limitHit
            ? "No path to a trusted root was found within the path-building work bound."
            : $"No path to a trusted root: no trusted or supplied certificate is the issuer ({partial[0].IssuerText}) of \"{partial[0].SubjectText}\".";
        po.Problems.Insert(0, new ChainProblem(limitHit ? ChainProblemCodes.PathBuildingLimitExceeded : ChainProblemCodes.NoPathToTrustAnchor, msg, partial.Count - 1));
        if (limitHit) po.Problems.Insert(0, new ChainProblem(ChainProblemCodes.NoPathToTrustAnchor, "No path to a trusted root was found.", partial.Count - 1));
        return ToResult(po, tried);
    }

    private static int CountIntermediates(List<ParsedCertificate> leafFirstChain)
    {
        int n = 0;
        for (int k = 1; k < leafFirstChain.Count; k++) if (!leafFirstChain[k].IsSelfIssued) n++;
        return n;
    }

    /// <summary>Ranks failing candidates: a path whose signatures all verify beats one that does not (it is the path the issuer meant), then fewer errors, then shorter.</summary>
    private static bool Better(Outcome a, Outcome b)
    {
        static int Weight(Outcome o) => o.Problems.Sum(p => p.Severity != ChainProblemSeverity.Error ? 0
            : p.Code is ChainProblemCodes.SignatureInvalid or ChainProblemCodes.NameChainingFailed ? 100 : 1);
        int wa = Weight(a), wb = Weight(b);
        return wa < wb || (wa == wb && a.Path.Count < b.Path.Count);
    }

    /// <summary>Issuer candidates for <paramref name="c"/>: anchors first, then supplied certificates; key-identifier matches and currently valid ones first.</summary>
    private List<(ParsedCertificate Cert, bool IsAnchor)> IssuerCandidates(ParsedCertificate c, HashSet<string> anchorSet)
    {
        var list = new List<(ParsedCertificate, bool, int)>();
        var aki = c.AuthorityKeyId?.KeyId;
        int Score(ParsedCertificate x)
        {
            int s = 0;
            if (aki is not null && x.SubjectKeyId is not null && !aki.AsSpan().SequenceEqual(x.SubjectKeyId)) s += 4;
            if (Now < x.NotBefore || Now > x.NotAfter) s += 2;
            if (x.BasicConstraints is not { IsCA: true }) s += 1;
            return s;
        }
        if (AnchorsBySubject.TryGetValue(c.Issuer.Canonical, out var anchors))
            foreach (var a in anchors) if (anchorSet.Contains(a.Thumbprint)) list.Add((a, true, Score(a)));
        if (PoolBySubject.TryGetValue(c.Issuer.Canonical, out var pool))
            foreach (var p in pool) list.Add((p, false, Score(p) + 8));
        // Anchors not in the active anchor set (sub-validations) may still serve as intermediates.
        if (anchors is not null)
            foreach (var a in anchors) if (!anchorSet.Contains(a.Thumbprint)) list.Add((a, false, Score(a) + 8));
        if (list.Count > 1) list.Sort((x, y) => x.Item3.CompareTo(y.Item3));
        return list.Select(x => (x.Item1, x.Item2)).ToList();
    }

    // ------------------------------------------------------------------ validation of one path

    private Outcome ValidatePath(List<ParsedCertificate> path, bool anchored, int depth)
    {
        // path[0] = trust anchor (if anchored), path[^1] = leaf. Element index of path[k] = n - k.
        int n = path.Count - 1;
        var problems = new List<ChainProblem>(InputWarnings);
        var rev = new RevocationStatus[path.Count];
        var profile = Request.Profile;
        void Add(int k, string code, string msg, ChainProblemSeverity sev = ChainProblemSeverity.Error) =>
            problems.Add(new ChainProblem(code, msg, n - k, sev));

        var anchor = path[0];
        int start = anchored ? 1 : 0;
        // ---- initialization (6.1.2)
        var tree = new PolicyTree();
        bool treeNull = false;
        bool subValidation = depth > 0;
        int explicitPolicy = Request.InitialExplicitPolicy && !subValidation ? 0 : n + 1;
        int inhibitAny = Request.InitialAnyPolicyInhibit && !subValidation ? 0 : n + 1;
        int policyMapping = Request.InitialPolicyMappingInhibit && !subValidation ? 0 : n + 1;
        int maxPathLength = int.MaxValue;
        var nc = new NameConstraintState();
        bool policyFailed = false;

        if (anchored)
        {
            CheckValidity(anchor, 0, Add);
            ProfileRules.CheckCertificate(this, anchor, CertRole.Anchor, 0, n, Add);
            if (anchor.BasicConstraints?.PathLength is { } apl) maxPathLength = apl;
            if (anchor.NameConstraints is { } anc && n > 0)
            {
                bool ok = true;
                foreach (var st in anc.Permitted.Concat(anc.Excluded))
                    if (NameConstraintState.ValidateSubtree(st) is { } err) { Add(0, ChainProblemCodes.InvalidNameConstraint, err); ok = false; }
                if (ok) nc.Add(anc);
            }
        }

        int nonSelfIssuedIntermediates = 0;
        for (int k = start; k <= n; k++)
        {
            var c = path[k];
            bool isLeaf = k == n;
            var role = isLeaf ? (subValidation ? CertRole.CrlSigner : CertRole.Leaf) : CertRole.Intermediate;

            // (a)(1) signature, (a)(4) name chaining
            if (k > 0)
            {
                var issuer = path[k - 1];
                string? why = "the signature BIT STRING has unused bits";
                var check = c.SignatureUnusedBits != 0 ? SignatureCheck.Invalid
                    : SignatureVerifier.Verify(issuer, k >= 2 ? path[k - 2] : null, c.Tbs.Span, c.SignatureAlgorithm, c.SignatureValue, out why);
                if (check == SignatureCheck.Invalid) Add(k, ChainProblemCodes.SignatureInvalid, $"Signature by \"{issuer.SubjectText}\" is invalid: {why}.");
                else if (check == SignatureCheck.Unsupported) Add(k, ChainProblemCodes.SignatureAlgorithmUnsupported, $"Signature cannot be checked: {why}.");
                if (!c.Issuer.Equals(issuer.Subject))
                    Add(k, ChainProblemCodes.NameChainingFailed, $"Issuer \"{c.IssuerText}\" does not match the issuing certificate's subject \"{issuer.SubjectText}\".");
            }
            // (a)(2) validity
            CheckValidity(c, k, Add);
            ProfileRules.CheckCertificate(this, c, role, k, n, Add);

            // (b)(c) name constraints
            if (!nc.IsEmpty && (isLeaf || !c.IsSelfIssued))
                foreach (var v in nc.Check(c))
                    Add(k, ChainProblemCodes.NameConstraintViolation, v + ".");

            // (d)-(f) policies
            if (!anchored) treeNull = true;
            if (!treeNull)
            {
                if (c.Policies is { } pols)
                {
                    bool anyAllowed = inhibitAny > 0 || (!isLeaf && c.IsSelfIssued);
                    if (!tree.ProcessCertificatePolicies(k, pols, anyAllowed)) treeNull = true;
                    if (tree.TooLarge) { Add(k, ChainProblemCodes.PolicyTreeTooLarge, "The certificate policy tree exceeded its size bound."); treeNull = true; }
                }
                else treeNull = true;
            }
            if (explicitPolicy <= 0 && treeNull && !policyFailed && anchored)
            {
                policyFailed = true;
                Add(k, ChainProblemCodes.PolicyRequired, "An explicit certificate policy is required, but no acceptable policy is valid at this certificate.");
            }

            if (!isLeaf)
            {
                // 6.1.4 preparation for the next certificate
                if (c.PolicyMappings is { } maps)
                {
                    if (maps.Any(m => m.IssuerDomain == Oids.AnyPolicy || m.SubjectDomain == Oids.AnyPolicy))
                        Add(k, ChainProblemCodes.PolicyMappingInvalid, "policyMappings maps to or from anyPolicy.");
                    else if (!treeNull)
                    {
                        tree.ApplyMappings(k, maps, policyMapping > 0);
                        if (tree.IsEmpty) treeNull = true;
                    }
                }
                if (c.NameConstraints is { } cnc)
                {
                    bool ok = true;
                    foreach (var st in cnc.Permitted.Concat(cnc.Excluded))
                        if (NameConstraintState.ValidateSubtree(st) is { } err) { Add(k, ChainProblemCodes.InvalidNameConstraint, err); ok = false; }
                    if (ok) nc.Add(cnc);
                }
                if (!c.IsSelfIssued)
                {
                    if (explicitPolicy > 0) explicitPolicy--;
                    if (policyMapping > 0) policyMapping--;
                    if (inhibitAny > 0) inhibitAny--;
                    nonSelfIssuedIntermediates++;
                }
                if (c.RequireExplicitPolicy is { } rep && rep < explicitPolicy) explicitPolicy = rep;
                if (c.InhibitPolicyMapping is { } ipm && ipm < policyMapping) policyMapping = ipm;
                if (c.InhibitAnyPolicy is { } iap && iap < inhibitAny) inhibitAny = iap;

                // (k) CA
                if (c.Version < 2 || c.BasicConstraints is not { IsCA: true })
                    Add(k, ChainProblemCodes.NotACA, c.BasicConstraints is null
                        ? "Issues another certificate but has no basicConstraints extension (not a CA)."
                        : "Issues another certificate but basicConstraints cA is FALSE.");
                // (l)(m) path length
                if (!c.IsSelfIssued)
                {
                    if (maxPathLength <= 0) Add(k, ChainProblemCodes.PathLengthExceeded, "A pathLenConstraint above this CA does not allow another intermediate CA here.");
                    else maxPathLength--;
                }
                if (c.BasicConstraints?.PathLength is { } pl && pl < maxPathLength) maxPathLength = pl;
                // (n) key usage
                if (c.KeyUsage is { } ku && (ku & KeyUsageBits.KeyCertSign) == 0)
                    Add(k, ChainProblemCodes.KeyUsageMissingCertSign, "Issues another certificate but keyUsage lacks keyCertSign.");
            }
        }

        if (Request.MaxDepth is { } maxDepth && !subValidation && nonSelfIssuedIntermediates > maxDepth)
            Add(Math.Max(0, n - 1), ChainProblemCodes.MaxDepthExceeded, $"The path has {nonSelfIssuedIntermediates} intermediate CA(s); at most {maxDepth} allowed.");

        // ---- wrap-up (6.1.5)
        var policies = new List<string>();
        if (n >= 1 && anchored)
        {
            if (explicitPolicy > 0) explicitPolicy--;
            if (path[n].RequireExplicitPolicy == 0) explicitPolicy = 0;
            var initial = Request.InitialPolicySet is { Count: > 0 } ips && !subValidation ? (IReadOnlyCollection<string>)ips.ToHashSet() : new HashSet<string> { Oids.AnyPolicy };
            if (!treeNull)
            {
                if (!tree.Intersect(n, initial)) treeNull = true;
                else policies = tree.LeafPolicies(n);
            }
            if (explicitPolicy <= 0 && treeNull && !policyFailed)
                Add(n, ChainProblemCodes.PolicyRequired, "An explicit certificate policy is required, but the path's valid policies do not intersect the acceptable policy set.");
        }

        // ---- leaf usage checks
        if (!subValidation) UsageRules.CheckLeaf(this, path[n], n, Add);

        // ---- revocation (6.3)
        if (CheckRevocation && anchored)
        {
            for (int k = 1; k <= n; k++)
            {
                var (status, code, msg) = _revocation.Check(path, k, depth);
                rev[k] = status;
                if (status == RevocationStatus.Revoked) Add(k, ChainProblemCodes.Revoked, msg);
                else if (status == RevocationStatus.Unknown)
                    Add(k, code, msg, Request.UnknownRevocationIsFailure ? ChainProblemSeverity.Error : ChainProblemSeverity.Warning);
            }
        }

        return new Outcome { Path = path, Anchored = anchored, Problems = problems, Revocation = rev, Policies = policies };
    }

    private void CheckValidity(ParsedCertificate c, int k, Action<int, string, string, ChainProblemSeverity> add)
    {
        if (Now < c.NotBefore)
            add(k, ChainProblemCodes.NotYetValid, $"Not valid before {c.NotBefore:u}; validation time is {Now:u}.", ChainProblemSeverity.Error);
        else if (Now > c.NotAfter)
            add(k, ChainProblemCodes.Expired, $"Expired at {c.NotAfter:u}; validation time is {Now:u}.", ChainProblemSeverity.Error);
    }

    private ChainValidationResult ToResult(Outcome o, int tried)
    {
        int n = o.Path.Count - 1;
        var elements = new List<ChainElementResult>(o.Path.Count);
        for (int idx = 0; idx <= n; idx++)
        {
            var k = n - idx;
            var pc = o.Path[k];
            var cert = pc.Source ?? new X509Certificate2(pc.Raw);
            var elementProblems = o.Problems.Count == 0 ? (IReadOnlyList<ChainProblem>)Array.Empty<ChainProblem>() : o.Problems.Where(p => p.ElementIndex == idx).ToList();
            elements.Add(new ChainElementResult
            {
                Index = idx, Certificate = cert, Subject = pc.SubjectText, Issuer = pc.IssuerText, Thumbprint = pc.Thumbprint,
                NotBefore = pc.NotBefore, NotAfter = pc.NotAfter, IsTrustAnchor = o.Anchored && k == 0,
                Problems = elementProblems, Revocation = o.Revocation[k],
            });
        }
        // de-duplicate identical problems (e.g. input warnings repeated per candidate)
        var problems = o.Problems.Count == 0 ? o.Problems : o.Problems.Distinct().ToList();
        return new ChainValidationResult
        {
            IsValid = o.Anchored && problems.All(p => p.Severity != ChainProblemSeverity.Error),
            Elements = elements,
            Problems = problems,
            Profile = Request.Profile,
            At = At,
            ValidPolicies = o.Policies,
            CandidatePathsTried = tried,
        };
    }

    /// <summary>Validates a CRL issuer's certificate to the given anchor (used by revocation checking).</summary>
    internal bool ValidateCrlSigner(ParsedCertificate signer, ParsedCertificate anchor, int depth, out string why)
    {
        why = "";
        if (signer.Thumbprint == anchor.Thumbprint) return true;
        if (depth >= 3) { why = "CRL issuer validation nested too deeply"; return false; }
        var result = Run(signer, new[] { anchor }, depth + 1);
        why = string.Join("; ", result.Problems.Where(p => p.Severity == ChainProblemSeverity.Error).Select(p => p.Code + ": " + p.Message));
        return result.IsValid;
    }
}
