using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Trust;

/// <summary>
/// One install or uninstall run: the context, the journal, the tracked files, and the two things stores share — the combined
/// bundle (OS bundle + our roots, in the ZscalerPki folder) and the environment variables new login shells and this session get.
/// </summary>
public sealed class TrustInstallation
{
    public const string ShellStore = "LoginShell";
    public const string BundleStore = "Bundle";
    public const string BlockStart = "# >>> ZscalerPki trust (Install-RootCertificate wrote this; Uninstall-RootCertificate removes it) >>>";
    public const string BlockEnd = "# <<< ZscalerPki trust <<<";

    /// <summary>Variables whose existing value is kept in front of ours.</summary>
    private static readonly HashSet<string> Appended = new(StringComparer.Ordinal) { "JAVA_TOOL_OPTIONS" };

    public TrustInstallation(TrustContext context, TrustJournal journal)
    {
        Context = context;
        Journal = journal;
        Files = new TrackedFiles(context, journal);
    }

    public TrustContext Context { get; }
    public TrustJournal Journal { get; }
    public TrackedFiles Files { get; }

    /// <summary>Variables this session should now have (null = unset); the cmdlet applies them to the process environment.</summary>
    public Dictionary<string, string?> SessionVariables { get; } = new(StringComparer.Ordinal);

    /// <summary>Variables a store's undo dropped, with the value they had before the install.</summary>
    public Dictionary<string, string?> RemovedVariables { get; } = new(StringComparer.Ordinal);

    public void RestoreFile(JournalChange change, bool final = false)
    {
        if (!Journal.Changes.Contains(change))
            return;
        Files.Restore(change, forget: final);
    }

    // ---------------------------------------------------------------- the combined bundle

    /// <summary>The OS bundle the combined one starts from (null on Windows, where the OS store is not a file).</summary>
    public string? OsBundlePath() => new[]
    {
        "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem",
    }.FirstOrDefault(p => Context.Platform != TrustPlatform.Windows && File.Exists(p));

    /// <summary>Writes (or refreshes) the combined bundle for <paramref name="store"/>: the OS bundle, then every journal root.</summary>
    public string UseBundle(string store)
    {
        if (!Journal.ChangesOf(store).Any(c => c.Kind == "Bundle"))
            Journal.Changes.Add(new JournalChange { Store = store, Kind = "Bundle", Target = Context.BundlePath });
        WriteBundle();
        return Context.BundlePath;
    }

