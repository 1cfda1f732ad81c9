using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Validation;
using ZscalerPki.Core.Validation.Clients;
using ZscalerPki.Tests.Harness;

namespace ZscalerPki.Tests.Chain;

/// <summary>
/// Test-CertificateChain -Client (issue 21) on a Zscaler-like inspection chain: a root whose basicConstraints is not
/// critical (as Zscaler's own root) and a forged leaf without authorityKeyIdentifier. OpenSSL's default and every other
/// client accept it; OpenSSL -x509_strict (Python >= 3.13, Azure CLI >= 2.77) refuses it with "Missing Authority Key
/// Identifier" — checked against the real openssl.
/// </summary>
public sealed class ClientVerdictCmdletTests
{
    private static void WriteZscalerLikeChain(TempDir tmp)
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootReq = new CertificateRequest("CN=Zscaler Root CA (test), O=Zscaler Inc. (test)", rootKey, HashAlgorithmName.SHA256);
        rootReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: false));
        rootReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, false));
        rootReq.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootReq.PublicKey, false));
        using var root = rootReq.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafReq = new CertificateRequest("CN=login.contoso.test", leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("login.contoso.test");
        leafReq.CertificateExtensions.Add(san.Build());
        leafReq.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        using var leaf = leafReq.Create(root, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(7), new byte[] { 0x21, 0x42 });
        File.WriteAllText(tmp.File("root.pem"), root.ExportCertificatePem() + "\n");
        File.WriteAllText(tmp.File("leaf.pem"), leaf.ExportCertificatePem() + "\n");
    }

    [Fact]
    public void ClientAll_OnAZscalerLikeChain_ShowsWhoRejectsAndWhy_AndOpenSslAgrees()
    {
        using var tmp = new TempDir();
        WriteZscalerLikeChain(tmp);
        using var pwsh = new PwshHost(tmp.Path);

        var run = pwsh.Script("Test-CertificateChain ./leaf.pem -TrustedRoot ./root.pem -DnsName login.contoso.test -Purpose ServerAuth -Client All -VaultPath $args[0]", tmp.Vault).NotTerminated();
        Assert.Empty(run.Errors);
        var result = Assert.IsType<ChainValidationResult>(Assert.Single(run.Output));
        Assert.Equal(ClientProfiles.Ids, result.Clients.Select(c => c.Client));
        // The default verdict stays RFC 5280's: the leaf lacks the AKI RFC 5280 4.2.1.1 requires; the root's non-critical
        // basicConstraints is not a problem (RFC 5280 6.1 takes the anchor's name and key).
        Assert.False(result.IsValid);
        Assert.Equal(new[] { ChainProblemCodes.AuthorityKeyIdMissing }, result.Problems.Select(p => p.Code));

        var strict = result.Clients.Single(c => c.Client == "openssl-strict");
        Assert.False(strict.Accepted);
        Assert.Equal("Missing Authority Key Identifier (85)", strict.Error);   // Azure CLI 2.77 / Python 3.13's reason
        Assert.Contains(strict.Reasons, r => r.Error.StartsWith("Basic Constraints of CA cert not marked critical", StringComparison.Ordinal));
        foreach (var id in new[] { "openssl", "go", "java", "nss", "node", "chrome", "windows", "rustls" })
            Assert.True(result.Clients.Single(c => c.Client == id).Accepted, id);
        Assert.Equal(new[] { "openssl-strict", "python" }, result.RejectedBy);

        // The real clients: OpenSSL default accepts, -x509_strict (what Python 3.13 sets) refuses with the same two reasons.
        Assert.Equal(0, OpenSsl.Run(tmp.Path, "verify", "-no-CApath", "-no-CAstore", "-CAfile", "root.pem", "-purpose", "sslserver", "-verify_hostname", "login.contoso.test", "leaf.pem").ExitCode);
        var strictRun = OpenSsl.Run(tmp.Path, "verify", "-no-CApath", "-no-CAstore", "-x509_strict", "-CAfile", "root.pem", "-purpose", "sslserver", "-verify_hostname", "login.contoso.test", "leaf.pem");
        Assert.NotEqual(0, strictRun.ExitCode);
        Assert.Contains("error 85 at 0 depth lookup: Missing Authority Key Identifier", strictRun.All);
        Assert.Contains("error 89 at 1 depth lookup: Basic Constraints of CA cert not marked critical", strictRun.All);

        // The default view fits 80 columns and names the clients with property names as headers.
        var text = pwsh.Script("Test-CertificateChain ./leaf.pem -TrustedRoot ./root.pem -DnsName login.contoso.test -Client All -VaultPath $args[0] | Out-String -Width 200", tmp.Vault).NotTerminated();
        var lines = ((string)Assert.Single(text.Output)!).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int header = lines.FindIndex(l => l.StartsWith("Client ", StringComparison.Ordinal) && l.Contains("Verdict") && l.Contains("Error"));
        Assert.True(header > 0, string.Join("\n", lines));
        Assert.All(lines.Skip(header), l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.Contains(lines, l => l.StartsWith("openssl-strict Reject  Missing Authority Key Identifier", StringComparison.Ordinal));
        var table = pwsh.Script("(Test-CertificateChain ./leaf.pem -TrustedRoot ./root.pem -Client openssl,openssl-strict -VaultPath $args[0]).Clients | Format-Table | Out-String -Width 80", tmp.Vault).NotTerminated();
        var tableText = (string)Assert.Single(table.Output)!;
        Assert.Contains("Client", tableText);
        Assert.Contains("openssl-strict", tableText);
        Assert.Equal(2, tableText.Split('\n').Count(l => l.StartsWith("openssl", StringComparison.Ordinal)));
        var python = pwsh.Script("(Test-CertificateChain ./leaf.pem -TrustedRoot ./root.pem -Client azure-cli,python -VaultPath $args[0]).Clients", tmp.Vault).NotTerminated();
        var pythonVerdict = Assert.IsType<ClientVerdict>(Assert.Single(python.Output));   // azure-cli is python, listed once
        Assert.Equal("python", pythonVerdict.Client);
        Assert.Equal("Missing Authority Key Identifier (85)", pythonVerdict.Error);
    }

    [Fact]
    public void UnknownClient_IsOneErrorNamingTheValidNames()
    {
        using var tmp = new TempDir();
        WriteZscalerLikeChain(tmp);
        using var pwsh = new PwshHost(tmp.Path);
        var run = pwsh.Run("Test-CertificateChain", new() { ["Certificate"] = "leaf.pem", ["TrustedRoot"] = "root.pem", ["Client"] = new[] { "go", "safari" }, ["VaultPath"] = tmp.Vault });
        Assert.Equal("UnknownClient", run.Terminating?.ErrorId());
        Assert.Contains("'safari'", run.Terminating!.Message());
        Assert.Contains("openssl-strict", run.Terminating!.Message());
        Assert.Empty(run.Output);
    }

    [Fact]
    public void TrustedRoot_TheDebianSystemStore_ReadsEveryRoot_WithoutWarnings()
    {
        const string bundle = "/etc/ssl/certs/ca-certificates.crt";
        const string goDaddy = "/etc/ssl/certs/Go_Daddy_Class_2_CA.pem";
        if (!File.Exists(bundle) || !File.Exists(goDaddy))
            return; // covered by ClientProfileTests.DebianRootStore_* (skipped there with the reason)
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        foreach (var store in new[] { bundle, "/etc/ssl/certs" })
        {
            var run = pwsh.Run("Test-CertificateChain", new() { ["Certificate"] = goDaddy, ["TrustedRoot"] = store, ["VaultPath"] = tmp.Vault, ["Client"] = "All" }).NotTerminated();
            Assert.Empty(run.Errors);
            Assert.Empty(run.Warnings);
            var result = Assert.IsType<ChainValidationResult>(Assert.Single(run.Output));
            Assert.True(result.IsValid, result.ToTreeString());
            Assert.Empty(result.Problems);
            // Go Daddy Class 2's basicConstraints is not critical, but a chain of one trusted certificate is outside OpenSSL's
            // strict checks (check_extensions: num > 1), so every client accepts it (openssl verify -x509_strict: OK).
            Assert.Empty(result.RejectedBy);
        }
    }
}
