using System.Globalization;
using System.Text.RegularExpressions;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Trust;

/// <summary>
/// How one headless browser run is set up for the trust probe: its arguments and environment, the output line after which it
/// is over, the error it reported, and the temp folder (its profile) that is deleted afterwards. <see cref="Unavailable"/>
/// says why the browser cannot be run at all (Firefox without a profile).
/// </summary>
internal sealed class BrowserLaunch : IDisposable
{
    public IReadOnlyList<string> Arguments { get; init; } = Array.Empty<string>();
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();
    public Func<string, bool>? StopWhen { get; init; }
    /// <summary>The error the browser reported for the probe's page (e.g. net::ERR_CERT_AUTHORITY_INVALID), else null.</summary>
    public Func<ProcessResult, string?> Refusal { get; init; } = _ => null;
    /// <summary>
    /// Whether the page failed for a reason that is not about the certificate (a name lookup, a reset connection): such a
    /// run says nothing about trust and is run once more.
    /// </summary>
    public Func<ProcessResult, bool> NotAboutTrust { get; init; } = _ => false;
    public string? Unavailable { get; init; }
    public string? UnavailableFix { get; init; }
    public string? TempFolder { get; init; }

    public void Dispose()
    {
        if (TempFolder is null || !Directory.Exists(TempFolder))
            return;
        try
        {
            Directory.Delete(TempFolder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // a browser process still closing a file: the temp folder is left to the system's temp cleaning
        }
    }

}

/// <summary>
/// A headless browser as a client of <see cref="TrustProbe"/>: it loads the probe's URL with the trust the user's browser
/// has (Chromium: the user's ~/.pki/nssdb; Firefox: a temp copy of the default profile's certificate databases), through
/// the probe's proxy when there is one. The verdict is the server's (the page's request arrived); the error is the one
/// the browser printed.
/// </summary>
internal abstract class BrowserClient
{
    public abstract string Name { get; }

    /// <summary>Program names, first found wins.</summary>
    public abstract IReadOnlyList<string> Programs { get; }

    public abstract string Fix { get; }

    public abstract BrowserLaunch Prepare(TrustContext context, string url, string? proxy);

    public static IReadOnlyList<BrowserClient> All { get; } = new BrowserClient[] { new FirefoxClient(), new ChromiumClient() };

    public string? Find(IProcessRunner runner) => Programs.Select(runner.Find).FirstOrDefault(p => p is not null);

    /// <summary>XDG folders inside the run's temp folder: what the browser caches or configures stays out of the user's home.</summary>
    protected static Dictionary<string, string?> PrivateXdg(string temp) => new()
    {
        ["XDG_CONFIG_HOME"] = Path.Combine(temp, "config"),
        ["XDG_CACHE_HOME"] = Path.Combine(temp, "cache"),
        ["XDG_DATA_HOME"] = Path.Combine(temp, "data"),
    };

    protected static bool IsRoot => !OperatingSystem.IsWindows() && string.Equals(System.Environment.UserName, "root", StringComparison.Ordinal);
}

/// <summary>
/// Chromium (or Chrome) headless with a temp --user-data-dir: on Linux it trusts the user-added roots of ~/.pki/nssdb (and
/// its own root store), not the OS store. It prints "Page load failed: net::ERR_…" with --enable-logging=stderr and exits.
/// As root it needs --no-sandbox. A proxy is --proxy-server with loopback not bypassed.
/// </summary>
internal sealed class ChromiumClient : BrowserClient
{
    public override string Name => "chromium";

    public override IReadOnlyList<string> Programs { get; } = new[] { "chromium", "chromium-browser", "google-chrome-stable", "google-chrome" };

    public override string Fix =>
        "Install-RootCertificate -Store NSS (Chromium on Linux trusts added roots from ~/.pki/nssdb; if it has none yet: start Chromium once, or certutil -N -d sql:$HOME/.pki/nssdb --empty-password)";

    private static readonly Regex NetError = new(@"net::(ERR_[A-Z0-9_]+)", RegexOptions.CultureInvariant);

