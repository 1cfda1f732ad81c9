using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Inspection;

/// <summary>
/// What the forger copies from an origin must be what this project itself accepts: a subject of bounded size that the
/// validator's name reader decodes, dNSNames the WebPki profile accepts, and a commonName that is a copy of one of them.
/// An origin is a template chosen by whoever controls the site, so anything else is refused (per site) or dropped with a
/// warning, never signed. Rules: COPY-RULES.md.
/// </summary>
internal static class OriginChecks
{
    /// <summary>
    /// Subject DER bound. RFC 5280 4.1.2.4 sets no limit on a Name, and its ub-* bounds (Appendix A.1: ub-common-name 64,
    /// ub-organization-name 64...) are per attribute and not enforced by browsers, so they are not enforced here either.
    /// Real subjects are small: EV certificates with jurisdiction, street and several OUs stay under 1 KiB. 4 KiB leaves
    /// four times that and still keeps a hostile 1 MB subject out of every certificate (and TLS handshake) we sign.
    /// </summary>
    public const int MaxSubjectBytes = 4096;

    /// <summary>Attribute bound: an EV subject has about 20; 64 is three times that, far from the 10,000 a hostile one has.</summary>
    public const int MaxSubjectAttributes = 64;

    /// <summary>
    /// The origin's subject, checked: at most <see cref="MaxSubjectBytes"/> and <see cref="MaxSubjectAttributes"/>, and
    /// decoded the way the commands read a name (its text, each RDN's type and value, and the validator's strict reader,
    /// which refuses an empty RDN SET: RFC 5280 4.1.2.4, RelativeDistinguishedName ::= SET SIZE (1..MAX)).
    /// </summary>
    public static DistinguishedName Subject(X509Certificate2 origin, string site)
    {
        var raw = origin.SubjectName.RawData;
        if (raw.Length > MaxSubjectBytes)
            throw TooLarge(site, $"{raw.Length:N0} bytes (at most {MaxSubjectBytes:N0})");
        int attributes;
        try
        {
            attributes = CountAttributes(raw);
        }
        catch (AsnContentException ex)
        {
            throw Undecodable(site, ex);
        }
        if (attributes > MaxSubjectAttributes)
            throw TooLarge(site, $"{attributes:N0} attributes (at most {MaxSubjectAttributes})");
        try
        {
            // The same reads as CertificateFields.CheckName (the certificate reader) and ParsedCertificate (the validator).
            _ = origin.SubjectName.Name;
            foreach (var rdn in origin.SubjectName.EnumerateRelativeDistinguishedNames())
            {
                if (!rdn.HasMultipleElements)
                {
                    _ = rdn.GetSingleElementType().Value;
                    _ = rdn.GetSingleElementValue();
                }
            }
            return DistinguishedName.Parse(raw);
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException or ArgumentException or FormatException or OverflowException or InvalidOperationException)
        {
            throw Undecodable(site, ex);
        }
    }

    private static int CountAttributes(byte[] raw)
    {
        var name = new AsnReader(raw, AsnEncodingRules.DER).ReadSequence();
        var count = 0;
        while (name.HasData)
        {
            var rdn = name.ReadSetOf(skipSortOrderValidation: true);
            count++; // an empty SET counts too: 10,000 of them are as hostile as 10,000 attributes
            while (rdn.HasData)
            {
                rdn.ReadEncodedValue();
                count++;
            }
            if (count > MaxSubjectAttributes)
                break;
        }
        return count;
    }

    private static PkiException TooLarge(string site, string what) =>
        new(PkiErrorIds.InputTooLarge, PkiErrorCategory.LimitsExceeded,
            $"The origin certificate of {site} has a subject of {what}; a forged copy would carry it into every handshake. " +
            "Real subjects are far smaller, so this origin is refused. Forge from the site's names instead: -DnsName (and -IPAddress).", site);

    private static PkiException Undecodable(string site, Exception ex) =>
        new(PkiErrorIds.InvalidSubject, PkiErrorCategory.InvalidData,
            $"The subject of the origin certificate of {site} is not a name this module reads ({ex.Message.Split('\n')[0].Trim().TrimEnd('.')}), " +
            "e.g. an empty RDN, a string that does not decode as its type, or an unreadable attribute type; a forged copy would be refused by our own reader. " +
            "Forge from the site's names instead: -DnsName (and -IPAddress).", site, ex);

