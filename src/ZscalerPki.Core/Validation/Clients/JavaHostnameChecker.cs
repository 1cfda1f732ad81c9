namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// JSSE's host-name check for a DNS name: sun.security.util.HostnameChecker (TYPE_TLS, chainsToPublicCA false: a private
/// root) matchDNS, isMatched, hasIllegalWildcard, matchAllWildcards, matchWildCards, and javax.net.ssl.SNIHostName.
/// </summary>
internal static class JavaHostnameChecker
{
    /// <summary>Null when the leaf matches <paramref name="host"/>; otherwise Java's CertificateException message.</summary>
    public static string? MatchDns(string host, ClientCertificateFacts leaf)
    {
        // matchDNS: the expected name must be an SNIHostName (IDN.toASCII with USE_STD3_ASCII_RULES, not empty, no trailing dot).
        if (!IsSniHostName(host))
            return $"Illegal given domain name: {host}";
        if (leaf.DnsNames.Count > 0)
            return leaf.DnsNames.Any(n => IsMatched(host, n)) ? null : $"No subject alternative DNS name matching {host} found.";
        // No dNSName in subjectAltName: the most specific commonName of the subject.
        if (leaf.SubjectCommonName is { } cn)
        {
            if (!cn.IsNormalized(System.Text.NormalizationForm.FormKC))
                return $"Not a formal name {cn}";
            if (IsMatched(host, cn))
                return null;
        }
        return $"No name matching {host} found";
    }

    /// <summary>
    /// isMatched: both names are normalized to Unicode (IDN.toUnicode(IDN.toASCII(x)); a failure is no match), the template
    /// has no illegal wildcard and is an SNIHostName with '*' read as 'z'; then matchAllWildcards.
    /// </summary>
    private static bool IsMatched(string name, string template)
    {
        if (!IdnToAscii(name, std3: false) || !IdnToAscii(template, std3: false))
            return false;
        name = IdnToUnicode(name);
        template = IdnToUnicode(template);
        if (HasIllegalWildcard(template) || !IsSniHostName(template.Replace('*', 'z')))
            return false;
        return MatchAllWildcards(name, template);
    }

    /// <summary>
    /// java.net.IDN.toUnicode per label: an ACE label ("xn--") that decodes becomes its Unicode form; a label that does not
    /// decode (e.g. "xn--*-…") is kept as it is.
    /// </summary>
    private static string IdnToUnicode(string name) => string.Join('.', name.Split('.').Select(label =>
    {
        if (!label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase))
            return label;
        try
        {
            return new System.Globalization.IdnMapping { AllowUnassigned = true }.GetUnicode(label);
        }
        catch (ArgumentException)
        {
            return label;
        }
    }));

    /// <summary>"*" and "*." are illegal, and so is a wildcard with no dot after it ("*com"); no public-suffix check for a private root.</summary>
    private static bool HasIllegalWildcard(string template)
    {
        if (template is "*" or "*.")
            return true;
        int last = template.LastIndexOf('*');
        return last >= 0 && template.IndexOf('.', last) < 0;
    }

    /// <summary>RFC 2818 3.1: the same number of labels (empty labels skipped, as StringTokenizer does), each matched with '*' as a glob inside the label.</summary>
    private static bool MatchAllWildcards(string name, string template)
    {
        var names = name.ToLowerInvariant().Split('.', StringSplitOptions.RemoveEmptyEntries);
        var templates = template.ToLowerInvariant().Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (names.Length != templates.Length)
            return false;
        for (int i = 0; i < names.Length; i++)
        {
            if (!MatchWildcards(names[i], templates[i]))
                return false;
        }
        return true;
    }

    /// <summary>matchWildCards: the text before the first '*' must start the label, each later piece is found in order, the text after the last '*' ends it.</summary>
    private static bool MatchWildcards(string name, string template)
    {
        int wildcard = template.IndexOf('*');
        if (wildcard < 0)
            return name == template;
        bool beginning = true;
        string after = template;
        while (wildcard >= 0)
        {
            string before = after[..wildcard];
            after = after[(wildcard + 1)..];
            int at = name.IndexOf(before, StringComparison.Ordinal);
            if (at < 0 || (beginning && at != 0))
                return false;
            beginning = false;
            name = name[(at + before.Length)..];
            wildcard = after.IndexOf('*');
        }
        return name.EndsWith(after, StringComparison.Ordinal);
    }

    /// <summary>new SNIHostName(name): IDN.toASCII(name, USE_STD3_ASCII_RULES), then not empty and no trailing dot.</summary>
    private static bool IsSniHostName(string name) => IdnToAscii(name, std3: true) && name.Length > 0 && !name.EndsWith('.');

    /// <summary>
    /// java.net.IDN.toASCII per label: an ASCII label passes unchanged (with USE_STD3_ASCII_RULES only letters, digits and
    /// hyphens, no leading or trailing hyphen); a non-ASCII label is converted to punycode; a label over 63 characters fails.
    /// </summary>
    private static bool IdnToAscii(string name, bool std3)
    {
        foreach (var label in name.Split('.'))
        {
            string ascii = label;
            if (label.Any(ch => ch > 0x7F))
            {
                try
                {
                    ascii = new System.Globalization.IdnMapping { UseStd3AsciiRules = std3, AllowUnassigned = true }.GetAscii(label);
                }
                catch (ArgumentException)
                {
                    return false;
                }
            }
            else if (std3 && (label.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch == '-')) || label.StartsWith('-') || label.EndsWith('-')))
            {
                return false;
            }
            if (ascii.Length > 63)
                return false;
        }
        return true;
    }
}
