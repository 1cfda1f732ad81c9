using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace ZscalerPki.Core.Trust;

/// <summary>What one real client did with the chain: trusted or not, the error as it printed it, and what would fix it.</summary>
public sealed record TrustClientResult(string Client, string Version, bool Trusted, string? Error, string? Fix)
{
    public string? Path { get; init; }
    /// <summary>The inspecting proxy the client went through (e.g. "mitmproxy 8.1.1 at 127.0.0.1:41235"), or null.</summary>
    public string? Through { get; init; }
}

/// <summary>Test-RootCertificateTrust's request: a server chain (leaf with key) on loopback, or a real endpoint.</summary>
public sealed record TrustProbeRequest
{
    public X509Certificate2? ServerCertificate { get; init; }
    public IReadOnlyList<X509Certificate2> ServerChain { get; init; } = Array.Empty<X509Certificate2>();
    public Uri? Uri { get; init; }
    /// <summary>An HTTP proxy every client is sent through (e.g. mitmproxy), or null.</summary>
    public string? Proxy { get; init; }
    /// <summary>Whether the proxy saw the request holding a token (its flow log); with it, a client that reached the server past the proxy is not counted.</summary>
    public Func<string, bool>? ProxySaw { get; init; }
    /// <summary>What each result says it went through (<see cref="TrustClientResult.Through"/>).</summary>
    public string? Through { get; init; }
    /// <summary>Client names to run (default all found).</summary>
    public IReadOnlyList<string>? Clients { get; init; }
    /// <summary>How to start a child PowerShell: program and leading arguments (pwsh, or dotnet + pwsh.dll); null = pwsh on PATH.</summary>
    public IReadOnlyList<string>? PowerShell { get; init; }
    /// <summary>Run clients through a new login shell (bash -lc), so they see what new shells get.</summary>
    public bool LoginShell { get; init; } = true;
    public TimeSpan ClientTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Runs the real TLS clients of this machine against a chain: curl, wget, openssl s_client, Python ssl, Python requests, Node
/// https, Java (a small program compiled once into the ZscalerPki folder), git, and PowerShell's Invoke-WebRequest in a child
/// process. On loopback, "trusted" is observed by the server (the client's request arrived after the handshake).
/// </summary>
public sealed class TrustProbe
{
    private readonly TrustContext _context;

    public TrustProbe(TrustContext context) => _context = context;

    private sealed record Client(string Name, string Program, Func<string, string, string[]> Args, string[] VersionArgs, string Fix, Func<string, string?>? Stdin = null)
    {
        /// <summary>A headless browser: run through <see cref="BrowserClient.Prepare"/>; its exit code says nothing about trust.</summary>
        public BrowserClient? Browser { get; init; }
    }

    public static IReadOnlyList<string> ClientNames => new[] { "curl", "wget", "openssl", "python-ssl", "python-requests", "node", "java", "git", "pwsh", "firefox", "chromium" };

