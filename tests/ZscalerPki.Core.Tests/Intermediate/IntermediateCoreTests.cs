using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Tests.Support;

namespace ZscalerPki.Core.Tests.Intermediate;

public sealed class IntermediateCsrTests
{
    [Fact]
    public void Csr_RequestsTheCaProfile_AndReadsBackFromPemDerAndBase64()
    {
        using var key = RSA.Create(2048);
        var subject = IntermediateCsr.BuildSubject("Contoso SSL Inspection CA", "Contoso", "IT", "Seattle", "WA", "us");
        var der = IntermediateCsr.Create(subject, key, SignatureHash.Sha384, 1, "SubCA");
        var pem = new string(PemEncoding.Write("NEW CERTIFICATE REQUEST", der));
        foreach (var input in new[] { der, System.Text.Encoding.ASCII.GetBytes(pem), System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks)) })
        {
            var csr = IntermediateCsr.Read(input);
            Assert.Equal("CN=Contoso SSL Inspection CA, OU=IT, O=Contoso, L=Seattle, S=WA, C=US", csr.Subject.Name);
            Assert.True(csr.RequestsCa);
            Assert.Equal(1, csr.PathLength);
            Assert.Equal("SubCA", csr.CertificateTemplate);
            var ku = csr.Extensions.OfType<X509KeyUsageExtension>().Single();
            Assert.True(ku.Critical);
            Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, ku.KeyUsages);
            Assert.True(csr.Extensions.OfType<X509BasicConstraintsExtension>().Single().Critical);
            Assert.Single(csr.Extensions.OfType<X509SubjectKeyIdentifierExtension>());
            Assert.True(Keys.SameKey(csr.PublicKey, new PublicKey(key)));
        }
    }

    [Theory]
    [InlineData("", "CsrEmpty")]
    [InlineData("   \n", "CsrEmpty")]
    [InlineData("not a csr at all!", "InvalidCsr")]
    [InlineData("-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n", "InvalidCsr")]
    public void BadCsrInput_HasItsOwnError(string text, string errorId)
    {
        var ex = Assert.Throws<PkiException>(() => IntermediateCsr.Read(System.Text.Encoding.UTF8.GetBytes(text)));
        Assert.Equal(errorId, ex.ErrorId);
    }

    [Fact]
    public void TamperedCsr_FailsItsSignatureCheck()
    {
        using var key = RSA.Create(2048);
        var der = IntermediateCsr.Create(IntermediateCsr.BuildSubject("Tamper", null, null, null, null, null), key, SignatureHash.Sha256, 0, null);
        var i = der.AsSpan().IndexOf("Tamper"u8);
        der[i] = (byte)'D';
        Assert.Equal("CsrSignatureInvalid", Assert.Throws<PkiException>(() => IntermediateCsr.Read(der)).ErrorId);
    }

    [Theory]
    [InlineData("US", true)]
    [InlineData("de", true)]
    [InlineData("GB", true)]
    [InlineData("UK", false)]
    [InlineData("USA", false)]
    [InlineData("XX", false)]
    public void Country_IsValidatedAsIso3166(string code, bool valid)
    {
        if (valid)
            Assert.Equal(code.ToUpperInvariant(), CountryCodes.Normalize(code));
        else
            Assert.Equal("InvalidCountry", Assert.Throws<PkiException>(() => CountryCodes.Normalize(code)).ErrorId);
    }

    [Fact]
    public void CertreqArguments_AreBuiltAsOneArgumentEach()
    {
        Assert.Equal(
            new[] { "-submit", "-q", "-config", @"ca01.contoso.com\Contoso Issuing CA", "-attrib", "CertificateTemplate:SubCA", "req.csr", "cert.cer", "chain.p7b" },
            CertReqArguments.BuildSubmitArguments(@"ca01.contoso.com\Contoso Issuing CA", "SubCA", "req.csr", "cert.cer", "chain.p7b"));
        Assert.Equal(new[] { "-submit", "-q", "-config", @"h\CA", "r", "c" }, CertReqArguments.BuildSubmitArguments(@"h\CA", null, "r", "c", null));
        foreach (var bad in new[] { "", "ca01", @"\CA", @"ca01\", @"a\b\c", "ca01\\CA\"; calc" })
            Assert.Equal("InvalidConfigString", Assert.Throws<PkiException>(() => CertReqArguments.BuildSubmitArguments(bad, "SubCA", "r", "c", null)).ErrorId);
        Assert.Equal("InvalidTemplate", Assert.Throws<PkiException>(() => CertReqArguments.BuildSubmitArguments(@"h\CA", "Sub\"CA", "r", "c", null)).ErrorId);
        Assert.Equal("42", CertReqArguments.RequestId("RequestId: 42\nRequestId: \"42\""));
    }

    [Fact]
    public void RealCertreqRunner_OffWindows_FailsWithOneClearError()
    {
        // Submit-CertificateRequest refuses -ConfigString off Windows before it gets here (AdcsRequiresWindows, in Pester);
        // the runner itself, asked to run certreq.exe where there is none, names the program and where it comes from.
        if (OperatingSystem.IsWindows())
            return;
        var ex = Assert.Throws<PkiException>(() => new CertReqProcessRunner().Run("certreq.exe", new[] { "-?" }, TimeSpan.FromSeconds(5)));
        Assert.Equal("CertReqNotFound", ex.ErrorId);
        Assert.Contains("ships with Windows", ex.Message);
    }
}

