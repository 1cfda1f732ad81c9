using System.Management.Automation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Validation;
using ZscalerPki.Tests.Harness;
using static ZscalerPki.Tests.Intermediate.IntermediateTestKit;

namespace ZscalerPki.Tests.Intermediate;

/// <summary>One intermediate awaiting its certificate, shared by the negative imports (one key, one PBKDF2).</summary>
public sealed class PendingIntermediateFixture : IDisposable
{
    public PendingIntermediateFixture()
    {
        Tmp = new TempDir();
        using (var pwsh = new PwshHost(Tmp.Path))
            Item = NewCsr(pwsh, Tmp, "pending", "pending.csr");
        CsrKey = PublicKeyOf(Item);
        Root = new MemoryCa("Negative Root");
        Issuing = new MemoryCa("Negative Issuing", Root);
    }

    public TempDir Tmp { get; }
    public IntermediateCertificate Item { get; }
    public PublicKey CsrKey { get; }
    public MemoryCa Root { get; }
    public MemoryCa Issuing { get; }

    public void Dispose()
    {
        Issuing.Dispose();
        Root.Dispose();
        Tmp.Dispose();
    }
}

/// <summary>Each bad import fails with its own ErrorId, a message saying what to do, and leaves the entry as it was.</summary>
public sealed class IntermediateNegativeImportTests(PendingIntermediateFixture f) : IClassFixture<PendingIntermediateFixture>
{
    private const string Subject = "CN=" + CommonName + ", O=Contoso Ltd";

    public static TheoryData<string, string> Cases => new()
    {
        { "no-ca-true", "NotCaCertificate" },
        { "no-basic-constraints", "NotCaCertificate" },
        { "no-keycertsign", "MissingKeyUsage" },
        { "no-key-usage", "MissingKeyUsage" },
        { "another-key", "PublicKeyMismatch" },
        { "changed-cn", "CommonNameMismatch" },
        { "no-cn", "CommonNameMismatch" },
        { "path-length-too-large", "PathLengthTooLarge" },
        { "expired", "CertificateExpired" },
        { "not-yet-valid", "CertificateNotYetValid" },
        { "sha1", "WeakSignatureAlgorithm" },
        { "unknown-critical-extension", "UnsupportedCriticalExtension" },
        { "garbage-name-constraints", "CertificateExtensionInvalid" },
        { "broken-chain", "BrokenChain" },
        { "same-name-other-key-chain", "BrokenChain" },
        { "chain-with-stranger", "BrokenChain" },
        { "chain-incomplete", "ChainIncomplete" },
        { "chain-ca-expired", "ChainCertificateExpired" },
        { "chain-ca-not-ca", "ChainCertificateNotCa" },
        { "untrusted-root", "UntrustedRoot" },
        { "garbage", "InvalidCertificateData" },
        { "empty-file", "CertificateEmpty" },
        { "csr-instead", "InputIsCsr" },
        { "chain-only-before-certificate", "CertificateRequired" },
    };

    /// <summary>ErrorIds of the chain check, which is the path validator (ImportChainCheck); the others are checks of the certificate itself.</summary>
    private static readonly HashSet<string> ChainErrorIds = new()
    {
        "BrokenChain", "ChainIncomplete", "UntrustedRoot", "ChainCertificateNotCa", "ChainCertificateExpired", "ChainValidationFailed",
    };

