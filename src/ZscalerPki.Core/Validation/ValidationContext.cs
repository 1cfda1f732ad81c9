using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Validation;

/// <summary>
/// Per-request state of one validation: the parsed trust anchors, supplied certificates and CRLs, the validation time,
/// and the <see cref="WorkBudget"/> shared by every path search of the request (CRL-issuer sub-validations included).
/// </summary>
internal sealed class ValidationContext
{
    public ValidationContext(ChainValidationRequest request)
    {
        Request = request;
        At = request.At ?? DateTimeOffset.UtcNow;
        var exact = At.UtcDateTime;
        // Certificate and CRL times have one-second granularity (RFC 5280 4.1.2.5): compare at that granularity, so a
        // certificate is valid for the whole second of its notAfter.
        Now = new DateTime(exact.Ticks - (exact.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        AddAnchors(request.TrustedRoots ?? Array.Empty<X509Certificate2>());
        AddIntermediates(request.Intermediates ?? Array.Empty<X509Certificate2>());
        AddCrls(request.Crls ?? Array.Empty<byte[]>());
        var mode = request.RevocationMode ?? ((request.Crls?.Count ?? 0) > 0 ? RevocationMode.Check : RevocationMode.None);
        CheckRevocation = mode == RevocationMode.Check;
        Revocation = new RevocationChecker(this);
    }

    public ChainValidationRequest Request { get; }

    public DateTimeOffset At { get; }

    /// <summary>The validation time in UTC, truncated to whole seconds.</summary>
    public DateTime Now { get; }

    public List<ParsedCertificate> Anchors { get; } = new();

    public Dictionary<string, List<ParsedCertificate>> AnchorsBySubject { get; } = new();

    public Dictionary<string, List<ParsedCertificate>> PoolBySubject { get; } = new();

    public HashSet<string> AnchorThumbprints { get; } = new();

    /// <summary>Every parsed intermediate as supplied (once each), including those that are also trust anchors; kept only for <see cref="ChainValidationRequest.RequireAllIntermediatesOnPath"/>.</summary>
    public List<ParsedCertificate> SuppliedIntermediates { get; } = new();

    public List<ParsedCrl> Crls { get; } = new();

    public List<ChainProblem> InputWarnings { get; } = new();

    public bool CheckRevocation { get; }

    public RevocationChecker Revocation { get; }

    public WorkBudget Budget { get; } = new();

    private Dictionary<ParsedCrl, CrlIndex>? _crlIndexes;

    /// <summary>All certificates (anchors and pool) with the given subject.</summary>
    public IEnumerable<ParsedCertificate> WithSubject(DistinguishedName subject)
    {
        if (AnchorsBySubject.TryGetValue(subject.Canonical, out var anchors))
        {
            foreach (var anchor in anchors)
            {
                yield return anchor;
            }
        }
        if (PoolBySubject.TryGetValue(subject.Canonical, out var pool))
        {
            foreach (var certificate in pool)
            {
                yield return certificate;
            }
        }
    }

    /// <summary>Verifies a CRL's signature with a candidate signer's key, at most once per CRL and key (see <see cref="WorkBudget"/>).</summary>
    public SignatureCheck VerifyCrlSignature(ParsedCrl crl, ParsedCertificate signer, ParsedCertificate? signerIssuer, out string? reason) =>
        Budget.VerifyCrlSignature(crl, signer, signerIssuer, out reason);

    /// <summary>Whether any entry of <paramref name="crl"/> has an unknown critical extension (computed once per CRL and request).</summary>
    public bool HasEntryWithUnknownCriticalExtension(ParsedCrl crl) => IndexOf(crl).HasEntryWithUnknownCriticalExtension;

    /// <summary>The first entry of <paramref name="crl"/> for <paramref name="certificate"/> (serial and certificate issuer), or null; a hash look-up, not a scan.</summary>
    public CrlEntry? FindCrlEntry(ParsedCrl crl, ParsedCertificate certificate) => IndexOf(crl).Find(certificate);

    private CrlIndex IndexOf(ParsedCrl crl)
    {
        _crlIndexes ??= new Dictionary<ParsedCrl, CrlIndex>(ReferenceEqualityComparer.Instance);
        if (!_crlIndexes.TryGetValue(crl, out var index))
        {
            index = new CrlIndex(crl);
            _crlIndexes[crl] = index;
        }
        return index;
    }

    /// <summary>Validates a CRL issuer's certificate to the given anchor (used by revocation checking), within the request's budget.</summary>
    internal bool ValidateCrlSigner(ParsedCertificate signer, ParsedCertificate anchor, int depth, out string why)
    {
        why = "";
        if (signer.Thumbprint == anchor.Thumbprint)
        {
            return true;
        }
        if (depth >= 3)
        {
            why = "CRL issuer validation nested too deeply";
            return false;
        }
        Budget.SpendCrlSignerValidation();
        var result = new PathBuilder(this, new[] { anchor }, depth + 1).Build(signer);
        why = string.Join("; ", result.Problems.Where(p => p.Severity == ChainProblemSeverity.Error).Select(p => p.Code + ": " + p.Message));
        return result.IsValid;
    }

    private void AddAnchors(IEnumerable<X509Certificate2> roots)
    {
        foreach (var root in roots)
        {
            if (root is null)
            {
                continue;
            }
            ParsedCertificate parsed;
            try
            {
                parsed = ParsedCertificate.From(root);
            }
            catch (PkiException ex)
            {
                InputWarnings.Add(new ChainProblem(ChainProblemCodes.MalformedCertificate, "A trusted root was ignored: " + ex.Message, null, ChainProblemSeverity.Warning));
                continue;
            }
            if (!AnchorThumbprints.Add(parsed.Thumbprint))
            {
                continue;
            }
            Anchors.Add(parsed);
            AddTo(AnchorsBySubject, parsed);
        }
    }

    private void AddIntermediates(IEnumerable<X509Certificate2> intermediates)
    {
        var seen = new HashSet<string>();
        foreach (var intermediate in intermediates)
        {
            if (intermediate is null)
            {
                continue;
            }
            ParsedCertificate parsed;
            try
            {
                parsed = ParsedCertificate.From(intermediate);
            }
            catch (PkiException ex)
            {
                InputWarnings.Add(new ChainProblem(ChainProblemCodes.MalformedCertificate, "An intermediate was ignored: " + ex.Message, null, ChainProblemSeverity.Warning));
                continue;
            }
            if (!seen.Add(parsed.Thumbprint))
            {
                continue;
            }
            if (Request.RequireAllIntermediatesOnPath)
            {
                SuppliedIntermediates.Add(parsed);
            }
            if (AnchorThumbprints.Contains(parsed.Thumbprint))
            {
                continue;
            }
            AddTo(PoolBySubject, parsed);
        }
    }

    private void AddCrls(IEnumerable<byte[]> crls)
    {
        // The same CRL bytes supplied twice are used once (each CRL signature is verified at most once per key).
        HashSet<string>? seen = null;
        foreach (var raw in crls)
        {
            if (raw is null)
            {
                continue;
            }
            seen ??= new HashSet<string>(StringComparer.Ordinal);
            if (!seen.Add(Convert.ToHexString(SHA256.HashData(raw))))
            {
                continue;
            }
            try
            {
                Crls.Add(ParsedCrl.From(raw));
            }
            catch (PkiException ex)
            {
                InputWarnings.Add(new ChainProblem("CrlParseFailed", "A CRL was ignored: " + ex.Message, null, ChainProblemSeverity.Warning));
            }
        }
    }

    private static void AddTo(Dictionary<string, List<ParsedCertificate>> bySubject, ParsedCertificate certificate)
    {
        if (!bySubject.TryGetValue(certificate.Subject.Canonical, out var list))
        {
            list = new List<ParsedCertificate>();
            bySubject[certificate.Subject.Canonical] = list;
        }
        list.Add(certificate);
    }
}
