using System.Diagnostics;
using System.Globalization;
using ZscalerPki.Core.Revocation;

namespace ZscalerPki.Bench;

// Revocation as users run it, beside the engine in the same run (CrlBench.Setup bulk-loads the revocations, untimed):
//   dotnet run -c Release --project bench/ZscalerPki.Bench -- revoke-cmdlet [entries] [revocations]
//     Revoke-Certificate one serial per invocation in a hosted PowerShell, against RevocationService.Revoke; median and p90,
//     and the issued.db-wal size after. Last line: "revoke-cmdlet: median X ms (engine Y ms), p90 Z ms, wal W KB".
//   dotnet run -c Release --project bench/ZscalerPki.Bench -- crl-cmdlet [entries]
//     Publish-Crl three times in one new pwsh process (the staged module, `dotnet pwsh`), with that process's peak and
//     current memory after each call, against CrlPublisher.Publish here. Last line: "crl-cmdlet: X s = R x engine Y s, peak P MB".
public static class RevocationCmdletBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Revoke(string[] args)
    {
        var entries = args.Length > 0 ? int.Parse(args[0], Inv) : 1_000_000;
        var count = args.Length > 1 ? int.Parse(args[1], Inv) : 1000;
        var dir = Path.Combine(Path.GetTempPath(), "zpki-revoke-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var (vault, _, _, _) = CrlBench.Setup(dir, entries);
            Console.WriteLine(F($"revoke-cmdlet: {entries:N0} revocations loaded, then {count} more one at a time"));
            var service = new RevocationService(vault);
            var engine = new List<double>();
            for (var i = 0; i < count; i++)
            {
                var sw = Stopwatch.StartNew();
                service.Revoke(new RevokeRequest { Issuer = "Bench", SerialNumber = $"7D00{i:x8}", Reason = RevocationReason.KeyCompromise, Force = true });
                engine.Add(sw.Elapsed.TotalMilliseconds);
            }

            using var ps = CmdletBench.Host(dir);
            var times = new List<double>();
            ps.AddScript("""
                param($v, $n, $times)
                $sw = [Diagnostics.Stopwatch]::new()
                foreach ($i in 1..$n) {
                    $sw.Restart()
                    Revoke-Certificate -Issuer Bench -SerialNumber ('7E00{0:x8}' -f $i) -Reason KeyCompromise -Force -Confirm:$false -VaultPath $v -WarningAction SilentlyContinue
                    $times.Add($sw.Elapsed.TotalMilliseconds)
                }
                """).AddArgument(vault.Root).AddArgument(count).AddArgument(times);
            CmdletBench.Invoke(ps);
            var wal = new FileInfo(Path.Combine(new ZscalerPki.Core.Authority.CaDirectory(vault).Resolve("Bench").Folder, IssuedCertificateStore.FileName + "-wal"));
            var walKb = wal.Exists ? wal.Length / 1024 : 0;
            Console.WriteLine(F($"engine RevocationService.Revoke: median {Median(engine):F2} ms, p90 {Percentile(engine, 0.9):F2} ms"));
            Console.WriteLine(F($"cmdlet Revoke-Certificate: median {Median(times):F2} ms, p90 {Percentile(times, 0.9):F2} ms, first 100 median {Median(times.Take(100).ToList()):F2} ms, last 100 median {Median(times.TakeLast(100).ToList()):F2} ms"));
            Console.WriteLine(F($"revoke-cmdlet: median {Median(times):F2} ms (engine {Median(engine):F2} ms), p90 {Percentile(times, 0.9):F2} ms, wal {walKb} KB"));
            return 0;
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    public static int Crl(string[] args)
    {
        var entries = args.Length > 0 ? int.Parse(args[0], Inv) : 1_000_000;
        var dir = Path.Combine(Path.GetTempPath(), "zpki-crl-cmdlet-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var (vault, _, _, _) = CrlBench.Setup(dir, entries);
            Console.WriteLine(F($"crl-cmdlet: {entries:N0} revocations"));
            var engine = double.MaxValue;
            for (var i = 0; i < 2; i++)
            {
                var sw = Stopwatch.StartNew();
                new CrlPublisher(vault).Publish(new PublishCrlRequest { Issuer = "Bench", Folder = Path.Combine(dir, "engine"), KeyPassword = CrlBench.Password.ToCharArray() });
                engine = Math.Min(engine, sw.Elapsed.TotalSeconds);
            }
            Console.WriteLine(F($"engine CrlPublisher.Publish: {engine:F2} s (best of 2)"));

            // A new PowerShell, as a user's session: the pinned dotnet tool, the staged module, three calls.
            var script = """
                $ErrorActionPreference = 'Stop'
                Import-Module $env:ZPKI_MODULE
                $pw = ConvertTo-SecureString $env:ZPKI_PW -AsPlainText -Force
                foreach ($i in 1..3) {
                    $sw = [Diagnostics.Stopwatch]::StartNew()
                    Publish-Crl -Issuer Bench -Path $env:ZPKI_OUT -KeyPassword $pw -VaultPath $env:ZPKI_VAULT | Out-Null
                    $t = $sw.Elapsed.TotalSeconds
                    $status = Get-Content /proc/self/status
                    $hwm = ($status | Select-String '^VmHWM:\s+(\d+)').Matches[0].Groups[1].Value
                    $rss = ($status | Select-String '^VmRSS:\s+(\d+)').Matches[0].Groups[1].Value
                    "call $i {0:F2} {1} {2}" -f $t, $hwm, $rss
                }
                """;
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoRoot() };
            foreach (var a in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", script }) psi.ArgumentList.Add(a);
            psi.Environment["ZPKI_MODULE"] = Path.Combine(RepoRoot(), "out", "ZscalerPki", "ZscalerPki.psd1");
            psi.Environment["ZPKI_PW"] = CrlBench.Password;
            psi.Environment["ZPKI_OUT"] = Path.Combine(dir, "cmdlet");
            psi.Environment["ZPKI_VAULT"] = vault.Root;
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            var error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException("pwsh failed: " + error + output);
            var calls = output.Split('\n').Where(l => l.StartsWith("call ")).Select(l => l.Split(' ')).ToList();
            foreach (var c in calls)
                Console.WriteLine(F($"cmdlet Publish-Crl call {c[1]}: {c[2]} s, process peak {long.Parse(c[3], Inv) / 1024} MB, now {long.Parse(c[4], Inv) / 1024} MB"));
            var best = calls.Min(c => double.Parse(c[2], Inv));
            var peak = calls.Max(c => long.Parse(c[3], Inv)) / 1024;
            var growth = (long.Parse(calls[^1][4], Inv) - long.Parse(calls[0][4], Inv)) / 1024;
            Console.WriteLine(F($"crl-cmdlet: {best:F2} s = {best / engine:F2} x engine {engine:F2} s, peak {peak} MB, growth over 3 calls {growth} MB"));
            return 0;
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "ZscalerPki.sln"))) d = d.Parent;
        return d?.FullName ?? ".";
    }

    private static double Median(List<double> v) => Percentile(v, 0.5);

    private static double Percentile(List<double> v, double p)
    {
        var s = v.OrderBy(x => x).ToList();
        return s.Count == 0 ? 0 : s[Math.Min(s.Count - 1, (int)(p * s.Count))];
    }

    private static string F(FormattableString s) => s.ToString(Inv);
}
