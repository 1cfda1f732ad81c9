using System.Net;

namespace ZscalerPki.Core.Validation;

internal enum CertRole
{
    Anchor,
    Intermediate,
    Leaf,
    /// <summary>The end of a CRL-issuer sub-path (no usage rules).</summary>
    CrlSigner,
}

/// <summary>Certificate-profile rules (RFC 5280 section 4 and the WebPki profile); see RULES.md.</summary>
internal static class ProfileRules
{
    private static readonly HashSet<string> Understood = new()
    {
        Oids.BasicConstraints, Oids.KeyUsage, Oids.ExtendedKeyUsage, Oids.SubjectAltName, Oids.IssuerAltName,
        Oids.NameConstraints, Oids.CertificatePolicies, Oids.PolicyMappings, Oids.PolicyConstraints, Oids.InhibitAnyPolicy,
        Oids.AuthorityKeyId, Oids.SubjectKeyId, Oids.CrlDistributionPoints, Oids.FreshestCrl, Oids.AuthorityInfoAccess, Oids.SubjectInfoAccess,
    };

    private static readonly HashSet<string> MustBeNonCritical = new()
    {
        Oids.AuthorityKeyId, Oids.SubjectKeyId, Oids.AuthorityInfoAccess, Oids.SubjectInfoAccess,
    };

    private static readonly HashSet<string> WebPkiSignatureAlgorithms = new()
    {
        "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13", // RSA PKCS#1 v1.5 SHA-256/384/512
        "1.2.840.113549.1.1.10", // RSASSA-PSS (parameters checked by the verifier)
        "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4", // ECDSA SHA-256/384/512
    };

    private static readonly HashSet<string> WebPkiCurves = new() { "1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35" };

