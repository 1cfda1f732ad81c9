namespace ZscalerPki.Core.Validation;

/// <summary>
/// RFC 5280 section 6.1 basic path validation of one candidate path, as the RFC's state machine: initialization (6.1.2),
/// basic certificate processing (6.1.3), preparation for the next certificate (6.1.4) and wrap-up (6.1.5); then the
/// usage rules of the leaf and revocation (6.3). Certificate-profile rules are in <see cref="ProfileRules"/> and
/// <see cref="WebPkiRules"/>. One instance validates one path.
/// </summary>
internal sealed class PathValidator
{
    private readonly ValidationContext _context;
    private readonly List<ParsedCertificate> _path;
    private readonly bool _anchored;
    private readonly int _depth;
    private readonly int _lastIndex;
    private readonly List<ChainProblem> _problems;
    private readonly Action<int, string, string, ChainProblemSeverity> _add;
    private readonly PolicyTree _policyTree = new();
    private readonly NameConstraintState _nameConstraints;
    private bool _policyTreeIsNull;
    private bool _policyFailureReported;
    private int _explicitPolicy;
    private int _inhibitAnyPolicy;
    private int _policyMapping;
    private int _maxPathLength = int.MaxValue;
    private int _nonSelfIssuedIntermediates;

    /// <param name="context">The request's state.</param>
    /// <param name="path">The path, trust anchor first (when <paramref name="anchored"/>), leaf last.</param>
    /// <param name="anchored">Whether <c>path[0]</c> is a trust anchor (false: a partial chain, validated for diagnostics).</param>
    /// <param name="depth">0 for the request's own path, 1+ for a CRL issuer's path.</param>
    public PathValidator(ValidationContext context, List<ParsedCertificate> path, bool anchored, int depth)
    {
        _context = context;
        _path = path;
        _anchored = anchored;
        _depth = depth;
        _lastIndex = path.Count - 1;
        _problems = new List<ChainProblem>(context.InputWarnings);
        _nameConstraints = new NameConstraintState(context.Budget, context.Request.DnsConstraintMatching);
        _add = Add;
    }

    private ChainValidationRequest Request => _context.Request;

    /// <summary>True for a CRL issuer's path: the request's policy inputs and leaf usage do not apply to it.</summary>
    private bool IsSubValidation => _depth > 0;

    public PathOutcome Run()
    {
        Initialize();
        int first = _anchored ? 1 : 0;
        for (int index = first; index <= _lastIndex; index++)
        {
            ProcessCertificate(index);
            if (index < _lastIndex)
            {
                PrepareForNextCertificate(index);
            }
        }
        CheckMaxDepth();
        var policies = WrapUp();
        if (!IsSubValidation)
        {
            UsageRules.CheckLeaf(_context, _path[_lastIndex], _lastIndex, _add);
        }
        var revocation = new RevocationStatus[_path.Count];
        if (_context.CheckRevocation && _anchored)
        {
            CheckRevocation(revocation);
        }
        return new PathOutcome { Path = _path, Anchored = _anchored, Problems = _problems, Revocation = revocation, Policies = policies };
    }

    /// <summary>Records a problem about <c>_path[index]</c> (element index = distance from the leaf).</summary>
    private void Add(int index, string code, string message, ChainProblemSeverity severity = ChainProblemSeverity.Error) =>
        _problems.Add(new ChainProblem(code, message, _lastIndex - index, severity));

    /// <summary>6.1.2: initial state variables; the trust anchor's own checks, pathLenConstraint and name constraints.</summary>
    private void Initialize()
    {
        int pathLength = _lastIndex + 1;
        _explicitPolicy = Request.InitialExplicitPolicy && !IsSubValidation ? 0 : pathLength;
        _inhibitAnyPolicy = Request.InitialAnyPolicyInhibit && !IsSubValidation ? 0 : pathLength;
        _policyMapping = Request.InitialPolicyMappingInhibit && !IsSubValidation ? 0 : pathLength;
        if (!_anchored)
        {
            return;
        }
        var anchor = _path[0];
        CheckValidity(anchor, 0);
        ProfileRules.CheckCertificate(_context, anchor, CertRole.Anchor, 0, _lastIndex, _add);
        if (anchor.BasicConstraints?.PathLength is { } anchorPathLength)
        {
            _maxPathLength = anchorPathLength;
        }
        if (anchor.NameConstraints is { } anchorConstraints && _lastIndex > 0 && Request.TrustAnchorNameConstraints)
        {
            AddNameConstraints(anchorConstraints, 0);
        }
    }

