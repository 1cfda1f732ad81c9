using System.Diagnostics;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Revocation;

/// <summary>
/// Eight processes revoke and publish for one CA at once; writers are killed at random points. No reported revocation may be
/// lost, CRL numbers only increase, and every CRL file on disk is whole and verifies with OpenSSL.
/// </summary>
public sealed class RevocationConcurrencyTests
{
    private const string Password = "pw";

    private static string ChurnDll => Path.Combine(AppContext.BaseDirectory, "ZscalerPki.VaultChurn.dll");

    private static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(ChurnDll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private static (TempDir Tmp, Vault Vault, string RootPem, string Folder) Setup()
    {
        var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        var root = new EnrollmentService(vault).Create(new NewEnrollmentRequest { Name = "Root", KeyPassword = Pw.Of(Password), KeyAlgorithm = KeyAlgorithm.EcdsaP256 }).Item;
        var rootPem = tmp.File("root.pem");
        File.WriteAllText(rootPem, CertificateReader.ToPem(root.Certificate));
        return (tmp, vault, rootPem, tmp.File("crl"));
    }

    private static void AssertCrlWholeAndVerified(string tmp, string path, string rootPem)
    {
        var r = OpenSsl.Run(tmp, "crl", "-inform", "DER", "-in", path, "-CAfile", rootPem, "-noout");
        Assert.True(r.ExitCode == 0 && r.All.Contains("verify OK"), $"{path}: {r.All}");
    }

    private static HashSet<string> SerialsIn(string tmp, string path) =>
        OpenSsl.Ok(tmp, "crl", "-inform", "DER", "-in", path, "-noout", "-text")
            .Split('\n').Where(l => l.Contains("Serial Number:")).Select(l => Trim(l.Split(':')[1])).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static string Trim(string hex) => hex.Trim().TrimStart('0');

    [Fact]
    public void EightProcesses_RevokingAndPublishing_LoseNothing_AndCrlNumbersOnlyIncrease()
    {
        var (tmp, vault, rootPem, folder) = Setup();
        using var _ = tmp;
        var writers = Enumerable.Range(0, 8).Select(i => Start("revoke", tmp.Vault, "Root", Password, folder, $"{i + 1:x2}", "6")).ToList();
        var revoked = new List<string>();
        var numbers = new List<long>();
        foreach (var p in writers)
        {
            var output = p.StandardOutput.ReadToEnd();
            Assert.True(p.WaitForExit(180_000), "writer hung");
            Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.StartsWith("revoked "))
                    revoked.Add(Trim(line[8..]));
                else if (line.StartsWith("crl "))
                    numbers.Add(long.Parse(line[4..]));
            }
        }
        Assert.Equal(48, revoked.Count);
        Assert.Equal(24, numbers.Count);
        Assert.Equal(numbers.Count, numbers.Distinct().Count()); // every publication got its own number

        using var store = IssuedCertificateStore.Open(vault, "Root");
        Assert.Equal(48, store.Count().Revoked);
        // The last CRL on disk carries the highest number and every revocation.
        var final = new CrlPublisher(vault).Publish(new PublishCrlRequest { Issuer = "Root", Folder = folder, KeyPassword = Pw.Of(Password) }).Item;
        Assert.Equal(numbers.Max() + 1, final.CrlNumber);
        AssertCrlWholeAndVerified(tmp.Path, final.Path, rootPem);
        Assert.Superset(revoked.ToHashSet(StringComparer.OrdinalIgnoreCase), SerialsIn(tmp.Path, final.Path));
        Assert.Empty(Directory.EnumerateFiles(folder, "*.tmp"));
    }

    [Fact]
    public void WritersKilledAtRandomPoints_LeaveTheStoreConsistent_AndEveryCrlOnDiskWhole()
    {
        var (tmp, vault, rootPem, folder) = Setup();
        using var _ = tmp;
        var rng = new Random(20261201);
        var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long lastNumber = 0;
        for (var round = 0; round < 6; round++)
        {
            var p = Start("revoke", tmp.Vault, "Root", Password, folder, $"a{round}", "0");
            var lines = new List<string>();
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
            p.BeginOutputReadLine();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                lock (lines)
                {
                    if (lines.Contains("ready"))
                        break;
                }
                Thread.Sleep(5);
            }
            Thread.Sleep(rng.Next(5, 400));
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            lock (lines)
                reported.UnionWith(lines.Where(l => l.StartsWith("revoked ")).Select(l => Trim(l[8..])));

            // Every revocation a killed writer reported is in the database; the CRL on disk (if any) is whole and verifies.
            using (var store = IssuedCertificateStore.Open(vault, "Root"))
            {
                Assert.True(store.Count().Revoked >= reported.Count);
                using var cmd = store.Connection().CreateCommand();
                cmd.CommandText = "PRAGMA integrity_check";
                Assert.Equal("ok", cmd.ExecuteScalar());
            }
            var path = Path.Combine(folder, "Root.crl");
            if (File.Exists(path))
                AssertCrlWholeAndVerified(tmp.Path, path, rootPem);
        }

        var final = new CrlPublisher(vault).Publish(new PublishCrlRequest { Issuer = "Root", Folder = folder, KeyPassword = Pw.Of(Password) }).Item;
        Assert.True(final.CrlNumber > lastNumber);
        AssertCrlWholeAndVerified(tmp.Path, final.Path, rootPem);
        Assert.Superset(reported, SerialsIn(tmp.Path, final.Path));
    }
}
