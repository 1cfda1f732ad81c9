using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Trust;

/// <summary>A root the journal says we installed, and into which stores.</summary>
public sealed class JournalRoot
{
    public string Thumbprint { get; set; } = string.Empty;
    public string Subject { get; set; } = string.Empty;
    public string Pem { get; set; } = string.Empty;
    public List<string> Stores { get; set; } = new();
}

/// <summary>
/// One change we made. <c>File</c>: a file created or edited (by us or by a store's tool) — whether it existed, the backup of
/// its bytes and mode, and the SHA-256 it had after our change, so undo restores the exact bytes when nobody changed it since.
/// <c>Variable</c>: a persistent environment variable with its previous value. <c>Entry</c>: an entry in a store that is not a
/// file we can restore (Windows Root, a keychain).
/// </summary>
public sealed class JournalChange
{
    public string Store { get; set; } = string.Empty;
    public string Kind { get; set; } = "File";
    public string Target { get; set; } = string.Empty;
    public bool Existed { get; set; }
    public string? Backup { get; set; }
    public int Mode { get; set; }
    public string? AfterSha256 { get; set; }
    public string? Name { get; set; }
    /// <summary>The value we set (a variable).</summary>
    public string? Value { get; set; }
    /// <summary>The value before ours (a variable), or null when it was not set.</summary>
    public string? Previous { get; set; }
}

/// <summary>
/// What Install-RootCertificate added, kept in the scope's ZscalerPki folder (trust-journal.json, owner-only, written temp +
/// rename) so that Uninstall-RootCertificate in any later session takes back exactly that.
/// </summary>
public sealed class TrustJournal
{
    public int Version { get; set; } = 1;
    public List<JournalRoot> Roots { get; set; } = new();
    public List<JournalChange> Changes { get; set; } = new();

    private const int MaxBytes = 8 * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static TrustJournal Load(string path)
    {
        if (!File.Exists(path))
            return new TrustJournal();
        var info = new FileInfo(path);
        if (info.Length > MaxBytes)
            throw Corrupt(path, $"it is {info.Length} bytes (over {MaxBytes})");
        try
        {
            var j = JsonSerializer.Deserialize<TrustJournal>(File.ReadAllBytes(path), Json) ?? throw Corrupt(path, "it is empty");
            if (j.Version != 1)
                throw Corrupt(path, $"its version {j.Version} is not one this module reads");
            return j;
        }
        catch (JsonException ex)
        {
            throw Corrupt(path, ex.Message);
        }
    }

    private static PkiException Corrupt(string path, string why) =>
        new(PkiErrorIds.TrustJournalCorrupt, PkiErrorCategory.InvalidData,
            $"The trust journal '{path}' cannot be read: {why}. Restore it from a backup, or remove it if nothing is installed (Get-RootCertificateTrust shows what is).", path);

