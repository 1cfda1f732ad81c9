using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Commands;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Validation;
using ZscalerPki.Tests.Harness;

namespace ZscalerPki.Tests.Chain;

/// <summary>Test-CertificateChain over chains made by the module's own cmdlets, with OpenSSL as the second opinion.</summary>
public sealed class TestCertificateChainCmdletTests
{
    private static readonly System.Security.SecureString Pw = CmdletHarness.Secure("chain-test-pw");

    private sealed record Pki(TempDir Tmp, EnrollmentCertificate Root, EnrollmentCertificate Sub, X509Certificate2 Leaf, string RootPem, string ChainPem);

    /// <summary>Root → intermediate from New-EnrollmentCertificate, and a TLS server leaf signed by the intermediate.</summary>
    private static Pki Build()
    {
        var tmp = new TempDir();
        var root = (EnrollmentCertificate)CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = "Root", KeyPassword = Pw, VaultPath = tmp.Vault, KeyAlgorithm = KeyAlgorithm.EcdsaP256 }, tmp.Path).Output.Single()!;
        var sub = (EnrollmentCertificate)CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = "Issuing", Parent = "Root", PathLength = 0, KeyPassword = Pw, VaultPath = tmp.Vault, KeyAlgorithm = KeyAlgorithm.EcdsaP256 }, tmp.Path).Output.Single()!;

        using var issuer = new EnrollmentService(Core.Storage.Vault.Open(tmp.Vault)).OpenWithKey("Issuing", "chain-test-pw");
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=www.contoso.test", leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("www.contoso.test");
        san.AddIpAddress(System.Net.IPAddress.Parse("192.0.2.10"));
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        req.CertificateExtensions.Add(CaCertificateBuilder.AuthorityKeyIdentifier(issuer));
        var leaf = req.Create(issuer, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(90), Keys.NewSerialNumber());

        File.WriteAllText(tmp.File("root.pem"), CertificateReader.ToPem(root.Certificate));
        File.WriteAllText(tmp.File("chain.pem"), CertificateReader.ToPem(leaf) + CertificateReader.ToPem(sub.Certificate));
        File.WriteAllText(tmp.File("leaf.pem"), CertificateReader.ToPem(leaf));
        File.WriteAllText(tmp.File("sub.pem"), CertificateReader.ToPem(sub.Certificate));
        return new Pki(tmp, root, sub, leaf, tmp.File("root.pem"), tmp.File("chain.pem"));
    }

    [Fact]
    public void ChainFromOurCmdlets_IsValid_AndOpenSslAgrees_WithTreeView()
    {
        var pki = Build();
        using var _ = pki.Tmp;

        // Test-CertificateChain ./chain.pem -TrustedRoot Root (a vault name) -DnsName www.contoso.test -Purpose ServerAuth -Profile WebPki
        var seam = CmdletHarness.Run(new TestCertificateChainCommand
        {
            Certificate = new object[] { "chain.pem" },
            TrustedRoot = new object[] { "Root" },
            DnsName = "www.contoso.test",
            Purpose = ChainPurpose.ServerAuth,
            Profile = ValidationProfile.WebPki,
            VaultPath = pki.Tmp.Vault,
        }, pki.Tmp.Path);
        Assert.Empty(seam.Errors);
        var result = Assert.IsType<ChainValidationResult>(Assert.Single(seam.Output));
        Assert.True(result.IsValid, result.ToTreeString());
        Assert.Equal(new[] { pki.Leaf.Thumbprint, pki.Sub.Thumbprint, pki.Root.Thumbprint }, result.Elements.Select(e => e.Thumbprint));
        Assert.True(result.Elements[^1].IsTrustAnchor);
        var tree = result.ToTreeString();
        Assert.Contains("✔ CN=www.contoso.test", tree);

        var openssl = OpenSsl.Run(pki.Tmp.Path, "verify", "-x509_strict", "-CAfile", "root.pem", "-untrusted", "sub.pem", "-purpose", "sslserver", "-verify_hostname", "www.contoso.test", "leaf.pem");
        Assert.Equal(0, openssl.ExitCode);

        // The IP SAN matches too; a wrong host name does not, and OpenSSL agrees.
        var ip = CmdletHarness.Run(new TestCertificateChainCommand { Certificate = new object[] { pki.Leaf }, Intermediate = new object[] { pki.Sub }, TrustedRoot = new object[] { pki.Root.Certificate }, IPAddress = "192.0.2.10", VaultPath = pki.Tmp.Vault }.With("Quiet"), pki.Tmp.Path);
        Assert.Equal(true, Assert.Single(ip.Output));
        var wrongHost = CmdletHarness.Run(new TestCertificateChainCommand { Certificate = new object[] { "chain.pem" }, TrustedRoot = new object[] { "root.pem" }, DnsName = "evil.test", VaultPath = pki.Tmp.Vault }, pki.Tmp.Path);
        var bad = Assert.IsType<ChainValidationResult>(Assert.Single(wrongHost.Output));
        Assert.False(bad.IsValid);
        Assert.Contains(bad.Problems, p => p.Code == "HostnameMismatch");
        Assert.Contains("✘", bad.ToTreeString());
        Assert.NotEqual(0, OpenSsl.Run(pki.Tmp.Path, "verify", "-CAfile", "root.pem", "-untrusted", "sub.pem", "-verify_hostname", "evil.test", "leaf.pem").ExitCode);
    }

    [Fact]
    public void Quiet_ForPester_AndExpiryAndForeignRoot_AreFalse()
    {
        var pki = Build();
        using var _ = pki.Tmp;
        bool Quiet(Action<TestCertificateChainCommand> configure)
        {
            var cmd = new TestCertificateChainCommand { Certificate = new object[] { "chain.pem" }, TrustedRoot = new object[] { "root.pem" }, VaultPath = pki.Tmp.Vault }.With("Quiet");
            configure(cmd);
            var seam = CmdletHarness.Run(cmd, pki.Tmp.Path);
            return (bool)Assert.Single(seam.Output)!;
        }

        Assert.True(Quiet(_ => { }));
        Assert.False(Quiet(c => c.At = DateTime.UtcNow.AddDays(400)));   // the leaf has expired by then
        Assert.False(Quiet(c => c.At = DateTime.UtcNow.AddDays(-2)));    // not yet valid
        using var other = new TempDir();
        var foreign = (EnrollmentCertificate)CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = "Other", KeyPassword = Pw, VaultPath = other.Vault, KeyAlgorithm = KeyAlgorithm.EcdsaP256 }, other.Path).Output.Single()!;
        Assert.False(Quiet(c => c.TrustedRoot = new object[] { foreign.Certificate }));
        Assert.False(Quiet(c => c.Purpose = ChainPurpose.ClientAuth)); // the leaf is serverAuth only
    }

    [Fact]
    public void ManyCertificatesFromThePipeline_ReportProgress_AndBadInputIsAnErrorPerItem()
    {
        var pki = Build();
        using var _ = pki.Tmp;
        File.WriteAllText(pki.Tmp.File("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        var inputs = Enumerable.Repeat<object>("chain.pem", 30).Append("garbage.pem").Append("missing.pem").ToList();
        var seam = CmdletHarness.Run(new TestCertificateChainCommand { TrustedRoot = new object[] { "root.pem" }, VaultPath = pki.Tmp.Vault }.With("Quiet"), pki.Tmp.Path,
            pipeline: inputs, bind: (c, o) => c.Certificate = new[] { o! });
        Assert.Equal(30, seam.Output.Count(o => o is true));
        Assert.Equal(2, seam.Output.Count(o => o is false));
        Assert.Equal(new[] { "InvalidCertificateData", "CertificateSourceNotFound" }, seam.Errors.Select(e => e.ErrorId));
        Assert.Contains(seam.Progress, p => p.Completed);

        var unknownRoot = Assert.Throws<TerminatingErrorException>(() => CmdletHarness.Run(new TestCertificateChainCommand { Certificate = new object[] { "chain.pem" }, TrustedRoot = new object[] { "NoSuchCa" }, VaultPath = pki.Tmp.Vault }, pki.Tmp.Path));
        Assert.Equal("CertificateSourceNotFound", unknownRoot.Error.ErrorId);
    }
}

/// <summary>The SSL-inspection intermediate made by the other cmdlets, checked by Test-CertificateChain and by OpenSSL.</summary>
public sealed class InspectionChainTests
{
    [Fact]
    public void InspectionIntermediate_SignedByAVaultCa_Imported_IsValidByVaultName_AndOpenSslAgrees()
    {
        using var tmp = new TempDir();
        var pw = CmdletHarness.Secure("inspection-pw");
        CmdletHarness.Run(new NewEnrollmentCertificateCommand { Name = "Corp-Root", KeyPassword = pw, VaultPath = tmp.Vault, PathLength = 1 }, tmp.Path);
        var csr = CmdletHarness.Run(new NewIntermediateCsrCommand { Name = "Inspection", CommonName = "Corp SSL Inspection", Country = "US", KeyPassword = pw, VaultPath = tmp.Vault }, tmp.Path);
        Assert.Empty(csr.Errors);
        var pending = Assert.IsType<Core.Intermediate.IntermediateCertificate>(Assert.Single(csr.Output));

        var issued = CmdletHarness.Run(new SubmitCertificateRequestCommand { Issuer = "Corp-Root", IssuerKeyPassword = pw, VaultPath = tmp.Vault }, tmp.Path,
            pipeline: new object[] { pending }, bind: (c, o) => c.Csr = o!);
        Assert.Empty(issued.Errors);
        var cert = Assert.Single(issued.Output)!;
        var import = CmdletHarness.Run(new ImportSignedIntermediateCommand
        {
            Name = "Inspection",
            Certificate = (X509Certificate2)cert.GetType().GetProperty("Certificate")!.GetValue(cert)!,
            Chain = (X509Certificate2[])cert.GetType().GetProperty("Chain")!.GetValue(cert)!,
            VaultPath = tmp.Vault,
        }, tmp.Path);
        Assert.Empty(import.Errors);

        // Test-CertificateChain -Certificate Inspection -TrustedRoot Corp-Root: both by vault name; the imported chain is used.
        var seam = CmdletHarness.Run(new TestCertificateChainCommand { Certificate = new object[] { import.Output.Single()! }, TrustedRoot = new object[] { "Corp-Root" }, VaultPath = tmp.Vault }, tmp.Path);
        Assert.Empty(seam.Errors);
        var result = Assert.IsType<ChainValidationResult>(Assert.Single(seam.Output));
        Assert.True(result.IsValid, result.ToTreeString());
        Assert.Equal(2, result.Elements.Count);
        var byName = CmdletHarness.Run(new TestCertificateChainCommand { Certificate = new object[] { new Core.Intermediate.IntermediateService(Core.Storage.Vault.Open(tmp.Vault)).GetOne("Inspection") }, TrustedRoot = new object[] { "Corp-Root" }, VaultPath = tmp.Vault }.With("Quiet"), tmp.Path);
        Assert.Equal(true, Assert.Single(byName.Output));

        // The upload bundle verifies in OpenSSL as well.
        var bundle = CmdletHarness.Run(new ExportIntermediateCertificateCommand { Name = "Inspection", VaultPath = tmp.Vault }, tmp.Path);
        File.WriteAllText(tmp.File("bundle.pem"), (string)bundle.Output.Single()!);
        CmdletHarness.Run(new ExportEnrollmentCertificateCommand { Name = "Corp-Root", Path = "root.pem", VaultPath = tmp.Vault }, tmp.Path);
        var leaf = CertificateReader.ReadFile(tmp.File("bundle.pem"))[0];
        File.WriteAllText(tmp.File("leaf.pem"), CertificateReader.ToPem(leaf));
        OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-CAfile", "root.pem", "leaf.pem");

        // A CSR-only entry has no certificate yet: one clear error, not a crash.
        var pendingCsr = CmdletHarness.Run(new NewIntermediateCsrCommand { Name = "Pending", CommonName = "Corp SSL Inspection 2", Status = Core.Intermediate.IntermediateStatus.Disabled, KeyPassword = pw, VaultPath = tmp.Vault }, tmp.Path);
        Assert.Empty(pendingCsr.Errors);
        var notYet = CmdletHarness.Run(new TestCertificateChainCommand { Certificate = new object[] { "Pending" }, TrustedRoot = new object[] { "Corp-Root" }, VaultPath = tmp.Vault }, tmp.Path);
        Assert.Equal("CertificateNotAvailable", Assert.Single(notYet.Errors).ErrorId);
    }
}
