using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Hsm;

namespace ZscalerPki.Core.Tests.Hsm;

/// <summary>
/// SoftHSM2 tokens in a temp folder (SOFTHSM2_CONF), all initialised before the PKCS#11 module is first loaded in this
/// process: a loaded SoftHSM does not see tokens created afterwards (new keys in existing tokens it does see).
/// </summary>
public sealed class SoftHsm : IDisposable
{
    public const string Module = "/usr/lib/softhsm/libsofthsm2.so";
    public const string Pin = "1234-pester";
    public static readonly string[] Tokens = { "zpki-keys", "zpki-errors", "zpki-vault" };

    public static bool Available { get; } = OperatingSystem.IsLinux() && File.Exists(Module) && ExternalTool.Exists("softhsm2-util")
        && ExternalTool.Exists("pkcs11-tool") && Directory.GetDirectories("/usr/lib", "*-linux-gnu*").Any(d => File.Exists(Path.Combine(d, "engines-3", "pkcs11.so")));

    public SoftHsm()
    {
        Folder = Path.Combine(Path.GetTempPath(), "zpki-softhsm-" + Guid.NewGuid().ToString("N")[..8]);
        if (!Available)
            return;
        Directory.CreateDirectory(Path.Combine(Folder, "tokens"));
        var conf = Path.Combine(Folder, "softhsm2.conf");
        File.WriteAllText(conf, $"directories.tokendir = {Path.Combine(Folder, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n");
        // The module is loaded into this process and reads SOFTHSM2_CONF with getenv: set the native environment too.
        setenv("SOFTHSM2_CONF", conf, 1);
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", conf);
        foreach (var token in Tokens)
        {
            var init = ExternalTool.Run("softhsm2-util", new[] { "--init-token", "--free", "--label", token, "--so-pin", "so-" + Pin, "--pin", Pin });
            Assert.True(init.ExitCode == 0, init.All);
        }
    }

    public string Folder { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv(string name, string value, int overwrite);
}

/// <summary>Runs only where SoftHSM2, OpenSC and OpenSSL's pkcs11 engine are installed (CI installs them).</summary>
public sealed class SoftHsmFactAttribute : FactAttribute
{
    public SoftHsmFactAttribute()
    {
        if (!SoftHsm.Available)
            Skip = "SoftHSM2 (softhsm2), OpenSC (opensc) or libengine-pkcs11-openssl is not installed";
    }
}

[CollectionDefinition("SoftHSM", DisableParallelization = true)]
public sealed class SoftHsmCollection : ICollectionFixture<SoftHsm>;

/// <summary>Keys generated inside a PKCS#11 token sign certificates that OpenSSL verifies, and never leave the token.</summary>
[Collection("SoftHSM")]
public sealed class SoftHsmTests(SoftHsm hsm)
{
    private static X509Certificate2 SelfSignedCa(AsymmetricAlgorithm key, string subject)
    {
        var request = key is RSA rsa
            ? new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
    }

