using System.Management.Automation;
using ZscalerPki.Commands;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Infrastructure;
using ZscalerPki.Tests.Harness;

namespace ZscalerPki.Tests.Enrollment;

/// <summary>The enrollment cmdlets driven through the seam, as a user at the prompt would chain them.</summary>
public sealed class EnrollmentCmdletTests
{
    private static readonly System.Security.SecureString Pw = CmdletHarness.Secure("S3cure-enough");

    [Fact]
    public void RootPipedIntoIntermediate_ThenGetExportRemove_AsAtThePrompt()
    {
        using var tmp = new TempDir();

        // New-EnrollmentCertificate -Name Root -KeyPassword $pw
        var root = CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = "Corp-Root", KeyPassword = Pw, VaultPath = tmp.Vault, KeyAlgorithm = KeyAlgorithm.EcdsaP384 }, tmp.Path);
        Assert.Empty(root.Errors);
        var rootCert = Assert.IsType<EnrollmentCertificate>(Assert.Single(root.Output));
        Assert.Equal(CaType.Root, rootCert.Type);
        Assert.Contains(root.Progress, p => p.Completed);
        Assert.Single(root.ShouldProcessCalls);

        // $root | New-EnrollmentCertificate -Name Connectors -ClientCertificateType ClientConnector  (type inferred: Intermediate)
        var sub = CmdletHarness.Run(
            new NewEnrollmentCertificateCommand { Name = "Connectors", ClientCertificateType = ClientCertificateType.ClientConnector, KeyPassword = Pw, VaultPath = tmp.Vault },
            tmp.Path, pipeline: new object[] { rootCert }, bind: (c, o) => c.Parent = o);
        Assert.Empty(sub.Errors);
        var subCert = Assert.IsType<EnrollmentCertificate>(Assert.Single(sub.Output));
        Assert.Equal(CaType.Intermediate, subCert.Type);
        Assert.Equal("Corp-Root", subCert.Parent);

        // Get-EnrollmentCertificate -Name c* / -Type
        var got = CmdletHarness.Run(new GetEnrollmentCertificateCommand { Name = new[] { "c*" }, VaultPath = tmp.Vault }, tmp.Path);
        Assert.Equal(new[] { "Connectors", "Corp-Root" }, got.Output.Cast<EnrollmentCertificate>().Select(e => e.Name));
        var roots = CmdletHarness.Run(new GetEnrollmentCertificateCommand { Type = CaType.Root, VaultPath = tmp.Vault }, tmp.Path);
        Assert.Equal("Corp-Root", Assert.IsType<EnrollmentCertificate>(Assert.Single(roots.Output)).Name);
        var missing = CmdletHarness.Run(new GetEnrollmentCertificateCommand { Name = new[] { "nope" }, VaultPath = tmp.Vault }, tmp.Path);
        Assert.Equal("NotFound", Assert.Single(missing.Errors).ErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, missing.Errors[0].Category);

        // Export-EnrollmentCertificate Connectors -Path chain.pem -IncludeChain -PassThru; OpenSSL verifies the bundle.
        var export = CmdletHarness.Run(new ExportEnrollmentCertificateCommand { Name = "Connectors", Path = "chain.pem", VaultPath = tmp.Vault }.With("IncludeChain", "PassThru"), tmp.Path);
        Assert.Empty(export.Errors);
        var file = Assert.IsType<FileInfo>(Assert.Single(export.Output));
        Assert.Equal(tmp.File("chain.pem"), file.FullName);
        var certs = CertificateReader.ReadFile(file.FullName);
        Assert.Equal(new[] { subCert.Thumbprint, rootCert.Thumbprint }, certs.Select(c => c.Thumbprint));
        File.WriteAllText(tmp.File("root.pem"), CertificateReader.ToPem(rootCert.Certificate));
        File.WriteAllText(tmp.File("leaf.pem"), CertificateReader.ToPem(subCert.Certificate));
        OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-CAfile", "root.pem", "leaf.pem");

        // Without -Force an existing file is kept.
        var again = CmdletHarness.Run(new ExportEnrollmentCertificateCommand { Name = "Connectors", Path = "chain.pem", Format = ExportFormat.Der, VaultPath = tmp.Vault }, tmp.Path);
        Assert.Equal("FileExists", Assert.Single(again.Errors).ErrorId);
        Assert.Equal(2, CertificateReader.ReadFile(file.FullName).Count);

        // PEM without -Path goes to the pipeline as text.
        var text = CmdletHarness.Run(new ExportEnrollmentCertificateCommand { Name = "Corp-Root", VaultPath = tmp.Vault }, tmp.Path);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", Assert.IsType<string>(Assert.Single(text.Output)));

        // Remove refuses the root (it has a child), -WhatIf removes nothing, then removal by pipeline (property Name).
        var refused = CmdletHarness.Run(new RemoveEnrollmentCertificateCommand { Name = new[] { "Corp-Root" }, VaultPath = tmp.Vault }, tmp.Path);
        var error = Assert.Single(refused.Errors);
        Assert.Equal("HasChildren", error.ErrorId);
        Assert.Equal(ErrorCategory.InvalidOperation, error.Category);
        Assert.Equal("Corp-Root", error.Target);

        var whatIf = CmdletHarness.Run(new RemoveEnrollmentCertificateCommand { Name = new[] { "Connectors" }, VaultPath = tmp.Vault }, tmp.Path, shouldProcess: false);
        Assert.Empty(whatIf.Errors);
        Assert.Equal(2, CmdletHarness.Run(new GetEnrollmentCertificateCommand { VaultPath = tmp.Vault }, tmp.Path).Output.Count);

        var removed = CmdletHarness.Run(new RemoveEnrollmentCertificateCommand { VaultPath = tmp.Vault }, tmp.Path,
            pipeline: new object[] { subCert, rootCert }, bind: (c, o) => c.Name = new[] { ((EnrollmentCertificate)o!).Name });
        Assert.Empty(removed.Errors);
        Assert.Empty(CmdletHarness.Run(new GetEnrollmentCertificateCommand { VaultPath = tmp.Vault }, tmp.Path).Output);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("x/y")]
    [InlineData("ü")]
    [InlineData("")]
    public void BadName_IsOneClearErrorRecord_AndNothingIsWritten(string name)
    {
        using var tmp = new TempDir();
        var seam = CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = name, KeyPassword = Pw, VaultPath = tmp.Vault }, tmp.Path);
        var error = Assert.Single(seam.Errors);
        Assert.Equal("InvalidName", error.ErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.Category);
        Assert.Equal(name, error.Target);
        Assert.Contains("Use only letters A-Z, digits", error.Message);
        Assert.Empty(seam.Output);
        Assert.False(Directory.Exists(Path.Combine(tmp.Vault, "enrollment")));
    }

    [Fact]
    public void DuplicateName_AndWrongParentPassword_AreClearErrors_NotStackTraces()
    {
        using var tmp = new TempDir();
        CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = "Root", KeyPassword = Pw, VaultPath = tmp.Vault, KeyAlgorithm = KeyAlgorithm.EcdsaP256 }, tmp.Path);
        var dup = CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = "root", KeyPassword = Pw, VaultPath = tmp.Vault }, tmp.Path);
        Assert.Equal("NameAlreadyExists", Assert.Single(dup.Errors).ErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, dup.Errors[0].Category);

        var wrong = CmdletHarness.Run(new NewEnrollmentCertificateCommand
        {
            Name = "Sub", Parent = "Root", KeyPassword = Pw, ParentKeyPassword = CmdletHarness.Secure("typo"), VaultPath = tmp.Vault,
        }, tmp.Path);
        var e = Assert.Single(wrong.Errors);
        Assert.Equal("WrongKeyPassword", e.ErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, e.Category);
        Assert.DoesNotContain("   at ", e.Message);
    }

    [Fact]
    public void WhatIf_CreatesNothing_AndIntermediateClampWarnsAtThePrompt()
    {
        using var tmp = new TempDir();
        var whatIf = CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = "Root", KeyPassword = Pw, VaultPath = tmp.Vault }, tmp.Path, shouldProcess: false);
        Assert.Empty(whatIf.Output);
        Assert.Empty(CmdletHarness.Run(new GetEnrollmentCertificateCommand { VaultPath = tmp.Vault }, tmp.Path).Output);

        CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = "Root", KeyPassword = Pw, VaultPath = tmp.Vault, ValidityDays = 30, KeyAlgorithm = KeyAlgorithm.EcdsaP256 }, tmp.Path);
        var sub = CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = "Sub", Parent = "Root", ValidityDays = 400, KeyPassword = Pw, VaultPath = tmp.Vault, KeyAlgorithm = KeyAlgorithm.EcdsaP256 }, tmp.Path);
        Assert.Contains(sub.Warnings, w => w.Contains("never outlives its parent"));
        Assert.Empty(sub.Errors);
    }

    [Fact]
    public void VaultNameCompleter_OffersNamesFromTheVault()
    {
        using var tmp = new TempDir();
        CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = "Alpha", KeyPassword = Pw, VaultPath = tmp.Vault, KeyAlgorithm = KeyAlgorithm.EcdsaP256 }, tmp.Path);
        CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = "Beta", KeyPassword = Pw, VaultPath = tmp.Vault, KeyAlgorithm = KeyAlgorithm.EcdsaP256 }, tmp.Path);
        Assert.Equal(new[] { "Alpha" }, VaultNameCompleter.Complete(tmp.Vault, Core.Storage.Collections.Enrollment, "al"));
        Assert.Equal(new[] { "Alpha", "Beta" }, VaultNameCompleter.Complete(tmp.Vault, Core.Storage.Collections.Enrollment, ""));
        Assert.Empty(VaultNameCompleter.Complete(Path.Combine(tmp.Path, "no-vault"), Core.Storage.Collections.Enrollment, ""));
    }

    [Fact]
    public void ParentByStorePath_SignsWithTheStoreKey_AndListingAMissingVaultCreatesNothing()
    {
        using var tmp = new TempDir();
        var missing = Path.Combine(tmp.Path, "not-yet");
        Assert.Empty(CmdletHarness.Run(new GetEnrollmentCertificateCommand { VaultPath = missing }, tmp.Path).Output);
        Assert.False(Directory.Exists(missing));

        var storeName = "ZscalerPkiCmdletTest" + Guid.NewGuid().ToString("N")[..8];
        var store = CertStoreLocation.Parse($@"Cert:\CurrentUser\{storeName}");
        try
        {
            using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            var ca = CaCertificateBuilder.Issue(new System.Security.Cryptography.X509Certificates.X500DistinguishedName("CN=Store CA"), Keys.PublicKeyOf(key),
                new CaCertificateBuilder.Signer(null, key), SignatureHash.Sha256, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(2), null);
            store.AddWithPrivateKey(Keys.WithKey(ca, key));

            // New-EnrollmentCertificate -Name Sub -Parent Cert:\CurrentUser\<store>\<thumbprint>
            var seam = CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = "Sub", Parent = $@"Cert:\CurrentUser\{storeName}\{ca.Thumbprint}", KeyPassword = Pw, VaultPath = tmp.Vault }, tmp.Path);
            Assert.Empty(seam.Errors);
            var sub = Assert.IsType<EnrollmentCertificate>(Assert.Single(seam.Output));
            Assert.Equal("CN=Store CA", sub.Issuer);
            Assert.Equal(CaType.Intermediate, sub.Type);

            var wrong = CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = "Sub2", Parent = $@"Cert:\CurrentUser\{storeName}\{new string('0', 40)}", KeyPassword = Pw, VaultPath = tmp.Vault }, tmp.Path);
            Assert.Equal("CertificateNotFound", Assert.Single(wrong.Errors).ErrorId);
        }
        finally
        {
            using var x = new System.Security.Cryptography.X509Certificates.X509Store(storeName, System.Security.Cryptography.X509Certificates.StoreLocation.CurrentUser);
            x.Open(System.Security.Cryptography.X509Certificates.OpenFlags.ReadWrite);
            foreach (var c in x.Certificates)
                x.Remove(c);
        }
    }
}
