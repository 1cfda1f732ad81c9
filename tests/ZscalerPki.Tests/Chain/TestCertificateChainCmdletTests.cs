using System.Management.Automation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Validation;
using ZscalerPki.Tests.Harness;

namespace ZscalerPki.Tests.Chain;

/// <summary>Test-CertificateChain over chains made by the module's own cmdlets, with OpenSSL as the second opinion.</summary>
public sealed class TestCertificateChainCmdletTests
{
    private static readonly System.Security.SecureString Pw = PwshHost.Secure("chain-test-pw");

    private sealed record Pki(TempDir Tmp, PwshHost Pwsh, EnrollmentCertificate Root, EnrollmentCertificate Sub, X509Certificate2 Leaf, string RootPem, string ChainPem) : IDisposable
    {
        public void Dispose()
        {
            Pwsh.Dispose();
            Tmp.Dispose();
        }
    }

    /// <summary>Root → intermediate from New-EnrollmentCertificate, and a TLS server leaf signed by the intermediate.</summary>
    private static Pki Build()
    {
        var tmp = new TempDir();
        var pwsh = new PwshHost(tmp.Path);
        var root = (EnrollmentCertificate)pwsh.Run("New-EnrollmentCertificate", new() { ["Name"] = "Root", ["KeyPassword"] = Pw, ["VaultPath"] = tmp.Vault, ["KeyAlgorithm"] = KeyAlgorithm.EcdsaP256 }).Output.Single()!;
        var sub = (EnrollmentCertificate)pwsh.Run("New-EnrollmentCertificate", new() { ["Name"] = "Issuing", ["Parent"] = "Root", ["PathLength"] = 0, ["KeyPassword"] = Pw, ["VaultPath"] = tmp.Vault, ["KeyAlgorithm"] = KeyAlgorithm.EcdsaP256 }).Output.Single()!;

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
        return new Pki(tmp, pwsh, root, sub, leaf, tmp.File("root.pem"), tmp.File("chain.pem"));
    }

    [Fact]
    public void ChainFromOurCmdlets_IsValid_AndOpenSslAgrees_WithTreeView()
    {
        using var pki = Build();

        // Test-CertificateChain ./chain.pem -TrustedRoot Root (a vault name) -DnsName www.contoso.test -Purpose ServerAuth -Profile WebPki
        var run = pki.Pwsh.Script("Test-CertificateChain ./chain.pem -TrustedRoot Root -DnsName www.contoso.test -Purpose ServerAuth -Profile WebPki -VaultPath $args[0]", pki.Tmp.Vault).NotTerminated();
        Assert.Empty(run.Errors);
        var result = Assert.IsType<ChainValidationResult>(Assert.Single(run.Output));
        Assert.True(result.IsValid, result.ToTreeString());
        Assert.Equal(new[] { pki.Leaf.Thumbprint, pki.Sub.Thumbprint, pki.Root.Thumbprint }, result.Elements.Select(e => e.Thumbprint));
        Assert.True(result.Elements[^1].IsTrustAnchor);
        var tree = result.ToTreeString();
        Assert.Contains("✔ CN=www.contoso.test", tree);

        var openssl = OpenSsl.Run(pki.Tmp.Path, "verify", "-x509_strict", "-CAfile", "root.pem", "-untrusted", "sub.pem", "-purpose", "sslserver", "-verify_hostname", "www.contoso.test", "leaf.pem");
        Assert.Equal(0, openssl.ExitCode);

        // The IP SAN matches too; a wrong host name does not, and OpenSSL agrees.
        var ip = pki.Pwsh.Run("Test-CertificateChain", new() { ["Certificate"] = pki.Leaf, ["Intermediate"] = pki.Sub, ["TrustedRoot"] = pki.Root.Certificate, ["IPAddress"] = "192.0.2.10", ["VaultPath"] = pki.Tmp.Vault, ["Quiet"] = true });
        Assert.Equal(true, Assert.Single(ip.Output));
        var wrongHost = pki.Pwsh.Run("Test-CertificateChain", new() { ["Certificate"] = "chain.pem", ["TrustedRoot"] = "root.pem", ["DnsName"] = "evil.test", ["VaultPath"] = pki.Tmp.Vault });
        var bad = Assert.IsType<ChainValidationResult>(Assert.Single(wrongHost.Output));
        Assert.False(bad.IsValid);
        Assert.Contains(bad.Problems, p => p.Code == "HostnameMismatch");
        Assert.Contains("✘", bad.ToTreeString());
        Assert.NotEqual(0, OpenSsl.Run(pki.Tmp.Path, "verify", "-CAfile", "root.pem", "-untrusted", "sub.pem", "-verify_hostname", "evil.test", "leaf.pem").ExitCode);
    }

