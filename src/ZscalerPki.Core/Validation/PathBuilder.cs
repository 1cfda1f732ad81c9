namespace ZscalerPki.Core.Validation;

/// <summary>
/// Path building (RULES.md section B): a depth-first search from a certificate up to one of a set of trust anchors.
/// Every complete candidate path is validated by <see cref="PathValidator"/>; the first valid one wins, otherwise the
/// best failing one is reported. One instance serves one search (the request's main search, or one CRL-issuer
/// sub-validation); all searches of a request share its <see cref="WorkBudget"/>.
/// </summary>
internal sealed class PathBuilder
{
    private readonly ValidationContext _context;
    private readonly HashSet<string> _anchorThumbprints;
    private readonly int _depth;
    private readonly List<ParsedCertificate> _chain = new();
    private readonly HashSet<string> _inChain = new();
    private PathOutcome? _best;
    private int _candidatesTried;
    private int _steps;
    private bool _limitHit;
    private List<ParsedCertificate> _longestPartial = new();

    /// <param name="context">The request's state.</param>
    /// <param name="anchors">The trust anchors a path must end at.</param>
    /// <param name="depth">0 for the request's own search, 1+ for nested CRL-issuer sub-validations.</param>
    public PathBuilder(ValidationContext context, IReadOnlyList<ParsedCertificate> anchors, int depth)
    {
        _context = context;
        // The request's own search uses the context's set; a CRL-issuer search has its own (one anchor).
        _anchorThumbprints = ReferenceEquals(anchors, context.Anchors)
            ? context.AnchorThumbprints
            : new HashSet<string>(anchors.Select(a => a.Thumbprint));
        _depth = depth;
    }

    /// <summary>Builds and validates candidate paths for <paramref name="leaf"/>; returns the first valid path or the best failing one.</summary>
    public ChainValidationResult Build(ParsedCertificate leaf)
    {
        if (_anchorThumbprints.Contains(leaf.Thumbprint))
        {
            var single = Validate(new List<ParsedCertificate> { leaf }, anchored: true);
            return single.ToResult(_context, 1);
        }
        _chain.Add(leaf);
        _inChain.Add(leaf.Thumbprint);
        _longestPartial = new List<ParsedCertificate> { leaf };
        Search();

        if (_best is not null)
        {
            if (_limitHit && _best.ErrorCount > 0)
            {
                _best.Problems.Add(new ChainProblem(ChainProblemCodes.PathBuildingLimitExceeded,
                    "Path building stopped at its work bound; other paths were not examined.", null, ChainProblemSeverity.Warning));
            }
            return _best.ToResult(_context, _candidatesTried);
        }

        // No anchored path: validate the longest partial chain for diagnostics.
        var partial = _longestPartial.AsEnumerable().Reverse().ToList();
        var outcome = Validate(partial, anchored: false);
        int top = partial.Count - 1;
        if (_limitHit)
        {
            outcome.Problems.Insert(0, new ChainProblem(ChainProblemCodes.PathBuildingLimitExceeded,
                "No path to a trusted root was found within the path-building work bound.", top));
            outcome.Problems.Insert(0, new ChainProblem(ChainProblemCodes.NoPathToTrustAnchor, "No path to a trusted root was found.", top));
        }
        else
        {
            outcome.Problems.Insert(0, new ChainProblem(ChainProblemCodes.NoPathToTrustAnchor,
                $"No path to a trusted root: no trusted or supplied certificate is the issuer ({partial[0].IssuerText}) of \"{partial[0].SubjectText}\".", top));
        }
        return outcome.ToResult(_context, _candidatesTried);
    }

