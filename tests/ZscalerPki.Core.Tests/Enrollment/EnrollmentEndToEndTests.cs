using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Enrollment;

public sealed class EnrollmentEndToEndTests
{
    private static readonly ReadOnlyMemory<char> Password = Pw.Of("Corr3ct horse!");

    [Fact]
    public void RootAndIntermediate_PassOpenSslStrictVerify_WithTheCaProfile_AndTheKeyOpensInOpenSsl()
    {
        using var tmp = new TempDir();
        var service = new EnrollmentService(Vault.Open(tmp.Vault));

        var root = service.Create(new NewEnrollmentRequest { Name = "Contoso.Root-CA_1", Subject = "CN=Contoso Enrollment Root, O=Contoso, C=US", KeyPassword = Password, PathLength = 1 }).Item;
        var inter = service.Create(new NewEnrollmentRequest
        {
            Name = "Contoso.Connectors",
            Type = CaType.Intermediate,
            Parent = EnrollmentParent.FromVault("contoso.root-ca_1"), // names match ignoring case
            ClientCertificateType = ClientCertificateType.ClientConnector,
            KeyAlgorithm = KeyAlgorithm.EcdsaP256,
            HashAlgorithm = SignatureHash.Sha384,
            PathLength = 0,
            ValidityDays = 365,
            KeyPassword = Password,
        }).Item;

        Assert.Equal("Contoso.Root-CA_1", inter.Parent);
        Assert.Equal(CaType.Intermediate, inter.Type);
        Assert.Equal(EnrollmentStatus.Active, inter.Status);
        Assert.False(inter.Certificate.HasPrivateKey);
        Assert.Equal(root.Subject, inter.Issuer);

        var rootPem = tmp.File("root.pem");
        var interPem = tmp.File("intermediate.pem");
        var keyPath = tmp.File("intermediate.key.p8");
        File.WriteAllBytes(rootPem, service.Export(new ExportEnrollmentRequest { Name = root.Name }));
        File.WriteAllBytes(interPem, service.Export(new ExportEnrollmentRequest { Name = inter.Name }));
        File.Copy(service.Vault.KeyPath(Collections.Enrollment, inter.Name), keyPath);
        File.WriteAllText(tmp.File("intermediate.key.password"), new string(Password.Span));

        // OpenSSL agrees the chain is valid under strict X.509 checks.
        var verify = OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-CAfile", rootPem, interPem);
        Assert.Contains("OK", verify);

        // The CA profile, as OpenSSL reads it.
        foreach (var (file, isRoot) in new[] { (rootPem, true), (interPem, false) })
        {
            var text = OpenSsl.Ok(tmp.Path, "x509", "-in", file, "-noout", "-text");
            Assert.Matches(@"X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:" + (isRoot ? "1" : "0"), text);
            Assert.Matches(@"X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign", text);
            Assert.Contains("X509v3 Subject Key Identifier", text);
            Assert.Equal(!isRoot, text.Contains("X509v3 Authority Key Identifier"));
            var serial = OpenSsl.Ok(tmp.Path, "x509", "-in", file, "-noout", "-serial").Trim()["serial=".Length..];
            Assert.True(serial.Length == 32 && serial[0] is >= '4' and <= '7', $"serial {serial} should be 16 bytes, positive, no leading zero");
        }
        var interText = OpenSsl.Ok(tmp.Path, "x509", "-in", interPem, "-noout", "-text");
        Assert.Contains("Signature Algorithm: sha384WithRSAEncryption", interText); // signed by the RSA root with -HashAlgorithm SHA384
        Assert.Contains("ASN1 OID: prime256v1", interText); // its own key is P-256

        // notBefore is backdated a few minutes for clock skew.
        Assert.InRange(DateTime.UtcNow - inter.NotBefore.ToUniversalTime(), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(7));

        // The encrypted key opens in OpenSSL with the password and is the certificate's key.
        var keyText = File.ReadAllText(keyPath);
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", keyText);
        var pkeyInfo = OpenSsl.Ok(tmp.Path, "pkcs8", "-in", keyPath, "-passin", "file:" + tmp.File("intermediate.key.password"), "-topk8", "-nocrypt", "-out", tmp.File("plain.tmp"));
        _ = pkeyInfo;
        File.Delete(tmp.File("plain.tmp"));
        var asn = OpenSsl.Ok(tmp.Path, "asn1parse", "-in", keyPath);
        Assert.Contains("PBES2", asn);
        Assert.Contains("PBKDF2", asn);
        Assert.Contains("aes-256-cbc", asn);
        Assert.Contains("hmacWithSHA256", asn);
        Assert.Matches(@"INTEGER\s+:0927C0", asn); // 600,000 PBKDF2 iterations
        var keyPub = OpenSsl.Ok(tmp.Path, "pkey", "-in", keyPath, "-passin", "file:" + tmp.File("intermediate.key.password"), "-pubout");
        var certPub = OpenSsl.Ok(tmp.Path, "x509", "-in", interPem, "-noout", "-pubkey");
        Assert.Equal(certPub, keyPub);

        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(service.Vault.KeyPath(Collections.Enrollment, inter.Name)));

