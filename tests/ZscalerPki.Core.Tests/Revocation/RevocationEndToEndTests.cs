using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Revocation;

/// <summary>Issue, record, revoke, publish; OpenSSL checks every CRL we write.</summary>
public sealed class RevocationEndToEndTests
{
    private static readonly ReadOnlyMemory<char> Password = Pw.Of("Corr3ct horse!");

    internal sealed class Pki : IDisposable
    {
        public TempDir Tmp { get; } = new();
        public Vault Vault { get; }
        public EnrollmentService Enrollment { get; }
        public RevocationService Revocation { get; }
        public CrlPublisher Publisher { get; }

        public Pki(KeyAlgorithm algorithm = KeyAlgorithm.EcdsaP256, string cdp = "http://127.0.0.1:1/root.crl")
        {
            Vault = Vault.Open(Tmp.Vault);
            Enrollment = new EnrollmentService(Vault);
            Revocation = new RevocationService(Vault);
            Publisher = new CrlPublisher(Vault);
            Enrollment.Create(new NewEnrollmentRequest
            {
                Name = "Root", Subject = "CN=Revocation Test Root", KeyPassword = Password, KeyAlgorithm = algorithm,
                CrlDistributionPoints = new[] { cdp }, AuthorityInfoAccess = new[] { "http://127.0.0.1:1/root.cer" },
            });
        }

        public EnrollmentCertificate Child(string name) => Enrollment.Create(new NewEnrollmentRequest
        {
            Name = name, Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), KeyPassword = Password,
            KeyAlgorithm = KeyAlgorithm.EcdsaP256, PathLength = 0,
        }).Item;

        public CrlPublication Publish(bool delta = false) =>
            Publisher.Publish(new PublishCrlRequest { Issuer = "Root", Folder = Tmp.File("crl"), KeyPassword = Password, Delta = delta }).Item;

        public string Pem(X509Certificate2 cert, string name)
        {
            var path = Tmp.File(name);
            File.WriteAllText(path, CertificateReader.ToPem(cert));
            return path;
        }

