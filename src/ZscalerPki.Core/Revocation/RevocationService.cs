using ZscalerPki.Core.Authority;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Revocation;

/// <summary>Revoking and restoring certificates of vault CAs, and listing what they issued.</summary>
public sealed class RevocationService
{
    private readonly Vault _vault;

    public RevocationService(Vault vault) => _vault = vault;

    /// <summary>
    /// Rows of a CA's issued-certificate database matching <paramref name="query"/>, streamed; then those of the rotating
    /// issuing CAs ("(t)") below it, whose rows name the generation as their issuer (<c>kind/name/t/serial</c>).
    /// </summary>
    public IEnumerable<IssuedCertificateRecord> Get(string issuer, IssuedCertificateQuery query)
    {
        CertificateAuthority ca;
        using (var store = IssuedCertificateStore.Open(_vault, issuer))
        {
            ca = store.Ca;
            foreach (var record in store.Query(query))
                yield return record;
        }
        foreach (var generation in ca.RotatingGenerations())
        {
            using var store = generation.OpenStore();
            foreach (var record in store.Query(query))
                yield return record;
        }
    }

    /// <summary>
    /// Revokes one certificate. When the vault holds it as a CA (an enrollment intermediate, or an SSL-inspection intermediate
    /// signed by this CA), that entry is marked Revoked too, with a warning.
    /// </summary>
    public PkiResult<IssuedCertificateRecord?> Revoke(RevokeRequest request)
    {
        var warnings = new List<string>();
        using var store = IssuedCertificateStore.Open(_vault, request.Issuer);
        var serial = SerialOf(request, store.Ca);
        RequireRevocable(store, serial);
        var now = DateTimeOffset.UtcNow;
        var at = CrlEncoder.Whole(request.RevocationDate ?? now);
        if (request.InvalidityDate is { } inv && inv > at)
            warnings.Add($"The invalidity date {inv.UtcDateTime:u} is after the revocation date {at.UtcDateTime:u}; RFC 5280 means it as the time the key was (suspected) compromised, which is normally earlier.");
        var outcome = store.Revoke(serial, request.Reason, at, request.InvalidityDate is { } i ? CrlEncoder.Whole(i) : null, request.Force);
        if (!outcome.Known)
            warnings.Add($"'{store.Ca.Name}' has no record of serial {SerialNumbers.ToHex(serial)}; it was revoked anyway (-Force) and will be listed in its CRLs.");
        MarkVaultEntries(store.Ca, serial, revoked: true, now, warnings);
        return new PkiResult<IssuedCertificateRecord?>(store.Find(serial), warnings);
    }

    /// <summary>Lifts a certificateHold; a vault entry marked Revoked by the hold is marked as before.</summary>
    public PkiResult<IssuedCertificateRecord?> Restore(RevokeRequest request)
    {
        var warnings = new List<string>();
        using var store = IssuedCertificateStore.Open(_vault, request.Issuer);
        var serial = SerialOf(request, store.Ca);
        RequireRevocable(store, serial);
        store.Release(serial);
        MarkVaultEntries(store.Ca, serial, revoked: false, DateTimeOffset.UtcNow, warnings);
        return new PkiResult<IssuedCertificateRecord?>(store.Find(serial), warnings);
    }

    /// <summary>
    /// A rotating CA's server certificate is not revoked one by one (it carries no CDP): named through its generation, or
    /// through the vault CA above it (which has no record of the serial), it is <c>RotatingCaHasNoCrl</c> saying what to revoke.
    /// </summary>
    private static void RequireRevocable(IssuedCertificateStore store, byte[] serial)
    {
        if (store.Ca.IsRotating)
            throw store.Ca.RotatingHasNoCrl("revoke the certificates it signed one by one");
        // A CA that never rotated (no generation folder) costs nothing more here: no extra lookup per revocation.
        var generations = store.Ca.RotatingGenerations();
        if (generations.Count == 0 || store.Find(serial) is not null)
            return;
        foreach (var generation in generations)
        {
            using var below = generation.OpenStore();
            if (below.Find(serial) is not null)
                throw generation.RotatingHasNoCrl($"revoke serial {SerialNumbers.ToHex(serial)}, which it signed,");
        }
    }

