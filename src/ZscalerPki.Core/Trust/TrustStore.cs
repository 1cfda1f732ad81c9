using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Trust;

/// <summary>One store as Get-RootCertificateTrust shows it: is the root there, and what needs attention.</summary>
public sealed record TrustStoreStatus(string Store, TrustScope Scope, string Location, bool Installed, string Detail)
{
    public string? Thumbprint { get; init; }
}

/// <summary>What Install-/Uninstall-RootCertificate did in one store.</summary>
public sealed record TrustStoreResult(string Store, TrustScope Scope, string Location, string Action, string Detail)
{
    public string? Thumbprint { get; init; }
}

/// <summary>
/// A trust store: found on this machine or not, the root installed or not (inspect), install, uninstall. Each class holds one
/// kind of store; every change goes through <see cref="TrustInstallation"/> (journal, tracked files, the one process runner).
/// </summary>
public interface ITrustStore
{
    /// <summary>The name -Store takes (OS, NSS, Java, Python, Node, Git, Curl, Wget, AwsCli, AzureCli, Gcloud, Firefox).</summary>
    string Name { get; }

    /// <summary>What to do when the store cannot be written (shown in its error).</summary>
    string Fix { get; }

    /// <summary>True when this store exists here for the context's scope (a default install writes only those).</summary>
    bool IsPresent(TrustContext context);

    /// <summary>Where the store is, for messages.</summary>
    string Location(TrustContext context);

    IReadOnlyList<TrustStoreStatus> Inspect(TrustInstallation installation, X509Certificate2 root);

    void Install(TrustInstallation installation, X509Certificate2 root);

    /// <summary>Takes back every change the journal holds for this store; returns what could not be restored exactly.</summary>
    IReadOnlyList<string> Uninstall(TrustInstallation installation);
}

/// <summary>The common undo: restore each recorded file (when still as we left it), put variables back, remove entries.</summary>
public abstract class TrustStoreBase : ITrustStore
{
    public abstract string Name { get; }
    public abstract string Fix { get; }
    public abstract bool IsPresent(TrustContext context);
    public abstract string Location(TrustContext context);
    public abstract IReadOnlyList<TrustStoreStatus> Inspect(TrustInstallation installation, X509Certificate2 root);
    public abstract void Install(TrustInstallation installation, X509Certificate2 root);

    protected TrustStoreStatus Status(TrustInstallation i, string location, bool installed, string detail, X509Certificate2 root) =>
        new(Name, i.Context.Scope, location, installed, detail) { Thumbprint = root.Thumbprint };

    public virtual IReadOnlyList<string> Uninstall(TrustInstallation installation)
    {
        var notes = new List<string>();
        var files = installation.Files;
        var mine = installation.Journal.ChangesOf(Name).Reverse().ToList();
        var exact = mine.Where(c => (c.Kind == "File" && TrackedFiles.IsAsWeLeftIt(c)) || (c.Kind == "FolderEntry" && TrackedFiles.EntryAsWeLeftIt(c))).ToList();
        foreach (var c in mine)
        {
            switch (c.Kind)
            {
                case "File" when exact.Contains(c):
                    installation.RestoreFile(c);
                    break;
                case "File":
                    notes.Add(RevertChanged(installation, c));
                    files.Forget(c);
                    break;
                case "FolderEntry" when exact.Contains(c):
                    files.RestoreEntry(c, forget: false);
                    break;
                case "FolderEntry":
                    files.Forget(c); // changed since by someone else: the tool's refresh below decides
                    break;
                case "Variable":
                    installation.Context.PersistentEnvironment?.Set(c.Name!, c.Previous, installation.Context.Scope);
                    installation.RemovedVariables.TryAdd(c.Name!, c.Previous);
                    installation.Journal.Changes.Remove(c);
                    break;
                case "ShellVariable":
                    installation.RemovedVariables.TryAdd(c.Name!, c.Previous);
                    installation.Journal.Changes.Remove(c);
                    break;
                case "Bundle":
                    installation.Journal.Changes.Remove(c);
                    break;
                case "Entry":
                    RemoveEntry(installation, c);
                    installation.Journal.Changes.Remove(c);
                    break;
            }
        }
        AfterUninstall(installation);
        // Folders our writes created, deepest first, when nothing else was put in them.
        foreach (var c in mine.Where(c => c.Kind == "Folder").OrderByDescending(c => c.Target.Length))
        {
            if (Directory.Exists(c.Target) && !Directory.EnumerateFileSystemEntries(c.Target).Any())
                Directory.Delete(c.Target);
            installation.Journal.Changes.Remove(c);
        }
        // A store's tool (update-ca-certificates, keytool) may have rewritten a file we had already put back: the backup wins.
        foreach (var c in exact)
        {
            if (c.Kind == "FolderEntry")
                files.RestoreEntry(c, forget: true);
            else
                installation.RestoreFile(c, final: true);
        }
        return notes.Where(n => n.Length > 0).ToList();
    }

    /// <summary>A file someone changed after us: take back only our part (default: leave it and say so).</summary>
    protected virtual string RevertChanged(TrustInstallation installation, JournalChange change) =>
        $"{Name}: '{change.Target}' was changed after the install; it was left as it is. Remove the ZscalerPki root from it by hand.";

    protected virtual void RemoveEntry(TrustInstallation installation, JournalChange change)
    {
    }

    protected virtual void AfterUninstall(TrustInstallation installation)
    {
    }

    /// <summary>Runs a command; a failure throws the store's write error with what the command printed.</summary>
    protected ProcessResult RunOrThrow(TrustInstallation i, string program, params string[] args)
    {
        var result = i.Context.Runner.Run(new ProcessRequest(program, args) { Timeout = TimeSpan.FromSeconds(120) });
        if (!result.Succeeded)
            throw new TrustStoreException($"'{program} {string.Join(' ', args)}' failed (exit {result.ExitCode}): {result.Tail()}");
        return result;
    }

    /// <summary>The file name our root gets in a store folder.</summary>
    protected static string FileStem(X509Certificate2 root) => "zscalerpki-" + root.Thumbprint[..16].ToLowerInvariant();
}

/// <summary>A store could not be written; TrustService turns it into one TrustStoreWriteFailed error naming the store and its fix.</summary>
public sealed class TrustStoreException : Exception
{
    public TrustStoreException(string message)
        : base(message)
    {
    }
}
