using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Intermediate;

/// <summary>
/// Submit-CertificateRequest -ConfigString runs certreq.exe, which exists on Windows only: here a stand-in process runner,
/// passed through <see cref="AdcsClient"/>'s constructor, plays it (certreq's own output lines and files), so the command
/// line, the reading of its files and each failure's error are tested on every platform.
/// </summary>
public sealed class AdcsClientTests
{
    private const string Config = @"ca01.contoso.com\Contoso Issuing CA";

    private static (TempDir Tmp, CsrInfo Csr) NewCsr()
    {
        var tmp = new TempDir();
        var item = new IntermediateService(Vault.Open(tmp.Vault)).CreateCsr(new NewIntermediateCsrRequest
        {
            Name = "Inspection", CommonName = "Contoso SSL Inspection CA", Organization = "Contoso Ltd", KeyPassword = Pw.Of("Adcs-passw0rd"),
        }).Item;
        return (tmp, IntermediateCsr.Read(Encoding.ASCII.GetBytes(item.Csr)));
    }

    [Fact]
    public void Issued_CertificateAndChainAreRead_FromTheFilesCertreqWrote()
    {
        var (tmp, csr) = NewCsr();
        using var _ = tmp;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Contoso Issuing CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
        var runner = new FakeCertReq((args, _) =>
        {
            var leaf = new CertificateRequest(csr.Subject, csr.PublicKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            leaf.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            using var issued = leaf.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1), new byte[] { 1, 2, 3 });
            File.WriteAllText(args[^2], Convert.ToBase64String(issued.RawData, Base64FormattingOptions.InsertLineBreaks));
            File.WriteAllText(tmp.File("ca.pem"), ca.ExportCertificatePem());
            OpenSsl.Ok(tmp.Path, "crl2pkcs7", "-nocrl", "-certfile", "ca.pem", "-outform", "DER", "-out", args[^1]);
            return new ProcessResult(0, "RequestId: 42\nRequestId: \"42\"\nCertificate retrieved(Issued) Issued\n", string.Empty);
        });

        var result = new AdcsClient(runner).Submit(csr, Config, "SubCA");

        Assert.Equal("42", result.RequestId);
        Assert.Equal(csr.Subject.Name, result.Certificate.Subject);
        Assert.Equal("CN=Contoso Issuing CA", Assert.Single(result.Chain).Subject);
        var call = Assert.Single(runner.Calls);
        Assert.Equal("certreq.exe", call.File);
        Assert.Equal(new[] { "-submit", "-q", "-config", Config, "-attrib", "CertificateTemplate:SubCA" }, call.Args.Take(6));
        Assert.EndsWith("request.csr", call.Args[6]);
        Assert.Contains("CERTIFICATE REQUEST", call.CsrText);
    }

    [Theory]
    [InlineData(0, "RequestId: 43\nRequestId: \"43\"\nCertificate request is pending: Taken Under Submission (0)\n", "", PkiErrorIds.AdcsRequestPending)]
    [InlineData(unchecked((int)0x80094012), "RequestId: 44\nCertificate not issued (Denied) Denied by Policy Module 0x80094800, The request was for a certificate template that is not supported by the AD CS server.\n", "", PkiErrorIds.AdcsRequestDenied)]
    [InlineData(unchecked((int)0x800706BA), "", "Certificate Request Processor: The RPC server is unavailable. 0x800706ba\n", PkiErrorIds.AdcsSubmitFailed)]
    [InlineData(0, "RequestId: 45\n", "", PkiErrorIds.AdcsSubmitFailed)]
    public void Failures_AreEachTheirOwnError(int exitCode, string stdout, string stderr, string errorId)
    {
        var (tmp, csr) = NewCsr();
        using var _ = tmp;
        var ex = Assert.Throws<PkiException>(() => new AdcsClient(new FakeCertReq((_, _) => new ProcessResult(exitCode, stdout, stderr))).Submit(csr, Config, "SubCA"));
        Assert.Equal(errorId, ex.ErrorId);
    }

    /// <summary>Stands in for certreq.exe and records how it was called.</summary>
    private sealed class FakeCertReq(Func<IReadOnlyList<string>, string, ProcessResult> behave) : IProcessRunner
    {
        public List<(string File, IReadOnlyList<string> Args, string CsrText)> Calls { get; } = new();

        public ProcessResult Run(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout)
        {
            var csr = File.ReadAllText(arguments[6]);
            Calls.Add((fileName, arguments, csr));
            return behave(arguments, csr);
        }
    }
}
