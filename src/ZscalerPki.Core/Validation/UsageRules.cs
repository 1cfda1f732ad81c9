using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Validation;

/// <summary>Rules about the intended use of the leaf (RULES.md section E): host name, IP address, e-mail address, key usage, extended key usage.</summary>
internal static class UsageRules
{
    public static string? PurposeOid(ChainPurpose purpose) => purpose switch
    {
        ChainPurpose.ServerAuth => Oids.ServerAuth,
        ChainPurpose.ClientAuth => Oids.ClientAuth,
        _ => null,
    };

    public static void CheckLeaf(ValidationContext context, ParsedCertificate leaf, int index, Action<int, string, string, ChainProblemSeverity> add)
    {
        var request = context.Request;
        bool webPki = request.Profile == ValidationProfile.WebPki;
        var error = new ProblemSink(add, index);

        if (!string.IsNullOrEmpty(request.DnsName) && webPki && !MatchesDnsName(leaf, request.DnsName, allowCommonName: false, rejectPublicSuffixWildcards: true)
            && MatchesDnsName(leaf, request.DnsName, allowCommonName: false))
        {
            error.Error(ChainProblemCodes.WebPkiWildcardOnPublicSuffix,
                $"The host name \"{request.DnsName}\" matches only a wildcard that covers a public suffix (Public Suffix List); browsers do not accept such a wildcard.");
        }
        else if (!string.IsNullOrEmpty(request.DnsName) && !MatchesDnsName(leaf, request.DnsName, allowCommonName: !webPki))
        {
            var names = leaf.SubjectAltNames?.Where(x => x.Kind == GeneralNameKind.Dns).Select(x => x.Text).ToList();
            error.Error(ChainProblemCodes.HostnameMismatch, $"The certificate does not match the host name \"{request.DnsName}\"" +
                (names is { Count: > 0 } ? $" (DNS names: {string.Join(", ", names)})." : " (it has no DNS subjectAltName)."));
        }
        if (request.IPAddress is { } ip && !MatchesIp(leaf, ip))
        {
            error.Error(ChainProblemCodes.IPAddressMismatch, $"The certificate does not contain the IP address {ip} in subjectAltName.");
        }
        if (!string.IsNullOrEmpty(request.EmailAddress) && !MatchesEmail(leaf, request.EmailAddress))
        {
            error.Error(ChainProblemCodes.EmailAddressMismatch, $"The certificate does not contain the e-mail address \"{request.EmailAddress}\" as a subjectAltName rfc822Name.");
        }
        if (request.RequiredKeyUsages is { } requiredKeyUsages && leaf.KeyUsage is { } keyUsage)
        {
            var missing = requiredKeyUsages & ~ToFlags(keyUsage);
            if (missing != X509KeyUsageFlags.None)
            {
                error.Error(ChainProblemCodes.KeyUsageMismatch, $"keyUsage does not allow {missing}.");
            }
        }
        CheckExtendedKeyUsage(request, leaf, webPki, error);
    }

    private static void CheckExtendedKeyUsage(ChainValidationRequest request, ParsedCertificate leaf, bool webPki, ProblemSink error)
    {
        var required = new List<string>();
        if (PurposeOid(request.Purpose) is { } purposeOid)
        {
            required.Add(purposeOid);
        }
        if (request.RequiredEkus is { } extra)
        {
            required.AddRange(extra.Where(x => !string.IsNullOrEmpty(x)));
        }
        if (leaf.ExtendedKeyUsage is { } eku)
        {
            foreach (var oid in required.Distinct())
            {
                if (!eku.Contains(oid) && (webPki || !eku.Contains(Oids.AnyEku)))
                {
                    error.Error(ChainProblemCodes.EkuMismatch, $"extKeyUsage does not allow {oid}.");
                }
            }
        }
        else if (webPki && required.Count > 0 && request.RequiredEkus is { Count: > 0 })
        {
            error.Error(ChainProblemCodes.EkuMismatch, "The leaf has no extKeyUsage extension.");
        }
    }

