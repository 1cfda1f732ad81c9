using System.Net;

namespace ZscalerPki.Core.Validation;

/// <summary>
/// permitted_subtrees / excluded_subtrees of RFC 5280 section 6.1. Permitted subtrees are kept as a list of
/// per-certificate sets (a name must fall in every set that constrains its name form) rather than a computed
/// intersection; excluded subtrees are a union. Every check spends the request's <see cref="WorkBudget"/>.
/// </summary>
internal sealed class NameConstraintState
{
    private readonly List<List<GeneralSubtree>> _permittedSets = new();
    private readonly List<GeneralSubtree> _excluded = new();
    private readonly WorkBudget _budget;
    private readonly DnsConstraintMatching _dnsMatching;
    private int _subtreeCount;

    /// <param name="budget">The request's work bound.</param>
    /// <param name="dnsMatching">How dNSNames are compared with dNSName constraints (<see cref="ChainValidationRequest.DnsConstraintMatching"/>).</param>
    public NameConstraintState(WorkBudget budget, DnsConstraintMatching dnsMatching = DnsConstraintMatching.Rfc5280)
    {
        _budget = budget;
        _dnsMatching = dnsMatching;
    }

    public bool IsEmpty => _permittedSets.Count == 0 && _excluded.Count == 0;

    /// <summary>Checks a constraint's syntax (RFC 5280 4.2.1.10); returns an error message or null.</summary>
    public static string? ValidateSubtree(GeneralSubtree subtree)
    {
        if (subtree.Minimum != 0 || subtree.Maximum is not null)
        {
            return "minimum/maximum must not be used in GeneralSubtree (RFC 5280 4.2.1.10)";
        }
        var constraint = subtree.Base;
        return constraint.Kind switch
        {
            GeneralNameKind.Dns => ValidateDnsConstraint(constraint.Text!),
            GeneralNameKind.IPAddress => ValidateIpConstraint(constraint.Bytes!),
            _ => null,
        };
    }

