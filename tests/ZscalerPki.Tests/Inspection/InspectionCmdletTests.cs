using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Commands;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Tests.Harness;

namespace ZscalerPki.Tests.Inspection;

/// <summary>New-/Export-InspectionCertificate and Export-RootCertificateBundle through the seam, with an enrollment CA as issuer.</summary>
public sealed class InspectionCmdletTests
{
    private static readonly System.Security.SecureString Pw = CmdletHarness.Secure("Insp3ction-cmdlets");

    private static X509Certificate2 Origin(string cn, bool ca = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=" + cn, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(cn);
        req.CertificateExtensions.Add(san.Build());
        return req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
    }

    [Fact]
    public void PipelineOfOrigins_OneBadOneGood_ThenCacheHit_ThenExports()
    {
        // The cmdlets share the module's forging session (ModuleState): nothing to reset, since every opened issuer and
        // cached certificate there is keyed by its vault and CA, and this vault and its CA are new.
        using var tmp = new TempDir();
        var root = CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = "Root", KeyPassword = Pw, VaultPath = tmp.Vault, PathLength = 1 }, tmp.Path);
        Assert.Empty(root.Errors);

        // Origin certificates from the pipeline: a CA (error, OriginIsCa) and a site (forged).
        var forge = CmdletHarness.Run(new NewInspectionCertificateCommand { Issuer = "Root", IssuerKeyPassword = Pw, VaultPath = tmp.Vault }.With("IncludePrivateKey"),
            tmp.Path, pipeline: new object[] { Origin("Some CA", ca: true), Origin("shop.contoso.test") }, bind: (c, o) => c.Certificate = new[] { o! });
        var error = Assert.Single(forge.Errors);
        Assert.Equal("OriginIsCa", error.ErrorId);
        var forged = Assert.IsType<InspectionCertificate>(Assert.Single(forge.Output));
        Assert.True(forged.HasPrivateKey);
        Assert.False(forged.FromCache);
        Assert.Equal("Root", forged.IssuerName);
        Assert.Single(forge.ShouldProcessCalls);

        var again = CmdletHarness.Run(new NewInspectionCertificateCommand { DnsName = new[] { "shop.contoso.test" }, Issuer = "Root", IssuerKeyPassword = Pw, VaultPath = tmp.Vault }, tmp.Path);
        Assert.True(Assert.IsType<InspectionCertificate>(Assert.Single(again.Output)).FromCache);

        // Export-InspectionCertificate -Path site.pem -IncludePrivateKey -Password
        var pem = tmp.File("site.pem");
        var export = CmdletHarness.Run(new ExportInspectionCertificateCommand { InputObject = forged, Path = pem, Password = Pw, VaultPath = tmp.Vault }.With("IncludePrivateKey", "PassThru"), tmp.Path);
        Assert.Empty(export.Errors);
        var text = File.ReadAllText(pem);
        Assert.Equal(2, text.Split("BEGIN CERTIFICATE").Length - 1);
        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", text);

        // Export-RootCertificateBundle -Name Root -Path roots.zip
        var zip = tmp.File("roots.zip");
        var bundle = CmdletHarness.Run(new ExportRootCertificateBundleCommand { Name = new[] { "Root" }, Path = zip, VaultPath = tmp.Vault }, tmp.Path);
        Assert.Empty(bundle.Errors);
        using var archive = ZipFile.OpenRead(zip);
        Assert.Equal(new[] { "README.txt", "Root.crt", "Root.pem" }, archive.Entries.Select(e => e.FullName).Order());
    }

    [Fact]
    public void EmptyNames_AndMissingPassword_AreErrorRecords_AndWhatIfForgesNothing()
    {
        using var tmp = new TempDir();
        var empty = CmdletHarness.Run(new NewInspectionCertificateCommand { DnsName = Array.Empty<string>(), IssuerKeyPassword = Pw, VaultPath = tmp.Vault }, tmp.Path);
        Assert.Equal("NoSiteNames", Assert.Single(empty.Errors).ErrorId);
        var noPw = CmdletHarness.Run(new NewInspectionCertificateCommand { DnsName = new[] { "a.contoso.test" }, VaultPath = tmp.Vault }, tmp.Path);
        Assert.Equal("KeyPasswordRequired", Assert.Single(noPw.Errors).ErrorId);
        var whatIf = CmdletHarness.Run(new NewInspectionCertificateCommand { DnsName = new[] { "a.contoso.test" }, IssuerKeyPassword = Pw, VaultPath = tmp.Vault }, tmp.Path, shouldProcess: false);
        Assert.Empty(whatIf.Output);
        Assert.Empty(whatIf.Errors);
        Assert.False(Directory.Exists(Path.Combine(tmp.Vault, "inspection")));
    }
}
