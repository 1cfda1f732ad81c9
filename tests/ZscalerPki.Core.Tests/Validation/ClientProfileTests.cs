using System.Diagnostics;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Validation;
using ZscalerPki.Core.Validation.Clients;

namespace ZscalerPki.Core.Tests.Validation;

/// <summary>
/// The per-client rule sets (issue 21): each rule with a chain built here that one client rejects and another accepts, the
/// strict-profile verdicts checked against the real <c>openssl verify -x509_strict</c>, the RFC 5280 anchor fix, T61String
/// names, and the OS root store read whole.
/// </summary>
public class ClientProfileTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private sealed record Issued(X509Certificate2 Certificate, ECDsa Key);

    private static Issued Root(string subject = "CN=Zscaler-like Root, O=Test", bool bcCritical = true, bool keyUsage = true, DateTimeOffset? notAfter = null, X500DistinguishedName? name = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(name ?? new X500DistinguishedName(subject), key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, bcCritical));
        if (keyUsage) req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        return new Issued(X509CertificateLoader.LoadCertificate(req.CreateSelfSigned(Now.AddDays(-30), notAfter ?? Now.AddYears(5)).RawData), key);
    }

    private static Issued Issue(Issued issuer, string subject, bool ca, bool aki = true, string[]? ekus = null, string? dns = "site.example", bool keyUsage = true)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        if (keyUsage) req.CertificateExtensions.Add(new X509KeyUsageExtension(ca ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign : X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        if (aki) req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer.Certificate, true, false));
        if (ekus is not null)
        {
            var oids = new OidCollection();
            foreach (var e in ekus) oids.Add(new Oid(e));
            req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        }
        if (!ca && dns is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(dns);
            req.CertificateExtensions.Add(san.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        var cert = req.Create(issuer.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(issuer.Key), Now.AddDays(-1), Now.AddDays(200), serial);
        return new Issued(X509CertificateLoader.LoadCertificate(cert.RawData), key);
    }

    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private static ChainValidationRequest Request(X509Certificate2 leaf, X509Certificate2 root, params X509Certificate2[] intermediates) => new()
    {
        Certificate = leaf,
        TrustedRoots = new[] { root },
        Intermediates = intermediates,
        DnsName = "site.example",
        Purpose = ChainPurpose.ServerAuth,
    };

    private static Dictionary<string, ClientVerdict> All(ChainValidationRequest request) =>
        ClientProfiles.Evaluate(request, ClientProfiles.All).ToDictionary(v => v.Client);

    [Fact]
    public void ZscalerLikeRoot_NonCriticalBasicConstraints_IsValidUnderRfc5280_AndOnlyStrictRejects()
    {
        var root = Root(bcCritical: false);
        var leaf = Issue(root, "CN=site.example", ca: false, ekus: new[] { ServerAuth });
        var request = Request(leaf.Certificate, root.Certificate);
        Assert.True(ChainValidator.Validate(request).IsValid);
        var verdicts = All(request);
        var strict = verdicts["openssl-strict"];
        Assert.False(strict.Accepted);
        Assert.Equal("Strict.CaBasicConstraintsNotCritical", strict.Rule);
        Assert.Contains("Basic Constraints of CA cert not marked critical", strict.Error);
        Assert.Equal(new[] { "openssl-strict", "python" }, verdicts.Values.Where(v => !v.Accepted).Select(v => v.Client).ToArray());
        Assert.Equal("Strict.CaBasicConstraintsNotCritical", verdicts["python"].Rule);
        AssertOpenSsl(strict: false, leaf.Certificate, root.Certificate, expectOk: true, expectText: null);
        AssertOpenSsl(strict: true, leaf.Certificate, root.Certificate, expectOk: false, expectText: "Basic Constraints of CA cert not marked critical");
    }

    [Fact]
    public void LeafWithoutAki_StrictSaysMissingAuthorityKeyIdentifierFirst_GoAccepts()
    {
        var root = Root(bcCritical: false);
        var leaf = Issue(root, "CN=site.example", ca: false, aki: false, ekus: new[] { ServerAuth });
        var verdicts = All(Request(leaf.Certificate, root.Certificate));
        Assert.False(verdicts["openssl-strict"].Accepted);
        // Azure CLI >= 2.77 (Python 3.13) prints this one: OpenSSL checks the leaf (depth 0) first.
        Assert.Equal("Strict.MissingAuthorityKeyIdentifier", verdicts["openssl-strict"].Rule);
        Assert.Contains(verdicts["openssl-strict"].Reasons, r => r.Rule == "Strict.CaBasicConstraintsNotCritical" && r.ElementIndex == 1);
        Assert.True(verdicts["go"].Accepted);
        Assert.True(verdicts["openssl"].Accepted);
        AssertOpenSsl(strict: true, leaf.Certificate, root.Certificate, expectOk: false, expectText: "Missing Authority Key Identifier");
    }

    [Fact]
    public void CaWithoutKeyUsage_StrictRejects_JavaAccepts()
    {
        var root = Root(keyUsage: false);
        var leaf = Issue(root, "CN=site.example", ca: false, ekus: new[] { ServerAuth });
        var verdicts = All(Request(leaf.Certificate, root.Certificate));
        Assert.Equal("Strict.CaMissingKeyUsage", verdicts["openssl-strict"].Rule);
        Assert.True(verdicts["java"].Accepted);
        AssertOpenSsl(strict: true, leaf.Certificate, root.Certificate, expectOk: false, expectText: "CA cert does not include key usage extension");
    }

    [Fact]
    public void LeafWithoutEku_AppleRejects_WindowsAccepts()
    {
        var root = Root();
        var leaf = Issue(root, "CN=site.example", ca: false, ekus: null);
        var verdicts = All(Request(leaf.Certificate, root.Certificate));
        Assert.Equal("Client.LeafEkuServerAuthRequired", verdicts["apple"].Rule);
        Assert.True(verdicts["windows"].Accepted);
        Assert.True(verdicts["openssl"].Accepted);
    }

    [Fact]
    public void CommonNameOnlyLeaf_GoAndChromeReject_OpenSslAccepts()
    {
        var root = Root();
        var leaf = Issue(root, "CN=site.example", ca: false, ekus: new[] { ServerAuth }, dns: null);
        var verdicts = All(Request(leaf.Certificate, root.Certificate));
        Assert.Equal("Client.CommonNameNotUsed", verdicts["go"].Rule);
        Assert.Contains("legacy Common Name field", verdicts["go"].Error);
        Assert.False(verdicts["chrome"].Accepted);
        Assert.Equal("NET::ERR_CERT_COMMON_NAME_INVALID", verdicts["chrome"].Error);
        Assert.True(verdicts["openssl"].Accepted);
        Assert.True(verdicts["java"].Accepted);
    }

    [Fact]
    public void IntermediateEkuWithoutServerAuth_GoNssWindowsReject_JavaAccepts()
    {
        var root = Root();
        var ica = Issue(root, "CN=Client-only CA", ca: true, ekus: new[] { ClientAuth });
        var leaf = Issue(ica, "CN=site.example", ca: false, ekus: new[] { ServerAuth });
        var verdicts = All(Request(leaf.Certificate, root.Certificate, ica.Certificate));
        foreach (var client in new[] { "go", "nss", "windows", "openssl" })
            Assert.Equal("Client.CaEkuMismatch", verdicts[client].Rule);
        Assert.Equal("x509: certificate specifies an incompatible key usage", verdicts["go"].Error);
        Assert.True(verdicts["java"].Accepted);
        AssertOpenSsl(strict: false, leaf.Certificate, root.Certificate, expectOk: false, expectText: "unsuitable certificate purpose", ica.Certificate);
    }

    [Fact]
    public void ExpiredRoot_JavaAndRustlsAccept_OpenSslAndGoReject()
    {
        var root = Root(notAfter: Now.AddDays(-1));
        var leaf = Issue(root, "CN=site.example", ca: false, ekus: new[] { ServerAuth });
        var verdicts = All(Request(leaf.Certificate, root.Certificate));
        Assert.True(verdicts["java"].Accepted);
        Assert.True(verdicts["rustls"].Accepted);
        Assert.Equal(ChainProblemCodes.Expired, verdicts["openssl"].Rule);
        Assert.Equal("x509: certificate has expired or is not yet valid", verdicts["go"].Error);
    }

    [Fact]
    public void TrustedIntermediateAsAnchor_OpenSslRejectsWithoutPartialChain_GoAccepts()
    {
        var root = Root();
        var ica = Issue(root, "CN=Issuing CA", ca: true);
        var leaf = Issue(ica, "CN=site.example", ca: false, ekus: new[] { ServerAuth });
        var verdicts = All(Request(leaf.Certificate, ica.Certificate));
        Assert.Equal("Client.AnchorNotSelfSigned", verdicts["openssl"].Rule);
        Assert.Equal("unable to get issuer certificate (2)", verdicts["openssl"].Error);
        // Python >= 3.13 sets VERIFY_X509_PARTIAL_CHAIN with VERIFY_X509_STRICT: a trusted intermediate is an anchor there.
        Assert.True(verdicts["python"].Accepted);
        Assert.False(verdicts["openssl-strict"].Accepted);
        Assert.True(verdicts["go"].Accepted);
        AssertOpenSsl(strict: false, leaf.Certificate, ica.Certificate, expectOk: false, expectText: "unable to get issuer certificate");
    }

    [Fact]
    public void IssuerNameEqualButEncodedDifferently_GoAndNssReject_OpenSslAndJavaAccept()
    {
        var root = Root("CN=Zscaler-like Root, O=Test");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=site.example", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("site.example");
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root.Certificate, true, false));
        // The issuer name differs from the root's subject in case only: equal under RFC 5280 7.1, not byte for byte.
        var leaf = X509CertificateLoader.LoadCertificate(req.Create(new X500DistinguishedName("CN=ZSCALER-LIKE ROOT, O=TEST"),
            X509SignatureGenerator.CreateForECDsa(root.Key), Now.AddDays(-1), Now.AddDays(30), new byte[] { 0x11, 0x22 }).RawData);
        var verdicts = All(Request(leaf, root.Certificate));
        Assert.Equal("Client.IssuerNameBytes", verdicts["go"].Rule);
        Assert.Equal("x509: certificate signed by unknown authority", verdicts["go"].Error);
        Assert.Equal("Client.IssuerNameBytes", verdicts["nss"].Rule);
        Assert.True(verdicts["openssl"].Accepted);
        Assert.True(verdicts["java"].Accepted);
        AssertOpenSsl(strict: false, leaf, root.Certificate, expectOk: true, expectText: null);
    }

    [Fact]
    public void LeafKeyUsageWithoutTlsBits_OpenSslJavaNssReject_GoAccepts()
    {
        var root = Root();
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=site.example", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.NonRepudiation, true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("site.example");
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root.Certificate, true, false));
        var leaf = X509CertificateLoader.LoadCertificate(req.Create(root.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(root.Key),
            Now.AddDays(-1), Now.AddDays(30), new byte[] { 0x12, 0x34 }).RawData);
        var verdicts = All(Request(leaf, root.Certificate));
        foreach (var client in new[] { "openssl", "java", "nss" })
            Assert.Equal("Client.LeafKeyUsagePurpose", verdicts[client].Rule);
        Assert.Equal("unsuitable certificate purpose (26)", verdicts["openssl"].Error);
        Assert.True(verdicts["go"].Accepted);
        AssertOpenSsl(strict: false, leaf, root.Certificate, expectOk: false, expectText: "unsuitable certificate purpose");
    }

    [Fact]
    public void UnknownIssuer_EachClientSaysItInItsOwnWords()
    {
        var root = Root();
        var other = Root("CN=Other Root");
        var leaf = Issue(root, "CN=site.example", ca: false, ekus: new[] { ServerAuth });
        var verdicts = All(Request(leaf.Certificate, other.Certificate));
        Assert.All(verdicts.Values, v => Assert.False(v.Accepted));
        Assert.Equal("x509: certificate signed by unknown authority", verdicts["go"].Error);
        Assert.StartsWith("UNABLE_TO_GET_ISSUER_CERT_LOCALLY", verdicts["node"].Error);
        Assert.StartsWith("SEC_ERROR_UNKNOWN_ISSUER", verdicts["nss"].Error);
        Assert.Equal("NET::ERR_CERT_AUTHORITY_INVALID", verdicts["chrome"].Error);
        Assert.Equal("invalid peer certificate: UnknownIssuer", verdicts["rustls"].Error);
        Assert.StartsWith("PKIX path building failed", verdicts["java"].Error);
    }

    [Fact]
    public void RootNameConstraints_JavaIgnoresThem_OpenSslAndGoReject()
    {
        // A root whose own nameConstraints permit only other.example: a JSSE TrustAnchor is the root's name and key.
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=Constrained Root", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        var nc = new AsnWriter(AsnEncodingRules.DER);
        using (nc.PushSequence())
        using (nc.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
        using (nc.PushSequence())
            nc.WriteCharacterString(UniversalTagNumber.IA5String, "other.example", new Asn1Tag(TagClass.ContextSpecific, 2));
        req.CertificateExtensions.Add(new X509Extension("2.5.29.30", nc.Encode(), true));
        var root = new Issued(X509CertificateLoader.LoadCertificate(req.CreateSelfSigned(Now.AddDays(-30), Now.AddYears(5)).RawData), key);
        var leaf = Issue(root, "CN=site.example", ca: false, ekus: new[] { ServerAuth });
        var request = Request(leaf.Certificate, root.Certificate);
        Assert.Contains(ChainValidator.Validate(request).Problems, p => p.Code == ChainProblemCodes.NameConstraintViolation);
        var verdicts = All(request);
        Assert.True(verdicts["java"].Accepted);
        Assert.False(verdicts["openssl"].Accepted);
        Assert.False(verdicts["go"].Accepted);
    }

    [Fact]
    public void JavaHostnameChecker_GlobsInAnyLabel_RefusesUnderscoreHostNames()
    {
        var root = Root();
        var glob = Issue(root, "CN=site.example", ca: false, ekus: new[] { ServerAuth }, dns: "s*e.*.example");
        var request = Request(glob.Certificate, root.Certificate) with { DnsName = "site.www.example" };
        var verdicts = All(request);
        Assert.True(verdicts["java"].Accepted);
        Assert.False(verdicts["openssl"].Accepted);
        Assert.Equal("No subject alternative DNS name matching www.site.example found.",
            All(request with { DnsName = "www.site.example" })["java"].Error);

        var underscore = Issue(root, "CN=my_site.example", ca: false, ekus: new[] { ServerAuth }, dns: "my_site.example");
        var java = All(Request(underscore.Certificate, root.Certificate) with { DnsName = "my_site.example" })["java"];
        Assert.False(java.Accepted);
        Assert.Equal("Illegal given domain name: my_site.example", java.Error);
    }

    [Fact]
    public void T61StringRootName_IsReadAndAnchorsAChain()
    {
        // CN as a T61String (TeletexString), as Entrust.net's 2048 root in Mozilla's store has an OU.
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        using (w.PushSetOf())
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier("2.5.4.3");
            var text = System.Text.Encoding.Latin1.GetBytes("T61 Root \u00e9A");
            w.WriteEncodedValue(new byte[] { 0x14, (byte)text.Length }.Concat(text).ToArray());
        }
        var name = new X500DistinguishedName(w.Encode());
        var root = Root(name: name);
        var leaf = Issue(root, "CN=site.example", ca: false, ekus: new[] { ServerAuth });
        var read = ValidationInput.ReadCertificates(root.Certificate.RawData);
        Assert.Single(read);
        var result = ChainValidator.Validate(Request(leaf.Certificate, read[0]));
        Assert.True(result.IsValid, result.ToTreeString());
        Assert.Contains("T61 Root éA", result.Elements[^1].Subject);
    }

    [DebianBundleFact]
    public void DebianRootStore_EveryRootIsRead_AndMozillaRootsWithNonCriticalBasicConstraintsAreValid()
    {
        const string bundle = DebianBundleFactAttribute.Bundle;
        int blocks = File.ReadAllText(bundle).Split("-----BEGIN CERTIFICATE-----").Length - 1;
        var contents = TrustStoreReader.Read(bundle);
        Assert.Empty(contents.Skipped);
        Assert.Equal(blocks, contents.Certificates.Count);
        var folder = TrustStoreReader.Read("/etc/ssl/certs");
        Assert.Empty(folder.Skipped);
        Assert.True(folder.Certificates.Count >= blocks);
        foreach (var file in new[] { "Go_Daddy_Class_2_CA.pem", "Starfield_Class_2_CA.pem", "ePKI_Root_Certification_Authority.pem", "Entrust.net_Premium_2048_Secure_Server_CA.pem" })
        {
            var path = Path.Combine("/etc/ssl/certs", file);
            if (!File.Exists(path)) continue;
            var cert = ValidationInput.ReadCertificateFile(path)[0];
            var result = ChainValidator.Validate(new ChainValidationRequest { Certificate = cert, TrustedRoots = contents.Certificates });
            Assert.True(result.IsValid, file + ": " + result.ToTreeString());
            Assert.Empty(result.Problems);
        }
    }

    /// <summary>The real <c>openssl verify</c> (the project's oracle) on the same chain.</summary>
    private static void AssertOpenSsl(bool strict, X509Certificate2 leaf, X509Certificate2 root, bool expectOk, string? expectText, params X509Certificate2[] intermediates)
    {
        var dir = Directory.CreateTempSubdirectory("zpki-client-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "root.pem"), root.ExportCertificatePem());
            File.WriteAllText(Path.Combine(dir, "leaf.pem"), leaf.ExportCertificatePem());
            var args = new List<string> { "verify", "-no-CApath", "-no-CAstore", "-CAfile", Path.Combine(dir, "root.pem"), "-purpose", "sslserver" };
            if (intermediates.Length > 0)
            {
                File.WriteAllText(Path.Combine(dir, "ica.pem"), string.Concat(intermediates.Select(i => i.ExportCertificatePem() + "\n")));
                args.AddRange(new[] { "-untrusted", Path.Combine(dir, "ica.pem") });
            }
            if (strict) args.Add("-x509_strict");
            args.Add(Path.Combine(dir, "leaf.pem"));
            var psi = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(expectOk == (p.ExitCode == 0), $"openssl {(strict ? "-x509_strict " : "")}exit {p.ExitCode}: {output}");
            if (expectText is not null) Assert.Contains(expectText, output);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

/// <summary>A fact that needs Debian's root bundle (package ca-certificates): skipped, with the reason, where it is absent.</summary>
public sealed class DebianBundleFactAttribute : FactAttribute
{
    public const string Bundle = "/etc/ssl/certs/ca-certificates.crt";

    public DebianBundleFactAttribute()
    {
        if (!File.Exists(Bundle))
            Skip = $"No root bundle at {Bundle} (Debian package ca-certificates)";
    }
}
