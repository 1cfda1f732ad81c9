using System.Diagnostics;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Storage;

/// <summary>
/// Faults named for what they are, at once: a read-only vault is not "busy" after 30-61 s, a full disk during a revocation
/// is not "cannot rollback - no transaction is active".
/// </summary>
public sealed class VaultFaultTests
{
    private static readonly ReadOnlyMemory<char> Password = Pw.Of("fault-pw");

    /// <summary>A vault on the tmpfs with a root CA that has issued one child, revoked it and published a CRL.</summary>
    private static (Vault Vault, string Crls) Pki(Tmpfs fs)
    {
        var vault = Vault.Open(Path.Combine(fs.Path, "vault"));
        var enrollment = new EnrollmentService(vault);
        enrollment.Create(new NewEnrollmentRequest { Name = "Root", KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        var child = enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Child", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
        }).Item.Certificate;
        new RevocationService(vault).Revoke(new RevokeRequest { Issuer = "Root", Certificate = child, Reason = RevocationReason.Superseded });
        var crls = Path.Combine(fs.Path, "crl");
        new CrlPublisher(vault).Publish(new PublishCrlRequest { Issuer = "Root", Folder = crls, KeyPassword = Password });
        return (vault, crls);
    }

    private static PkiException Fails(Action action, params string[] ids)
    {
        var clock = Stopwatch.StartNew();
        var ex = Assert.Throws<PkiException>(action);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}: {ex.ErrorId} {ex.Message}");
        Assert.Contains(ex.ErrorId, ids);
        return ex;
    }

    [TmpfsFact]
    public void AReadOnlyVault_IsSaidToBeReadOnly_AtOnce()
    {
        using var fs = Tmpfs.Mount("2m");
        var (vault, crls) = Pki(fs);
        fs.RemountReadOnly();
        vault = Vault.Open(vault.Root);

        var revoke = Fails(() => new RevocationService(vault).Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = "0A01", Force = true }),
            PkiErrorIds.IssuedStoreUnavailable, PkiErrorIds.FileAccessDenied);
        Assert.Contains("read-only", revoke.Message);
        Assert.Contains(Path.Combine(vault.Root, Collections.Enrollment, "Root"), revoke.Message);

        var publish = Fails(() => new CrlPublisher(vault).Publish(new PublishCrlRequest { Issuer = "Root", Folder = crls, KeyPassword = Password }),
            PkiErrorIds.FileAccessDenied, PkiErrorIds.IssuedStoreUnavailable, PkiErrorIds.CrlFolderNotWritable);
        Assert.Contains("read-only", publish.Message);

        var create = Fails(() => new EnrollmentService(vault).Create(new NewEnrollmentRequest { Name = "Another", KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256 }),
            PkiErrorIds.FileAccessDenied);
        Assert.Contains("read-only", create.Message);
        Assert.Contains(vault.Root, create.Message);

        // Reading still works.
        Assert.Single(new RevocationService(vault).Get("Root", new IssuedCertificateQuery { Revoked = true }));
    }

    [TmpfsFact]
    public void AFullDisk_DuringARevocation_IsSaidToBeFull_AndTheDatabaseStaysWhole()
    {
        using var fs = Tmpfs.Mount("1m");
        var (vault, _) = Pki(fs);
        var filler = Path.Combine(fs.Path, "filler");
        Fill(filler);
        try
        {
            var ex = Fails(() =>
            {
                // Each revocation appends pages to the WAL; the first that finds no space fails.
                for (var i = 1; i < 200; i++)
                    new RevocationService(vault).Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = $"0B{i:X4}", Force = true });
            }, PkiErrorIds.IssuedStoreUnavailable);
            Assert.Contains("full", ex.Message);
            Assert.DoesNotContain("no transaction is active", ex.Message);
        }
        finally
        {
            File.Delete(filler);
        }
        // With space again, the database is whole and usable, and the failed revocation is not in it.
        new RevocationService(vault).Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = "0C01", Force = true });
        using var store = IssuedCertificateStore.Open(vault, "Root");
        store.Execute(c =>
        {
            using var tx = IssuedCertificateStore.Begin(c, deferred: true);
            store.QuickCheck(c, tx); // throws IssuedStoreCorrupt otherwise
            return 0;
        });
        Assert.True(store.Count().Revoked >= 2); // the child and 0C01
    }

    /// <summary>Writes until the file system has no byte left.</summary>
    private static void Fill(string path)
    {
        using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        var block = new byte[4096];
        foreach (var size in new[] { 4096, 1 })
        {
            try
            {
                while (true)
                {
                    f.Write(block, 0, size);
                    f.Flush();
                }
            }
            catch (IOException)
            {
            }
        }
    }
}
