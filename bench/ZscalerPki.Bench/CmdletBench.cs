using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Authority;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Bench;

// What users run, timed where they run it: the cmdlets of the staged module (out/ZscalerPki, `./build.ps1` first) in a
// PowerShell 7.6 engine hosted in this process, beside the engine doing the same work in the same run.
//   dotnet run -c Release --project bench/ZscalerPki.Bench -- forge-cmdlet [sites]
// forge-cmdlet: N new sites piped into New-InspectionCertificate (vault RSA-2048 intermediate, a key per site), against the
// engine's forger on the same issuer and sites; the cost of the first and last 1,000 sites of the pipeline; then the same
// N sites again (every one a cache hit). Last line: "forge-cmdlet: cmdlet X/s = P% of engine Y/s, last/first 1000 R, hit H ms".
public static class CmdletBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private const string Password = "Bench-Passw0rd!";

    /// <summary>Sites forged before the clock starts, by the engine and by the cmdlet alike (JIT, first opens).</summary>
    private const int Warmup = 200;

    public static int Forge(string[] args)
    {
        var sites = args.Length > 0 ? int.Parse(args[0], Inv) : 10_000;
        var dir = Path.Combine(Path.GetTempPath(), "zpki-cmdlet-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var vault = Vault.Open(Path.Combine(dir, "vault"));
            var issuer = NewRsaIntermediate(vault);
            var origins = Origins(sites, "bench");
            var engineOrigins = Origins(Math.Min(sites, 3000) + Warmup, "engine");
            Console.WriteLine(F($"forge-cmdlet: {sites} sites, issuer {issuer.Identity} (RSA-2048), a P-256 key per site, {Environment.ProcessorCount} cores"));

            // The engine: the forger the cmdlet runs, on the same vault issuer (its key opened once), no host.
            using var key = issuer.OpenKey(Password);
            using var forgingIssuer = new ForgingIssuer(issuer.Certificate, key, issuer.Issuers);
            var forger = new Forger(forgingIssuer, null, new ForgeCache());
            var choice = new KeyChoice(InspectionKeyAlgorithm.EcdsaP256, false);
            var profiles = engineOrigins.Select(SiteProfile.FromOrigin).ToArray();
            foreach (var p in profiles.Take(Warmup)) forger.ForgeNew(p, choice, DateTimeOffset.UtcNow); // warm-up, as the cmdlet's
            var sw = Stopwatch.StartNew();
            foreach (var p in profiles.Skip(Warmup)) forger.ForgeNew(p, choice, DateTimeOffset.UtcNow);
            var engineRate = (profiles.Length - Warmup) / sw.Elapsed.TotalSeconds;
            Console.WriteLine(F($"engine forger: {engineRate:F0}/s ({1000 / engineRate:F2} ms per site)"));

            // The engine's whole path without a host: InspectionService.ForgeMany in batches of 256 as the cmdlet calls it
            // (resolve, sign, record in one transaction per batch, seal and cache) on its own sites.
            var serviceOrigins = Origins(Math.Min(sites, 2000), "service");
            var service = new InspectionService(vault, new ForgingSession()) { DeferPersistence = true };
            var pwChars = Password.ToCharArray();
            sw.Restart();
            foreach (var chunk in serviceOrigins.Chunk(256))
            {
                foreach (var outcome in service.ForgeMany(chunk.Select(o => new ForgeRequest
                         {
                             Site = SiteProfile.FromOrigin(o), Issuer = "intermediate/Inspection", IssuerKeyPassword = pwChars,
                         }).ToList()))
                    if (outcome.Error is { } e) throw e;
            }
            service.Flush();
            var serviceRate = serviceOrigins.Length / sw.Elapsed.TotalSeconds;
            Console.WriteLine(F($"engine service (record + cache, batches of 256): {serviceRate:F0}/s ({1000 / serviceRate:F2} ms per site)"));

            using var ps = Host(dir);
            var secret = Secure(Password);
            ps.AddScript("param($o, $v, $pw) $o | New-InspectionCertificate -Issuer intermediate/Inspection -IssuerKeyPassword $pw -VaultPath $v | Out-Null")
              .AddArgument(Origins(Warmup, "warmup")).AddArgument(vault.Root).AddArgument(secret);
            Invoke(ps);

            // One pipeline of N new sites; a mark every 1,000 outputs.
            var marks = new List<double>();
            ps.AddScript("""
                param($o, $v, $pw, $marks)
                $sw = [Diagnostics.Stopwatch]::StartNew(); $i = 0
                $o | New-InspectionCertificate -Issuer intermediate/Inspection -IssuerKeyPassword $pw -VaultPath $v |
                    ForEach-Object { $i++; if ($i % 1000 -eq 0) { $marks.Add($sw.Elapsed.TotalMilliseconds) } }
                $marks.Add($sw.Elapsed.TotalMilliseconds); $i
                """).AddArgument(origins).AddArgument(vault.Root).AddArgument(secret).AddArgument(marks);
            var emitted = (int)Invoke(ps)[0].BaseObject;
            if (emitted != sites) throw new InvalidOperationException($"the pipeline emitted {emitted} of {sites}");
            var total = marks[^1];
            var cmdletRate = sites / (total / 1000);
            var first = marks[0];
            var last = marks.Count >= 3 ? marks[^2] - marks[^3] : first;
            Console.WriteLine(F($"cmdlet pipeline: {cmdletRate:F0}/s ({total / sites:F2} ms per site); first 1000 {first:F0} ms, last 1000 {last:F0} ms, last/first {last / first:F2}"));

            // The same sites again: every one a cache hit.
            ps.AddScript("""
                param($o, $v, $pw)
                $sw = [Diagnostics.Stopwatch]::StartNew()
                $hits = @($o | New-InspectionCertificate -Issuer intermediate/Inspection -IssuerKeyPassword $pw -VaultPath $v | Where-Object FromCache).Count
                $hits; $sw.Elapsed.TotalMilliseconds
                """).AddArgument(origins).AddArgument(vault.Root).AddArgument(secret);
            var hit = Invoke(ps);
            var hits = (int)hit[0].BaseObject;
            var hitMs = (double)hit[1].BaseObject / sites;
            // One site per invocation, as a script calling the cmdlet in a loop does.
            ps.AddScript("""
                param($o, $v, $pw)
                $sw = [Diagnostics.Stopwatch]::StartNew()
                foreach ($c in $o) { New-InspectionCertificate -Certificate $c -Issuer intermediate/Inspection -IssuerKeyPassword $pw -VaultPath $v | Out-Null }
                $sw.Elapsed.TotalMilliseconds / $o.Count
                """).AddArgument(origins.Take(500).ToArray()).AddArgument(vault.Root).AddArgument(secret);
            var perCall = (double)Invoke(ps)[0].BaseObject;
            Console.WriteLine(F($"cache hits: {hits}/{sites}, {hitMs:F3} ms per site in a pipeline, {perCall:F3} ms per call one site at a time"));
            using (var store = issuer.OpenStore())
                Console.WriteLine(F($"recorded: {store.Count().Issued} certificates in {issuer.Identity}'s issued-certificate database"));
            Console.WriteLine(F($"forge-cmdlet: cmdlet {cmdletRate:F0}/s = {100 * cmdletRate / engineRate:F0}% of engine {engineRate:F0}/s, last/first 1000 {last / first:F2}, hit {hitMs:F3} ms"));
            return 0;
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>An RSA-2048 root and an RSA-2048 SSL-inspection intermediate below it, imported and ready.</summary>
    internal static CertificateAuthority NewRsaIntermediate(Vault vault)
    {
        var pw = Password.ToCharArray();
        new EnrollmentService(vault).Create(new NewEnrollmentRequest { Name = "Root", Subject = "CN=Bench Root", KeyPassword = pw, KeyAlgorithm = KeyAlgorithm.Rsa2048, PathLength = 1 });
        var intermediates = new IntermediateService(vault);
        var csr = intermediates.CreateCsr(new NewIntermediateCsrRequest { Name = "Inspection", CommonName = "Bench Inspection CA", PathLength = 0, KeyPassword = pw, KeySize = 2048 }).Item;
        var signed = new CsrSigningService(vault).SignWithVaultCa(new SignWithVaultCaRequest
        {
            Csr = IntermediateCsr.Read(Encoding.ASCII.GetBytes(csr.Csr)), Issuer = "enrollment/Root", IssuerKeyPassword = pw,
        }).Item;
        intermediates.Import(new ImportSignedIntermediateRequest { Name = "Inspection", Certificates = new[] { signed.Certificate }, Chain = signed.Chain });
        return new CaDirectory(vault).Resolve("intermediate/Inspection");
    }

    /// <summary>N distinct origin certificates, as a proxy sees them from sites (one P-256 key signs them all: only the names differ).</summary>
    internal static X509Certificate2[] Origins(int n, string tag)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;
        return Enumerable.Range(0, n).Select(i =>
        {
            var name = $"{tag}{i}.sites.example";
            var req = new CertificateRequest($"CN={name}, O=Site {i}", key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(name);
            san.AddDnsName("www." + name);
            req.CertificateExtensions.Add(san.Build());
            using var withKey = req.CreateSelfSigned(now.AddDays(-10), now.AddDays(300));
#pragma warning disable SYSLIB0057
            return new X509Certificate2(withKey.RawData);
#pragma warning restore SYSLIB0057
        }).ToArray();
    }

    /// <summary>A PowerShell engine in this process with the staged module imported, its location in <paramref name="dir"/>.</summary>
    internal static PowerShell Host(string dir)
    {
        var manifest = StagedManifest();
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(manifest);
        var runspace = RunspaceFactory.CreateRunspace(state);
        runspace.Open();
        var ps = PowerShell.Create(runspace);
        ps.AddCommand("Set-Location").AddParameter("LiteralPath", dir);
        Invoke(ps);
        return ps;
    }

    internal static Collection<PSObject> Invoke(PowerShell ps)
    {
        try
        {
            var result = ps.Invoke();
            if (ps.Streams.Error.Count > 0)
                throw new InvalidOperationException("the cmdlet reported: " + ps.Streams.Error[0]);
            return result;
        }
        finally
        {
            ps.Commands.Clear();
            ps.Streams.ClearStreams();
        }
    }

    private static string StagedManifest()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ZscalerPki.sln"))) dir = dir.Parent;
        var manifest = Path.Combine(dir?.FullName ?? ".", "out", "ZscalerPki", "ZscalerPki.psd1");
        if (!File.Exists(manifest))
            throw new FileNotFoundException("The staged module is missing: run `dotnet pwsh ./build.ps1` first.", manifest);
        return manifest;
    }

    internal static SecureString Secure(string text)
    {
        var s = new SecureString();
        foreach (var c in text) s.AppendChar(c);
        s.MakeReadOnly();
        return s;
    }

    private static string F(FormattableString s) => s.ToString(Inv);
}
