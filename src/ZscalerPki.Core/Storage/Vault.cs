using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZscalerPki.Core.Storage;

/// <summary>Vault-wide settings (<c>vault.json</c>).</summary>
public sealed record VaultSettings
{
    public int FormatVersion { get; init; } = 1;

    /// <summary>Zscaler's protection-type subscription; governs how many SSL-inspection intermediates may exist and be enabled.</summary>
    public Subscription Subscription { get; init; } = Subscription.Software;
}

/// <summary>The protection types subscribed to (Zscaler: software only, or software and cloud HSM).</summary>
public enum Subscription
{
    Software,
    SoftwareAndHsm,
}

/// <summary>
/// The embedded default store: a folder with one sub-folder per collection and one folder per entry
/// (<c>entry.json</c> metadata and certificate, <c>key.p8</c> encrypted PKCS#8 private key).
/// <para>Consistency: an entry is written completely in <c>.tmp/</c> and renamed into place, so it appears whole or not at all;
/// metadata updates are temp-file + rename; deletions rename the folder away before removing it. All changes run under
/// a cross-process lock (<c>.lock</c>), so concurrent writers never lose each other's entries. Leftovers of a killed process
/// are in <c>.tmp/</c> or named <c>.*.tmp</c>; readers ignore them and the next writer removes them.</para>
/// </summary>
public sealed class Vault
{
    public const string EnvironmentVariable = "ZSCALERPKI_VAULT";
    private const string EntryFile = "entry.json";
    private const string KeyFile = "key.p8";
    private const string SettingsFile = "vault.json";
    private const string TempFolder = ".tmp";

    /// <summary>The newest vault format this version reads and writes (<see cref="VaultSettings.FormatVersion"/>).</summary>
    public const int SupportedFormatVersion = 1;

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        // Enums by name only: a number (say 7 for a type that has 3 values) in an edited entry.json is refused, not read.
        Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly List<string> _notices = new();
    private bool _formatChecked;
    private bool _rootChecked;

    private Vault(string root) => Root = root;

    /// <summary>The vault folder.</summary>
    public string Root { get; }

