using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;

/// <summary>
/// bench mode "crl": CRLs with 10k, 100k and 1M revoked entries, from the revocation store on disk to a signed file, beside
/// .NET's CertificateRevocationListBuilder (up to 100k), `openssl ca -gencrl` over an equivalent index.txt, and Python
/// cryptography (up to 100k) when it is installed. Ours runs in a child process per size, so its peak memory is its own.
///   dotnet run -c Release --project bench/ZscalerPki.Bench -- crl [max-entries]
/// </summary>
internal static class CrlBench
{
    internal const string Password = "bench-password";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "--child")
            return Child(args[1], int.Parse(args[2], Inv));
        if (args.Length > 0 && args[0] == "--profile")
            return Profile(int.Parse(args[1], Inv));
        var max = args.Length > 0 ? int.Parse(args[0], Inv) : 1_000_000;
        var work = Path.Combine(Path.GetTempPath(), "zpki-crlbench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            var hasPython = Exec("python3", "-c \"import cryptography\"", out _, out _) == 0;
            string? revokeLine = null;
            var lines = new List<string>();
            foreach (var n in new[] { 10_000, 100_000, 1_000_000 }.Where(n => n <= max))
            {
                var dir = Path.Combine(work, n.ToString(Inv));
                var (vault, caCert, keyPem, serials) = Setup(dir, n);

                var (oursSeconds, oursMb) = RunOurs(vault.Root, n);
                var (opensslSeconds, opensslMb) = RunOpenSsl(dir, caCert, keyPem, serials);
                var line = FormattableString.Invariant($"crl {n}: ours {oursSeconds:F3} s {oursMb:F0} MB, openssl {opensslSeconds:F3} s {opensslMb:F0} MB, {opensslSeconds / oursSeconds:F1}x");
                if (n <= 100_000)
                {
                    var dotnet = DotnetBuilder(caCert, keyPem, serials);
                    line += FormattableString.Invariant($"; .NET builder {dotnet:F3} s, {dotnet / oursSeconds:F0}x");
                    if (hasPython)
                    {
                        var (py, pySign) = Python(dir, caCert, keyPem, serials);
                        line += FormattableString.Invariant($"; python cryptography {py:F3} s (encode+sign {pySign:F3} s), {py / oursSeconds:F0}x");
                    }
                }
                if (n == 1_000_000)
                {
                    revokeLine = OneMoreRevocation(vault, n);
                    Console.WriteLine(FirstRevokedRow(vault, serials));
                }
                lines.Add(line);
                if (n < 1_000_000)
                    Console.WriteLine(line);
                Directory.Delete(dir, recursive: true);
            }
            if (revokeLine is not null)
                Console.WriteLine(revokeLine);
            if (max >= 1_000_000)
                Console.WriteLine(lines[^1]);
            return 0;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>A vault with an RSA-2048 root holding <paramref name="n"/> revocations (bulk-loaded, not timed).</summary>
    internal static (Vault Vault, X509Certificate2 Ca, string KeyPem, List<byte[]> Serials) Setup(string dir, int n)
    {
        var vault = Vault.Open(Path.Combine(dir, "vault"));
        var ca = new EnrollmentService(vault).Create(new NewEnrollmentRequest { Name = "Bench", Subject = "CN=Bench CRL CA", KeyPassword = Password.ToCharArray() }).Item;
        var rng = new Random(n);
        var serials = new List<byte[]>(n);
        for (var i = 0; i < n; i++)
        {
            var s = new byte[16];
            rng.NextBytes(s);
            s[0] = (byte)(s[0] & 0x7F | 0x01);
            serials.Add(s);
        }
        var at = DateTimeOffset.UtcNow.AddDays(-1);
        var reasons = new[] { RevocationReason.KeyCompromise, RevocationReason.Superseded, RevocationReason.CessationOfOperation, RevocationReason.AffiliationChanged };
        using (var store = IssuedCertificateStore.Open(vault, "Bench"))
            store.ImportRevocations(serials.Select((s, i) => (s, at, reasons[i % reasons.Length])));
        var caObj = new ZscalerPki.Core.Authority.CaDirectory(vault).Resolve("Bench");
        using var key = caObj.OpenKey(Password);
        return (vault, ca.Certificate, ((RSA)key).ExportPkcs8PrivateKeyPem(), serials);
    }

    /// <summary>Where the time of one revocation and the memory of one CRL go (diagnostics, not part of the report).</summary>
    private static int Profile(int n)
    {
        var dir = Path.Combine(Path.GetTempPath(), "zpki-crlprofile-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var (vault, _, _, _) = Setup(dir, n);
            for (var round = 0; round < 5; round++)
            {
                var sw = Stopwatch.StartNew();
                var t = new List<string>();
                void Mark(string what) { t.Add(FormattableString.Invariant($"{what} {sw.Elapsed.TotalMilliseconds:F2}")); sw.Restart(); }
                var ca = new ZscalerPki.Core.Authority.CaDirectory(vault).Resolve("Bench"); Mark("resolve");
                using var store = IssuedCertificateStore.Open(ca); store.Connection(); Mark("open");
                store.Revoke(SerialNumbers.Parse($"7D00{round:x8}"), RevocationReason.KeyCompromise, DateTimeOffset.UtcNow, null, true); Mark("revoke");
                _ = vault.ReadAll<EnrollmentEntry>(Collections.Enrollment).Count; Mark("readall");
                _ = store.Find(SerialNumbers.Parse($"7D00{round:x8}")); Mark("find");
                Console.WriteLine(string.Join(", ", t));
            }
            using (var store = IssuedCertificateStore.Open(vault, "Bench"))
            using (var key = store.Ca.OpenKey(Password))
            {
                var before = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
                var sw = Stopwatch.StartNew();
                var now = DateTimeOffset.UtcNow;
                new CrlPublisher(vault).Publish(new PublishCrlRequest { Issuer = "Bench", Folder = Path.Combine(dir, "out") }, store, key, now, now.AddDays(7), new List<string>());
                Console.WriteLine(FormattableString.Invariant($"publish {sw.Elapsed.TotalSeconds:F3} s, peak {before:F0} -> {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MB, gc heap {GC.GetTotalMemory(false) / 1048576.0:F0} MB, allocated {GC.GetTotalAllocatedBytes() / 1048576.0:F0} MB"));
            }
            return 0;
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static (double Seconds, double Mb) RunOurs(string vaultRoot, int n)
    {
        var self = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            psi.ArgumentList.Add(typeof(CrlBench).Assembly.Location);
        foreach (var a in new[] { "crl", "--child", vaultRoot, n.ToString(Inv) })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException("child failed: " + output);
        var parts = output.Split(' ');
        return (double.Parse(parts[0], Inv), double.Parse(parts[1], Inv));
    }

    /// <summary>In a fresh process: open the store and key, then time store → signed file on disk (best of 3).</summary>
    private static int Child(string vaultRoot, int n)
    {
        var vault = Vault.Open(vaultRoot);
        using var store = IssuedCertificateStore.Open(vault, "Bench");
        using var key = store.Ca.OpenKey(Password);
        var folder = Path.Combine(vaultRoot, "..", "ours");
        // Peak memory is that of the first publication in this fresh process; the time is the best of three (the first one
        // also pays for JIT). A collection between runs keeps one run's garbage out of the next.
        var best = double.MaxValue;
        double peak = 0;
        for (var i = 0; i < 3; i++)
        {
            var now = DateTimeOffset.UtcNow;
            var sw = Stopwatch.StartNew();
            var result = new CrlPublisher(vault).Publish(new PublishCrlRequest { Issuer = "Bench", Folder = folder }, store, key, now, now.AddDays(7), new List<string>());
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            if (i == 0)
                peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
            if (result.Item.EntryCount != n)
                throw new InvalidOperationException($"{result.Item.EntryCount} entries, want {n}");
            GC.Collect();
        }
        var verify = Exec("openssl", $"crl -inform DER -in \"{Path.Combine(folder, "Bench.crl")}\" -noout", out _, out var err);
        if (verify != 0)
            throw new InvalidOperationException("openssl cannot read our CRL: " + err);
        Console.WriteLine(FormattableString.Invariant($"{best:F4} {peak:F0}"));
        return 0;
    }

    private static (double Seconds, double Mb) RunOpenSsl(string dir, X509Certificate2 ca, string keyPem, List<byte[]> serials)
    {
        var d = Path.Combine(dir, "openssl");
        Directory.CreateDirectory(d);
        File.WriteAllText(Path.Combine(d, "ca.pem"), CertificateReader.ToPem(ca));
        File.WriteAllText(Path.Combine(d, "ca.key"), keyPem);
        File.WriteAllText(Path.Combine(d, "crlnumber"), "01\n");
        var expiry = DateTime.UtcNow.AddYears(1).ToString("yyMMddHHmmss", Inv) + "Z";
        var revoked = DateTime.UtcNow.AddDays(-1).ToString("yyMMddHHmmss", Inv) + "Z";
        var reasons = new[] { "keyCompromise", "superseded", "cessationOfOperation", "affiliationChanged" };
        var sb = new StringBuilder(serials.Count * 96);
        for (var i = 0; i < serials.Count; i++)
            sb.Append("R\t").Append(expiry).Append('\t').Append(revoked).Append(',').Append(reasons[i % 4]).Append('\t')
              .Append(Convert.ToHexString(serials[i])).Append("\tunknown\t/CN=leaf").Append(i).Append('\n');
        File.WriteAllText(Path.Combine(d, "index.txt"), sb.ToString());
        File.WriteAllText(Path.Combine(d, "ca.cnf"), """
            [ ca ]
            default_ca = bench
            [ bench ]
            dir = .
            database = ./index.txt
            crlnumber = ./crlnumber
            certificate = ./ca.pem
            private_key = ./ca.key
            default_md = sha256
            default_crl_days = 7
            """);
        return Timed(d, "openssl", "ca -gencrl -config ca.cnf -out crl.pem");
    }

    private static double DotnetBuilder(X509Certificate2 ca, string keyPem, List<byte[]> serials)
    {
        using var key = RSA.Create();
        key.ImportFromPem(keyPem);
        using var issuer = ca.CopyWithPrivateKey(key);
        var at = DateTimeOffset.UtcNow.AddDays(-1);
        var sw = Stopwatch.StartNew();
        var builder = new CertificateRevocationListBuilder();
        foreach (var s in serials)
            builder.AddEntry(s, at, X509RevocationReason.KeyCompromise);
        var crl = builder.Build(issuer, 1, DateTimeOffset.UtcNow.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var elapsed = sw.Elapsed.TotalSeconds;
        GC.KeepAlive(crl);
        return elapsed;
    }

    private static (double Total, double EncodeSign) Python(string dir, X509Certificate2 ca, string keyPem, List<byte[]> serials)
    {
        var d = Path.Combine(dir, "python");
        Directory.CreateDirectory(d);
        File.WriteAllText(Path.Combine(d, "ca.pem"), CertificateReader.ToPem(ca));
        File.WriteAllText(Path.Combine(d, "ca.key"), keyPem);
        File.WriteAllLines(Path.Combine(d, "serials.txt"), serials.Select(Convert.ToHexString));
        File.WriteAllText(Path.Combine(d, "crl.py"), """
            import datetime, time
            from cryptography import x509
            from cryptography.hazmat.primitives import hashes, serialization
            ca = x509.load_pem_x509_certificate(open("ca.pem", "rb").read())
            key = serialization.load_pem_private_key(open("ca.key", "rb").read(), None)
            serials = [int(l, 16) for l in open("serials.txt")]
            now = datetime.datetime.now(datetime.timezone.utc)
            t0 = time.perf_counter()
            reason = x509.CRLReason(x509.ReasonFlags.key_compromise)
            revoked = [x509.RevokedCertificateBuilder().serial_number(s).revocation_date(now).add_extension(reason, False).build() for s in serials]
            # The builder is immutable: add_revoked_certificate copies the list each time (quadratic), so the list goes to the constructor.
            b = x509.CertificateRevocationListBuilder(issuer_name=ca.subject, last_update=now, next_update=now + datetime.timedelta(days=7), revoked_certificates=revoked)
            t1 = time.perf_counter()
            crl = b.sign(key, hashes.SHA256())
            open("crl.der", "wb").write(crl.public_bytes(serialization.Encoding.DER))
            t2 = time.perf_counter()
            print(f"{t2 - t0:.4f} {t2 - t1:.4f}")
            """);
        var code = Exec("python3", "crl.py", out var stdout, out var err, d);
        if (code != 0)
            throw new InvalidOperationException("python: " + err);
        var parts = stdout.Trim().Split(' ');
        return (double.Parse(parts[0], Inv), double.Parse(parts[1], Inv));
    }

    /// <summary>The cmdlet's path (RevocationService.Revoke: database commit to disk, vault check) in a CA with n revocations; median of 21.</summary>
    private static string OneMoreRevocation(Vault vault, int n)
    {
        var service = new RevocationService(vault);
        var times = new List<double>();
        for (var i = 0; i < 21; i++)
        {
            var sw = Stopwatch.StartNew();
            service.Revoke(new RevokeRequest { Issuer = "Bench", SerialNumber = $"7F00{i:x8}", Reason = RevocationReason.KeyCompromise, Force = true });
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        var commits = new List<double>();
        using (var store = IssuedCertificateStore.Open(vault, "Bench"))
        {
            store.Count();
            for (var i = 0; i < 21; i++)
            {
                var sw = Stopwatch.StartNew();
                store.Revoke(SerialNumbers.Parse($"7E00{i:x8}"), RevocationReason.KeyCompromise, DateTimeOffset.UtcNow, null, force: true);
                commits.Add(sw.Elapsed.TotalMilliseconds);
            }
        }
        commits.Sort();
        return FormattableString.Invariant($"revoke {n}: one more revocation {times[10]:F2} ms (Revoke-Certificate path, median of 21; min {times[0]:F2}, max {times[^1]:F2}; the database commit alone {commits[10]:F2} ms)");
    }

    /// <summary>Get-IssuedCertificate -Revoked over n issued rows (all revoked): time to the first object.</summary>
    private static string FirstRevokedRow(Vault vault, List<byte[]> serials)
    {
        var ca = new ZscalerPki.Core.Authority.CaDirectory(vault).Resolve("Bench");
        using (var store = IssuedCertificateStore.Open(vault, "Bench"))
            store.ImportIssuedForBenchmark(ca.Certificate.RawData, "CN=bench leaf", serials, DateTimeOffset.UtcNow.AddYears(1));
        var sw = Stopwatch.StartNew();
        var first = new RevocationService(vault).Get("Bench", new IssuedCertificateQuery { Revoked = true }).First();
        var ms = sw.Elapsed.TotalMilliseconds;
        return FormattableString.Invariant($"issued {serials.Count}: Get-IssuedCertificate -Revoked first object {ms:F1} ms ({first.SerialNumber})");
    }

    private static (double Seconds, double Mb) Timed(string dir, string file, string args)
    {
        var timeTool = File.Exists("/usr/bin/time");
        var sw = Stopwatch.StartNew();
        var code = timeTool
            ? Exec("/usr/bin/time", $"-f \"%M\" {file} {args}", out _, out var err, dir)
            : Exec(file, args, out _, out err, dir);
        var seconds = sw.Elapsed.TotalSeconds;
        if (code != 0)
            throw new InvalidOperationException($"{file} {args}: {err}");
        var mb = timeTool && double.TryParse(err.Trim().Split('\n')[^1], NumberStyles.Float, Inv, out var kb) ? kb / 1024 : double.NaN;
        return (seconds, mb);
    }

    private static int Exec(string file, string args, out string stdout, out string stderr, string? dir = null)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (dir is not null)
            psi.WorkingDirectory = dir;
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        stdout = o.Result;
        stderr = e.Result;
        return p.ExitCode;
    }
}
