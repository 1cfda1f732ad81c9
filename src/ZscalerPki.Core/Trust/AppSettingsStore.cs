using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ZscalerPki.Core.Trust;

/// <summary>
/// A setting in an application's config file pointed at the combined bundle: appended in our marked block (<see cref="Block"/>),
/// or, for INI/YAML files whose readers reject a repeated section or key, set in place (<see cref="Apply"/>). Undo restores the
/// file from its backup either way.
/// </summary>
public sealed record ConfigSetting(string Description, string[] Programs, Func<TrustContext, string?> Path, Func<string, string> Block)
{
    public Func<byte[]?, string, byte[]>? Apply { get; init; }
}

/// <summary>
/// An application that keeps its own trust store, pointed at the ONE combined bundle the module writes (OS bundle + our roots):
/// environment variables (login-shell block / Windows environment, and this session) and config-file settings (each in a
/// marked block, so undo restores the file byte for byte). One instance per application (<see cref="All"/>).
/// </summary>
public sealed class AppSettingsStore : TrustStoreBase
{
    private readonly string _name;
    private readonly string[] _programs;
    private readonly string[] _variables;
    private readonly ConfigSetting[] _settings;
    private readonly string _fix;

    /// <summary>Variables set only when this session already has them (e.g. GIT_SSL_CAINFO, which overrides http.sslCAInfo).</summary>
    public string[] VariablesIfSet { get; init; } = Array.Empty<string>();

    private string[] VariablesFor(TrustContext c) => _variables.Concat(VariablesIfSet.Where(v => !string.IsNullOrEmpty(c.GetVariable(v)) || OwnsVariable(c, v))).ToArray();

    private bool OwnsVariable(TrustContext c, string v) => TrustJournal.Load(c.JournalPath).Changes.Any(x => x.Store == _name && x.Name == v);

    public AppSettingsStore(string name, string[] programs, string[] variables, ConfigSetting[] settings, string fix)
    {
        _name = name;
        _programs = programs;
        _variables = variables;
        _settings = settings;
        _fix = fix;
    }

    public override string Name => _name;
    public override string Fix => _fix;
    public IReadOnlyList<string> Variables => _variables;

    public override bool IsPresent(TrustContext context) => _programs.Any(p => context.Runner.Find(p) is not null);

    public override string Location(TrustContext context) =>
        string.Join(", ", VariablesFor(context).Concat(ActiveSettings(context).Select(s => s.Path(context)!)));

    private IEnumerable<ConfigSetting> ActiveSettings(TrustContext c) =>
        _settings.Where(s => s.Path(c) is not null && (s.Programs.Length == 0 || s.Programs.Any(p => c.Runner.Find(p) is not null)));

    public override void Install(TrustInstallation i, X509Certificate2 root)
    {
        var bundle = i.UseBundle(Name);
        var variables = VariablesFor(i.Context);
        if (variables.Length > 0)
            i.SetVariables(Name, variables.ToDictionary(v => v, _ => bundle));
        foreach (var s in ActiveSettings(i.Context))
        {
            var block = s.Block(bundle);
            i.Files.Edit(Name, s.Path(i.Context)!, before => s.Apply is { } apply ? apply(before, bundle) : WithSettingBlock(before, block));
        }
    }

    public const string SettingStart = "# >>> ZscalerPki trust (Uninstall-RootCertificate removes this) >>>";
    public const string SettingEnd = "# <<< ZscalerPki trust <<<";

    internal static byte[] WithSettingBlock(byte[]? before, string block)
    {
        var text = before is null ? string.Empty : Encoding.UTF8.GetString(before);
        var start = text.IndexOf(SettingStart, StringComparison.Ordinal);
        if (start >= 0)
        {
            var end = text.IndexOf(SettingEnd, start, StringComparison.Ordinal);
            text = text[..start] + (end < 0 ? string.Empty : text[Math.Min(text.Length, end + SettingEnd.Length + 1)..]);
        }
        if (text.Length > 0 && !text.EndsWith('\n'))
            text += "\n";
        return Encoding.UTF8.GetBytes(text + SettingStart + "\n" + block + SettingEnd + "\n");
    }