    private IEnumerable<Client> Clients(TrustProbeRequest request, string dataFolder)
    {
        const string py = "import sys,urllib.request\ntry:\n  urllib.request.urlopen(sys.argv[1], timeout=15).read()\nexcept Exception as e:\n  print(type(e).__name__+': '+str(e), file=sys.stderr); sys.exit(1)";
        const string rq = "import sys,requests\ntry:\n  requests.get(sys.argv[1], timeout=15)\nexcept Exception as e:\n  print(type(e).__name__+': '+str(e), file=sys.stderr); sys.exit(1)";
        const string js = "require('https').get(process.argv[1],r=>{r.resume();r.on('end',()=>process.exit(0))}).on('error',e=>{console.error((e.code?e.code+': ':'')+e.message);process.exit(1)})";
        // Node's https ignores https_proxy: through a proxy the script sends CONNECT itself, then TLS and one GET over that tunnel.
        const string jsProxy = "const u=new URL(process.argv[1]),q=new URL(process.argv[2]);const fail=e=>{console.error((e.code?e.code+': ':'')+e.message);process.exit(1)};"
            + "require('http').request({host:q.hostname,port:q.port||80,method:'CONNECT',path:u.hostname+':'+(u.port||443)}).on('connect',(r,s)=>{if(r.statusCode!==200)return fail(new Error('proxy CONNECT: HTTP '+r.statusCode));"
            + "const t=require('tls').connect({socket:s,servername:u.hostname},()=>{t.write('GET '+u.pathname+u.search+' HTTP/1.1\\r\\nHost: '+u.host+'\\r\\nConnection: close\\r\\n\\r\\n');t.resume();t.on('end',()=>process.exit(0))}).on('error',fail)}).on('error',fail).end()";
        var proxy = request.Proxy is { } px && Uri.TryCreate(px, UriKind.Absolute, out var pu) ? pu : null;
        yield return new Client("curl", "curl", (u, _) => new[] { "-sS", "-o", "/dev/null", "--max-time", "15", u }, new[] { "--version" },
            "Install-RootCertificate -Store Curl (CURL_CA_BUNDLE), or -Store OS -Scope LocalMachine");
        yield return new Client("wget", "wget", (u, _) => new[] { "--no-verbose", "-O", "/dev/null", "--tries=1", "--timeout=15", u }, new[] { "--version" },
            "Install-RootCertificate -Store Wget (ca_certificate in ~/.wgetrc), or -Store OS -Scope LocalMachine");
        yield return new Client("openssl", "openssl", (u, h) => new[] { "s_client", "-connect", HostPort(u), "-servername", h, "-verify_return_error", "-verify_hostname", h, "-brief" }
                .Concat(proxy is null ? Array.Empty<string>() : new[] { "-proxy", $"{proxy.Host}:{proxy.Port}" }).ToArray(),
            new[] { "version" }, "Install-RootCertificate -Store Python (SSL_CERT_FILE), or -Store OS -Scope LocalMachine",
            u => $"GET {new Uri(u).PathAndQuery} HTTP/1.0\r\nHost: {new Uri(u).Host}\r\n\r\n");
        yield return new Client("python-ssl", "python3", (u, _) => new[] { "-c", py, u }, new[] { "--version" },
            "Install-RootCertificate -Store Python (SSL_CERT_FILE), or -Store OS -Scope LocalMachine");
        yield return new Client("python-requests", "python3", (u, _) => new[] { "-c", rq, u }, new[] { "-c", "import requests,certifi; print('requests '+requests.__version__+' (certifi '+certifi.__version__+')')" },
            "Install-RootCertificate -Store Python (REQUESTS_CA_BUNDLE: requests uses certifi's roots, not the OS store)");
        yield return new Client("node", _context.Runner.Find("node") is not null ? "node" : "nodejs", (u, _) => proxy is null ? new[] { "-e", js, u } : new[] { "-e", jsProxy, u, proxy.ToString() }, new[] { "--version" },
            "Install-RootCertificate -Store Node (NODE_EXTRA_CA_CERTS: Node uses its own Mozilla roots)");
        yield return new Client("java", "java", (u, _) => (proxy is null ? Array.Empty<string>() : new[] { $"-Dhttps.proxyHost={proxy.Host}", $"-Dhttps.proxyPort={proxy.Port}", "-Dhttp.nonProxyHosts=" })
                .Concat(new[] { "-cp", Path.Combine(dataFolder, "trust-probe"), "TrustProbe", u }).ToArray(), new[] { "-version" },
            "Install-RootCertificate -Store Java (cacerts with -Scope LocalMachine, else a user truststore via JAVA_TOOL_OPTIONS)");
        yield return new Client("git", "git", (u, _) => new[] { "-c", "credential.helper=", "ls-remote", u }, new[] { "--version" },
            "Install-RootCertificate -Store Git (http.sslCAInfo)");
        var ps = request.PowerShell is { Count: > 0 } p ? p : new[] { "pwsh" };
        yield return new Client("pwsh", ps[0], (u, _) => ps.Skip(1).Concat(new[] { "-NoProfile", "-NonInteractive", "-Command", $"try {{ Invoke-WebRequest -Uri '{u}' -UseBasicParsing -TimeoutSec 15 | Out-Null }} catch {{ [Console]::Error.WriteLine($_.Exception.Message); exit 1 }}" }).ToArray(),
            ps.Skip(1).Concat(new[] { "-NoProfile", "-Command", "$PSVersionTable.PSVersion.ToString()" }).ToArray(),
            ".NET on Linux reads the OS store and SSL_CERT_FILE: Install-RootCertificate -Store OS -Scope LocalMachine, or -Store Python");
        foreach (var browser in BrowserClient.All)
        {
            var program = browser.Find(_context.Runner) ?? browser.Programs[0];
            yield return new Client(browser.Name, program, (_, _) => Array.Empty<string>(), new[] { "--version" }, browser.Fix) { Browser = browser };
        }
    }

    private static string HostPort(string url)
    {
        var u = new Uri(url);
        return $"{u.Host}:{u.Port}";
    }

