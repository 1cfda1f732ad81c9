using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Intermediate;

/// <summary>
/// The chain check of Import-SignedIntermediate, run through the one path validator (<see cref="ChainValidator"/>) so
/// that an import accepts exactly the chains <c>Test-CertificateChain</c> accepts. Import-time options: the trust anchor
/// is the given trusted root, or else the self-signed root(s) of the uploaded chain; the Rfc5280 profile; no revocation;
/// and every uploaded certificate must lie on the path (the stored bundle holds nothing else). A failure keeps the
/// import's own ErrorIds where they say more than the problem code (BrokenChain, ChainIncomplete, UntrustedRoot,
/// ChainCertificateNotCa, ChainCertificateExpired); any other problem is <see cref="PkiErrorIds.ChainValidationFailed"/>.
/// </summary>
public static class ImportChainCheck
{
    /// <summary>The validation request the import runs for <paramref name="certificate"/> and the uploaded chain.</summary>
    public static ChainValidationRequest Request(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> chain, X509Certificate2? trustedRoot, DateTimeOffset now)
    {
        var candidates = Distinct(certificate, chain);
        var anchors = trustedRoot is not null
            ? new List<X509Certificate2> { trustedRoot }
            : candidates.Where(CertificateChecks.IsSelfSigned).ToList();
        return new ChainValidationRequest
        {
            Certificate = certificate,
            TrustedRoots = anchors,
            Intermediates = candidates,
            At = now,
            Profile = ValidationProfile.Rfc5280,
            Purpose = ChainPurpose.Any,
            RevocationMode = RevocationMode.None,
            RequireAllIntermediatesOnPath = true,
        };
    }

    /// <summary>
    /// Validates the chain and returns it ordered from the certificate's issuer up to the trust anchor (the anchor
    /// included); throws <see cref="PkiException"/> with the import's ErrorId when the validator rejects it.
    /// </summary>
    internal static IReadOnlyList<X509Certificate2> Build(IntermediateEntry entry, X509Certificate2 certificate, IReadOnlyList<X509Certificate2> chain, X509Certificate2? trustedRoot, DateTimeOffset now) =>
        Build(entry.Name, entry.State.ToString(), certificate, chain, trustedRoot, now);

    /// <summary>
    /// The same check for an intermediate named <paramref name="name"/> in <paramref name="state"/> (a vault entry, or an
    /// entry of the Zscaler tenant before anything is uploaded to it).
    /// </summary>
    public static IReadOnlyList<X509Certificate2> Build(string name, string state, X509Certificate2 certificate, IReadOnlyList<X509Certificate2> chain, X509Certificate2? trustedRoot, DateTimeOffset now)
    {
        var request = Request(certificate, chain, trustedRoot, now);
        var result = ChainValidator.Validate(request);
        if (result.IsValid)
        {
            return result.Elements.Skip(1).Select(e => e.Certificate).ToList();
        }
        throw Failure(name, state, result, request, trustedRoot);
    }

    private static List<X509Certificate2> Distinct(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> chain)
    {
        var distinct = new List<X509Certificate2>();
        foreach (var candidate in chain)
        {
            if (candidate.RawData.AsSpan().SequenceEqual(certificate.RawData) || distinct.Any(d => d.RawData.AsSpan().SequenceEqual(candidate.RawData)))
            {
                continue;
            }
            distinct.Add(candidate);
        }
        return distinct;
    }