    public static void CheckCertificate(ValidationContext ctx, ParsedCertificate c, CertRole role, int k, int n,
        Action<int, string, string, ChainProblemSeverity> add)
    {
        void Err(string code, string msg) => add(k, code, msg, ChainProblemSeverity.Error);
        bool isCa = c.BasicConstraints is { IsCA: true };

        foreach (var m in c.Malformed) Err(ChainProblemCodes.MalformedExtension, "Malformed extension " + m + ".");
        if (c.Version > 2) Err(ChainProblemCodes.InvalidVersion, $"Unsupported certificate version {c.Version + 1}.");
        else if (c.Version < 2 && c.Extensions.Count > 0) Err(ChainProblemCodes.InvalidVersion, $"A version {c.Version + 1} certificate must not contain extensions.");

        foreach (var e in c.Extensions)
        {
            if (e.Critical && MustBeNonCritical.Contains(e.Oid)) Err(ChainProblemCodes.ExtensionMustBeNonCritical, $"Extension {e.Oid} must not be critical (RFC 5280 4.2).");
            else if (e.Critical && !Understood.Contains(e.Oid)) Err(ChainProblemCodes.UnknownCriticalExtension, $"Unknown critical extension {e.Oid}.");
        }
        if (c.BasicConstraints?.PathLength is not null && (!isCa || (c.KeyUsage is { } ku0 && (ku0 & KeyUsageBits.KeyCertSign) == 0)))
            Err(ChainProblemCodes.PathLenWithoutKeyCertSign, "pathLenConstraint is present but cA is FALSE or keyCertSign is not asserted.");
        if (c.KeyUsage is { } ku1 && (ku1 & KeyUsageBits.KeyCertSign) != 0 && !isCa)
            Err(ChainProblemCodes.KeyCertSignWithoutCA, "keyUsage asserts keyCertSign but basicConstraints cA is not TRUE.");
        if (c.Subject.IsEmpty)
        {
            if (role is CertRole.Anchor or CertRole.Intermediate || isCa) Err(ChainProblemCodes.CaSubjectEmpty, "A CA certificate must have a non-empty subject.");
            else if (c.SubjectAltNames is null || !c.ExtensionsByOid[Oids.SubjectAltName].Critical)
                Err(ChainProblemCodes.SubjectAltNameNotCritical, "The subject is empty, so subjectAltName must be present and critical.");
        }
        if (role != CertRole.Anchor)
        {
            if (!c.TbsSignatureAlgorithm.SameAs(c.SignatureAlgorithm))
                Err(ChainProblemCodes.SignatureAlgorithmMismatch, "The TBS signature algorithm differs from the certificate's signatureAlgorithm.");
            if (!c.IsSelfIssued && c.AuthorityKeyId?.KeyId is null)
                Err(ChainProblemCodes.AuthorityKeyIdMissing, "authorityKeyIdentifier with keyIdentifier is required in certificates that are not self-issued (RFC 5280 4.2.1.1).");
        }
        else
        {
            if (c.BasicConstraints is not { IsCA: true, Critical: true })
                Err(ChainProblemCodes.CaBasicConstraintsInvalid, c.BasicConstraints is null
                    ? "The trust anchor has no basicConstraints extension."
                    : !c.BasicConstraints.IsCA ? "The trust anchor's basicConstraints cA is FALSE." : "The trust anchor's basicConstraints is not critical.");
            if (n > 0 && c.KeyUsage is { } ku2 && (ku2 & KeyUsageBits.KeyCertSign) == 0)
                Err(ChainProblemCodes.KeyUsageMissingCertSign, "The trust anchor's keyUsage lacks keyCertSign.");
        }

        if (ctx.Request.Profile != ValidationProfile.WebPki) return;

        // ---- WebPki
        if (c.Version != 2) Err(ChainProblemCodes.WebPkiNotV3, "Certificates must be X.509 v3 (CA/B BR 7.1.1).");
        var (bits, curve) = SignatureVerifier.KeyInfo(c);
        switch (c.SpkiAlgorithm.Oid)
        {
            case "1.2.840.113549.1.1.1":
                if (bits < 2048 || bits % 8 != 0) Err(ChainProblemCodes.WebPkiForbiddenPublicKey, $"RSA key of {bits} bits; at least 2048 bits, a multiple of 8, is required.");
                break;
            case "1.2.840.10045.2.1":
                if (curve is null || !WebPkiCurves.Contains(curve)) Err(ChainProblemCodes.WebPkiForbiddenPublicKey, $"EC key on curve {curve ?? "(explicit parameters)"}; only P-256, P-384 and P-521 are allowed.");
                break;
            default:
                Err(ChainProblemCodes.WebPkiForbiddenPublicKey, $"Public key algorithm {c.SpkiAlgorithm.Oid} is not allowed (RSA or ECDSA only).");
                break;
        }
        if (role == CertRole.Anchor)
        {
            if (c.ExtendedKeyUsage is not null) Err(ChainProblemCodes.WebPkiRootHasEku, "A root certificate must not contain extKeyUsage (CA/B BR 7.1.2.1.2).");
            if (c.AuthorityKeyId is { } aki && (aki.KeyId is null || aki.Issuer is not null || aki.Serial is not null))
                Err(ChainProblemCodes.WebPkiRootAuthorityKeyIdInvalid, "A root's authorityKeyIdentifier must contain keyIdentifier only (CA/B BR 7.1.2.1.3).");
            if (!c.IsSelfIssued && c.AuthorityKeyId?.KeyId is null)
                Err(ChainProblemCodes.WebPkiAuthorityKeyIdMissing, "A trust anchor that is not self-issued (cross-signed) must carry authorityKeyIdentifier.keyIdentifier.");
            return;
        }
        if (!WebPkiSignatureAlgorithms.Contains(c.SignatureAlgorithm.Oid))
            Err(ChainProblemCodes.WebPkiForbiddenSignatureAlgorithm, $"Signature algorithm {c.SignatureAlgorithm.Oid} is not allowed (RSA PKCS#1/PSS or ECDSA with SHA-256/384/512 only).");
        if (c.Serial.Length > 20 || c.Serial.Length == 0 || (c.Serial[0] & 0x80) != 0 || c.Serial.All(b => b == 0))
            Err(ChainProblemCodes.WebPkiSerialNumberInvalid, "The serial number must be positive, non-zero and at most 20 octets (CA/B BR 7.1).");
        if (role == CertRole.Intermediate)
        {
            var purpose = UsageRules.PurposeOid(ctx.Request.Purpose);
            if (purpose is not null && c.ExtendedKeyUsage is { } eku && !eku.Contains(purpose) && !eku.Contains(Oids.AnyEku))
                Err(ChainProblemCodes.WebPkiCaEkuMismatch, $"The intermediate's extKeyUsage does not include {purpose}.");
        }
        if (role == CertRole.Leaf)
        {
            if (c.SubjectAltNames is null) Err(ChainProblemCodes.WebPkiLeafMissingSan, "The leaf must contain subjectAltName (CA/B BR 7.1.2.7.12).");
            if (isCa) Err(ChainProblemCodes.WebPkiLeafIsCA, "The leaf must not be a CA (basicConstraints cA MUST be FALSE, CA/B BR 7.1.2.7.8).");
            var purpose = UsageRules.PurposeOid(ctx.Request.Purpose == ChainPurpose.Any ? ChainPurpose.ServerAuth : ctx.Request.Purpose);
            if (c.ExtendedKeyUsage is null || !c.ExtendedKeyUsage.Contains(purpose!))
                Err(ChainProblemCodes.WebPkiLeafMissingEku, $"The leaf's extKeyUsage must contain {purpose} (CA/B BR 7.1.2.7.10).");
            if (c.ExtendedKeyUsage is { } eku2 && eku2.Contains(Oids.AnyEku))
                Err(ChainProblemCodes.WebPkiAnyEkuForbidden, "The leaf's extKeyUsage must not contain anyExtendedKeyUsage (CA/B BR 7.1.2.7.10).");
        }
    }
}

