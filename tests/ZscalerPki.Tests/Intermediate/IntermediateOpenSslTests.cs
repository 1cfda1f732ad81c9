using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Tests.Harness;
using static ZscalerPki.Tests.Intermediate.IntermediateTestKit;

namespace ZscalerPki.Tests.Intermediate;

/// <summary>The seed's flow with OpenSSL as the external CA: CSR → openssl x509 -req -extfile → import as PEM, DER, .p7b → export bundle.</summary>
public sealed class IntermediateOpenSslTests
{
    [Fact]
    public void EndToEnd_OpenSslSignsOurCsr_ImportedAsPemDerAndP7b_BundleVerifies()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);

        // New-IntermediateCsr: CSR file, public key file, key encrypted in the vault.
        var run = pwsh.Run("New-IntermediateCsr", new()
        {
            ["Name"] = "inspection",
            ["Description"] = "SSL inspection for Contoso",
            ["CommonName"] = CommonName,
            ["Organization"] = "Contoso Ltd",
            ["Department"] = "IT Security",
            ["City"] = "Seattle",
            ["State"] = "Washington",
            ["Country"] = "us",
            ["Path"] = "inspection.csr",
            ["PublicKeyPath"] = "inspection.pub",
            ["CertificateTemplate"] = "SubCA",
            ["KeyPassword"] = PwshHost.Secure(Password),
            ["VaultPath"] = tmp.Vault,
            ["Verbose"] = true,
        });
        Assert.Empty(run.Errors);
        var created = Assert.IsType<IntermediateCertificate>(Assert.Single(run.Output));
        Assert.Equal(IntermediateState.CsrGenDone, created.State);
        Assert.Equal("CSRGEN_DONE", created.ApiState);
        Assert.Equal(IntermediateStatus.Enabled, created.Status);
        Assert.Equal("Global", created.Region);
        Assert.False(created.IsDefault);
        Assert.Null(created.Certificate);
        Assert.Equal(tmp.File("inspection.csr"), created.CsrPath);
        Assert.Equal(File.ReadAllText(tmp.File("inspection.csr")), created.Csr);
        Assert.Single(run.ShouldProcessMessages);

        // OpenSSL: the CSR's signature verifies and it requests the CA profile in its extensionRequest.
        var csrText = OpenSsl.Ok(tmp.Path, "req", "-in", "inspection.csr", "-verify", "-noout", "-text");
        Assert.Contains("C = US, ST = Washington, L = Seattle, O = Contoso Ltd, OU = IT Security, CN = Contoso SSL Inspection CA", csrText);
        Assert.Contains("Requested Extensions:", csrText);
        Assert.Matches(@"X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0", csrText);
        Assert.Matches(@"X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign", csrText);
        Assert.Contains("X509v3 Subject Key Identifier", csrText);
        Assert.Contains("1.3.6.1.4.1.311.20.2", csrText); // the AD CS template request
        Assert.Contains("Public-Key: (2048 bit)", csrText);
        Assert.Contains("sha256WithRSAEncryption", csrText);

        // The public key file is the CSR's key, and the vault key (encrypted PKCS#8) opens with the password to the same key.
        var pub = OpenSsl.Ok(tmp.Path, "pkey", "-pubin", "-in", "inspection.pub");
        Assert.Equal(OpenSsl.Ok(tmp.Path, "req", "-in", "inspection.csr", "-pubkey", "-noout"), pub);
        var keyFile = Path.Combine(tmp.Vault, "intermediate", "inspection", "key.p8");
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", File.ReadAllText(keyFile));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Equal(pub, OpenSsl.Ok(tmp.Path, "pkey", "-in", keyFile, "-passin", "pass:" + Password, "-pubout"));

        // OpenSSL as the external CA, with exactly the seed's extfile.
        OpenSslCa(tmp.Path);
        OpenSslSign(tmp.Path, "inspection.csr", "inspection.pem", "0x2001");
        File.WriteAllText(tmp.File("chain.pem"), File.ReadAllText(tmp.File("issuing.pem")) + File.ReadAllText(tmp.File("root.pem")));

        // 1) PEM with the chain.
        var pem = Import(pwsh, tmp, "inspection", path: "inspection.pem", chainPath: "chain.pem");
        Assert.Empty(pem.Errors);
        var ready = Assert.IsType<IntermediateCertificate>(Assert.Single(pem.Output));
        Assert.Equal(IntermediateState.CertReady, ready.State);
        Assert.Equal("CERT_READY", ready.ApiState);
        Assert.True(ready.IsDefault); // first enabled + ready intermediate, no default before
        // Normal success is information, not a warning (issue 20).
        Assert.Contains(pem.Information, i => i.MessageData.ToString()!.Contains("now the default", StringComparison.Ordinal));
        Assert.DoesNotContain(pem.Warnings, w => w.Contains("now the default", StringComparison.Ordinal));
        // The seed's extfile: CA:TRUE without critical and without pathlen, keyUsage without critical. Accepted, with one warning
        // saying what differs and the strict extfile lines.
        var lax = Assert.Single(pem.Warnings, w => w.Contains("differs from its CSR", StringComparison.Ordinal));
        Assert.Contains("basicConstraints is not marked critical", lax);
        Assert.Contains("no path-length constraint", lax);
        Assert.Contains("'basicConstraints=critical,CA:TRUE,pathlen:0'", lax);
        Assert.Equal(2, ready.Chain.Length);
        Assert.Equal("CN=Contoso Issuing CA, O=Contoso Ltd", ready.Chain[0].Subject);
        Assert.Empty(ready.History);

        // 2) DER (.cer) of a re-signed certificate, same key: rotation without a new key; the chain still fits and is kept.
        OpenSslSign(tmp.Path, "inspection.csr", "rotated.pem", "0x2002");
        OpenSsl.Ok(tmp.Path, "x509", "-in", "rotated.pem", "-outform", "DER", "-out", "rotated.cer");
        var der = pwsh.Run("Import-SignedIntermediate", new() { ["Name"] = "inspection", ["LiteralPath"] = "rotated.cer", ["VaultPath"] = tmp.Vault });
        Assert.Empty(der.Errors);
        var rotated = Assert.IsType<IntermediateCertificate>(Assert.Single(der.Output));
        Assert.Equal("2002", rotated.SerialNumber);
        Assert.Equal(2, rotated.Chain.Length);
        var previous = Assert.Single(rotated.History);
        Assert.Equal(ready.Thumbprint, previous.Thumbprint);
        Assert.True(rotated.IsDefault);

        // 3) .p7b (openssl crl2pkcs7 -nocrl) holding leaf, issuing CA and root in scrambled order: the leaf is found by its key.
        OpenSslSign(tmp.Path, "inspection.csr", "p7b-leaf.pem", "0x2003");
        OpenSsl.Ok(tmp.Path, "crl2pkcs7", "-nocrl", "-certfile", "root.pem", "-certfile", "p7b-leaf.pem", "-certfile", "issuing.pem", "-outform", "DER", "-out", "inspection.p7b");
        var p7b = Import(pwsh, tmp, "inspection", path: "inspection.p7b");
        Assert.Empty(p7b.Errors);
        var fromP7b = Assert.IsType<IntermediateCertificate>(Assert.Single(p7b.Output));
        Assert.Equal("2003", fromP7b.SerialNumber);
        Assert.Equal(new[] { "CN=Contoso Issuing CA, O=Contoso Ltd", "CN=Contoso Root CA, O=Contoso Ltd" }, fromP7b.Chain.Select(c => c.Subject));
        Assert.Equal(2, fromP7b.History.Length);

        // 4) Base64 without armour (certreq's output) through -Pem.
        var base64 = Convert.ToBase64String(File.ReadAllBytes(tmp.File("rotated.cer")), Base64FormattingOptions.InsertLineBreaks);
        var b64 = Import(pwsh, tmp, "inspection", pem: base64);
        Assert.Empty(b64.Errors);
        Assert.Equal("2002", Assert.IsType<IntermediateCertificate>(Assert.Single(b64.Output)).SerialNumber);

        // Export the upload bundle, leaf → root, and let OpenSSL verify it.
        var export = pwsh.Run("Export-IntermediateCertificate", new() { ["Name"] = "inspection", ["Path"] = "inspection-chain.pem", ["VaultPath"] = tmp.Vault, ["PassThru"] = true });
        Assert.Empty(export.Errors);
        Assert.IsType<FileInfo>(Assert.Single(export.Output));
        var bundle = CertificateReader.ReadFile(tmp.File("inspection-chain.pem"));
        Assert.Equal(new[] { "2002", "1001" }, bundle.Take(2).Select(c => c.SerialNumber));
        Assert.Equal(3, bundle.Count);
        File.WriteAllText(tmp.File("leaf.pem"), CertificateReader.ToPem(bundle[0]));
        var verified = OpenSsl.Ok(tmp.Path, "verify", "-CAfile", "root.pem", "-untrusted", "inspection-chain.pem", "leaf.pem");
        Assert.Contains("leaf.pem: OK", verified);
        OpenSsl.Ok(tmp.Path, "verify", "-CAfile", "root.pem", "-untrusted", "inspection-chain.pem", "inspection-chain.pem");

        // Text export goes to the pipeline; -ExcludeChain gives the certificate alone.
        var text = pwsh.Run("Export-IntermediateCertificate", new() { ["Name"] = "inspection", ["VaultPath"] = tmp.Vault, ["ExcludeChain"] = true });
        Assert.Single(CertificateReader.ReadText(Assert.IsType<string>(Assert.Single(text.Output))));

        var artifacts = Environment.GetEnvironmentVariable("ZSCALERPKI_ARTIFACTS");
        if (!string.IsNullOrWhiteSpace(artifacts))
        {
            Directory.CreateDirectory(artifacts);
            File.Copy(tmp.File("inspection.csr"), Path.Combine(artifacts, "inspection.csr"), overwrite: true);
            File.WriteAllText(Path.Combine(artifacts, "inspection.pem"), File.ReadAllText(tmp.File("leaf.pem")));
            File.Copy(tmp.File("inspection-chain.pem"), Path.Combine(artifacts, "inspection-chain.pem"), overwrite: true);
        }
    }

    [Fact]
    public void ChainOnlyImport_ReplacesTheChain_AndTrustedRootCompletesAShortChain()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        NewCsr(pwsh, tmp, "inspection", "inspection.csr");
        OpenSslCa(tmp.Path);
        OpenSslSign(tmp.Path, "inspection.csr", "inspection.pem", "0x3001");

        // No chain at first: accepted with a warning.
        var bare = Import(pwsh, tmp, "inspection", path: "inspection.pem");
        Assert.Empty(bare.Errors);
        Assert.Contains(bare.Warnings, w => w.Contains("No chain was imported", StringComparison.Ordinal));
        Assert.Empty(Assert.IsType<IntermediateCertificate>(Assert.Single(bare.Output)).Chain);

        // The issuing CA alone ends short of a root: ChainIncomplete; with -TrustedRoot it is complete.
        var shortChain = Import(pwsh, tmp, "inspection", chainPath: "issuing.pem");
        Assert.Equal("ChainIncomplete", Assert.Single(shortChain.Errors).ErrorId());
        var withRoot = Import(pwsh, tmp, "inspection", chainPath: "issuing.pem", trustedRoot: tmp.File("root.pem"));
        Assert.Empty(withRoot.Errors);
        var item = Assert.IsType<IntermediateCertificate>(Assert.Single(withRoot.Output));
        Assert.Equal(2, item.Chain.Length);
        Assert.Single(item.History); // the certificate stayed, the chain changed

        var export = pwsh.Run("Export-IntermediateCertificate", new() { ["Name"] = "inspection", ["Path"] = "bundle.pem", ["VaultPath"] = tmp.Vault });
        Assert.Empty(export.Errors);
        OpenSsl.Ok(tmp.Path, "verify", "-CAfile", "root.pem", "-untrusted", "bundle.pem", "bundle.pem");
    }
}