    private static PkiException Failure(string name, string state, ChainValidationResult result, ChainValidationRequest request, X509Certificate2? trustedRoot)
    {
        var unchanged = $"'{name}' is unchanged (state {state}).";
        PkiException Error(string errorId, string message) =>
            new(errorId, PkiErrorCategory.InvalidData, message + " " + unchanged, name);

        var errors = result.Problems.Where(p => p.Severity == ChainProblemSeverity.Error).ToList();
        var anchored = result.Elements.Count > 0 && result.Elements[^1].IsTrustAnchor;
        var onPath = result.Elements.Select(e => e.Thumbprint).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var leftOver = request.Intermediates.Where(c => !onPath.Contains(c.Thumbprint)).ToList();

        if (errors.FirstOrDefault(p => p.Code is ChainProblemCodes.SignatureInvalid or ChainProblemCodes.NameChainingFailed) is { ElementIndex: { } brokenIndex }
            && brokenIndex + 1 < result.Elements.Count)
        {
            var issued = result.Elements[brokenIndex].Certificate;
            var issuer = result.Elements[brokenIndex + 1].Certificate;
            return Error(PkiErrorIds.BrokenChain,
                $"The chain is broken: {CertificateChecks.Describe(issuer)} has the issuer's name of {CertificateChecks.Describe(issued)}, but its key does not verify that certificate's signature (a different CA with the same name, or a renewed CA key). Pass the issuer certificate that really signed it.");
        }
        if (!anchored)
        {
            var top = result.Elements.Count > 0 ? result.Elements[^1].Certificate : request.Certificate;
            if (trustedRoot is not null && CertificateChecks.IsSelfSigned(top) && !top.RawData.AsSpan().SequenceEqual(trustedRoot.RawData))
            {
                return new PkiException(PkiErrorIds.UntrustedRoot, PkiErrorCategory.SecurityError,
                    $"The chain ends at the self-signed root {CertificateChecks.Describe(top)}, which is not the -TrustedRoot {CertificateChecks.Describe(trustedRoot)}. Pass the chain that leads to your trusted root, or the matching -TrustedRoot. {unchanged}", name);
            }
            if (leftOver.Count > 0)
            {
                return Error(PkiErrorIds.BrokenChain,
                    $"The chain is broken: no certificate in it issued {CertificateChecks.Describe(top)} (issuer '{top.Issuer}'); left over: {string.Join(", ", leftOver.Select(CertificateChecks.Describe))}. Pass the issuers of the intermediate up to the root, each linking to the next.");
            }
            if (errors.Any(p => p.Code == ChainProblemCodes.WorkBudgetExceeded))
            {
                return Error(PkiErrorIds.ChainValidationFailed, "The chain could not be validated: " + Describe(errors));
            }
            return Error(PkiErrorIds.ChainIncomplete,
                $"The chain ends at {CertificateChecks.Describe(top)}, which is not a self-signed root, and its issuer '{top.Issuer}' is not given. Add the issuer to the chain file, or pass it as -TrustedRoot.");
        }
        if (errors.FirstOrDefault(p => p.Code == ChainProblemCodes.NotACA && p.ElementIndex >= 1) is { ElementIndex: { } notCaIndex })
        {
            return Error(PkiErrorIds.ChainCertificateNotCa,
                $"The chain certificate {CertificateChecks.Describe(result.Elements[notCaIndex].Certificate)} is not a CA certificate (no basicConstraints CA:TRUE). Pass the CA certificates that issued the intermediate.");
        }
        if (errors.FirstOrDefault(p => p.Code is ChainProblemCodes.Expired or ChainProblemCodes.NotYetValid && p.ElementIndex >= 1) is { ElementIndex: { } expiredIndex })
        {
            var expired = result.Elements[expiredIndex].Certificate;
            return Error(PkiErrorIds.ChainCertificateExpired,
                $"The chain certificate {CertificateChecks.Describe(expired)} is not valid now (valid {expired.NotBefore.ToUniversalTime():u} to {expired.NotAfter.ToUniversalTime():u}). Pass the current certificate of that CA.");
        }
        if (errors.Any(p => p.Code == ChainProblemCodes.IntermediateNotOnPath))
        {
            return Error(PkiErrorIds.BrokenChain,
                $"The chain holds certificates that are not on the path from the intermediate to its root: {string.Join(", ", leftOver.Select(CertificateChecks.Describe))}. Pass only the issuers of the intermediate.");
        }
        return Error(PkiErrorIds.ChainValidationFailed,
            "The chain does not validate (the same verdict Test-CertificateChain gives): " + Describe(errors) + " Have the CA fix its certificates, or pass the chain that leads to your root.");
    }

    private static string Describe(IEnumerable<ChainProblem> problems) => string.Join("; ", problems.Select(p => p.ToString())) + ".";
}
