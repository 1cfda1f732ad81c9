using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Tests.Harness;

namespace ZscalerPki.Tests.Inspection;

/// <summary>New-/Export-InspectionCertificate and Export-RootCertificateBundle in PowerShell, with an enrollment CA as issuer.</summary>
public sealed class InspectionCmdletTests
{
    private static readonly System.Security.SecureString Pw = PwshHost.Secure("Insp3ction-cmdlets");

    private static X509Certificate2 Origin(string cn, bool ca = false) => OriginCertificates.Origin(cn, ca);

    [Fact]
    public void PipelineOfOrigins_OneBadOneGood_ThenCacheHit_ThenExports()
    {
        // The cmdlets share the module's forging session (ModuleState): nothing to reset, since every opened issuer and
        // cached certificate there is keyed by its vault and CA, and this vault and its CA are new.
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        var root = pwsh.Run("New-EnrollmentCertificate", new() { ["Name"] = "Root", ["KeyPassword"] = Pw, ["VaultPath"] = tmp.Vault, ["PathLength"] = 1 }).NotTerminated();
        Assert.Empty(root.Errors);

        // Origin certificates from the pipeline: a CA (error, OriginIsCa) and a site (forged). -Verbose shows each ShouldProcess.
        var forge = pwsh.Run("New-InspectionCertificate", new() { ["Issuer"] = "Root", ["IssuerKeyPassword"] = Pw, ["VaultPath"] = tmp.Vault, ["IncludePrivateKey"] = true, ["Verbose"] = true },
            input: new object[] { Origin("Some CA", ca: true), Origin("shop.contoso.test") }).NotTerminated();
        var error = Assert.Single(forge.Errors);
        Assert.Equal("OriginIsCa", error.ErrorId());
        var forged = Assert.IsType<InspectionCertificate>(Assert.Single(forge.Output));
        Assert.True(forged.HasPrivateKey);
        Assert.False(forged.FromCache);
        Assert.Equal("Root", forged.IssuerName);
        Assert.Single(forge.ShouldProcessMessages);

        var again = pwsh.Run("New-InspectionCertificate", new() { ["DnsName"] = "shop.contoso.test", ["Issuer"] = "Root", ["IssuerKeyPassword"] = Pw, ["VaultPath"] = tmp.Vault });
        Assert.True(Assert.IsType<InspectionCertificate>(Assert.Single(again.Output)).FromCache);

        // Export-InspectionCertificate -Path site.pem -IncludePrivateKey -Password
        var export = pwsh.Script("$args[0] | Export-InspectionCertificate -Path site.pem -IncludePrivateKey -PassThru -Password $args[1] -VaultPath $args[2]", forged, Pw, tmp.Vault).NotTerminated();
        Assert.Empty(export.Errors);
        Assert.Equal(tmp.File("site.pem"), Assert.IsType<FileInfo>(Assert.Single(export.Output)).FullName);
        var text = File.ReadAllText(tmp.File("site.pem"));
        Assert.Equal(2, text.Split("BEGIN CERTIFICATE").Length - 1);
        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", text);

        // Export-RootCertificateBundle -Name Root -Path roots.zip
        var bundle = pwsh.Script("Export-RootCertificateBundle -Name Root -Path roots.zip -VaultPath $args[0]", tmp.Vault).NotTerminated();
        Assert.Empty(bundle.Errors);
        using var archive = ZipFile.OpenRead(tmp.File("roots.zip"));
        Assert.Equal(new[] { "README.txt", "Root.crt", "Root.pem" }, archive.Entries.Select(e => e.FullName).Order());
    }

    [Fact]
    public void EmptyNames_AndMissingPassword_AreErrorRecords_AndWhatIfForgesNothing()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        Directory.CreateDirectory(tmp.Vault);
        var empty = pwsh.Run("New-InspectionCertificate", new() { ["DnsName"] = Array.Empty<string>(), ["IssuerKeyPassword"] = Pw, ["VaultPath"] = tmp.Vault });
        Assert.Equal("NoSiteNames", Assert.Single(empty.Errors).ErrorId());
        var noPw = pwsh.Run("New-InspectionCertificate", new() { ["DnsName"] = "a.contoso.test", ["VaultPath"] = tmp.Vault });
        Assert.Equal("KeyPasswordRequired", Assert.Single(noPw.Errors).ErrorId());
        var whatIf = pwsh.Run("New-InspectionCertificate", new() { ["DnsName"] = "a.contoso.test", ["IssuerKeyPassword"] = Pw, ["VaultPath"] = tmp.Vault, ["WhatIf"] = true }).NotTerminated();
        Assert.Empty(whatIf.Output);
        Assert.Empty(whatIf.Errors);
        Assert.Contains("a.contoso.test", Assert.Single(whatIf.WhatIf));
        Assert.False(Directory.Exists(Path.Combine(tmp.Vault, "inspection")));
    }
}