    [Fact]
    public void Quiet_ForPester_AndExpiryAndForeignRoot_AreFalse()
    {
        using var pki = Build();
        bool Quiet(Dictionary<string, object?> extra)
        {
            var parameters = new Dictionary<string, object?> { ["Certificate"] = "chain.pem", ["TrustedRoot"] = "root.pem", ["VaultPath"] = pki.Tmp.Vault, ["Quiet"] = true };
            foreach (var (name, value) in extra)
                parameters[name] = value;
            return (bool)Assert.Single(pki.Pwsh.Run("Test-CertificateChain", parameters).NotTerminated().Output)!;
        }

        Assert.True(Quiet(new()));
        Assert.False(Quiet(new() { ["At"] = DateTime.UtcNow.AddDays(400) }));   // the leaf has expired by then
        Assert.False(Quiet(new() { ["At"] = DateTime.UtcNow.AddDays(-2) }));    // not yet valid
        using var other = new TempDir();
        var foreign = (EnrollmentCertificate)pki.Pwsh.Run("New-EnrollmentCertificate", new() { ["Name"] = "Other", ["KeyPassword"] = Pw, ["VaultPath"] = other.Vault, ["KeyAlgorithm"] = KeyAlgorithm.EcdsaP256 }).Output.Single()!;
        Assert.False(Quiet(new() { ["TrustedRoot"] = foreign.Certificate }));
        Assert.False(Quiet(new() { ["Purpose"] = ChainPurpose.ClientAuth })); // the leaf is serverAuth only
    }