/// <summary>Rules about the intended use of the leaf: host name, IP address, extended key usage.</summary>
internal static class UsageRules
{
    public static string? PurposeOid(ChainPurpose p) => p switch
    {
        ChainPurpose.ServerAuth => Oids.ServerAuth,
        ChainPurpose.ClientAuth => Oids.ClientAuth,
        _ => null,
    };

    public static void CheckLeaf(ValidationContext ctx, ParsedCertificate leaf, int k, Action<int, string, string, ChainProblemSeverity> add)
    {
        var req = ctx.Request;
        bool web = req.Profile == ValidationProfile.WebPki;
        if (!string.IsNullOrEmpty(req.DnsName) && !MatchesDnsName(leaf, req.DnsName, allowCommonName: !web))
        {
            var names = leaf.SubjectAltNames?.Where(x => x.Kind == GeneralNameKind.Dns).Select(x => x.Text).ToList();
            add(k, ChainProblemCodes.HostnameMismatch, $"The certificate does not match the host name \"{req.DnsName}\"" +
                (names is { Count: > 0 } ? $" (DNS names: {string.Join(", ", names)})." : " (it has no DNS subjectAltName)."), ChainProblemSeverity.Error);
        }
        if (req.IPAddress is { } ip && !MatchesIp(leaf, ip))
            add(k, ChainProblemCodes.IPAddressMismatch, $"The certificate does not contain the IP address {ip} in subjectAltName.", ChainProblemSeverity.Error);

        var required = new List<string>();
        if (PurposeOid(req.Purpose) is { } po) required.Add(po);
        if (req.RequiredEkus is { } extra) required.AddRange(extra.Where(x => !string.IsNullOrEmpty(x)));
        if (leaf.ExtendedKeyUsage is { } eku)
        {
            foreach (var r in required.Distinct())
                if (!eku.Contains(r) && (web || !eku.Contains(Oids.AnyEku)))
                    add(k, ChainProblemCodes.EkuMismatch, $"extKeyUsage does not allow {r}.", ChainProblemSeverity.Error);
        }
        else if (web && required.Count > 0 && req.RequiredEkus is { Count: > 0 })
            add(k, ChainProblemCodes.EkuMismatch, "The leaf has no extKeyUsage extension.", ChainProblemSeverity.Error);
    }

    public static bool MatchesIp(ParsedCertificate leaf, IPAddress ip)
    {
        var bytes = ip.GetAddressBytes();
        return leaf.SubjectAltNames?.Any(n => n.Kind == GeneralNameKind.IPAddress && n.Bytes!.AsSpan().SequenceEqual(bytes)) == true;
    }

    /// <summary>
    /// RFC 6125 matching: subjectAltName dNSName entries, case-insensitive; a wildcard only as the whole left-most label
    /// of a name with at least two further labels, matching exactly one label. The subject CN is used only when
    /// <paramref name="allowCommonName"/> and the certificate has no dNSName entries.
    /// </summary>
    public static bool MatchesDnsName(ParsedCertificate leaf, string host, bool allowCommonName)
    {
        host = host.TrimEnd('.').ToLowerInvariant();
        var dns = leaf.SubjectAltNames?.Where(n => n.Kind == GeneralNameKind.Dns).Select(n => n.Text!).ToList() ?? new List<string>();
        if (dns.Count == 0 && allowCommonName)
            dns = leaf.Subject.Attributes.Where(a => a.Oid == Oids.CommonName).Select(a => a.Value).ToList();
        foreach (var pattern in dns)
            if (MatchPattern(pattern, host)) return true;
        return false;
    }

    internal static bool MatchPattern(string pattern, string host)
    {
        var p = pattern.TrimEnd('.').ToLowerInvariant();
        if (p.Length == 0 || host.Length == 0) return false;
        if (!p.Contains('*')) return p == host;
        if (!p.StartsWith("*.", StringComparison.Ordinal)) return false;
        var rest = p[2..];
        if (rest.Contains('*') || !rest.Contains('.')) return false;
        int dot = host.IndexOf('.');
        if (dot <= 0) return false;
        return host[(dot + 1)..] == rest;
    }
}
