using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Hsm;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Tests.Hsm;

/// <summary>Enrollment CAs whose keys live in a PKCS#11 token: a root signed in the token, a child under it, CSRs signed by it.</summary>
[Collection("SoftHSM")]
public sealed class HsmEnrollmentTests(SoftHsm hsm)
{
    private static readonly ReadOnlyMemory<char> Pin = SoftHsm.Pin.AsMemory();

    private static HsmKeyOptions Token(string? existing = null) =>
        new() { Pkcs11Module = SoftHsm.Module, Token = SoftHsm.Tokens[0], ExistingKey = existing, Pin = Pin };

    [SoftHsmFact]
    public void HsmRoot_IssuesHsmAndSoftwareChildren_SignsCsrs_AndNeverExportsItsKey()
    {
        Assert.True(Directory.Exists(hsm.Folder));
        using var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        var enrollment = new EnrollmentService(vault);

        // A root whose key is made in the token (P-256) and that signs itself there.
        var root = enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Hsm-Root", KeyAlgorithm = KeyAlgorithm.EcdsaP256, PathLength = 2, Protection = KeyProtectionType.Hsm, Hsm = Token(),
            CrlDistributionPoints = new[] { "http://pki.contoso.test/hsm-root.crl" },
        }).Item;
        Assert.Equal(KeyProtectionType.Hsm, root.ProtectionType);
        Assert.StartsWith("pkcs11:token=zpki-keys;object=Hsm-Root;id=%", root.KeyReference);
        Assert.Equal(KeyAlgorithm.EcdsaP256, root.KeyAlgorithm);

        // An RSA child in the token (the root's PIN is the same token's), and a software child under the HSM root.
        var child = enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Hsm-Issuing", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Hsm-Root"), KeyAlgorithm = KeyAlgorithm.Rsa3072,
            PathLength = 1, Protection = KeyProtectionType.Hsm, Hsm = Token(),
        }).Item;
        Assert.Equal(KeyAlgorithm.Rsa3072, child.KeyAlgorithm);
        var software = enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Soft-Issuing", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Hsm-Root"), KeyPassword = "soft-pw".AsMemory(),
            ParentKeyPassword = Pin, PathLength = 0,
        }).Item;
        Assert.Equal(KeyProtectionType.Software, software.ProtectionType);
        Assert.Null(software.KeyReference);

        // A CSR signed by the HSM child (Submit-CertificateRequest -Issuer), as AD CS scripts do.
        using var leafKey = System.Security.Cryptography.RSA.Create(2048);
        var csrRequest = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Inspection CA under HSM", leafKey,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        csrRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, true, 0, true));
        var csr = IntermediateCsr.Read(Encoding.ASCII.GetBytes(csrRequest.CreateSigningRequestPem()));
        var issued = new CsrSigningService(vault).SignWithVaultCa(new SignWithVaultCaRequest { Csr = csr, Issuer = "Hsm-Issuing", IssuerKeyPassword = Pin }).Item;

        File.WriteAllText(tmp.File("root.pem"), root.Certificate.ExportCertificatePem());
        File.WriteAllText(tmp.File("children.pem"), child.Certificate.ExportCertificatePem() + "\n" + software.Certificate.ExportCertificatePem());
        File.WriteAllText(tmp.File("issued.pem"), issued.Certificate.ExportCertificatePem());
        Assert.Contains("root.pem: OK", OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-CAfile", "root.pem", "root.pem"));
        Assert.Contains("issued.pem: OK", OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-CAfile", "root.pem", "-untrusted", "children.pem", "issued.pem"));
        File.WriteAllText(tmp.File("soft.pem"), software.Certificate.ExportCertificatePem());
        Assert.Contains("soft.pem: OK", OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-CAfile", "root.pem", "soft.pem"));
        Assert.Single(new Core.Revocation.RevocationService(vault).Get("Hsm-Issuing", new Core.Revocation.IssuedCertificateQuery()));

        // The keys stay in the token: an export with the private key is refused (PEM and PFX); the certificate exports.
        foreach (var format in new[] { ExportFormat.Pem, ExportFormat.Pfx })
            Assert.Equal(PkiErrorIds.HsmKeyNotExportable, Assert.Throws<PkiException>(() => enrollment.Export(new ExportEnrollmentRequest
            {
                Name = "Hsm-Root", Format = format, IncludePrivateKey = true, KeyPassword = Pin, Password = "export-pw".AsMemory(),
            })).ErrorId);
        Assert.Contains("BEGIN CERTIFICATE", Encoding.ASCII.GetString(enrollment.Export(new ExportEnrollmentRequest { Name = "Hsm-Issuing", IncludeChain = true })));
        Assert.DoesNotContain(Directory.GetFiles(tmp.Vault, "key.p8", SearchOption.AllDirectories), f => f.Contains("Hsm-", StringComparison.Ordinal));

        // Signing with a wrong PIN is one clear error, and nothing is recorded.
        Assert.Equal(PkiErrorIds.HsmPinIncorrect, Assert.Throws<PkiException>(() =>
            new CsrSigningService(vault).SignWithVaultCa(new SignWithVaultCaRequest { Csr = csr, Issuer = "Hsm-Issuing", IssuerKeyPassword = "wrong".AsMemory() })).ErrorId);
        Assert.Single(new Core.Revocation.RevocationService(vault).Get("Hsm-Issuing", new Core.Revocation.IssuedCertificateQuery()));

        // The EC root forges from the token, and its forged certificates survive the process: the on-disk cache is sealed
        // with the key's ECDH agreement with itself, which only the token can compute and which is the same every time.
        using (var rootKey = new Core.Authority.CaDirectory(vault).Resolve("enrollment/Hsm-Root").OpenKey(Pin.Span))
        {
            var seal = HsmKeys.DeterministicSecret(rootKey, "label");
            Assert.NotNull(seal);
            Assert.Equal(seal, HsmKeys.DeterministicSecret(rootKey, "label"));
            Assert.NotEqual(seal, HsmKeys.DeterministicSecret(rootKey, "other label"));
        }
        var site = Core.Inspection.SiteProfile.FromNames(new[] { "ec-hsm.contoso.test" }, null);
        var forgeRequest = new Core.Inspection.ForgeRequest { Site = site, Issuer = "Hsm-Root", IssuerKeyPassword = Pin };
        using var session = new Core.Inspection.ForgingSession();
        var first = new Core.Inspection.InspectionService(vault, session).Forge(forgeRequest).Item;
        Assert.False(first.FromCache);
        using var newSession = new Core.Inspection.ForgingSession(); // as a new PowerShell session starts
        var again = new Core.Inspection.InspectionService(vault, newSession).Forge(forgeRequest).Item;
        Assert.True(again.FromCache);
        Assert.Equal(first.Certificate.RawData, again.Certificate.RawData);
        File.WriteAllText(tmp.File("ec-forged.pem"), again.Certificate.ExportCertificatePem());
        Assert.Contains("ec-forged.pem: OK", OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "root.pem", "ec-forged.pem"));

        // Removing the CA leaves its key in the token (the HSM administrator's decision), and says so.
        var removed = enrollment.Remove("Hsm-Issuing", force: false);
        Assert.Contains(removed.Warnings, w => w.Contains("stays in its HSM", StringComparison.Ordinal) && w.Contains("object=Hsm-Issuing", StringComparison.Ordinal));
        Assert.Empty(enrollment.Remove("Soft-Issuing", force: false).Warnings);

        // A key the HSM's own tools made (here P-384, generated and closed) is used by its URI; the CA takes that key's algorithm.
        var made = SoftHsm.Generate(SoftHsm.Tokens[0], "vendor-made", Pkcs11KeySpec.EcP384);
        var vendor = enrollment.Create(new NewEnrollmentRequest { Name = "Vendor-Root", Protection = KeyProtectionType.Hsm, Hsm = Token(made.Uri) }).Item;
        Assert.Equal(KeyAlgorithm.EcdsaP384, vendor.KeyAlgorithm);
        Assert.Equal(384, System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions.GetECDsaPublicKey(vendor.Certificate)!.KeySize);
        File.WriteAllText(tmp.File("vendor.pem"), vendor.Certificate.ExportCertificatePem());
        Assert.Contains("vendor.pem: OK", OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-CAfile", "vendor.pem", "vendor.pem"));
    }

    [SoftHsmFact]
    public void HsmOptions_AreCheckedBeforeAnyKeyIsMade()
    {
        Assert.True(Directory.Exists(hsm.Folder));
        using var tmp = new TempDir();
        var enrollment = new EnrollmentService(Vault.Open(tmp.Vault));
        NewEnrollmentRequest Root(HsmKeyOptions? options) => new() { Name = "Refused-Root", Protection = KeyProtectionType.Hsm, Hsm = options };

        Assert.Equal(PkiErrorIds.HsmModuleNotFound, Assert.Throws<PkiException>(() => enrollment.Create(Root(null))).ErrorId);
        Assert.Equal(PkiErrorIds.InvalidKeyReference, Assert.Throws<PkiException>(() => enrollment.Create(Root(Token() with { KeyStorageProvider = "Microsoft Platform Crypto Provider" }))).ErrorId);
        Assert.Equal(PkiErrorIds.PinRequired, Assert.Throws<PkiException>(() => enrollment.Create(Root(Token() with { Pin = default }))).ErrorId);
        Assert.Equal(PkiErrorIds.InvalidKeyReference, Assert.Throws<PkiException>(() => enrollment.Create(Root(Token("pkcs11:token=zpki-keys;object=x;type=private?pin-value=1")))).ErrorId);
        Assert.Equal(PkiErrorIds.HsmKeyNotExportable, Assert.Throws<PkiException>(() =>
            enrollment.Create(Root(Token()) with { CertStoreLocation = CertStoreLocation.Parse(@"Cert:\CurrentUser\My") })).ErrorId);
        Assert.Equal(PkiErrorIds.HsmPinIncorrect, Assert.Throws<PkiException>(() => enrollment.Create(Root(Token() with { Pin = "wrong".AsMemory() }))).ErrorId);
        Assert.Equal(PkiErrorIds.HsmKeyNotFound, Assert.Throws<PkiException>(() => enrollment.Create(Root(Token("pkcs11:token=zpki-keys;object=never-made;type=private")))).ErrorId);
        Assert.Empty(enrollment.Get());

        // A refused parent (wrong password) leaves no key behind in the token.
        enrollment.Create(new NewEnrollmentRequest { Name = "Soft-Root", KeyPassword = "root-pw".AsMemory(), KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        Assert.Equal(PkiErrorIds.WrongKeyPassword, Assert.Throws<PkiException>(() => enrollment.Create(new NewEnrollmentRequest
        {
            Name = "Orphan", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Soft-Root"), Protection = KeyProtectionType.Hsm, Hsm = Token(),
            ParentKeyPassword = "not-the-root-pw".AsMemory(),
        })).ErrorId);
        Assert.DoesNotContain(SoftHsm.Objects(SoftHsm.Tokens[0]), o => o.Contains("Orphan", StringComparison.Ordinal));
    }
}
