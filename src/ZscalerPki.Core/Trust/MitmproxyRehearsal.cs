using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Authority;
using ZscalerPki.Core.Hsm;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Trust;

/// <summary>
/// The rehearsal of SSL inspection before rollout: mitmproxy signing with a vault CA (the SSL-inspection intermediate), every
/// client of the probe sent through it. <see cref="Start"/> writes mitmproxy's owner-only CA folder and starts mitmdump on
/// loopback; <see cref="Dispose"/> stops it and deletes the folder with the key, whatever happened in between.
/// </summary>
public sealed class MitmproxyRehearsal : IDisposable
{
    private MitmproxyRehearsal(MitmproxyConfdir confdir, MitmproxyProcess proxy)
    {
        Confdir = confdir;
        Proxy = proxy;
    }

    public MitmproxyConfdir Confdir { get; }

    public MitmproxyProcess Proxy { get; }

    /// <summary>
    /// What is refused before a password is asked for: an HSM-held key (mitmproxy signs with a key file; installing
    /// mitmproxy would not help), then a missing mitmdump (<see cref="PkiErrorIds.MitmproxyNotFound"/>).
    /// </summary>
    public static string Check(CertificateAuthority ca, IProcessRunner runner)
    {
        ArgumentNullException.ThrowIfNull(ca);
        ArgumentNullException.ThrowIfNull(runner);
        VaultKeys.RefuseExport(ca.HsmKey, ca.Name, "writing it into mitmproxy's CA file for the rehearsal");
        return runner.Find("mitmdump") ?? throw new PkiException(PkiErrorIds.MitmproxyNotFound, PkiErrorCategory.ObjectNotFound,
            "-ThroughMitmproxy needs mitmproxy, and mitmdump is not on PATH. " + MitmproxyProcess.InstallHint, null);
    }

    /// <summary>
    /// Writes the CA folder (the key opened with <paramref name="password"/>) and starts mitmdump. <paramref name="verifyUpstream"/>
    /// false for the loopback server (its chain is forged, not for mitmproxy to judge). A mitmdump that exits or does not listen
    /// within <paramref name="timeout"/> is <see cref="PkiErrorIds.MitmproxyFailed"/> with what it printed; the folder is gone then.
    /// </summary>
    public static MitmproxyRehearsal Start(CertificateAuthority ca, ReadOnlySpan<char> password, IProcessRunner runner, bool verifyUpstream, TimeSpan timeout)
    {
        var mitmdump = Check(ca, runner);
        MitmproxyConfdir confdir;
        using (var key = ca.OpenKey(password))
            confdir = MitmproxyConfdir.Write(key, ca.Certificate, ca.Issuers);
        try
        {
            return new MitmproxyRehearsal(confdir, MitmproxyProcess.Start(mitmdump, confdir, verifyUpstream, timeout, runner));
        }
        catch (MitmproxyException ex)
        {
            confdir.Dispose();
            throw new PkiException(PkiErrorIds.MitmproxyFailed, PkiErrorCategory.InvalidOperation,
                $"{ex.Message}: {(ex.Output.Length > 0 ? ex.Output : "it printed nothing")}. Run mitmdump --version to check the installation. " + MitmproxyProcess.InstallHint, null);
        }
        catch
        {
            confdir.Dispose();
            throw;
        }
    }

    /// <summary>The probe request sent through this mitmproxy: every client's proxy, what results say they went through, and the proxy's own record of each request.</summary>
    public TrustProbeRequest Apply(TrustProbeRequest request) =>
        request with { Proxy = Proxy.ProxyUrl, Through = Proxy.Through, ProxySaw = Proxy.SawRequest };

    public void Dispose()
    {
        Proxy.Dispose();
        Confdir.Dispose();
    }
}

/// <summary>
/// mitmproxy's configuration folder for a rehearsal: an owner-only temp folder (0700, whatever the umask) holding
/// mitmproxy-ca.pem (0600): the issuer's private key (unencrypted PKCS#8: mitmproxy reads it without a passphrase), then the
/// issuer's certificate, then the CAs above it without the self-signed root. mitmproxy 8 (certs.CertStore.from_files) signs
/// its leaves with the first certificate's key and, when the file holds more than one certificate, loads the file as the
/// chain it sends (OpenSSL builds it from there): the clients get leaf + issuer (+ CAs above it), as from Zscaler, and only
/// the root has to be trusted. An issuer directly below the root is written twice, because a file with one certificate
/// sends no chain. Dispose deletes the folder and everything mitmproxy wrote into it.
/// </summary>
public sealed class MitmproxyConfdir : IDisposable
{
    private MitmproxyConfdir(string path) => Path = path;

    public string Path { get; }

    public string CaFile => System.IO.Path.Combine(Path, "mitmproxy-ca.pem");