    public IReadOnlyList<TrustClientResult> Run(TrustProbeRequest request, Action<string, int>? progress = null)
    {
        LoopbackTlsServer? server = null;
        try
        {
            string baseUrl;
            if (request.Uri is { } uri)
            {
                baseUrl = uri.GetLeftPart(UriPartial.Authority);
            }
            else
            {
                server = new LoopbackTlsServer(request.ServerCertificate ?? throw new ArgumentException("A server certificate or a URI is needed."), request.ServerChain);
                baseUrl = server.Url(string.Empty);
            }
            var host = new Uri(baseUrl).Host;
            var clients = Clients(request, _context.DataFolder)
                .Where(c => request.Clients is not { Count: > 0 } || request.Clients.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).ToList();
            // The Java probe is compiled before the clients start; then the clients run four at a time (each is mostly a
            // process start), and progress is reported on the caller's thread as they finish.
            if (clients.Any(c => c.Name == "java") && _context.Runner.Find("java") is { } java)
                EnsureJavaProbe(java);
            using var gate = new SemaphoreSlim(4);
            var tasks = clients.Select(client => Task.Run(() =>
            {
                gate.Wait();
                try
                {
                    return RunOne(client, request, server, baseUrl, host);
                }
                finally
                {
                    gate.Release();
                }
            })).ToList();
            var pending = tasks.Cast<Task>().ToList();
            while (pending.Count > 0)
            {
                var done = Task.WaitAny(pending.ToArray());
                pending.RemoveAt(done);
                progress?.Invoke($"{tasks.Count - pending.Count} of {tasks.Count} clients done", 100 * (tasks.Count - pending.Count) / tasks.Count);
            }
            var results = tasks.Select(t => t.Result).OfType<TrustClientResult>().ToList();
            return results;
        }
        finally
        {
            server?.Dispose();
        }
    }

    private TrustClientResult? RunOne(Client client, TrustProbeRequest request, LoopbackTlsServer? server, string baseUrl, string host)
    {
        var program = _context.Runner.Find(client.Program);
        if (program is null)
            return null;
        var version = Version(program, client);
        if (version is null)
            return null; // e.g. python3 without requests
        if (client.Name == "java" && !File.Exists(Path.Combine(_context.DataFolder, "trust-probe", "TrustProbe.class")))
            return null;
        var token = $"zpki-{client.Name}-{Guid.NewGuid():N}";
        var url = request.Uri is { } u2 ? u2.ToString() : $"{baseUrl}/probe/{token}";
        if (client.Browser is { } browser)
            return RunBrowser(browser, program, version, url, token, request, server);
        var run = RunClient(program, client.Args(url, host), client.Stdin?.Invoke(url), request);
        var trusted = server is not null ? server.SawRequest(token) || (run.Succeeded && client.Name != "git") : run.Succeeded || (client.Name == "git" && !LooksLikeTls(run.Error));
        return Verdict(client.Name, version, program, trusted, token, request, server, () => ErrorOf(run), client.Fix);
    }

    /// <summary>
    /// The result; through a proxy that reports what it saw (mitmproxy), a request that reached the loopback server without
    /// passing the proxy is not counted as trust: that client ignored the proxy settings.
    /// </summary>
    private static TrustClientResult Verdict(string name, string version, string program, bool trusted, string token, TrustProbeRequest request, LoopbackTlsServer? server, Func<string> error, string fix)
    {
        if (trusted && server is not null && request.ProxySaw is { } saw && !saw(token))
            return new TrustClientResult(name, version, false, "reached the server without going through the proxy (this client ignores the proxy settings)", "Point this client at the proxy itself (its own proxy setting)") { Path = program, Through = request.Through };
        return new TrustClientResult(name, version, trusted, trusted ? null : error(), trusted ? null : fix) { Path = program, Through = request.Through };
    }