        // The chain export, leaf first, also verifies.
        var bundle = tmp.File("bundle.pem");
        File.WriteAllBytes(bundle, service.Export(new ExportEnrollmentRequest { Name = inter.Name, IncludeChain = true }));
        var certs = CertificateReader.ReadFile(bundle);
        Assert.Equal(new[] { inter.Thumbprint, root.Thumbprint }, certs.Select(c => c.Thumbprint));

        // Revocation (issue 8): a second child of the root is revoked; the root's CRL fails it and passes the intermediate.
        var revoked = service.Create(new NewEnrollmentRequest { Name = "Revoked-Leaf", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault(root.Name), KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256, PathLength = 0 }).Item;
        new ZscalerPki.Core.Revocation.RevocationService(service.Vault).Revoke(new ZscalerPki.Core.Revocation.RevokeRequest { Issuer = root.Name, Certificate = revoked.Certificate, Reason = ZscalerPki.Core.Revocation.RevocationReason.KeyCompromise });
        var crl = new ZscalerPki.Core.Revocation.CrlPublisher(service.Vault).Publish(new ZscalerPki.Core.Revocation.PublishCrlRequest { Issuer = root.Name, Folder = tmp.File("crl"), KeyPassword = Password, Pem = true }).Item;
        var caCrl = tmp.File("ca.crl");
        File.Copy(crl.Path, caCrl);
        var revokedPem = tmp.File("revoked-leaf.pem");
        File.WriteAllText(revokedPem, CertificateReader.ToPem(revoked.Certificate));
        Assert.Contains("verify OK", OpenSsl.Run(tmp.Path, "crl", "-inform", "DER", "-in", caCrl, "-CAfile", rootPem, "-noout").All);
        OpenSsl.Ok(tmp.Path, "verify", "-crl_check", "-CAfile", rootPem, "-CRLfile", crl.PemPath!, interPem);
        Assert.Contains("certificate revoked", OpenSsl.Run(tmp.Path, "verify", "-crl_check", "-CAfile", rootPem, "-CRLfile", crl.PemPath!, revokedPem).All);