    public static MitmproxyConfdir Write(AsymmetricAlgorithm issuerKey, X509Certificate2 issuer, IReadOnlyList<X509Certificate2> above)
    {
        var confdir = new MitmproxyConfdir(VaultPermissions.CreateTempFolder("zscalerpki-mitmproxy-"));
        try
        {
            var chain = above.Where(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData) is false).ToList();
            var pem = new StringBuilder();
            var pkcs8 = issuerKey.ExportPkcs8PrivateKey();
            try
            {
                pem.Append(PemEncoding.Write("PRIVATE KEY", pkcs8)).Append('\n');
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
            foreach (var c in new[] { issuer }.Concat(chain.Count > 0 ? chain : new[] { issuer }))
                pem.Append(PemEncoding.Write("CERTIFICATE", c.RawData)).Append('\n');
            var bytes = Encoding.UTF8.GetBytes(pem.ToString());
            pem.Clear();
            try
            {
                AtomicFile.WriteNew(confdir.CaFile, bytes, secret: true);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
            return confdir;
        }
        catch
        {
            confdir.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (!Directory.Exists(Path))
            return;
        // The key file is overwritten before it is deleted (a copy that outlives the folder's entry is not left on disk).
        foreach (var file in Directory.EnumerateFiles(Path))
        {
            try
            {
                var length = new FileInfo(file).Length;
                if (length > 0)
                    File.WriteAllBytes(file, new byte[length]);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
        Directory.Delete(Path, recursive: true);
    }
}

/// <summary>
/// A running mitmdump on a free loopback port with a <see cref="MitmproxyConfdir"/> as its CA: started, waited for until it
/// listens (bounded), its flow log kept (what it forwarded), stopped (process tree) on Dispose.
/// </summary>
public sealed class MitmproxyProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private MitmproxyProcess(Process process, int port, string version)
    {
        _process = process;
        Port = port;
        Version = version;
    }

    public int Port { get; }

    public string Version { get; }

    public string ProxyUrl => $"http://127.0.0.1:{Port}";

    /// <summary>What the results say they went through.</summary>
    public string Through => $"mitmproxy {Version} at 127.0.0.1:{Port}";

    public const string InstallHint = "Install mitmproxy: apt-get install mitmproxy (Debian/Ubuntu), or pipx install mitmproxy; mitmdump must be on PATH.";

    /// <summary>mitmdump's output so far (its flow log and errors).</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    /// <summary>
    /// True when mitmproxy forwarded a request whose URL holds <paramref name="token"/> (the client trusted mitmproxy's chain).
    /// mitmproxy logs a flow when its response is complete, which can be after the client is done: up to 3 s are waited for it.
    /// </summary>
    public bool SawRequest(string token)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (Log.Split('\n').Any(l => l.Contains(token, StringComparison.Ordinal) && !l.Contains("handshake failed", StringComparison.OrdinalIgnoreCase)))
                return true;
            if (clock.Elapsed > TimeSpan.FromSeconds(3) || _process.HasExited)
                return false;
            Thread.Sleep(100);
        }
    }

    /// <summary>
    /// Starts <paramref name="mitmdump"/> with <paramref name="confdir"/> on 127.0.0.1 and a free port and waits until it
    /// listens. <paramref name="verifyUpstream"/> false for the loopback server (its chain is forged, not for mitmproxy to
    /// judge). Throws <see cref="MitmproxyException"/> with mitmdump's output when it exits or does not listen in time.
    /// </summary>
    public static MitmproxyProcess Start(string mitmdump, MitmproxyConfdir confdir, bool verifyUpstream, TimeSpan timeout, IProcessRunner runner)
    {
        var version = VersionOf(mitmdump, runner);
        var port = FreePort();
        var psi = new ProcessStartInfo(mitmdump)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        psi.Environment["PYTHONUNBUFFERED"] = "1"; // its flow log line by line, not in blocks
        psi.Environment["COLUMNS"] = "4096"; // flow_detail 1 cuts URLs at the terminal width; the flow log must hold the whole URL
        foreach (var a in new[] { "--listen-host", "127.0.0.1", "--listen-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--set", "confdir=" + confdir.Path, "--set", "flow_detail=1" })
            psi.ArgumentList.Add(a);
        if (!verifyUpstream)
        {
            psi.ArgumentList.Add("--set");
            psi.ArgumentList.Add("ssl_insecure=true");
        }
        var process = new Process { StartInfo = psi };
        var proxy = new MitmproxyProcess(process, port, version);
        process.OutputDataReceived += (_, e) => proxy.Append(e.Data);
        process.ErrorDataReceived += (_, e) => proxy.Append(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new MitmproxyException($"mitmdump could not be started ({mitmdump}): {ex.Message}", string.Empty);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (!Listens(port))
        {
            if (process.HasExited || clock.Elapsed > timeout)
            {
                var exited = process.HasExited;
                if (exited)
                    process.WaitForExit(); // and the end of its output
                var code = exited ? process.ExitCode : 0;
                proxy.Dispose();
                var output = proxy.Log.Trim();
                throw new MitmproxyException(
                    exited ? $"mitmdump exited (code {code}) before it listened on 127.0.0.1:{port}" : $"mitmdump did not listen on 127.0.0.1:{port} within {timeout.TotalSeconds:0} s",
                    output.Length <= 600 ? output : "…" + output[^600..]);
            }
            Thread.Sleep(100);
        }
        return proxy;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
        {
            if (_log.Length < 1024 * 1024)
                _log.Append(line).Append('\n');
        }
    }

    private static string VersionOf(string mitmdump, IProcessRunner runner)
    {
        var r = runner.Run(new ProcessRequest(mitmdump, new[] { "--version" }) { Timeout = TimeSpan.FromSeconds(30) });
        var line = (r.Output + "\n" + r.Error).Split('\n').FirstOrDefault(l => l.StartsWith("Mitmproxy:", StringComparison.OrdinalIgnoreCase));
        return line is null ? "?" : line["Mitmproxy:".Length..].Trim();
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static bool Listens(int port)
    {
        try
        {
            using var c = new TcpClient();
            return c.ConnectAsync(IPAddress.Loopback, port).Wait(TimeSpan.FromMilliseconds(200)) && c.Connected;
        }
        catch (Exception ex) when (ex is SocketException or AggregateException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        _process.Dispose();
    }
}

/// <summary>mitmdump did not start or listen; <see cref="Output"/> is what it printed.</summary>
public sealed class MitmproxyException : Exception
{
    public MitmproxyException(string message, string output) : base(message) => Output = output;

    public string Output { get; }
}
