using System.IO.Compression;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Trust;

/// <summary>What an install or uninstall did: one result per store, one error per store that failed, the session's new variables.</summary>
public sealed record TrustOperation(IReadOnlyList<TrustStoreResult> Results, IReadOnlyList<PkiException> Errors, IReadOnlyDictionary<string, string?> SessionVariables, IReadOnlyList<string> Notes);

/// <summary>
/// Install-/Uninstall-RootCertificate and Get-RootCertificateTrust's engine: the stores of this platform, the root checks, and
/// the journal (loaded, changed per store, saved after each store so an interrupted run is still undone exactly).
/// </summary>
public sealed class TrustService
{
    private readonly TrustContext _context;
    private readonly IReadOnlyList<ITrustStore> _stores;

    public TrustService(TrustContext context, IReadOnlyList<ITrustStore>? stores = null)
    {
        _context = context;
        _stores = stores ?? StoresFor(context.Platform);
    }

    public IReadOnlyList<ITrustStore> Stores => _stores;

    public static IReadOnlyList<ITrustStore> StoresFor(TrustPlatform platform)
    {
        var list = new List<ITrustStore>();
        list.Add(platform switch { TrustPlatform.Windows => new WindowsRootStore(), TrustPlatform.MacOS => new MacKeychainStore(), _ => new LinuxOsStore() });
        list.Add(platform == TrustPlatform.Linux ? new NssStore() : new FirefoxEnterpriseRootsStore());
        list.Add(new JavaStore());
        list.AddRange(AppSettingsStore.All());
        return list;
    }

    public static IReadOnlyList<string> StoreNames => new[] { "OS", "NSS", "Firefox", "Java" }.Concat(AppSettingsStore.All().Select(s => s.Name)).ToList();

