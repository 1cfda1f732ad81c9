using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Validation;

/// <summary>The result of validating one candidate path (anchor first), before it becomes a <see cref="ChainValidationResult"/>.</summary>
internal sealed class PathOutcome
{
    /// <summary>The path, anchor first; <c>Path[0]</c> is a trust anchor when <see cref="Anchored"/>.</summary>
    public required List<ParsedCertificate> Path { get; init; }

    public required bool Anchored { get; init; }

    public required List<ChainProblem> Problems { get; init; }

    /// <summary>Revocation status per certificate, indexed like <see cref="Path"/>.</summary>
    public required RevocationStatus[] Revocation { get; init; }

    public List<string> Policies { get; init; } = new();

    public int ErrorCount => Problems.Count(p => p.Severity == ChainProblemSeverity.Error);

    /// <summary>Builds the public result: elements leaf first (index 0), problems de-duplicated.</summary>
    public ChainValidationResult ToResult(ValidationContext context, int candidatesTried)
    {
        int top = Path.Count - 1;
        var elements = new List<ChainElementResult>(Path.Count);
        for (int elementIndex = 0; elementIndex <= top; elementIndex++)
        {
            var pathIndex = top - elementIndex;
            var parsed = Path[pathIndex];
            var certificate = parsed.Source ?? new X509Certificate2(parsed.Raw);
            var elementProblems = Problems.Count == 0
                ? (IReadOnlyList<ChainProblem>)Array.Empty<ChainProblem>()
                : Problems.Where(p => p.ElementIndex == elementIndex).ToList();
            elements.Add(new ChainElementResult
            {
                Index = elementIndex,
                Certificate = certificate,
                Subject = parsed.SubjectText,
                Issuer = parsed.IssuerText,
                Thumbprint = parsed.Thumbprint,
                NotBefore = parsed.NotBefore,
                NotAfter = parsed.NotAfter,
                IsTrustAnchor = Anchored && pathIndex == 0,
                Problems = elementProblems,
                Revocation = Revocation[pathIndex],
            });
        }
        // De-duplicate identical problems (e.g. input warnings repeated per candidate).
        var problems = Problems.Count == 0 ? Problems : Problems.Distinct().ToList();
        return new ChainValidationResult
        {
            IsValid = Anchored && problems.All(p => p.Severity != ChainProblemSeverity.Error),
            Elements = elements,
            Problems = problems,
            Profile = context.Request.Profile,
            At = context.At,
            ValidPolicies = Policies,
            CandidatePathsTried = candidatesTried,
        };
    }
}
