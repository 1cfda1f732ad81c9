namespace ZscalerPki.Conformance.Clients;

/// <summary>Every client runner this repository knows, in snapshot order.</summary>
public static class ClientRunners
{
    public static string DriversDir(string repoRoot) => Path.Combine(repoRoot, "tests", "ZscalerPki.Conformance", "drivers");

    public static IReadOnlyList<IClientRunner> All(string repoRoot)
    {
        var drivers = DriversDir(repoRoot);
        var python = ClientProcess.Which("python3");
        var go = ClientProcess.Which("go");
        var java = ClientProcess.Which("java");
        var javac = ClientProcess.Which("javac");
        var node = ClientProcess.Which("node") ?? ClientProcess.Which("nodejs");
        var chromium = ClientProcess.Which("chromium") ?? ClientProcess.Which("chromium-browser");
        var certutil = ClientProcess.Which("certutil");
        string[] javaExports = { "--add-exports", "java.base/sun.security.validator=ALL-UNNAMED", "--add-exports", "java.base/sun.security.util=ALL-UNNAMED" };
        return new IClientRunner[]
        {
            new OpenSslRunner(strict: false),
            new OpenSslRunner(strict: true),
            new DriverRunner("pyca",
                () => python is null ? "python3 not found on PATH"
                    : ClientProcess.Run(python, new[] { "-c", "import cryptography.x509.verification" }, timeoutMs: 30_000).ExitCode != 0
                        ? "python3 has no cryptography.x509.verification (pyca/cryptography >= 42)" : null,
                () => "cryptography " + ClientProcess.VersionOf(python!, "-c", "import cryptography; print(cryptography.__version__)"),
                _ => (python!, new[] { Path.Combine(drivers, "pyca_verify.py") }, null)),
            new NssRunner(),
            new GnuTlsRunner(),
            new HandshakeRunner("node", ClientProcess.Which("node") ?? ClientProcess.Which("nodejs"), Path.Combine(drivers, "node_verify.js"),
                "node not found on PATH (Debian: nodejs)",
                exe => "Node " + ClientProcess.VersionOf(exe, "-p", "process.version + ' (OpenSSL ' + process.versions.openssl + ')'"),
                "Node validates chains only in a TLS handshake; the case has no private key for the peer certificate"),
            new HandshakeRunner("python-ssl", python, Path.Combine(drivers, "pyssl_verify.py"),
                "python3 not found on PATH",
                exe => ClientProcess.VersionOf(exe, "-c", "import ssl, sys; print('Python %d.%d.%d ssl (%s), Python 3.13 default flags' % (sys.version_info[:3] + (ssl.OPENSSL_VERSION,)))"),
                "Python ssl validates chains only in a TLS handshake; the case has no private key for the peer certificate"),
            // Chrome's verifier as Chromium ships it (Debian's chromium), headless against a loopback server: drivers/chromium_verify.js.
            new DriverRunner("chrome",
                () => chromium is null ? "chromium not found on PATH (Debian: chromium)"
                    : certutil is null ? "certutil not found on PATH (Debian: libnss3-tools)"
                    : node is null ? "node not found on PATH (Debian: nodejs)" : null,
                () => ClientProcess.VersionOf(chromium!, "--version"),
                work => (node!, new[] { Path.Combine(drivers, "chromium_verify.js"), chromium!, certutil!, Path.Combine(work, "chromium") }, null)),
            new DriverRunner("go",
                () => go is null ? "go not found on PATH (Debian: golang-go)" : null,
                () => ClientProcess.VersionOf(go!, "version"),
                work =>
                {
                    var exe = Path.Combine(work, "goverify");
                    // go needs a build cache; without HOME (some CI shells) it goes into the scratch folder.
                    Dictionary<string, string>? goEnv = Environment.GetEnvironmentVariable("GOCACHE") is null && Environment.GetEnvironmentVariable("HOME") is null && Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is null
                        ? new Dictionary<string, string> { ["GOCACHE"] = Path.Combine(work, "gocache") } : null;
                    var build = ClientProcess.Run(go!, new[] { "build", "-o", exe, Path.Combine(drivers, "go", "main.go") }, env: goEnv, workDir: work, timeoutMs: 300_000);
                    if (build.ExitCode != 0) throw new InvalidOperationException("go build failed: " + build.StdErr);
                    return (exe, Array.Empty<string>(), null);
                }),
            new DriverRunner("java",
                () => java is null || javac is null ? "java/javac not found on PATH (Debian: default-jdk-headless)" : null,
                () => ClientProcess.VersionOf(java!, "-version"),
                work =>
                {
                    var classes = Path.Combine(work, "java");
                    var build = ClientProcess.Run(javac!, javaExports.Concat(new[] { "-nowarn", "-d", classes, Path.Combine(drivers, "java", "JavaVerify.java") }), workDir: work, timeoutMs: 300_000);
                    if (build.ExitCode != 0) throw new InvalidOperationException("javac failed: " + build.StdErr);
                    return (java!, javaExports.Concat(new[] { "-cp", classes, "JavaVerify" }).ToList(), null);
                }),
        };
    }

    /// <summary>The repository root: the first folder at or above <paramref name="start"/> holding ZscalerPki.sln.</summary>
    public static string FindRepoRoot(string start)
    {
        var dir = new DirectoryInfo(start);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ZscalerPki.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("ZscalerPki.sln not found at or above " + start);
    }

    /// <summary>Runs one client over the cases in a fresh scratch folder and stamps client id and version on each verdict.</summary>
    public static List<ClientVerdict> RunClient(IClientRunner runner, IReadOnlyList<ClientCase> cases)
    {
        var work = Path.Combine(Path.GetTempPath(), $"zpki-clients-{runner.Id}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var version = runner.Version;
            return runner.Run(cases, work).Select(v => v with { Client = runner.Id, ClientVersion = version }).ToList();
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
