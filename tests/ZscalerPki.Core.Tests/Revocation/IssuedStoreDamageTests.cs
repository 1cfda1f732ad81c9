using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;
using ZscalerPki.Robustness;

namespace ZscalerPki.Core.Tests.Revocation;

/// <summary>
/// A damaged issued.db is refused with IssuedStoreCorrupt naming the file and "restore from a backup", never trusted: not
/// recreated when truncated, not signed into a CRL, not an InternalError.
/// </summary>
public sealed class IssuedStoreDamageTests
{
    private static string Database(RevocationEndToEndTests.Pki pki) =>
        Path.Combine(pki.Vault.Root, Collections.Enrollment, "Root", IssuedCertificateStore.FileName);

    /// <summary>A CA with one revoked child and a published CRL; its database folded into one file, then damaged.</summary>
    private static (RevocationEndToEndTests.Pki Pki, byte[] Serial, string Crl) Damaged(string damage)
    {
        var pki = new RevocationEndToEndTests.Pki();
        var child = pki.Child("Child").Certificate;
        pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root", Certificate = child, Reason = RevocationReason.KeyCompromise });
        var crl = pki.Publish().Path;
        var serial = SerialNumbers.Normalize(child.SerialNumberBytes.Span);
        StoreDamages.Checkpoint(Database(pki));
        StoreDamages.All(1).Single(d => d.Name == damage).Apply(Database(pki), serial);
        return (pki, serial, crl);
    }

    private static PkiException Corrupt(RevocationEndToEndTests.Pki pki, Action action)
    {
        var ex = Assert.Throws<PkiException>(action);
        Assert.Equal(PkiErrorIds.IssuedStoreCorrupt, ex.ErrorId);
        Assert.Contains(Database(pki), ex.Message);
        Assert.Contains("Restore it from a backup", ex.Message);
        return ex;
    }

    [Fact]
    public void AZeroLengthDatabase_IsCorrupt_NotANewOne()
    {
        var (pki, _, crl) = Damaged("truncated to 0 bytes");
        using (pki)
        {
            var before = File.ReadAllBytes(crl);
            Assert.Contains("0 bytes", Corrupt(pki, () => pki.Publish()).Message);
            Corrupt(pki, () => pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = "0A01", Force = true }));
            Assert.Equal(0, new FileInfo(Database(pki)).Length); // not recreated
            Assert.Equal(before, File.ReadAllBytes(crl));
        }
    }

    [Fact]
    public void ANonDerEntry_StopsThePublication_NamingTheSerial()
    {
        var (pki, serial, crl) = Damaged("a revoked entry that is not DER");
        using (pki)
        {
            var before = File.ReadAllBytes(crl);
            var ex = Corrupt(pki, () => pki.Publish());
            Assert.Contains(SerialNumbers.ToHex(serial), ex.Message);
            Assert.Equal(before, File.ReadAllBytes(crl));
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(crl)!, ".*.tmp"));
        }
    }

    [Theory]
    [InlineData("a TEXT serial in revoked", "not a BLOB")]
    [InlineData("a TEXT seq in revoked", "seq")]
    [InlineData("bytes flipped in the header of a table's root page", "")]
    [InlineData("truncated to half", "")]
    [InlineData("another schema version", "schema version 7")]
    public void DamageACrlIsMadeOf_IsRefusedBeforeSigning(string damage, string why)
    {
        var (pki, _, crl) = Damaged(damage);
        using (pki)
        {
            var before = File.ReadAllBytes(crl);
            Assert.Contains(why, Corrupt(pki, () => pki.Publish()).Message);
            Assert.Equal(before, File.ReadAllBytes(crl));
        }
    }

    [Fact]
    public void ATextSerialInIssued_IsCorrupt_NotAnInvalidCast()
    {
        var (pki, _, _) = Damaged("a TEXT serial in issued");
        using (pki)
            Assert.Contains("not a BLOB", Corrupt(pki, () => pki.Revocation.Get("Root", new IssuedCertificateQuery()).ToList()).Message);
    }

    [Theory]
    [InlineData("the change counter at its maximum", "maximum")]
    [InlineData("the change counter as TEXT", "TEXT")]
    public void ADamagedChangeCounter_IsCorrupt_AndNothingIsRevoked(string damage, string why)
    {
        var (pki, _, _) = Damaged(damage);
        using (pki)
        {
            Assert.Contains(why, Corrupt(pki, () => pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = "0A01", Force = true })).Message);
            using var store = IssuedCertificateStore.Open(pki.Vault, "Root");
            Assert.Equal(1, store.Count().Revoked);
        }
    }

    [Fact]
    public void ADeletedDatabase_WithItsLogLeft_IsCorrupt_NotReplayedIntoANewOne()
    {
        using var pki = new RevocationEndToEndTests.Pki();
        pki.Child("Child"); // recorded; the commit stays in the WAL (no checkpoint on close)
        Assert.True(new FileInfo(Database(pki) + "-wal").Length > 0);
        File.Delete(Database(pki));
        Assert.Contains("-wal", Corrupt(pki, () => pki.Publish()).Message);
        Assert.False(File.Exists(Database(pki)));
    }

    [Fact]
    public void GetPkiVault_ShowsTheDamage_AsStoreHealth()
    {
        using var healthy = new RevocationEndToEndTests.Pki();
        healthy.Child("Child");
        var ok = new PkiVaultService(healthy.Vault).Get();
        Assert.Equal("OK", ok.StoreHealth);
        Assert.Empty(ok.StoreProblems);

        var (pki, _, _) = Damaged("bytes flipped in the header of a table's root page");
        using (pki)
        {
            var info = new PkiVaultService(pki.Vault).Get();
            Assert.NotEqual("OK", info.StoreHealth);
            var problem = Assert.Single(info.StoreProblems);
            Assert.StartsWith("Root: IssuedStoreCorrupt", problem);
            Assert.Contains(Database(pki), problem);
        }
    }

    [Fact]
    public void ANewCa_GetsAWholeOwnerOnlyDatabase_OnFirstUse()
    {
        using var pki = new RevocationEndToEndTests.Pki();
        var db = Database(pki);
        Assert.False(File.Exists(db));
        Assert.Equal(1, pki.Publish().CrlNumber); // a CA that never issued can publish
        Assert.True(new FileInfo(db).Length > 0);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(db)!, ".*.tmp*"));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(db));
    }
}
