using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Trust;

/// <summary>
/// Windows: the Root store of the user or the machine (X509Store behind <see cref="IRootCertificateStore"/>). Seam-tested here
/// (no Windows on this machine): tests inject a recording store.
/// </summary>
public sealed class WindowsRootStore : TrustStoreBase
{
    public override string Name => "OS";
    public override string Fix => "For Cert:\\LocalMachine\\Root run PowerShell as Administrator, or use -Scope CurrentUser.";
    public override bool IsPresent(TrustContext context) => context.Platform == TrustPlatform.Windows && context.WindowsRootStore is not null;
    public override string Location(TrustContext context) => context.WindowsRootStore?.Location(context.Scope) ?? "Cert:\\Root";

    public override IReadOnlyList<TrustStoreStatus> Inspect(TrustInstallation i, X509Certificate2 root)
    {
        var has = i.Context.WindowsRootStore!.Contains(root.Thumbprint, i.Context.Scope);
        return new[] { Status(i, Location(i.Context), has, has ? "trusted root" : "not in the Root store", root) };
    }

    public override void Install(TrustInstallation i, X509Certificate2 root)
    {
        var store = i.Context.WindowsRootStore!;
        if (store.Contains(root.Thumbprint, i.Context.Scope))
            return;
        try
        {
            store.Add(root, i.Context.Scope);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
        {
            throw new TrustStoreException(ex.Message);
        }
        i.Journal.Changes.Add(new JournalChange { Store = Name, Kind = "Entry", Target = Location(i.Context), Name = root.Thumbprint });
    }

    protected override void RemoveEntry(TrustInstallation i, JournalChange change) => i.Context.WindowsRootStore!.Remove(change.Name!, i.Context.Scope);
}

/// <summary>
/// macOS: <c>security add-trusted-cert</c> into the login keychain (user) or the System keychain (machine, as root);
/// <c>security remove-trusted-cert</c> and <c>delete-certificate</c> undo it. Seam-tested with a recording process runner.
/// </summary>
public sealed class MacKeychainStore : TrustStoreBase
{
    public override string Name => "OS";
    public override string Fix => "For the System keychain run with sudo and -Scope LocalMachine; a GUI session may ask to confirm a login-keychain trust setting.";
    public override bool IsPresent(TrustContext context) => context.Platform == TrustPlatform.MacOS;

    public override string Location(TrustContext context) => context.Scope == TrustScope.LocalMachine
        ? "/Library/Keychains/System.keychain"
        : Path.Combine(context.Home, "Library", "Keychains", "login.keychain-db");

    public override IReadOnlyList<TrustStoreStatus> Inspect(TrustInstallation i, X509Certificate2 root)
    {
        var r = i.Context.Runner.Run(new ProcessRequest("security", new[] { "find-certificate", "-a", "-Z", Location(i.Context) }) { Timeout = TimeSpan.FromSeconds(30) });
        var has = r.Succeeded && r.Output.Contains(root.Thumbprint, StringComparison.OrdinalIgnoreCase);
        return new[] { Status(i, Location(i.Context), has, has ? "in the keychain (trustRoot)" : "not in the keychain", root) };
    }

    public override void Install(TrustInstallation i, X509Certificate2 root)
    {
        var file = Path.Combine(Path.GetTempPath(), $"zscalerpki-{Guid.NewGuid():N}.cer");
        File.WriteAllBytes(file, root.RawData);
        try
        {
            var args = new List<string> { "add-trusted-cert" };
            if (i.Context.Scope == TrustScope.LocalMachine)
                args.Add("-d");
            args.AddRange(new[] { "-r", "trustRoot", "-k", Location(i.Context), file });
            RunOrThrow(i, "security", args.ToArray());
        }
        finally
        {
            File.Delete(file);
        }
        i.Journal.Changes.Add(new JournalChange { Store = Name, Kind = "Entry", Target = Location(i.Context), Name = root.Thumbprint, Value = CertificateReader.ToPem(root) });
    }

    protected override void RemoveEntry(TrustInstallation i, JournalChange change)
    {
        var file = Path.Combine(Path.GetTempPath(), $"zscalerpki-{Guid.NewGuid():N}.pem");
        File.WriteAllText(file, change.Value);
        try
        {
            var args = new List<string> { "remove-trusted-cert" };
            if (i.Context.Scope == TrustScope.LocalMachine)
                args.Add("-d");
            args.Add(file);
            i.Context.Runner.Run(new ProcessRequest("security", args));
            i.Context.Runner.Run(new ProcessRequest("security", new[] { "delete-certificate", "-Z", change.Name!, change.Target }));
        }
        finally
        {
            File.Delete(file);
        }
    }
}

/// <summary>
/// Firefox on Windows and macOS: <c>security.enterprise_roots.enabled</c> in each profile's user.js, so Firefox trusts what the
/// OS store trusts (the OS store class installs the root). File-based, so it is tested here against a Windows-shaped HOME.
/// </summary>
public sealed class FirefoxEnterpriseRootsStore : TrustStoreBase
{
    public const string Pref = "user_pref(\"security.enterprise_roots.enabled\", true);";

    public override string Name => "Firefox";
    public override string Fix => "Close Firefox and check that its profile folder is writable.";

    public static IReadOnlyList<string> Profiles(TrustContext c)
    {
        if (c.Scope != TrustScope.CurrentUser)
            return Array.Empty<string>();
        var root = c.Platform switch
        {
            TrustPlatform.Windows => Path.Combine(c.GetVariable("APPDATA") ?? Path.Combine(c.Home, "AppData", "Roaming"), "Mozilla", "Firefox", "Profiles"),
            TrustPlatform.MacOS => Path.Combine(c.Home, "Library", "Application Support", "Firefox", "Profiles"),
            _ => null,
        };
        return root is not null && Directory.Exists(root) ? Directory.EnumerateDirectories(root).Take(64).ToList() : Array.Empty<string>();
    }

    public override bool IsPresent(TrustContext context) => Profiles(context).Count > 0;
    public override string Location(TrustContext context) => string.Join("; ", Profiles(context));

    public override IReadOnlyList<TrustStoreStatus> Inspect(TrustInstallation i, X509Certificate2 root) => Profiles(i.Context).Select(p =>
    {
        var userJs = Path.Combine(p, "user.js");
        var has = File.Exists(userJs) && File.ReadAllText(userJs).Contains(Pref, StringComparison.Ordinal);
        return Status(i, p, has, has ? "security.enterprise_roots.enabled: trusts the OS store" : "security.enterprise_roots.enabled not set", root);
    }).ToList();

    public override void Install(TrustInstallation i, X509Certificate2 root)
    {
        foreach (var p in Profiles(i.Context))
            i.Files.Edit(Name, Path.Combine(p, "user.js"), before => AppSettingsStore.WithSettingBlock(before, Pref + "\n"));
    }
}
