using System.Net;

namespace ZscalerPki.Core.Validation;

/// <summary>
/// permitted_subtrees / excluded_subtrees of RFC 5280 section 6.1. Permitted subtrees are kept as a list of
/// per-certificate sets (a name must fall in every set that constrains its name form) rather than a computed
/// intersection; excluded subtrees are a union.
/// </summary>
internal sealed class NameConstraintState
{
    private readonly List<List<GeneralSubtree>> _permittedSets = new();
    private readonly List<GeneralSubtree> _excluded = new();
    private readonly WorkBudget _budget;
    private int _subtreeCount;

    public NameConstraintState(WorkBudget budget)
    {
        _budget = budget;
    }

    public bool IsEmpty => _permittedSets.Count == 0 && _excluded.Count == 0;

    /// <summary>Checks a constraint's syntax; returns an error message or null.</summary>
    public static string? ValidateSubtree(GeneralSubtree st)
    {
        if (st.Minimum != 0 || st.Maximum is not null) return "minimum/maximum must not be used in GeneralSubtree (RFC 5280 4.2.1.10)";
        var b = st.Base;
        switch (b.Kind)
        {
            case GeneralNameKind.Dns:
                {
                    var t = b.Text!;
                    if (t.Length == 0)
                    {
                        return null;
                    }
                    if (t.StartsWith('.'))
                    {
                        return $"dNSName constraint \"{t}\" starts with a period (RFC 5280 4.2.1.10 allows that for URIs only)";
                    }
                    foreach (var label in t.Split('.'))
                    {
                        if (label.Length == 0 || label.Length > 63) return $"dNSName constraint \"{t}\" is not a valid domain";
                        foreach (var ch in label)
                            if (!(char.IsAsciiLetterOrDigit(ch) || ch == '-' || ch == '_')) return $"dNSName constraint \"{t}\" contains '{ch}'";
                    }
                    return null;
                }
            case GeneralNameKind.IPAddress:
                {
                    var bytes = b.Bytes!;
                    if (bytes.Length != 8 && bytes.Length != 32) return "iPAddress constraint must be address+mask (8 or 32 octets)";
                    // mask must be contiguous ones
                    var mask = bytes.AsSpan(bytes.Length / 2);
                    bool zero = false;
                    foreach (var m in mask)
                        for (int bit = 7; bit >= 0; bit--)
                        {
                            bool one = (m & (1 << bit)) != 0;
                            if (one && zero) return "iPAddress constraint mask is not contiguous";
                            if (!one) zero = true;
                        }
                    return null;
                }
            default:
                return null;
        }
    }

    public void Add(NameConstraintsInfo nc)
    {
        if (nc.Permitted.Count > 0)
        {
            _permittedSets.Add(nc.Permitted);
        }
        _excluded.AddRange(nc.Excluded);
        _subtreeCount += nc.Permitted.Count + nc.Excluded.Count;
    }

    /// <summary>Checks a certificate's subject and subjectAltNames; returns violation messages.</summary>
    public List<string> Check(ParsedCertificate c)
    {
        var problems = new List<string>();
        if (IsEmpty) return problems;
        var names = new List<GeneralName>();
        if (!c.Subject.IsEmpty) names.Add(new GeneralName(GeneralNameKind.Directory, null, null, c.Subject));
        if (c.SubjectAltNames is { } san) names.AddRange(san);
        if (c.SubjectAltNames is null || !c.SubjectAltNames.Any(n => n.Kind == GeneralNameKind.Rfc822))
        {
            foreach (var (oid, value) in c.Subject.Attributes)
                if (oid == Oids.EmailAddress) names.Add(new GeneralName(GeneralNameKind.Rfc822, value, null, null));
        }
        // Every (name, subtree) pair counts against the request's work bound (name-constraint DoS chains).
        _budget.SpendNameConstraintComparisons((long)names.Count * _subtreeCount);
        foreach (var name in names)
        {
            foreach (var set in _permittedSets)
            {
                var sameForm = set.Where(s => s.Base.Kind == name.Kind).ToList();
                if (sameForm.Count == 0) continue;
                bool any = false;
                foreach (var st in sameForm)
                {
                    var m = Matches(name, st.Base);
                    if (m is null) { problems.Add($"name form {name.Kind} cannot be checked against the constraint"); any = true; break; }
                    if (m == true) { any = true; break; }
                }
                if (!any) problems.Add($"{name} is not within the permitted subtrees");
            }
            foreach (var st in _excluded)
            {
                if (st.Base.Kind != name.Kind) continue;
                var m = name.Kind == GeneralNameKind.Dns && IsWildcard(name.Text!)
                    ? WildcardMayMatchSubtree(name.Text!, st.Base.Text!)
                    : Matches(name, st.Base);
                if (m is null) problems.Add($"name form {name.Kind} cannot be checked against the constraint");
                else if (m == true) problems.Add($"{name} is within excluded subtree {st.Base}");
            }
        }
        return problems;
    }

