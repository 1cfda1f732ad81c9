using ZscalerPki.Core.Authority;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Inspection;

/// <summary>
/// The rotating issuing CA ("(t)") issues as every vault CA does: the server certificates it signs are recorded (in the
/// generation's own store) before they are handed out, and listed with its vault CA's. They carry no CDP, so revoking one
/// is refused with what to do instead: revoke the (t) CA, which its vault CA's CRL then lists.
/// </summary>
public sealed class RotatingIssuanceTests
{
    private static readonly ReadOnlyMemory<char> Password = Pw.Of("Rotating passw0rd!");

    [Fact]
    public void RotatingCaLeaves_AreRecordedAndListed_RevokingOneSaysToRevokeTheRotatingCa()
    {
        using var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        var enrollment = new EnrollmentService(vault);
        var root = enrollment.Create(new NewEnrollmentRequest { Name = "Root", Subject = "CN=Rotating Test Root", KeyPassword = Password, PathLength = 2 }).Item.Certificate;
        enrollment.Create(new NewEnrollmentRequest { Name = "Proxy", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), PathLength = 1, KeyPassword = Password, Subject = "CN=Rotating Test Proxy CA" });

        using var session = new ForgingSession();
        var service = new InspectionService(vault, session);
        var forged = service.ForgeMany(new[] { "a.rotating.example", "b.rotating.example" }
            .Select(n => new ForgeRequest { Site = SiteProfile.FromNames(new[] { n }, null), Issuer = "Proxy", IssuerKeyPassword = Password, RotatingIssuer = true })
            .ToList()).Select(r => r.Result?.Item ?? throw r.Error!).ToList();
        service.Flush();

        var revocation = new RevocationService(vault);
        var rows = revocation.Get("enrollment/Proxy", new IssuedCertificateQuery()).ToList();
        var t = Assert.Single(rows, r => r.Profile == IssuedProfiles.RotatingIssuer);
        Assert.Equal("enrollment/Proxy", t.IssuerIdentity);
        Assert.EndsWith(" (t)", t.Certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false));
        var leaves = rows.Where(r => r.Profile == IssuedProfiles.Server).ToList();
        Assert.Equal(forged.Select(f => f.SerialNumber).Order(), leaves.Select(l => l.SerialNumber).Order());
        var generation = $"enrollment/Proxy{CertificateAuthority.RotatingMarker}{t.SerialNumber}";
        Assert.All(leaves, l => Assert.Equal(generation, l.IssuerIdentity));
        // A leaf's chain verifies with OpenSSL through the (t) CA that recorded it.
        var leafPem = tmp.File("leaf.pem");
        File.WriteAllText(leafPem, leaves[0].Certificate.ExportCertificatePem());
        var untrusted = tmp.File("untrusted.pem");
        File.WriteAllText(untrusted, t.Certificate.ExportCertificatePem() + "\n" + new CaDirectory(vault).Resolve("enrollment/Proxy").Certificate.ExportCertificatePem());
        var rootPem = tmp.File("root.pem");
        File.WriteAllText(rootPem, root.ExportCertificatePem());
        Assert.Contains("OK", OpenSsl.Ok(tmp.Path, "verify", "-CAfile", rootPem, "-untrusted", untrusted, leafPem));

        // The generation is a CA of its own identity, reachable by it, with no key to open here.
        var ca = new CaDirectory(vault).Resolve(generation);
        Assert.True(ca.IsRotating);
        Assert.Equal("enrollment/Proxy", ca.Parent!.Identity);
        Assert.Equal(2, revocation.Get(generation, new IssuedCertificateQuery()).Count());
        Assert.Equal(PkiErrorIds.RotatingCaHasNoCrl, Assert.Throws<PkiException>(() => ca.OpenKey(Password.Span)).ErrorId);

        // Revoking a leaf, by its row's identity or through the vault CA, says to revoke the (t) CA, naming its serial.
        var byRow = Assert.Throws<PkiException>(() => revocation.Revoke(new RevokeRequest { Issuer = leaves[0].IssuerIdentity, SerialNumber = leaves[0].SerialNumber }));
        Assert.Equal(PkiErrorIds.RotatingCaHasNoCrl, byRow.ErrorId);
        Assert.Contains($"-SerialNumber {t.SerialNumber}", byRow.Message);
        var byParent = Assert.Throws<PkiException>(() => revocation.Revoke(new RevokeRequest { Issuer = "Proxy", SerialNumber = leaves[1].SerialNumber }));
        Assert.Equal(PkiErrorIds.RotatingCaHasNoCrl, byParent.ErrorId);
        Assert.Equal(PkiErrorIds.RotatingCaHasNoCrl, Assert.Throws<PkiException>(() =>
            new CrlPublisher(vault).Publish(new PublishCrlRequest { Issuer = generation, Folder = tmp.File("crl"), KeyPassword = Password })).ErrorId);

        // Revoking the (t) CA itself is what works: its vault CA's CRL lists it, and OpenSSL then refuses the leaf.
        revocation.Revoke(new RevokeRequest { Issuer = "Proxy", SerialNumber = t.SerialNumber, Reason = RevocationReason.Superseded });
        var crl = new CrlPublisher(vault).Publish(new PublishCrlRequest { Issuer = "Proxy", Folder = tmp.File("crl"), KeyPassword = Password }).Item;
        Assert.Equal(1, crl.EntryCount);
        Assert.Contains(t.SerialNumber, OpenSsl.Ok(tmp.Path, "crl", "-inform", "DER", "-in", crl.Path, "-noout", "-text").Replace(":", string.Empty), StringComparison.OrdinalIgnoreCase);
    }
}
