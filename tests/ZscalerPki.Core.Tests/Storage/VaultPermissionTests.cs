using System.Runtime.InteropServices;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Storage;

/// <summary>The umask is per process: tests that change it run alone, so no other test's files are created under it.</summary>
[CollectionDefinition("Umask", DisableParallelization = true)]
public sealed class UmaskCollection;

/// <summary>Everything in a vault is owner-only (folders 0700, files 0600) whatever the umask; a loose vault is closed at open.</summary>
[Collection("Umask")]
public sealed class VaultPermissionTests
{
    private static readonly ReadOnlyMemory<char> Password = Pw.Of("perm-pw");
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public void UnderUmask000_EveryFileAndFolderOfTheVault_IsOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
            return; // the owner-only ACL of the vault root is inherited there
        using var tmp = new TempDir();
        var old = umask(0);
        try
        {
            var vault = Vault.Open(tmp.Vault);
            var enrollment = new EnrollmentService(vault);
            enrollment.Create(new NewEnrollmentRequest { Name = "Root", KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
            var child = enrollment.Create(new NewEnrollmentRequest
            {
                Name = "Child", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
            }).Item.Certificate;
            var revocation = new RevocationService(vault);
            revocation.Revoke(new RevokeRequest { Issuer = "Root", Certificate = child, Reason = RevocationReason.KeyCompromise });
            var publisher = new CrlPublisher(vault);
            publisher.Publish(new PublishCrlRequest { Issuer = "Root", Folder = tmp.File("crl"), KeyPassword = Password }); // the user's folder: not checked
            publisher.Publish(new PublishCrlRequest { Issuer = "Root", Folder = tmp.File("crl"), KeyPassword = Password, Delta = true });
            revocation.Get("Root", new IssuedCertificateQuery()).ToList();

            var loose = new List<string>();
            Check(tmp.Vault, Folder, loose);
            foreach (var dir in Directory.EnumerateDirectories(tmp.Vault, "*", SearchOption.AllDirectories))
                Check(dir, Folder, loose);
            var files = Directory.EnumerateFiles(tmp.Vault, "*", SearchOption.AllDirectories).ToList();
            foreach (var file in files)
                Check(file, File0600, loose);
            Assert.Contains(files, f => f.EndsWith(IssuedCertificateStore.FileName, StringComparison.Ordinal));
            Assert.Contains(files, f => f.EndsWith("crl.lock", StringComparison.Ordinal));
            Assert.Contains(files, f => f.EndsWith(".lock", StringComparison.Ordinal) && Path.GetFileName(f) == ".lock");
            Assert.True(loose.Count == 0, "not owner-only:\n" + string.Join("\n", loose));
        }
        finally
        {
            umask(old);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Check(string path, UnixFileMode expected, List<string> loose)
    {
        var mode = File.GetUnixFileMode(path);
        if (mode != expected)
            loose.Add($"{path}: {Convert.ToString((int)mode, 8)}");
    }

    [Fact]
    public void ALooseExistingVault_IsClosedAtOpen_WithANotice_AndItsDatabaseToo()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        new EnrollmentService(vault).Create(new NewEnrollmentRequest { Name = "Root", KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        using (var store = IssuedCertificateStore.Open(vault, "Root"))
            store.Count();
        var db = Path.Combine(tmp.Vault, Collections.Enrollment, "Root", IssuedCertificateStore.FileName);
        File.SetUnixFileMode(tmp.Vault, Folder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(db, File0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var reopened = Vault.Open(tmp.Vault);
        Assert.Equal(Folder, File.GetUnixFileMode(tmp.Vault));
        var notice = Assert.Single(reopened.TakeNotices());
        Assert.Contains("owner-only", notice);
        Assert.Contains(tmp.Vault, notice);
        using (var store = IssuedCertificateStore.Open(reopened, "Root"))
            store.Count();
        Assert.Equal(File0600, File.GetUnixFileMode(db));
        Assert.Empty(Vault.Open(tmp.Vault).TakeNotices()); // nothing more to say once closed
    }

    [DllImport("libc")]
    private static extern uint umask(uint mask);
}