    /// <summary>Extends <see cref="_chain"/> by one issuer at a time; returns true when the search is over (a valid path, or a bound).</summary>
    private bool Search()
    {
        _steps++;
        _context.Budget.SpendBuildStep();
        if (_steps > ChainValidator.MaxBuildSteps || _candidatesTried >= ChainValidator.MaxCandidatePaths)
        {
            _limitHit = true;
            return true;
        }
        var current = _chain[^1];
        if (_chain.Count > _longestPartial.Count)
        {
            _longestPartial = _chain.ToList();
        }
        if (_chain.Count >= ChainValidator.MaxPathLength)
        {
            _limitHit = true;
            return false;
        }
        foreach (var (candidate, isAnchor, _) in IssuerCandidates(current))
        {
            if (_inChain.Contains(candidate.Thumbprint))
            {
                continue;
            }
            if (isAnchor)
            {
                if (TryAnchoredPath(candidate))
                {
                    return true;
                }
                continue;
            }
            _chain.Add(candidate);
            _inChain.Add(candidate.Thumbprint);
            bool done = Search();
            _chain.RemoveAt(_chain.Count - 1);
            _inChain.Remove(candidate.Thumbprint);
            if (done)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Validates the current chain ended by <paramref name="anchor"/>; returns true when the search is over.</summary>
    private bool TryAnchoredPath(ParsedCertificate anchor)
    {
        var path = new List<ParsedCertificate>(_chain.Count + 1) { anchor };
        for (int index = _chain.Count - 1; index >= 0; index--)
        {
            path.Add(_chain[index]);
        }
        _candidatesTried++;
        var outcome = Validate(path, anchored: true);
        if (outcome.ErrorCount == 0)
        {
            _best = outcome;
            return true;
        }
        if (_best is null || IsBetter(outcome, _best))
        {
            _best = outcome;
        }
        if (_candidatesTried >= ChainValidator.MaxCandidatePaths)
        {
            _limitHit = true;
            return true;
        }
        return false;
    }

    private PathOutcome Validate(List<ParsedCertificate> path, bool anchored) =>
        new PathValidator(_context, path, anchored, _depth).Run();

    /// <summary>Ranks failing candidates: a path whose signatures all verify beats one that does not (it is the path the issuer meant), then fewer errors, then shorter.</summary>
    private static bool IsBetter(PathOutcome candidate, PathOutcome best)
    {
        int candidateWeight = Weight(candidate);
        int bestWeight = Weight(best);
        return candidateWeight < bestWeight || (candidateWeight == bestWeight && candidate.Path.Count < best.Path.Count);
    }

    private static int Weight(PathOutcome outcome)
    {
        int weight = 0;
        foreach (var problem in outcome.Problems)
        {
            if (problem.Severity != ChainProblemSeverity.Error)
            {
                continue;
            }
            weight += problem.Code is ChainProblemCodes.SignatureInvalid or ChainProblemCodes.NameChainingFailed ? 100 : 1;
        }
        return weight;
    }

    /// <summary>
    /// Issuer candidates for <paramref name="certificate"/>: anchors first, then supplied certificates; within each,
    /// key-identifier matches, then certificates valid at the validation time, then CAs.
    /// </summary>
    private List<(ParsedCertificate Certificate, bool IsAnchor, int Score)> IssuerCandidates(ParsedCertificate certificate)
    {
        var scored = new List<(ParsedCertificate Certificate, bool IsAnchor, int Score)>();
        var authorityKeyId = certificate.AuthorityKeyId?.KeyId;
        int Score(ParsedCertificate candidate)
        {
            int score = 0;
            if (authorityKeyId is not null && candidate.SubjectKeyId is not null && !authorityKeyId.AsSpan().SequenceEqual(candidate.SubjectKeyId))
            {
                score += 4;
            }
            if (_context.Now < candidate.NotBefore || _context.Now > candidate.NotAfter)
            {
                score += 2;
            }
            if (candidate.BasicConstraints is not { IsCA: true })
            {
                score += 1;
            }
            return score;
        }
        _context.AnchorsBySubject.TryGetValue(certificate.Issuer.Canonical, out var anchors);
        if (anchors is not null)
        {
            foreach (var anchor in anchors)
            {
                if (_anchorThumbprints.Contains(anchor.Thumbprint))
                {
                    scored.Add((anchor, true, Score(anchor)));
                }
            }
        }
        if (_context.PoolBySubject.TryGetValue(certificate.Issuer.Canonical, out var pool))
        {
            foreach (var candidate in pool)
            {
                scored.Add((candidate, false, Score(candidate) + 8));
            }
        }
        // Anchors outside the active anchor set (in sub-validations) may still serve as intermediates.
        if (anchors is not null)
        {
            foreach (var anchor in anchors)
            {
                if (!_anchorThumbprints.Contains(anchor.Thumbprint))
                {
                    scored.Add((anchor, false, Score(anchor) + 8));
                }
            }
        }
        if (scored.Count > 1)
        {
            scored.Sort((x, y) => x.Score.CompareTo(y.Score));
        }
        return scored;
    }
}