    /// <summary>Whether <paramref name="name"/> is in the subtree <paramref name="b"/> (same form); null when the form is unsupported.</summary>
    internal static bool? Matches(GeneralName name, GeneralName b)
    {
        switch (name.Kind)
        {
            case GeneralNameKind.Directory:
                return name.Directory!.IsWithin(b.Directory!);
            case GeneralNameKind.Dns:
                // A wildcard name is within a subtree when every name it matches is: "*.R" is within C when R is.
                return IsWildcard(name.Text!) ? DnsInSubtree(name.Text![2..], b.Text!) : DnsInSubtree(name.Text!, b.Text!);
            case GeneralNameKind.Rfc822:
                return EmailInSubtree(name.Text!, b.Text!);
            case GeneralNameKind.Uri:
                {
                    var host = UriHost(name.Text!);
                    if (host is null) return false;
                    var c = b.Text!;
                    if (c.StartsWith('.')) return host.Length > c.Length && host.EndsWith(c, StringComparison.OrdinalIgnoreCase);
                    return string.Equals(host, c, StringComparison.OrdinalIgnoreCase);
                }
            case GeneralNameKind.IPAddress:
                {
                    var a = name.Bytes!;
                    var cb = b.Bytes!;
                    if (cb.Length != a.Length * 2) return false;
                    for (int k = 0; k < a.Length; k++)
                        if ((a[k] & cb[a.Length + k]) != (cb[k] & cb[a.Length + k])) return false;
                    return true;
                }
            case GeneralNameKind.RegisteredId:
                return name.Text == b.Text;
            default:
                return null;
        }
    }

    private static bool IsWildcard(string dnsName) => dnsName.StartsWith("*.", StringComparison.Ordinal);

    /// <summary>
    /// Whether some name matched by the wildcard <paramref name="wildcard"/> ("*.R", one label) lies in the subtree
    /// <paramref name="constraint"/>: R itself is in it, or the constraint is one label below R (then "*.R" matches it).
    /// </summary>
    internal static bool WildcardMayMatchSubtree(string wildcard, string constraint)
    {
        var rest = wildcard[2..].TrimEnd('.');
        if (DnsInSubtree(rest, constraint))
        {
            return true;
        }
        var trimmed = constraint.TrimEnd('.');
        if (!trimmed.EndsWith("." + rest, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var label = trimmed[..^(rest.Length + 1)];
        return label.Length > 0 && !label.Contains('.');
    }

    internal static bool DnsInSubtree(string name, string constraint)
    {
        name = name.TrimEnd('.');
        if (constraint.Length == 0) return true;
        if (constraint.StartsWith('.'))
            return name.Length > constraint.Length && name.EndsWith(constraint, StringComparison.OrdinalIgnoreCase);
        if (string.Equals(name, constraint, StringComparison.OrdinalIgnoreCase)) return true;
        return name.Length > constraint.Length + 1 && name.EndsWith("." + constraint, StringComparison.OrdinalIgnoreCase);
    }

    internal static bool EmailInSubtree(string email, string constraint)
    {
        int at = email.LastIndexOf('@');
        if (at < 0) return false;
        var host = email[(at + 1)..];
        if (constraint.Contains('@'))
        {
            int cat = constraint.LastIndexOf('@');
            return string.Equals(email[..at], constraint[..cat], StringComparison.Ordinal)
                && string.Equals(host, constraint[(cat + 1)..], StringComparison.OrdinalIgnoreCase);
        }
        if (constraint.StartsWith('.'))
            return host.Length > constraint.Length && host.EndsWith(constraint, StringComparison.OrdinalIgnoreCase);
        return string.Equals(host, constraint, StringComparison.OrdinalIgnoreCase);
    }

    private static string? UriHost(string uri)
    {
        int idx = uri.IndexOf("//", StringComparison.Ordinal);
        if (idx < 0) return null;
        var rest = uri[(idx + 2)..];
        int end = rest.IndexOfAny(new[] { '/', '?', '#' });
        if (end >= 0) rest = rest[..end];
        int atIdx = rest.LastIndexOf('@');
        if (atIdx >= 0) rest = rest[(atIdx + 1)..];
        if (rest.StartsWith('[')) return null;
        int colon = rest.LastIndexOf(':');
        if (colon >= 0) rest = rest[..colon];
        return rest.Length == 0 ? null : rest;
    }

    internal static bool IpEquals(byte[] a, IPAddress ip) => a.AsSpan().SequenceEqual(ip.GetAddressBytes());
}
