using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Inspection;

/// <summary>
/// New-InspectionCertificate's engine: resolves the issuer (the vault's default SSL-inspection intermediate, a named vault
/// CA, or a CA certificate with its key), opens it once per process, optionally puts the rotating "(t)" CA in front, and
/// returns the site's certificate from the memory cache, else from the vault's cache, else forges, persists and records it.
/// </summary>
public sealed class InspectionService
{
    private static readonly ConcurrentDictionary<string, OpenedIssuer> Opened = new(StringComparer.Ordinal);
    private static readonly byte[] ProcessSecret = RandomNumberGenerator.GetBytes(32);

    private readonly Vault _vault;
    private readonly IIssuerPublicationSource _publication;
    private readonly IIssuanceRecorder _recorder;
    private readonly Hsm.VaultKeys _keys;

    public InspectionService(Vault vault, IIssuerPublicationSource? publication = null, IIssuanceRecorder? recorder = null, Hsm.HsmKeyFactory? hsm = null)
    {
        _vault = vault;
        _keys = new Hsm.VaultKeys(hsm ?? Hsm.HsmKeyFactory.Production);
        _publication = publication ?? InspectionHooks.PublicationFor(vault);
        _recorder = recorder ?? InspectionHooks.RecorderFor(vault);
    }

    public Vault Vault => _vault;

    /// <summary>
    /// Collect new cache entries and write them in batches under one vault lock (<see cref="Flush"/>, or every
    /// <see cref="BatchSize"/> entries) instead of one lock per certificate. The cmdlet defers and flushes in its End block.
    /// </summary>
    public bool DeferPersistence { get; init; }

    public const int BatchSize = 256;

    private readonly List<(InspectionStore Store, PersistedForgery Entry)> _pending = new();

    /// <summary>Writes the deferred cache entries (one vault lock per issuer).</summary>
    public void Flush()
    {
        List<(InspectionStore Store, PersistedForgery Entry)> batch;
        lock (_pending)
        {
            batch = _pending.ToList();
            _pending.Clear();
        }
        foreach (var group in batch.GroupBy(b => b.Store))
        {
            using (group.Key.Lock())
            {
                foreach (var (store, entry) in group)
                    store.WriteForgery(entry);
                group.Key.Prune(DateTimeOffset.UtcNow);
            }
        }
    }

    /// <summary>Forgets every opened issuer and cached certificate of this process (tests; a new session starts like this).</summary>
    public static void ResetProcessState()
    {
        foreach (var o in Opened.Values)
            o.Dispose();
        Opened.Clear();
        ForgeCache.Shared.Clear();
    }

    public PkiResult<InspectionCertificate> Forge(ForgeRequest request) => Forge(request, reopened: false);

    private PkiResult<InspectionCertificate> Forge(ForgeRequest request, bool reopened)
    {
        var warnings = new List<string>();
        var now = request.Now ?? DateTimeOffset.UtcNow;
        if (request.MaxValidity < TimeSpan.FromHours(1) || request.MaxValidity > TimeSpan.FromDays(3650))
            throw new PkiException(PkiErrorIds.InvalidValidity, PkiErrorCategory.InvalidArgument,
                $"The maximum validity {request.MaxValidity} is out of range. Pass between 1 hour and 3650 days (default 397, the browsers' limit).", request.MaxValidity);
        if (request.RotatingIssuer)
            RotatingIssuerService.CheckPeriod(request.RotationPeriod);

        var opened = Open(request);
        var forger = opened.ForgerFor(request, now, _publication, _recorder, warnings);
        var choice = new KeyChoice(request.KeyAlgorithm, request.KeyReuse);
        var cacheKey = ForgeCache.KeyOf(forger.Issuer.Id, choice, request.Site);

        ForgedCertificate? result = null;
        var fromCache = false;
        if (!request.Force && forger.Cache.TryGet(cacheKey, now, out var hit))
        {
            (result, fromCache) = (hit, true);
        }
        else if (!request.Force && opened.Store is { } store && store.ReadForgery(cacheKey) is { } persisted
                 && persisted.IssuerId == forger.Issuer.Id && now < persisted.RenewAfter)
        {
            result = Restore(persisted, forger, store, request.Site, choice);
            forger.Remember(result, choice);
            fromCache = true;
        }
        if (result is null)
        {
            try
            {
                result = forger.ForgeNew(request.Site, choice, now);
            }
            catch (CryptographicException) when (opened.InHsm && !reopened && Evict(opened))
            {
                // The HSM key behind an open of an earlier call went away (deleted, token removed): opening it again names
                // what happened (HsmKeyNotFound, HsmTokenNotFound, HsmPinIncorrect), or signs if it is back.
                return Forge(request, reopened: true);
            }
            forger.Remember(result, choice);
            if (opened.Store is { } s)
                Persist(s, cacheKey, result, now);
            if (_pending.Count >= BatchSize)
                Flush();
            _recorder.Record(new IssuanceRecord
            {
                Issuer = opened.ReferenceFor(forger.Issuer.Certificate),
                Kind = "ServerCertificate",
                CertificateDer = result.Der,
                SerialNumber = result.SerialHex,
                Subject = new X500DistinguishedName(request.Site.SubjectDer).Name,
                Names = request.Site.DnsNames.Concat(request.Site.IPAddresses.Select(i => i.ToString())).ToList(),
                NotBefore = result.NotBefore,
                NotAfter = result.NotAfter,
            });
            if (result.NotAfter - result.NotBefore < TimeSpan.FromDays(2))
                warnings.Add($"The certificate for {request.Site.DisplayName} is valid only until {result.NotAfter.UtcDateTime:u}, because {(request.Site.OriginNotAfter == result.NotAfter ? "the origin certificate expires then" : "its issuer expires then")}.");
            else if (forger.Issuer.NotAfter == result.NotAfter && request.Site.OriginNotAfter is { } ona && ona > result.NotAfter)
                warnings.Add($"The certificate for {request.Site.DisplayName} ends on {result.NotAfter.UtcDateTime:u} with its issuer, before the origin certificate ({ona.UtcDateTime:u}). Renew the issuer to forge longer-lived certificates.");
        }
        return new PkiResult<InspectionCertificate>(
            new InspectionCertificate(result, fromCache, request.IncludePrivateKey, opened.Name, opened.Collection is null ? null : _vault.Root), warnings);
    }

