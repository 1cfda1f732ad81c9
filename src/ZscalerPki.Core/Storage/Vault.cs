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

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

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
        return new Vault(root);
    }

    private void EnsureRoot()
    {
        if (Directory.Exists(Root))
            return;
        try
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(Root);
            else
                Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PkiException(PkiErrorIds.VaultUnavailable, PkiErrorCategory.OpenError,
                $"Cannot create the vault folder '{Root}': {ex.Message}. Pass a writable folder to -VaultPath or set ${EnvironmentVariable}.", Root, ex);
        }
    }

    /// <summary>Takes the vault's cross-process write lock; dispose to release. Cleans up what killed writers left.</summary>
    public IDisposable Lock(TimeSpan? timeout = null)
    {
        EnsureRoot();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var path = Path.Combine(Root, ".lock");
        var delay = 5;
        while (true)
        {
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                CleanTemp();
                return stream;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(Random.Shared.Next(delay, delay * 2));
                delay = Math.Min(delay * 2, 100);
            }
            catch (IOException ex)
            {
                throw new PkiException(PkiErrorIds.VaultBusy, PkiErrorCategory.ResourceBusy,
                    $"The vault '{Root}' is locked by another process. Wait for it to finish and try again.", Root, ex);
            }
        }
    }

    public VaultSettings ReadSettings()
    {
        var path = Path.Combine(Root, SettingsFile);
        if (!File.Exists(path))
            return new VaultSettings();
        return Deserialize<VaultSettings>(path);
    }

    /// <summary>Writes the settings; the caller holds <see cref="Lock"/>.</summary>
    public void WriteSettings(VaultSettings settings) =>
        AtomicFile.WriteAllText(Path.Combine(Root, SettingsFile), JsonSerializer.Serialize(settings, Json));

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
        var stored = FindName(collection, name);
        return stored is null ? null : Deserialize<T>(Path.Combine(Root, collection, stored, EntryFile));
    }

    public IReadOnlyList<T> ReadAll<T>(string collection) =>
        Names(collection).Select(n => Deserialize<T>(Path.Combine(Root, collection, n, EntryFile))).ToList();

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
        Directory.CreateDirectory(tempRoot);
        var staging = Path.Combine(tempRoot, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            if (encryptedKeyPem is not null)
                AtomicFile.WriteNew(Path.Combine(staging, KeyFile), System.Text.Encoding.ASCII.GetBytes(encryptedKeyPem), secret: true);
            AtomicFile.WriteNew(Path.Combine(staging, EntryFile), JsonSerializer.SerializeToUtf8Bytes(metadata, Json));
            var collectionDir = Path.Combine(Root, collection);
            Directory.CreateDirectory(collectionDir);
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
        AtomicFile.WriteAllBytes(Path.Combine(Root, collection, stored, EntryFile), JsonSerializer.SerializeToUtf8Bytes(metadata, Json));
    }

    /// <summary>Removes an entry: renamed away first (atomic), then deleted; the caller holds <see cref="Lock"/>.</summary>
    public void Delete(string collection, string name)
    {
        var stored = FindName(collection, name) ?? throw NotFound(collection, name);
        var tempRoot = Path.Combine(Root, TempFolder);
        Directory.CreateDirectory(tempRoot);
        var graveyard = Path.Combine(tempRoot, "deleted-" + Guid.NewGuid().ToString("N"));
        Directory.Move(Path.Combine(Root, collection, stored), graveyard);
        TryDeleteTree(graveyard);
    }

    /// <summary>The encrypted PKCS#8 PEM of an entry.</summary>
    public string ReadKey(string collection, string name)
    {
        var stored = FindName(collection, name) ?? throw NotFound(collection, name);
        var path = Path.Combine(Root, collection, stored, KeyFile);
        if (!File.Exists(path))
            throw new PkiException(PkiErrorIds.KeyNotFound, PkiErrorCategory.ObjectNotFound,
                $"The vault entry '{stored}' has no private key.", name);
        return File.ReadAllText(path);
    }

    /// <summary>Path of an entry's key file (for permission checks and diagnostics).</summary>
    public string KeyPath(string collection, string name) =>
        Path.Combine(Root, collection, FindName(collection, name) ?? name, KeyFile);

    private static T Deserialize<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Json)
                ?? throw new JsonException("empty document");
        }
        catch (JsonException ex)
        {
            throw new PkiException(PkiErrorIds.VaultEntryCorrupt, PkiErrorCategory.InvalidData,
                $"The vault file '{path}' is not valid: {ex.Message}. Restore it from a backup or remove the entry's folder.", path, ex);
        }
    }

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
