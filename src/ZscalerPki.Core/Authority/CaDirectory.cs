using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Authority;

/// <summary>
/// The one resolver of vault CAs. A CA is named by its identity <c>kind/name</c> (<c>enrollment/Contoso-Root</c>,
/// <c>intermediate/Inspection-2026</c>), by its bare name when only one kind has that name (names are unique within a kind
/// only; a bare name two kinds share is <c>AmbiguousIssuer</c>, never a silent pick), or by its certificate's subject DN.
/// </summary>
public sealed class CaDirectory
{
    private readonly Vault _vault;
    private readonly Hsm.VaultKeys _keys;

    /// <param name="vault">The vault whose CAs are looked up.</param>
    /// <param name="keys">How the CAs' keys open (HSM modules and key storage providers); default: this system's.</param>
    public CaDirectory(Vault vault, Hsm.VaultKeys? keys = null)
    {
        _vault = vault;
        _keys = keys ?? new Hsm.VaultKeys(Hsm.HsmKeyFactory.Production);
    }

    /// <summary>Splits <c>kind/name</c>; a text without a known kind prefix is a bare name (kind null).</summary>
    public static (CaKind? Kind, string Name) Parse(string text)
    {
        var trimmed = text.Trim();
        var slash = trimmed.IndexOf('/');
        if (slash > 0 && CaKind.FromCollection(trimmed[..slash]) is { } kind)
            return (kind, trimmed[(slash + 1)..]);
        return (null, trimmed);
    }

    /// <summary>The identity text of a CA: <c>kind/name</c>.</summary>
    public static string IdentityOf(CaKind kind, string name) => $"{kind.Collection}/{name}";

    /// <summary>
    /// The kind and stored name of the entry <paramref name="text"/> names (identity or bare name), whether or not it can
    /// sign yet; throws NotFound / AmbiguousIssuer. For changes to an entry (its URLs) rather than signing with it.
    /// </summary>
    public (CaKind Kind, string Name) Locate(string text)
    {
        var (kind, name) = Parse(text);
        var found = Named(kind, name);
        if (found.Count == 0)
            throw new PkiException(PkiErrorIds.NotFound, PkiErrorCategory.ObjectNotFound,
                $"No CA named '{name}' is in the vault '{_vault.Root}'. Run Get-EnrollmentCertificate or Get-IntermediateCertificate to list the names.", name);
        return found[0];
    }

    /// <summary>The CA named by <paramref name="text"/> (identity, bare name or subject DN); throws NotFound / AmbiguousIssuer / IssuerNotReady.</summary>
    public CertificateAuthority Resolve(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new PkiException(PkiErrorIds.NotFound, PkiErrorCategory.InvalidArgument,
                "No CA was named. Pass the vault name of an enrollment CA or SSL-inspection intermediate (or kind/name, e.g. intermediate/Inspection-2026).", text);
        var (kind, name) = Parse(text);
        if (kind is not null)
            return Resolve(kind, name);

        var found = Named(null, name);
        if (found.Count == 1)
            return Resolve(found[0].Kind, found[0].Name);
        if (name.Contains('=') && BySubject(name) is { } bySubject)
            return bySubject;
        throw new PkiException(PkiErrorIds.NotFound, PkiErrorCategory.ObjectNotFound,
            $"No CA named '{name}' is in the vault '{_vault.Root}' (neither an enrollment CA nor an SSL-inspection intermediate). Run Get-EnrollmentCertificate or Get-IntermediateCertificate to list the names.", name);
    }

    /// <summary>
    /// The entries <paramref name="name"/> names in <paramref name="kind"/>, or in every kind when it is null (stored
    /// spellings); a bare name two kinds share is <c>AmbiguousIssuer</c>, never a silent pick.
    /// </summary>
    private List<(CaKind Kind, string Name)> Named(CaKind? kind, string name)
    {
        var found = (kind is null ? CaKind.All : new[] { kind })
            .Select(k => (Kind: k, Name: k.FindName(_vault, name))).Where(m => m.Name is not null).Select(m => (m.Kind, Name: m.Name!)).ToList();
        if (found.Count > 1)
            throw new PkiException(PkiErrorIds.AmbiguousIssuer, PkiErrorCategory.InvalidArgument,
                $"'{name}' names {string.Join(" and ", found.Select(f => $"the {f.Kind.Noun} {IdentityOf(f.Kind, f.Name)}"))}. Say which: pass {string.Join(" or ", found.Select(f => IdentityOf(f.Kind, f.Name)))}, or pipe the object from {string.Join(" / ", found.Select(f => f.Kind.ListCommand))}.", name);
        return found;
    }