    private static string? ValidateDnsConstraint(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }
        if (text.StartsWith('.'))
        {
            return $"dNSName constraint \"{text}\" starts with a period (RFC 5280 4.2.1.10 allows that for URIs only)";
        }
        foreach (var label in text.Split('.'))
        {
            if (label.Length == 0 || label.Length > 63)
            {
                return $"dNSName constraint \"{text}\" is not a valid domain";
            }
            foreach (var character in label)
            {
                if (!(char.IsAsciiLetterOrDigit(character) || character == '-' || character == '_'))
                {
                    return $"dNSName constraint \"{text}\" contains '{character}'";
                }
            }
        }
        return null;
    }

    private static string? ValidateIpConstraint(byte[] bytes)
    {
        if (bytes.Length != 8 && bytes.Length != 32)
        {
            return "iPAddress constraint must be address+mask (8 or 32 octets)";
        }
        // The mask must be contiguous ones followed by zeros.
        bool seenZero = false;
        foreach (var maskByte in bytes.AsSpan(bytes.Length / 2))
        {
            for (int bit = 7; bit >= 0; bit--)
            {
                bool one = (maskByte & (1 << bit)) != 0;
                if (one && seenZero)
                {
                    return "iPAddress constraint mask is not contiguous";
                }
                if (!one)
                {
                    seenZero = true;
                }
            }
        }
        return null;
    }

    public void Add(NameConstraintsInfo constraints)
    {
        if (constraints.Permitted.Count > 0)
        {
            _permittedSets.Add(constraints.Permitted);
        }
        _excluded.AddRange(constraints.Excluded);
        _subtreeCount += constraints.Permitted.Count + constraints.Excluded.Count;
    }

    /// <summary>Checks a certificate's subject and subjectAltNames; returns violation messages.</summary>
    public List<string> Check(ParsedCertificate certificate)
    {
        var problems = new List<string>();
        if (IsEmpty)
        {
            return problems;
        }
        var names = NamesOf(certificate);
        // Every (name, subtree) pair counts against the request's work bound (name-constraint DoS chains).
        _budget.SpendNameConstraintComparisons((long)names.Count * _subtreeCount);
        foreach (var name in names)
        {
            CheckPermitted(name, problems);
            CheckExcluded(name, problems);
        }
        return problems;
    }

    /// <summary>The subject (if not empty), every subjectAltName, and subject emailAddress attributes when there is no rfc822Name.</summary>
    private static List<GeneralName> NamesOf(ParsedCertificate certificate)
    {
        var names = new List<GeneralName>();
        if (!certificate.Subject.IsEmpty)
        {
            names.Add(new GeneralName(GeneralNameKind.Directory, null, null, certificate.Subject));
        }
        if (certificate.SubjectAltNames is { } subjectAltNames)
        {
            names.AddRange(subjectAltNames);
        }
        if (certificate.SubjectAltNames is null || !certificate.SubjectAltNames.Any(n => n.Kind == GeneralNameKind.Rfc822))
        {
            foreach (var (oid, value) in certificate.Subject.Attributes)
            {
                if (oid == Oids.EmailAddress)
                {
                    names.Add(new GeneralName(GeneralNameKind.Rfc822, value, null, null));
                }
            }
        }
        return names;
    }

    private void CheckPermitted(GeneralName name, List<string> problems)
    {
        foreach (var set in _permittedSets)
        {
            var sameForm = set.Where(s => s.Base.Kind == name.Kind).ToList();
            if (sameForm.Count == 0)
            {
                continue;
            }
            bool within = false;
            foreach (var subtree in sameForm)
            {
                var match = _dnsMatching != DnsConstraintMatching.Rfc5280 && name.Kind == GeneralNameKind.Dns ? LiteralDnsInSubtree(name.Text!, subtree.Base.Text!) : Matches(name, subtree.Base);
                if (match is null)
                {
                    problems.Add($"name form {name.Kind} cannot be checked against the constraint");
                    within = true;
                    break;
                }
                if (match == true)
                {
                    within = true;
                    break;
                }
            }
            if (!within)
            {
                problems.Add($"{name} is not within the permitted subtrees");
            }
        }
    }

    private void CheckExcluded(GeneralName name, List<string> problems)
    {
        foreach (var subtree in _excluded)
        {
            if (subtree.Base.Kind != name.Kind)
            {
                continue;
            }
            var match = _dnsMatching == DnsConstraintMatching.Strings && name.Kind == GeneralNameKind.Dns ? LiteralDnsInSubtree(name.Text!, subtree.Base.Text!)
                : name.Kind == GeneralNameKind.Dns && IsWildcard(name.Text!) ? WildcardMayMatchSubtree(name.Text!, subtree.Base.Text!)
                : Matches(name, subtree.Base);
            if (match is null)
            {
                problems.Add($"name form {name.Kind} cannot be checked against the constraint");
            }
            else if (match == true)
            {
                problems.Add($"{name} is within excluded subtree {subtree.Base}");
            }
        }
    }

    /// <summary>Whether <paramref name="name"/> is in the subtree <paramref name="constraint"/> (same form); null when the form is unsupported.</summary>
    internal static bool? Matches(GeneralName name, GeneralName constraint)
    {
        switch (name.Kind)
        {
            case GeneralNameKind.Directory:
                return name.Directory!.IsWithin(constraint.Directory!);
            case GeneralNameKind.Dns:
                // A wildcard name is within a subtree when every name it matches is: "*.R" is within C when R is.
                return IsWildcard(name.Text!) ? DnsInSubtree(name.Text![2..], constraint.Text!) : DnsInSubtree(name.Text!, constraint.Text!);
            case GeneralNameKind.Rfc822:
                return EmailInSubtree(name.Text!, constraint.Text!);
            case GeneralNameKind.Uri:
                return UriInSubtree(name.Text!, constraint.Text!);
            case GeneralNameKind.IPAddress:
                return IpInSubtree(name.Bytes!, constraint.Bytes!);
            case GeneralNameKind.RegisteredId:
                return name.Text == constraint.Text;
            default:
                return null;
        }
    }

    private static bool UriInSubtree(string uri, string constraint)
    {
        var host = UriHost(uri);
        if (host is null)
        {
            return false;
        }
        if (constraint.StartsWith('.'))
        {
            return host.Length > constraint.Length && host.EndsWith(constraint, StringComparison.OrdinalIgnoreCase);
        }
        return string.Equals(host, constraint, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>An address within an address+mask constraint: the same length (IPv4 or IPv6), equal under the mask (Go's matchIPConstraint too).</summary>
    internal static bool IpInSubtree(byte[] address, byte[] constraint)
    {
        if (constraint.Length != address.Length * 2)
        {
            return false;
        }
        for (int index = 0; index < address.Length; index++)
        {
            var mask = constraint[address.Length + index];
            if ((address[index] & mask) != (constraint[index] & mask))
            {
                return false;
            }
        }
        return true;
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

    /// <summary>
    /// OpenSSL v3_ncons.c nc_dns / NSS genname.c compareDNSN2C: an empty constraint matches everything; otherwise the name
    /// ends with the constraint (case-insensitive) and is equal to it, or the character before is a period, or the
    /// constraint starts with one. No syntax check of the name: ".example.com" is within "example.com", and a wildcard is
    /// the literal label "*".
    /// </summary>
    internal static bool LiteralDnsInSubtree(string name, string constraint)
    {
        if (constraint.Length == 0)
        {
            return true;
        }
        if (name.Length < constraint.Length || !name.EndsWith(constraint, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return name.Length == constraint.Length || constraint[0] == '.' || name[name.Length - constraint.Length - 1] == '.';
    }

    internal static bool DnsInSubtree(string name, string constraint)
    {
        name = name.TrimEnd('.');
        if (constraint.Length == 0)
        {
            return true;
        }
        if (constraint.StartsWith('.'))
        {
            return name.Length > constraint.Length && name.EndsWith(constraint, StringComparison.OrdinalIgnoreCase);
        }
        if (string.Equals(name, constraint, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return name.Length > constraint.Length + 1 && name.EndsWith("." + constraint, StringComparison.OrdinalIgnoreCase);
    }

    internal static bool EmailInSubtree(string email, string constraint)
    {
        int at = email.LastIndexOf('@');
        if (at < 0)
        {
            return false;
        }
        var host = email[(at + 1)..];
        if (constraint.Contains('@'))
        {
            int constraintAt = constraint.LastIndexOf('@');
            return string.Equals(email[..at], constraint[..constraintAt], StringComparison.Ordinal)
                && string.Equals(host, constraint[(constraintAt + 1)..], StringComparison.OrdinalIgnoreCase);
        }
        if (constraint.StartsWith('.'))
        {
            return host.Length > constraint.Length && host.EndsWith(constraint, StringComparison.OrdinalIgnoreCase);
        }
        return string.Equals(host, constraint, StringComparison.OrdinalIgnoreCase);
    }

    private static string? UriHost(string uri)
    {
        int schemeEnd = uri.IndexOf("//", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return null;
        }
        var rest = uri[(schemeEnd + 2)..];
        int pathStart = rest.IndexOfAny(new[] { '/', '?', '#' });
        if (pathStart >= 0)
        {
            rest = rest[..pathStart];
        }
        int userInfoEnd = rest.LastIndexOf('@');
        if (userInfoEnd >= 0)
        {
            rest = rest[(userInfoEnd + 1)..];
        }
        if (rest.StartsWith('['))
        {
            return null;
        }
        int portStart = rest.LastIndexOf(':');
        if (portStart >= 0)
        {
            rest = rest[..portStart];
        }
        return rest.Length == 0 ? null : rest;
    }

    internal static bool IpEquals(byte[] address, IPAddress ip) => address.AsSpan().SequenceEqual(ip.GetAddressBytes());
}