    public override BrowserLaunch Prepare(TrustContext context, string url, string? proxy)
    {
        var temp = VaultPermissions.CreateTempFolder("zscalerpki-chromium-");
        var args = new List<string>
        {
            "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions", "--enable-logging=stderr",
            "--user-data-dir=" + Path.Combine(temp, "profile"),
        };
        if (IsRoot)
            args.Add("--no-sandbox");
        if (proxy is not null)
        {
            args.Add("--proxy-server=" + proxy);
            args.Add("--proxy-bypass-list=<-loopback>");
        }
        args.Add("--dump-dom");
        args.Add(url);
        return new BrowserLaunch
        {
            Arguments = args,
            Environment = PrivateXdg(temp),
            TempFolder = temp,
            StopWhen = line => line.Contains("Page load failed", StringComparison.Ordinal),
            Refusal = run =>
            {
                var lines = run.Error.Split('\n');
                var failed = lines.FirstOrDefault(l => l.Contains("Page load failed", StringComparison.Ordinal) && NetError.IsMatch(l))
                    ?? lines.FirstOrDefault(l => NetError.IsMatch(l));
                return failed is null ? null : "net::" + NetError.Match(failed).Groups[1].Value;
            },
            // Chromium's certificate and TLS errors: net::ERR_CERT_*, net::ERR_SSL_*, net::ERR_BAD_SSL_CLIENT_AUTH_CERT.
            NotAboutTrust = run => NetError.Match(run.Error) is { Success: true } m && !m.Groups[1].Value.StartsWith("ERR_CERT_", StringComparison.Ordinal)
                && !m.Groups[1].Value.Contains("SSL", StringComparison.Ordinal),
        };
    }
}

/// <summary>
/// Firefox headless against a temp copy of the certificate databases of the user's default profile (cert9.db, key4.db,
/// pkcs11.txt; profiles.ini and installs.ini say which is the default), so the user's profile is never locked or changed.
/// --screenshot loads the page and exits when it loaded; on a certificate error Firefox stays on its error page, so the run
/// ends at the nsHttp log line (MOZ_LOG=nsHttp:4) where the page's channel stops with an NSS error, which names the error
/// (SEC_ERROR_UNKNOWN_ISSUER, MOZILLA_PKIX_ERROR_…). A proxy is network.proxy.* in the temp profile, localhost included.
/// </summary>
internal sealed class FirefoxClient : BrowserClient
{
    public override string Name => "firefox";

    public override IReadOnlyList<string> Programs { get; } = new[] { "firefox", "firefox-esr" };

    public override string Fix => "Install-RootCertificate -Store NSS (writes the root into every Firefox profile's cert9.db; close Firefox first)";

    public const string NoProfileFix = "Start Firefox once (it creates its profile), then Install-RootCertificate -Store NSS";

    /// <summary>Where Firefox keeps its profiles (profiles.ini): the classic folder, the XDG one (newer Firefox), Snap, Flatpak.</summary>
    public static IReadOnlyList<string> ProfileRoots(string home) => new[]
    {
        Path.Combine(home, ".mozilla", "firefox"),
        Path.Combine(home, ".config", "mozilla", "firefox"),
        Path.Combine(home, "snap", "firefox", "common", ".mozilla", "firefox"),
        Path.Combine(home, ".var", "app", "org.mozilla.firefox", ".mozilla", "firefox"),
    };

