using System.Diagnostics;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Storage;

/// <summary>Several processes write to one vault; writers are killed at random points. Nothing may be lost or left unreadable.</summary>
public sealed class VaultConcurrencyTests
{
    private static string ChurnDll => Path.Combine(AppContext.BaseDirectory, "ZscalerPki.VaultChurn.dll");

    /// <summary>A real entry (certificate + encrypted key) whose files the writer processes reuse, so they spend no time on PBKDF2.</summary>
    private static string MakeTemplate(TempDir tmp)
    {
        var service = new EnrollmentService(Vault.Open(Path.Combine(tmp.Path, "template-vault")));
        service.Create(new NewEnrollmentRequest { Name = "template", KeyPassword = Pw.Of("pw"), KeyAlgorithm = Certificates.KeyAlgorithm.EcdsaP256 });
        var dir = Path.Combine(tmp.Path, "template-vault", Collections.Enrollment, "template");
        File.Copy(Path.Combine(dir, "entry.json"), tmp.File("template.json"));
        File.Copy(Path.Combine(dir, "key.p8"), tmp.File("template.p8"));
        return tmp.File("template.json");
    }

    /// <summary>The writer's own executable where the build made one (the self-contained net8.0 run), else dotnet + its dll.</summary>
    private static Process Start(params string[] args)
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "ZscalerPki.VaultChurn.exe" : "ZscalerPki.VaultChurn");
        var selfContained = File.Exists(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "hostfxr.dll" : "libhostfxr.so"));
        var psi = new ProcessStartInfo(selfContained && File.Exists(apphost) ? apphost : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (psi.FileName == "dotnet")
            psi.ArgumentList.Add(ChurnDll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    [Fact]
    public void TwoProcessesAndThisOne_CreatingAtOnce_LoseNothing()
    {
        using var tmp = new TempDir();
        var template = MakeTemplate(tmp);
        var entryTemplate = System.Text.Json.JsonSerializer.Deserialize<EnrollmentEntry>(File.ReadAllText(template), Vault.Json)!;
        var key = File.ReadAllText(tmp.File("template.p8"));

        var a = Start("create", tmp.Vault, "alpha", "40", template);
        var b = Start("create", tmp.Vault, "beta", "40", template);
        var vault = Vault.Open(tmp.Vault);
        for (var i = 0; i < 20; i++)
        {
            using (vault.Lock())
                vault.Create(Collections.Enrollment, $"gamma-{i}", entryTemplate with { Name = $"gamma-{i}" }, key);
        }
        foreach (var p in new[] { a, b })
        {
            Assert.True(p.WaitForExit(120_000), "writer process hung");
            Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
        }

        var names = vault.Names(Collections.Enrollment);
        Assert.Equal(100, names.Count);
        foreach (var prefix in new[] { "alpha", "beta" })
            Assert.Equal(40, names.Count(n => n.StartsWith(prefix + "-")));
        var all = new EnrollmentService(vault).Get();
        Assert.All(all, e => Assert.Equal(entryTemplate.CertificatePem, Certificates.CertificateReader.ToPem(e.Certificate)));
        Assert.All(names, n => Assert.Equal(key, vault.ReadKey(Collections.Enrollment, n)));
    }

    [Fact]
    public void WriterKilledAtRandomPoints_LeavesAReadableConsistentVault()
    {
        using var tmp = new TempDir();
        var template = MakeTemplate(tmp);
        var key = File.ReadAllText(tmp.File("template.p8"));
        var rng = new Random(20261122);
        var vault = Vault.Open(tmp.Vault);

        for (var round = 0; round < 6; round++)
        {
            var p = Start("forever", tmp.Vault, $"r{round}", template);
            Assert.Equal("ready", p.StandardOutput.ReadLine());
            Thread.Sleep(rng.Next(5, 250));
            p.Kill(entireProcessTree: true);
            p.WaitForExit();

            // Everything listed reads back whole: metadata parses, certificate loads, key is the whole key.
            var service = new EnrollmentService(vault);
            var entries = service.Get();
            Assert.NotEmpty(entries);
            Assert.All(vault.Names(Collections.Enrollment), n => Assert.Equal(key, vault.ReadKey(Collections.Enrollment, n)));
            _ = vault.ReadSettings();
        }

        // The next writer cleans what the killed ones left, and works.
        using (vault.Lock())
        {
            Assert.Empty(Directory.EnumerateFiles(vault.Root, ".*.tmp", SearchOption.AllDirectories));
            var tempRoot = Path.Combine(vault.Root, ".tmp");
            Assert.True(!Directory.Exists(tempRoot) || !Directory.EnumerateFileSystemEntries(tempRoot).Any());
        }
        new EnrollmentService(vault).Create(new NewEnrollmentRequest { Name = "after-the-crash", KeyPassword = Pw.Of("pw"), KeyAlgorithm = Certificates.KeyAlgorithm.EcdsaP256 });
        Assert.Contains("after-the-crash", vault.Names(Collections.Enrollment));
    }

    [Fact]
    public void VaultFolderAndKeyFiles_AreOwnerOnly_OnUnix()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var tmp = new TempDir();
        var service = new EnrollmentService(Vault.Open(tmp.Vault));
        service.Create(new NewEnrollmentRequest { Name = "k", KeyPassword = Pw.Of("pw"), KeyAlgorithm = Certificates.KeyAlgorithm.EcdsaP256 });
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(tmp.Vault));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(service.Vault.KeyPath(Collections.Enrollment, "k")));
        Assert.DoesNotContain("PRIVATE KEY-----\n", File.ReadAllText(service.Vault.KeyPath(Collections.Enrollment, "k")).Replace("ENCRYPTED PRIVATE KEY-----\n", string.Empty));
    }

    [Fact]
    public void DefaultVaultPath_FollowsTheEnvironmentVariable()
    {
        var before = Environment.GetEnvironmentVariable(Vault.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(Vault.EnvironmentVariable, "/tmp/some-vault");
            Assert.Equal(Path.GetFullPath("/tmp/some-vault"), Vault.DefaultPath);
            Environment.SetEnvironmentVariable(Vault.EnvironmentVariable, null);
            Assert.EndsWith(Path.Combine("ZscalerPki", "Vault"), Vault.DefaultPath);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Vault.EnvironmentVariable, before);
        }
    }
}