    public override IReadOnlyList<TrustStoreStatus> Inspect(TrustInstallation i, X509Certificate2 root)
    {
        var c = i.Context;
        var bundle = c.BundlePath;
        var problems = new List<string>();
        var inBundle = File.Exists(bundle) && LinuxOsStore.BundleHas(bundle, root);
        if (!inBundle)
            problems.Add(File.Exists(bundle) ? "root not in the combined bundle" : "no combined bundle (not installed)");
        else if (i.OsBundlePath() is { } os && File.GetLastWriteTimeUtc(os) > File.GetLastWriteTimeUtc(bundle))
            problems.Add("combined bundle older than the OS bundle (Install-RootCertificate refreshes it)");
        var variables = VariablesFor(c);
        if (variables.Length > 0)
        {
            var shell = NewShellValues(c, variables);
            foreach (var v in variables)
            {
                if (shell.GetValueOrDefault(v) != bundle)
                    problems.Add($"{v} not set for new shells");
                else if (c.GetVariable(v) != bundle)
                    problems.Add($"{v} not set in this session");
            }
        }
        foreach (var s in ActiveSettings(c))
        {
            var path = s.Path(c)!;
            if (!File.Exists(path) || !File.ReadAllText(path).Contains(bundle, StringComparison.Ordinal))
                problems.Add($"{s.Description} not set");
        }
        var installed = inBundle && problems.All(p => p.Contains("this session", StringComparison.Ordinal) || p.StartsWith("combined bundle older", StringComparison.Ordinal));
        return new[] { Status(i, Location(c), installed, problems.Count == 0 ? $"uses {bundle}" : string.Join("; ", problems), root) };
    }