    /// <summary>Refuses what must not become a trust anchor: a leaf, a non-CA, an intermediate, an expired or not yet valid certificate.</summary>
    public static void RequireInstallableRoot(X509Certificate2 c, DateTimeOffset now)
    {
        var bc = c.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        var selfIssued = c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData);
        if (bc is { CertificateAuthority: false } || (bc is null && !selfIssued))
            throw new PkiException(PkiErrorIds.LeafNotTrustAnchor, PkiErrorCategory.InvalidArgument,
                $"'{c.Subject}' ({c.Thumbprint}) is a leaf (end-entity) certificate: installing it as a trusted root would not make its issuer's certificates trusted, and would trust it for anything. Pass the root CA at the top of its chain (Export-RootCertificateBundle writes it).", c);
        if (bc is null)
            throw new PkiException(PkiErrorIds.NotCaCertificate, PkiErrorCategory.InvalidArgument,
                $"'{c.Subject}' ({c.Thumbprint}) has no basicConstraints CA:TRUE, so it is not a CA certificate and cannot be a trusted root. Pass the root CA certificate.", c);
        if (!selfIssued)
            throw new PkiException(PkiErrorIds.RootNotFound, PkiErrorCategory.InvalidArgument,
                $"'{c.Subject}' ({c.Thumbprint}) is an intermediate CA issued by '{c.Issuer}', not a self-signed root. Install the root at the top of the chain; clients receive the intermediates from the proxy.", c);
        if (c.NotAfter.ToUniversalTime() < now.UtcDateTime)
            throw new PkiException(PkiErrorIds.CertificateExpired, PkiErrorCategory.InvalidArgument,
                $"The root '{c.Subject}' ({c.Thumbprint}) expired on {c.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC. Renew the root and install the new one.", c);
        if (c.NotBefore.ToUniversalTime() > now.UtcDateTime)
            throw new PkiException(PkiErrorIds.CertificateNotYetValid, PkiErrorCategory.InvalidArgument,
                $"The root '{c.Subject}' ({c.Thumbprint}) is valid only from {c.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC. Check the machine's clock or the root.", c);
    }

    /// <summary>The certificates in a ZIP (Export-RootCertificateBundle's, Zscaler's ZscalerRootCerts.zip): every .crt/.cer/.pem/.der, deduplicated, bounded.</summary>
    public static IReadOnlyList<X509Certificate2> ReadZip(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var certs = new List<X509Certificate2>();
        foreach (var e in zip.Entries.Take(256))
        {
            var ext = Path.GetExtension(e.Name).ToLowerInvariant();
            if (ext is not (".crt" or ".cer" or ".pem" or ".der") || e.Length > 1024 * 1024)
                continue;
            using var s = e.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            certs.AddRange(CertificateReader.Read(ms.ToArray()));
        }
        if (certs.Count == 0)
            throw new PkiException(PkiErrorIds.CertificateEmpty, PkiErrorCategory.InvalidData,
                $"The ZIP '{path}' holds no .crt, .cer, .pem or .der certificate. Pass the ZIP Export-RootCertificateBundle wrote, or Zscaler's ZscalerRootCerts.zip.", path);
        return certs.GroupBy(c => c.Thumbprint).Select(g => g.First()).ToList();
    }

    public TrustJournal LoadJournal() => TrustJournal.Load(_context.JournalPath);

    /// <summary>The journal must be writable before anything is changed (the machine's lives in /var/lib/ZscalerPki).</summary>
    private void RequireWritableDataFolder()
    {
        try
        {
            Directory.CreateDirectory(_context.DataFolder);
            var probe = Path.Combine(_context.DataFolder, $".write-test-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, Array.Empty<byte>());
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new PkiException(PkiErrorIds.FileAccessDenied, PkiErrorCategory.PermissionDenied,
                $"The trust journal folder '{_context.DataFolder}' cannot be written ({ex.Message}). " +
                (_context.Scope == TrustScope.LocalMachine ? "-Scope LocalMachine changes the machine's stores: run elevated (sudo / as Administrator), or use -Scope CurrentUser." : "Check the folder's permissions."),
                _context.DataFolder, ex);
        }
    }

    private IReadOnlyList<ITrustStore> Select(IReadOnlyList<string>? names, bool presentOnly)
    {
        if (names is not { Count: > 0 })
            return _stores.Where(s => !presentOnly || s.IsPresent(_context)).ToList();
        var picked = new List<ITrustStore>();
        foreach (var n in names)
        {
            var match = _stores.Where(s => string.Equals(s.Name, n, StringComparison.OrdinalIgnoreCase)).ToList();
            if (match.Count == 0)
                throw new PkiException(PkiErrorIds.TrustStoreNotFound, PkiErrorCategory.InvalidArgument,
                    $"'{n}' is not a trust store on {_context.Platform}. Use one of: {string.Join(", ", _stores.Select(s => s.Name).Distinct())}.", n);
            picked.AddRange(match.Where(m => !picked.Contains(m)));
        }
        return picked;
    }

    /// <summary>Installs the roots into the stores (-Store names, else every store present); a store that fails is one error, the others still install.</summary>
    public TrustOperation Install(IReadOnlyList<X509Certificate2> roots, IReadOnlyList<string>? storeNames, Func<ITrustStore, X509Certificate2, bool>? confirm = null)
    {
        foreach (var r in roots)
            RequireInstallableRoot(r, _context.Now);
        var stores = Select(storeNames, presentOnly: storeNames is not { Count: > 0 });
        var journal = LoadJournal();
        var writable = false;
        var i = new TrustInstallation(_context, journal);
        var results = new List<TrustStoreResult>();
        var errors = new List<PkiException>();
        foreach (var root in roots)
        {
            foreach (var store in stores)
            {
                if (confirm is not null && !confirm(store, root))
                    continue;
                if (!writable)
                {
                    // Checked once something is to change (-WhatIf creates no folder).
                    RequireWritableDataFolder();
                    writable = true;
                }
                var entry = journal.Root(root.Thumbprint);
                var wasNew = entry is null;
                if (entry is null)
                {
                    entry = new JournalRoot { Thumbprint = root.Thumbprint, Subject = root.Subject, Pem = CertificateReader.ToPem(root) };
                    journal.Roots.Add(entry);
                }
                var already = entry.Stores.Contains(store.Name);
                try
                {
                    store.Install(i, root);
                    if (!entry.Stores.Contains(store.Name))
                        entry.Stores.Add(store.Name);
                    results.Add(new TrustStoreResult(store.Name, _context.Scope, store.Location(_context), already ? "AlreadyInstalled" : "Installed", Describe(store)) { Thumbprint = root.Thumbprint });
                }
                catch (Exception ex) when (ex is TrustStoreException or IOException or UnauthorizedAccessException)
                {
                    // What the store did before it failed is taken back, so a failed store leaves nothing behind.
                    if (!journal.Roots.Any(r => r.Stores.Contains(store.Name)))
                        RollBack(i, store);
                    if (wasNew && entry.Stores.Count == 0)
                        journal.Roots.Remove(entry);
                    errors.Add(new PkiException(PkiErrorIds.TrustStoreWriteFailed, PkiErrorCategory.WriteError,
                        $"The {store.Name} store ({store.Location(_context)}) could not be written: {ex.Message} {store.Fix}", store.Name, ex));
                }
                finally
                {
                    journal.Save(_context.JournalPath);
                }
            }
        }
        return new TrustOperation(results, errors, new Dictionary<string, string?>(i.SessionVariables), Array.Empty<string>());
    }

    private static void RollBack(TrustInstallation i, ITrustStore store)
    {
        try
        {
            store.Uninstall(i);
            i.RefreshShared();
        }
        catch (Exception ex) when (ex is TrustStoreException or IOException or UnauthorizedAccessException)
        {
            // the journal still holds what could not be taken back; Uninstall-RootCertificate retries it
        }
    }

    private string Describe(ITrustStore store) => store switch
    {
        AppSettingsStore a => $"bundle {_context.BundlePath}" + (a.Variables.Count > 0 ? $"; {string.Join(", ", a.Variables)}" : string.Empty),
        _ => store.Location(_context),
    };

    /// <summary>
    /// Takes back what the journal holds for the stores (-Store names, else all) — for all roots, or only <paramref name="thumbprints"/>:
    /// then the stores are undone whole and the other roots installed again.
    /// </summary>
    public TrustOperation Uninstall(IReadOnlyList<string>? thumbprints, IReadOnlyList<string>? storeNames, Func<ITrustStore, bool>? confirm = null)
    {
        var journal = LoadJournal();
        var i = new TrustInstallation(_context, journal);
        var results = new List<TrustStoreResult>();
        var errors = new List<PkiException>();
        var notes = new List<string>();
        foreach (var t in thumbprints ?? Array.Empty<string>())
        {
            if (journal.Root(t) is null)
                notes.Add($"The root {t} is not in the trust journal ({_context.JournalPath}): Install-RootCertificate did not install it for {_context.Scope}; nothing to take back.");
        }
        if (journal.Roots.Count > 0)
            RequireWritableDataFolder();
        var targets = thumbprints is { Count: > 0 } ? journal.Roots.Where(r => thumbprints.Contains(r.Thumbprint, StringComparer.OrdinalIgnoreCase)).ToList() : journal.Roots.ToList();
        var names = storeNames is { Count: > 0 } ? Select(storeNames, false).Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase) : null;
        // Stores in the reverse order of their first change, so files two stores changed come back in the right order.
        var order = journal.Changes.Select(c => c.Store).Concat(journal.Roots.SelectMany(r => r.Stores)).Distinct().Reverse()
            .Where(n => n is not TrustInstallation.ShellStore and not TrustInstallation.BundleStore).ToList();
        foreach (var name in order)
        {
            if (names is not null && !names.Contains(name))
                continue;
            var affected = targets.Where(r => r.Stores.Contains(name)).ToList();
            if (affected.Count == 0)
                continue;
            var store = _stores.FirstOrDefault(s => s.Name == name && s.IsPresent(_context)) ?? _stores.FirstOrDefault(s => s.Name == name);
            if (store is null || (confirm is not null && !confirm(store)))
                continue;
            var keep = journal.Roots.Where(r => r.Stores.Contains(name) && !affected.Contains(r)).ToList();
            try
            {
                notes.AddRange(store.Uninstall(i));
                foreach (var r in journal.Roots)
                    r.Stores.Remove(name);
                notes.AddRange(i.RefreshShared());
                foreach (var r in affected)
                    results.Add(new TrustStoreResult(name, _context.Scope, store.Location(_context), "Uninstalled", Describe(store)) { Thumbprint = r.Thumbprint });
                journal.Roots.RemoveAll(r => r.Stores.Count == 0 && affected.Contains(r));
                foreach (var r in keep)
                {
                    store.Install(i, CertificateReader.ReadText(r.Pem)[0]);
                    r.Stores.Add(name);
                }
            }
            catch (Exception ex) when (ex is TrustStoreException or IOException or UnauthorizedAccessException)
            {
                errors.Add(new PkiException(PkiErrorIds.TrustStoreWriteFailed, PkiErrorCategory.WriteError,
                    $"The {name} store ({store.Location(_context)}) could not be restored: {ex.Message} {store.Fix}", name, ex));
            }
            finally
            {
                journal.Save(_context.JournalPath);
            }
        }
        journal.Roots.RemoveAll(r => r.Stores.Count == 0);
        journal.Save(_context.JournalPath);
        if (journal.Roots.Count == 0 && journal.Changes.Count == 0 && Directory.Exists(_context.BackupFolder) && !Directory.EnumerateFileSystemEntries(_context.BackupFolder).Any())
            Directory.Delete(_context.BackupFolder);
        return new TrustOperation(results, errors, new Dictionary<string, string?>(i.SessionVariables), notes);
    }

    /// <summary>One status per store location for each root (the stores present, plus any the journal names).</summary>
    public IReadOnlyList<TrustStoreStatus> Inspect(IReadOnlyList<X509Certificate2> roots, IReadOnlyList<string>? storeNames)
    {
        var journal = LoadJournal();
        var i = new TrustInstallation(_context, journal);
        var stores = Select(storeNames, false).Where(s => storeNames is { Count: > 0 } || s.IsPresent(_context) || journal.Roots.Any(r => r.Stores.Contains(s.Name)) || s is LinuxOsStore && _context.Platform == TrustPlatform.Linux).ToList();
        var list = new List<TrustStoreStatus>();
        foreach (var root in roots)
        {
            foreach (var s in stores)
                list.AddRange(s.Inspect(i, root));
        }
        return list;
    }
}