    private static byte[] SerialOf(RevokeRequest request, CertificateAuthority ca)
    {
        if (request.Certificate is { } cert)
        {
            if (!IssuedCertificateStore.IssuedBy(cert, ca.Certificate))
                throw new PkiException(PkiErrorIds.NotIssuedByCa, PkiErrorCategory.InvalidArgument,
                    $"The certificate '{cert.Subject}' was issued by '{cert.Issuer}', not by '{ca.Name}' ({ca.Certificate.Subject}). Pass the CA that issued it as -Issuer.", cert.Subject);
            return SerialNumbers.Normalize(cert.SerialNumberBytes.Span);
        }
        if (string.IsNullOrWhiteSpace(request.SerialNumber))
            throw new PkiException(PkiErrorIds.RevocationTargetRequired, PkiErrorCategory.InvalidArgument,
                "Name the certificate to revoke: pass -SerialNumber, or -Certificate (a file, an X509Certificate2, or objects from Get-IssuedCertificate).", null);
        return SerialNumbers.Parse(request.SerialNumber);
    }

    private void MarkVaultEntries(CertificateAuthority ca, byte[] serial, bool revoked, DateTimeOffset now, List<string> warnings)
    {
        bool Matches(string? pem)
        {
            if (pem is null)
                return false;
            var cert = CertificateReader.ReadSingle(Encoding.ASCII.GetBytes(pem), "vault entry");
            return IssuedCertificateStore.IssuedBy(cert, ca.Certificate)
                && SerialNumbers.Normalize(cert.SerialNumberBytes.Span).AsSpan().SequenceEqual(serial);
        }

        // The CA's own certificate may be a vault entry of any kind: each kind marks (or unmarks) its entries.
        foreach (var kind in CaKind.All)
            warnings.AddRange(kind.MarkRevoked(_vault, Matches, revoked, now, () => _vault.Lock()));
    }

    /// <summary>
    /// Sets the CRL distribution points and/or AIA caIssuers URLs a vault CA embeds in what it issues from now on
    /// (null leaves a list as it is; an empty list clears it).
    /// </summary>
    public PkiResult<string> SetUrls(string caName, IReadOnlyList<string>? crlDistributionPoints, IReadOnlyList<string>? authorityInfoAccess, string? collection = null)
    {
        var cdps = crlDistributionPoints is null ? null : CaUrls.Validate(crlDistributionPoints, aia: false);
        var aia = authorityInfoAccess is null ? null : CaUrls.Validate(authorityInfoAccess, aia: true);
        string stored;
        bool hadCdps;
        using (_vault.Lock())
        {
            // One kind when the caller says which (Set-EnrollmentCertificate, Set-IntermediateCertificate); else the name
            // (or kind/name) must name one CA: a bare name two kinds share is AmbiguousIssuer, never a silent pick.
            var (kind, name) = collection is not null
                ? (CaKind.FromCollection(collection) ?? throw new ArgumentOutOfRangeException(nameof(collection), collection, null), caName)
                : new CaDirectory(_vault).Locate(caName);
            (stored, hadCdps) = kind.SetUrls(_vault, name, cdps, aia, DateTimeOffset.UtcNow) ?? throw Vault.NotFound(kind.Collection, caName);
        }
        var warnings = new List<string>();
        // Only certificates issued under earlier CDPs need those kept served; a CA that had none has nothing to keep.
        if (cdps is not null && hadCdps)
            warnings.Add($"Certificates '{stored}' issued before now keep their old CRL distribution points; keep publishing its CRL there too until they expire.");
        return new PkiResult<string>(stored, warnings);
    }
}