    /// <summary>What a new login shell sees (Windows: the persistent environment).</summary>
    internal static Dictionary<string, string> NewShellValues(TrustContext c, IReadOnlyList<string> names)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (c.PersistentEnvironment is { } env)
        {
            foreach (var n in names)
            {
                if (env.Get(n, c.Scope) is { } v)
                    values[n] = v;
            }
            return values;
        }
        if (c.Runner.Find("bash") is not { } bash || c.Runner.Find("env") is not { } envTool)
            return values;
        var args = new List<string> { "-i", "HOME=" + c.Home, bash, "-lc", "for v; do printf '%s=%s\\n' \"$v\" \"$(printenv \"$v\")\"; done", "bash" };
        args.AddRange(names);
        var r = c.Runner.Run(new ProcessRequest(envTool, args) { Timeout = TimeSpan.FromSeconds(20) });
        foreach (var line in r.Output.Split('\n'))
        {
            var eq = line.IndexOf('=');
            if (eq > 0 && line.Length > eq + 1)
                values[line[..eq]] = line[(eq + 1)..];
        }
        return values;
    }

    private static string? Home(TrustContext c, params string[] parts) => c.Scope == TrustScope.CurrentUser ? System.IO.Path.Combine(new[] { c.Home }.Concat(parts).ToArray()) : null;

    private static string? PipConfig(TrustContext c) => (c.Scope, c.Platform) switch
    {
        (TrustScope.LocalMachine, TrustPlatform.Windows) => null,
        (TrustScope.LocalMachine, _) => "/etc/pip.conf",
        (_, TrustPlatform.Windows) => System.IO.Path.Combine(c.GetVariable("APPDATA") ?? System.IO.Path.Combine(c.Home, "AppData", "Roaming"), "pip", "pip.ini"),
        (_, TrustPlatform.MacOS) => System.IO.Path.Combine(c.Home, "Library", "Application Support", "pip", "pip.conf"),
        _ => System.IO.Path.Combine(c.GetVariable("XDG_CONFIG_HOME") is { Length: > 0 } x ? x : System.IO.Path.Combine(c.Home, ".config"), "pip", "pip.conf"),
    };

    private static string ActiveGcloudConfig(TrustContext c)
    {
        var folder = c.GetVariable("CLOUDSDK_CONFIG") ?? System.IO.Path.Combine(c.Home, ".config", "gcloud");
        var active = System.IO.Path.Combine(folder, "active_config");
        var name = File.Exists(active) && new FileInfo(active).Length < 256 ? File.ReadAllText(active).Trim() : string.Empty;
        return name.Length > 0 && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_') ? name : "default";
    }

    /// <summary>INI: <paramref name="key"/> = value in [<paramref name="section"/>], replacing the key's line or added below the section header (or a new section at the end).</summary>
    public static byte[] IniSet(byte[]? before, string section, string key, string value)
    {
        var text = before is null ? string.Empty : Encoding.UTF8.GetString(before);
        var lines = text.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
            lines.RemoveAt(lines.Count - 1);
        var header = lines.FindIndex(l => l.Trim().Equals($"[{section}]", StringComparison.OrdinalIgnoreCase));
        var line = $"{key} = {value}";
        if (header < 0)
        {
            lines.Add($"[{section}]");
            lines.Add(line);
        }
        else
        {
            var end = lines.FindIndex(header + 1, l => l.TrimStart().StartsWith('['));
            end = end < 0 ? lines.Count : end;
            var existing = lines.FindIndex(header + 1, end - header - 1, l => l.Split('=')[0].Trim().Equals(key, StringComparison.OrdinalIgnoreCase) && l.Contains('='));
            if (existing >= 0)
                lines[existing] = line;
            else
                lines.Insert(header + 1, line);
        }
        return Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
    }

    /// <summary>YAML (top-level key): replaces the key's line or appends it.</summary>
    public static byte[] YamlSet(byte[]? before, string key, string value)
    {
        var text = before is null ? string.Empty : Encoding.UTF8.GetString(before);
        var lines = text.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
            lines.RemoveAt(lines.Count - 1);
        var existing = lines.FindIndex(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        if (existing >= 0)
            lines[existing] = $"{key}: {value}";
        else
            lines.Add($"{key}: {value}");
        return Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
    }

    /// <summary>The applications, in install order.</summary>
    public static IReadOnlyList<AppSettingsStore> All() => new[]
    {
        new AppSettingsStore("Python", new[] { "python3", "python", "pip3", "pip", "conda" }, new[] { "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE" },
            new[]
            {
                new ConfigSetting("pip global.cert", new[] { "pip3", "pip" }, PipConfig, b => $"[global]\ncert = {b}\n") { Apply = (before, b) => IniSet(before, "global", "cert", b) },
                new ConfigSetting("conda ssl_verify", new[] { "conda" }, c => Home(c, ".condarc"), b => $"ssl_verify: {b}\n") { Apply = (before, b) => YamlSet(before, "ssl_verify", b) },
            },
            "Check that the login shell file and pip.conf are writable."),
        new AppSettingsStore("Node", new[] { "node", "nodejs", "npm" }, new[] { "NODE_EXTRA_CA_CERTS" },
            new[] { new ConfigSetting("npm cafile", new[] { "npm" }, c => Home(c, ".npmrc"), b => $"cafile={b}\n") },
            "Check that the login shell file and ~/.npmrc are writable."),
        new AppSettingsStore("Git", new[] { "git" }, Array.Empty<string>(),
            new[] { new ConfigSetting("git http.sslCAInfo", Array.Empty<string>(), c => c.Scope == TrustScope.LocalMachine ? (c.Platform == TrustPlatform.Windows ? null : "/etc/gitconfig") : System.IO.Path.Combine(c.Home, ".gitconfig"), b => $"[http]\n\tsslCAInfo = {b}\n") },
            "Check that ~/.gitconfig is a writable file (git config --global --list shows it).") { VariablesIfSet = new[] { "GIT_SSL_CAINFO" } },
        new AppSettingsStore("Curl", new[] { "curl" }, new[] { "CURL_CA_BUNDLE" }, Array.Empty<ConfigSetting>(), "Check that the login shell file is writable."),
        new AppSettingsStore("Wget", new[] { "wget" }, Array.Empty<string>(),
            new[] { new ConfigSetting("wget ca_certificate", Array.Empty<string>(), c => c.Scope == TrustScope.LocalMachine ? "/etc/wgetrc" : Home(c, ".wgetrc"), b => $"ca_certificate = {b}\n") },
            "Check that ~/.wgetrc is writable."),
        new AppSettingsStore("AwsCli", new[] { "aws" }, new[] { "AWS_CA_BUNDLE" }, Array.Empty<ConfigSetting>(), "Check that the login shell file is writable."),
        new AppSettingsStore("AzureCli", new[] { "az" }, new[] { "REQUESTS_CA_BUNDLE" }, Array.Empty<ConfigSetting>(), "Check that the login shell file is writable."),
        new AppSettingsStore("Gcloud", new[] { "gcloud" }, Array.Empty<string>(),
            new[] { new ConfigSetting("gcloud core/custom_ca_certs_file", Array.Empty<string>(), c => c.Scope == TrustScope.CurrentUser ? System.IO.Path.Combine(c.GetVariable("CLOUDSDK_CONFIG") ?? System.IO.Path.Combine(c.Home, ".config", "gcloud"), "configurations", "config_" + ActiveGcloudConfig(c)) : null, b => $"[core]\ncustom_ca_certs_file = {b}\n") { Apply = (before, b) => IniSet(before, "core", "custom_ca_certs_file", b) } },
            "Check that the gcloud configuration folder is writable."),
    };
}