    /// <summary><c>$env:ZSCALERPKI_VAULT</c>, else <c>ZscalerPki/Vault</c> under the per-user local application-data folder.</summary>
    public static string DefaultPath
    {
        get
        {
            var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(env))
                return Path.GetFullPath(env);
            var appData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
            if (string.IsNullOrEmpty(appData))
                appData = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
            return Path.Combine(appData, "ZscalerPki", "Vault");
        }
    }

    /// <summary>
    /// Opens the vault at <paramref name="path"/>, or at <see cref="DefaultPath"/>. Nothing is created until the first write
    /// (then the folder is made owner-only on Unix), so listing a vault that does not exist yet shows an empty vault.
    /// </summary>
    public static Vault Open(string? path = null)
    {
        var root = Path.GetFullPath(string.IsNullOrWhiteSpace(path) ? DefaultPath : path);
        if (File.Exists(root))
            throw new PkiException(PkiErrorIds.VaultPathIsFile, PkiErrorCategory.InvalidArgument,
                $"The vault path '{root}' is a file. Pass a folder to -VaultPath (it is created when missing).", root);
        var vault = new Vault(root);
        vault.EnsureRootIsOwnerOnly();
        return vault;
    }

    /// <summary>An existing vault folder that group or others can enter is made 0700, with a notice (see <see cref="TakeNotices"/>).</summary>
    private void EnsureRootIsOwnerOnly()
    {
        if (_rootChecked || !Directory.Exists(Root))
            return;
        _rootChecked = true;
        if (VaultPermissions.TightenRoot(Root) is { } notice)
        {
            lock (_notices)
                _notices.Add(notice);
        }
    }

    private void EnsureRoot()
    {
        if (Directory.Exists(Root))
        {
            EnsureRootIsOwnerOnly();
            return;
        }
        try
        {
            if (OperatingSystem.IsWindows())
                VaultPermissions.CreateOwnerOnlyFolderOnWindows(Root);
            else
                Directory.CreateDirectory(Root, VaultPermissions.Folder);
            _rootChecked = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PkiException(PkiErrorIds.VaultUnavailable, PkiErrorCategory.OpenError,
                $"Cannot create the vault folder '{Root}': {ex.Message}. Pass a writable folder to -VaultPath or set ${EnvironmentVariable}.", Root, ex);
        }
    }

    /// <summary>
    /// Notices about entries left out of a listing because they are corrupt (see <see cref="ReadAllHealthy{T}"/>) and about a
    /// vault folder that had to be made owner-only; the cmdlets
    /// show them as warnings. Taking them empties the list.
    /// </summary>
    public IReadOnlyList<string> TakeNotices()
    {
        lock (_notices)
        {
            var taken = _notices.ToList();
            _notices.Clear();
            return taken;
        }
    }

    /// <summary>Takes the vault's cross-process write lock; dispose to release. Cleans up what killed writers left.</summary>
    public IDisposable Lock(TimeSpan? timeout = null)
    {
        CheckFormat();
        EnsureRoot();
        var stream = LockFile.Acquire(Path.Combine(Root, ".lock"), timeout ?? TimeSpan.FromSeconds(30), ex =>
            new PkiException(PkiErrorIds.VaultBusy, PkiErrorCategory.ResourceBusy,
                $"The vault '{Root}' is locked by another process. Wait for it to finish and try again.", Root, ex));
        CleanTemp();
        return stream;
    }

    public VaultSettings ReadSettings()
    {
        var path = Path.Combine(Root, SettingsFile);
        if (Directory.Exists(path))
            throw new PkiException(PkiErrorIds.VaultEntryCorrupt, PkiErrorCategory.InvalidData,
                $"The vault settings '{path}' is a folder, not a file. Remove that folder (the settings are then the defaults) or restore vault.json from a backup.", path);
        if (!File.Exists(path))
            return new VaultSettings();
        var settings = Deserialize<VaultSettings>(path);
        if (settings.FormatVersion > SupportedFormatVersion || settings.FormatVersion < 1)
            throw new PkiException(PkiErrorIds.VaultFormatUnsupported, PkiErrorCategory.InvalidData,
                $"The vault '{Root}' has format version {settings.FormatVersion}; this version of ZscalerPki reads version {SupportedFormatVersion}. Update the module (a newer ZscalerPki wrote it), or use another -VaultPath.", Root);
        return settings;
    }

    /// <summary>Refuses a vault written in a newer format before reading or changing anything in it (once per instance).</summary>
    private void CheckFormat()
    {
        if (_formatChecked)
            return;
        ReadSettings();
        _formatChecked = true;
    }

    /// <summary>Writes the settings; the caller holds <see cref="Lock"/>.</summary>
    public void WriteSettings(VaultSettings settings) =>
        AtomicFile.WriteAllText(Path.Combine(Root, SettingsFile), JsonSerializer.Serialize(settings, Json), secret: true);

    /// <summary>Names of the entries in a collection, as stored (ordinal order).</summary>
    public IReadOnlyList<string> Names(string collection)
    {
        var dir = Path.Combine(Root, collection);
        if (!Directory.Exists(dir))
            return Array.Empty<string>();
        return Directory.EnumerateDirectories(dir)
            .Select(Path.GetFileName)
            .Where(n => n is not null && !n.StartsWith('.') && File.Exists(Path.Combine(dir, n, EntryFile)))
            .Select(n => n!)
            .OrderBy(n => n, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>The stored spelling of <paramref name="name"/>, matched without regard to case (names are unique that way).</summary>
    public string? FindName(string collection, string name) =>
        Names(collection).FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));

    public T? TryRead<T>(string collection, string name) where T : class
    {
        CheckFormat();
        var stored = FindName(collection, name);
        return stored is null ? null : Deserialize<T>(Path.Combine(Root, collection, stored, EntryFile));
    }

    /// <summary>
    /// Turns an entry read from <paramref name="collection"/> into what callers use; when that fails (a certificate in it
    /// that does not decode, say), the entry is corrupt: <c>VaultEntryCorrupt</c> naming it, never the decoder's exception.
    /// </summary>
    public TOut Convert<TIn, TOut>(string collection, string name, TIn entry, Func<TIn, TOut> convert)
    {
        try
        {
            return convert(entry);
        }
        catch (Exception ex) when (IsEntryDamage(ex))
        {
            throw new PkiException(PkiErrorIds.VaultEntryCorrupt, PkiErrorCategory.InvalidData,
                $"The vault entry '{name}' ({Describe(collection)}) is corrupt: {ex.Message.TrimEnd('.')}. Restore its folder '{Path.Combine(Root, collection, name)}' from a backup, or remove it.", name, ex);
        }
    }

    /// <summary>What reading or decoding a damaged entry throws (as opposed to an I/O or programming failure elsewhere).</summary>
    private static bool IsEntryDamage(Exception ex) =>
        ex is PkiException or System.Security.Cryptography.CryptographicException or FormatException or ArgumentException or InvalidOperationException or NullReferenceException;

    /// <summary>Every entry of a collection; a corrupt one stops the operation with <c>VaultEntryCorrupt</c> naming it.</summary>
    public IReadOnlyList<T> ReadAll<T>(string collection)
    {
        CheckFormat();
        return Names(collection).Select(n => Deserialize<T>(Path.Combine(Root, collection, n, EntryFile))).ToList();
    }

    /// <summary>
    /// For listings: every entry that reads (and passes <paramref name="probe"/>, e.g. turning it into the object shown); a
    /// corrupt entry is left out and named in <see cref="TakeNotices"/>, so one broken entry does not hide the healthy ones.
    /// </summary>
    public IReadOnlyList<T> ReadAllHealthy<T>(string collection, Action<T>? probe = null)
    {
        CheckFormat();
        var healthy = new List<T>();
        foreach (var name in Names(collection))
        {
            try
            {
                var entry = Deserialize<T>(Path.Combine(Root, collection, name, EntryFile));
                probe?.Invoke(entry);
                healthy.Add(entry);
            }
            catch (Exception ex) when (IsEntryDamage(ex))
            {
                lock (_notices)
                    _notices.Add($"The vault entry '{name}' ({Describe(collection)}) is corrupt and is left out: {ex.Message.TrimEnd('.')}. Restore its folder '{Path.Combine(Root, collection, name)}' from a backup, or remove it.");
            }
        }
        return healthy;
    }

    /// <summary>
    /// Adds an entry, whole or not at all; the caller holds <see cref="Lock"/>. Throws <c>NameAlreadyExists</c> when a name
    /// equal to it (ignoring case) is taken.
    /// </summary>
    public void Create<T>(string collection, string name, T metadata, string? encryptedKeyPem)
    {
        VaultNames.Validate(name);
        var existing = FindName(collection, name);
        if (existing is not null)
            throw NameTaken(collection, name, existing);

        var tempRoot = Path.Combine(Root, TempFolder);
        VaultPermissions.CreateFolder(tempRoot);
        var staging = Path.Combine(tempRoot, Guid.NewGuid().ToString("N"));
        VaultPermissions.CreateFolder(staging); // becomes the entry's folder: 0700 from the start, whatever the umask
        try
        {
            if (encryptedKeyPem is not null)
                AtomicFile.WriteNew(Path.Combine(staging, KeyFile), System.Text.Encoding.ASCII.GetBytes(encryptedKeyPem), secret: true);
            AtomicFile.WriteNew(Path.Combine(staging, EntryFile), JsonSerializer.SerializeToUtf8Bytes(metadata, Json), secret: true);
            var collectionDir = Path.Combine(Root, collection);
            VaultPermissions.CreateFolder(collectionDir);
            Directory.Move(staging, Path.Combine(collectionDir, name));
        }
        catch (IOException ex) when (Directory.Exists(Path.Combine(Root, collection, name)))
        {
            TryDeleteTree(staging);
            throw NameTaken(collection, name, name, ex);
        }
        catch
        {
            TryDeleteTree(staging);
            throw;
        }
    }

    /// <summary>Replaces an entry's metadata atomically; the caller holds <see cref="Lock"/>.</summary>
    public void Update<T>(string collection, string name, T metadata)
    {
        var stored = FindName(collection, name) ?? throw NotFound(collection, name);
        AtomicFile.WriteAllBytes(Path.Combine(Root, collection, stored, EntryFile), JsonSerializer.SerializeToUtf8Bytes(metadata, Json), secret: true);
    }

    /// <summary>Removes an entry: renamed away first (atomic), then deleted; the caller holds <see cref="Lock"/>.</summary>
    public void Delete(string collection, string name)
    {
        var stored = FindName(collection, name) ?? throw NotFound(collection, name);
        var tempRoot = Path.Combine(Root, TempFolder);
        VaultPermissions.CreateFolder(tempRoot);
        var graveyard = Path.Combine(tempRoot, "deleted-" + Guid.NewGuid().ToString("N"));
        Directory.Move(Path.Combine(Root, collection, stored), graveyard);
        TryDeleteTree(graveyard);
    }

    /// <summary>The encrypted PKCS#8 PEM of an entry.</summary>
    public string ReadKey(string collection, string name)
    {
        var stored = FindName(collection, name) ?? throw NotFound(collection, name);
        var path = Path.Combine(Root, collection, stored, KeyFile);
        if (Directory.Exists(path))
            throw new PkiException(PkiErrorIds.PathIsDirectory, PkiErrorCategory.InvalidData,
                $"The key file of vault entry '{stored}' is a folder: '{path}'. Restore the entry's key file from a backup, or remove the entry.", path);
        if (!File.Exists(path))
            throw new PkiException(PkiErrorIds.KeyNotFound, PkiErrorCategory.ObjectNotFound,
                $"The vault entry '{stored}' has no private key.", name);
        return File.ReadAllText(path);
    }

    /// <summary>Path of an entry's key file (for permission checks and diagnostics).</summary>
    public string KeyPath(string collection, string name) =>
        Path.Combine(Root, collection, FindName(collection, name) ?? name, KeyFile);

    /// <summary>Reads a vault JSON file: unreadable, malformed, or missing a field the format requires is <c>VaultEntryCorrupt</c>.</summary>
    private static T Deserialize<T>(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            var json = bytes.AsSpan().StartsWith(Utf8Bom) ? bytes.AsSpan(Utf8Bom.Length) : bytes;
            var value = JsonSerializer.Deserialize<T>(json, Json) ?? throw new JsonException("the document is empty (null)");
            if (VaultRecordCheck.Problem(value) is { } problem)
                throw new JsonException(problem);
            return value;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or IOException or UnauthorizedAccessException)
        {
            throw new PkiException(PkiErrorIds.VaultEntryCorrupt, PkiErrorCategory.InvalidData,
                $"The vault file '{path}' is not valid: {ex.Message}. Restore it from a backup or remove the entry's folder.", path, ex);
        }
    }

    private static readonly byte[] Utf8Bom = { 0xEF, 0xBB, 0xBF };

    private void CleanTemp()
    {
        var tempRoot = Path.Combine(Root, TempFolder);
        if (Directory.Exists(tempRoot))
        {
            foreach (var dir in Directory.EnumerateDirectories(tempRoot))
                TryDeleteTree(dir);
        }
        foreach (var stray in Directory.EnumerateFiles(Root, ".*.tmp", SearchOption.AllDirectories))
            AtomicFile.TryDelete(stray);
    }

    private static void TryDeleteTree(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    internal static PkiException NotFound(string collection, string name) =>
        new(PkiErrorIds.NotFound, PkiErrorCategory.ObjectNotFound,
            $"No {Describe(collection)} named '{name}' is in the vault. Run Get-{(collection == Collections.Enrollment ? "EnrollmentCertificate" : "IntermediateCertificate")} to list the names.", name);

    private static PkiException NameTaken(string collection, string name, string existing, Exception? inner = null) =>
        new(PkiErrorIds.NameAlreadyExists, PkiErrorCategory.ResourceExists,
            $"A {Describe(collection)} named '{existing}' already exists (names are unique, ignoring case). Choose another name or remove the existing one first.", name, inner);

    private static string Describe(string collection) => collection switch
    {
        Collections.Enrollment => "enrollment certificate",
        Collections.Intermediate => "intermediate certificate",
        _ => collection + " entry",
    };
}

/// <summary>The vault's collections.</summary>
public static class Collections
{
    public const string Enrollment = "enrollment";
    public const string Intermediate = "intermediate";
}
