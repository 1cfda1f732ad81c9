using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Enrollment;

/// <summary>PFX exports as the tools admins import them with read them: OpenSSL, Java keytool, GnuTLS certtool, .NET.</summary>
public sealed class PfxExportTests : IDisposable
{
    private const string ExportPassword = "pfx-Passw0rd";
    private readonly TempDir _tmp = new();
    private readonly EnrollmentService _service;

    public PfxExportTests()
    {
        _service = new EnrollmentService(Vault.Open(_tmp.Vault));
        _service.Create(new NewEnrollmentRequest { Name = "Root", KeyPassword = Pw.Of("vault-pw"), KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        _service.Create(new NewEnrollmentRequest
        {
            Name = "Sub", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), KeyPassword = Pw.Of("vault-pw"), KeyAlgorithm = KeyAlgorithm.Rsa2048,
        });
    }

    public void Dispose() => _tmp.Dispose();

    private string Export(string file, bool key, bool legacy = false)
    {
        var bytes = _service.Export(new ExportEnrollmentRequest
        {
            Name = "Sub", Format = ExportFormat.Pfx, IncludeChain = true, IncludePrivateKey = key, LegacyPfx = legacy,
            KeyPassword = Pw.Of("vault-pw"), Password = Pw.Of(ExportPassword),
        });
        var path = _tmp.File(file);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static (int ExitCode, string Output) Run(string tool, params string[] args)
    {
        var result = ExternalTool.Run(tool, args);
        return (result.ExitCode, result.All);
    }

    private static bool Installed(string tool) => ExternalTool.Exists(tool);

    [Fact]
    public void WithAKey_ModernAlgorithms_ReadByOpenSslKeytoolCerttoolAndDotNet()
    {
        var pfx = Export("sub.pfx", key: true);
        var info = OpenSsl.Run(_tmp.Path, "pkcs12", "-in", pfx, "-passin", "pass:" + ExportPassword, "-info", "-noout").All;
        Assert.Contains("MAC: sha256", info);
        Assert.Contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC", info);
        Assert.DoesNotContain("3DES", info);
        var pem = OpenSsl.Ok(_tmp.Path, "pkcs12", "-in", pfx, "-passin", "pass:" + ExportPassword, "-nodes");
        Assert.Equal(2, pem.Split("BEGIN CERTIFICATE").Length - 1);
        Assert.Contains("BEGIN PRIVATE KEY", pem);

#pragma warning disable SYSLIB0057
        using var loaded = new X509Certificate2(pfx, ExportPassword);
#pragma warning restore SYSLIB0057
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(_service.GetOne("Sub").Thumbprint, loaded.Thumbprint);

        if (Installed("keytool"))
        {
            var list = Run("keytool", "-list", "-storetype", "PKCS12", "-keystore", pfx, "-storepass", ExportPassword);
            Assert.True(list.ExitCode == 0, list.Output);
            Assert.Contains("1 entry", list.Output);
            Assert.Contains("PrivateKeyEntry", list.Output);
        }
        if (Installed("certtool"))
        {
            var gnutls = Run("certtool", "--p12-info", "--inder", "--infile", pfx, "--password", ExportPassword);
            Assert.True(gnutls.ExitCode == 0, gnutls.Output);
            Assert.Contains("MAC info", gnutls.Output);
        }
    }

    [Fact]
    public void WithoutAKey_OneSafeContents_AndKeytoolListsTheCertificates()
    {
        var pfx = Export("chain.pfx", key: false);
        var info = OpenSsl.Run(_tmp.Path, "pkcs12", "-in", pfx, "-passin", "pass:" + ExportPassword, "-info", "-noout").All;
        Assert.DoesNotContain("Keybag", info);
        Assert.Equal(1, info.Split("PKCS7 Data").Length - 1);
        if (Installed("keytool"))
        {
            var list = Run("keytool", "-list", "-storetype", "PKCS12", "-keystore", pfx, "-storepass", ExportPassword);
            Assert.True(list.ExitCode == 0, list.Output);
            Assert.Contains("2 entries", list.Output);
            Assert.Contains("trustedCertEntry", list.Output);
        }
        if (Installed("certtool"))
            Assert.Equal(0, Run("certtool", "--p12-info", "--inder", "--infile", pfx, "--password", ExportPassword).ExitCode);
    }

    [Fact]
    public void Legacy_Uses3DesAndSha1_ForOldImporters()
    {
        var pfx = Export("legacy.pfx", key: true, legacy: true);
        var info = OpenSsl.Run(_tmp.Path, "pkcs12", "-in", pfx, "-passin", "pass:" + ExportPassword, "-info", "-noout", "-legacy").All;
        Assert.Contains("MAC: sha1", info);
        Assert.Contains("pbeWithSHA1And3-KeyTripleDES-CBC", info);
    }
}