    /// <summary>
    /// The user's default Firefox profile that has a certificate database: the install's default (installs.ini, or an
    /// [Install…] section of profiles.ini), else the profile marked Default=1, else the first profile listed; null when none.
    /// </summary>
    public static string? DefaultProfile(string home)
    {
        foreach (var root in ProfileRoots(home))
        {
            var profilesIni = Path.Combine(root, "profiles.ini");
            if (!File.Exists(profilesIni))
                continue;
            var profiles = ReadIni(profilesIni);
            var installs = File.Exists(Path.Combine(root, "installs.ini")) ? ReadIni(Path.Combine(root, "installs.ini")) : new();
            var candidates = new List<string>();
            candidates.AddRange(installs.Values.Select(s => s.GetValueOrDefault("Default")).OfType<string>());
            candidates.AddRange(profiles.Where(s => s.Key.StartsWith("Install", StringComparison.OrdinalIgnoreCase)).Select(s => s.Value.GetValueOrDefault("Default")).OfType<string>());
            var listed = profiles.Where(s => s.Key.StartsWith("Profile", StringComparison.OrdinalIgnoreCase)).Select(s => s.Value).ToList();
            candidates.AddRange(listed.Where(p => p.GetValueOrDefault("Default") == "1").Select(p => Resolve(root, p)).OfType<string>());
            candidates.AddRange(listed.Select(p => Resolve(root, p)).OfType<string>());
            foreach (var c in candidates)
            {
                var dir = Path.IsPathRooted(c) ? c : Path.Combine(root, c);
                if (File.Exists(Path.Combine(dir, "cert9.db")))
                    return dir;
            }
        }
        return null;
    }

    private static string? Resolve(string root, Dictionary<string, string> profile)
    {
        if (profile.GetValueOrDefault("Path") is not { Length: > 0 } path)
            return null;
        return profile.GetValueOrDefault("IsRelative") == "0" ? path : Path.Combine(root, path);
    }

    private static Dictionary<string, Dictionary<string, string>> ReadIni(string path)
    {
        var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        Dictionary<string, string>? current = null;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('[') && line.EndsWith(']'))
                sections[line[1..^1]] = current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            else if (current is not null && line.IndexOf('=') is var eq and > 0)
                current[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
        return sections;
    }

