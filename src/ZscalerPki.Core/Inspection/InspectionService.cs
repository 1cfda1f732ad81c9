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
/// CA, or a CA certificate with its key), opens it once per <see cref="ForgingSession"/>, optionally puts the rotating "(t)"
/// CA in front, and returns the site's certificate from the memory cache, else from the vault's cache, else forges,
/// records and persists it.
/// </summary>
public sealed class InspectionService
{
    private readonly Vault _vault;
    private readonly ForgingSession _session;
    private readonly IIssuerPublicationSource _publication;
    private readonly IIssuanceRecorder _recorder;
    private readonly Hsm.VaultKeys _keys;

    /// <param name="vault">The vault of the issuers and of the on-disk cache.</param>
    /// <param name="session">What survives this service: opened issuers and the memory cache (the caller owns it).</param>
    /// <param name="publication">The CDP/AIA of issued certificates; default: the vault CA's stored URLs.</param>
    /// <param name="recorder">Where each signed certificate is recorded; default: the vault CA's issued-certificate database.</param>
    /// <param name="hsm">How HSM keys open; default: this system's PKCS#11 modules and key storage providers.</param>
    public InspectionService(Vault vault, ForgingSession session, IIssuerPublicationSource? publication = null, IIssuanceRecorder? recorder = null, Hsm.HsmKeyFactory? hsm = null)
    {
        _vault = vault;
        _session = session ?? throw new ArgumentNullException(nameof(session));
        _keys = new Hsm.VaultKeys(hsm ?? Hsm.HsmKeyFactory.Production);
        _publication = new PublicationPerService(publication ?? new StoredCaPublication(vault));
        _recorder = recorder ?? new IssuedCertificateRecorder(vault);
    }

    public Vault Vault => _vault;

    /// <summary>
    /// Collect new cache entries and write them in batches under one vault lock (<see cref="Flush"/>, or every
    /// <see cref="BatchSize"/> entries) instead of one lock per certificate. The cmdlet defers and flushes in its End block.
    /// </summary>
    public bool DeferPersistence { get; init; }

    public const int BatchSize = 256;

    private readonly List<(InspectionStore Store, string CacheKey, ForgedCertificate Forged, DateTimeOffset Now)> _pending = new();

    /// <summary>The batch being written in the background, if any (at most one at a time, in order).</summary>
    private Task _writing = Task.CompletedTask;