    [Fact]
    public void ManyCertificatesFromThePipeline_ReportProgress_AndBadInputIsAnErrorPerItem()
    {
        using var pki = Build();
        File.WriteAllText(pki.Tmp.File("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        var inputs = Enumerable.Repeat<object>("chain.pem", 30).Append("garbage.pem").Append("missing.pem").ToList();
        var run = pki.Pwsh.Run("Test-CertificateChain", new() { ["TrustedRoot"] = "root.pem", ["VaultPath"] = pki.Tmp.Vault, ["Quiet"] = true }, input: inputs).NotTerminated();
        Assert.Equal(30, run.Output.Count(o => o is true));
        Assert.Equal(2, run.Output.Count(o => o is false));
        Assert.Equal(new[] { "InvalidCertificateData", "CertificateSourceNotFound" }, run.ErrorIds);
        Assert.Contains(run.Progress, p => p.RecordType == ProgressRecordType.Completed);

        var unknownRoot = pki.Pwsh.Run("Test-CertificateChain", new() { ["Certificate"] = "chain.pem", ["TrustedRoot"] = "NoSuchCa", ["VaultPath"] = pki.Tmp.Vault });
        Assert.Equal("CertificateSourceNotFound", unknownRoot.Terminating?.ErrorId());
        Assert.Empty(unknownRoot.Output);
    }
}

/// <summary>The SSL-inspection intermediate made by the other cmdlets, checked by Test-CertificateChain and by OpenSSL.</summary>
public sealed class InspectionChainTests
{
    [Fact]
    public void InspectionIntermediate_SignedByAVaultCa_Imported_IsValidByVaultName_AndOpenSslAgrees()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        var pw = PwshHost.Secure("inspection-pw");
        pwsh.Run("New-EnrollmentCertificate", new() { ["Name"] = "Corp-Root", ["KeyPassword"] = pw, ["VaultPath"] = tmp.Vault, ["PathLength"] = 1 }).NotTerminated();
        var csr = pwsh.Run("New-IntermediateCsr", new() { ["Name"] = "Inspection", ["CommonName"] = "Corp SSL Inspection", ["Country"] = "US", ["KeyPassword"] = pw, ["VaultPath"] = tmp.Vault });
        Assert.Empty(csr.Errors);
        var pending = Assert.IsType<Core.Intermediate.IntermediateCertificate>(Assert.Single(csr.Output));

        var issued = pwsh.Run("Submit-CertificateRequest", new() { ["Issuer"] = "Corp-Root", ["IssuerKeyPassword"] = pw, ["VaultPath"] = tmp.Vault }, input: new object[] { pending });
        Assert.Empty(issued.Errors);
        var cert = Assert.IsType<Core.Intermediate.IssuedCertificate>(Assert.Single(issued.Output));
        var import = pwsh.Run("Import-SignedIntermediate", new() { ["Name"] = "Inspection", ["Certificate"] = cert.Certificate, ["Chain"] = cert.Chain, ["VaultPath"] = tmp.Vault });
        Assert.Empty(import.Errors);

        // Test-CertificateChain -Certificate Inspection -TrustedRoot Corp-Root: both by vault name; the imported chain is used.
        var run = pwsh.Run("Test-CertificateChain", new() { ["Certificate"] = import.Output.Single(), ["TrustedRoot"] = "Corp-Root", ["VaultPath"] = tmp.Vault });
        Assert.Empty(run.Errors);
        var result = Assert.IsType<ChainValidationResult>(Assert.Single(run.Output));
        Assert.True(result.IsValid, result.ToTreeString());
        Assert.Equal(2, result.Elements.Count);
        var byName = pwsh.Script("Get-IntermediateCertificate Inspection -VaultPath $args[0] | Test-CertificateChain -TrustedRoot Corp-Root -Quiet -VaultPath $args[0]", tmp.Vault);
        Assert.Equal(true, Assert.Single(byName.Output));

        // The upload bundle verifies in OpenSSL as well.
        var bundle = pwsh.Run("Export-IntermediateCertificate", new() { ["Name"] = "Inspection", ["VaultPath"] = tmp.Vault });
        File.WriteAllText(tmp.File("bundle.pem"), (string)bundle.Output.Single()!);
        pwsh.Run("Export-EnrollmentCertificate", new() { ["Name"] = "Corp-Root", ["Path"] = "root.pem", ["VaultPath"] = tmp.Vault }).NotTerminated();
        var leaf = CertificateReader.ReadFile(tmp.File("bundle.pem"))[0];
        File.WriteAllText(tmp.File("leaf.pem"), CertificateReader.ToPem(leaf));
        OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-CAfile", "root.pem", "leaf.pem");

        // A CSR-only entry has no certificate yet: one clear error, not a crash.
        var pendingCsr = pwsh.Run("New-IntermediateCsr", new() { ["Name"] = "Pending", ["CommonName"] = "Corp SSL Inspection 2", ["Status"] = Core.Intermediate.IntermediateStatus.Disabled, ["KeyPassword"] = pw, ["VaultPath"] = tmp.Vault });
        Assert.Empty(pendingCsr.Errors);
        var notYet = pwsh.Run("Test-CertificateChain", new() { ["Certificate"] = "Pending", ["TrustedRoot"] = "Corp-Root", ["VaultPath"] = tmp.Vault });
        Assert.Equal("CertificateNotAvailable", Assert.Single(notYet.Errors).ErrorId());
    }
}
