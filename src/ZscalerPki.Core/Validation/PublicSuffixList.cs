using System.Globalization;

namespace ZscalerPki.Core.Validation;

/// <summary>
/// The Mozilla Public Suffix List (ICANN and private sections), embedded from <c>Validation/Data/public_suffix_list.dat</c>
/// (MPL-2.0; Debian's <c>publicsuffix</c> package, version 20230209.2326). Used by the WebPki rule that a wildcard must not
/// cover a public suffix (<c>*.co.uk</c>, <c>*.s3.amazonaws.com</c>). To update: replace the file with a newer copy.
/// </summary>
internal static class PublicSuffixList
{
    private static readonly Lazy<Rules> Loaded = new(Load);

    /// <summary>
    /// True when <paramref name="domain"/> (ASCII or A-labels, trailing dot ignored) is itself a public suffix under the
    /// list's algorithm: a normal rule equals it, or a wildcard rule covers it and no exception rule names it; a single
    /// label is one by the default rule "*".
    /// </summary>
    public static bool IsPublicSuffix(string domain) => IsSuffix(domain, icannOnly: false);

    /// <summary>
    /// <see cref="IsPublicSuffix"/> over the list's ICANN section only (what Chromium's registry_controlled_domains calls
    /// EXCLUDE_PRIVATE_REGISTRIES): <c>co.uk</c> is one, <c>github.io</c> (a private-section entry) is not.
    /// </summary>
    public static bool IsIcannPublicSuffix(string domain) => IsSuffix(domain, icannOnly: true);

    private static bool IsSuffix(string domain, bool icannOnly)
    {
        var name = domain.TrimEnd('.').ToLowerInvariant();
        if (name.Length == 0)
        {
            return true;
        }
        var rules = Loaded.Value;
        if (rules.Exceptions.Contains(name))
        {
            return false;
        }
        if ((icannOnly ? rules.IcannNormal : rules.Normal).Contains(name))
        {
            return true;
        }
        int dot = name.IndexOf('.');
        if (dot < 0)
        {
            return true;
        }
        return (icannOnly ? rules.IcannWildcardParents : rules.WildcardParents).Contains(name[(dot + 1)..]);
    }

    private sealed record Rules(HashSet<string> Normal, HashSet<string> WildcardParents, HashSet<string> Exceptions)
    {
        public HashSet<string> IcannNormal { get; } = new(StringComparer.Ordinal);
        public HashSet<string> IcannWildcardParents { get; } = new(StringComparer.Ordinal);
    }

    private static Rules Load()
    {
        var rules = new Rules(new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
        using var stream = typeof(PublicSuffixList).Assembly.GetManifestResourceStream("ZscalerPki.Core.public_suffix_list.dat");
        if (stream is null)
        {
            return rules;
        }
        using var reader = new StreamReader(stream);
        var idn = new IdnMapping();
        var icann = true;
        while (reader.ReadLine() is { } line)
        {
            var rule = line.Trim();
            if (rule.Contains("===BEGIN PRIVATE DOMAINS===", StringComparison.Ordinal))
            {
                icann = false;
            }
            if (rule.Length == 0 || rule.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }
            int space = rule.IndexOfAny(new[] { ' ', '\t' });
            if (space > 0)
            {
                rule = rule[..space];
            }
            if (rule.StartsWith('!'))
            {
                Add(rules.Exceptions, rule[1..], idn);
            }
            else if (rule.StartsWith("*.", StringComparison.Ordinal))
            {
                Add(rules.WildcardParents, rule[2..], idn);
                if (icann)
                {
                    Add(rules.IcannWildcardParents, rule[2..], idn);
                }
            }
            else
            {
                Add(rules.Normal, rule, idn);
                if (icann)
                {
                    Add(rules.IcannNormal, rule, idn);
                }
            }
        }
        return rules;
    }

    private static void Add(HashSet<string> set, string rule, IdnMapping idn)
    {
        var lower = rule.ToLowerInvariant();
        set.Add(lower);
        if (lower.Any(c => c > 0x7F))
        {
            try
            {
                set.Add(idn.GetAscii(lower));
            }
            catch (ArgumentException)
            {
                // A rule .NET cannot map to A-labels is kept in its Unicode form only.
            }
        }
    }
}
