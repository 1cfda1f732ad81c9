using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Intermediate;

/// <summary>The vault as Get-PkiVault shows it.</summary>
public sealed class PkiVaultInfo
{
    internal PkiVaultInfo(string path, VaultSettings settings, int intermediates, int enabled, int enrollment, string? defaultIntermediate,
        IReadOnlyList<string> storeProblems)
    {
        StoreProblems = storeProblems;
        StoreHealth = storeProblems.Count == 0 ? "OK" : $"{storeProblems.Count} damaged or unusable issued-certificate database(s): see StoreProblems";
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
    /// <summary>"OK" when every vault CA's issued-certificate database opens and passes SQLite's quick_check.</summary>
    public string StoreHealth { get; }
    /// <summary>One line per database that does not: the CA, the file, the error and what to do.</summary>
    public IReadOnlyList<string> StoreProblems { get; }

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
            intermediates.FirstOrDefault(e => e.IsDefault)?.Name, StoreProblems(intermediates));
    }

    /// <summary>
    /// Checks each vault CA's issued.db (schema and <c>PRAGMA quick_check</c>, which reads the whole file: about 0.3 s per
    /// million revocations), so damage shows before a Publish-Crl refuses it. A CA without a database yet is fine.
    /// </summary>
    private IReadOnlyList<string> StoreProblems(IReadOnlyList<IntermediateEntry> intermediates)
    {
        var problems = new List<string>();
        var names = _vault.Names(Collections.Enrollment).Concat(intermediates.Where(i => i.CertificatePem is not null).Select(i => i.Name));
        foreach (var name in names.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            try
            {
                using var store = IssuedCertificateStore.Open(_vault, name);
                if (store.CheckHealth() is { } problem)
                    problems.Add($"{store.Ca.Name}: {problem}");
            }
            catch (PkiException ex)
            {
                problems.Add($"{name}: {ex.ErrorId}: {ex.Message}"); // the entry itself is unreadable
            }
        }
        return problems;
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
