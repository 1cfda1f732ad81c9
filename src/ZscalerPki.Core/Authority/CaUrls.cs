using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Authority;

/// <summary>CRL distribution point and AIA caIssuers URLs of a CA: validation and the extensions they become.</summary>
public static class CaUrls
{
    /// <summary>
    /// URLs go into certificates as IA5String (ASCII): an internationalised host becomes its punycode form and other
    /// characters are percent-encoded, as browsers send them; what still is not ASCII is refused.
    /// </summary>
    private static string ToAscii(string url, Uri parsed, bool aia)
    {
        if (url.All(c => c is >= (char)0x21 and <= (char)0x7E))
            return url;
        var ascii = new UriBuilder(parsed) { Host = parsed.IdnHost }.Uri.AbsoluteUri;
        if (!ascii.All(c => c is >= (char)0x21 and <= (char)0x7E))
            throw new PkiException(aia ? PkiErrorIds.InvalidAuthorityInfoAccess : PkiErrorIds.InvalidCrlDistributionPoint, PkiErrorCategory.InvalidArgument,
                $"'{url}' cannot be written as an ASCII URI (certificates carry URLs as IA5String). Percent-encode it, e.g. http://pki.example.com/crl/ca.crl.", url);
        return ascii;
    }

    /// <summary>Absolute http/https/ldap/file URLs, checked; throws <c>InvalidCrlDistributionPoint</c> / <c>InvalidAuthorityInfoAccess</c>.</summary>
    public static List<string> Validate(IEnumerable<string>? urls, bool aia)
    {
        var list = new List<string>();
        foreach (var url in urls ?? Array.Empty<string>())
        {
            if (string.IsNullOrWhiteSpace(url))
                continue;
            if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https" or "ldap" or "file"))
                throw new PkiException(aia ? PkiErrorIds.InvalidAuthorityInfoAccess : PkiErrorIds.InvalidCrlDistributionPoint, PkiErrorCategory.InvalidArgument,
                    aia
                        ? $"'{url}' is not an absolute http://, https://, ldap:// or file:// URI. Pass the URL where the CA's certificate is published, e.g. http://pki.contoso.com/ca.cer."
                        : $"'{url}' is not an absolute http://, https://, ldap:// or file:// URI. Pass the URL where the CA's CRL is published, e.g. http://pki.contoso.com/crl/root.crl.", url);
            list.Add(ToAscii(url.Trim(), parsed, aia));
        }
        return list;
    }

    public static IEnumerable<X509Extension> Extensions(IReadOnlyList<string> cdps, IReadOnlyList<string> aia)
    {
        if (cdps.Count > 0)
            yield return CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(cdps);
        if (aia.Count > 0)
            yield return new X509AuthorityInformationAccessExtension(null, aia);
    }
}