    /// <summary>6.1.3: signature, validity, name chaining, name constraints and the policy tree for <c>_path[index]</c>.</summary>
    private void ProcessCertificate(int index)
    {
        var certificate = _path[index];
        bool isLeaf = index == _lastIndex;
        var role = isLeaf ? (IsSubValidation ? CertRole.CrlSigner : CertRole.Leaf) : CertRole.Intermediate;

        if (index > 0)
        {
            CheckSignatureAndNameChaining(index);
        }
        CheckValidity(certificate, index);
        ProfileRules.CheckCertificate(_context, certificate, role, index, _lastIndex, _add);

        // (b)(c) name constraints apply to the leaf and to every certificate that is not self-issued.
        if (!_nameConstraints.IsEmpty && (isLeaf || !certificate.IsSelfIssued))
        {
            foreach (var violation in _nameConstraints.Check(certificate))
            {
                Add(index, ChainProblemCodes.NameConstraintViolation, violation + ".");
            }
        }

        // (d)-(f) certificate policies
        if (!_anchored)
        {
            _policyTreeIsNull = true;
        }
        if (!_policyTreeIsNull)
        {
            if (certificate.Policies is { } policies)
            {
                bool anyPolicyAllowed = _inhibitAnyPolicy > 0 || (!isLeaf && certificate.IsSelfIssued);
                if (!_policyTree.ProcessCertificatePolicies(index, policies, anyPolicyAllowed))
                {
                    _policyTreeIsNull = true;
                }
                if (_policyTree.TooLarge)
                {
                    Add(index, ChainProblemCodes.PolicyTreeTooLarge, "The certificate policy tree exceeded its size bound.");
                    _policyTreeIsNull = true;
                }
            }
            else
            {
                _policyTreeIsNull = true;
            }
        }
        if (_explicitPolicy <= 0 && _policyTreeIsNull && !_policyFailureReported && _anchored)
        {
            _policyFailureReported = true;
            Add(index, ChainProblemCodes.PolicyRequired, "An explicit certificate policy is required, but no acceptable policy is valid at this certificate.");
        }
    }

    /// <summary>6.1.3(a)(1) the signature verifies with the issuer's key; (a)(4) the issuer name equals the issuer's subject.</summary>
    private void CheckSignatureAndNameChaining(int index)
    {
        var certificate = _path[index];
        var issuer = _path[index - 1];
        var issuerOfIssuer = index >= 2 ? _path[index - 2] : null;
        if (Request.AllowedSignatureAlgorithms is { Count: > 0 } allowed && !allowed.Contains(certificate.SignatureAlgorithm.Oid))
        {
            Add(index, ChainProblemCodes.SignatureAlgorithmNotAllowed,
                $"Signature algorithm {certificate.SignatureAlgorithm.Oid} is not among the acceptable signature algorithms.");
        }
        var check = _context.Budget.VerifyCertificateSignature(certificate, issuer, issuerOfIssuer, out var reason);
        if (check == SignatureCheck.Invalid)
        {
            Add(index, ChainProblemCodes.SignatureInvalid, $"Signature by \"{issuer.SubjectText}\" is invalid: {reason}.");
        }
        else if (check == SignatureCheck.Unsupported)
        {
            Add(index, ChainProblemCodes.SignatureAlgorithmUnsupported, $"Signature cannot be checked: {reason}.");
        }
        else if (check == SignatureCheck.InvalidParameters)
        {
            Add(index, ChainProblemCodes.SignatureAlgorithmParametersInvalid, $"Signature algorithm parameters are invalid: {reason}.");
        }
        if (!certificate.Issuer.Equals(issuer.Subject))
        {
            Add(index, ChainProblemCodes.NameChainingFailed,
                $"Issuer \"{certificate.IssuerText}\" does not match the issuing certificate's subject \"{issuer.SubjectText}\".");
        }
    }

