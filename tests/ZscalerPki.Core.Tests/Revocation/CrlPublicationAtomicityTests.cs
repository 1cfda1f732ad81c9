using System.Diagnostics;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Revocation;

/// <summary>
/// Publish-Crl records a CRL's number (and a base's snapshot) only with the file in place: a failed rename leaves the
/// database as it was, a crash after the rename leaves the served file ahead (never behind), and the next delta's entries
/// together with the served base always cover every revocation.
/// </summary>
public sealed class CrlPublicationAtomicityTests
{
    private static readonly ReadOnlyMemory<char> Password = Pw.Of("Corr3ct horse!");

    private static long DatabaseCrlNumber(RevocationEndToEndTests.Pki pki, string key = "crl_number")
    {
        using var store = IssuedCertificateStore.Open(pki.Vault, "Root");
        using var cmd = store.Connection().CreateCommand();
        cmd.CommandText = "SELECT value FROM state WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar() is long n ? n : 0;
    }

    private static PublishCrlRequest Request(RevocationEndToEndTests.Pki pki, bool delta = false) =>
        new() { Issuer = "Root", Folder = pki.Tmp.File("crl"), KeyPassword = Password, Delta = delta };

    private static void Revoke(RevocationEndToEndTests.Pki pki, string serial) =>
        pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = serial, Reason = RevocationReason.KeyCompromise, Force = true });

    [Fact]
    public void FailedRename_LeavesTheDatabaseCrlNumber_AndTheServedFile_Unchanged()
    {
        using var pki = new RevocationEndToEndTests.Pki();
        Revoke(pki, "0a01");
        var first = pki.Publish();
        var served = File.ReadAllBytes(first.Path);
        Revoke(pki, "0a02");

        var failing = new CrlPublisher(pki.Vault, (_, _) => throw new IOException("injected: rename failed"));
        var ex = Assert.Throws<PkiException>(() => failing.Publish(Request(pki)));
        Assert.Equal(PkiErrorIds.CrlFolderNotWritable, ex.ErrorId);
        Assert.Equal(first.CrlNumber, DatabaseCrlNumber(pki));
        Assert.Equal(first.CrlNumber, DatabaseCrlNumber(pki, "base_number"));
        Assert.Equal(served, File.ReadAllBytes(first.Path));
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(first.Path)!, "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }));

        // The delta after the failure names the base that is being served, and carries the revocation made since.
        var delta = pki.Publish(delta: true);
        Assert.Equal(first.CrlNumber, delta.BaseCrlNumber);
        Assert.Equal(first.CrlNumber + 1, delta.CrlNumber);
        Assert.Contains("0A02", OpenSsl.Ok(pki.Tmp.Path, "crl", "-inform", "DER", "-in", delta.Path, "-noout", "-text"));
    }

    [Fact]
    public void CrashAfterRename_BeforeCommit_NextPublicationContinuesAboveTheServedNumber()
    {
        using var pki = new RevocationEndToEndTests.Pki();
        Revoke(pki, "0b01");
        var first = pki.Publish();
        Revoke(pki, "0b02");

        // The file reaches the folder, then the process "dies" before the database commits (the transaction rolls back).
        var dying = new CrlPublisher(pki.Vault, (temp, path) =>
        {
            File.Move(temp, path, overwrite: true);
            throw new IOException("injected: killed after the rename");
        });
        Assert.Throws<PkiException>(() => dying.Publish(Request(pki)));
        Assert.Equal(first.CrlNumber, DatabaseCrlNumber(pki));
        var servedText = OpenSsl.Ok(pki.Tmp.Path, "crl", "-inform", "DER", "-in", first.Path, "-noout", "-text");
        Assert.Contains($"X509v3 CRL Number: \n                {first.CrlNumber + 1}", servedText.Replace("\r", string.Empty));

        // No number is used twice: the next base is above the served one, and a delta names the older recorded base,
        // whose revocations since are a superset of what the served base needs.
        var delta = pki.Publish(delta: true);
        Assert.Equal(first.CrlNumber + 2, delta.CrlNumber);
        Assert.Equal(first.CrlNumber, delta.BaseCrlNumber);
        var next = pki.Publish();
        Assert.Equal(first.CrlNumber + 3, next.CrlNumber);
    }

    [Fact]
    public void FirstDelta_WarnsThatTheServedBaseDoesNotAnnounceIt_TheNextBaseDoes()
    {
        using var pki = new RevocationEndToEndTests.Pki();
        Revoke(pki, "0d01");
        var first = pki.Publish();
        Assert.DoesNotContain("Freshest CRL", OpenSsl.Ok(pki.Tmp.Path, "crl", "-inform", "DER", "-in", first.Path, "-noout", "-text"));
        Revoke(pki, "0d02");
        var delta = new CrlPublisher(pki.Vault).Publish(Request(pki, delta: true));
        Assert.Contains(delta.Warnings, w => w.Contains("first delta CRL") && w.Contains("enrollment/Root"));
        var next = pki.Publish();
        Assert.Contains("Freshest CRL", OpenSsl.Ok(pki.Tmp.Path, "crl", "-inform", "DER", "-in", next.Path, "-noout", "-text"));
        Assert.Empty(new CrlPublisher(pki.Vault).Publish(Request(pki, delta: true)).Warnings);
    }

    [Fact]
    public void TempFilesOfAKilledPublication_AreRemovedByTheNextOne()
    {
        using var pki = new RevocationEndToEndTests.Pki();
        var folder = pki.Tmp.File("crl");
        Directory.CreateDirectory(folder);
        var abandoned = Path.Combine(folder, $".Root.crl.{Guid.NewGuid():N}.tmp");
        var someoneElses = Path.Combine(folder, ".Root.crl.notours.tmp");
        File.WriteAllBytes(abandoned, new byte[100]);
        File.WriteAllBytes(someoneElses, new byte[1]);
        pki.Publish();
        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(someoneElses));
    }

    [Fact]
    public void PublishersKilledAtRandomPoints_ServedBaseAndNextDelta_CoverEveryRevocation()
    {
        using var pki = new RevocationEndToEndTests.Pki();
        var folder = pki.Tmp.File("crl");
        System.Security.Cryptography.X509Certificates.X509Certificate2 root;
        using (var store = IssuedCertificateStore.Open(pki.Vault, "Root"))
            root = store.Ca.Certificate;
        var rootPem = pki.Pem(root, "root.pem");
        var rng = new Random(20261204);
        var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long highest = 0;
        for (var round = 0; round < 8; round++)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "ZscalerPki.VaultChurn.dll"), "revoke", pki.Tmp.Vault, "Root", "Corr3ct horse!", folder, $"c{round}", "0", "delta" })
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var lines = new List<string>();
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
            p.BeginOutputReadLine();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                lock (lines)
                    if (lines.Contains("ready")) break;
                Thread.Sleep(5);
            }
            Thread.Sleep(rng.Next(5, 300));
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            lock (lines)
                reported.UnionWith(lines.Where(l => l.StartsWith("revoked ")).Select(l => l[8..].TrimStart('0')));

            // What a client sees after the kill: the served base, plus the delta published next (a base first if the
            // killed writer never completed one).
            if (!File.Exists(Path.Combine(folder, "Root.crl")))
                pki.Publish();
            var delta = pki.Publish(delta: true);
            Assert.True(delta.CrlNumber > highest, $"round {round}: CRL number {delta.CrlNumber} after {highest}");
            highest = delta.CrlNumber;
            var basePath = Path.Combine(folder, "Root.crl");
            var covered = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (File.Exists(basePath))
            {
                var baseText = OpenSsl.Ok(pki.Tmp.Path, "crl", "-inform", "DER", "-in", basePath, "-CAfile", rootPem, "-noout", "-text");
                var baseNumber = CrlEncoder.ReadCrlNumber(new MemoryStream(File.ReadAllBytes(basePath)), root.SubjectName.RawData);
                Assert.True(delta.BaseCrlNumber <= baseNumber, $"round {round}: the delta names base {delta.BaseCrlNumber}, the folder serves {baseNumber}");
                covered.UnionWith(Serials(baseText));
            }
            covered.UnionWith(Serials(OpenSsl.Ok(pki.Tmp.Path, "crl", "-inform", "DER", "-in", delta.Path, "-CAfile", rootPem, "-noout", "-text")));
            Assert.Superset(reported, covered);
        }
    }

    private static IEnumerable<string> Serials(string crlText) =>
        crlText.Split('\n').Where(l => l.Contains("Serial Number:")).Select(l => l.Split(':')[1].Trim().TrimStart('0'));
}
