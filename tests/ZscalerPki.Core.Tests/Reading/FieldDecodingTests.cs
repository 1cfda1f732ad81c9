using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Tests.Support;
using ZscalerPki.Robustness;

namespace ZscalerPki.Core.Tests.Reading;

/// <summary>
/// A certificate or CSR whose outer structure is intact and one field is damaged is refused where it is read, naming the
/// input and the field, never later as a bare CryptographicException from a lazy getter ("ASN1 corrupted data").
/// </summary>
public sealed class FieldDecodingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly byte[] Seed = MakeSeed();

    private static byte[] MakeSeed()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Field Seed, O=Contoso", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return cert.RawData;
    }

    public static TheoryData<string> CertificateDamages()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in FieldDamage.Certificates(Seed))
            data.Add(name);
        return data;
    }

    /// <summary>What the commands do with a certificate after reading it: each getter that used to throw later.</summary>
    private static void UseEveryField(X509Certificate2 c)
    {
        _ = c.NotAfter; _ = c.NotBefore; _ = c.SubjectName.Name; _ = c.IssuerName.Name; _ = c.SerialNumber; _ = c.PublicKey.Oid.Value;
        foreach (var e in c.Extensions)
        {
            switch (e)
            {
                case X509BasicConstraintsExtension bc: _ = bc.CertificateAuthority; _ = bc.PathLengthConstraint; break;
                case X509KeyUsageExtension ku: _ = ku.KeyUsages; break;
                case X509EnhancedKeyUsageExtension eku: _ = eku.EnhancedKeyUsages.Count; break;
                case X509SubjectKeyIdentifierExtension ski: _ = ski.SubjectKeyIdentifier; break;
                case X509AuthorityKeyIdentifierExtension aki: _ = aki.KeyIdentifier; _ = aki.NamedIssuer; _ = aki.SerialNumber; break;
                case X509SubjectAlternativeNameExtension san: _ = san.EnumerateDnsNames().Count(); break;
            }
        }
    }

    [Theory]
    [MemberData(nameof(CertificateDamages))]
    public void ADamagedField_IsRefusedWhenRead_NamingTheFileAndField_OrIsUsable(string damage)
    {
        using var tmp = new TempDir();
        var der = FieldDamage.Certificates(Seed).Single(d => d.Name == damage).Der;
        var path = tmp.File("damaged.cer");
        File.WriteAllBytes(path, der);
        IReadOnlyList<X509Certificate2> read;
        try
        {
            read = CertificateReader.ReadFile(path);
        }
        catch (PkiException ex)
        {
            output.WriteLine($"{ex.ErrorId}: {ex.Message}");
            Assert.Contains(ex.ErrorId, new[] { PkiErrorIds.InvalidCertificateData, PkiErrorIds.CertificateExtensionInvalid });
            Assert.Contains(path, ex.Message);
            // Refused by the platform's own parser (the constructor) or named with its field.
            if (!ex.Message.Contains("platform could not parse", StringComparison.Ordinal))
                Assert.Contains(damage.Split(':')[0].Split(' ')[0], ex.Message);
            return;
        }
        output.WriteLine("accepted");
        UseEveryField(read[0]);
    }

    [Theory]
    [InlineData("validity: UTCTime with letters", "validity")]
    [InlineData("basicConstraints: cA is an OCTET STRING", "basicConstraints")]
    [InlineData("authorityKeyIdentifier: keyIdentifier overruns", "authorityKeyIdentifier")]
    [InlineData("cRLDistributionPoints: empty", "cRLDistributionPoints")]
    public void ACertificateInABundle_IsNamedByItsPlace(string damage, string field)
    {
        var der = FieldDamage.Certificates(Seed).Single(d => d.Name == damage).Der;
        var bundle = MalformedInputs.ToPem("CERTIFICATE", Seed) + MalformedInputs.ToPem("CERTIFICATE", der);
        var ex = Assert.Throws<PkiException>(() => CertificateReader.Read(Encoding.ASCII.GetBytes(bundle), "the file 'chain.pem'"));
        Assert.Contains("certificate #2 in the file 'chain.pem'", ex.Message);
        Assert.Contains(field, ex.Message);
    }

    public static TheoryData<string> RequestDamages()
    {
        var data = new TheoryData<string>();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        foreach (var (name, _) in FieldDamage.Requests(key, "Csr Seed"))
            data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(RequestDamages))]
    public void ACsrWithADamagedField_IsInvalidCsrNamingTheField_OrIsUsable(string damage)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = FieldDamage.Requests(key, "Csr Seed").Single(d => d.Name == damage).Der;
        CsrInfo csr;
        try
        {
            csr = IntermediateCsr.Read(der, "the file 'x.csr'");
        }
        catch (PkiException ex)
        {
            output.WriteLine($"{ex.ErrorId}: {ex.Message}");
            Assert.Contains(ex.ErrorId, new[] { PkiErrorIds.InvalidCsr, PkiErrorIds.UnsupportedPublicKey, PkiErrorIds.WeakPublicKey });
            Assert.Contains("'x.csr'", ex.Message);
            return;
        }
        output.WriteLine("accepted");
        _ = csr.Subject.Name;
        _ = csr.RequestsCa;
        foreach (var e in csr.Extensions)
        {
            if (e is X509BasicConstraintsExtension bc)
                _ = bc.PathLengthConstraint;
        }
    }
}
