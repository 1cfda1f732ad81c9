namespace ZscalerPki.Core.Trust;

/// <summary>Whose trust is changed: this user's stores and settings, or the machine's (root/Administrator).</summary>
public enum TrustScope
{
    CurrentUser,
    LocalMachine,
}

public enum TrustPlatform
{
    Linux,
    Windows,
    MacOS,
}

/// <summary>
/// Everything a trust store needs from its surroundings, passed in: scope, HOME, the module's data folder (journal, combined
/// bundle, backups), the one process runner, the environment, and the Windows seams. Tests point HOME and the data folder at
/// temp folders and inject fakes for the runner and the Windows/macOS parts.
/// </summary>
public sealed record TrustContext
{
    public required TrustScope Scope { get; init; }
    public required string Home { get; init; }
    /// <summary>The ZscalerPki folder: ~/.local/share/ZscalerPki, %LOCALAPPDATA%\ZscalerPki, or /var/lib/ZscalerPki for the machine.</summary>
    public required string DataFolder { get; init; }
    public IProcessRunner Runner { get; init; } = new SystemProcessRunner();
    public TrustPlatform Platform { get; init; } = CurrentPlatform;
    /// <summary>Reads an environment variable of this session.</summary>
    public Func<string, string?> GetVariable { get; init; } = Environment.GetEnvironmentVariable;
    /// <summary>The persistent user/machine environment (Windows registry); null elsewhere.</summary>
    public IPersistentEnvironment? PersistentEnvironment { get; init; }
    /// <summary>The Windows certificate store (Root); null elsewhere.</summary>
    public IRootCertificateStore? WindowsRootStore { get; init; }
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;

    public string JournalPath => Path.Combine(DataFolder, "trust-journal.json");
    public string BundlePath => Path.Combine(DataFolder, "ca-bundle.pem");
    public string BackupFolder => Path.Combine(DataFolder, "trust-backups");

    public static TrustPlatform CurrentPlatform =>
        OperatingSystem.IsWindows() ? TrustPlatform.Windows : OperatingSystem.IsMacOS() ? TrustPlatform.MacOS : TrustPlatform.Linux;

    /// <summary>The context of this machine and user for a scope.</summary>
    public static TrustContext ForCurrentSystem(TrustScope scope)
    {
        var home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new TrustContext
        {
            Scope = scope,
            Home = home,
            DataFolder = DefaultDataFolder(scope, CurrentPlatform, home, Environment.GetEnvironmentVariable),
            PersistentEnvironment = OperatingSystem.IsWindows() ? new WindowsPersistentEnvironment() : null,
            WindowsRootStore = OperatingSystem.IsWindows() ? new WindowsRootCertificateStore() : null,
        };
    }

    public static string DefaultDataFolder(TrustScope scope, TrustPlatform platform, string home, Func<string, string?> env) => (scope, platform) switch
    {
        (TrustScope.CurrentUser, TrustPlatform.Windows) => Path.Combine(env("LOCALAPPDATA") ?? Path.Combine(home, "AppData", "Local"), "ZscalerPki"),
        (TrustScope.LocalMachine, TrustPlatform.Windows) => Path.Combine(env("ProgramData") ?? @"C:\ProgramData", "ZscalerPki"),
        (TrustScope.CurrentUser, TrustPlatform.MacOS) => Path.Combine(home, "Library", "Application Support", "ZscalerPki"),
        (TrustScope.LocalMachine, TrustPlatform.MacOS) => "/Library/Application Support/ZscalerPki",
        (TrustScope.CurrentUser, _) => Path.Combine(env("XDG_DATA_HOME") is { Length: > 0 } x ? x : Path.Combine(home, ".local", "share"), "ZscalerPki"),
        _ => "/var/lib/ZscalerPki",
    };
}

/// <summary>The persistent environment new sessions inherit (Windows: HKCU\Environment or the machine's). A seam: tests record.</summary>
public interface IPersistentEnvironment
{
    string? Get(string name, TrustScope scope);
    void Set(string name, string? value, TrustScope scope);
}

/// <summary>The OS root store (Windows X509Store Root). A seam: tests record what would be added and removed.</summary>
public interface IRootCertificateStore
{
    bool Contains(string thumbprint, TrustScope scope);
    void Add(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, TrustScope scope);
    void Remove(string thumbprint, TrustScope scope);
    string Location(TrustScope scope);
}

/// <summary>Windows: HKCU\Environment / the machine environment through .NET (broadcasts WM_SETTINGCHANGE).</summary>
internal sealed class WindowsPersistentEnvironment : IPersistentEnvironment
{
    public string? Get(string name, TrustScope scope) => Environment.GetEnvironmentVariable(name, Target(scope));

    public void Set(string name, string? value, TrustScope scope) => Environment.SetEnvironmentVariable(name, value, Target(scope));

    private static EnvironmentVariableTarget Target(TrustScope scope) =>
        scope == TrustScope.LocalMachine ? EnvironmentVariableTarget.Machine : EnvironmentVariableTarget.User;
}

/// <summary>Windows: the Root store of the user or the machine through X509Store.</summary>
internal sealed class WindowsRootCertificateStore : IRootCertificateStore
{
    private static System.Security.Cryptography.X509Certificates.X509Store Open(TrustScope scope, bool write)
    {
        var store = new System.Security.Cryptography.X509Certificates.X509Store(
            System.Security.Cryptography.X509Certificates.StoreName.Root,
            scope == TrustScope.LocalMachine ? System.Security.Cryptography.X509Certificates.StoreLocation.LocalMachine : System.Security.Cryptography.X509Certificates.StoreLocation.CurrentUser);
        store.Open(write ? System.Security.Cryptography.X509Certificates.OpenFlags.ReadWrite : System.Security.Cryptography.X509Certificates.OpenFlags.ReadOnly);
        return store;
    }

    public bool Contains(string thumbprint, TrustScope scope)
    {
        using var store = Open(scope, false);
        return store.Certificates.Find(System.Security.Cryptography.X509Certificates.X509FindType.FindByThumbprint, thumbprint, false).Count > 0;
    }

    public void Add(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, TrustScope scope)
    {
        using var store = Open(scope, true);
        store.Add(certificate);
    }

    public void Remove(string thumbprint, TrustScope scope)
    {
        using var store = Open(scope, true);
        foreach (var c in store.Certificates.Find(System.Security.Cryptography.X509Certificates.X509FindType.FindByThumbprint, thumbprint, false))
            store.Remove(c);
    }

    public string Location(TrustScope scope) => scope == TrustScope.LocalMachine ? @"Cert:\LocalMachine\Root" : @"Cert:\CurrentUser\Root";
}