    public byte[] BundleContent()
    {
        var sb = new StringBuilder();
        if (OsBundlePath() is { } os)
        {
            var text = File.ReadAllText(os);
            sb.Append(text);
            if (!text.EndsWith('\n'))
                sb.Append('\n');
        }
        sb.Append("# ZscalerPki: the roots Install-RootCertificate added (Uninstall-RootCertificate removes this file)\n");
        foreach (var r in Journal.Roots)
            sb.Append("# ").Append(r.Subject).Append('\n').Append(r.Pem.TrimEnd()).Append('\n');
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    private void WriteBundle() => Files.Edit(BundleStore, Context.BundlePath, _ => BundleContent());

    // ---------------------------------------------------------------- environment variables

    /// <summary>
    /// Sets variables for <paramref name="store"/>: in the persistent environment (Windows), else in the marked block of the
    /// login shell's file, and in this session.
    /// </summary>
    public void SetVariables(string store, IReadOnlyDictionary<string, string> variables)
    {
        foreach (var (name, value) in variables)
        {
            if (Context.PersistentEnvironment is { } env)
            {
                if (!Journal.ChangesOf(store).Any(c => c.Kind == "Variable" && c.Name == name))
                {
                    var previous = env.Get(name, Context.Scope);
                    var merged = Appended.Contains(name) && !string.IsNullOrEmpty(previous) && !previous.Contains(value, StringComparison.Ordinal) ? previous + " " + value : value;
                    Journal.Changes.Add(new JournalChange { Store = store, Kind = "Variable", Target = Context.Scope.ToString(), Name = name, Value = merged, Previous = previous });
                    env.Set(name, merged, Context.Scope);
                }
            }
            else if (!Journal.ChangesOf(store).Any(c => c.Kind == "ShellVariable" && c.Name == name))
            {
                Journal.Changes.Add(new JournalChange { Store = store, Kind = "ShellVariable", Target = "login shell", Name = name, Value = value, Previous = Context.GetVariable(name) });
            }
            var now = Context.GetVariable(name);
            SessionVariables[name] = Appended.Contains(name) && !string.IsNullOrEmpty(now) && !now.Contains(value, StringComparison.Ordinal) ? now + " " + value : value;
        }
        WriteShellBlocks();
    }

    /// <summary>The files new login shells read for this scope.</summary>
    public IReadOnlyList<string> LoginShellFiles()
    {
        if (Context.Platform == TrustPlatform.Windows)
            return Array.Empty<string>();
        if (Context.Scope == TrustScope.LocalMachine)
            return Context.Platform == TrustPlatform.MacOS ? new[] { "/etc/zprofile" } : new[] { "/etc/profile.d/zscalerpki-trust.sh" };
        var h = Context.Home;
        var files = new List<string>();
        // bash -l reads the first of these that exists; ~/.profile is created when none does.
        files.Add(new[] { ".bash_profile", ".bash_login", ".profile" }.Select(f => Path.Combine(h, f)).FirstOrDefault(File.Exists) ?? Path.Combine(h, ".profile"));
        var zprofile = Path.Combine(h, ".zprofile");
        if (File.Exists(zprofile) || Context.Platform == TrustPlatform.MacOS)
            files.Add(zprofile);
        return files;
    }

    public string ShellBlock()
    {
        var vars = Journal.Changes.Where(c => c.Kind == "ShellVariable").GroupBy(c => c.Name!).Select(g => g.First()).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        if (vars.Count == 0)
            return string.Empty;
        var sb = new StringBuilder();
        sb.Append(BlockStart).Append('\n');
        foreach (var v in vars)
        {
            sb.Append(Appended.Contains(v.Name!)
                ? $"export {v.Name}=\"${{{v.Name}:+${v.Name} }}{EscapeDouble(v.Value!)}\"\n"
                : $"export {v.Name}='{v.Value!.Replace("'", "'\\''")}'\n");
        }
        sb.Append(BlockEnd).Append('\n');
        return sb.ToString();
    }

    private static string EscapeDouble(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("$", "\\$").Replace("`", "\\`");

    private void WriteShellBlocks()
    {
        var block = ShellBlock();
        foreach (var file in LoginShellFiles())
            Files.Edit(ShellStore, file, before => WithBlock(before, block));
    }

    /// <summary>The file with our block replaced (or appended, after a newline if the file does not end with one; or removed).</summary>
    public static byte[]? WithBlock(byte[]? before, string block)
    {
        var text = before is null ? string.Empty : Encoding.UTF8.GetString(before);
        text = WithoutBlock(text);
        if (block.Length == 0)
            return before is null && text.Length == 0 ? null : Encoding.UTF8.GetBytes(text);
        if (text.Length > 0 && !text.EndsWith('\n'))
            text += "\n";
        return Encoding.UTF8.GetBytes(text + block);
    }

    public static string WithoutBlock(string text)
    {
        var start = text.IndexOf(BlockStart, StringComparison.Ordinal);
        if (start < 0)
            return text;
        var end = text.IndexOf(BlockEnd, start, StringComparison.Ordinal);
        end = end < 0 ? text.Length : Math.Min(text.Length, end + BlockEnd.Length + 1);
        return text[..start] + text[end..];
    }

    /// <summary>
    /// After a store's undo: the session loses the variables no store sets any more, the login-shell block and the bundle are
    /// rewritten for what remains, or restored byte for byte when nothing does.
    /// </summary>
    public IReadOnlyList<string> RefreshShared()
    {
        var notes = new List<string>();
        var removed = RemovedVariables.ToList();
        RemovedVariables.Clear();
        foreach (var (name, previous) in removed)
        {
            if (!Journal.Changes.Any(c => c.Kind is "ShellVariable" or "Variable" && c.Name == name))
                SessionVariables[name] = previous;
        }
        if (Journal.Changes.Any(c => c.Kind == "ShellVariable"))
            WriteShellBlocks();
        else
            notes.AddRange(new SharedFileStore(ShellStore).Uninstall(this));
        if (Journal.Changes.Any(c => c.Kind == "Bundle"))
            WriteBundle();
        else
            notes.AddRange(new SharedFileStore(BundleStore).Uninstall(this));
        return notes;
    }

    /// <summary>Roots as certificates, for re-installing the ones that stay.</summary>
    public IReadOnlyList<X509Certificate2> JournalRoots() => Journal.Roots.Select(r => CertificateReader.ReadText(r.Pem)[0]).ToList();
}

/// <summary>The login-shell files and the combined bundle: undone with the generic undo; a changed shell file loses only our block.</summary>
internal sealed class SharedFileStore : TrustStoreBase
{
    public SharedFileStore(string name) => Name = name;

    public override string Name { get; }
    public override string Fix => string.Empty;
    public override bool IsPresent(TrustContext context) => false;
    public override string Location(TrustContext context) => Name;
    public override IReadOnlyList<TrustStoreStatus> Inspect(TrustInstallation installation, X509Certificate2 root) => Array.Empty<TrustStoreStatus>();
    public override void Install(TrustInstallation installation, X509Certificate2 root) { }

    protected override string RevertChanged(TrustInstallation installation, JournalChange change)
    {
        if (Name == TrustInstallation.ShellStore && File.Exists(change.Target))
        {
            var text = File.ReadAllText(change.Target);
            Storage.AtomicFile.WriteAllText(change.Target, TrustInstallation.WithoutBlock(text));
            return $"'{change.Target}' was changed after the install: only the ZscalerPki block was removed from it.";
        }
        if (Name == TrustInstallation.BundleStore)
        {
            Storage.AtomicFile.TryDelete(change.Target);
            return string.Empty;
        }
        return base.RevertChanged(installation, change);
    }
}