    /// <summary>6.1.4: policy mappings, name constraints, the policy counters, basicConstraints, path length and keyUsage of an issuing certificate.</summary>
    private void PrepareForNextCertificate(int index)
    {
        var certificate = _path[index];
        // (a)(b) policy mappings
        if (certificate.PolicyMappings is { } mappings)
        {
            if (mappings.Any(m => m.IssuerDomain == Oids.AnyPolicy || m.SubjectDomain == Oids.AnyPolicy))
            {
                Add(index, ChainProblemCodes.PolicyMappingInvalid, "policyMappings maps to or from anyPolicy.");
            }
            else if (!_policyTreeIsNull)
            {
                _policyTree.ApplyMappings(index, mappings, _policyMapping > 0);
                if (_policyTree.IsEmpty)
                {
                    _policyTreeIsNull = true;
                }
            }
        }
        // (g) name constraints
        if (certificate.NameConstraints is { } constraints)
        {
            AddNameConstraints(constraints, index);
        }
        // (h)-(j) policy counters
        if (!certificate.IsSelfIssued)
        {
            _explicitPolicy = Math.Max(0, _explicitPolicy - 1);
            _policyMapping = Math.Max(0, _policyMapping - 1);
            _inhibitAnyPolicy = Math.Max(0, _inhibitAnyPolicy - 1);
            _nonSelfIssuedIntermediates++;
        }
        if (certificate.RequireExplicitPolicy is { } requireExplicitPolicy && requireExplicitPolicy < _explicitPolicy)
        {
            _explicitPolicy = requireExplicitPolicy;
        }
        if (certificate.InhibitPolicyMapping is { } inhibitPolicyMapping && inhibitPolicyMapping < _policyMapping)
        {
            _policyMapping = inhibitPolicyMapping;
        }
        if (certificate.InhibitAnyPolicy is { } inhibitAnyPolicy && inhibitAnyPolicy < _inhibitAnyPolicy)
        {
            _inhibitAnyPolicy = inhibitAnyPolicy;
        }
        // (k) the issuer is a CA
        if (certificate.Version < 2 || certificate.BasicConstraints is not { IsCA: true })
        {
            Add(index, ChainProblemCodes.NotACA, certificate.BasicConstraints is null
                ? "Issues another certificate but has no basicConstraints extension (not a CA)."
                : "Issues another certificate but basicConstraints cA is FALSE.");
        }
        // (l)(m) path length
        if (!certificate.IsSelfIssued)
        {
            if (_maxPathLength <= 0)
            {
                Add(index, ChainProblemCodes.PathLengthExceeded, "A pathLenConstraint above this CA does not allow another intermediate CA here.");
            }
            else
            {
                _maxPathLength--;
            }
        }
        if (certificate.BasicConstraints?.PathLength is { } pathLength && pathLength < _maxPathLength)
        {
            _maxPathLength = pathLength;
        }
        // (n) key usage
        if (certificate.KeyUsage is { } keyUsage && (keyUsage & KeyUsageBits.KeyCertSign) == 0)
        {
            Add(index, ChainProblemCodes.KeyUsageMissingCertSign, "Issues another certificate but keyUsage lacks keyCertSign.");
        }
    }