    /// <summary>
    /// A headless browser: its launch prepared (temp profile), run, its temp folder deleted; the server saw its page or not.
    /// A page that failed for a reason that is not about the certificate (a browser's own name lookup or connection, seen
    /// once in about twenty Firefox runs on a loaded machine) is loaded once more in a new temp profile before it counts.
    /// </summary>
    private TrustClientResult RunBrowser(BrowserClient browser, string program, string version, string url, string token, TrustProbeRequest request, LoopbackTlsServer? server)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var launch = browser.Prepare(_context, url, request.Proxy);
            if (launch.Unavailable is { } why)
                return new TrustClientResult(browser.Name, version, false, why, launch.UnavailableFix ?? browser.Fix) { Path = program, Through = request.Through };
            var run = RunClient(program, launch.Arguments.ToArray(), null, request, launch.Environment, launch.StopWhen);
            var refusal = launch.Refusal(run);
            var trusted = server is not null ? server.SawRequest(token) : run.Succeeded && refusal is null;
            if (!trusted && attempt == 1 && launch.NotAboutTrust(run))
                continue;
            return Verdict(browser.Name, version, program, trusted, token, request, server,
                () => refusal ?? (run.TimedOut ? $"timed out after {request.ClientTimeout.TotalSeconds:0} s without loading the page" : $"the page was not loaded ({ErrorOf(run)})"), browser.Fix);
        }
    }

    private ProcessResult RunClient(string program, string[] args, string? stdin, TrustProbeRequest request, IReadOnlyDictionary<string, string?>? extra = null, Func<string, bool>? stopWhen = null)
    {
        var env = new Dictionary<string, string?> { ["GIT_TERMINAL_PROMPT"] = "0" };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
            env[k] = v;
        if (request.Proxy is { } proxy)
        {
            foreach (var v in new[] { "https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY" })
                env[v] = proxy;
            env["no_proxy"] = env["NO_PROXY"] = string.Empty;
        }
        if (request.LoginShell && _context.Platform != TrustPlatform.Windows && _context.Runner.Find("bash") is { } bash)
        {
            var all = new List<string> { "-lc", "exec \"$0\" \"$@\"", program };
            all.AddRange(args);
            return _context.Runner.Run(new ProcessRequest(bash, all) { StandardInput = stdin, Environment = env, Timeout = request.ClientTimeout, StopWhen = stopWhen });
        }
        return _context.Runner.Run(new ProcessRequest(program, args) { StandardInput = stdin, Environment = env, Timeout = request.ClientTimeout, StopWhen = stopWhen });
    }

    private string? Version(string program, Client client)
    {
        var r = _context.Runner.Run(new ProcessRequest(program, client.VersionArgs) { Timeout = TimeSpan.FromSeconds(30) });
        if (!r.Succeeded)
            return null;
        var line = (r.Output + "\n" + r.Error).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("Picked up", StringComparison.Ordinal)) ?? string.Empty;
        return line.Length > 60 ? line[..60] : line;
    }

    private static bool LooksLikeTls(string text) =>
        new[] { "certificate", "SSL", "TLS", "verify" }.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase));

    /// <summary>The line of the client's output that says why (the first about certificates/TLS, else the last).</summary>
    public static string ErrorOf(ProcessResult run)
    {
        var lines = (run.Error + "\n" + run.Output).Split('\n').Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith("Picked up", StringComparison.Ordinal) && !l.StartsWith("at ", StringComparison.Ordinal)).ToList();
        if (run.TimedOut)
            return "timed out";
        // openssl prints the chain (depth=1 … CN = … SSL Inspection CA) before its verdict: a line that says it failed wins.
        var line = lines.FirstOrDefault(l => LooksLikeTls(l) && Regex.IsMatch(l, "error|fail|unable|not trusted|exception|refus", RegexOptions.IgnoreCase))
            ?? lines.FirstOrDefault(LooksLikeTls) ?? lines.LastOrDefault() ?? $"exit code {run.ExitCode}";
        if (line.Length <= 200)
            return line;
        // A long line (Python's requests) is cut around what it says about the certificate.
        var at = new[] { "CERTIFICATE_VERIFY_FAILED", "certificate verify", "PKIX", "certificate", "SSL" }
            .Select(w => line.IndexOf(w, StringComparison.OrdinalIgnoreCase)).Where(x => x >= 0).DefaultIfEmpty(0).First();
        var start = Math.Max(0, at - 40);
        var cut = line.Substring(start, Math.Min(200, line.Length - start));
        return (start > 0 ? "…" : string.Empty) + cut + (start + cut.Length < line.Length ? "…" : string.Empty);
    }

    private const string JavaSource = """
        public class TrustProbe {
            public static void main(String[] args) throws Exception {
                try {
                    javax.net.ssl.HttpsURLConnection c = (javax.net.ssl.HttpsURLConnection) new java.net.URL(args[0]).openConnection();
                    c.setConnectTimeout(15000);
                    c.setReadTimeout(15000);
                    c.getResponseCode();
                } catch (Exception e) {
                    System.err.println(e.getClass().getName() + ": " + e.getMessage());
                    System.exit(1);
                }
            }
        }
        """;

    /// <summary>Compiles the Java probe once into &lt;ZscalerPki folder&gt;/trust-probe (javac next to java, or on PATH).</summary>
    private bool EnsureJavaProbe(string java)
    {
        var dir = Path.Combine(_context.DataFolder, "trust-probe");
        if (File.Exists(Path.Combine(dir, "TrustProbe.class")))
            return true;
        var javac = Path.Combine(Path.GetDirectoryName(TrackedFiles.Resolve(java))!, "javac");
        if (!File.Exists(javac))
            javac = _context.Runner.Find("javac") ?? string.Empty;
        if (javac.Length == 0)
            return false;
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "TrustProbe.java"), JavaSource);
        var r = _context.Runner.Run(new ProcessRequest(javac, new[] { "--release", "11", "-d", dir, Path.Combine(dir, "TrustProbe.java") }) { Timeout = TimeSpan.FromSeconds(120) });
        return r.Succeeded;
    }
}
