namespace ZscalerPki.Core.Validation;

/// <summary>RFC 5280 section 6.3 CRL processing against the supplied CRLs.</summary>
internal sealed class RevocationChecker
{
    private const int AllReasons = 0x1FE; // ReasonFlags bits 1..8
    private readonly ValidationContext _ctx;
    private readonly HashSet<string> _inProgress = new();

    public RevocationChecker(ValidationContext ctx) => _ctx = ctx;

    private sealed record Dp(List<GeneralName>? FullName, byte[]? RelativeName, int? Reasons, List<GeneralName>? CrlIssuer, bool Synthetic);

    public (RevocationStatus Status, string Code, string Message) Check(List<ParsedCertificate> path, int k, int depth)
    {
        var cert = path[k];
        var dps = cert.CrlDistributionPoints is { Count: > 0 } list
            ? list.Select(d => new Dp(d.FullName, d.RelativeName, d.Reasons, d.CrlIssuer, false)).ToList()
            : new List<Dp> { new(null, null, null, null, true) };
        bool isCa = cert.BasicConstraints is { IsCA: true };
        int reasonsMask = 0;
        bool revoked = false;
        string? revokedMsg = null;
        bool sawInScope = false, sawExpired = false;
        var notes = new List<string>();
        // Why in-scope CRLs were set aside, most specific first: the status code when none could be used.
        var rejected = new List<string>();
        void Reject(string code, string note)
        {
            notes.Add(note);
            rejected.Add(code);
        }

        foreach (var dp in dps)
        {
            foreach (var crl in _ctx.Crls)
            {
                if (revoked || (reasonsMask & AllReasons) == AllReasons) break;
                if (crl.IsDelta) continue;
                // (b)(1) issuer
                if (dp.CrlIssuer is { } crlIssuers)
                {
                    if (!crlIssuers.Any(g => g.Kind == GeneralNameKind.Directory && g.Directory!.Equals(crl.Issuer))) continue;
                    if (crl.Idp is not { IndirectCrl: true }) { notes.Add($"CRL from \"{crl.Issuer}\" is not marked indirect"); continue; }
                }
                else if (!crl.Issuer.Equals(cert.Issuer)) continue;
                sawInScope = true;
                if (crl.Defects.Count > 0)
                {
                    foreach (var (code, message) in crl.Defects)
                        Reject(code, $"CRL from \"{crl.Issuer}\" {message}");
                    continue;
                }

                // (b)(2) issuing distribution point scope
                var idp = crl.Idp;
                if (idp is not null)
                {
                    if (idp.FullName is not null || idp.RelativeName is not null)
                    {
                        var idpNames = Resolve(idp.FullName, idp.RelativeName, crl.Issuer);
                        List<GeneralName> dpNames;
                        if (dp.FullName is not null || dp.RelativeName is not null)
                        {
                            var relBase = dp.CrlIssuer?.FirstOrDefault(g => g.Kind == GeneralNameKind.Directory)?.Directory ?? cert.Issuer;
                            dpNames = Resolve(dp.FullName, dp.RelativeName, relBase);
                        }
                        else if (dp.CrlIssuer is not null) dpNames = dp.CrlIssuer;
                        else dpNames = new List<GeneralName> { new(GeneralNameKind.Directory, null, null, cert.Issuer) };
                        if (!idpNames.Any(a => dpNames.Any(b => SameName(a, b)))) { sawInScope = true; Reject(ChainProblemCodes.CrlScopeMismatch, $"CRL from \"{crl.Issuer}\" covers a different distribution point ({Describe(idpNames)}) than the certificate names ({Describe(dpNames)})"); continue; }
                    }
                    if (idp.OnlyUserCerts && isCa) { Reject(ChainProblemCodes.CrlScopeMismatch, "CRL covers only end-entity certificates (onlyContainsUserCerts) and this is a CA certificate"); continue; }
                    if (idp.OnlyUserCerts && cert.Version < 3) { Reject(ChainProblemCodes.CrlScopeMismatch, "CRL covers only end-entity certificates (onlyContainsUserCerts) and a v1/v2 certificate has no basicConstraints to show it is one"); continue; }
                    if (idp.OnlyCACerts && !isCa) { Reject(ChainProblemCodes.CrlScopeMismatch, "CRL covers only CA certificates (onlyContainsCACerts)"); continue; }
                    if (idp.OnlyAttributeCerts) { Reject(ChainProblemCodes.CrlScopeMismatch, "CRL covers only attribute certificates"); continue; }
                    if (dp.CrlIssuer is null && idp.IndirectCrl && !crl.Issuer.Equals(cert.Issuer)) continue;
                }
                sawInScope = true;
                if (crl.HasUnknownCriticalExtension) { notes.Add($"CRL from \"{crl.Issuer}\" has an unknown critical extension"); continue; }
                if (_ctx.HasEntryWithUnknownCriticalExtension(crl)) { notes.Add($"CRL from \"{crl.Issuer}\" has an entry with an unknown critical extension"); continue; }
                // (c)(d) reasons
                int interim = (idp?.OnlySomeReasons ?? AllReasons) & (dp.Reasons ?? AllReasons);
                if ((interim & ~reasonsMask) == 0) continue;
                // dates
                if (crl.ThisUpdate > _ctx.Now) { notes.Add($"CRL from \"{crl.Issuer}\" is not yet valid (thisUpdate {crl.ThisUpdate:u})"); continue; }
                if (crl.NextUpdate is { } nu && nu < _ctx.Now) { sawExpired = true; notes.Add($"CRL from \"{crl.Issuer}\" expired at {nu:u}"); continue; }
                // (f) CRL issuer and signature
                var signer = FindCrlSigner(crl, path, k, depth, out var signerIssuer, out var why);
                if (signer is null)
                {
                    var note = $"CRL from \"{crl.Issuer}\" is unusable: {why}";
                    if (crl.AuthorityKeyId is { } aki && !KeyIdKnown(crl, path, aki)) Reject(ChainProblemCodes.CrlSignerNotFound, note);
                    else notes.Add(note);
                    continue;
                }
                // (g) delta CRLs
                ParsedCrl? delta = null;
                bool deltaProblem = false, deltaDefect = false;
                foreach (var d in _ctx.Crls)
                {
                    if (!d.IsDelta || !d.Issuer.Equals(crl.Issuer)) continue;
                    if (!SameIdp(d.Idp, crl.Idp)) continue;
                    if (crl.CrlNumber is null || d.BaseCrlNumber > crl.CrlNumber) continue;
                    if (d.CrlNumber is not null && d.CrlNumber <= crl.CrlNumber) continue;
                    if (d.HasUnknownCriticalExtension) continue;
                    if (_ctx.VerifyCrlSignature(d, signer, signerIssuer, out _) != SignatureCheck.Valid) continue;
                    if (d.Defects.Count > 0)
                    {
                        // A malformed delta is not read, and not silently skipped either: the base alone would answer Good.
                        deltaDefect = true;
                        foreach (var (code, message) in d.Defects)
                            Reject(code, $"delta CRL from \"{d.Issuer}\" {message}");
                        continue;
                    }
                    if (d.ThisUpdate > _ctx.Now || (d.NextUpdate is { } dnu && dnu < _ctx.Now))
                    {
                        deltaProblem = true;
                        notes.Add($"delta CRL from \"{d.Issuer}\" is not current");
                        continue;
                    }
                    if (delta is null || d.CrlNumber > delta.CrlNumber) delta = d;
                }
                if (deltaProblem && delta is null) { sawExpired = true; continue; }
                if (deltaDefect && delta is null) continue;
                // (i)(j)(k) status
                int? status = null;
                if (delta is not null && Listed(delta, cert) is { } dEntry) status = dEntry.Reason ?? 0;
                if (status is null && Listed(crl, cert) is { } entry) status = entry.Reason ?? 0;
                if (status is { } s && s != ParsedCrl.ReasonRemoveFromCrl)
                {
                    revoked = true;
                    revokedMsg = $"The certificate was revoked (reason: {ReasonName(s)}) according to the CRL issued by \"{crl.Issuer}\" at {crl.ThisUpdate:u}" + (delta is not null ? " and its delta CRL." : ".");
                }
                reasonsMask |= interim;
            }
        }

        if (revoked) return (RevocationStatus.Revoked, ChainProblemCodes.Revoked, revokedMsg!);
        if ((reasonsMask & AllReasons) == AllReasons) return (RevocationStatus.Good, "", "");
        if (!sawInScope)
            return (RevocationStatus.Unknown, ChainProblemCodes.NoCrl, $"No CRL from \"{cert.Issuer}\" was supplied; revocation status is unknown.");
        if (sawExpired && reasonsMask == 0)
            return (RevocationStatus.Unknown, ChainProblemCodes.CrlExpired, "The applicable CRL is expired (nextUpdate before the validation time)" + (notes.Count > 0 ? ": " + string.Join("; ", notes.Distinct()) : "") + ".");
        if (reasonsMask == 0 && rejected.Count > 0)
            return (RevocationStatus.Unknown, rejected[0], "Revocation status is unknown: " + string.Join("; ", notes.Distinct()) + ".");
        return (RevocationStatus.Unknown, ChainProblemCodes.RevocationUnknown,
            "Revocation status could not be determined" + (reasonsMask != 0 ? " for all reasons" : "") + (notes.Count > 0 ? ": " + string.Join("; ", notes.Distinct()) : "") + ".");
    }