    public void Save(string path)
    {
        if (Roots.Count == 0 && Changes.Count == 0)
        {
            AtomicFile.TryDelete(path);
            return;
        }
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, Json), secret: true);
    }

    public JournalRoot? Root(string thumbprint) => Roots.FirstOrDefault(r => string.Equals(r.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<JournalChange> ChangesOf(string store) => Changes.Where(c => c.Store == store);

    internal static string? Sha256(byte[]? bytes) => bytes is null ? null : Convert.ToHexString(SHA256.HashData(bytes));
}

/// <summary>
/// Changes files for one store and records them in the journal: the first change to a path backs its bytes up, later ones
/// only move the "after" hash; undo restores the backup when the file still has the bytes we left.
/// </summary>
public sealed class TrackedFiles
{
    private readonly TrustContext _context;
    private readonly TrustJournal _journal;

    public TrackedFiles(TrustContext context, TrustJournal journal)
    {
        _context = context;
        _journal = journal;
    }

    public TrustJournal Journal => _journal;
    public TrustContext Context => _context;

    /// <summary>The file a path ends at (a JDK's cacerts is often a symlink to the OS-managed one).</summary>
    public static string Resolve(string path)
    {
        try
        {
            var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true);
            return target?.FullName ?? Path.GetFullPath(path);
        }
        catch (IOException)
        {
            return Path.GetFullPath(path);
        }
    }

    public static byte[]? ReadOrNull(string path) => File.Exists(path) ? File.ReadAllBytes(path) : null;

    /// <summary>Writes <paramref name="path"/> as <paramref name="change"/> says (null = delete), recorded for <paramref name="store"/>.</summary>
    public void Edit(string store, string path, Func<byte[]?, byte[]?> change, bool secret = false)
    {
        var real = Resolve(path);
        Track(store, real, () =>
        {
            var before = ReadOrNull(real);
            var after = change(before);
            if (after is null)
            {
                if (before is not null)
                    File.Delete(real);
                return;
            }
            if (before is not null && before.AsSpan().SequenceEqual(after))
                return;
            RecordNewFolders(store, Path.GetDirectoryName(real)!);
            var mode = before is not null && !OperatingSystem.IsWindows() ? File.GetUnixFileMode(real) : (UnixFileMode?)null;
            AtomicFile.WriteAllBytes(real, after, secret);
            if (mode is { } m && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(real, m);
        });
    }

    /// <summary>Folders our write creates are recorded (Kind Folder) so that undo removes them again when they are empty.</summary>
    public void RecordNewFolders(string store, string folder)
    {
        var missing = new List<string>();
        for (var d = folder; !string.IsNullOrEmpty(d) && !Directory.Exists(d); d = Path.GetDirectoryName(d))
            missing.Add(d);
        foreach (var d in missing)
            _journal.Changes.Add(new JournalChange { Store = store, Kind = "Folder", Target = d });
    }

    /// <summary>Runs <paramref name="mutate"/> (our write, or a tool's) and records the files it may change.</summary>
    public void Track(string store, string path, Action mutate) => Track(store, new[] { path }, mutate);

    public void Track(string store, IReadOnlyList<string> paths, Action mutate)
    {
        var entries = new List<JournalChange>();
        foreach (var path in paths.Select(Resolve))
        {
            var entry = _journal.Changes.FirstOrDefault(c => c.Kind == "File" && c.Store == store && c.Target == path);
            if (entry is null)
            {
                var before = ReadOrNull(path);
                entry = new JournalChange { Store = store, Kind = "File", Target = path, Existed = before is not null };
                if (before is not null)
                {
                    Directory.CreateDirectory(_context.BackupFolder);
                    entry.Backup = $"{Guid.NewGuid():N}.bak";
                    AtomicFile.WriteAllBytes(Path.Combine(_context.BackupFolder, entry.Backup), before, secret: true);
                    entry.Mode = OperatingSystem.IsWindows() ? 0 : (int)File.GetUnixFileMode(path);
                }
                entry.AfterSha256 = TrustJournal.Sha256(before);
                _journal.Changes.Add(entry);
            }
            entries.Add(entry);
        }
        try
        {
            mutate();
        }
        finally
        {
            foreach (var entry in entries)
                entry.AfterSha256 = TrustJournal.Sha256(ReadOrNull(entry.Target));
            // A path we never changed needs no undo.
            _journal.Changes.RemoveAll(c => entries.Contains(c) && Unchanged(c));
        }
    }

    private bool Unchanged(JournalChange c)
    {
        var original = c.Existed ? File.ReadAllBytes(Path.Combine(_context.BackupFolder, c.Backup!)) : null;
        if (TrustJournal.Sha256(original) != c.AfterSha256)
            return false;
        if (c.Backup is not null)
            AtomicFile.TryDelete(Path.Combine(_context.BackupFolder, c.Backup));
        return true;
    }

    /// <summary>
    /// Runs a tool that rewrites a folder (update-ca-certificates in /etc/ssl/certs: links added, files replaced by links, the
    /// bundle regenerated) and records each entry it changed — added, removed, or changed (a link's target, a file's bytes with
    /// a backup) — so undo puts the folder back entry by entry, whatever the tool does on its own second run.
    /// </summary>
    public void TrackFolder(string store, string folder, Action mutate)
    {
        var before = Manifest(folder);
        var saved = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (path, state) in before)
        {
            if (state.StartsWith("file:", StringComparison.Ordinal) && new FileInfo(path).Length <= 16 * 1024 * 1024)
                saved[path] = File.ReadAllBytes(path);
        }
        try
        {
            mutate();
        }
        finally
        {
            var after = Manifest(folder);
            foreach (var path in before.Keys.Union(after.Keys, StringComparer.Ordinal))
            {
                var was = before.GetValueOrDefault(path, "absent");
                var now = after.GetValueOrDefault(path, "absent");
                if (was == now)
                    continue;
                var entry = _journal.Changes.FirstOrDefault(c => c.Kind == "FolderEntry" && c.Store == store && c.Target == path);
                if (entry is null)
                {
                    entry = new JournalChange { Store = store, Kind = "FolderEntry", Target = path, Existed = was != "absent", Value = was };
                    if (saved.TryGetValue(path, out var bytes))
                    {
                        Directory.CreateDirectory(_context.BackupFolder);
                        entry.Backup = $"{Guid.NewGuid():N}.bak";
                        AtomicFile.WriteAllBytes(System.IO.Path.Combine(_context.BackupFolder, entry.Backup), bytes, secret: true);
                        entry.Mode = OperatingSystem.IsWindows() || !File.Exists(path) ? 0 : (int)File.GetUnixFileMode(path);
                    }
                    _journal.Changes.Add(entry);
                }
                entry.AfterSha256 = now;
            }
        }
    }

    /// <summary>Each entry of a folder (not recursive) and its state: "link:&lt;target&gt;", "file:&lt;sha256&gt;" or "dir".</summary>
    public static Dictionary<string, string> Manifest(string folder)
    {
        var m = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(folder))
            return m;
        foreach (var path in Directory.EnumerateFileSystemEntries(folder).Take(20000))
            m[path] = StateOf(path);
        return m;
    }

    private static string StateOf(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
            return "link:" + target;
        if (Directory.Exists(path))
            return "dir";
        if (!info.Exists)
            return "absent";
        using var stream = File.OpenRead(path);
        return "file:" + Convert.ToHexString(SHA256.HashData(stream));
    }

    /// <summary>True when a folder entry is still as the tool left it.</summary>
    public static bool EntryAsWeLeftIt(JournalChange c) => StateOf(c.Target) == c.AfterSha256;

    /// <summary>Puts a folder entry back as it was before the install (a link, a file from its backup, or nothing).</summary>
    public void RestoreEntry(JournalChange c, bool forget)
    {
        var now = StateOf(c.Target);
        if (now != c.Value)
        {
            if (now.StartsWith("link:", StringComparison.Ordinal) || now.StartsWith("file:", StringComparison.Ordinal))
                File.Delete(c.Target);
            if (c.Value!.StartsWith("link:", StringComparison.Ordinal))
            {
                File.CreateSymbolicLink(c.Target, c.Value["link:".Length..]);
            }
            else if (c.Value.StartsWith("file:", StringComparison.Ordinal) && c.Backup is not null)
            {
                AtomicFile.WriteAllBytes(c.Target, File.ReadAllBytes(System.IO.Path.Combine(_context.BackupFolder, c.Backup)));
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(c.Target, c.Mode != 0 ? (UnixFileMode)c.Mode : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
        }
        if (forget)
            Forget(c);
    }

    /// <summary>True when the file still has the bytes we left (so restoring the backup loses nobody's later change).</summary>
    public static bool IsAsWeLeftIt(JournalChange c) => TrustJournal.Sha256(ReadOrNull(c.Target)) == c.AfterSha256;

    /// <summary>Puts the file back as it was before our first change (deleted if it did not exist) and drops the record.</summary>
    public void Restore(JournalChange c, bool forget = true)
    {
        if (c.Existed)
        {
            var bytes = File.ReadAllBytes(Path.Combine(_context.BackupFolder, c.Backup!));
            if (!(ReadOrNull(c.Target) is { } now && now.AsSpan().SequenceEqual(bytes)))
            {
                AtomicFile.WriteAllBytes(c.Target, bytes);
                if (!OperatingSystem.IsWindows() && c.Mode != 0)
                    File.SetUnixFileMode(c.Target, (UnixFileMode)c.Mode);
            }
        }
        else if (File.Exists(c.Target))
        {
            File.Delete(c.Target);
        }
        if (forget)
            Forget(c);
    }

    /// <summary>Drops a record (and its backup) without touching the file.</summary>
    public void Forget(JournalChange c)
    {
        if (c.Backup is not null)
            AtomicFile.TryDelete(Path.Combine(_context.BackupFolder, c.Backup));
        _journal.Changes.Remove(c);
    }
}
