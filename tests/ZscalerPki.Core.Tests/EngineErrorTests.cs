using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Tests;

/// <summary>
/// Failures the cmdlets' own parameter validation keeps users from reaching (so Pester cannot), but that the public
/// engine API must still report with their catalogued ErrorIds: scripts and other hosts call the engine directly.
/// </summary>
public sealed class EngineErrorTests
{
    private static readonly ReadOnlyMemory<char> Password = "engine-errors".AsMemory();

    private static string Id(Action action) => Assert.Throws<PkiException>(action).ErrorId;

    [Fact]
    public void EnrollmentRequests_OutOfRange_AreRefused_AndTheVaultStaysEmpty()
    {
        using var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        var service = new EnrollmentService(vault);
        Assert.Equal(PkiErrorIds.InvalidPathLength, Id(() => service.Create(new NewEnrollmentRequest { Name = "A", PathLength = -1, KeyPassword = Password })));
        Assert.Equal(PkiErrorIds.InvalidValidity, Id(() => service.Create(new NewEnrollmentRequest { Name = "A", ValidityDays = 0, KeyPassword = Password })));
        Assert.Equal(PkiErrorIds.KeyPasswordRequired, Id(() => service.Create(new NewEnrollmentRequest { Name = "A" })));
        Assert.Empty(service.Get(null, null, null));
    }

    [Fact]
    public void CsrRequests_OutOfRange_AreRefused()
    {
        using var tmp = new TempDir();
        var service = new IntermediateService(Vault.Open(tmp.Vault));
        Assert.Equal(PkiErrorIds.InvalidKeySize, Id(() => service.CreateCsr(new NewIntermediateCsrRequest { Name = "I", CommonName = "I", KeySize = 1024, KeyPassword = Password })));
        Assert.Equal(PkiErrorIds.InvalidPathLength, Id(() => service.CreateCsr(new NewIntermediateCsrRequest { Name = "I", CommonName = "I", PathLength = 5, KeyPassword = Password })));
    }

    [Fact]
    public void KeysOtherThanRsaAndEcdsa_AreUnsupported()
    {
        using var dsa = DSA.Create(2048);
        Assert.Equal(PkiErrorIds.UnsupportedKey, Id(() => Keys.SignatureGenerator(dsa)));
        Assert.Equal(PkiErrorIds.UnsupportedKey, Id(() => Keys.PublicKeyOf(dsa)));
    }

    [Fact]
    public void FilesThatCannotBeRead_NameTheFile()
    {
        using var tmp = new TempDir();
        // A folder where a file is expected: the read itself fails (not "does not exist").
        var folder = tmp.File("a-folder.pem");
        Directory.CreateDirectory(folder);
        var cert = Assert.Throws<PkiException>(() => CertificateReader.ReadFile(folder));
        Assert.Equal(PkiErrorIds.CertificateFileUnreadable, cert.ErrorId);
        Assert.Equal(folder, cert.Target);
        Assert.Equal(PkiErrorIds.CsrFileUnreadable, Id(() => IntermediateCsr.ReadFile(folder)));
        Assert.Equal(PkiErrorIds.FileReadFailed, Id(() => ValidationInput.ReadCrlFile(folder)));
    }

    [Fact]
    public void ABundle_WhereOneCertificateIsExpected_SaysHowMany()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=One", key, HashAlgorithmName.SHA256);
        var one = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var pem = one.ExportCertificatePem() + "\n" + one.ExportCertificatePem();
        var error = Assert.Throws<PkiException>(() => CertificateReader.ReadSingle(System.Text.Encoding.ASCII.GetBytes(pem)));
        Assert.Equal(PkiErrorIds.MultipleCertificates, error.ErrorId);
        Assert.Contains("2 certificates", error.Message);
    }

    [Fact]
    public void CertReq_ThatCannotStart_OrHangs_IsReportedAndKilled()
    {
        var runner = new CertReqProcessRunner();
        Assert.Equal(PkiErrorIds.CertReqNotFound, Id(() => runner.Run("/nonexistent/certreq.exe", Array.Empty<string>(), TimeSpan.FromSeconds(5))));
        if (OperatingSystem.IsWindows())
            return;
        var started = DateTime.UtcNow;
        Assert.Equal(PkiErrorIds.AdcsTimeout, Id(() => runner.Run("sleep", new[] { "30" }, TimeSpan.FromMilliseconds(300))));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the hung process was not killed at the timeout");
    }
}
