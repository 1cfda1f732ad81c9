using System.Text;
using ZscalerPki.Core.Authority;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Authority;

/// <summary>One resolver: a CA is found by identity (kind/name), by a bare name only one kind has, or by its subject DN.</summary>
public sealed class CaDirectoryTests
{
    private static readonly ReadOnlyMemory<char> Password = Pw.Of("One-CA passw0rd");

    /// <summary>An enrollment root "X" (P-384) and an SSL-inspection intermediate "X" signed by it.</summary>
    private static (TempDir Tmp, Vault Vault) TwoCasNamedX()
    {
        var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        new EnrollmentService(vault).Create(new NewEnrollmentRequest { Name = "X", Subject = "CN=X Root", KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP384 });
        var intermediates = new IntermediateService(vault);
        var csr = intermediates.CreateCsr(new NewIntermediateCsrRequest { Name = "X", CommonName = "X Inspection CA", PathLength = 0, KeyPassword = Password }).Item;
        var signed = new CsrSigningService(vault).SignWithVaultCa(new SignWithVaultCaRequest
        {
            Csr = IntermediateCsr.Read(Encoding.ASCII.GetBytes(csr.Csr)), Issuer = "enrollment/X", IssuerKeyPassword = Password,
        }).Item;
        intermediates.Import(new ImportSignedIntermediateRequest { Name = "X", Certificates = new[] { signed.Certificate }, Chain = signed.Chain });
        return (tmp, vault);
    }

    [Fact]
    public void BareNameOfTwoKinds_IsAmbiguous_IdentityReachesEach()
    {
        var (tmp, vault) = TwoCasNamedX();
        using var _ = tmp;
        var directory = new CaDirectory(vault);

        var ex = Assert.Throws<PkiException>(() => directory.Resolve("X"));
        Assert.Equal(PkiErrorIds.AmbiguousIssuer, ex.ErrorId);
        Assert.Contains("enrollment/X", ex.Message);
        Assert.Contains("intermediate/X", ex.Message);
        // The same for every path that takes a CA name.
        Assert.Equal(PkiErrorIds.AmbiguousIssuer, Assert.Throws<PkiException>(() => new RevocationService(vault).Get("X", new IssuedCertificateQuery()).ToList()).ErrorId);
        Assert.Equal(PkiErrorIds.AmbiguousIssuer, Assert.Throws<PkiException>(() => IssuedCertificateStore.Open(vault, "x")).ErrorId);

        var enrollment = directory.Resolve("enrollment/x");
        Assert.Same(CaKind.Enrollment, enrollment.Kind);
        Assert.Equal("enrollment/X", enrollment.Identity);
        Assert.Equal("CN=X Root", enrollment.Certificate.Subject);
        var intermediate = directory.Resolve("intermediate/X");
        Assert.Same(CaKind.Intermediate, intermediate.Kind);
        Assert.Equal("CN=X Inspection CA", intermediate.Certificate.Subject);
        Assert.Equal(new[] { "CN=X Inspection CA", "CN=X Root" }, intermediate.Chain.Select(c => c.Subject));
        Assert.NotEqual(enrollment.Folder, intermediate.Folder);

        // The subject DN finds one CA; a name neither kind has is NotFound naming both kinds.
        Assert.Equal("intermediate/X", directory.Resolve("CN=X Inspection CA").Identity);
        Assert.Equal(PkiErrorIds.NotFound, Assert.Throws<PkiException>(() => directory.Resolve("Y")).ErrorId);
        Assert.Equal(PkiErrorIds.NotFound, Assert.Throws<PkiException>(() => directory.Resolve("intermediate/Y")).ErrorId);

        // What the intermediate signed was recorded by the enrollment CA that signed it, and only there.
        Assert.Single(new RevocationService(vault).Get("enrollment/X", new IssuedCertificateQuery()));
    }

    [Fact]
    public void IntermediateWithoutItsCertificate_IsNotReady()
    {
        using var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        new IntermediateService(vault).CreateCsr(new NewIntermediateCsrRequest { Name = "Pending", CommonName = "Pending CA", KeyPassword = Password });
        Assert.Equal(PkiErrorIds.IssuerNotReady, Assert.Throws<PkiException>(() => new CaDirectory(vault).Resolve("Pending")).ErrorId);
    }