    /// <summary>Issue 11: for every case with a chain, the import refuses the chain exactly when the path validator (import-time options) does.</summary>
    private static void AssertValidatorAgrees(string certificateFile, string chainFile, object? trustedRoot, string? importErrorId)
    {
        var certificate = CertificateReader.ReadFile(certificateFile)[0];
        var chain = CertificateReader.ReadFile(chainFile);
        var verdict = ChainValidator.Validate(ImportChainCheck.Request(certificate, chain, trustedRoot as X509Certificate2, DateTimeOffset.UtcNow));
        bool importRefusedTheChain = importErrorId is not null && ChainErrorIds.Contains(importErrorId);
        Assert.True(importRefusedTheChain == !verdict.IsValid,
            $"import: {importErrorId ?? "accepted"}; validator: {(verdict.IsValid ? "valid" : string.Join("; ", verdict.Problems))}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadImport_HasItsOwnError_AndLeavesTheEntryUnchanged(string scenario, string errorId)
    {
        var tmp = f.Tmp;
        using var pwsh = new PwshHost(tmp.Path);
        var file = tmp.File(scenario + ".pem");
        string? chainFile = null;
        object? trustedRoot = null;
        var good = f.Issuing.Sign(f.CsrKey, Subject);
        void WriteCert(X509Certificate2 c) => File.WriteAllText(file, CertificateReader.ToPem(c));
        void WriteChain(params X509Certificate2[] certs)
        {
            chainFile = tmp.File(scenario + "-chain.pem");
            File.WriteAllText(chainFile, string.Concat(certs.Select(CertificateReader.ToPem)));
        }

        switch (scenario)
        {
            case "no-ca-true": WriteCert(f.Issuing.Sign(f.CsrKey, Subject, ca: false, pathLength: null)); break;
            case "no-basic-constraints": WriteCert(f.Issuing.Sign(f.CsrKey, Subject, ca: null)); break;
            case "no-keycertsign": WriteCert(f.Issuing.Sign(f.CsrKey, Subject, usage: X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature)); break;
            case "no-key-usage": WriteCert(f.Issuing.Sign(f.CsrKey, Subject, usage: null)); break;
            case "another-key":
                using (var other = RSA.Create(2048))
                    WriteCert(f.Issuing.Sign(new PublicKey(other), Subject));
                break;
            case "changed-cn": WriteCert(f.Issuing.Sign(f.CsrKey, "CN=Contoso SSL Inspection CA 2, O=Contoso Ltd")); break;
            case "no-cn": WriteCert(f.Issuing.Sign(f.CsrKey, "O=Contoso Ltd")); break;
            case "path-length-too-large": WriteCert(f.Issuing.Sign(f.CsrKey, Subject, pathLength: 1)); break;
            case "expired": WriteCert(f.Issuing.Sign(f.CsrKey, Subject, notBefore: DateTimeOffset.UtcNow.AddDays(-400), notAfter: DateTimeOffset.UtcNow.AddDays(-1))); break;
            case "not-yet-valid": WriteCert(f.Issuing.Sign(f.CsrKey, Subject, notBefore: DateTimeOffset.UtcNow.AddDays(2), notAfter: DateTimeOffset.UtcNow.AddDays(400))); break;
            case "sha1": WriteCert(f.Issuing.Sign(f.CsrKey, Subject, hash: HashAlgorithmName.SHA1)); break;
            case "unknown-critical-extension":
                WriteCert(f.Issuing.Sign(f.CsrKey, Subject, extra: new[] { new X509Extension("1.3.6.1.4.1.99999.1", new byte[] { 0x05, 0x00 }, critical: true) }));
                break;
            case "garbage-name-constraints":
                WriteCert(f.Issuing.Sign(f.CsrKey, Subject, extra: new[] { new X509Extension("2.5.29.30", new byte[] { 0x30, 0x03, 0xA0, 0x01, 0xFF }, critical: true) }));
                break;
            case "broken-chain":
                // The chain skips the issuing CA: the root did not sign the intermediate.
                WriteCert(good);
                WriteChain(f.Root.Certificate);
                break;
            case "same-name-other-key-chain":
                using (var impostor = new MemoryCa("Negative Issuing"))
                {
                    WriteCert(good);
                    WriteChain(impostor.Certificate, f.Root.Certificate);
                }
                break;
            case "chain-with-stranger":
                using (var stranger = new MemoryCa("Stranger Root"))
                {
                    WriteCert(good);
                    WriteChain(f.Issuing.Certificate, f.Root.Certificate, stranger.Certificate);
                }
                break;
            case "chain-incomplete":
                WriteCert(good);
                WriteChain(f.Issuing.Certificate);
                break;
            case "chain-ca-expired":
                // The issuing CA's certificate (same name and key) as the root issued it once: expired.
                WriteCert(good);
                WriteChain(f.Root.Sign(new PublicKey(f.Issuing.Key), f.Issuing.Certificate.Subject, pathLength: 1,
                    notBefore: DateTimeOffset.UtcNow.AddDays(-400), notAfter: DateTimeOffset.UtcNow.AddDays(-1)), f.Root.Certificate);
                break;
            case "chain-ca-not-ca":
                // The issuing CA's key certified as an end entity: it may not issue the intermediate.
                WriteCert(good);
                WriteChain(f.Root.Sign(new PublicKey(f.Issuing.Key), f.Issuing.Certificate.Subject, ca: false, pathLength: null), f.Root.Certificate);
                break;
            case "untrusted-root":
                using (var otherRoot = new MemoryCa("Another Root"))
                {
                    WriteCert(good);
                    WriteChain(f.Issuing.Certificate, f.Root.Certificate);
                    trustedRoot = otherRoot.Certificate;
                }
                break;
            case "garbage": File.WriteAllText(file, "this is not a certificate, just some text a user pasted by mistake\n"); break;
            case "empty-file": File.WriteAllText(file, string.Empty); break;
            case "csr-instead": File.Copy(tmp.File("pending.csr"), file, overwrite: true); break;
            case "chain-only-before-certificate":
                file = null!;
                WriteChain(f.Issuing.Certificate, f.Root.Certificate);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(scenario));
        }

        var run = Import(pwsh, tmp, "pending", path: file, chainPath: chainFile, trustedRoot: trustedRoot);

        var error = Assert.Single(run.Errors);
        Assert.Equal(errorId, error.ErrorId());
        if (file is not null && chainFile is not null && ChainErrorIds.Contains(errorId))
            AssertValidatorAgrees(file, chainFile, trustedRoot, errorId);
        Assert.NotEqual(ErrorCategory.NotSpecified, error.CategoryInfo.Category);
        Assert.True(error.Message().Length > 60, error.Message());
        Assert.Empty(run.Output);
        var after = Get(pwsh, tmp, "pending");
        Assert.Equal(IntermediateState.CsrGenDone, after.State);
        Assert.Null(after.Certificate);
        Assert.False(after.IsDefault);
        Assert.Empty(after.History);
    }

    [Fact]
    public void ValidImport_StillWorksAfterTheFailures_OnASeparateEntry_AndABadReimportKeepsTheOldCertificate()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        var item = NewCsr(pwsh, tmp, "ready", "ready.csr");
        var key = PublicKeyOf(item);
        File.WriteAllText(tmp.File("good.pem"), CertificateReader.ToPem(f.Issuing.Sign(key, Subject)));
        File.WriteAllText(tmp.File("chain.pem"), f.Issuing.Pem + f.Root.Pem);
        var ok = Import(pwsh, tmp, "ready", path: "good.pem", chainPath: "chain.pem");
        Assert.Empty(ok.Errors);
        AssertValidatorAgrees(tmp.File("good.pem"), tmp.File("chain.pem"), null, null);
        var ready = Assert.IsType<IntermediateCertificate>(Assert.Single(ok.Output));

        // A wrong CN on re-import: refused, the previous certificate and chain remain in effect.
        File.WriteAllText(tmp.File("bad.pem"), CertificateReader.ToPem(f.Issuing.Sign(key, "CN=Someone Else")));
        var bad = Import(pwsh, tmp, "ready", path: "bad.pem");
        Assert.Equal("CommonNameMismatch", Assert.Single(bad.Errors).ErrorId());
        Assert.Contains("state CertReady", bad.Errors[0].Message());
        var after = Get(pwsh, tmp, "ready");
        Assert.Equal(ready.Thumbprint, after.Thumbprint);
        Assert.Equal(IntermediateState.CertReady, after.State);
        Assert.Equal(2, after.Chain.Length);
        Assert.True(after.IsDefault);
        Assert.Empty(after.History);

        // Unknown name: NotFound.
        var missing = Import(pwsh, tmp, "nope", path: "good.pem");
        Assert.Equal("NotFound", Assert.Single(missing.Errors).ErrorId());
    }
}
