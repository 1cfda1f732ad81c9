using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Revocation;

/// <summary>
/// A CA whose key is in the vault and that can therefore issue and revoke: an enrollment CA, or an SSL-inspection
/// intermediate with its signed certificate imported. Names are looked up among enrollment CAs first.
/// </summary>
public sealed class VaultCa
{
    private VaultCa(Vault vault, string collection, string name, X509Certificate2 certificate,
        IReadOnlyList<string> cdps, IReadOnlyList<string> aia)
    {
        Vault = vault;
        Collection = collection;
        Name = name;
        Certificate = certificate;
        CrlDistributionPoints = cdps;
        AuthorityInfoAccess = aia;
        Folder = Path.GetDirectoryName(vault.KeyPath(collection, name))!;
    }

    public Vault Vault { get; }
    /// <summary><see cref="Collections.Enrollment"/> or <see cref="Collections.Intermediate"/>.</summary>
    public string Collection { get; }
    /// <summary>The stored spelling of the name.</summary>
    public string Name { get; }
    public X509Certificate2 Certificate { get; }
    /// <summary>CRL distribution point URLs embedded in every certificate this CA issues.</summary>
    public IReadOnlyList<string> CrlDistributionPoints { get; }
    /// <summary>AIA caIssuers URLs embedded in every certificate this CA issues.</summary>
    public IReadOnlyList<string> AuthorityInfoAccess { get; }
    /// <summary>The entry's folder (holds issued.db).</summary>
    public string Folder { get; }

    public static VaultCa Resolve(Vault vault, string name)
    {
        if (vault.TryRead<EnrollmentEntry>(Collections.Enrollment, name) is { } e)
        {
            var cert = CertificateReader.ReadSingle(Encoding.ASCII.GetBytes(e.CertificatePem), $"vault entry '{e.Name}'");
            return new VaultCa(vault, Collections.Enrollment, e.Name, cert, e.CrlDistributionPoints ?? new List<string>(), e.AuthorityInfoAccess ?? new List<string>());
        }
        if (vault.TryRead<IntermediateEntry>(Collections.Intermediate, name) is { } i)
        {
            if (i.CertificatePem is null)
                throw new PkiException(PkiErrorIds.IssuerNotReady, PkiErrorCategory.InvalidOperation,
                    $"The intermediate '{i.Name}' has no signed certificate yet, so it has issued nothing. Import its certificate with Import-SignedIntermediate first.", i.Name);
            var cert = CertificateReader.ReadSingle(Encoding.ASCII.GetBytes(i.CertificatePem), $"vault entry '{i.Name}'");
            return new VaultCa(vault, Collections.Intermediate, i.Name, cert, i.CrlDistributionPoints ?? new List<string>(), i.AuthorityInfoAccess ?? new List<string>());
        }
        if (name.Contains('=') && ByDistinguishedName(vault, name) is { } byDn)
            return Resolve(vault, byDn);
        throw new PkiException(PkiErrorIds.NotFound, PkiErrorCategory.ObjectNotFound,
            $"No CA named '{name}' is in the vault (neither an enrollment certificate nor an SSL-inspection intermediate). Run Get-EnrollmentCertificate or Get-IntermediateCertificate to list the names.", name);
    }

    /// <summary>
    /// The vault CA whose certificate subject is <paramref name="dn"/> (so a certificate's Issuer finds its CA); null when none
    /// matches or the match is ambiguous (then the name must be given).
    /// </summary>
    private static string? ByDistinguishedName(Vault vault, string dn)
    {
        byte[] raw;
        try
        {
            raw = new X500DistinguishedName(dn).RawData;
        }
        catch (CryptographicException)
        {
            return null;
        }
        var matches = new List<string>();
        foreach (var e in vault.ReadAll<EnrollmentEntry>(Collections.Enrollment))
        {
            if (CertificateReader.ReadSingle(Encoding.ASCII.GetBytes(e.CertificatePem)).SubjectName.RawData.AsSpan().SequenceEqual(raw))
                matches.Add(e.Name);
        }
        foreach (var i in vault.ReadAll<IntermediateEntry>(Collections.Intermediate))
        {
            if (i.CertificatePem is not null && CertificateReader.ReadSingle(Encoding.ASCII.GetBytes(i.CertificatePem)).SubjectName.RawData.AsSpan().SequenceEqual(raw))
                matches.Add(i.Name);
        }
        if (matches.Count > 1)
            throw new PkiException(PkiErrorIds.AmbiguousIssuer, PkiErrorCategory.InvalidArgument,
                $"Several vault CAs have the subject '{dn}' ({string.Join(", ", matches)}). Pass the CA's vault name as -Issuer.", dn);
        return matches.Count == 1 ? matches[0] : null;
    }

    /// <summary>The CA's private key, an HSM key through this system's HSMs (<see cref="Hsm.HsmKeyFactory.Production"/>).</summary>
    public AsymmetricAlgorithm OpenKey(ReadOnlySpan<char> password) => OpenKey(new Hsm.VaultKeys(Hsm.HsmKeyFactory.Production), password);

    /// <summary>The CA's private key through <paramref name="keys"/>: decrypted with <paramref name="password"/>, or opened in its HSM with it as the PIN.</summary>
    public AsymmetricAlgorithm OpenKey(Hsm.VaultKeys keys, ReadOnlySpan<char> password)
    {
        if (password.IsEmpty)
            throw new PkiException(PkiErrorIds.KeyPasswordRequired, PkiErrorCategory.InvalidArgument,
                $"Signing with '{Name}' needs its key password: pass -KeyPassword.", Name);
        return keys.Open(Vault, Collection, Name, Certificate.PublicKey, password);
    }

    /// <summary>The CDP and AIA extensions for certificates this CA issues (none when it has no URLs).</summary>
    public IEnumerable<X509Extension> IssuedCertificateExtensions() => CaUrls.Extensions(CrlDistributionPoints, AuthorityInfoAccess);
}

/// <summary>CRL distribution point and AIA caIssuers URLs of a CA: validation and the extensions they become.</summary>
public static class CaUrls
{
    /// <summary>Absolute http/https/ldap/file URLs, checked; throws <c>InvalidCrlDistributionPoint</c> / <c>InvalidAuthorityInfoAccess</c>.</summary>
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