        LeaveArtifacts(rootPem, interPem, keyPath, tmp.File("intermediate.key.password"), caCrl, revokedPem);
    }

    private static void LeaveArtifacts(params string[] files)
    {
        var dir = Environment.GetEnvironmentVariable("ZSCALERPKI_ARTIFACTS");
        if (string.IsNullOrEmpty(dir))
            return;
        Directory.CreateDirectory(dir);
        foreach (var f in files)
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)), overwrite: true);
    }

    [Fact]
    public void ExportsPfxWithChainAndKey_ThatOpenSslReads_AndEncryptedPemKey()
    {
        using var tmp = new TempDir();
        var service = new EnrollmentService(Vault.Open(tmp.Vault));
        service.Create(new NewEnrollmentRequest { Name = "root", KeyPassword = Password });
        service.Create(new NewEnrollmentRequest { Name = "sub", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("root"), KeyPassword = Password });

        var pfx = tmp.File("sub.pfx");
        File.WriteAllBytes(pfx, service.Export(new ExportEnrollmentRequest { Name = "sub", Format = ExportFormat.Pfx, IncludeChain = true, IncludePrivateKey = true, KeyPassword = Password, Password = Pw.Of("export-pw") }));
        var info = OpenSsl.Ok(tmp.Path, "pkcs12", "-in", pfx, "-passin", "pass:export-pw", "-nokeys");
        Assert.Equal(2, CertificateReader.ReadText(info).Count);
        var key = OpenSsl.Ok(tmp.Path, "pkcs12", "-in", pfx, "-passin", "pass:export-pw", "-nocerts", "-nodes");
        Assert.Contains("PRIVATE KEY", key);

        var pem = Encoding.ASCII.GetString(service.Export(new ExportEnrollmentRequest { Name = "sub", IncludePrivateKey = true, KeyPassword = Password, Password = Pw.Of("other-pw") }));
        Assert.Contains("ENCRYPTED PRIVATE KEY", pem);
        Assert.DoesNotContain("BEGIN PRIVATE KEY", pem);
        File.WriteAllText(tmp.File("sub-key.pem"), pem);
        OpenSsl.Ok(tmp.Path, "pkey", "-in", tmp.File("sub-key.pem"), "-passin", "pass:other-pw", "-noout");

        var der = service.Export(new ExportEnrollmentRequest { Name = "sub", Format = ExportFormat.Der });
        File.WriteAllBytes(tmp.File("sub.cer"), der);
        OpenSsl.Ok(tmp.Path, "x509", "-inform", "DER", "-in", tmp.File("sub.cer"), "-noout");
        var noKeyPw = Assert.Throws<PkiException>(() => service.Export(new ExportEnrollmentRequest { Name = "sub", IncludePrivateKey = true, KeyPassword = Password }));
        Assert.Equal("ExportPasswordRequired", noKeyPw.ErrorId);
        var derChain = Assert.Throws<PkiException>(() => service.Export(new ExportEnrollmentRequest { Name = "sub", Format = ExportFormat.Der, IncludeChain = true }));
        Assert.Equal("FormatCannotHoldChain", derChain.ErrorId);
    }

    [Theory]
    [InlineData("a b", "space")]
    [InlineData("x/y", "'/'")]
    [InlineData("ü", "'ü'")]
    [InlineData("", "empty")]
    [InlineData("..", "periods")]
    [InlineData("NUL", "reserved")]
    [InlineData("tab\there", "U+0009")]
    public void BadNames_AreRefusedWithTheRule(string name, string why)
    {
        using var tmp = new TempDir();
        var service = new EnrollmentService(Vault.Open(tmp.Vault));
        var ex = Assert.Throws<PkiException>(() => service.Create(new NewEnrollmentRequest { Name = name, KeyPassword = Password }));
        Assert.Equal("InvalidName", ex.ErrorId);
        Assert.Equal(PkiErrorCategory.InvalidArgument, ex.Category);
        Assert.Equal(name, ex.Target);
        Assert.Contains(why, ex.Message);
        Assert.Contains("letters A-Z, digits, periods (.), hyphens (-) and underscores (_)", ex.Message);
        Assert.Empty(service.Get());
    }

    [Fact]
    public void DuplicateNames_IgnoringCase_AreRefused_AndWrongPasswordIsClear()
    {
        using var tmp = new TempDir();
        var service = new EnrollmentService(Vault.Open(tmp.Vault));
        service.Create(new NewEnrollmentRequest { Name = "Root", KeyPassword = Password });
        var dup = Assert.Throws<PkiException>(() => service.Create(new NewEnrollmentRequest { Name = "ROOT", KeyPassword = Password }));
        Assert.Equal("NameAlreadyExists", dup.ErrorId);
        Assert.Equal(PkiErrorCategory.ResourceExists, dup.Category);

        var wrong = Assert.Throws<PkiException>(() => service.Create(new NewEnrollmentRequest
        {
            Name = "Sub", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), KeyPassword = Password, ParentKeyPassword = Pw.Of("not it"),
        }));
        Assert.Equal("WrongKeyPassword", wrong.ErrorId);
        Assert.Equal(PkiErrorCategory.AuthenticationError, wrong.Category);
        Assert.Contains("password for 'Root' is wrong", wrong.Message);
        Assert.Single(service.Get()); // nothing half-created
    }

    [Fact]
    public void AppProtection_NewCaReplacesThePrevious_OnlyOneActive()
    {
        using var tmp = new TempDir();
        var service = new EnrollmentService(Vault.Open(tmp.Vault));
        service.Create(new NewEnrollmentRequest { Name = "AppProt-2025", ClientCertificateType = ClientCertificateType.AppProtection, KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        service.Create(new NewEnrollmentRequest { Name = "Other", ClientCertificateType = ClientCertificateType.IsolationClient, KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        var result = service.Create(new NewEnrollmentRequest { Name = "AppProt-2026", ClientCertificateType = ClientCertificateType.AppProtection, KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256 });

        Assert.Contains(result.Information, w => w.Contains("'AppProt-2025' was replaced by 'AppProt-2026'"));
        Assert.DoesNotContain(result.Warnings, w => w.Contains("was replaced by"));
        var app = service.Get(clientType: ClientCertificateType.AppProtection);
        Assert.Equal(2, app.Count);
        Assert.Single(app, a => a.Status == EnrollmentStatus.Active && a.Name == "AppProt-2026");
        var old = Assert.Single(app, a => a.Status == EnrollmentStatus.Replaced);
        Assert.Equal("AppProt-2025", old.Name);
        Assert.Equal("AppProt-2026", old.ReplacedBy);
        Assert.Equal(EnrollmentStatus.Active, service.GetOne("Other").Status);
    }

    [Fact]
    public void IntermediateSignedByACaFromTheCertificateStore_AndPersistedToAStore()
    {
        using var tmp = new TempDir();
        var storeName = "ZscalerPkiTest" + Guid.NewGuid().ToString("N")[..8];
        var store = CertStoreLocation.Parse($@"Cert:\CurrentUser\{storeName}");
        try
        {
            // An issuing CA that lives only in the certificate store (as if enrolled from AD CS).
            using var caKey = System.Security.Cryptography.RSA.Create(2048);
            var caCert = CaCertificateBuilder.Issue(new X500DistinguishedName("CN=Store Issuing CA, O=Fabrikam"), new PublicKey(caKey),
                new CaCertificateBuilder.Signer(null, caKey), SignatureHash.Sha256, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), null);
            store.AddWithPrivateKey(Keys.WithKey(caCert, caKey));
            var fromStore = store.ReadAll().Single();
            Assert.True(fromStore.HasPrivateKey);

            var service = new EnrollmentService(Vault.Open(tmp.Vault));
            var result = service.Create(new NewEnrollmentRequest
            {
                Name = "Under-Store-CA",
                Type = CaType.Intermediate,
                Parent = EnrollmentParent.FromCertificate(fromStore),
                KeyPassword = Password,
                ValidityDays = 365,
                CertStoreLocation = store,
            });
            var sub = result.Item;

            // It may not outlive the store CA: clamped with a warning.
            Assert.Contains(result.Warnings, w => w.Contains("never outlives its parent"));
            Assert.Equal(caCert.NotAfter, sub.NotAfter);
            Assert.Equal(caCert.Subject, sub.Parent);

            File.WriteAllText(tmp.File("ca.pem"), CertificateReader.ToPem(caCert));
            File.WriteAllText(tmp.File("sub.pem"), CertificateReader.ToPem(sub.Certificate));
            OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-CAfile", tmp.File("ca.pem"), tmp.File("sub.pem"));

            // The chain export includes the store parent.
            var chain = service.Chain("Under-Store-CA");
            Assert.Equal(new[] { sub.Thumbprint, caCert.Thumbprint }, chain.Select(c => c.Thumbprint));

            // -CertStoreLocation also persisted the new CA with its key.
            var persisted = store.ReadAll().Single(c => c.Thumbprint == sub.Thumbprint);
            Assert.True(persisted.HasPrivateKey);
        }
        finally
        {
            using var x = new X509Store(storeName, StoreLocation.CurrentUser);
            x.Open(OpenFlags.ReadWrite);
            foreach (var c in x.Certificates)
                x.Remove(c);
        }
    }

    [Fact]
    public void ParentRules_PathLengthAndKeyAndType_AreExplained()
    {
        using var tmp = new TempDir();
        var service = new EnrollmentService(Vault.Open(tmp.Vault));
        service.Create(new NewEnrollmentRequest { Name = "leafonly", PathLength = 0, KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256 });

        var noRoom = Assert.Throws<PkiException>(() => service.Create(new NewEnrollmentRequest { Name = "x", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("leafonly"), KeyPassword = Password }));
        Assert.Equal("ParentPathLengthExceeded", noRoom.ErrorId);

        var noParent = Assert.Throws<PkiException>(() => service.Create(new NewEnrollmentRequest { Name = "x", Type = CaType.Intermediate, KeyPassword = Password }));
        Assert.Equal("ParentRequired", noParent.ErrorId);

        var missing = Assert.Throws<PkiException>(() => service.Create(new NewEnrollmentRequest { Name = "x", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("nope"), KeyPassword = Password }));
        Assert.Equal("NotFound", missing.ErrorId);

        var noKey = Assert.Throws<PkiException>(() => service.Create(new NewEnrollmentRequest
        {
            Name = "x", Type = CaType.Intermediate, KeyPassword = Password,
            Parent = EnrollmentParent.FromCertificate(service.GetOne("leafonly").Certificate),
        }));
        Assert.Equal("ParentPathLengthExceeded", noKey.ErrorId);

        var badSubject = Assert.Throws<PkiException>(() => service.Create(new NewEnrollmentRequest { Name = "y", Subject = "this is not a DN", KeyPassword = Password }));
        Assert.Equal("InvalidSubject", badSubject.ErrorId);

        var noPassword = Assert.Throws<PkiException>(() => service.Create(new NewEnrollmentRequest { Name = "y" }));
        Assert.Equal("KeyPasswordRequired", noPassword.ErrorId);
    }

    [Fact]
    public void Remove_RefusesACaWithChildren_UnlessForced()
    {
        using var tmp = new TempDir();
        var service = new EnrollmentService(Vault.Open(tmp.Vault));
        service.Create(new NewEnrollmentRequest { Name = "root", KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        service.Create(new NewEnrollmentRequest { Name = "child", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("root"), KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256 });

        var refused = Assert.Throws<PkiException>(() => service.Remove("root", force: false));
        Assert.Equal("HasChildren", refused.ErrorId);
        Assert.Contains("'child'", refused.Message);
        Assert.Equal(2, service.Get().Count);

        service.Remove("root", force: true);
        Assert.Equal(new[] { "child" }, service.Get().Select(e => e.Name));
        var chain = Assert.Throws<PkiException>(() => service.Chain("child"));
        Assert.Equal("ChainIncomplete", chain.ErrorId);
        Assert.Equal(new[] { "child" }, service.Get("ch*").Select(e => e.Name));
        Assert.Empty(service.Get("root*"));
    }
}