    /// <summary>
    /// Drops the wildcards whose base is a public suffix (<c>*.co.uk</c>, <c>*.github.io</c>): the WebPki profile's
    /// WildcardOnPublicSuffix rule (and browsers) refuse them. Returns the dropped names; the caller refuses the site
    /// when nothing is left.
    /// </summary>
    public static List<string> DropPublicSuffixWildcards(List<string> dns)
    {
        var dropped = dns.Where(d => d.StartsWith("*.", StringComparison.Ordinal) && PublicSuffixList.IsPublicSuffix(d[2..])).ToList();
        dns.RemoveAll(dropped.Contains);
        return dropped;
    }

    /// <summary>
    /// The subject to copy: the origin's, byte for byte, except that a commonName which is not a copy of a forged
    /// subjectAltName entry is left out (CA/B BR 7.1.4.3: at most one commonName, a character-for-character copy of a
    /// dNSName, or the RFC 5952 / dotted text of an iPAddress; the WebPki profile checks it as WebPkiRules does). A CN
    /// can fall out because its SAN wildcard was dropped, because the SAN was lower-cased, or because the origin was wrong.
    /// A CN inside a multi-valued RDN that must go refuses the site (removing it would change the other attributes' RDN).
    /// </summary>
    public static byte[] AlignCommonName(byte[] raw, IReadOnlyList<string> dns, IReadOnlyList<IPAddress> ips, string site, List<string> warnings)
    {
        var ipTexts = ips.Select(i => WebPkiRules.CanonicalIpText(i.GetAddressBytes())).ToHashSet(StringComparer.Ordinal);
        bool Fits(string cn) => IPAddress.TryParse(cn, out _)
            ? ips.Count == 0 || ipTexts.Contains(cn)
            : dns.Count == 0 || dns.Any(d => d == cn || d == "*." + cn);

        var name = new AsnReader(raw, AsnEncodingRules.DER).ReadSequence();
        var w = new AsnWriter(AsnEncodingRules.DER);
        var keptCn = false;
        var left = new List<string>();
        using (w.PushSequence())
        {
            while (name.HasData)
            {
                var rdnDer = name.ReadEncodedValue();
                var rdn = new AsnReader(rdnDer, AsnEncodingRules.DER).ReadSetOf(skipSortOrderValidation: true);
                var avas = 0;
                string? cn = null;
                while (rdn.HasData)
                {
                    var ava = rdn.ReadSequence();
                    avas++;
                    if (ava.ReadObjectIdentifier() == "2.5.4.3")
                        cn = DistinguishedName.Parse(Wrap(rdnDer.Span)).Attributes.First(a => a.Oid == "2.5.4.3").Value;
                }
                if (cn is null || (!keptCn && Fits(cn)))
                {
                    keptCn |= cn is not null;
                    w.WriteEncodedValue(rdnDer.Span);
                    continue;
                }
                if (avas > 1)
                    throw new PkiException(PkiErrorIds.InvalidSubject, PkiErrorCategory.InvalidData,
                        $"The origin certificate of {site} has the commonName \"{cn}\" in a multi-valued RDN, and it is not one of the names forged ({string.Join(", ", dns.Concat(ipTexts!).Take(5))}); browsers require the CN to copy a subjectAltName (CA/B BR 7.1.4.3). Forge from the site's names instead: -DnsName (and -IPAddress).", site);
                left.Add(cn);
            }
        }
        if (left.Count == 0)
            return raw;
        warnings.Add($"The forged certificate for {site} leaves out the origin's commonName {string.Join(", ", left.Select(c => "\"" + c + "\""))}: " +
            "it is not a copy of a forged subjectAltName entry (or repeats one), which browsers refuse (CA/B BR 7.1.4.3). The rest of the subject is copied.");
        return w.Encode();
    }

    /// <summary>An RDN SET as a one-RDN Name, for the validator's reader.</summary>
    private static byte[] Wrap(ReadOnlySpan<byte> rdn)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
            w.WriteEncodedValue(rdn);
        return w.Encode();
    }
}
