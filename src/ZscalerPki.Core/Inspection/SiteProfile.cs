using System.Formats.Asn1;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Inspection;

/// <summary>
/// What a forged certificate copies from a site: subject, DNS and IP names, and the origin's validity (for clamping).
/// Built from an origin certificate (<see cref="FromOrigin"/>) or from names alone (<see cref="FromNames"/>); the copy rules
/// are in COPY-RULES.md beside this file. Immutable; the SAN extension and the cache's name key are computed once.
/// </summary>
public sealed class SiteProfile
{
    /// <summary>Bound on names per site (real certificates carry up to a few hundred).</summary>
    public const int MaxNames = 1000;
    private const string SanOid = "2.5.29.17";

    private SiteProfile(byte[] subjectDer, IReadOnlyList<string> dnsNames, IReadOnlyList<IPAddress> ips, DateTimeOffset? notBefore, DateTimeOffset? notAfter, IReadOnlyList<string> warnings)
    {
        Warnings = warnings;
        SubjectDer = subjectDer;
        DnsNames = dnsNames;
        IPAddresses = ips;
        OriginNotBefore = notBefore;
        OriginNotAfter = notAfter;
        var keys = dnsNames.Select(d => "d:" + d).Concat(ips.Select(i => "i:" + i)).OrderBy(s => s, StringComparer.Ordinal);
        NameKey = string.Join(",", keys);
        SubjectIsEmpty = new AsnReader(subjectDer, AsnEncodingRules.DER).ReadSequence().HasData == false;
        SanExtensionDer = EncodeSan(dnsNames, ips, critical: SubjectIsEmpty);
    }

    /// <summary>The subject Name, DER, copied byte for byte from the origin.</summary>
    public byte[] SubjectDer { get; }
    public bool SubjectIsEmpty { get; }
    /// <summary>DNS names (lower case, wildcards kept), in the origin's order.</summary>
    public IReadOnlyList<string> DnsNames { get; }
    public IReadOnlyList<IPAddress> IPAddresses { get; }
    public DateTimeOffset? OriginNotBefore { get; }
    public DateTimeOffset? OriginNotAfter { get; }
    /// <summary>The name set, sorted: the site's part of the cache key.</summary>
    public string NameKey { get; }
    /// <summary>The whole subjectAltName Extension (DER), critical when the subject is empty (RFC 5280 4.2.1.6).</summary>
    public byte[] SanExtensionDer { get; }
    /// <summary>What was left out of the copy (public-suffix wildcards, a commonName no name backs), for the caller to show.</summary>
    public IReadOnlyList<string> Warnings { get; }
    /// <summary>The first name, for display.</summary>
    public string DisplayName => DnsNames.Count > 0 ? DnsNames[0] : IPAddresses[0].ToString();