    [SoftHsmFact]
    public void KeysGeneratedInTheToken_SignCertificatesOpenSslVerifies_AndCannotBeExported()
    {
        Assert.True(Directory.Exists(hsm.Folder));
        using var tmp = new TempDir();
        foreach (var (label, type, expected) in new[] { ("rsa-ca", "rsa:2048", typeof(RSA)), ("ec-ca", "EC:prime256v1", typeof(ECDsa)) })
        {
            var reference = Pkcs11Tool.GenerateKeyPair(SoftHsm.Module, SoftHsm.Tokens[0], label, type, SoftHsm.Pin);
            Assert.Equal(reference, Pkcs11KeyReference.Parse(reference.Uri, SoftHsm.Module));
            Assert.DoesNotContain(SoftHsm.Pin, reference.ToString());
            using var key = HsmKeys.Open(reference, SoftHsm.Pin);
            Assert.IsAssignableFrom(expected, key); // the key's own type, read from the token
            using var ca = SelfSignedCa(key, $"CN=HSM {label}");
            File.WriteAllText(tmp.File(label + ".pem"), ca.ExportCertificatePem());
            Assert.Contains(": OK", OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-CAfile", label + ".pem", label + ".pem"));
            Assert.ThrowsAny<CryptographicException>(() => key.ExportPkcs8PrivateKey());
        }
        var objects = ExternalTool.Run("pkcs11-tool", new[] { "--module", SoftHsm.Module, "--token-label", SoftHsm.Tokens[0], "--list-objects", "--login", "--pin", SoftHsm.Pin }).All;
        Assert.Contains("rsa-ca", objects);
        Assert.Contains("sensitive, always sensitive, never extractable", objects);
    }

    [SoftHsmFact]
    public void EachFailure_IsOneClearError()
    {
        Assert.True(Directory.Exists(hsm.Folder));
        var token = SoftHsm.Tokens[1];
        var reference = Pkcs11Tool.GenerateKeyPair(SoftHsm.Module, token, "doomed", "EC:prime256v1", SoftHsm.Pin);
        string Id(Action open) => Assert.Throws<PkiException>(open).ErrorId;
        Assert.Equal(PkiErrorIds.HsmPinIncorrect, Id(() => HsmKeys.Open(reference, "wrong-pin").Dispose()));
        Assert.Equal(PkiErrorIds.HsmTokenNotFound, Id(() => HsmKeys.Open(reference with { Token = "no-such-token" }, SoftHsm.Pin).Dispose()));
        Assert.Equal(PkiErrorIds.HsmModuleNotFound, Id(() => HsmKeys.Open(reference with { ModulePath = "/nonexistent/libpkcs11.so" }, SoftHsm.Pin).Dispose()));
        Assert.Equal(PkiErrorIds.PinRequired, Id(() => HsmKeys.Open(reference, "").Dispose()));
        Assert.Equal(PkiErrorIds.HsmTokenNotFound, Id(() => Pkcs11Tool.GenerateKeyPair(SoftHsm.Module, "no-such-token", "x", "rsa:2048", SoftHsm.Pin)));

        var deleted = ExternalTool.Run("pkcs11-tool", new[] { "--module", SoftHsm.Module, "--token-label", token, "--login", "--pin", SoftHsm.Pin, "--delete-object", "--type", "privkey", "--label", "doomed" });
        Assert.True(deleted.ExitCode == 0, deleted.All);
        Assert.Equal(PkiErrorIds.HsmKeyNotFound, Id(() => HsmKeys.Open(reference, SoftHsm.Pin).Dispose()));
    }

    [SoftHsmFact]
    public void AKeyTypeTheTokenCannotMake_OrAMissingTool_IsOneClearError()
    {
        Assert.True(Directory.Exists(hsm.Folder));
        var failed = Assert.Throws<PkiException>(() => Pkcs11Tool.GenerateKeyPair(SoftHsm.Module, SoftHsm.Tokens[1], "bad-type", "dsa:512", SoftHsm.Pin));
        Assert.Equal(PkiErrorIds.HsmKeyGenerationFailed, failed.ErrorId);
        var saved = Pkcs11Tool.FileName;
        try
        {
            Pkcs11Tool.FileName = "/nonexistent/pkcs11-tool";
            Assert.Equal(PkiErrorIds.HsmToolNotInstalled, Assert.Throws<PkiException>(() => Pkcs11Tool.TokenExists(SoftHsm.Module, SoftHsm.Tokens[1])).ErrorId);
        }
        finally
        {
            Pkcs11Tool.FileName = saved;
        }
    }

    [Fact]
    public void OnWindows_Pkcs11KeysPointToTheKsp()
    {
        if (!OperatingSystem.IsWindows())
            return; // Linux and macOS open PKCS#11 keys through OpenSSL's engine (the tests above).
        var reference = new Pkcs11KeyReference { ModulePath = SoftHsm.Module, Token = "t", Object = "o" };
        Assert.Equal(PkiErrorIds.HsmEngineNotInstalled, Assert.Throws<PkiException>(() => HsmKeys.Open(reference, "1234")).ErrorId);
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
    public void PrivateKeyListings_AreRead_AsPkcs11ToolPrintsThem()
    {
        const string listing = "Private Key Object; EC\n  label:      My Key;1\n  ID:         0a1b\n  Usage:      decrypt, sign\n"
            + "Public Key Object; EC  EC_POINT 256 bits\n  label:      not-private\n  ID:         99\n"
            + "Private Key Object; RSA \r\n  label:      Inspection-Hsm\r\n  ID:         c0ffee\r\n";
        Assert.Equal(new[] { ("My Key;1", "0A1B"), ("Inspection-Hsm", "C0FFEE") }, Pkcs11Tool.ParseKeys(listing));
        Assert.Empty(Pkcs11Tool.ParseKeys("Using slot 0 with a present token (0x1)\n"));
    }

    [Fact]
    public void KeyUris_RoundTrip_WithEscapes()
    {
        var reference = new Pkcs11KeyReference { ModulePath = SoftHsm.Module, Token = "Contoso HSM;1", Object = "Inspection CA/2026", IdHex = "0A1B" };
        Assert.Equal("pkcs11:token=Contoso%20HSM%3B1;object=Inspection%20CA%2F2026;id=%0A%1B;type=private", reference.Uri);
        Assert.Equal(reference, Pkcs11KeyReference.Parse(reference.Uri, SoftHsm.Module));
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
