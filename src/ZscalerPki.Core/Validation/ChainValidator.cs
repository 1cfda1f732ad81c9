using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Validation;

/// <summary>
/// Certificate path building and validation (RFC 5280 sections 6.1 and 6.3) with an optional WebPKI profile.
/// Thread-safe: parsed certificates and imported keys are cached per <see cref="X509Certificate2"/> instance
/// (reuse the objects for bulk work); every call verifies every signature again (once per certificate and key within
/// the call). Where things are: <see cref="PathBuilder"/> (path building), <see cref="PathValidator"/> (the RFC 5280 6.1
/// state machine), <see cref="ProfileRules"/> / <see cref="WebPkiRules"/> / <see cref="UsageRules"/> (profile rules),
/// <see cref="RevocationChecker"/> (6.3), <see cref="WorkBudget"/> (the total work bound of one call).
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
        {
            throw new PkiException(PkiErrorIds.CertificateRequired, PkiErrorCategory.InvalidArgument, "A certificate to validate is required.");
        }
        var context = new ValidationContext(request);
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
                At = context.At,
            };
        }
        try
        {
            var result = new PathBuilder(context, context.Anchors, depth: 0).Build(leaf);
            return request.RequireAllIntermediatesOnPath ? CheckAllIntermediatesOnPath(context, result) : result;
        }
        catch (WorkBudgetExceededException ex)
        {
            var problem = new ChainProblem(ChainProblemCodes.WorkBudgetExceeded,
                $"Validation stopped at its work bound ({ex.Bound}); the chain is treated as invalid. Supply fewer or simpler certificates and CRLs.", null);
            return Failure(request, context, problem);
        }
        catch (Exception ex) when (ex is System.Formats.Asn1.AsnContentException or System.Security.Cryptography.CryptographicException
                                       or FormatException or OverflowException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            // Defensive: content the parsers accepted but a later step could not handle is a verdict, not a crash.
            var problem = new ChainProblem(ChainProblemCodes.ValidationError, "Validation could not be completed: " + ex.Message, null);
            return Failure(request, context, problem);
        }
    }

    /// <summary>The import-time rule: a valid path must use every supplied intermediate (also one that is a trust anchor too).</summary>
    private static ChainValidationResult CheckAllIntermediatesOnPath(ValidationContext context, ChainValidationResult result)
    {
        if (!result.IsValid)
        {
            return result;
        }
        var onPath = result.Elements.Select(e => e.Thumbprint).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unused = context.SuppliedIntermediates
            .Where(c => !onPath.Contains(c.Thumbprint))
            .Select(c => $"\"{c.SubjectText}\" ({c.Thumbprint})")
            .ToList();
        if (unused.Count == 0)
        {
            return result;
        }
        var problem = new ChainProblem(ChainProblemCodes.IntermediateNotOnPath,
            $"The supplied certificates include {unused.Count} that are not on the path to the trusted root: {string.Join(", ", unused)}. Supply only the issuers of the certificate.", null);
        return result with { IsValid = false, Problems = result.Problems.Append(problem).ToList() };
    }

    private static ChainValidationResult Failure(ChainValidationRequest request, ValidationContext context, ChainProblem problem) =>
        new()
        {
            IsValid = false,
            Elements = new[] { MakeElement(request.Certificate, 0, false, Array.Empty<ChainProblem>(), RevocationStatus.NotChecked) },
            Problems = new[] { problem },
            Profile = request.Profile,
            At = context.At,
        };

    internal static ChainElementResult MakeElement(X509Certificate2 cert, int index, bool anchor, IReadOnlyList<ChainProblem> problems, RevocationStatus rev)
    {
        string subject;
        string issuer;
        string thumbprint;
        DateTime notBefore;
        DateTime notAfter;
        try
        {
            subject = cert.Subject;
            issuer = cert.Issuer;
            thumbprint = cert.Thumbprint;
            notBefore = cert.NotBefore.ToUniversalTime();
            notAfter = cert.NotAfter.ToUniversalTime();
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            subject = issuer = thumbprint = "";
            notBefore = notAfter = default;
        }
        return new ChainElementResult
        {
            Index = index,
            Certificate = cert,
            Subject = subject,
            Issuer = issuer,
            Thumbprint = thumbprint,
            NotBefore = notBefore,
            NotAfter = notAfter,
            IsTrustAnchor = anchor,
            Problems = problems,
            Revocation = rev,
        };
    }
}
