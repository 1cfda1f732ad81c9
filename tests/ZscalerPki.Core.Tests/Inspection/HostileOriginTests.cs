using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Xunit.Abstractions;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Core.Validation;
using ZscalerPki.Robustness;
using static ZscalerPki.Robustness.HostileOrigins;

namespace ZscalerPki.Core.Tests.Inspection;

/// <summary>
/// Origins whose subject or names are hostile (tests/Robustness/HostileOrigins.cs): the forger refuses them with a
/// catalogued error or forges only what our own reader and WebPki profile accept, never signs the hostile part.
/// </summary>
[Collection("Inspection")]
public sealed class HostileOriginTests : IClassFixture<InspectionFixture>, IDisposable
{
    private readonly InspectionFixture _f;
    private readonly ITestOutputHelper _output;
    private readonly HostileOrigins _origins = new(20261204);
    private readonly ECDsa _issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _issuer;

    public HostileOriginTests(InspectionFixture f, ITestOutputHelper output)
    {
        _f = f;
        _output = output;
        var request = new CertificateRequest("CN=Hostile Origin Test Issuer, O=ZscalerPki Tests", _issuerKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _issuer = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(2));
    }

    public void Dispose()
    {
        _origins.Dispose();
        _issuer.Dispose();
        _issuerKey.Dispose();
    }

    private X509Certificate2 Origin(byte[] subject, params string[] names) => CertificateReader.ReadSingle(_origins.Build(subject, names));

    private static string ErrorOf(Action a) => Assert.Throws<PkiException>(a).ErrorId;

    private InspectionCertificate Forge(SiteProfile site, out IReadOnlyList<string> warnings)
    {
        var result = _f.Service(new NoPublication(), new CountingRecorder()).Forge(new ForgeRequest { Site = site, IssuerCertificate = _issuer });
        warnings = result.Warnings;
        return result.Item;
    }