    [Fact]
    public void P384Ca_SignsItsCertificatesAndCrls_WithSha384()
    {
        var (tmp, vault) = TwoCasNamedX();
        using var _ = tmp;
        var root = new CaDirectory(vault).Resolve("enrollment/X");
        Assert.Equal(SignatureHash.Sha384, root.SignatureHash);
        // The intermediate it signed (Submit-CertificateRequest's path) and a child enrollment CA (New-EnrollmentCertificate's).
        var issued = new RevocationService(vault).Get("enrollment/X", new IssuedCertificateQuery()).Single().Certificate;
        Assert.Equal("1.2.840.10045.4.3.3", issued.SignatureAlgorithm.Value); // ecdsa-with-SHA384
        var child = new EnrollmentService(vault).Create(new NewEnrollmentRequest
        {
            Name = "Child", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("X"), KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
        }).Item;
        Assert.Equal("1.2.840.10045.4.3.3", child.Certificate.SignatureAlgorithm.Value);
        var crl = new CrlPublisher(vault).Publish(new PublishCrlRequest { Issuer = "enrollment/X", Folder = tmp.File("crl"), KeyPassword = Password }).Item;
        Assert.Contains("ecdsa-with-SHA384", OpenSsl.Ok(tmp.Path, "crl", "-inform", "DER", "-in", crl.Path, "-noout", "-text"));
    }

    [Fact]
    public void ACaThatCannotRecord_HandsOutNothing_OnEveryIssuingPath()
    {
        // Issuing is one operation (CertificateAuthority.Issue): signed, recorded durably, then returned. With the issuer's
        // database damaged, Submit-CertificateRequest's path and a child enrollment CA both fail, and nothing was handed out:
        // no certificate returned, no child entry in the vault.
        var (tmp, vault) = TwoCasNamedX();
        using var _ = tmp;
        var root = new CaDirectory(vault).Resolve("enrollment/X");
        var db = Path.Combine(root.Folder, IssuedCertificateStore.FileName);
        foreach (var side in new[] { db + "-wal", db + "-shm" })
            File.Delete(side);
        File.WriteAllBytes(db, Encoding.ASCII.GetBytes("not a database, and not one to sign on top of"));

        var csr = new IntermediateService(vault).CreateCsr(new NewIntermediateCsrRequest { Name = "Y", CommonName = "Y Inspection CA", PathLength = 0, KeyPassword = Password, Status = IntermediateStatus.Disabled }).Item;
        var sign = Assert.Throws<PkiException>(() => new CsrSigningService(vault).SignWithVaultCa(new SignWithVaultCaRequest
        {
            Csr = IntermediateCsr.Read(Encoding.ASCII.GetBytes(csr.Csr)), Issuer = "enrollment/X", IssuerKeyPassword = Password,
        }));
        Assert.Equal(PkiErrorIds.IssuedStoreCorrupt, sign.ErrorId);

        var child = Assert.Throws<PkiException>(() => new EnrollmentService(vault).Create(new NewEnrollmentRequest
        {
            Name = "Child", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("X"), KeyPassword = Password,
        }));
        Assert.Equal(PkiErrorIds.IssuedStoreCorrupt, child.ErrorId);
        Assert.Null(vault.FindName(Collections.Enrollment, "Child"));
    }

    [Fact]
    public void SettingUrls_ByABareNameTwoKindsShare_IsAmbiguous_ByIdentityChangesOnlyThatCa()
    {
        var (tmp, vault) = TwoCasNamedX();
        using var _ = tmp;
        var revocation = new RevocationService(vault);
        Assert.Equal(PkiErrorIds.AmbiguousIssuer,
            Assert.Throws<PkiException>(() => revocation.SetUrls("X", new[] { "http://pki.example/x.crl" }, null)).ErrorId);

        revocation.SetUrls("intermediate/X", new[] { "http://pki.example/x.crl" }, null);
        var directory = new CaDirectory(vault);
        Assert.Equal(new[] { "http://pki.example/x.crl" }, directory.Resolve("intermediate/X").CrlDistributionPoints);
        Assert.Empty(directory.Resolve("enrollment/X").CrlDistributionPoints);
    }
}
