using System.Collections.Concurrent;

namespace ZscalerPki.Core.Inspection;

/// <summary>The key choice of a forged certificate: algorithm, and whether the one shared key is used.</summary>
public readonly record struct KeyChoice(InspectionKeyAlgorithm Algorithm, bool Reuse)
{
    public override string ToString() => Reuse ? $"{Algorithm}/shared" : $"{Algorithm}/per-site";
}

/// <summary>
/// Forged certificates by (issuer, key choice, name set), in memory. A hit is a dictionary lookup: no signature, no parsing.
/// An entry is returned until <see cref="ForgedCertificate.RenewAfter"/>; a different issuer (re-issued, rotated or
/// another CA) is a different key, so it never returns a certificate from the old one. Lock-free: forging happens outside
/// the dictionary and the result is published with one store, so no lock is ever held across a signature.
/// </summary>
public sealed class ForgeCache
{
    /// <summary>Bound on entries per cache; beyond it entries past renewal are dropped, then the oldest half.</summary>
    public const int MaxEntries = 200_000;

    private readonly ConcurrentDictionary<string, ForgedCertificate> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public static string KeyOf(string issuerId, KeyChoice choice, SiteProfile site) =>
        string.Concat(issuerId, choice.Reuse ? "|s|" : "|p|", choice.Algorithm == InspectionKeyAlgorithm.Rsa2048 ? "r|" : "e|", site.NameKey);

    public bool TryGet(string key, DateTimeOffset now, out ForgedCertificate forged)
    {
        if (_entries.TryGetValue(key, out forged!) && now < forged.RenewAfter && now >= forged.NotBefore - TimeSpan.FromDays(1))
            return true;
        forged = null!;
        return false;
    }

    public void Put(string key, ForgedCertificate forged)
    {
        if (_entries.Count >= MaxEntries)
            Trim(DateTimeOffset.UtcNow);
        _entries[key] = forged;
    }

    public bool Remove(string key) => _entries.TryRemove(key, out _);

    /// <summary>Forgets every entry signed by the issuer with this id.</summary>
    public void RemoveIssuer(string issuerId)
    {
        foreach (var k in _entries.Keys)
        {
            if (k.StartsWith(issuerId + "|", StringComparison.Ordinal))
                _entries.TryRemove(k, out _);
        }
    }

    public void Clear() => _entries.Clear();

    private void Trim(DateTimeOffset now)
    {
        foreach (var (k, v) in _entries)
        {
            if (v.RenewAfter <= now)
                _entries.TryRemove(k, out _);
        }
        if (_entries.Count < MaxEntries)
            return;
        foreach (var (k, _) in _entries.OrderBy(e => e.Value.NotBefore).Take(_entries.Count / 2).ToList())
            _entries.TryRemove(k, out _);
    }
}

/// <summary>
/// Forging with a cache, for one issuer: the engine under New-InspectionCertificate and the benchmark. Thread-safe.
/// With key reuse all sites share one key per algorithm (created once); otherwise each site gets a fresh key.
/// </summary>
public sealed class Forger
{
    private readonly ForgeCache _cache;
    private readonly Lazy<LeafKey> _sharedEc;
    private readonly Lazy<LeafKey> _sharedRsa;

    public Forger(ForgingIssuer issuer, ForgeOptions? options = null, ForgeCache? cache = null,
        Func<InspectionKeyAlgorithm, LeafKey>? sharedKeyFactory = null)
    {
        Issuer = issuer;
        Options = options ?? new ForgeOptions();
        _cache = cache ?? new ForgeCache();
        var factory = sharedKeyFactory ?? (a => LeafKey.Generate(a, shared: true));
        _sharedEc = new Lazy<LeafKey>(() => factory(InspectionKeyAlgorithm.EcdsaP256), LazyThreadSafetyMode.ExecutionAndPublication);
        _sharedRsa = new Lazy<LeafKey>(() => factory(InspectionKeyAlgorithm.Rsa2048), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public ForgingIssuer Issuer { get; }
    public ForgeOptions Options { get; }
    public ForgeCache Cache => _cache;

    public LeafKey SharedKey(InspectionKeyAlgorithm algorithm) =>
        algorithm == InspectionKeyAlgorithm.Rsa2048 ? _sharedRsa.Value : _sharedEc.Value;

    /// <summary>The cached certificate for the site, or a new one (<paramref name="force"/>: always new).</summary>
    public (ForgedCertificate Certificate, bool FromCache) Get(SiteProfile site, KeyChoice choice, DateTimeOffset now, bool force = false)
    {
        var key = ForgeCache.KeyOf(Issuer.Id, choice, site);
        if (!force && _cache.TryGet(key, now, out var hit))
            return (hit, true);
        var forged = ForgeNew(site, choice, now);
        _cache.Put(key, forged);
        return (forged, false);
    }

    /// <summary>Cache lookup only (what a hit costs).</summary>
    public bool TryGetCached(SiteProfile site, KeyChoice choice, DateTimeOffset now, out ForgedCertificate forged) =>
        _cache.TryGet(ForgeCache.KeyOf(Issuer.Id, choice, site), now, out forged);

    public ForgedCertificate ForgeNew(SiteProfile site, KeyChoice choice, DateTimeOffset now)
    {
        var leafKey = choice.Reuse ? SharedKey(choice.Algorithm) : LeafKey.Generate(choice.Algorithm);
        return CertificateForger.Forge(Issuer, site, leafKey, Options, now);
    }

    /// <summary>Puts a certificate read back from the vault into the memory cache.</summary>
    public void Remember(ForgedCertificate forged, KeyChoice choice) =>
        _cache.Put(ForgeCache.KeyOf(Issuer.Id, choice, forged.Site), forged);
}