        public void Dispose() => Tmp.Dispose();
    }

    [Fact]
    public void IssuedCertificates_AreRecorded_WithTheCaUrlsEmbedded()
    {
        using var pki = new Pki();
        var child = pki.Child("Child");
        var rows = pki.Revocation.Get("Root", new IssuedCertificateQuery()).ToList();
        var row = Assert.Single(rows);
        Assert.Equal(child.SerialNumber, row.SerialNumber);
        Assert.Equal(IssuedProfiles.EnrollmentIntermediate, row.Profile);
        Assert.Equal(child.Thumbprint, row.Certificate.Thumbprint);
        Assert.Equal(IssuedCertificateStatus.Issued, row.Status);

        var text = OpenSsl.Ok(pki.Tmp.Path, "x509", "-in", pki.Pem(child.Certificate, "child.pem"), "-noout", "-text");
        Assert.Contains("URI:http://127.0.0.1:1/root.crl", text);
        Assert.Contains("CA Issuers - URI:http://127.0.0.1:1/root.cer", text);

        Assert.Single(pki.Revocation.Get("Root", new IssuedCertificateQuery { Subject = "cn=child*" }));
        Assert.Empty(pki.Revocation.Get("Root", new IssuedCertificateQuery { Subject = "CN=Other*" }));
        Assert.Single(pki.Revocation.Get("Root", new IssuedCertificateQuery { SerialNumber = child.SerialNumber.ToLowerInvariant() }));
        Assert.Single(pki.Revocation.Get("Root", new IssuedCertificateQuery { ExpiringBefore = DateTimeOffset.UtcNow.AddDays(3650) }));
        Assert.Empty(pki.Revocation.Get("Root", new IssuedCertificateQuery { IssuedAfter = DateTimeOffset.UtcNow.AddDays(1) }));
        Assert.Empty(pki.Revocation.Get("Root", new IssuedCertificateQuery { Revoked = true }));
    }

    [Fact]
    public void RevokedCertificate_FailsOpenSslCrlCheck_GoodOnePasses_AndCrlTextRoundTrips()
    {
        using var pki = new Pki();
        var bad = pki.Child("Bad");
        var good = pki.Child("Good");
        var invalidity = DateTimeOffset.UtcNow.AddDays(-2);
        var result = pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root", Certificate = bad.Certificate, Reason = RevocationReason.KeyCompromise, InvalidityDate = invalidity });
        Assert.Equal(IssuedCertificateStatus.Revoked, result.Item!.Status);
        Assert.Contains(result.Warnings, w => w.Contains("'Bad'") && w.Contains("Revoked"));
        Assert.Equal(EnrollmentStatus.Revoked, pki.Enrollment.GetOne("Bad").Status);

        var crl = pki.Publish();
        Assert.Equal(1, crl.CrlNumber);
        Assert.Equal(1, crl.EntryCount);
        Assert.Equal(CrlKind.Base, crl.Kind);
        var root = pki.Pem(pki.Enrollment.GetOne("Root").Certificate, "root.pem");

        var verified = OpenSsl.Run(pki.Tmp.Path, "crl", "-inform", "DER", "-in", crl.Path, "-CAfile", root, "-noout");
        Assert.Contains("verify OK", verified.All);
        var revoked = OpenSsl.Run(pki.Tmp.Path, "verify", "-crl_check", "-CAfile", root, "-CRLfile", Pem(crl.Path), pki.Pem(bad.Certificate, "bad.pem"));
        Assert.NotEqual(0, revoked.ExitCode);
        Assert.Contains("certificate revoked", revoked.All);
        OpenSsl.Ok(pki.Tmp.Path, "verify", "-crl_check", "-CAfile", root, "-CRLfile", Pem(crl.Path), pki.Pem(good.Certificate, "good.pem"));

        var text = OpenSsl.Ok(pki.Tmp.Path, "crl", "-inform", "DER", "-in", crl.Path, "-noout", "-text");
        Assert.Contains("Serial Number: " + bad.SerialNumber, text);
        Assert.Contains("Key Compromise", text);
        Assert.Contains("Invalidity Date", text);
        Assert.Contains(invalidity.UtcDateTime.ToString("MMM d HH:mm:ss yyyy", System.Globalization.CultureInfo.InvariantCulture).Replace("  ", " "), text.Replace("  ", " "));
        Assert.Contains("X509 CRL Number: \n                1", text.Replace("X509v3 CRL Number", "X509 CRL Number").Replace("\r", string.Empty));
        Assert.Contains("Authority Key Identifier", text);
        Assert.Contains("Version 2", text);

        string Pem(string der)
        {
            var path = der + ".pem";
            File.WriteAllText(path, System.Security.Cryptography.PemEncoding.WriteString("X509 CRL", File.ReadAllBytes(der)) + "\n");
            return path;
        }
    }

    [Fact]
    public void CrlNumbers_Increase_DeltaListsChanges_HoldCanBeLifted()
    {
        using var pki = new Pki(KeyAlgorithm.Rsa2048);
        var a = pki.Child("A");
        var b = pki.Child("B");
        Assert.Equal(0, pki.Publish().EntryCount);
        Assert.Equal(PkiErrorIds.NoBaseCrl, Assert.Throws<PkiException>(() => new Pki().Publish(delta: true)).ErrorId);

        pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = a.SerialNumber, Reason = RevocationReason.CertificateHold });
        var delta = pki.Publish(delta: true);
        Assert.Equal((2L, 1L, 1, CrlKind.Delta), (delta.CrlNumber, delta.BaseCrlNumber!.Value, delta.EntryCount, delta.Kind));
        var root = pki.Pem(pki.Enrollment.GetOne("Root").Certificate, "root.pem");
        var dtext = OpenSsl.Ok(pki.Tmp.Path, "crl", "-inform", "DER", "-in", delta.Path, "-noout", "-text");
        Assert.Contains("Delta CRL Indicator: critical", dtext);
        Assert.Contains("Certificate Hold", dtext);
        Assert.Contains("verify OK", OpenSsl.Run(pki.Tmp.Path, "crl", "-inform", "DER", "-in", delta.Path, "-CAfile", root, "-noout").All);

        // Hold -> lifted: the next base omits it, the next delta says removeFromCRL; the vault entry is no longer Revoked.
        Assert.Equal(EnrollmentStatus.Revoked, pki.Enrollment.GetOne("A").Status);
        pki.Revocation.Restore(new RevokeRequest { Issuer = "Root", SerialNumber = a.SerialNumber });
        Assert.Equal(EnrollmentStatus.Active, pki.Enrollment.GetOne("A").Status);
        var delta2 = pki.Publish(delta: true);
        Assert.Contains("Remove From CRL", OpenSsl.Ok(pki.Tmp.Path, "crl", "-inform", "DER", "-in", delta2.Path, "-noout", "-text"));
        var base2 = pki.Publish();
        Assert.Equal(4, base2.CrlNumber);
        Assert.Equal(0, base2.EntryCount);
        var btext = OpenSsl.Ok(pki.Tmp.Path, "crl", "-inform", "DER", "-in", base2.Path, "-noout", "-text");
        Assert.Contains("Freshest CRL", btext);
        Assert.Contains("root-delta.crl", btext);
        Assert.Contains("No Revoked Certificates", btext);

        // Errors: restoring what is not on hold; revoking twice; unknown serial without -Force; a bad serial.
        Assert.Equal(PkiErrorIds.NotOnHold, Assert.Throws<PkiException>(() => pki.Revocation.Restore(new RevokeRequest { Issuer = "Root", SerialNumber = b.SerialNumber })).ErrorId);
        pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = b.SerialNumber, Reason = RevocationReason.Superseded });
        Assert.Equal(PkiErrorIds.AlreadyRevoked, Assert.Throws<PkiException>(() => pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = b.SerialNumber })).ErrorId);
        Assert.Equal(PkiErrorIds.SerialNotIssued, Assert.Throws<PkiException>(() => pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = "0badc0de" })).ErrorId);
        var forced = pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = "0badc0de", Force = true });
        Assert.Contains(forced.Warnings, w => w.Contains("no record"));
        Assert.Equal(PkiErrorIds.InvalidSerialNumber, Assert.Throws<PkiException>(() => pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = "xyz" })).ErrorId);
        Assert.Equal(PkiErrorIds.InvalidSerialNumber, Assert.Throws<PkiException>(() => SerialNumbers.Parse(new string('1', 50))).ErrorId);
        Assert.Equal(PkiErrorIds.InvalidRevocationReason, Assert.Throws<PkiException>(() => pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = "01", Force = true, Reason = RevocationReason.RemoveFromCrl })).ErrorId);
        Assert.Equal(PkiErrorIds.RevocationTargetRequired, Assert.Throws<PkiException>(() => pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root" })).ErrorId);
        Assert.Equal(2, pki.Publish().EntryCount);
    }

    [Fact]
    public void BadInput_OneClearError_NothingHalfWritten()
    {
        using var pki = new Pki();
        var folder = pki.Tmp.File("crl");
        Assert.Equal(PkiErrorIds.KeyPasswordRequired, Assert.Throws<PkiException>(() =>
            pki.Publisher.Publish(new PublishCrlRequest { Issuer = "Root", Folder = folder })).ErrorId);
        Assert.Equal(PkiErrorIds.InvalidCrlValidity, Assert.Throws<PkiException>(() =>
            pki.Publisher.Publish(new PublishCrlRequest { Issuer = "Root", Folder = folder, KeyPassword = Password, Validity = TimeSpan.Zero })).ErrorId);
        File.WriteAllText(pki.Tmp.File("afile"), "x");
        Assert.Equal(PkiErrorIds.CrlFolderNotWritable, Assert.Throws<PkiException>(() =>
            pki.Publisher.Publish(new PublishCrlRequest { Issuer = "Root", Folder = pki.Tmp.File("afile"), KeyPassword = Password })).ErrorId);
        Assert.Equal(PkiErrorIds.InvalidCrlDistributionPoint, Assert.Throws<PkiException>(() => pki.Revocation.SetUrls("Root", new[] { "not a url" }, null)).ErrorId);
        Assert.Equal(PkiErrorIds.InvalidAuthorityInfoAccess, Assert.Throws<PkiException>(() => pki.Revocation.SetUrls("Root", null, new[] { "ftp://x/y" })).ErrorId);
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any());

        // A corrupted database: one clear error, and the file is left as it was for the admin to restore.
        using (var store = IssuedCertificateStore.Open(pki.Vault, "Root"))
            _ = store.Count();
        var db = Path.Combine(new ZscalerPki.Core.Authority.CaDirectory(pki.Vault).Resolve("Root").Folder, IssuedCertificateStore.FileName);
        foreach (var side in new[] { db + "-wal", db + "-shm" })
            File.Delete(side);
        File.WriteAllBytes(db, new byte[8192]);
        File.WriteAllText(db, "this is not a database, it was overwritten by accident........................................");
        var ex = Assert.Throws<PkiException>(() => pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = "01", Force = true }));
        Assert.Equal(PkiErrorIds.IssuedStoreCorrupt, ex.ErrorId);
        Assert.StartsWith("this is not a database", File.ReadAllText(db));

        // A certificate from another CA is not recorded.
        using var other = new Pki();
        var foreign = other.Child("Foreign");
        using var store2 = IssuedCertificateStore.Open(Vault.Open(pki.Tmp.Vault), "Root");
        Assert.Equal(PkiErrorIds.NotIssuedByCa, Assert.Throws<PkiException>(() => store2.Record(foreign.Certificate, "Server")).ErrorId);
    }

    [Fact]
    public void SetUrls_ChangesWhatLaterCertificatesCarry()
    {
        using var pki = new Pki();
        pki.Revocation.SetUrls("Root", new[] { "http://pki.example/new.crl" }, Array.Empty<string>());
        var child = pki.Child("Later");
        var text = OpenSsl.Ok(pki.Tmp.Path, "x509", "-in", pki.Pem(child.Certificate, "later.pem"), "-noout", "-text");
        Assert.Contains("URI:http://pki.example/new.crl", text);
        Assert.DoesNotContain("CA Issuers", text);
        Assert.Equal(new[] { "http://pki.example/new.crl" }, pki.Enrollment.GetOne("Root").CrlDistributionPoint);
    }

    [Fact]
    public void ExpiredCertificates_LeaveTheCrl_UnlessIncludeExpired_AndPemIsWritten()
    {
        using var pki = new Pki();
        var child = pki.Child("Short");
        pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root", Certificate = child.Certificate, Reason = RevocationReason.Superseded });
        pki.Revocation.Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = "0ddba11", Force = true }); // no record: always listed
        var later = new DateTimeOffset(child.NotAfter.ToUniversalTime()).AddDays(1);
        var folder = pki.Tmp.File("crl");
        var without = pki.Publisher.Publish(new PublishCrlRequest { Issuer = "Root", Folder = folder, KeyPassword = Password, Now = later }).Item;
        Assert.Equal(1, without.EntryCount);
        var with = pki.Publisher.Publish(new PublishCrlRequest { Issuer = "Root", Folder = folder, KeyPassword = Password, Now = later, IncludeExpired = true, Pem = true });
        Assert.Equal(2, with.Item.EntryCount);
        Assert.StartsWith("-----BEGIN X509 CRL-----", File.ReadAllText(with.Item.PemPath!));
        Assert.Equal(Path.Combine(folder, "Root.crl.pem"), with.Item.PemPath);
        Assert.Contains("Superseded", OpenSsl.Ok(pki.Tmp.Path, "crl", "-in", with.Item.PemPath!, "-noout", "-text"));
    }

    [Fact]
    public void EveryRemainingErrorId_HasItsCase()
    {
        using var pki = new Pki();
        // Resolving -Issuer by subject DN: unique finds the CA, two CAs with that name are ambiguous.
        Assert.Equal("Root", new ZscalerPki.Core.Authority.CaDirectory(pki.Vault).Resolve("CN=Revocation Test Root").Name);
        pki.Enrollment.Create(new NewEnrollmentRequest { Name = "Root2", Subject = "CN=Revocation Test Root", KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        Assert.Equal(PkiErrorIds.AmbiguousIssuer, Assert.Throws<PkiException>(() => new ZscalerPki.Core.Authority.CaDirectory(pki.Vault).Resolve("CN=Revocation Test Root")).ErrorId);

        // An SSL-inspection intermediate without its signed certificate has issued nothing.
        new ZscalerPki.Core.Intermediate.IntermediateService(pki.Vault).CreateCsr(new ZscalerPki.Core.Intermediate.NewIntermediateCsrRequest
        {
            Name = "NoCert", CommonName = "No Cert Yet", KeyPassword = Password, Status = ZscalerPki.Core.Intermediate.IntermediateStatus.Disabled,
        });
        Assert.Equal(PkiErrorIds.IssuerNotReady, Assert.Throws<PkiException>(() => pki.Revocation.Get("NoCert", new IssuedCertificateQuery()).ToList()).ErrorId);

        // CRL numbers only increase: a number at or below the last one published is refused.
        pki.Publish();
        using (var store = IssuedCertificateStore.Open(pki.Vault, "Root"))
            Assert.Equal(PkiErrorIds.CrlNumberConflict, Assert.Throws<PkiException>(() => store.CommitCrl(1, false, 0, () => { })).ErrorId);

        // The database cannot be created (its path is taken by a folder).
        var folder = new ZscalerPki.Core.Authority.CaDirectory(pki.Vault).Resolve("Root2").Folder;
        Directory.CreateDirectory(Path.Combine(folder, IssuedCertificateStore.FileName));
        Assert.Equal(PkiErrorIds.IssuedStoreUnavailable, Assert.Throws<PkiException>(() => pki.Revocation.Get("Root2", new IssuedCertificateQuery()).ToList()).ErrorId);
    }
}
