using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Intermediate;

/// <summary>The vault as Get-PkiVault shows it.</summary>
public sealed class PkiVaultInfo
{
    internal PkiVaultInfo(string path, VaultSettings settings, int intermediates, int enabled, int enrollment, string? defaultIntermediate)
    {
        Path = path;
        Subscription = settings.Subscription;
        var limits = IntermediateLimits.For(settings.Subscription);
        MaxIntermediates = limits.MaxIntermediates;
        MaxEnabledIntermediates = limits.MaxEnabled;
        Intermediates = intermediates;
        EnabledIntermediates = enabled;
        EnrollmentCertificates = enrollment;
        DefaultIntermediate = defaultIntermediate;
        FormatVersion = settings.FormatVersion;
    }

    public string Path { get; }
    public Subscription Subscription { get; }
    public int MaxIntermediates { get; }
    public int MaxEnabledIntermediates { get; }
    public int Intermediates { get; }
    public int EnabledIntermediates { get; }
    public int EnrollmentCertificates { get; }
    /// <summary>Name of the default intermediate; null when Zscaler's own intermediate is the default.</summary>
    public string? DefaultIntermediate { get; }
    public int FormatVersion { get; }

    public override string ToString() => Path;
}

/// <summary>Vault-level settings: the subscription that sets the intermediate limits.</summary>
public sealed class PkiVaultService
{
    private readonly Vault _vault;

    public PkiVaultService(Vault vault) => _vault = vault;

    public PkiVaultInfo Get()
    {
        var intermediates = _vault.ReadAll<IntermediateEntry>(Collections.Intermediate);
        return new PkiVaultInfo(_vault.Root, _vault.ReadSettings(), intermediates.Count,
            intermediates.Count(e => e.Status == IntermediateStatus.Enabled),
            _vault.Names(Collections.Enrollment).Count,
            intermediates.FirstOrDefault(e => e.IsDefault)?.Name);
    }

    /// <summary>
    /// Changes the subscription. A downgrade that the existing intermediates exceed is refused with
    /// <c>SubscriptionLimitExceeded</c>, naming the limit, and nothing changes.
    /// </summary>
    public PkiVaultInfo SetSubscription(Subscription subscription)
    {
        using (_vault.Lock())
        {
            var intermediates = _vault.ReadAll<IntermediateEntry>(Collections.Intermediate);
            var limits = IntermediateLimits.For(subscription);
            var enabled = intermediates.Where(e => e.Status == IntermediateStatus.Enabled).Select(e => e.Name).ToList();
            if (intermediates.Count > limits.MaxIntermediates)
                throw new PkiException(PkiErrorIds.SubscriptionLimitExceeded, PkiErrorCategory.LimitsExceeded,
                    $"The subscription {subscription} allows at most {limits.MaxIntermediates} intermediate certificates, but the vault holds {intermediates.Count} ({string.Join(", ", intermediates.Select(e => $"'{e.Name}'"))}). Remove {intermediates.Count - limits.MaxIntermediates} with Remove-IntermediateCertificate first.", subscription);
            if (enabled.Count > limits.MaxEnabled)
                throw new PkiException(PkiErrorIds.SubscriptionLimitExceeded, PkiErrorCategory.LimitsExceeded,
                    $"The subscription {subscription} allows at most {limits.MaxEnabled} enabled intermediate certificate(s), but {enabled.Count} are enabled ({string.Join(", ", enabled.Select(n => $"'{n}'"))}). Disable {enabled.Count - limits.MaxEnabled} with Set-IntermediateCertificate -Enabled:$false first.", subscription);
            _vault.WriteSettings(_vault.ReadSettings() with { Subscription = subscription });
        }
        return Get();
    }
}
