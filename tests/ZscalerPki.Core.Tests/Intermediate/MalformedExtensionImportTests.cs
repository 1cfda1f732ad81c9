using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Intermediate;

/// <summary>
/// Known extensions that decode but break an RFC 5280 rule: Import-SignedIntermediate refuses each with
/// CertificateExtensionInvalid naming the extension and the rule (33 of 230 such intermediates were accepted).
/// </summary>
public sealed class MalformedExtensionImportTests
{
    public static TheoryData<string, string, string, string> Cases => new()
    {
        { "3-byte iPAddress SAN", "2.5.29.17", "subjectAltName", "4.2.1.6" },
        { "nameConstraints minimum 1", "2.5.29.30", "nameConstraints", "4.2.1.10" },
        { "nameConstraints maximum", "2.5.29.30", "nameConstraints", "4.2.1.10" },
        { "mapping from anyPolicy", "2.5.29.33", "policyMappings", "4.2.1.5" },
        { "mapping to anyPolicy", "2.5.29.33", "policyMappings", "4.2.1.5" },
        { "empty CDP", "2.5.29.31", "cRLDistributionPoints", "4.2.1.13" },
        { "CDP with an empty DistributionPoint", "2.5.29.31", "cRLDistributionPoints", "4.2.1.13" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AnIntermediateWithABrokenKnownExtension_IsCertificateExtensionInvalid(string damage, string oid, string name, string section)
    {
        using var tmp = new TempDir();
        var service = new IntermediateService(Vault.Open(tmp.Vault));
        var csr = service.CreateCsr(new NewIntermediateCsrRequest { Name = "Pending", CommonName = "Malformed Extension CA", KeyPassword = Pw.Of("pw") }).Item;
        var request = IntermediateCsr.Read(System.Text.Encoding.ASCII.GetBytes(csr.Csr));
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Malformed Extension Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var root = rootRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(2));

        var signed = new CertificateRequest(request.Subject, request.PublicKey, HashAlgorithmName.SHA256);
        signed.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        signed.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        signed.CertificateExtensions.Add(new X509Extension(oid, Extension(damage), critical: false));
        using var certificate = signed.Create(root.SubjectName, X509SignatureGenerator.CreateForECDsa(rootKey), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), new byte[] { 7, 7, 7 });

        var error = Assert.Throws<PkiException>(() => service.Import(new ImportSignedIntermediateRequest
        {
            Name = "Pending", Certificates = new[] { certificate }, Chain = new[] { root },
        }));
        Assert.Equal(PkiErrorIds.CertificateExtensionInvalid, error.ErrorId);
        Assert.Contains(name, error.Message);
        Assert.Contains("RFC 5280 " + section, error.Message);
        Assert.Contains("'Pending' is unchanged", error.Message);
    }

    private static byte[] Extension(string damage)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        switch (damage)
        {
            case "3-byte iPAddress SAN":
                using (w.PushSequence())
                    w.WriteOctetString(new byte[] { 10, 0, 1 }, new Asn1Tag(TagClass.ContextSpecific, 7));
                break;
            case "nameConstraints minimum 1":
            case "nameConstraints maximum":
                using (w.PushSequence())
                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
                using (w.PushSequence())
                {
                    w.WriteCharacterString(UniversalTagNumber.IA5String, "example.com", new Asn1Tag(TagClass.ContextSpecific, 2));
                    if (damage.EndsWith("minimum 1", StringComparison.Ordinal))
                        w.WriteInteger(1, new Asn1Tag(TagClass.ContextSpecific, 0));
                    else
                        w.WriteInteger(3, new Asn1Tag(TagClass.ContextSpecific, 1));
                }
                break;
            case "mapping from anyPolicy":
            case "mapping to anyPolicy":
                using (w.PushSequence())
                using (w.PushSequence())
                {
                    var from = damage.Contains("from", StringComparison.Ordinal);
                    w.WriteObjectIdentifier(from ? "2.5.29.32.0" : "1.3.6.1.4.1.99999.1");
                    w.WriteObjectIdentifier(from ? "1.3.6.1.4.1.99999.1" : "2.5.29.32.0");
                }
                break;
            case "empty CDP":
                w.PushSequence();
                w.PopSequence();
                break;
            case "CDP with an empty DistributionPoint":
                using (w.PushSequence())
                {
                    w.PushSequence();
                    w.PopSequence();
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage));
        }
        return w.Encode();
    }
}
