using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Hsm;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Authority;

/// <summary>
/// One CA the vault holds, whatever its kind: its identity (<see cref="Kind"/> + <see cref="Name"/>, written
/// <c>intermediate/Inspection-2026</c>), its certificate and the issuers above it, how its key opens (software, PKCS#11 or a
/// Windows key storage provider, through <see cref="OpenKey(ReadOnlySpan{char})"/> only), the CDP/AIA URLs it puts in what it issues, the signature
/// hash that matches its key, and its issued-certificate store. Every path that signs as a vault CA or reads what one issued
/// gets it from <see cref="CaDirectory"/>, so "which CA is X" has one answer.
/// </summary>
public sealed class CertificateAuthority
{
    private readonly VaultKeys _keys;

    internal CertificateAuthority(Vault vault, VaultKeys keys, CaKind kind, string name, X509Certificate2 certificate,
        IReadOnlyList<X509Certificate2> issuers, IReadOnlyList<string> cdps, IReadOnlyList<string> aia, IHsmKeyReference? hsmKey)
    {
        Vault = vault;
        _keys = keys;
        Kind = kind;
        Name = name;
        Certificate = certificate;
        Issuers = issuers;
        CrlDistributionPoints = cdps;
        AuthorityInfoAccess = aia;
        HsmKey = hsmKey;
        Folder = Path.GetDirectoryName(vault.KeyPath(kind.Collection, name))!;
    }

    /// <summary>
    /// A rotating issuing CA ("(t)") generation below <paramref name="parent"/>: identity <c>kind/name/t/serial</c>, its
    /// own issued-certificate store in <c>rotating/&lt;serial&gt;</c> of the parent's folder, no key of its own to open here
    /// (the key is sealed in the inspection cache), no CDP/AIA (the server certificates it signs carry none).
    /// </summary>
    private CertificateAuthority(CertificateAuthority parent, X509Certificate2 certificate, string serialHex)
    {
        Vault = parent.Vault;
        _keys = parent._keys;
        Kind = parent.Kind;
        Name = $"{parent.Name}{RotatingMarker}{serialHex}";
        Certificate = certificate;
        Issuers = parent.Chain;
        CrlDistributionPoints = Array.Empty<string>();
        AuthorityInfoAccess = Array.Empty<string>();
        Parent = parent;
        Folder = Path.Combine(parent.Folder, RotatingFolder, serialHex);
    }

    /// <summary>The separator between a vault CA's name and a rotating generation's serial in an identity: <c>intermediate/X/t/1A2B…</c>.</summary>
    public const string RotatingMarker = "/t/";

    private const string RotatingFolder = "rotating";

    public Vault Vault { get; }

    /// <summary>The vault CA a rotating issuing CA ("(t)") generation sits below; null for a vault CA.</summary>
    public CertificateAuthority? Parent { get; }

    /// <summary>True for a rotating issuing CA ("(t)") generation (<see cref="Parent"/> is its vault CA).</summary>
    public bool IsRotating => Parent is not null;

    public CaKind Kind { get; }

    /// <summary>The stored spelling of the name (unique within its kind only; see <see cref="Identity"/>).</summary>
    public string Name { get; }

    /// <summary><c>kind/name</c>, e.g. <c>enrollment/Contoso-Root</c>: unique in the vault, accepted wherever a CA is named.</summary>
    public string Identity => $"{Kind.Collection}/{Name}";

    /// <summary>The vault collection of the entry (<see cref="Collections.Enrollment"/> or <see cref="Collections.Intermediate"/>).</summary>
    public string Collection => Kind.Collection;

    public X509Certificate2 Certificate { get; }

    /// <summary>The certificates above this CA, nearest first (as far as the vault knows them).</summary>
    public IReadOnlyList<X509Certificate2> Issuers { get; }

    /// <summary>This CA's certificate followed by <see cref="Issuers"/>.</summary>
    public IReadOnlyList<X509Certificate2> Chain => new[] { Certificate }.Concat(Issuers).ToList();

    /// <summary>CRL distribution point URLs embedded in every certificate this CA issues.</summary>
    public IReadOnlyList<string> CrlDistributionPoints { get; }

    /// <summary>AIA caIssuers URLs embedded in every certificate this CA issues.</summary>
    public IReadOnlyList<string> AuthorityInfoAccess { get; }

    /// <summary>Where the key lives when it is in an HSM (PKCS#11 or CNG); null for a key encrypted in the vault.</summary>
    public IHsmKeyReference? HsmKey { get; }

    /// <summary>The entry's folder (holds the key, <c>issued.db</c> and <c>crl.lock</c>).</summary>
    public string Folder { get; }

    /// <summary>
    /// The hash this CA signs with, matched to the strength of its key (as NIST SP 800-57 pairs them, and as CAs and the
    /// CA/Browser Forum profiles do): SHA-384 for P-384, SHA-512 for P-521, SHA-256 for P-256 and RSA. Certificates and CRLs
    /// signed by one CA use the same hash.
    /// </summary>
    public SignatureHash SignatureHash => Keys.MatchingHash(Certificate.PublicKey);

    /// <summary>
    /// The CA's private key: decrypted from the vault with its key password, or opened in its HSM with the PIN
    /// (<paramref name="secret"/> is whichever applies). The key must be the certificate's, else <c>KeyMismatch</c>.
    /// </summary>
    public AsymmetricAlgorithm OpenKey(ReadOnlySpan<char> secret) => OpenKey(_keys, secret);