    private static ForgedCertificate Restore(PersistedForgery p, Forger forger, InspectionStore store, SiteProfile site, KeyChoice choice)
    {
        LeafKey key;
        if (p.SharedKey)
        {
            key = forger.SharedKey(choice.Algorithm);
        }
        else
        {
            var pkcs8 = store.Unseal(p.SealedKey ?? string.Empty, "leaf/" + p.CacheKey);
            key = LeafKey.FromPkcs8(pkcs8, p.KeyAlgorithm, shared: false);
            CryptographicOperations.ZeroMemory(pkcs8);
        }
        var der = Convert.FromBase64String(p.CertificateDer);
#pragma warning disable SYSLIB0057
        using var parsed = new X509Certificate2(der);
#pragma warning restore SYSLIB0057
        var serial = parsed.SerialNumberBytes.ToArray(); // big-endian, as in the DER
        return new ForgedCertificate(der, key, forger.Issuer, site, p.NotBefore, p.NotAfter, serial);
    }

    private void Persist(InspectionStore store, string cacheKey, ForgedCertificate forged, DateTimeOffset now)
    {
        string? sealedKey = null;
        if (!forged.Key.Shared)
        {
            var pkcs8 = forged.Key.Key.ExportPkcs8PrivateKey();
            sealedKey = store.Seal(pkcs8, "leaf/" + cacheKey);
            CryptographicOperations.ZeroMemory(pkcs8);
        }
        var entry = new PersistedForgery
        {
            CacheKey = cacheKey,
            IssuerId = forged.Issuer.Id,
            CertificateDer = Convert.ToBase64String(forged.Der),
            KeyAlgorithm = forged.Key.Algorithm,
            SharedKey = forged.Key.Shared,
            SealedKey = sealedKey,
            NotBefore = forged.NotBefore,
            NotAfter = forged.NotAfter,
            RenewAfter = forged.RenewAfter,
            CreatedUtc = now,
        };
        lock (_pending)
            _pending.Add((store, entry));
        if (!DeferPersistence)
            Flush();
    }

    // ---------------------------------------------------------------- issuer resolution

    private static bool Evict(OpenedIssuer opened)
    {
        var removed = false;
        foreach (var pair in Opened.Where(p => ReferenceEquals(p.Value, opened)).ToList())
            removed |= Opened.TryRemove(pair);
        if (removed)
            opened.Dispose();
        return removed;
    }

