using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Inspection;

/// <summary>
/// Export-InspectionCertificate's PFX, as strict peers read it: PBES2 AES-256 with a SHA-256 MAC like the enrollment PFX
/// (the platform exporter wrote 3DES and a SHA-1 MAC), and without a key every certificate is a keytool trusted entry.
/// </summary>
public sealed class InspectionPfxTests : IClassFixture<InspectionFixture>
{
    private const string ExportPassword = "Inspect-pfx-Passw0rd";
    private readonly InspectionFixture _f;

    public InspectionPfxTests(InspectionFixture f) => _f = f;

    private (TempDir Tmp, string Path) Export(bool key)
    {
        var forged = _f.Service().Forge(new ForgeRequest
        {
            Site = SiteProfile.FromNames(new[] { "pfx.contoso.example" }, null), IssuerKeyPassword = InspectionFixture.Password, IncludePrivateKey = key,
        }).Item;
        var tmp = new TempDir();
        var path = tmp.File(key ? "site.pfx" : "chain.pfx");
        File.WriteAllBytes(path, InspectionExport.Export(forged, ExportFormat.Pfx, includeChain: true, includeKey: key, ExportPassword));
        return (tmp, path);
    }

    [Fact]
    public void WithTheKey_ModernAlgorithms_ReadByOpenSslAndKeytool()
    {
        var (tmp, pfx) = Export(key: true);
        using var _ = tmp;
        var info = OpenSsl.Run(tmp.Path, "pkcs12", "-in", pfx, "-passin", "pass:" + ExportPassword, "-info", "-noout").All;
        Assert.Contains("MAC: sha256", info);
        Assert.Contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC", info);
        Assert.DoesNotContain("3DES", info);
        var pem = OpenSsl.Ok(tmp.Path, "pkcs12", "-in", pfx, "-passin", "pass:" + ExportPassword, "-nodes");
        Assert.Contains("BEGIN PRIVATE KEY", pem);
        Assert.Equal(3, pem.Split("BEGIN CERTIFICATE").Length - 1); // leaf, intermediate, root
        if (ExternalTool.Exists("keytool"))
        {
            var list = ExternalTool.Run("keytool", new[] { "-list", "-storetype", "PKCS12", "-keystore", pfx, "-storepass", ExportPassword });
            Assert.True(list.ExitCode == 0, list.All);
            Assert.Contains("PrivateKeyEntry", list.All);
        }
    }

    [Fact]
    public void WithoutTheKey_KeytoolListsEveryCertificate()
    {
        var (tmp, pfx) = Export(key: false);
        using var _ = tmp;
        Assert.DoesNotContain("Keybag", OpenSsl.Run(tmp.Path, "pkcs12", "-in", pfx, "-passin", "pass:" + ExportPassword, "-info", "-noout").All);
        if (ExternalTool.Exists("keytool"))
        {
            var list = ExternalTool.Run("keytool", new[] { "-list", "-storetype", "PKCS12", "-keystore", pfx, "-storepass", ExportPassword });
            Assert.True(list.ExitCode == 0, list.All);
            Assert.Contains("3 entries", list.All);
            Assert.Contains("trustedCertEntry", list.All);
        }
    }
}
