using System.Text;
using System.Text.Json.Nodes;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Storage;

/// <summary>An edited or damaged entry.json is reported as that entry being corrupt; the rest of the vault stays usable.</summary>
public sealed class VaultCorruptionTests
{
    private static (TempDir Tmp, Vault Vault, EnrollmentService Service) TwoEntries()
    {
        var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        var service = new EnrollmentService(vault);
        foreach (var name in new[] { "Good", "Edited" })
            service.Create(new NewEnrollmentRequest { Name = name, KeyPassword = Pw.Of("pw"), KeyAlgorithm = Certificates.KeyAlgorithm.EcdsaP256 });
        return (tmp, vault, service);
    }

    private static void Edit(TempDir tmp, Action<JsonObject> change)
    {
        var path = Path.Combine(tmp.Vault, Collections.Enrollment, "Edited", "entry.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        change(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    [Theory]
    [InlineData("null-name")]
    [InlineData("number-for-enum")]
    [InlineData("unknown-enum-name")]
    [InlineData("string-for-date")]
    [InlineData("bad-certificate")]
    public void AnEditedEntry_IsLeftOutOfListings_WithANotice_AndIsCorruptWhenAskedFor(string edit)
    {
        var (tmp, vault, service) = TwoEntries();
        using var _ = tmp;
        Edit(tmp, json =>
        {
            switch (edit)
            {
                case "null-name": json["Name"] = null; break;
                case "number-for-enum": json["Type"] = 7; break;
                case "unknown-enum-name": json["Status"] = "Sleeping"; break;
                case "string-for-date": json["CreatedUtc"] = "yesterday"; break;
                case "bad-certificate": json["CertificatePem"] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"; break;
            }
        });
        Assert.Equal(new[] { "Good" }, service.Get().Select(e => e.Name));
        var notice = Assert.Single(vault.TakeNotices());
        Assert.Contains("'Edited'", notice);
        Assert.Empty(vault.TakeNotices());
        if (edit != "bad-certificate")
            Assert.Equal(PkiErrorIds.VaultEntryCorrupt, Assert.Throws<PkiException>(() => service.GetOne("Edited")).ErrorId);
    }

    [Fact]
    public void AByteOrderMark_IsRead_AsEditorsWriteIt()
    {
        var (tmp, _, service) = TwoEntries();
        using var __ = tmp;
        var path = Path.Combine(tmp.Vault, Collections.Enrollment, "Edited", "entry.json");
        File.WriteAllBytes(path, Encoding.UTF8.GetPreamble().Concat(File.ReadAllBytes(path)).ToArray());
        Assert.Equal(new[] { "Edited", "Good" }, service.Get().Select(e => e.Name));
    }

    [Fact]
    public void ANewerFormat_IsRefused_BeforeReadingOrWriting()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.Vault);
        File.WriteAllText(Path.Combine(tmp.Vault, "vault.json"), "{ \"FormatVersion\": 3 }");
        var service = new EnrollmentService(Vault.Open(tmp.Vault));
        Assert.Equal(PkiErrorIds.VaultFormatUnsupported, Assert.Throws<PkiException>(() => service.Get()).ErrorId);
        Assert.Equal(PkiErrorIds.VaultFormatUnsupported, Assert.Throws<PkiException>(() =>
            service.Create(new NewEnrollmentRequest { Name = "X", KeyPassword = Pw.Of("pw"), KeyAlgorithm = Certificates.KeyAlgorithm.EcdsaP256 })).ErrorId);
        Assert.False(Directory.Exists(Path.Combine(tmp.Vault, Collections.Enrollment)));
    }
}
