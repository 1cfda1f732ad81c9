using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Intermediate;

/// <summary>Set-/Remove-IntermediateCertificate: enabled and default state under the subscription's rules, and removal.</summary>
public sealed partial class IntermediateService
{
    /// <summary>
    /// Changes status, default and description under the rules: enabling respects the subscription's limit; the default
    /// must be enabled and ready, and at most one is; disabling the default clears it; an intermediate that becomes enabled
    /// and ready when there is no default becomes the default.
    /// </summary>
    public PkiResult<IntermediateCertificate> Set(SetIntermediateRequest request)
    {
        var warnings = new List<string>();
        var information = new List<string>();
        var now = request.Now ?? DateTimeOffset.UtcNow;
        using (_vault.Lock())
        {
            var all = _vault.ReadAll<IntermediateEntry>(Collections.Intermediate);
            var entry = Find(all, request.Name);
            var others = all.Where(e => e.Name != entry.Name).ToList();
            var wasEnabled = entry.Status == IntermediateStatus.Enabled;
            var enabled = request.Enabled ?? wasEnabled;
            var ready = entry.State == IntermediateState.CertReady;

            if (enabled && !wasEnabled)
            {
                var settings = _vault.ReadSettings();
                CheckEnabledLimit(all, entry.Name, settings.Subscription, IntermediateLimits.For(settings.Subscription), "keep this one disabled");
            }

            var isDefault = entry.IsDefault;
            var clearOthers = false;
            if (request.Default == true)
            {
                if (!enabled)
                    throw new PkiException(PkiErrorIds.DefaultRequiresEnabled, PkiErrorCategory.InvalidOperation,
                        $"'{entry.Name}' is disabled and a default intermediate must be enabled. Pass -Enabled together with -Default, or enable it first.", entry.Name);
                if (!ready)
                    throw new PkiException(PkiErrorIds.DefaultRequiresReady, PkiErrorCategory.InvalidOperation,
                        $"'{entry.Name}' has no validated certificate yet (state {entry.State}) and a default intermediate must be ready. Sign its CSR and run Import-SignedIntermediate first.", entry.Name);
                isDefault = true;
                clearOthers = true;
            }
            else if (request.Default == false && entry.IsDefault)
            {
                isDefault = false;
                warnings.Add($"'{entry.Name}' is no longer the default intermediate; no custom intermediate is the default now, so Zscaler's own intermediate certificate is. Make another one the default with Set-IntermediateCertificate -Default.");
            }

            if (!enabled && isDefault)
            {
                isDefault = false;
                warnings.Add($"'{entry.Name}' was the default intermediate; disabling it cleared the default, so Zscaler's own intermediate certificate is the default now. Make another enabled, ready intermediate the default with Set-IntermediateCertificate -Default.");
            }

            if (request.Default is null && enabled && !wasEnabled && ready && !isDefault && !others.Any(e => e.IsDefault))
            {
                isDefault = true;
                information.Add($"'{entry.Name}' is now the default intermediate: it is enabled and ready, and no other intermediate was the default.");
            }

            if (clearOthers)
            {
                foreach (var previous in others.Where(e => e.IsDefault))
                {
                    _vault.Update(Collections.Intermediate, previous.Name, previous with { IsDefault = false, ModifiedUtc = now });
                    information.Add($"'{previous.Name}' is no longer the default intermediate; '{entry.Name}' is.");
                }
            }

            var updated = entry with
            {
                Status = enabled ? IntermediateStatus.Enabled : IntermediateStatus.Disabled,
                IsDefault = isDefault,
                Description = request.Description ?? entry.Description,
                ModifiedUtc = now,
            };
            _vault.Update(Collections.Intermediate, entry.Name, updated);
            return new PkiResult<IntermediateCertificate>(ToObject(updated), warnings) { Information = information };
        }
    }


    /// <summary>Removes an entry and its key; removing the default clears the default (warning).</summary>
    public PkiResult<string> Remove(string name)
    {
        var warnings = new List<string>();
        string removed;
        using (_vault.Lock())
        {
            var entry = Read(name);
            _vault.Delete(Collections.Intermediate, entry.Name);
            removed = entry.Name;
            if (entry.HsmReference is { } hsm)
                warnings.Add(Hsm.VaultKeys.KeptInHsm(entry.Name, hsm));
            if (entry.IsDefault)
                warnings.Add($"'{entry.Name}' was the default intermediate; no custom intermediate is the default now, so Zscaler's own intermediate certificate is. Make another enabled, ready intermediate the default with Set-IntermediateCertificate -Default.");
        }
        return new PkiResult<string>(removed, warnings);
    }
}
