using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Inspection;

/// <summary>
/// One vault per test class: an enrollment root (path length 2), an SSL-inspection intermediate "Inspection" (path length 1,
/// signed by the root, default), an enrollment CA "Short" (30 days) and "NoRoom" (path length 0); plus origin certificates
/// made by a separate "public" CA, the way a captured site certificate looks.
/// </summary>
public sealed class InspectionFixture : IDisposable
{
    public static readonly ReadOnlyMemory<char> Password = Pw.Of("Inspect10n pass!");

    public InspectionFixture()
    {
        Tmp = new TempDir();
        Vault = Vault.Open(Tmp.Vault);
        var enrollment = new EnrollmentService(Vault);
        Root = enrollment.Create(new NewEnrollmentRequest { Name = "Root", Subject = "CN=Contoso Inspection Root, O=Contoso", KeyPassword = Password, PathLength = 2 }).Item.Certificate;
        enrollment.Create(new NewEnrollmentRequest { Name = "Short", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), ValidityDays = 30, KeyAlgorithm = KeyAlgorithm.EcdsaP256, KeyPassword = Password, Subject = "CN=Contoso Short CA" });
        enrollment.Create(new NewEnrollmentRequest { Name = "NoRoom", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), PathLength = 0, KeyPassword = Password, Subject = "CN=Contoso NoRoom CA" });

        var intermediates = new IntermediateService(Vault);
        var csr = intermediates.CreateCsr(new NewIntermediateCsrRequest { Name = "Inspection", CommonName = "Contoso SSL Inspection CA", Organization = "Contoso", Country = "US", PathLength = 1, KeyPassword = Password }).Item;
        var signed = new CsrSigningService(Vault).SignWithVaultCa(new SignWithVaultCaRequest
        {
            Csr = IntermediateCsr.Read(System.Text.Encoding.ASCII.GetBytes(csr.Csr)),
            Issuer = "Root",
            IssuerKeyPassword = Password,
            ValidityDays = 1000,
        }).Item;
        Intermediate = intermediates.Import(new ImportSignedIntermediateRequest { Name = "Inspection", Certificates = new[] { signed.Certificate }, Chain = new[] { Root } }).Item.Certificate!;
        RootPem = Tmp.File("root.pem");
        File.WriteAllText(RootPem, CertificateReader.ToPem(Root));

        PublicCaKey = RSA.Create(2048);
        var req = new CertificateRequest("CN=Public Web CA, O=Somewhere", PublicCaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        PublicCa = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddYears(10));
    }

    public TempDir Tmp { get; }
    public Vault Vault { get; }
    public X509Certificate2 Root { get; }
    public X509Certificate2 Intermediate { get; }
    public string RootPem { get; }
    public RSA PublicCaKey { get; }
    public X509Certificate2 PublicCa { get; }

    /// <summary>
    /// A site certificate as a public CA would issue it, with what must NOT be copied: SCTs, an unknown critical extension,
    /// OCSP must-staple, the public CA's CDP/AIA.
    /// </summary>
    public X509Certificate2 Origin(string subject, string[] dns, string[]? ips = null, bool ecdsa = false, DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null, bool ca = false, bool noSan = false)
    {
        AsymmetricAlgorithm key = ecdsa ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        var req = key is RSA rsa
            ? new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(ca ? X509KeyUsageFlags.KeyCertSign : X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2") }, false));
        if (!noSan)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var d in dns)
                san.AddDnsName(d);
            foreach (var ip in ips ?? Array.Empty<string>())
                san.AddIpAddress(IPAddress.Parse(ip));
            req.CertificateExtensions.Add(san.Build());
        }
        req.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.11129.2.4.2", new byte[] { 0x04, 0x03, 0x00, 0x01, 0x00 }, false)); // SCT list
        req.CertificateExtensions.Add(new X509Extension("1.2.3.4.5.6.7", new byte[] { 0x05, 0x00 }, true)); // unknown critical
        req.CertificateExtensions.Add(new X509Extension("1.3.6.1.5.5.7.1.24", new byte[] { 0x30, 0x03, 0x02, 0x01, 0x05 }, false)); // must-staple
        req.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(new[] { "http://crl.public.example/ca.crl" }));
        var nb = notBefore ?? DateTimeOffset.UtcNow.AddDays(-30);
        var na = notAfter ?? DateTimeOffset.UtcNow.AddDays(300);
        return req.Create(PublicCa.SubjectName, X509SignatureGenerator.CreateForRSA(PublicCaKey, RSASignaturePadding.Pkcs1), nb, na, Keys.NewSerialNumber());
    }

    private readonly List<ForgingSession> _sessions = new();

    /// <summary>A service on this fixture's vault; without <paramref name="session"/> in a new session (as a new PowerShell session would).</summary>
    public InspectionService Service(IIssuerPublicationSource? publication = null, IIssuanceRecorder? recorder = null, ForgingSession? session = null) =>
        new(Vault, session ?? NewSession(), publication, recorder);

    /// <summary>A session disposed with the fixture (its opened issuers hold keys).</summary>
    public ForgingSession NewSession()
    {
        var session = new ForgingSession();
        lock (_sessions)
            _sessions.Add(session);
        return session;
    }

    public void Dispose()
    {
        lock (_sessions)
            _sessions.ForEach(s => s.Dispose());
        PublicCaKey.Dispose();
        Tmp.Dispose();
    }
}

/// <summary>Counts what the issuance hook was told.</summary>
public sealed class CountingRecorder : IIssuanceRecorder
{
    public List<IssuanceRecord> Records { get; } = new();

    public void Record(IssuanceRecord record)
    {
        lock (Records)
            Records.Add(record);
    }
}

public sealed class FixedPublication : IIssuerPublicationSource
{
    public IssuerPublication GetPublication(IssuerReference issuer) => new()
    {
        CrlDistributionPoints = new[] { $"http://pki.contoso.example/{issuer.Name}{(issuer.IsRotating ? "-t" : "")}.crl" },
        CaIssuersUrls = new[] { $"http://pki.contoso.example/{issuer.Name}.cer" },
    };
}
