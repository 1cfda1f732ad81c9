using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Inspection;

namespace ZscalerPki.Core.Tests.Inspection;

/// <summary>
/// Real TLS clients against a loopback server that presents, for the SNI name asked for, the certificate New-InspectionCertificate
/// forges and its chain: OpenSSL s_client, curl, .NET SslStream and Python's ssl accept it with only the root trusted, and
/// reject it with another root or another name.
/// </summary>
[Collection("Inspection")]
public sealed class InspectionTlsTests : IClassFixture<InspectionFixture>, IAsyncLifetime
{
    private const string Host = "www.contoso-inspected.example";
    private readonly InspectionFixture _f;
    private readonly TempDir _tmp = new();
    private LoopbackTlsServer _server = null!;
    private InspectionCertificate _forged = null!;

    public InspectionTlsTests(InspectionFixture f) => _f = f;

    private string OtherRootPem => _tmp.File("other-root.pem");

    public Task InitializeAsync()
    {
        var origin = _f.Origin("CN=" + Host + ", O=Contoso Inspected", new[] { Host, "*.cdn.contoso-inspected.example" }, new[] { "127.0.0.1" });
        var service = _f.Service();
        _forged = service.Forge(new ForgeRequest { Site = SiteProfile.FromOrigin(origin), IssuerKeyPassword = InspectionFixture.Password, IncludePrivateKey = true, RotatingIssuer = true }).Item;
        // Names under proxy-forged.example are forged on the fly from the SNI name (per-site cache), as a proxy does; every
        // other name (and no SNI) gets the contoso-inspected certificate, so a client asking for another name sees a mismatch.
        _server = new LoopbackTlsServer(name =>
        {
            var forged = !name.EndsWith(".proxy-forged.example", StringComparison.Ordinal)
                ? _forged
                : service.Forge(new ForgeRequest { Site = SiteProfile.FromNames(new[] { name }, null), IssuerKeyPassword = InspectionFixture.Password, IncludePrivateKey = true }).Item;
            return LoopbackTlsServer.Context(forged.Certificate, forged.Chain.Where(c => c.Subject != c.Issuer));
        });
        using var otherKey = RSA.Create(2048);
        var req = new CertificateRequest("CN=Contoso Inspection Root", otherKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1); // same name, other key
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        File.WriteAllText(OtherRootPem, CertificateReader.ToPem(req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1))));

        if (Environment.GetEnvironmentVariable("ZSCALERPKI_ARTIFACTS") is { Length: > 0 } artifacts)
        {
            Directory.CreateDirectory(artifacts);
            File.WriteAllText(Path.Combine(artifacts, "forged.pem"), CertificateReader.ToPem(_forged.Certificate));
            File.WriteAllText(Path.Combine(artifacts, "forged-chain.pem"),
                CertificateReader.ToPem(_forged.Certificate) + string.Concat(_forged.Chain.Select(CertificateReader.ToPem))); // leaf first, root last
        }
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _tmp.Dispose();
    }

    [Fact]
    public void ArtifactChain_IsLeafFirstRootLast()
    {
        Assert.Equal(3, _forged.Chain.Length);
        Assert.Equal(_forged.Issuer, _forged.Chain[0].Subject);
        Assert.Equal(_f.Root.Thumbprint, _forged.Chain[^1].Thumbprint);
    }

    [Fact]
    public void OpenSslSClient_AcceptsWithTheRootOnly_RejectsAnotherRootOrName()
    {
        var ok = OpenSsl.Run(_tmp.Path, "s_client", "-connect", $"127.0.0.1:{_server.Port}", "-servername", Host, "-verify_return_error",
            "-verify_hostname", Host, "-CAfile", _f.RootPem, "-showcerts");
        Assert.True(ok.ExitCode == 0, ok.All);
        Assert.Contains("Verify return code: 0 (ok)", ok.All);
        Assert.Contains("(t)", ok.All); // the rotating CA is in the chain presented

        var otherRoot = OpenSsl.Run(_tmp.Path, "s_client", "-connect", $"127.0.0.1:{_server.Port}", "-servername", Host, "-verify_return_error",
            "-verify_hostname", Host, "-CAfile", OtherRootPem);
        Assert.NotEqual(0, otherRoot.ExitCode);

        var wrongName = OpenSsl.Run(_tmp.Path, "s_client", "-connect", $"127.0.0.1:{_server.Port}", "-servername", Host, "-verify_return_error",
            "-verify_hostname", "www.fabrikam.example", "-CAfile", _f.RootPem);
        Assert.NotEqual(0, wrongName.ExitCode);
        Assert.Contains("hostname mismatch", wrongName.All);
    }

    [Fact]
    public void Curl_AcceptsWithTheRootOnly_RejectsAnotherRootOrName()
    {
        if (!Tool.Exists("curl"))
            return; // curl is in .ci/run's apt list; a machine without it skips this client
        var url = $"https://{Host}:{_server.Port}/";
        var resolve = $"{Host}:{_server.Port}:127.0.0.1";
        var ok = Tool.Run("curl", "-sS", "--max-time", "20", "--cacert", _f.RootPem, "--resolve", resolve, url);
        Assert.True(ok.ExitCode == 0, ok.All);
        Assert.Contains(LoopbackTlsServer.Body, ok.StdOut);

        Assert.Equal(60, Tool.Run("curl", "-sS", "--max-time", "20", "--cacert", OtherRootPem, "--resolve", resolve, url).ExitCode);
        var wrong = Tool.Run("curl", "-sS", "--max-time", "20", "--cacert", _f.RootPem, "--resolve", $"www.fabrikam.example:{_server.Port}:127.0.0.1", $"https://www.fabrikam.example:{_server.Port}/");
        Assert.Equal(60, wrong.ExitCode);
        Assert.Contains("www.fabrikam.example", wrong.StdErr);
        var onTheFly = Tool.Run("curl", "-sS", "--max-time", "20", "--cacert", _f.RootPem, "--resolve", $"shop.proxy-forged.example:{_server.Port}:127.0.0.1", $"https://shop.proxy-forged.example:{_server.Port}/");
        Assert.True(onTheFly.ExitCode == 0, onTheFly.All);
        var ip = Tool.Run("curl", "-sS", "--max-time", "20", "--cacert", _f.RootPem, $"https://127.0.0.1:{_server.Port}/");
        Assert.True(ip.ExitCode == 0, ip.All); // IP SAN copied from the origin
    }

    [Fact]
    public async Task DotNetSslStream_WithCustomRootTrust_AcceptsOnlyWithTheRootAndTheName()
    {
        Assert.Equal(SslPolicyErrors.None, await DotNetHandshake(Host, _f.Root));
        Assert.Equal(SslPolicyErrors.None, await DotNetHandshake("eu.cdn.contoso-inspected.example", _f.Root)); // wildcard SAN
        Assert.Equal(SslPolicyErrors.None, await DotNetHandshake("api.proxy-forged.example", _f.Root)); // forged for the SNI name
        var other = X509Certificate2.CreateFromPem(File.ReadAllText(OtherRootPem));
        Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, await DotNetHandshake(Host, other));
        Assert.Equal(SslPolicyErrors.RemoteCertificateNameMismatch, await DotNetHandshake("www.fabrikam.example", _f.Root));
        Assert.Contains("api.proxy-forged.example", _server.RequestedNames);
    }

    [Fact]
    public void PythonSsl_AcceptsWithTheRootOnly_RejectsAnotherRootOrName()
    {
        if (!Tool.Exists("python3"))
            return;
        const string script = """
            import socket, ssl, sys
            port, cafile, sni, check = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
            ctx = ssl.create_default_context(cafile=cafile)
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                    with ctx.wrap_socket(s, server_hostname=check) as t:
                        print("OK", t.version())
            except ssl.SSLCertVerificationError as e:
                print("REJECTED", e.verify_message); sys.exit(3)
            """;
        File.WriteAllText(_tmp.File("client.py"), script.Replace("\r", string.Empty));
        var ok = Tool.Run("python3", _tmp.File("client.py"), _server.Port.ToString(), _f.RootPem, Host, Host);
        Assert.True(ok.ExitCode == 0, ok.All);
        Assert.Equal(3, Tool.Run("python3", _tmp.File("client.py"), _server.Port.ToString(), OtherRootPem, Host, Host).ExitCode);
        var wrong = Tool.Run("python3", _tmp.File("client.py"), _server.Port.ToString(), _f.RootPem, "www.fabrikam.example", "www.fabrikam.example");
        Assert.Equal(3, wrong.ExitCode);
        Assert.Contains("Hostname mismatch", wrong.StdOut);
    }

    [Fact]
    public void GnuTlsCli_AcceptsWithTheRootOnly_WhenInstalled()
    {
        if (!Tool.Exists("gnutls-cli"))
            return; // apt package gnutls-bin
        var ok = Tool.Run("gnutls-cli", "--x509cafile", _f.RootPem, "--port", _server.Port.ToString(), "--sni-hostname", Host, "--verify-hostname", Host, "127.0.0.1");
        Assert.True(ok.ExitCode == 0, ok.All);
        Assert.NotEqual(0, Tool.Run("gnutls-cli", "--x509cafile", OtherRootPem, "--port", _server.Port.ToString(), "--sni-hostname", Host, "--verify-hostname", Host, "127.0.0.1").ExitCode);
        Assert.NotEqual(0, Tool.Run("gnutls-cli", "--x509cafile", _f.RootPem, "--port", _server.Port.ToString(), "--sni-hostname", Host, "--verify-hostname", "www.fabrikam.example", "127.0.0.1").ExitCode);
    }

    private async Task<SslPolicyErrors> DotNetHandshake(string host, X509Certificate2 trustedRoot)
    {
        using var tcp = new TcpClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await tcp.ConnectAsync("127.0.0.1", _server.Port, cts.Token);
        var seen = SslPolicyErrors.None;
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, errors) =>
        {
            seen = errors;
            return true; // record the verdict; the test asserts it
        });
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(trustedRoot);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host, CertificateChainPolicy = policy }, cts.Token);
        return seen;
    }
}

/// <summary>External TLS clients, bounded by a timeout (the shared <see cref="ExternalTool"/>).</summary>
internal static class Tool
{
    public static bool Exists(string name) => ExternalTool.Exists(name);

    public static OpenSsl.Result Run(string file, params string[] args) => ExternalTool.Run(file, args, timeoutSeconds: 30);
}