    public override BrowserLaunch Prepare(TrustContext context, string url, string? proxy)
    {
        var source = DefaultProfile(context.Home);
        if (source is null)
        {
            return new BrowserLaunch
            {
                Unavailable = $"No Firefox profile with a certificate database (cert9.db) in {string.Join(", ", ProfileRoots(context.Home).Select(r => Path.Combine(r, "profiles.ini")))}",
                UnavailableFix = NoProfileFix,
            };
        }
        var temp = VaultPermissions.CreateTempFolder("zscalerpki-firefox-");
        var profile = Path.Combine(temp, "profile");
        Directory.CreateDirectory(profile);
        foreach (var f in new[] { "cert9.db", "key4.db" })
        {
            if (File.Exists(Path.Combine(source, f)))
                File.Copy(Path.Combine(source, f), Path.Combine(profile, f));
        }
        // pkcs11.txt names the profile folder it belongs to: the copy names the copy.
        if (File.Exists(Path.Combine(source, "pkcs11.txt")))
            File.WriteAllText(Path.Combine(profile, "pkcs11.txt"), File.ReadAllText(Path.Combine(source, "pkcs11.txt")).Replace(source, profile, StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(profile, "user.js"), UserJs(proxy));
        var env = PrivateXdg(temp);
        env["MOZ_LOG"] = "nsHttp:4";
        env["MOZ_LOG_FILE"] = null;
        env["MOZ_CRASHREPORTER_DISABLE"] = "1";
        var watch = new ChannelWatch(url);
        return new BrowserLaunch
        {
            Arguments = new[] { "--headless", "--no-remote", "--profile", profile, "--screenshot", Path.Combine(temp, "page.png"), url },
            Environment = env,
            TempFolder = temp,
            StopWhen = watch.Line,
            Refusal = _ => watch.Status is { } s ? Describe(s) : null,
            // NSS and mozilla::pkix errors are module 0x805A; anything else (NS_ERROR_UNKNOWN_HOST, NS_ERROR_NET_RESET) is not a verdict.
            NotAboutTrust = _ => watch.Status is { } s && !s.StartsWith("805a", StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <summary>Prefs of the temp profile: no first-run pages, no background connections, the proxy (or none).</summary>
    public static string UserJs(string? proxy)
    {
        var prefs = new List<(string, object)>
        {
            ("browser.shell.checkDefaultBrowser", false), ("browser.startup.page", 0), ("browser.startup.homepage_override.mstone", "ignore"),
            ("datareporting.policy.dataSubmissionEnabled", false), ("datareporting.healthreport.uploadEnabled", false),
            ("toolkit.telemetry.enabled", false), ("toolkit.telemetry.reportingpolicy.firstRun", false), ("app.update.enabled", false),
            ("app.update.auto", false), ("app.normandy.enabled", false), ("extensions.update.enabled", false), ("browser.search.update", false),
            ("network.captive-portal-service.enabled", false), ("network.connectivity-service.enabled", false),
            ("browser.safebrowsing.malware.enabled", false), ("browser.safebrowsing.phishing.enabled", false),
            ("browser.safebrowsing.downloads.enabled", false), ("browser.safebrowsing.update.enabled", false),
            ("browser.region.update.enabled", false), ("browser.region.network.url", ""), ("dom.push.connection.enabled", false),
            ("network.dns.disablePrefetch", true), ("network.prefetch-next", false), ("network.http.speculative-parallel-limit", 0),
            ("network.trr.mode", 5), ("security.OCSP.enabled", 0), ("security.remote_settings.crlite_filters.enabled", false),
            ("security.remote_settings.intermediates.enabled", false), ("services.settings.server", "http://127.0.0.1:9/"),
        };
        if (proxy is not null && Uri.TryCreate(proxy, UriKind.Absolute, out var p))
        {
            prefs.AddRange(new (string, object)[]
            {
                ("network.proxy.type", 1), ("network.proxy.http", p.Host), ("network.proxy.http_port", p.Port),
                ("network.proxy.ssl", p.Host), ("network.proxy.ssl_port", p.Port), ("network.proxy.no_proxies_on", ""),
                ("network.proxy.allow_hijacking_localhost", true),
            });
        }
        else
        {
            prefs.Add(("network.proxy.type", 0));
        }
        return string.Concat(prefs.Select(kv => $"user_pref(\"{kv.Item1}\", {Value(kv.Item2)});\n"));

        static string Value(object v) => v switch
        {
            bool b => b ? "true" : "false",
            int i => i.ToString(CultureInfo.InvariantCulture),
            _ => "\"" + v.ToString()!.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
        };
    }

    /// <summary>
    /// Follows Firefox's nsHttp log: the channels created for the probe's URL (nsHttpChannel::Init, then uri=…, both on the
    /// main thread of the same process) and the status they stop with (nsHttpChannel::OnStopRequest … status=…). A failure
    /// status of one of them ends the run. Lines of Firefox's processes interleave (a content process logs the page's uri
    /// while the parent opens a background channel), so a channel is known by its process and address, and a uri line
    /// belongs to the last channel initialised in its own process.
    /// </summary>
    public sealed class ChannelWatch
    {
        private static readonly Regex Init = new(@"^\[(?<p>[^\]:]+): Main Thread\]: .*nsHttpChannel::Init \[this=(?<id>[0-9a-fx]+)\]", RegexOptions.CultureInvariant);
        private static readonly Regex UriLine = new(@"^\[(?<p>[^\]:]+): Main Thread\]: .*\buri=(?<uri>\S+)", RegexOptions.CultureInvariant);
        private static readonly Regex Stop = new(@"^\[(?<p>[^\]:]+): [^\]]*\]: .*nsHttpChannel::OnStopRequest \[this=(?<id>[0-9a-fx]+) .*\bstatus=(?<status>[0-9a-fA-F]+)", RegexOptions.CultureInvariant);
        private readonly string _url;
        private readonly HashSet<string> _ours = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _lastInit = new(StringComparer.Ordinal);

        public ChannelWatch(string url) => _url = url.TrimEnd('/');

        /// <summary>The failure status (hex) the probe's page stopped with, or null.</summary>
        public string? Status { get; private set; }

        public bool Line(string line)
        {
            if (Init.Match(line) is { Success: true } i)
            {
                _lastInit[i.Groups["p"].Value] = i.Groups["id"].Value;
                return false;
            }
            if (UriLine.Match(line) is { Success: true } u && _lastInit.Remove(u.Groups["p"].Value, out var channel))
            {
                if (string.Equals(u.Groups["uri"].Value.TrimEnd('/'), _url, StringComparison.OrdinalIgnoreCase))
                    _ours.Add(u.Groups["p"].Value + "/" + channel);
                return false;
            }
            if (Stop.Match(line) is { Success: true } s && _ours.Contains(s.Groups["p"].Value + "/" + s.Groups["id"].Value)
                && s.Groups["status"].Value.TrimStart('0').Length > 0)
            {
                Status = s.Groups["status"].Value;
                return true;
            }
            return false;
        }
    }

    private static readonly Dictionary<int, string> NssErrors = new()
    {
        [-8179] = "SEC_ERROR_UNKNOWN_ISSUER", [-8181] = "SEC_ERROR_EXPIRED_CERTIFICATE", [-8180] = "SEC_ERROR_REVOKED_CERTIFICATE",
        [-8172] = "SEC_ERROR_UNTRUSTED_ISSUER", [-8171] = "SEC_ERROR_UNTRUSTED_CERT", [-8162] = "SEC_ERROR_EXPIRED_ISSUER_CERTIFICATE",
        [-8156] = "SEC_ERROR_CA_CERT_INVALID", [-8102] = "SEC_ERROR_INADEQUATE_KEY_USAGE", [-8101] = "SEC_ERROR_INADEQUATE_CERT_TYPE",
        [-8182] = "SEC_ERROR_BAD_SIGNATURE", [-8183] = "SEC_ERROR_BAD_DER", [-8016] = "SEC_ERROR_CERT_SIGNATURE_ALGORITHM_DISABLED",
        [-12276] = "SSL_ERROR_BAD_CERT_DOMAIN",
        [-16384] = "MOZILLA_PKIX_ERROR_KEY_PINNING_FAILURE", [-16383] = "MOZILLA_PKIX_ERROR_CA_CERT_USED_AS_END_ENTITY",
        [-16382] = "MOZILLA_PKIX_ERROR_INADEQUATE_KEY_SIZE", [-16381] = "MOZILLA_PKIX_ERROR_V1_CERT_USED_AS_CA",
        [-16379] = "MOZILLA_PKIX_ERROR_NOT_YET_VALID_CERTIFICATE", [-16378] = "MOZILLA_PKIX_ERROR_NOT_YET_VALID_ISSUER_CERTIFICATE",
        [-16377] = "MOZILLA_PKIX_ERROR_SIGNATURE_ALGORITHM_MISMATCH", [-16370] = "MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT",
        [-16369] = "MOZILLA_PKIX_ERROR_MITM_DETECTED",
    };

    private static readonly Dictionary<uint, string> NetErrors = new()
    {
        [0x804B000D] = "NS_ERROR_CONNECTION_REFUSED", [0x804B000E] = "NS_ERROR_NET_TIMEOUT", [0x804B0014] = "NS_ERROR_NET_RESET",
        [0x804B001E] = "NS_ERROR_UNKNOWN_HOST", [0x804B0048] = "NS_ERROR_PROXY_CONNECTION_REFUSED", [0x804B002A] = "NS_ERROR_UNKNOWN_PROXY_HOST",
        [0x804B0047] = "NS_ERROR_NET_INTERRUPT",
    };

    /// <summary>The name of a Firefox channel status: an NSS / mozilla::pkix error (module 0x805A), a network error, else its hex.</summary>
    public static string Describe(string hex)
    {
        if (!uint.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var status))
            return "status " + hex;
        if ((status & 0xFFFF0000) == 0x805A0000)
        {
            var code = -(int)(status & 0xFFFF);
            return NssErrors.TryGetValue(code, out var name) ? $"{name} (NSS error {code})" : $"NSS error {code}";
        }
        return NetErrors.TryGetValue(status, out var net) ? net : $"0x{status:X8}";
    }
}