    private void AddNameConstraints(NameConstraintsInfo constraints, int index)
    {
        bool wellFormed = true;
        if (constraints.Permitted.Count == 0 && constraints.Excluded.Count == 0)
        {
            Add(index, ChainProblemCodes.InvalidNameConstraint, "nameConstraints has neither permittedSubtrees nor excludedSubtrees (RFC 5280 4.2.1.10).");
            wellFormed = false;
        }
        foreach (var subtree in constraints.Permitted.Concat(constraints.Excluded))
        {
            if (NameConstraintState.ValidateSubtree(subtree) is { } error)
            {
                Add(index, ChainProblemCodes.InvalidNameConstraint, error);
                wellFormed = false;
            }
        }
        if (wellFormed)
        {
            _nameConstraints.Add(constraints);
        }
    }

    private void CheckMaxDepth()
    {
        if (Request.MaxDepth is { } maxDepth && !IsSubValidation && _nonSelfIssuedIntermediates > maxDepth)
        {
            Add(Math.Max(0, _lastIndex - 1), ChainProblemCodes.MaxDepthExceeded,
                $"The path has {_nonSelfIssuedIntermediates} intermediate CA(s); at most {maxDepth} allowed.");
        }
    }

    /// <summary>6.1.5: explicit_policy wrap-up and the intersection with the user-initial-policy-set; returns the valid policies.</summary>
    private List<string> WrapUp()
    {
        var policies = new List<string>();
        if (_lastIndex < 1 || !_anchored)
        {
            return policies;
        }
        if (_explicitPolicy > 0)
        {
            _explicitPolicy--;
        }
        if (_path[_lastIndex].RequireExplicitPolicy == 0)
        {
            _explicitPolicy = 0;
        }
        IReadOnlyCollection<string> initial = Request.InitialPolicySet is { Count: > 0 } initialPolicySet && !IsSubValidation
            ? initialPolicySet.ToHashSet()
            : new HashSet<string> { Oids.AnyPolicy };
        if (!_policyTreeIsNull)
        {
            if (!_policyTree.Intersect(_lastIndex, initial))
            {
                _policyTreeIsNull = true;
            }
            else
            {
                policies = _policyTree.LeafPolicies(_lastIndex);
            }
        }
        if (_explicitPolicy <= 0 && _policyTreeIsNull && !_policyFailureReported)
        {
            Add(_lastIndex, ChainProblemCodes.PolicyRequired,
                "An explicit certificate policy is required, but the path's valid policies do not intersect the acceptable policy set.");
        }
        return policies;
    }

    /// <summary>6.3: every certificate below the trust anchor against the supplied CRLs.</summary>
    private void CheckRevocation(RevocationStatus[] revocation)
    {
        var unknownSeverity = Request.UnknownRevocationIsFailure ? ChainProblemSeverity.Error : ChainProblemSeverity.Warning;
        for (int index = 1; index <= _lastIndex; index++)
        {
            _context.Budget.SpendCrlExaminations(Math.Max(1, _context.Crls.Count));
            var (status, code, message) = _context.Revocation.Check(_path, index, _depth);
            revocation[index] = status;
            if (status == RevocationStatus.Revoked)
            {
                Add(index, ChainProblemCodes.Revoked, message);
            }
            else if (status == RevocationStatus.Unknown)
            {
                if (Request.SoftFailWithoutDistributionPoint && _path[index].CrlDistributionPoints is not { Count: > 0 })
                    Add(index, code, message + " The certificate names no CRL distribution point, so, as browsers do, its revocation status is left unknown without failing the chain.", ChainProblemSeverity.Warning);
                else
                    Add(index, code, message, unknownSeverity);
            }
        }
    }

    /// <summary>6.1.3(a)(2): the validation time (whole seconds) is within notBefore..notAfter.</summary>
    private void CheckValidity(ParsedCertificate certificate, int index)
    {
        var now = _context.Now;
        if (now < certificate.NotBefore)
        {
            Add(index, ChainProblemCodes.NotYetValid, $"Not valid before {certificate.NotBefore:u}; validation time is {now:u}.");
        }
        else if (now > certificate.NotAfter)
        {
            Add(index, ChainProblemCodes.Expired, $"Expired at {certificate.NotAfter:u}; validation time is {now:u}.");
        }
    }
}