    /// <summary>Our keyUsage bit layout (bit n = KeyUsage bit n) as .NET's <see cref="X509KeyUsageFlags"/>.</summary>
    private static X509KeyUsageFlags ToFlags(KeyUsageBits bits)
    {
        var flags = X509KeyUsageFlags.None;
        void Map(KeyUsageBits bit, X509KeyUsageFlags flag)
        {
            if ((bits & bit) != 0)
            {
                flags |= flag;
            }
        }
        Map(KeyUsageBits.DigitalSignature, X509KeyUsageFlags.DigitalSignature);
        Map(KeyUsageBits.NonRepudiation, X509KeyUsageFlags.NonRepudiation);
        Map(KeyUsageBits.KeyEncipherment, X509KeyUsageFlags.KeyEncipherment);
        Map(KeyUsageBits.DataEncipherment, X509KeyUsageFlags.DataEncipherment);
        Map(KeyUsageBits.KeyAgreement, X509KeyUsageFlags.KeyAgreement);
        Map(KeyUsageBits.KeyCertSign, X509KeyUsageFlags.KeyCertSign);
        Map(KeyUsageBits.CrlSign, X509KeyUsageFlags.CrlSign);
        Map(KeyUsageBits.EncipherOnly, X509KeyUsageFlags.EncipherOnly);
        Map(KeyUsageBits.DecipherOnly, X509KeyUsageFlags.DecipherOnly);
        return flags;
    }

    public static bool MatchesIp(ParsedCertificate leaf, IPAddress ip)
    {
        var bytes = ip.GetAddressBytes();
        return leaf.SubjectAltNames?.Any(n => n.Kind == GeneralNameKind.IPAddress && n.Bytes!.AsSpan().SequenceEqual(bytes)) == true;
    }

    /// <summary>An rfc822Name equal to <paramref name="email"/>: the local part exactly, the domain case-insensitively (RFC 5280 7.5).</summary>
    public static bool MatchesEmail(ParsedCertificate leaf, string email)
    {
        int at = email.LastIndexOf('@');
        if (at <= 0)
        {
            return false;
        }
        foreach (var name in leaf.SubjectAltNames ?? Enumerable.Empty<GeneralName>())
        {
            if (name.Kind != GeneralNameKind.Rfc822)
            {
                continue;
            }
            var text = name.Text!;
            int nameAt = text.LastIndexOf('@');
            if (nameAt == at && string.Equals(text[..nameAt], email[..at], StringComparison.Ordinal)
                && string.Equals(text[(nameAt + 1)..], email[(at + 1)..], StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// RFC 6125 matching: subjectAltName dNSName entries, case-insensitive; a wildcard only as the whole left-most label
    /// of a name with at least two further labels, matching exactly one label. The subject CN is used only when
    /// <paramref name="allowCommonName"/> and the certificate has no dNSName entries. With
    /// <paramref name="rejectPublicSuffixWildcards"/>, a wildcard over a public suffix (<c>*.co.uk</c>) matches nothing.
    /// </summary>
    public static bool MatchesDnsName(ParsedCertificate leaf, string host, bool allowCommonName, bool rejectPublicSuffixWildcards = false)
    {
        host = host.TrimEnd('.').ToLowerInvariant();
        var patterns = leaf.SubjectAltNames?.Where(n => n.Kind == GeneralNameKind.Dns).Select(n => n.Text!).ToList() ?? new List<string>();
        if (patterns.Count == 0 && allowCommonName)
        {
            patterns = leaf.Subject.Attributes.Where(a => a.Oid == Oids.CommonName).Select(a => a.Value).ToList();
        }
        foreach (var pattern in patterns)
        {
            if (rejectPublicSuffixWildcards && pattern.StartsWith("*.", StringComparison.Ordinal) && PublicSuffixList.IsPublicSuffix(pattern[2..]))
            {
                continue;
            }
            if (MatchPattern(pattern, host))
            {
                return true;
            }
        }
        return false;
    }

    internal static bool MatchPattern(string pattern, string host)
    {
        var normalized = pattern.TrimEnd('.').ToLowerInvariant();
        if (normalized.Length == 0 || host.Length == 0)
        {
            return false;
        }
        if (!normalized.Contains('*'))
        {
            return normalized == host;
        }
        if (!normalized.StartsWith("*.", StringComparison.Ordinal))
        {
            return false;
        }
        var rest = normalized[2..];
        if (rest.Contains('*') || !rest.Contains('.'))
        {
            return false;
        }
        int dot = host.IndexOf('.');
        if (dot <= 0)
        {
            return false;
        }
        return host[(dot + 1)..] == rest;
    }
}
