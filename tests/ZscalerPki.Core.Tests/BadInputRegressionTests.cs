using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests;

/// <summary>The outside probe's findings (issue 11, "bad input"), each as a regression test: one clear PkiException, never another exception.</summary>
public sealed class BadInputRegressionTests
{
    [Theory]
    [InlineData("[z-a]*", "[z-a]x", true)]
    [InlineData("[a-c]ontoso", "Contoso", true)]
    [InlineData("[a-c]ontoso", "dontoso", false)]
    [InlineData("[", "[", true)]
    [InlineData("a[]b", "a[]b", true)]
    [InlineData("[^a]*", "^x", true)]
    [InlineData(@"[\]x", @"\x", true)]
    public void WildcardPatterns_NeverThrow_AndBackwardRangesMatchLiterally(string pattern, string text, bool matches) =>
        Assert.Equal(matches, new Wildcard(pattern).IsMatch(text));

    [Fact]
    public void ATemplateNameWithALoneSurrogate_IsInvalidTemplate()
    {
        using var tmp = new TempDir();
        var service = new IntermediateService(Vault.Open(tmp.Vault));
        var error = Assert.Throws<PkiException>(() => service.CreateCsr(new NewIntermediateCsrRequest
        {
            Name = "T", CommonName = "T", CertificateTemplate = "SubCA\ud800", KeyPassword = Pw.Of("pw"),
        }));
        Assert.Equal(PkiErrorIds.InvalidTemplate, error.ErrorId);
    }

    [Fact]
    public void ATenMegabyteSubject_IsInvalidSubject_WithoutEchoingIt()
    {
        using var tmp = new TempDir();
        var service = new EnrollmentService(Vault.Open(tmp.Vault));
        var error = Assert.Throws<PkiException>(() => service.Create(new NewEnrollmentRequest
        {
            Name = "Big", Subject = "CN=" + new string('x', 10_000_000), KeyPassword = Pw.Of("pw"), KeyAlgorithm = KeyAlgorithm.EcdsaP256,
        }));
        Assert.Equal(PkiErrorIds.InvalidSubject, error.ErrorId);
        Assert.True(error.Message.Length < 1000);
    }

    [Fact]
    public void ACsrAskingForANegativePathLength_IsInvalidCsr()
    {
        using var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        new EnrollmentService(vault).Create(new NewEnrollmentRequest { Name = "Root", KeyPassword = Pw.Of("pw"), KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Negative", key, HashAlgorithmName.SHA256);
        var bc = new AsnWriter(AsnEncodingRules.DER);
        using (bc.PushSequence())
        {
            bc.WriteBoolean(true);
            bc.WriteInteger(-1);
        }
        request.CertificateExtensions.Add(new X509Extension("2.5.29.19", bc.Encode(), critical: true));
        var error = Assert.Throws<PkiException>(() => new CsrSigningService(vault).SignWithVaultCa(new SignWithVaultCaRequest
        {
            Csr = IntermediateCsr.Read(request.CreateSigningRequest()), Issuer = "Root", IssuerKeyPassword = Pw.Of("pw"),
        }));
        Assert.Equal(PkiErrorIds.InvalidCsr, error.ErrorId);
    }

    [Theory]
    [InlineData("a\0b")]
    [InlineData("")]
    public void PathsNoFileSystemAccepts_AreUnreadableFiles(string path)
    {
        Assert.Equal(PkiErrorIds.CertificateFileUnreadable, Assert.Throws<PkiException>(() => CertificateReader.ReadFile(path)).ErrorId);
        Assert.Equal(PkiErrorIds.CsrFileUnreadable, Assert.Throws<PkiException>(() => IntermediateCsr.ReadFile(path)).ErrorId);
    }

    [Fact]
    public void ABundleOfMoreThanAThousandCertificates_IsInputTooLarge_Quickly()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var one = new CertificateRequest("CN=One", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var pem = string.Concat(Enumerable.Repeat(one.ExportCertificatePem() + "\n", CertificateReader.MaxCertificates + 1));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<PkiException>(() => CertificateReader.Read(System.Text.Encoding.ASCII.GetBytes(pem)));
        Assert.Equal(PkiErrorIds.InputTooLarge, error.ErrorId);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"{watch.Elapsed}");
        Assert.Equal(CertificateReader.MaxCertificates, CertificateReader.Read(System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(one.ExportCertificatePem() + "\n", CertificateReader.MaxCertificates)))).Count);
    }

    [Theory]
    [InlineData("http://pki.bücher.example/crl/ca.crl", "http://pki.xn--bcher-kva.example/crl/ca.crl")]
    [InlineData("http://pki.example.com/crl/zürich.crl", "http://pki.example.com/crl/z%C3%BCrich.crl")]
    [InlineData("http://pki.example.com/ca.crl", "http://pki.example.com/ca.crl")]
    public void NonAsciiDistributionPoints_AreWrittenAsAscii_NotAnEncoderException(string url, string written)
    {
        Assert.Equal(written, Assert.Single(Core.Authority.CaUrls.Validate(new[] { url }, aia: false)));
        var extension = Assert.Single(Core.Authority.CaUrls.Extensions(new[] { written }, Array.Empty<string>()));
        Assert.Equal("2.5.29.31", extension.Oid!.Value);
    }

    [Fact]
    public void OpenSslTrustedCertificates_AndAByteOrderMark_AreRead()
    {
        using var tmp = new TempDir();
        OpenSsl.Ok(tmp.Path, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-subj", "/CN=Trusted", "-days", "2");
        OpenSsl.Ok(tmp.Path, "x509", "-in", "c.pem", "-trustout", "-addtrust", "serverAuth", "-out", "trusted.pem");
        Assert.Contains("BEGIN TRUSTED CERTIFICATE", File.ReadAllText(tmp.File("trusted.pem")));
        var plain = Assert.Single(CertificateReader.ReadFile(tmp.File("c.pem")));
        Assert.Equal(plain.Thumbprint, Assert.Single(CertificateReader.ReadFile(tmp.File("trusted.pem"))).Thumbprint);
        var bom = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(File.ReadAllBytes(tmp.File("c.pem"))).ToArray();
        Assert.Equal(plain.Thumbprint, Assert.Single(CertificateReader.Read(bom)).Thumbprint);
    }
}