    /// <summary>
    /// The profile of an origin (a server certificate captured from a site). A CA certificate is refused; so is a subject
    /// over the size bounds or one our reader does not decode; public-suffix wildcards are dropped (see OriginChecks).
    /// </summary>
    public static SiteProfile FromOrigin(X509Certificate2 origin)
    {
        // The subject is not formatted for messages before it is checked: a 1 MB subject would cost its text first.
        var label = $"({origin.Thumbprint})";
        var bc = origin.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (bc is { CertificateAuthority: true })
            throw new PkiException(PkiErrorIds.OriginIsCa, PkiErrorCategory.InvalidArgument,
                $"The origin certificate {label} is a CA certificate (basicConstraints CA:TRUE), not a site's server certificate. Pass the certificate the site presents (the leaf), not its issuer.", origin);

        var dns = new List<string>();
        var ips = new List<IPAddress>();
        var san = origin.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is not null)
        {
            try
            {
                foreach (var d in san.EnumerateDnsNames())
                    AddDns(dns, d, "the origin certificate " + label);
                foreach (var ip in san.EnumerateIPAddresses())
                    AddIp(ips, ip, "the origin certificate " + label);
            }
            catch (System.Security.Cryptography.CryptographicException ex)
            {
                throw new PkiException(PkiErrorIds.InvalidSiteName, PkiErrorCategory.InvalidData,
                    $"The subjectAltName of the origin certificate {label} cannot be read ({ex.Message}). Pass the site's names with -DnsName / -IPAddress instead.", origin, ex);
            }
        }
        var site = dns.Count > 0 ? $"{dns[0]} {label}" : ips.Count > 0 ? $"{ips[0]} {label}" : label;
        var subject = OriginChecks.Subject(origin, site);
        label = $"'{origin.Subject}' {label}";
        if (dns.Count == 0 && ips.Count == 0)
        {
            // Subject-only origin (legacy): the forged certificate gets a SAN from the CN, since browsers ignore the CN.
            var cn = CommonName(origin.SubjectName);
            if (cn is not null && IPAddress.TryParse(cn, out var cnIp))
                AddIp(ips, cnIp, label);
            else if (cn is not null && LooksLikeDnsName(cn))
                AddDns(dns, cn, label);
        }
        if (dns.Count == 0 && ips.Count == 0)
            throw new PkiException(PkiErrorIds.NoSiteNames, PkiErrorCategory.InvalidArgument,
                $"The origin certificate {label} names no site: it has no DNS or IP subjectAltName and its CN is not a host name. Pass the site's names with -DnsName or -IPAddress.", origin);
        var warnings = new List<string>();
        DropSuffixWildcards(dns, ips, "the origin certificate " + label, warnings);
        var subjectDer = OriginChecks.AlignCommonName(subject.Raw, dns, ips, site, warnings);
        return new SiteProfile(subjectDer, dns, ips,
            new DateTimeOffset(origin.NotBefore.ToUniversalTime()), new DateTimeOffset(origin.NotAfter.ToUniversalTime()), warnings);
    }

    /// <summary>
    /// Public-suffix wildcards (*.co.uk) are dropped with a warning, as the WebPki profile refuses them; a site left with
    /// no name is refused (InvalidSiteName), since a certificate for none of its names is of no use.
    /// </summary>
    private static void DropSuffixWildcards(List<string> dns, List<IPAddress> ips, string source, List<string> warnings)
    {
        var dropped = OriginChecks.DropPublicSuffixWildcards(dns);
        if (dropped.Count == 0)
            return;
        var list = string.Join(", ", dropped.Take(10)) + (dropped.Count > 10 ? $" and {dropped.Count - 10} more" : string.Empty);
        if (dns.Count == 0 && ips.Count == 0)
            throw new PkiException(PkiErrorIds.InvalidSiteName, PkiErrorCategory.InvalidArgument,
                $"{source} names only wildcards over a public suffix ({list}); browsers and the WebPki profile refuse such a wildcard (it would cover every site under the suffix). Pass the site's own names with -DnsName, e.g. www.example.co.uk.", list);
        warnings.Add($"Left out of the certificate forged from {source}: {list}, wildcard(s) over a public suffix that browsers refuse. The other names are forged.");
    }

    /// <summary>A site given by names alone: subject CN = the first name (when it fits 64 characters), SAN = all names.</summary>
    public static SiteProfile FromNames(IEnumerable<string>? dnsNames, IEnumerable<string>? ipAddresses)
    {
        var dns = new List<string>();
        var ips = new List<IPAddress>();
        foreach (var d in dnsNames ?? Array.Empty<string>())
        {
            if (string.IsNullOrWhiteSpace(d))
                continue;
            AddDns(dns, d.Trim(), "the given names");
        }
        foreach (var text in ipAddresses ?? Array.Empty<string>())
        {
            if (string.IsNullOrWhiteSpace(text))
                continue;
            if (!IPAddress.TryParse(text.Trim(), out var ip))
                throw new PkiException(PkiErrorIds.InvalidIPAddress, PkiErrorCategory.InvalidArgument,
                    $"'{text}' is not an IPv4 or IPv6 address. Write it like 192.0.2.10 or 2001:db8::10.", text);
            AddIp(ips, ip, "the given names");
        }
        if (dns.Count == 0 && ips.Count == 0)
            throw new PkiException(PkiErrorIds.NoSiteNames, PkiErrorCategory.InvalidArgument,
                "No site name was given: the list of DNS names and IP addresses is empty. Pass at least one name with -DnsName or -IPAddress, or an origin certificate.", null);
        var warnings = new List<string>();
        DropSuffixWildcards(dns, ips, "the given names", warnings);
        var first = dns.Count > 0 ? dns[0] : ips[0].ToString();
        var subject = first.Length <= 64
            ? new X500DistinguishedNameBuilder().Also(b => b.AddCommonName(first)).Build().RawData
            : new byte[] { 0x30, 0x00 };
        return new SiteProfile(subject, dns, ips, null, null, warnings);
    }

    private static void AddDns(List<string> list, string name, string source)
    {
        var n = name.Trim().TrimEnd('.').ToLowerInvariant();
        if (!LooksLikeDnsName(n))
            throw new PkiException(PkiErrorIds.InvalidSiteName, PkiErrorCategory.InvalidArgument,
                $"'{name}' (from {source}) is not a DNS name a server certificate can carry: use letters, digits, '-' and '.', with '*' only as the whole leftmost label (*.example.com); IDNs in their xn-- form.", name);
        if (!list.Contains(n))
            list.Add(n);
        if (list.Count > MaxNames)
            throw TooMany(source);
    }

    private static void AddIp(List<IPAddress> list, IPAddress ip, string source)
    {
        if (ip.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            return;
        if (!list.Contains(ip))
            list.Add(ip);
        if (list.Count > MaxNames)
            throw TooMany(source);
    }

    private static PkiException TooMany(string source) =>
        new(PkiErrorIds.InvalidSiteName, PkiErrorCategory.LimitsExceeded,
            $"{source} names more than {MaxNames} sites; a server certificate with that many names is not accepted here. Split the names.", source);

    internal static bool LooksLikeDnsName(string n)
    {
        if (n.Length is 0 or > 253)
            return false;
        var labels = n.Split('.');
        if (labels.Length < 1)
            return false;
        for (var i = 0; i < labels.Length; i++)
        {
            var l = labels[i];
            if (l == "*" && i == 0 && labels.Length > 2)
                continue;
            if (l.Length is 0 or > 63 || l[0] == '-' || l[^1] == '-')
                return false;
            foreach (var c in l)
            {
                if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '-' or '_'))
                    return false;
            }
        }
        return true;
    }

    private static string? CommonName(X500DistinguishedName name)
    {
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == "2.5.4.3")
                return rdn.GetSingleElementValue();
        }
        return null;
    }

    private static byte[] EncodeSan(IReadOnlyList<string> dns, IReadOnlyList<IPAddress> ips, bool critical)
    {
        var value = new AsnWriter(AsnEncodingRules.DER);
        using (value.PushSequence())
        {
            foreach (var d in dns)
                value.WriteCharacterString(UniversalTagNumber.IA5String, d, new Asn1Tag(TagClass.ContextSpecific, 2));
            foreach (var ip in ips)
                value.WriteOctetString(ip.GetAddressBytes(), new Asn1Tag(TagClass.ContextSpecific, 7));
        }
        return CertificateForger.EncodeExtension(SanOid, critical, value.Encode());
    }
}

internal static class BuilderExtensions
{
    public static X500DistinguishedNameBuilder Also(this X500DistinguishedNameBuilder b, Action<X500DistinguishedNameBuilder> a)
    {
        a(b);
        return b;
    }
}