    /// <summary>The CA of one kind by name; throws NotFound or IssuerNotReady.</summary>
    public CertificateAuthority Resolve(CaKind kind, string name)
    {
        // A rotating issuing CA ("(t)") generation: kind/name/t/serial, found through the vault CA that issued it.
        var marker = name.IndexOf(CertificateAuthority.RotatingMarker, StringComparison.Ordinal);
        if (marker > 0)
        {
            var parent = Resolve(kind, name[..marker]);
            var serial = name[(marker + CertificateAuthority.RotatingMarker.Length)..];
            return parent.RotatingGeneration(serial) ?? throw new PkiException(PkiErrorIds.NotFound, PkiErrorCategory.ObjectNotFound,
                $"'{parent.Identity}' issued no rotating CA with serial '{serial}'. Run Get-IssuedCertificate -Issuer {parent.Identity} to list what it issued.", name);
        }
        return kind.TryOpen(_vault, _keys, name) ?? throw new PkiException(PkiErrorIds.NotFound, PkiErrorCategory.ObjectNotFound,
            $"No {kind.Noun} named '{name}' is in the vault '{_vault.Root}'. Run {kind.ListCommand} to list the names.", name);
    }

    /// <summary>The default SSL-inspection intermediate (enabled, ready, default); throws NoDefaultIntermediate.</summary>
    public CertificateAuthority DefaultIntermediate() =>
        IntermediateCaKind.DefaultName(_vault) is { } name
            ? Resolve(CaKind.Intermediate, name)
            : throw new PkiException(PkiErrorIds.NoDefaultIntermediate, PkiErrorCategory.ObjectNotFound,
                $"No issuer was named and the vault '{_vault.Root}' has no default SSL-inspection intermediate that is enabled and ready. Name a CA with -Issuer, or make an intermediate the default (Set-IntermediateCertificate -Default).", _vault.Root);

    /// <summary>The named CA, or the default intermediate when <paramref name="text"/> is empty.</summary>
    public CertificateAuthority ResolveOrDefault(string? text) =>
        string.IsNullOrWhiteSpace(text) ? DefaultIntermediate() : Resolve(text);

    /// <summary>
    /// The vault CA whose certificate is <paramref name="certificate"/> (same thumbprint), of either kind; null when the
    /// certificate is not a CA of this vault (e.g. an external CA whose key is in a certificate store).
    /// </summary>
    public CertificateAuthority? ByCertificate(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        // An entry that cannot be opened (corrupt, its parent removed) is not the one asked for; Resolve by name still reports it.
        return ReadyAuthorities(skipUnopenable: true)
            .FirstOrDefault(ca => string.Equals(ca.Certificate.Thumbprint, certificate.Thumbprint, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Every CA of the vault that can sign now, kind by kind; an entry that cannot be opened throws, or is skipped.</summary>
    private IEnumerable<CertificateAuthority> ReadyAuthorities(bool skipUnopenable)
    {
        foreach (var kind in CaKind.All)
        {
            foreach (var name in kind.ReadyNames(_vault))
            {
                CertificateAuthority? ca;
                try
                {
                    ca = kind.TryOpen(_vault, _keys, name);
                }
                catch (PkiException) when (skipUnopenable)
                {
                    continue;
                }
                if (ca is not null)
                    yield return ca;
            }
        }
    }

    /// <summary>
    /// The ready vault CA whose certificate subject is <paramref name="dn"/> (so a certificate's Issuer finds its CA); null
    /// when none matches; AmbiguousIssuer when several do (then the identity must be given).
    /// </summary>
    private CertificateAuthority? BySubject(string dn)
    {
        X500DistinguishedName wanted;
        try
        {
            wanted = new X500DistinguishedName(dn);
        }
        catch (CryptographicException)
        {
            return null;
        }
        var matches = ReadyAuthorities(skipUnopenable: false).Where(ca => SameName(ca.Certificate.SubjectName, wanted)).ToList();
        if (matches.Count > 1)
            throw new PkiException(PkiErrorIds.AmbiguousIssuer, PkiErrorCategory.InvalidArgument,
                $"Several vault CAs have the subject '{dn}' ({string.Join(", ", matches.Select(m => m.Identity))}). Pass the CA's identity as -Issuer.", dn);
        return matches.Count == 1 ? matches[0] : null;
    }

    /// <summary>
    /// The DER, or failing that the decoded names ignoring case: a DN typed at the prompt encodes its attributes as
    /// PrintableString or UTF8String as .NET chooses, which need not be how the CA's certificate encodes them
    /// (RFC 5280 7.1 compares names after such normalisation, not byte for byte).
    /// </summary>
    private static bool SameName(X500DistinguishedName a, X500DistinguishedName b) =>
        a.RawData.AsSpan().SequenceEqual(b.RawData) || string.Equals(a.Name, b.Name, StringComparison.OrdinalIgnoreCase);
}
