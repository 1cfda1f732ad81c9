using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Hsm;

namespace ZscalerPki.Core.Tests.Hsm;

/// <summary>Keys generated inside a PKCS#11 token sign certificates that OpenSSL verifies, and never leave the token.</summary>
[Collection("SoftHSM")]
public sealed class SoftHsmTests(SoftHsm hsm)
{
    /// <summary>
    /// A self-signed CA through an X509SignatureGenerator, as the engine signs (CreateSelfSigned would also copy the key
    /// into the certificate, which on Linux means importing its private parameters: an HSM key has none to give).
    /// </summary>
    private static X509Certificate2 SelfSignedCa(AsymmetricAlgorithm key, string subject)
    {
        var (request, generator) = key is RSA rsa
            ? (new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1))
            : (new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256), X509SignatureGenerator.CreateForECDsa((ECDsa)key));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.Create(request.SubjectName, generator, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1), new byte[] { 0x01, 0x02, 0x03 });
    }

    [SoftHsmFact]
    public void SoftHsm2ConfSetOnlyInDotNet_AsPowerShellSetsIt_KeysAreMadeAndSign()
    {
        // $env:SOFTHSM2_CONF in pwsh is Environment.SetEnvironmentVariable: libc's getenv did not see it before the module
        // was loaded, and the module found the tokens anyway (their folder exists only in that config).
        Assert.NotEqual(hsm.Conf, hsm.NativeConfBeforeLoad);
        using var generated = Pkcs11Modules.Process.Generate(SoftHsm.Module, SoftHsm.Tokens[3], "env-check", Pkcs11KeySpec.EcP256, SoftHsm.Pin);
        var data = RandomNumberGenerator.GetBytes(100);
        var ec = Assert.IsAssignableFrom<ECDsa>(generated.Key);
        Assert.True(ECDsa.Create(ec.ExportParameters(false)).VerifyData(data, ec.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
        Assert.Equal(hsm.Conf, ProcessEnvironment.NativeValue("SOFTHSM2_CONF"));
    }

    [Fact]
    public void DotNetsEnvironment_IsCopiedIntoTheNativeOne()
    {
        if (OperatingSystem.IsWindows())
            return; // Windows has one process environment: .NET writes it
        var name = "ZPKI_ENV_" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            Environment.SetEnvironmentVariable(name, "from .NET");
            Assert.Null(ProcessEnvironment.NativeValue(name)); // what softhsm's getenv would see
            ProcessEnvironment.CopyToNative();
            Assert.Equal("from .NET", ProcessEnvironment.NativeValue(name));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [SoftHsmFact]
    public void KeysGeneratedInTheToken_SignCertificatesOpenSslVerifies_AndCannotBeExported()
    {
        Assert.True(Directory.Exists(hsm.Folder));
        using var tmp = new TempDir();
        foreach (var (label, spec, expected) in new[] { ("rsa-ca", Pkcs11KeySpec.Rsa(2048), typeof(RSA)), ("ec-ca", Pkcs11KeySpec.EcP256, typeof(ECDsa)),
                     ("p384-ca", Pkcs11KeySpec.EcP384, typeof(ECDsa)), ("p521-ca", Pkcs11KeySpec.EcP521, typeof(ECDsa)) })
        {
            var reference = SoftHsm.Generate(SoftHsm.Tokens[0], label, spec);
            Assert.Equal(reference, Pkcs11KeyReference.Parse(reference.Uri, SoftHsm.Module));
            Assert.DoesNotContain(SoftHsm.Pin, reference.ToString());
            using var key = SoftHsm.Open(reference);
            Assert.IsAssignableFrom(expected, key); // the key's own type, read from the token
            using var ca = SelfSignedCa(key, $"CN=HSM {label}");
            File.WriteAllText(tmp.File(label + ".pem"), ca.ExportCertificatePem());
            Assert.Contains(": OK", OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-CAfile", label + ".pem", label + ".pem"));
            Assert.ThrowsAny<CryptographicException>(() => key.ExportPkcs8PrivateKey());
            Assert.ThrowsAny<CryptographicException>(() => key.ExportEncryptedPkcs8PrivateKey("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)));
        }
        using (var rsa = (RSA)SoftHsm.Open(Pkcs11KeyReference.Parse("pkcs11:token=zpki-keys;object=rsa-ca", SoftHsm.Module)))
        {
            Assert.Equal(2048, rsa.KeySize);
            Assert.Throws<CryptographicException>(() => rsa.ExportParameters(true));
            Assert.Throws<CryptographicException>(() => rsa.Decrypt(new byte[256], RSAEncryptionPadding.Pkcs1));
            Assert.NotNull(rsa.ExportParameters(false).Modulus);
        }
        var privateKeys = Pkcs11Modules.Process.ListObjects(SoftHsm.Module, SoftHsm.Tokens[0], SoftHsm.Pin).Where(o => o.Class == "CKO_PRIVATE_KEY").ToList();
        Assert.Contains(privateKeys, o => o.Label == "rsa-ca");
        Assert.All(privateKeys, o => Assert.True(o.Sensitive == true && o.Extractable == false, $"{o.Label}: sensitive {o.Sensitive}, extractable {o.Extractable}"));
    }

    [SoftHsmFact]
    public void EachFailure_IsOneClearError()
    {
        Assert.True(Directory.Exists(hsm.Folder));
        var token = SoftHsm.Tokens[1];
        var generated = Pkcs11Modules.Process.Generate(SoftHsm.Module, token, "doomed", Pkcs11KeySpec.EcP256, SoftHsm.Pin);
        var reference = generated.Reference;
        string Id(Action open) => Assert.Throws<PkiException>(open).ErrorId;
        Assert.Equal(PkiErrorIds.HsmTokenNotFound, Id(() => SoftHsm.Open(reference with { Token = "no-such-token" }).Dispose()));
        Assert.Equal(PkiErrorIds.HsmModuleNotFound, Id(() => SoftHsm.Open(reference with { ModulePath = "/nonexistent/libpkcs11.so" }).Dispose()));
        var notALibrary = Path.Combine(hsm.Folder, "softhsm2.conf");
        Assert.Equal(PkiErrorIds.HsmModuleNotFound, Id(() => SoftHsm.Open(reference with { ModulePath = notALibrary }).Dispose()));
        Assert.Equal(PkiErrorIds.PinRequired, Id(() => SoftHsm.Open(reference, "").Dispose()));
        Assert.Equal(PkiErrorIds.HsmTokenNotFound, Id(() => Pkcs11Modules.Process.Generate(SoftHsm.Module, "no-such-token", "x", Pkcs11KeySpec.Rsa(2048), SoftHsm.Pin).Dispose()));
        // The token stays logged in while a key of it is open, and then accepts any PIN unchecked: a wrong one is refused all the same.
        Assert.Equal(PkiErrorIds.HsmPinIncorrect, Id(() => SoftHsm.Open(reference, "wrong-pin").Dispose()));
        generated.Dispose();
        Assert.Equal(PkiErrorIds.HsmPinIncorrect, Id(() => SoftHsm.Open(reference, "wrong-pin").Dispose()));

        // A key deleted from the token: when opened, and while open.
        using (var open = (ECDsa)SoftHsm.Open(reference))
        {
            using var again = Pkcs11Modules.Process.Generate(SoftHsm.Module, token, "doomed-too", Pkcs11KeySpec.EcP256, SoftHsm.Pin);
            again.Destroy();
            Assert.Equal(PkiErrorIds.HsmKeyNotFound, Id(() => SoftHsm.Open(again.Reference).Dispose()));
            Assert.Equal(PkiErrorIds.HsmKeyNotFound, Id(() => ((ECDsa)again.Key).SignHash(new byte[32])));
            Assert.Equal(64, open.SignHash(new byte[32]).Length);
        }
        Assert.DoesNotContain(SoftHsm.Objects(token), o => o.Contains("doomed-too", StringComparison.Ordinal));
    }

    [SoftHsmFact]
    public void AnotherTokenFolder_SetInDotNetsEnvironment_IsSeenAfterTheModuleIsInitialisedAgain()
    {
        Assert.True(Directory.Exists(hsm.Folder));
        // No HSM key of ours may be open while the module is finalised: the other tests dispose their forging sessions.
        var folder = Path.Combine(hsm.Folder, "second");
        try
        {
            SoftHsm.NewTokenFolder(folder, "zpki-second");
            var reference = SoftHsm.Generate("zpki-second", "second-key", Pkcs11KeySpec.EcP256);
            using var key = (ECDsa)SoftHsm.Open(reference);
            Assert.Equal(64, key.SignHash(new byte[32]).Length);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SOFTHSM2_CONF", hsm.Conf);
        }
        // Back to the first folder: its tokens are found again (the module is initialised once more, nothing being open).
        Assert.NotNull(SoftHsm.Objects(SoftHsm.Tokens[3]));
        Assert.Equal(PkiErrorIds.HsmTokenNotFound, Assert.Throws<PkiException>(() => SoftHsm.Objects("zpki-second")).ErrorId);
    }

    [Theory]
    [InlineData("pkcs11:token=a;object=b;type=private?pin-value=1234")]
    [InlineData("pkcs11:object=b")]
    [InlineData("file:///etc/key")]
    [InlineData("pkcs11:token=a%zz;object=b")]
    [InlineData("pkcs11:token=a;object=b;type=public")]
    public void KeyUris_WithoutTokenAndObject_OrWithAPin_AreRefused(string uri) =>
        Assert.Equal(PkiErrorIds.InvalidKeyReference, Assert.Throws<PkiException>(() => Pkcs11KeyReference.Parse(uri, SoftHsm.Module)).ErrorId);

    [Fact]
    public void KeyUris_RoundTrip_WithEscapes()
    {
        var reference = new Pkcs11KeyReference { ModulePath = SoftHsm.Module, Token = "Contoso HSM;1", Object = "Inspection CA/2026", IdHex = "0A1B" };
        Assert.Equal("pkcs11:token=Contoso%20HSM%3B1;object=Inspection%20CA%2F2026;id=%0A%1B;type=private", reference.Uri);
        Assert.Equal(reference, Pkcs11KeyReference.Parse(reference.Uri, SoftHsm.Module));
        var withSerial = reference with { Serial = "a1b2c3" };
        Assert.Equal("pkcs11:token=Contoso%20HSM%3B1;serial=a1b2c3;object=Inspection%20CA%2F2026;id=%0A%1B;type=private", withSerial.Uri);
        Assert.Equal(withSerial, Pkcs11KeyReference.Parse(withSerial.Uri, SoftHsm.Module));
    }
}

/// <summary>
/// An HSM-protected SSL-inspection intermediate from CSR to import to signing, through the same services the cmdlets use:
/// its key is generated in the token, the vault holds only the reference, and it forges server certificates and signs CRLs
/// that OpenSSL verifies.
/// </summary>
[Collection("SoftHSM")]
public sealed class HsmIntermediateTests(SoftHsm hsm)
{
    [SoftHsmFact]
    public void HsmIntermediate_CsrImportForgeAndCrl_WithNoKeyMaterialInTheVault()
    {
        Assert.True(Directory.Exists(hsm.Folder));
        using var tmp = new TempDir();
        var vault = Core.Storage.Vault.Open(tmp.Vault);
        var pw = "vault-key-pw".AsMemory();
        new Core.Enrollment.EnrollmentService(vault).Create(new Core.Enrollment.NewEnrollmentRequest { Name = "Root", KeyPassword = pw, KeyAlgorithm = Core.Certificates.KeyAlgorithm.EcdsaP256, PathLength = 1 });
        var intermediates = new Core.Intermediate.IntermediateService(vault);
        var request = new Core.Intermediate.NewIntermediateCsrRequest
        {
            Name = "Hsm-Inspection", CommonName = "Contoso HSM Inspection CA", Protection = KeyProtectionType.Hsm,
            Hsm = new HsmKeyOptions { Pkcs11Module = SoftHsm.Module, Token = SoftHsm.Tokens[2], Pin = SoftHsm.Pin.AsMemory() },
        };

        // A Software subscription cannot create HSM intermediates.
        Assert.Equal(PkiErrorIds.HsmNotSubscribed, Assert.Throws<PkiException>(() => { intermediates.CreateCsr(request); }).ErrorId);
        new Core.Intermediate.PkiVaultService(vault).SetSubscription(Core.Storage.Subscription.SoftwareAndHsm);
        Assert.Equal(PkiErrorIds.HsmPinIncorrect, Assert.Throws<PkiException>(() => { intermediates.CreateCsr(request with { Hsm = request.Hsm! with { ExistingKey = "pkcs11:token=zpki-vault;object=none;type=private", Pin = "wrong".AsMemory() } }); }).ErrorId);
        Assert.Empty(intermediates.Get());

        var created = intermediates.CreateCsr(request).Item;
        Assert.Equal(KeyProtectionType.Hsm, created.ProtectionType);
        Assert.Contains("pkcs11:token=zpki-vault;object=Hsm-Inspection", created.KeyReference);
        var csr = Core.Intermediate.IntermediateCsr.Read(System.Text.Encoding.ASCII.GetBytes(created.Csr));
        var issued = new Core.Intermediate.CsrSigningService(vault).SignWithVaultCa(new Core.Intermediate.SignWithVaultCaRequest { Csr = csr, Issuer = "Root", IssuerKeyPassword = pw }).Item;
        var ready = intermediates.Import(new Core.Intermediate.ImportSignedIntermediateRequest { Name = "Hsm-Inspection", Certificates = new[] { issued.Certificate }, Chain = issued.Chain }).Item;
        Assert.Equal(Core.Intermediate.IntermediateState.CertReady, ready.State);

        // Forge with the HSM key (the PIN goes where the key password would), and publish its CRL.
        using var session = new Core.Inspection.ForgingSession();
        var forged = new Core.Inspection.InspectionService(vault, session).Forge(new Core.Inspection.ForgeRequest
        {
            Site = Core.Inspection.SiteProfile.FromNames(new[] { "www.contoso.test" }, null), Issuer = "Hsm-Inspection", IssuerKeyPassword = SoftHsm.Pin.AsMemory(),
        }).Item;
        File.WriteAllText(tmp.File("root.pem"), new Core.Enrollment.EnrollmentService(vault).GetOne("Root").Certificate.ExportCertificatePem());
        File.WriteAllText(tmp.File("hsm-ca.pem"), ready.Certificate!.ExportCertificatePem());
        File.WriteAllText(tmp.File("forged.pem"), forged.Certificate.ExportCertificatePem());
        Assert.Contains("forged.pem: OK", OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "root.pem", "-untrusted", "hsm-ca.pem", "forged.pem"));
        var crl = new Core.Revocation.CrlPublisher(vault).Publish(new Core.Revocation.PublishCrlRequest { Issuer = "Hsm-Inspection", Folder = tmp.File("pki"), KeyPassword = SoftHsm.Pin.AsMemory() }).Item;
        Assert.Contains("verify OK", OpenSsl.Run(tmp.Path, "crl", "-inform", "DER", "-in", crl.Path, "-CAfile", "hsm-ca.pem", "-noout").All);

        // The vault holds the reference only: no key.p8 and no private key anywhere in its files.
        var files = Directory.GetFiles(tmp.Vault, "*", SearchOption.AllDirectories);
        Assert.DoesNotContain(files, f => Path.GetDirectoryName(f)!.EndsWith("Hsm-Inspection", StringComparison.Ordinal) && Path.GetFileName(f) == "key.p8");
        Assert.DoesNotContain(files.Where(f => f.Contains("Hsm-Inspection", StringComparison.Ordinal) && !f.EndsWith(".db", StringComparison.Ordinal)),
            f => File.ReadAllText(f).Contains("PRIVATE KEY", StringComparison.Ordinal));
        Assert.DoesNotContain(files.Where(f => !f.EndsWith(".db", StringComparison.Ordinal) && !f.EndsWith(".p8", StringComparison.Ordinal)), f => File.ReadAllText(f).Contains(SoftHsm.Pin, StringComparison.Ordinal));
    }
}