    private CrlEntry? Listed(ParsedCrl crl, ParsedCertificate cert) => _ctx.FindCrlEntry(crl, cert);

    private static bool SameIdp(IssuingDistributionPointInfo? a, IssuingDistributionPointInfo? b) =>
        a is null ? b is null : b is not null && a.Raw.AsSpan().SequenceEqual(b.Raw);

    private static List<GeneralName> Resolve(List<GeneralName>? full, byte[]? relative, DistinguishedName issuer)
    {
        if (full is not null) return full;
        if (relative is not null) return new List<GeneralName> { new(GeneralNameKind.Directory, null, null, issuer.Append(relative)) };
        return new List<GeneralName>();
    }

    private static bool SameName(GeneralName a, GeneralName b)
    {
        if (a.Kind != b.Kind) return false;
        return a.Kind switch
        {
            GeneralNameKind.Directory => a.Directory!.Equals(b.Directory),
            GeneralNameKind.Dns or GeneralNameKind.Uri or GeneralNameKind.Rfc822 => string.Equals(a.Text, b.Text, StringComparison.OrdinalIgnoreCase),
            GeneralNameKind.RegisteredId => a.Text == b.Text,
            _ => (a.Bytes ?? Array.Empty<byte>()).AsSpan().SequenceEqual(b.Bytes),
        };
    }