    [Fact]
    public void OneMegabyteSubject_IsRefusedFast_NamingTheSite()
    {
        var origin = Origin(Name(Rdn("2.5.4.3", "www.example.com"), Rdn("2.5.4.10", new string('x', 1_000_000))), "www.example.com");
        var clock = Stopwatch.StartNew();
        var ex = Assert.Throws<PkiException>(() => SiteProfile.FromOrigin(origin));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), clock.Elapsed.ToString());
        Assert.Equal(PkiErrorIds.InputTooLarge, ex.ErrorId);
        Assert.Contains("www.example.com", ex.Message);
        Assert.Contains("-DnsName", ex.Message);
    }

    [Fact]
    public void TenThousandRdns_AreRefused()
    {
        var rdns = new[] { Rdn("2.5.4.3", "www.example.com") }.Concat(Enumerable.Range(0, 9_999).Select(i => Rdn("2.5.4.11", "u" + i))).ToArray();
        var ex = Assert.Throws<PkiException>(() => SiteProfile.FromOrigin(Origin(Name(rdns), "www.example.com")));
        Assert.Equal(PkiErrorIds.InputTooLarge, ex.ErrorId);

        // Under the byte bound, the attribute bound: 65 small RDNs.
        var many = new[] { Rdn("2.5.4.3", "www.example.com") }.Concat(Enumerable.Range(0, OriginChecks.MaxSubjectAttributes).Select(i => Rdn("2.5.4.11", "u"))).ToArray();
        var tooMany = Assert.Throws<PkiException>(() => SiteProfile.FromOrigin(Origin(Name(many), "www.example.com")));
        Assert.Equal(PkiErrorIds.InputTooLarge, tooMany.ErrorId);
        Assert.Contains("attributes", tooMany.Message);
    }

    [Fact]
    public void EmptyRdnSet_IsRefusedAsOurReaderRefusesIt()
    {
        var subject = Name(Rdn("2.5.4.3", "www.example.com"), new byte[] { 0x31, 0x00 });
        Assert.ThrowsAny<Exception>(() => DistinguishedName.Parse(subject));
        X509Certificate2 origin;
        try
        {
            origin = Origin(subject, "www.example.com");
        }
        catch (PkiException ex)
        {
            // The certificate reader may already refuse it: refused is what matters.
            Assert.Equal(PkiErrorIds.InvalidCertificateData, ex.ErrorId);
            return;
        }
        var error = Assert.Throws<PkiException>(() => SiteProfile.FromOrigin(origin));
        Assert.Equal(PkiErrorIds.InvalidSubject, error.ErrorId);
        Assert.Contains("-DnsName", error.Message);
    }

    /// <summary>Names our own reader refuses (RFC 5280 4.1.2.4) are refused per site, never signed.</summary>
    [Theory]
    [InlineData("empty RDN SET")]
    [InlineData("T61String with high bytes")]
    [InlineData("OID arc of 40 digits")]
    [InlineData("OID arc of 40 digits in the CN's RDN")]
    public void SubjectOurReaderRefuses_IsInvalidSubject(string mutation)
    {
        var (_, der) = _origins.Catalogue().Single(c => c.Mutation == mutation);
        var error = Assert.Throws<PkiException>(() => SiteProfile.FromOrigin(CertificateReader.ReadSingle(der)));
        _output.WriteLine(error.Message);
        Assert.True(error.ErrorId is PkiErrorIds.InvalidSubject or PkiErrorIds.InvalidCertificateData, error.ErrorId + ": " + error.Message);
        if (error.ErrorId == PkiErrorIds.InvalidSubject)
            Assert.Contains("www.example.com", error.Message);
    }

    [Fact]
    public void UpperCaseOrSecondCommonName_IsLeftOut_SoTheLeafPassesWebPki()
    {
        var upper = SiteProfile.FromOrigin(Origin(Name(Rdn("2.5.4.10", "Example"), Rdn("2.5.4.3", "WWW.EXAMPLE.COM")), "WWW.EXAMPLE.COM"));
        Assert.Equal("O=Example", new X500DistinguishedName(upper.SubjectDer).Name);
        Assert.Contains(upper.Warnings, w => w.Contains("WWW.EXAMPLE.COM", StringComparison.Ordinal));
        var two = SiteProfile.FromOrigin(Origin(Name(Rdn("2.5.4.3", "www.example.com"), Rdn("2.5.4.3", "other.example.com")), "www.example.com"));
        Assert.Equal("CN=www.example.com", new X500DistinguishedName(two.SubjectDer).Name);
        var kept = SiteProfile.FromOrigin(Origin(Name(Rdn("2.5.4.3", "www.example.com")), "www.example.com"));
        Assert.Empty(kept.Warnings);
    }

    [Fact]
    public void PublicSuffixWildcard_IsDroppedWithAWarning_OrRefusedWhenAlone()
    {
        var mixed = SiteProfile.FromOrigin(Origin(Name(Rdn("2.5.4.3", "www.example.co.uk")), "*.co.uk", "www.example.co.uk"));
        Assert.Equal(new[] { "www.example.co.uk" }, mixed.DnsNames);
        Assert.Contains(mixed.Warnings, w => w.Contains("*.co.uk", StringComparison.Ordinal));
        var forged = Forge(mixed, out var warnings);
        Assert.Contains(warnings, w => w.Contains("*.co.uk", StringComparison.Ordinal));
        Assert.Equal(new[] { "www.example.co.uk" }, forged.DnsNames);

        Assert.Equal(PkiErrorIds.InvalidSiteName, ErrorOf(() => SiteProfile.FromOrigin(Origin(Name(Rdn("2.5.4.3", "*.co.uk")), "*.co.uk"))));
        Assert.Equal(PkiErrorIds.InvalidSiteName, ErrorOf(() => SiteProfile.FromNames(new[] { "*.github.io" }, null)));

        // github.io's own shape: CN=*.github.io beside github.io. The wildcard goes, and with it the CN that copied it.
        var github = SiteProfile.FromOrigin(Origin(Name(Rdn("2.5.4.6", "US", System.Formats.Asn1.UniversalTagNumber.PrintableString), Rdn("2.5.4.3", "*.github.io")), "*.github.io", "github.io"));
        Assert.Equal(new[] { "github.io" }, github.DnsNames);
        Assert.Equal("C=US", new X500DistinguishedName(github.SubjectDer).Name);
        Assert.Contains(github.Warnings, w => w.Contains("commonName", StringComparison.Ordinal));
    }

    [Fact]
    public void BigButLegitimateSubject_IsStillForged_ByteForByte()
    {
        var (_, der) = _origins.Catalogue().Single(c => c.Mutation == "big but legitimate subject");
        var origin = CertificateReader.ReadSingle(der);
        Assert.InRange(origin.SubjectName.RawData.Length, 400, OriginChecks.MaxSubjectBytes);
        var site = SiteProfile.FromOrigin(origin);
        var forged = Forge(site, out var warnings);
        Assert.Empty(warnings);
        Assert.Equal(origin.SubjectName.RawData, forged.Certificate.SubjectName.RawData);
    }

    [Fact]
    public void SanCount_IsBounded()
    {
        var names = Enumerable.Range(0, SiteProfile.MaxNames + 1).Select(i => $"h{i}.example.com").ToArray();
        Assert.Equal(PkiErrorIds.InvalidSiteName, ErrorOf(() => SiteProfile.FromOrigin(Origin(Name(Rdn("2.5.4.3", "h0.example.com")), names))));
    }

    /// <summary>
    /// The round-trip property over the hostile catalogue and a few dozen random mixtures: each origin is refused with a
    /// catalogued error, or its forged certificate validates through our ChainValidator (WebPki, each forged name) against
    /// the issuer and OpenSSL prints it.
    /// </summary>
    [Fact]
    public void EveryForgedCertificate_ValidatesUnderWebPki_AndOpenSslParsesIt()
    {
        var inputs = _origins.Generate().Take(60).ToList();
        int forged = 0, refused = 0;
        foreach (var input in inputs)
        {
            SiteProfile site;
            InspectionCertificate result;
            try
            {
                site = SiteProfile.FromOrigin(CertificateReader.ReadSingle(input.Data));
                result = Forge(site, out _);
            }
            catch (PkiException ex)
            {
                Assert.True(typeof(PkiErrorIds).GetField(ex.ErrorId) is not null, $"{input.Mutation}: uncatalogued {ex.ErrorId}");
                _output.WriteLine($"refused  {input.Mutation}: {ex.ErrorId}");
                refused++;
                continue;
            }
            forged++;
            _output.WriteLine($"forged   {input.Mutation}");
            foreach (var name in site.DnsNames.Select(d => d.Replace("*", "wild", StringComparison.Ordinal)).Take(3))
            {
                var validation = ChainValidator.Validate(new ChainValidationRequest
                {
                    Certificate = result.Certificate, TrustedRoots = new[] { _issuer }, DnsName = name,
                    Purpose = ChainPurpose.ServerAuth, Profile = ValidationProfile.WebPki, RevocationMode = RevocationMode.None,
                });
                Assert.True(validation.IsValid, $"{input.Mutation} ({name}): {string.Join("; ", validation.Problems)}");
            }
            Assert.True(OpenSslParses(result.Certificate.RawData, out var openssl), $"{input.Mutation}: openssl: {openssl}");
        }
        _output.WriteLine($"{inputs.Count} origins: {forged} forged, {refused} refused");
        Assert.True(forged >= 10 && refused >= 10, $"{forged} forged, {refused} refused");
    }

    private static bool OpenSslParses(byte[] der, out string error)
    {
        var path = Path.Combine(Path.GetTempPath(), "zpki-forged-" + Guid.NewGuid().ToString("N") + ".der");
        File.WriteAllBytes(path, der);
        try
        {
            var info = new ProcessStartInfo("openssl", $"x509 -inform DER -noout -text -in \"{path}\"") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            error = process.StandardError.ReadToEnd();
            stdout.Wait();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            error = "openssl is not installed: " + ex.Message;
            return true; // the property is checked where OpenSSL is (CI on Linux); the validator half still runs
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class NoPublication : IIssuerPublicationSource
    {
        public IssuerPublication GetPublication(IssuerReference issuer) => IssuerPublication.None;
    }
}
