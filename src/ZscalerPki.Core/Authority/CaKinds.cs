using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Authority;

/// <summary>Root and intermediate enrollment CAs: always able to sign; their chain follows the vault's parent links.</summary>
internal sealed class EnrollmentCaKind : CaKind
{
    public override string Collection => Collections.Enrollment;

    public override string Noun => "enrollment CA";

    public override string ListCommand => "Get-EnrollmentCertificate";

    internal override CertificateAuthority? TryOpen(Vault vault, Hsm.VaultKeys keys, string name)
    {
        if (vault.TryRead<EnrollmentEntry>(Collection, name) is not { } entry)
            return null;
        var chain = ChainOf(vault, entry);
        return new CertificateAuthority(vault, keys, this, entry.Name, chain[0], chain.Skip(1).ToList(),
            entry.CrlDistributionPoints ?? new List<string>(), entry.AuthorityInfoAccess ?? new List<string>(), entry.HsmReference);
    }

    internal override IEnumerable<string> ReadyNames(Vault vault) =>
        vault.ReadAll<EnrollmentEntry>(Collection).Select(e => e.Name);

    internal override (string Name, bool HadCdps)? SetUrls(Vault vault, string name, IReadOnlyList<string>? crlDistributionPoints, IReadOnlyList<string>? authorityInfoAccess, DateTimeOffset now)
    {
        if (vault.TryRead<EnrollmentEntry>(Collection, name) is not { } e)
            return null;
        vault.Update(Collection, e.Name, e with { CrlDistributionPoints = crlDistributionPoints?.ToList() ?? e.CrlDistributionPoints, AuthorityInfoAccess = authorityInfoAccess?.ToList() ?? e.AuthorityInfoAccess });
        return (e.Name, e.CrlDistributionPoints is { Count: > 0 });
    }

    internal override IEnumerable<string> MarkRevoked(Vault vault, Func<string?, bool> isCertificate, bool revoked, DateTimeOffset now, Func<IDisposable> lockVault)
    {
        // Most revoked certificates are not CAs in the vault: look first without the vault lock, and lock only to change entries.
        if (!vault.ReadAll<EnrollmentEntry>(Collection).Any(e => isCertificate(e.CertificatePem)))
            return Array.Empty<string>();
        var said = new List<string>();
        using (lockVault())
        {
            foreach (var e in vault.ReadAll<EnrollmentEntry>(Collection))
            {
                if (!isCertificate(e.CertificatePem) || (e.Status == EnrollmentStatus.Revoked) == revoked)
                    continue;
                if (revoked)
                {
                    vault.Update(Collection, e.Name, e with { Status = EnrollmentStatus.Revoked, RevokedUtc = now, StatusBeforeRevocation = e.Status });
                    said.Add($"The enrollment CA '{e.Name}' in the vault is this certificate; it is now marked Revoked{(e.Status == EnrollmentStatus.Active ? " (it was Active: certificates it issues will fail revocation checks)" : string.Empty)}.");
                }
                else
                {
                    vault.Update(Collection, e.Name, e with { Status = e.StatusBeforeRevocation ?? EnrollmentStatus.Active, RevokedUtc = null, StatusBeforeRevocation = null });
                    said.Add($"The enrollment CA '{e.Name}' in the vault is no longer marked Revoked.");
                }
            }
        }
        return said;
    }

    /// <summary>The entry's certificate, then its parents up to a root (or an external parent, which ends the chain).</summary>
    internal static IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> ChainOf(Vault vault, EnrollmentEntry entry)
    {
        var chain = new List<System.Security.Cryptography.X509Certificates.X509Certificate2>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var current = entry;
        while (true)
        {
            chain.Add(CertificateReader.ReadSingle(Encoding.ASCII.GetBytes(current.CertificatePem), $"vault entry '{current.Name}'"));
            if (!seen.Add(current.Name))
                break;
            if (current.ExternalParentPem is { } external)
            {
                chain.Add(CertificateReader.ReadSingle(Encoding.ASCII.GetBytes(external), $"the parent of '{current.Name}'"));
                break;
            }
            if (current.Parent is null)
                break;
            current = vault.TryRead<EnrollmentEntry>(Collections.Enrollment, current.Parent)
                ?? throw new PkiException(PkiErrorIds.ChainIncomplete, PkiErrorCategory.ObjectNotFound,
                    $"The parent '{current.Parent}' of '{current.Name}' is no longer in the vault, so the chain cannot be completed. Export without the chain, or add the parent's certificate yourself.", current.Parent);
        }
        return chain;
    }
}