    /// <summary>As <see cref="OpenKey(ReadOnlySpan{char})"/>, with HSM keys opened through <paramref name="keys"/> (a service's own).</summary>
    public AsymmetricAlgorithm OpenKey(VaultKeys keys, ReadOnlySpan<char> secret)
    {
        if (IsRotating)
            throw RotatingHasNoCrl("sign a CRL or anything else from here");
        if (secret.IsEmpty)
            throw new PkiException(PkiErrorIds.KeyPasswordRequired, PkiErrorCategory.InvalidArgument,
                $"Signing with '{Name}' needs {(HsmKey is null ? "its key password" : "the PIN of the HSM that holds its key")}: pass the issuer's key password (-KeyPassword / -IssuerKeyPassword).", Name);
        return keys.Open(Vault, Collection, Name, HsmKey, Certificate.PublicKey, secret);
    }

    /// <summary>The issued-certificate database of this CA (created with the CA's first issuance).</summary>
    public IssuedCertificateStore OpenStore() => IssuedCertificateStore.Open(this);

    /// <summary>
    /// Issuing is one operation: <paramref name="sign"/> builds and signs the certificate with this CA's opened
    /// <paramref name="key"/>, the certificate is recorded durably in this CA's issued-certificate store (committed and
    /// flushed), and only then is it returned. When recording fails the certificate is disposed and the error propagates,
    /// so nothing this CA signed reaches a caller without being listed by <c>Get-IssuedCertificate</c> and revocable.
    /// Every vault CA issues this way: enrollment CAs below a vault parent, CSRs signed by <c>Submit-CertificateRequest</c>,
    /// and the rotating "(t)" CA below an inspection issuer; forged server certificates are recorded in groups through
    /// <see cref="Record"/> before any of them is handed out.
    /// </summary>
    public X509Certificate2 Issue(AsymmetricAlgorithm key, Func<CaCertificateBuilder.Signer, X509Certificate2> sign, string profile, DateTimeOffset issued)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(sign);
        var certificate = sign(new CaCertificateBuilder.Signer(Certificate, key));
        try
        {
            Record(new[] { (certificate, profile, issued) });
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
        return certificate;
    }

    /// <summary>
    /// Records certificates this CA signed, in one transaction (group commit): all are durable when it returns, or none is
    /// and it throws. A certificate another CA signed is <c>NotIssuedByCa</c>.
    /// </summary>
    public void Record(IReadOnlyList<(X509Certificate2 Certificate, string Profile, DateTimeOffset Issued)> items)
    {
        if (items.Count == 0)
            return;
        using var store = OpenStore();
        store.RecordMany(items);
    }

    /// <summary>The CDP and AIA extensions for certificates this CA issues (none when it has no URLs).</summary>
    public IEnumerable<X509Extension> IssuedCertificateExtensions() => CaUrls.Extensions(CrlDistributionPoints, AuthorityInfoAccess);

    /// <summary>
    /// The rotating issuing CA ("(t)") generation <paramref name="certificate"/> below this vault CA, whose server
    /// certificates are recorded in its own store (listed with this CA's by <c>Get-IssuedCertificate</c>).
    /// </summary>
    public CertificateAuthority RotatingGeneration(X509Certificate2 certificate)
    {
        if (IsRotating || !IssuedCertificateStore.IssuedBy(certificate, Certificate))
            throw new PkiException(PkiErrorIds.NotIssuedByCa, PkiErrorCategory.InvalidArgument,
                $"The rotating CA '{certificate.Subject}' was not issued by '{Identity}'.", certificate.Subject);
        return new CertificateAuthority(this, certificate, Revocation.SerialNumbers.ToHex(certificate.SerialNumberBytes.Span));
    }

    /// <summary>The rotating generation with serial <paramref name="serialHex"/> this CA issued (from its store), or null.</summary>
    internal CertificateAuthority? RotatingGeneration(string serialHex)
    {
        using var store = OpenStore();
        return RotatingGeneration(store, serialHex);
    }

    private CertificateAuthority? RotatingGeneration(IssuedCertificateStore store, string serialHex)
    {
        byte[] serial;
        try
        {
            serial = Revocation.SerialNumbers.Parse(serialHex);
        }
        catch (PkiException)
        {
            return null;
        }
        if (store.Find(serial) is not { Profile: IssuedProfiles.RotatingIssuer } record)
            return null;
        return RotatingGeneration(record.Certificate);
    }

    /// <summary>
    /// The rotating generations below this CA that recorded certificates (each has a store), oldest serial first; none
    /// (and no database opened) for a CA that never rotated.
    /// </summary>
    public IReadOnlyList<CertificateAuthority> RotatingGenerations()
    {
        var folder = Path.Combine(Folder, RotatingFolder);
        if (IsRotating || !Directory.Exists(folder))
            return Array.Empty<CertificateAuthority>();
        var generations = new List<CertificateAuthority>();
        using var store = OpenStore();
        foreach (var dir in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(dir, IssuedCertificateStore.FileName)) && RotatingGeneration(store, Path.GetFileName(dir)) is { } generation)
                generations.Add(generation);
        }
        return generations;
    }

    /// <summary>RotatingCaHasNoCrl for this rotating generation: what to revoke instead.</summary>
    internal PkiException RotatingHasNoCrl(string what) => new(PkiErrorIds.RotatingCaHasNoCrl, PkiErrorCategory.InvalidOperation,
        $"'{Identity}' is a rotating issuing CA (\"(t)\", '{Certificate.Subject}') below '{Parent!.Identity}': its key stays sealed in the inspection cache and the server certificates it signs carry no CRL distribution point, so it cannot {what}. Revoke the rotating CA itself, which takes out every certificate it signed: Revoke-Certificate -Issuer {Parent.Identity} -SerialNumber {Revocation.SerialNumbers.ToHex(Certificate.SerialNumberBytes.Span)}, then Publish-Crl {Parent.Identity}.", Identity);

    public override string ToString() => Identity;
}