/// <summary>The limit and default rules on the service, with entries seeded straight into the vault (no key work).</summary>
public sealed class IntermediateRulesTests
{
    private static readonly string CertPem = MakeCert();

    private static string MakeCert()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=seed", ec, HashAlgorithmName.SHA256);
        return CertificateReader.ToPem(req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30)));
    }

    private static void Seed(Vault vault, string name, IntermediateStatus status, bool ready, bool isDefault = false)
    {
        using (vault.Lock())
        {
            vault.Create(Collections.Intermediate, name, new IntermediateEntry
            {
                Name = name,
                CommonName = name,
                Subject = "CN=" + name,
                Status = status,
                State = ready ? IntermediateState.CertReady : IntermediateState.CsrGenDone,
                IsDefault = isDefault,
                CsrPem = "-",
                PublicKeyPem = "-",
                CertificatePem = ready ? CertPem : null,
                KeySize = 2048,
            }, encryptedKeyPem: null);
        }
    }

    [Fact]
    public void SoftwareAndHsm_AllowsEightWithFourEnabled_AndDowngradeIsRefused()
    {
        using var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        new PkiVaultService(vault).SetSubscription(Subscription.SoftwareAndHsm);
        for (var i = 0; i < 8; i++)
            Seed(vault, $"I{i}", i < 4 ? IntermediateStatus.Enabled : IntermediateStatus.Disabled, ready: true, isDefault: i == 0);
        var service = new IntermediateService(vault);

        var request = new NewIntermediateCsrRequest { Name = "I8", CommonName = "x", Status = IntermediateStatus.Disabled, KeyPassword = "pw".ToCharArray() };
        var full = Assert.Throws<PkiException>(() => service.CreateCsr(request));
        Assert.Equal("IntermediateLimitExceeded", full.ErrorId);
        Assert.Contains("at most 8", full.Message);

        var enable = Assert.Throws<PkiException>(() => service.Set(new SetIntermediateRequest { Name = "I5", Enabled = true }));
        Assert.Equal("EnabledLimitExceeded", enable.ErrorId);
        Assert.Contains("at most 4 enabled", enable.Message);

        // Moving the default: the old one is cleared, only one default remains.
        var moved = service.Set(new SetIntermediateRequest { Name = "I3", Default = true });
        Assert.True(moved.Item.IsDefault);
        Assert.Contains(moved.Information, w => w.Contains("'I0' is no longer the default", StringComparison.Ordinal));
        Assert.Equal(new[] { "I3" }, service.Get().Where(e => e.IsDefault).Select(e => e.Name));

        var downgrade = Assert.Throws<PkiException>(() => new PkiVaultService(vault).SetSubscription(Subscription.Software));
        Assert.Equal("SubscriptionLimitExceeded", downgrade.ErrorId);
        Assert.Contains("at most 2", downgrade.Message);
        Assert.Equal(Subscription.SoftwareAndHsm, vault.ReadSettings().Subscription);
        var info = new PkiVaultService(vault).Get();
        Assert.Equal((8, 4, "I3"), (info.Intermediates, info.EnabledIntermediates, info.DefaultIntermediate));
    }

    [Fact]
    public void ExportOfANotReadyIntermediate_IsRefused()
    {
        using var tmp = new TempDir();
        var vault = Vault.Open(tmp.Vault);
        Seed(vault, "fresh", IntermediateStatus.Enabled, ready: false);
        var ex = Assert.Throws<PkiException>(() => new IntermediateService(vault).ExportBundle("fresh"));
        Assert.Equal("IntermediateNotReady", ex.ErrorId);
        Assert.Contains("Import-SignedIntermediate", ex.Message);
    }
}

public sealed class CertificateChecksTests
{
    [Fact]
    public void SignatureLinks_AreVerified_ForRsaPkcs1_RsaPss_AndEcdsa()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;
        foreach (var (rootKey, generator) in new (AsymmetricAlgorithm, X509SignatureGenerator)[]
                 {
                     (rsa, X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1)),
                     (rsa, X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pss)),
                     (ec, X509SignatureGenerator.CreateForECDsa(ec)),
                 })
        {
            var rootReq = new CertificateRequest(new X500DistinguishedName("CN=Root"), Keys.PublicKeyOf(rootKey), HashAlgorithmName.SHA256);
            rootReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            var root = rootReq.Create(new X500DistinguishedName("CN=Root"), generator, now.AddDays(-1), now.AddDays(10), new byte[] { 1 });
            Assert.True(CertificateChecks.IsSelfSigned(root));
            using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var leaf = new CertificateRequest("CN=Leaf", leafKey, HashAlgorithmName.SHA256).Create(root.SubjectName, generator, now.AddDays(-1), now.AddDays(5), new byte[] { 2 });
            Assert.True(CertificateChecks.IsIssuedBy(leaf, root));
            Assert.False(CertificateChecks.IsSelfSigned(leaf));
            Assert.False(CertificateChecks.IsIssuedBy(root, leaf));
            Assert.Null(CertificateChecks.WeakSignatureAlgorithm(leaf));
            Assert.Equal("Leaf", CertificateChecks.CommonName(leaf.SubjectName));
        }
    }
}
