using ZscalerPki.Core.Authority;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Revocation;

/// <summary>Revoking and restoring certificates of vault CAs, and listing what they issued.</summary>
public sealed class RevocationService
{
    private readonly Vault _vault;

    public RevocationService(Vault vault) => _vault = vault;

    /// <summary>Rows of a CA's issued-certificate database matching <paramref name="query"/>, streamed.</summary>
    public IEnumerable<IssuedCertificateRecord> Get(string issuer, IssuedCertificateQuery query)
    {
        using var store = IssuedCertificateStore.Open(_vault, issuer);
        foreach (var record in store.Query(query))
            yield return record;
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
        var now = DateTimeOffset.UtcNow;
        var at = CrlEncoder.Whole(request.RevocationDate ?? now);
        if (request.InvalidityDate is { } inv && inv > at)
            warnings.Add($"The invalidity date {inv.UtcDateTime:u} is after the revocation date {at.UtcDateTime:u}; RFC 5280 means it as the time the key was (suspected) compromised, which is normally earlier.");
        var outcome = store.Revoke(serial, request.Reason, at, request.InvalidityDate is { } i ? CrlEncoder.Whole(i) : null, request.Force);
        if (!outcome.Known)
            warnings.Add($"'{store.Ca.Name}' has no record of serial {SerialNumbers.ToHex(serial)}; it was revoked anyway (-AllowUnknownSerial) and will be listed in its CRLs.");
        MarkVaultEntries(store.Ca, serial, revoked: true, now, warnings);
        return new PkiResult<IssuedCertificateRecord?>(store.Find(serial), warnings);
    }

    /// <summary>Lifts a certificateHold; a vault entry marked Revoked by the hold is marked as before.</summary>
    public PkiResult<IssuedCertificateRecord?> Restore(RevokeRequest request)
    {
        var warnings = new List<string>();
        using var store = IssuedCertificateStore.Open(_vault, request.Issuer);
        var serial = SerialOf(request, store.Ca);
        store.Release(serial);
        MarkVaultEntries(store.Ca, serial, revoked: false, DateTimeOffset.UtcNow, warnings);
        return new PkiResult<IssuedCertificateRecord?>(store.Find(serial), warnings);
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

        // Most revoked certificates are not CAs in the vault: look first without the vault lock, and lock only to change entries.
        if (!_vault.ReadAll<EnrollmentEntry>(Collections.Enrollment).Any(e => Matches(e.CertificatePem))
            && !_vault.ReadAll<IntermediateEntry>(Collections.Intermediate).Any(i => Matches(i.CertificatePem)))
            return;
        using (_vault.Lock())
        {
            foreach (var e in _vault.ReadAll<EnrollmentEntry>(Collections.Enrollment))
            {
                if (!Matches(e.CertificatePem) || (e.Status == EnrollmentStatus.Revoked) == revoked)
                    continue;
                if (revoked)
                {
                    _vault.Update(Collections.Enrollment, e.Name, e with { Status = EnrollmentStatus.Revoked, RevokedUtc = now, StatusBeforeRevocation = e.Status });
                    warnings.Add($"The enrollment CA '{e.Name}' in the vault is this certificate; it is now marked Revoked{(e.Status == EnrollmentStatus.Active ? " (it was Active: certificates it issues will fail revocation checks)" : string.Empty)}.");
                }
                else
                {
                    _vault.Update(Collections.Enrollment, e.Name, e with { Status = e.StatusBeforeRevocation ?? EnrollmentStatus.Active, RevokedUtc = null, StatusBeforeRevocation = null });
                    warnings.Add($"The enrollment CA '{e.Name}' in the vault is no longer marked Revoked.");
                }
            }
            foreach (var i in _vault.ReadAll<IntermediateEntry>(Collections.Intermediate))
            {
                if (!Matches(i.CertificatePem) || (i.RevokedUtc is not null) == revoked)
                    continue;
                if (revoked)
                {
                    _vault.Update(Collections.Intermediate, i.Name, i with { RevokedUtc = now, Status = IntermediateStatus.Disabled, IsDefault = false, ModifiedUtc = now });
                    if (i.IsDefault || i.Status == IntermediateStatus.Enabled)
                        warnings.Add($"The SSL-inspection intermediate '{i.Name}' was {(i.IsDefault ? "the default and " : string.Empty)}{(i.Status == IntermediateStatus.Enabled ? "enabled" : "disabled")}; it is now marked Revoked, disabled{(i.IsDefault ? " and no longer the default" : string.Empty)}. Enable another intermediate (Set-IntermediateCertificate -Enabled -Default) before clients see the CRL.");
                    else
                        warnings.Add($"The SSL-inspection intermediate '{i.Name}' is now marked Revoked.");
                }
                else
                {
                    _vault.Update(Collections.Intermediate, i.Name, i with { RevokedUtc = null, ModifiedUtc = now });
                    warnings.Add($"The SSL-inspection intermediate '{i.Name}' is no longer marked Revoked; it stays disabled until you enable it (Set-IntermediateCertificate -Enabled).");
                }
            }
        }
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
        var hadCdps = false;
        using (_vault.Lock())
        {
            if (collection != Collections.Intermediate && _vault.TryRead<EnrollmentEntry>(Collections.Enrollment, caName) is { } e)
            {
                stored = e.Name;
                hadCdps = e.CrlDistributionPoints is { Count: > 0 };
                _vault.Update(Collections.Enrollment, e.Name, e with { CrlDistributionPoints = cdps ?? e.CrlDistributionPoints, AuthorityInfoAccess = aia ?? e.AuthorityInfoAccess });
            }
            else if (collection != Collections.Enrollment && _vault.TryRead<IntermediateEntry>(Collections.Intermediate, caName) is { } i)
            {
                stored = i.Name;
                hadCdps = i.CrlDistributionPoints is { Count: > 0 };
                _vault.Update(Collections.Intermediate, i.Name, i with { CrlDistributionPoints = cdps ?? i.CrlDistributionPoints, AuthorityInfoAccess = aia ?? i.AuthorityInfoAccess, ModifiedUtc = DateTimeOffset.UtcNow });
            }
            else
                throw Vault.NotFound(collection ?? Collections.Enrollment, caName);
        }
        var warnings = new List<string>();
        // Only certificates issued under earlier CDPs need those kept served; a CA that had none has nothing to keep.
        if (cdps is not null && hadCdps)
            warnings.Add($"Certificates '{stored}' issued before now keep their old CRL distribution points; keep publishing its CRL there too until they expire.");
        return new PkiResult<string>(stored, warnings);
    }
}
