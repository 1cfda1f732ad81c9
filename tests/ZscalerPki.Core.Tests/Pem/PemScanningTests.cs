using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Tests.Validation;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Tests.Pem;

/// <summary>Issue 11, section 1: PEM scanning is linear (BEGIN lines without END took 1.9 s at 0.8 MB, minutes at 10 MB).</summary>
public class PemScanningTests
{
    private static string BeginLinesWithoutEnd(int bytes)
    {
        const string line = "-----BEGIN CERTIFICATE-----\nMIIB\n";
        var builder = new StringBuilder(bytes + line.Length);
        while (builder.Length < bytes)
        {
            builder.Append(line);
        }
        return builder.ToString();
    }

    [Fact]
    public void TenMegabytesOfBeginLinesWithoutEnd_FailsCleanly_WellUnderASecond()
    {
        var data = Encoding.ASCII.GetBytes(BeginLinesWithoutEnd(10 * 1024 * 1024));
        var stopwatch = Stopwatch.StartNew();
        var ex = Assert.Throws<PkiException>(() => CertificateReader.Read(data));
        stopwatch.Stop();
        Assert.Equal(PkiErrorIds.InvalidCertificateData, ex.ErrorId);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromMilliseconds(750), $"10 MB took {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void TenMegabytesOfBeginLinesWithoutEnd_CrlReader_FailsCleanly_WellUnderASecond()
    {
        var data = Encoding.ASCII.GetBytes(BeginLinesWithoutEnd(10 * 1024 * 1024).Replace("CERTIFICATE", "X509 CRL"));
        var stopwatch = Stopwatch.StartNew();
        var ex = Assert.Throws<PkiException>(() => ValidationInput.ReadCrls(data));
        stopwatch.Stop();
        Assert.Equal(PkiErrorIds.CrlParseFailed, ex.ErrorId);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromMilliseconds(750), $"10 MB took {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void ManyBeginLinesWithEndLinesThatNeverMatch_IsLinearToo()
    {
        // Every BEGIN is followed by an END of another label: each candidate block is refused, and the scan goes on.
        var builder = new StringBuilder();
        while (builder.Length < 4 * 1024 * 1024)
        {
            builder.Append("-----BEGIN CERTIFICATE-----\nMIIB\n-----END OTHER-----\n");
        }
        var data = Encoding.ASCII.GetBytes(builder.ToString());
        var stopwatch = Stopwatch.StartNew();
        Assert.Throws<PkiException>(() => CertificateReader.Read(data));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromMilliseconds(750), $"4 MB took {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void BlocksAfterJunkAndDanglingBeginLines_AreStillFound()
    {
        using var root = TestCa.CreateRoot("CN=Pem Root");
        var leaf = root.IssueLeaf("pem.example");
        var text = "junk\n-----BEGIN CERTIFICATE-----\nnot closed\n" + CertificateReader.ToPem(root.Certificate)
            + "-----BEGIN CERTIFICATE-----\n" + CertificateReader.ToPem(leaf) + "trailer\n";
        var certificates = CertificateReader.ReadText(text);
        Assert.Equal(2, certificates.Count);
        Assert.Equal(root.Certificate.Thumbprint, certificates[0].Thumbprint);
        Assert.Equal(leaf.Thumbprint, certificates[1].Thumbprint);
    }

    [Fact]
    public void Scanner_ReportsTheSameFieldsAsDotNet()
    {
        var pem = "prefix\n" + new string(PemEncoding.Write("CERTIFICATE", new byte[] { 1, 2, 3, 4, 5 })) + "\nsuffix";
        Assert.True(PemScanner.TryFind(pem, out var ours));
        Assert.True(PemEncoding.TryFind(pem, out var theirs));
        Assert.Equal(theirs.Location, ours.Location);
        Assert.Equal(theirs.Label, ours.Label);
        Assert.Equal(theirs.Base64Data, ours.Base64Data);
        Assert.Equal(theirs.DecodedDataLength, ours.DecodedDataLength);
        Assert.False(PemScanner.TryFind("-----BEGIN CERTIFICATE-----\nAAAA\n", out _));
    }
}