    private OpenedIssuer Open(ForgeRequest request)
    {
        if (request.IssuerCertificate is { } external)
        {
            var label = $"'{external.Subject}' ({external.Thumbprint})";
            ForgingIssuer.RequireCa(external, label);
            var key = Keys.PrivateKeyOf(external) ?? throw new PkiException(PkiErrorIds.ParentHasNoPrivateKey, PkiErrorCategory.InvalidArgument,
                $"The issuer certificate {label} has no private key available to this session, so it cannot sign. Pass the store certificate that holds its key, a PFX, or a vault CA name.", external);
            var id = "ext|" + external.GetCertHashString(HashAlgorithmName.SHA256);
            return Opened.GetOrAdd(id, _ => new OpenedIssuer(null, null, external, key, Array.Empty<X509Certificate2>(), null, label));
        }

        KeyProtection.RequirePassword(request.IssuerKeyPassword.Span, request.Issuer, "the issuer's key password, or the PIN of the HSM that holds its key (-IssuerKeyPassword)");
        var (collection, name, cert, chain) = ResolveVaultIssuer(request.Issuer);
        var issuerLabel = $"'{name}'";
        ForgingIssuer.RequireCa(cert, issuerLabel);
        var fingerprint = Convert.ToHexString(HMACSHA256.HashData(ProcessSecret, Encoding.UTF8.GetBytes(request.IssuerKeyPassword.ToArray())));
        var cacheId = string.Join("|", _vault.Root, collection, name, cert.Thumbprint, fingerprint);
        if (Opened.TryGetValue(cacheId, out var existing))
            return existing;
        var issuerKey = _keys.Open(_vault, collection, name, cert.PublicKey, request.IssuerKeyPassword.Span, out var inHsm);
        // The cache's sealing key derives from the issuer's key: its PKCS#8, or for a key that never leaves an HSM a secret
        // only that key can make (HsmKeys.DeterministicSecret). An HSM key that cannot make one forges from memory only.
        InspectionStore? store = null;
        var secret = !inHsm ? issuerKey.ExportPkcs8PrivateKey() : Hsm.HsmKeys.DeterministicSecret(issuerKey, "ZscalerPki inspection cache seal|" + cert.Thumbprint);
        if (secret is not null)
        {
            store = new InspectionStore(_vault, collection, name, secret);
            CryptographicOperations.ZeroMemory(secret);
        }
        var opened = new OpenedIssuer(collection, name, cert, issuerKey, chain, store, issuerLabel) { InHsm = inHsm };
        return Opened.GetOrAdd(cacheId, opened);
    }

    /// <summary>The issuer's vault entry: the default intermediate, else an intermediate by name, else an enrollment CA by name.</summary>
    private (string Collection, string Name, X509Certificate2 Certificate, IReadOnlyList<X509Certificate2> Chain) ResolveVaultIssuer(string? name)
    {
        IntermediateEntry? entry;
        if (string.IsNullOrWhiteSpace(name))
        {
            entry = _vault.ReadAll<IntermediateEntry>(Collections.Intermediate)
                .FirstOrDefault(e => e.IsDefault && e.Status == IntermediateStatus.Enabled && e.State == IntermediateState.CertReady)
                ?? throw new PkiException(PkiErrorIds.NoDefaultIntermediate, PkiErrorCategory.ObjectNotFound,
                    $"No issuer was named and the vault '{_vault.Root}' has no default SSL-inspection intermediate that is enabled and ready. Name a CA with -Issuer, or make an intermediate the default (Set-IntermediateCertificate -Default).", _vault.Root);
        }
        else
        {
            entry = _vault.TryRead<IntermediateEntry>(Collections.Intermediate, name);
        }
        if (entry is not null)
        {
            if (entry.State != IntermediateState.CertReady || entry.CertificatePem is null)
                throw new PkiException(PkiErrorIds.IntermediateNotReady, PkiErrorCategory.InvalidOperation,
                    $"'{entry.Name}' has no signed certificate yet (state {entry.State}), so it cannot sign. Have its CSR signed and run Import-SignedIntermediate first.", entry.Name);
            var cert = CertificateReader.ReadSingle(Encoding.ASCII.GetBytes(entry.CertificatePem), $"vault entry '{entry.Name}'");
            var chain = entry.ChainPem is null ? Array.Empty<X509Certificate2>() : CertificateReader.ReadText(entry.ChainPem);
            return (Collections.Intermediate, entry.Name, cert, chain);
        }
        if (_vault.TryRead<EnrollmentEntry>(Collections.Enrollment, name!) is { } ca)
        {
            var chain = new EnrollmentService(_vault).Chain(ca.Name);
            return (Collections.Enrollment, ca.Name, chain[0], chain.Skip(1).ToList());
        }
        throw new PkiException(PkiErrorIds.NotFound, PkiErrorCategory.ObjectNotFound,
            $"No SSL-inspection intermediate or enrollment CA named '{name}' is in the vault '{_vault.Root}'. Run Get-IntermediateCertificate or Get-EnrollmentCertificate to list the names.", name);
    }
}