    /// <summary>
    /// Writes the deferred cache entries (one vault lock per issuer) and waits for any batch still being written; a write
    /// that failed in the background is thrown here.
    /// </summary>
    public void Flush()
    {
        var writing = StartWriting();
        writing.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Hands the pending entries to a background writer and returns at once: sealing their keys and writing their files
    /// then runs on the other core while this one signs the next sites. Nothing waits on it but <see cref="Flush"/>: the
    /// entries are a cache, and every certificate in them was recorded before it was queued.
    /// </summary>
    private Task StartWriting()
    {
        List<(InspectionStore Store, string CacheKey, ForgedCertificate Forged, DateTimeOffset Now)> batch;
        lock (_pending)
        {
            batch = _pending.ToList();
            _pending.Clear();
            var previous = _writing;
            _writing = batch.Count == 0 ? previous : previous.ContinueWith(
                done =>
                {
                    done.GetAwaiter().GetResult(); // an earlier failure stays the one reported
                    Write(batch);
                },
                CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            return _writing;
        }
    }

    private static void Write(List<(InspectionStore Store, string CacheKey, ForgedCertificate Forged, DateTimeOffset Now)> batch)
    {
        foreach (var group in batch.GroupBy(b => b.Store))
        {
            var entries = group.Select(b => Entry(b.Store, b.CacheKey, b.Forged, b.Now)).ToList();
            using (group.Key.Lock())
            {
                foreach (var entry in entries)
                    group.Key.WriteForgery(entry);
                group.Key.Prune(DateTimeOffset.UtcNow);
            }
        }
    }

    /// <summary>Forges (or finds in the cache) one site's certificate; see <see cref="ForgeMany"/>.</summary>
    public PkiResult<InspectionCertificate> Forge(ForgeRequest request)
    {
        var outcome = ForgeMany(new[] { request })[0];
        if (outcome.Error is { } error)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        return outcome.Result!;
    }

    /// <summary>
    /// Forges (or finds in the cache) the certificates of several sites. The ones newly signed are recorded in their
    /// issuer's issued-certificate database together (one transaction, one flush to disk: group commit) before any of them
    /// is cached, persisted or returned; if recording fails, each of them fails with that error and the next call forges
    /// anew. One outcome per request, in order: a failing site is its own error and the others are still delivered.
    /// </summary>
    public IReadOnlyList<ForgeOutcome> ForgeMany(IReadOnlyList<ForgeRequest> requests)
    {
        var steps = new Step?[requests.Count];
        var outcomes = new ForgeOutcome[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            try
            {
                steps[i] = Prepare(requests[i], reopened: false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                outcomes[i] = new ForgeOutcome(null, ex);
            }
        }

        // Recorded first, durably: a certificate handed out (returned, or cached and so returned later) that the
        // issued-certificate database does not know could never be listed or revoked.
        foreach (var group in Enumerable.Range(0, requests.Count).Where(i => steps[i]?.Record is not null).GroupBy(i => steps[i]!.Opened))
        {
            try
            {
                _recorder.RecordMany(group.Select(i => steps[i]!.Record!).ToList());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                foreach (var i in group)
                {
                    outcomes[i] = new ForgeOutcome(null, ex);
                    steps[i] = null;
                }
            }
        }

        for (var i = 0; i < requests.Count; i++)
        {
            if (steps[i] is not { } step)
                continue;
            if (step.Record is not null)
            {
                step.Forger.Remember(step.Result, step.Choice);
                if (step.Opened.Store is { } s)
                    Persist(s, step.CacheKey, step.Result, step.Now);
            }
            outcomes[i] = new ForgeOutcome(new PkiResult<InspectionCertificate>(
                new InspectionCertificate(step.Result, step.Record is null, requests[i].IncludePrivateKey, step.Opened.Name, step.Opened.Collection is null ? null : _vault.Root),
                step.Warnings), null);
        }
        if (!DeferPersistence)
            Flush();
        else if (_pending.Count >= BatchSize)
            StartWriting();
        return outcomes;
    }

    /// <summary>A site on its way: its certificate from the cache, or newly signed with the record still to be written.</summary>
    private sealed record Step(OpenedIssuer Opened, Forger Forger, KeyChoice Choice, string CacheKey, DateTimeOffset Now,
        ForgedCertificate Result, IssuanceRecord? Record, List<string> Warnings);

    private Step Prepare(ForgeRequest request, bool reopened)
    {
        // What the site's profile left out (public-suffix wildcards, a CN no name backs) is said on every forge, cached or not.
        var warnings = new List<string>(request.Site.Warnings);
        var now = request.Now ?? DateTimeOffset.UtcNow;
        if (request.MaxValidity is { } max && (max < TimeSpan.FromHours(1) || max > TimeSpan.FromDays(3650)))
            throw new PkiException(PkiErrorIds.InvalidValidity, PkiErrorCategory.InvalidArgument,
                $"The maximum validity {max} is out of range. Pass between 1 hour and 3650 days (default: the browsers' limit on the day, {ForgeOptions.MaximumTlsValidity(now).TotalDays:0} days now).", max);
        request = request with { MaxValidity = request.MaxValidity ?? ForgeOptions.MaximumTlsValidity(now) };
        if (request.RotatingIssuer)
            RotatingIssuerService.CheckPeriod(request.RotationPeriod);

        var opened = Open(request);
        var forger = opened.ForgerFor(request, now, _publication, _recorder, warnings);
        var choice = new KeyChoice(request.KeyAlgorithm, request.KeyReuse);
        var cacheKey = ForgeCache.KeyOf(forger.Issuer.Id, choice, request.Site);

        if (!request.Force && forger.Cache.TryGet(cacheKey, now, out var hit))
            return new Step(opened, forger, choice, cacheKey, now, hit, null, warnings);
        if (!request.Force && opened.Store is { } store && store.ReadForgery(cacheKey) is { } persisted
            && persisted.IssuerId == forger.Issuer.Id && now < persisted.RenewAfter)
        {
            var restored = Restore(persisted, forger, store, request.Site, choice);
            forger.Remember(restored, choice);
            return new Step(opened, forger, choice, cacheKey, now, restored, null, warnings);
        }

        ForgedCertificate result;
        try
        {
            result = forger.ForgeNew(request.Site, choice, now);
        }
        catch (CryptographicException) when (opened.InHsm && !reopened && _session.Evict(opened))
        {
            // The HSM key behind an open of an earlier call went away (deleted, token removed): opening it again names
            // what happened (HsmKeyNotFound, HsmTokenNotFound, HsmPinIncorrect), or signs if it is back.
            return Prepare(request, reopened: true);
        }
        var record = new IssuanceRecord
        {
            Issuer = opened.ReferenceFor(forger.Issuer.Certificate),
            Kind = "ServerCertificate",
            CertificateDer = result.Der,
            SerialNumber = result.SerialHex,
            Subject = new X500DistinguishedName(request.Site.SubjectDer).Name,
            Names = request.Site.DnsNames.Concat(request.Site.IPAddresses.Select(i => i.ToString())).ToList(),
            NotBefore = result.NotBefore,
            NotAfter = result.NotAfter,
        };
        if (result.NotAfter - result.NotBefore < TimeSpan.FromDays(2))
            warnings.Add($"The certificate for {request.Site.DisplayName} is valid only until {result.NotAfter.UtcDateTime:u}, because {(request.Site.OriginNotAfter == result.NotAfter ? "the origin certificate expires then" : "its issuer expires then")}.");
        else if (forger.Issuer.NotAfter == result.NotAfter && request.Site.OriginNotAfter is { } ona && ona > result.NotAfter)
            warnings.Add($"The certificate for {request.Site.DisplayName} ends on {result.NotAfter.UtcDateTime:u} with its issuer, before the origin certificate ({ona.UtcDateTime:u}). Renew the issuer to forge longer-lived certificates.");
        return new Step(opened, forger, choice, cacheKey, now, result, record, warnings);
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
        lock (_pending)
            _pending.Add((store, cacheKey, forged, now));
    }

    /// <summary>The cache entry of a forged certificate, its per-site key sealed under the issuer's store key.</summary>
    private static PersistedForgery Entry(InspectionStore store, string cacheKey, ForgedCertificate forged, DateTimeOffset now)
    {
        string? sealedKey = null;
        if (!forged.Key.Shared)
        {
            var pkcs8 = forged.Key.Key.ExportPkcs8PrivateKey();
            sealedKey = store.Seal(pkcs8, "leaf/" + cacheKey);
            CryptographicOperations.ZeroMemory(pkcs8);
        }
        return new PersistedForgery
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
    }

    // ---------------------------------------------------------------- issuer resolution

    private OpenedIssuer Open(ForgeRequest request)
    {
        if (request.IssuerCertificate is { } external)
        {
            var label = $"'{external.Subject}' ({external.Thumbprint})";
            ForgingIssuer.RequireCa(external, label);
            var key = Keys.PrivateKeyOf(external) ?? throw new PkiException(PkiErrorIds.ParentHasNoPrivateKey, PkiErrorCategory.InvalidArgument,
                $"The issuer certificate {label} has no private key available to this session, so it cannot sign. Pass the store certificate that holds its key, a PFX, or a vault CA name.", external);
            var id = "ext|" + external.GetCertHashString(HashAlgorithmName.SHA256);
            return _session.GetOrAddOpened(id, _ => new OpenedIssuer(null, null, external, key, Array.Empty<X509Certificate2>(), null, label, _session.Cache));
        }

        KeyProtection.RequirePassword(request.IssuerKeyPassword.Span, request.Issuer, "the issuer's key password, or the PIN of the HSM that holds its key (-IssuerKeyPassword)");
        var ca = ResolveVaultIssuer(request.Issuer);
        var (collection, name, cert, chain) = (ca.Collection, ca.Name, ca.Certificate, ca.Issuers);
        var issuerLabel = $"'{name}'";
        ForgingIssuer.RequireCa(cert, issuerLabel);
        var fingerprint = Convert.ToHexString(_session.PasswordFingerprint(Encoding.UTF8.GetBytes(request.IssuerKeyPassword.ToArray())));
        var cacheId = string.Join("|", _vault.Root, collection, name, cert.Thumbprint, fingerprint);
        if (_session.TryGetOpened(cacheId, out var existing))
            return existing;
        var issuerKey = ca.OpenKey(_keys, request.IssuerKeyPassword.Span);
        var inHsm = ca.HsmKey is not null;
        // The cache's sealing key derives from the issuer's key: its PKCS#8, or for a key that never leaves an HSM a secret
        // only that key can make (HsmKeys.DeterministicSecret). An HSM key that cannot make one forges from memory only.
        InspectionStore? store = null;
        var secret = !inHsm ? issuerKey.ExportPkcs8PrivateKey() : Hsm.HsmKeys.DeterministicSecret(issuerKey, "ZscalerPki inspection cache seal|" + cert.Thumbprint);
        if (secret is not null)
        {
            store = new InspectionStore(_vault, collection, name, secret);
            CryptographicOperations.ZeroMemory(secret);
        }
        var opened = new OpenedIssuer(collection, name, cert, issuerKey, chain, store, issuerLabel, _session.Cache) { InHsm = inHsm };
        return _session.GetOrAddOpened(cacheId, opened);
    }

    /// <summary>The issuer's vault CA: the default intermediate when no name is given, else the CA the name (or kind/name) names.</summary>
    private Authority.CertificateAuthority ResolveVaultIssuer(string? name)
    {
        // Once per service (one cmdlet invocation): a pipeline of sites reads the vault entry once, not once per site.
        lock (_resolved)
        {
            if (!_resolved.TryGetValue(name ?? string.Empty, out var ca))
                _resolved[name ?? string.Empty] = ca = new Authority.CaDirectory(_vault, _keys).ResolveOrDefault(name);
            return ca;
        }
    }

    private readonly Dictionary<string, Authority.CertificateAuthority> _resolved = new(StringComparer.Ordinal);

    /// <summary>
    /// A CA's CDP/AIA read once per service (one cmdlet invocation) instead of once per site; a later invocation reads them
    /// again, so Set-IntermediateCertificate's new URLs apply from the next command on.
    /// </summary>
    private sealed class PublicationPerService(IIssuerPublicationSource inner) : IIssuerPublicationSource
    {
        private readonly Dictionary<(string, string, string, bool), IssuerPublication> _known = new();

        public IssuerPublication GetPublication(IssuerReference issuer)
        {
            var key = (issuer.Collection, issuer.Name, issuer.Certificate.Thumbprint, issuer.IsRotating);
            lock (_known)
            {
                if (!_known.TryGetValue(key, out var publication))
                    _known[key] = publication = inner.GetPublication(issuer);
                return publication;
            }
        }
    }
}
