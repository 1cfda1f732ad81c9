using System.Text.Json.Nodes;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;
using ZscalerPki.Core.Tests.Validation;

namespace ZscalerPki.Core.Tests.Storage;

/// <summary>A hand-edited or damaged vault entry is named with the field that is wrong, never a decoder's exception.</summary>
public sealed class DamagedEntryTests
{
    [Theory]
    [InlineData("garbage")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n")]
    [InlineData("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n")]
    public void AnIntermediateWithAGarbledPublicKeyPem_IsVaultEntryCorrupt_NamingTheEntryAndField(string publicKeyPem)
    {
        using var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        var service = new IntermediateService(vault);
        service.CreateCsr(new NewIntermediateCsrRequest { Name = "Pending", CommonName = "Damaged Entry CA", KeyPassword = Pw.Of("pw") });
        var entryPath = Path.Combine(vault.Root, Collections.Intermediate, "Pending", "entry.json");
        var json = JsonNode.Parse(File.ReadAllText(entryPath))!;
        json["PublicKeyPem"] = publicKeyPem;
        File.WriteAllText(entryPath, json.ToJsonString());
        using var root = TestCa.CreateRoot("CN=Damaged Entry Root");
        var error = Assert.Throws<PkiException>(() => service.Import(new ImportSignedIntermediateRequest
        {
            Name = "Pending", Certificates = new[] { root.Certificate }, Chain = new[] { root.Certificate },
        }));
        Assert.Equal(PkiErrorIds.VaultEntryCorrupt, error.ErrorId);
        Assert.Contains("'Pending'", error.Message);
        Assert.Contains("PublicKeyPem", error.Message);
    }
}