/// <summary>SSL-inspection intermediates: able to sign once their signed certificate is imported; the chain was imported with it.</summary>
internal sealed class IntermediateCaKind : CaKind
{
    public override string Collection => Collections.Intermediate;

    public override string Noun => "SSL-inspection intermediate";

    public override string ListCommand => "Get-IntermediateCertificate";

    internal override CertificateAuthority? TryOpen(Vault vault, Hsm.VaultKeys keys, string name)
    {
        if (vault.TryRead<IntermediateEntry>(Collection, name) is not { } entry)
            return null;
        if (entry.CertificatePem is null || entry.State != IntermediateState.CertReady)
            throw new PkiException(PkiErrorIds.IssuerNotReady, PkiErrorCategory.InvalidOperation,
                $"The SSL-inspection intermediate '{entry.Name}' has no signed certificate yet (state {entry.State}), so it cannot sign and has issued nothing. Have its CSR signed and run Import-SignedIntermediate first.", entry.Name);
        var certificate = CertificateReader.ReadSingle(Encoding.ASCII.GetBytes(entry.CertificatePem), $"vault entry '{entry.Name}'");
        var issuers = entry.ChainPem is null ? Array.Empty<System.Security.Cryptography.X509Certificates.X509Certificate2>() : CertificateReader.ReadText(entry.ChainPem);
        return new CertificateAuthority(vault, keys, this, entry.Name, certificate, issuers,
            entry.CrlDistributionPoints ?? new List<string>(), entry.AuthorityInfoAccess ?? new List<string>(), entry.HsmReference);
    }

    internal override IEnumerable<string> ReadyNames(Vault vault) =>
        vault.ReadAll<IntermediateEntry>(Collection).Where(e => e.CertificatePem is not null && e.State == IntermediateState.CertReady).Select(e => e.Name);

    internal override (string Name, bool HadCdps)? SetUrls(Vault vault, string name, IReadOnlyList<string>? crlDistributionPoints, IReadOnlyList<string>? authorityInfoAccess, DateTimeOffset now)
    {
        if (vault.TryRead<IntermediateEntry>(Collection, name) is not { } i)
            return null;
        vault.Update(Collection, i.Name, i with { CrlDistributionPoints = crlDistributionPoints?.ToList() ?? i.CrlDistributionPoints, AuthorityInfoAccess = authorityInfoAccess?.ToList() ?? i.AuthorityInfoAccess, ModifiedUtc = now });
        return (i.Name, i.CrlDistributionPoints is { Count: > 0 });
    }

    internal override IEnumerable<string> MarkRevoked(Vault vault, Func<string?, bool> isCertificate, bool revoked, DateTimeOffset now, Func<IDisposable> lockVault)
    {
        if (!vault.ReadAll<IntermediateEntry>(Collection).Any(i => isCertificate(i.CertificatePem)))
            return Array.Empty<string>();
        var said = new List<string>();
        using (lockVault())
        {
            foreach (var i in vault.ReadAll<IntermediateEntry>(Collection))
            {
                if (!isCertificate(i.CertificatePem) || (i.RevokedUtc is not null) == revoked)
                    continue;
                if (revoked)
                {
                    vault.Update(Collection, i.Name, i with { RevokedUtc = now, Status = IntermediateStatus.Disabled, IsDefault = false, ModifiedUtc = now });
                    if (i.IsDefault || i.Status == IntermediateStatus.Enabled)
                        said.Add($"The SSL-inspection intermediate '{i.Name}' was {(i.IsDefault ? "the default and " : string.Empty)}{(i.Status == IntermediateStatus.Enabled ? "enabled" : "disabled")}; it is now marked Revoked, disabled{(i.IsDefault ? " and no longer the default" : string.Empty)}. Enable another intermediate (Set-IntermediateCertificate -Enabled -Default) before clients see the CRL.");
                    else
                        said.Add($"The SSL-inspection intermediate '{i.Name}' is now marked Revoked.");
                }
                else
                {
                    vault.Update(Collection, i.Name, i with { RevokedUtc = null, ModifiedUtc = now });
                    said.Add($"The SSL-inspection intermediate '{i.Name}' is no longer marked Revoked; it stays disabled until you enable it (Set-IntermediateCertificate -Enabled).");
                }
            }
        }
        return said;
    }

    /// <summary>The default intermediate that may sign now: enabled, ready, default.</summary>
    internal static string? DefaultName(Vault vault) =>
        vault.ReadAll<IntermediateEntry>(Collections.Intermediate)
            .FirstOrDefault(e => e.IsDefault && e.Status == IntermediateStatus.Enabled && e.State == IntermediateState.CertReady)?.Name;
}