    /// <summary>Whether any certificate with the CRL issuer's name (in the path or supplied) has the key identifier <paramref name="aki"/>.</summary>
    private bool KeyIdKnown(ParsedCrl crl, List<ParsedCertificate> path, byte[] aki) =>
        path.Concat(_ctx.WithSubject(crl.Issuer)).Any(c => c.Subject.Equals(crl.Issuer) && c.SubjectKeyId is { } ski && ski.AsSpan().SequenceEqual(aki));

    private static string Describe(List<GeneralName> names) =>
        names.Count == 0 ? "none" : string.Join(", ", names.Select(n => n.Text ?? n.Directory?.ToString() ?? n.Kind.ToString()));

    private ParsedCertificate? FindCrlSigner(ParsedCrl crl, List<ParsedCertificate> path, int k, int depth, out ParsedCertificate? signerIssuer, out string why)
    {
        why = $"no certificate for CRL issuer \"{crl.Issuer}\" verifies its signature";
        signerIssuer = null;
        // 1. certificates of the path being validated (already validated by the path itself)
        for (int j = k - 1; j >= 0; j--)
        {
            var cand = path[j];
            if (!cand.Subject.Equals(crl.Issuer)) continue;
            if (OtherKey(crl, cand)) { why = $"the CRL was signed by key {Hex(crl.AuthorityKeyId)}, not by the key of \"{cand.SubjectText}\" in the path ({Hex(cand.SubjectKeyId)}): after a key rollover, supply the CA certificate with the CRL's key"; continue; }
            var issuerOfCand = j >= 1 ? path[j - 1] : null;
            if (_ctx.VerifyCrlSignature(crl, cand, issuerOfCand, out _) != SignatureCheck.Valid) continue;
            if (cand.KeyUsage is { } ku && (ku & KeyUsageBits.CrlSign) == 0) { why = $"the CRL issuer \"{cand.SubjectText}\" lacks the cRLSign key usage"; continue; }
            signerIssuer = issuerOfCand;
            return cand;
        }
        // 2. other supplied certificates: their own path to the same trust anchor must validate
        var anchor = path[0];
        foreach (var cand in _ctx.WithSubject(crl.Issuer))
        {
            if (path.Contains(cand) && !ReferenceEquals(cand, path[k])) continue;
            if (OtherKey(crl, cand)) continue;
            if (_ctx.VerifyCrlSignature(crl, cand, null, out _) != SignatureCheck.Valid) continue;
            if (cand.KeyUsage is { } ku && (ku & KeyUsageBits.CrlSign) == 0) { why = $"the CRL issuer \"{cand.SubjectText}\" lacks the cRLSign key usage"; continue; }
            if (_inProgress.Contains(cand.Thumbprint)) return cand; // its own validation is already under way
            _inProgress.Add(cand.Thumbprint);
            bool ok;
            string subWhy;
            try { ok = _ctx.ValidateCrlSigner(cand, anchor, depth, out subWhy); }
            finally { _inProgress.Remove(cand.Thumbprint); }
            if (ok) return cand;
            why = $"the CRL issuer's certificate \"{cand.SubjectText}\" does not validate ({subWhy})";
        }
        return null;
    }

    /// <summary>The CRL names its signer's key (AKI keyIdentifier) and the candidate has another (SKI).</summary>
    private static bool OtherKey(ParsedCrl crl, ParsedCertificate cand) =>
        crl.AuthorityKeyId is { } aki && cand.SubjectKeyId is { } ski && !aki.AsSpan().SequenceEqual(ski);

    private static string Hex(byte[]? id) => id is null ? "(none)" : Convert.ToHexString(id);

    private static string ReasonName(int r) => r switch
    {
        0 => "unspecified", 1 => "keyCompromise", 2 => "cACompromise", 3 => "affiliationChanged", 4 => "superseded",
        5 => "cessationOfOperation", 6 => "certificateHold", 8 => "removeFromCRL", 9 => "privilegeWithdrawn", 10 => "aACompromise",
        _ => r.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
