using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Tests.Validation;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Tests.Intermediate;

/// <summary>
/// Issue 11, section 3: the import's chain check is the path validator. For every chain, the import accepts exactly
/// when <see cref="ChainValidator"/> (import-time options) does, and a plain Test-CertificateChain request (same anchors
/// and certificates, default options) agrees too, except where the only problem is the import-time rule that the
/// bundle holds nothing but the path.
/// </summary>
public sealed class ImportChainCheckTests : IDisposable
{
    private readonly TestCa _root = TestCa.CreateRoot("CN=Import Root");
    private readonly TestCa _issuing;
    private readonly TestCa _intermediate;
    private static readonly IntermediateEntry Entry = new() { Name = "agree", CommonName = "Import Intermediate", Subject = "CN=Import Intermediate", CsrPem = "-", PublicKeyPem = "-" };

    public ImportChainCheckTests()
    {
        _issuing = _root.IssueCa("CN=Import Issuing");
        _intermediate = _issuing.IssueCa("CN=Import Intermediate", pathLen: 0);
    }

    public static TheoryData<string, string?> Cases => new()
    {
        { "valid-chain-to-own-root", null },
        { "valid-chain-to-trusted-root", null },
        { "issuer-only-with-trusted-root", null },
        { "broken-chain", PkiErrorIds.BrokenChain },
        { "same-name-other-key", PkiErrorIds.BrokenChain },
        { "chain-with-stranger", PkiErrorIds.BrokenChain },
        { "chain-incomplete", PkiErrorIds.ChainIncomplete },
        { "untrusted-root", PkiErrorIds.UntrustedRoot },
        { "chain-certificate-not-ca", PkiErrorIds.ChainCertificateNotCa },
        { "chain-certificate-expired", PkiErrorIds.ChainCertificateExpired },
        { "path-length-exceeded", PkiErrorIds.ChainValidationFailed },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ImportAndValidator_Agree(string scenario, string? expectedErrorId)
    {
        var (certificate, chain, trustedRoot, disposables) = Arrange(scenario);
        using var cleanup = new Cleanup(disposables);
        var now = DateTimeOffset.UtcNow;

        var request = ImportChainCheck.Request(certificate, chain, trustedRoot, now);
        var verdict = ChainValidator.Validate(request);
        string? importError = null;
        IReadOnlyList<X509Certificate2>? stored = null;
        try
        {
            stored = ImportChainCheck.Build(Entry, certificate, chain, trustedRoot, now);
        }
        catch (PkiException ex)
        {
            importError = ex.ErrorId;
            Assert.Contains("'agree' is unchanged", ex.Message);
        }

        Assert.Equal(expectedErrorId, importError);
        Assert.Equal(importError is null, verdict.IsValid);
        if (stored is not null)
        {
            Assert.Equal(verdict.Elements.Skip(1).Select(e => e.Thumbprint), stored.Select(c => c.Thumbprint));
        }

        // Test-CertificateChain on the same input (default options: every supplied certificate may stay unused).
        var plain = ChainValidator.Validate(request with { RequireAllIntermediatesOnPath = false });
        bool onlyBundleRule = verdict.Problems.Where(p => p.Severity == ChainProblemSeverity.Error).All(p => p.Code == ChainProblemCodes.IntermediateNotOnPath);
        Assert.Equal(verdict.IsValid || onlyBundleRule, plain.IsValid);
    }

    private (X509Certificate2 Certificate, List<X509Certificate2> Chain, X509Certificate2? TrustedRoot, List<IDisposable> Disposables) Arrange(string scenario)
    {
        var certificate = _intermediate.Certificate;
        var disposables = new List<IDisposable>();
        switch (scenario)
        {
            case "valid-chain-to-own-root":
                return (certificate, new() { _issuing.Certificate, _root.Certificate }, null, disposables);
            case "valid-chain-to-trusted-root":
                return (certificate, new() { _issuing.Certificate, _root.Certificate }, _root.Certificate, disposables);
            case "issuer-only-with-trusted-root":
                return (certificate, new() { _issuing.Certificate }, _root.Certificate, disposables);
            case "broken-chain":
                return (certificate, new() { _root.Certificate }, null, disposables);
            case "same-name-other-key":
                {
                    var impostor = TestCa.CreateRoot("CN=Import Issuing");
                    disposables.Add(impostor);
                    return (certificate, new() { impostor.Certificate, _root.Certificate }, null, disposables);
                }
            case "chain-with-stranger":
                {
                    var stranger = TestCa.CreateRoot("CN=Import Stranger");
                    disposables.Add(stranger);
                    return (certificate, new() { _issuing.Certificate, _root.Certificate, stranger.Certificate }, null, disposables);
                }
            case "chain-incomplete":
                return (certificate, new() { _issuing.Certificate }, null, disposables);
            case "untrusted-root":
                {
                    var other = TestCa.CreateRoot("CN=Import Other Root");
                    disposables.Add(other);
                    return (certificate, new() { _issuing.Certificate, _root.Certificate }, other.Certificate, disposables);
                }
            case "chain-certificate-not-ca":
                {
                    var notCa = _root.IssueCa("CN=Import Not A CA", isCa: false);
                    disposables.Add(notCa);
                    var issued = notCa.IssueCa("CN=Import Intermediate", pathLen: 0);
                    disposables.Add(issued);
                    return (issued.Certificate, new() { notCa.Certificate, _root.Certificate }, null, disposables);
                }
            case "chain-certificate-expired":
                {
                    var expired = ExpiredIssuer();
                    disposables.Add(expired);
                    var issued = expired.IssueCa("CN=Import Intermediate", pathLen: 0);
                    disposables.Add(issued);
                    return (issued.Certificate, new() { expired.Certificate, _root.Certificate }, null, disposables);
                }
            case "path-length-exceeded":
                {
                    // The issuing CA allows no CA below it, yet another CA sits between it and the intermediate.
                    var strict = _root.IssueCa("CN=Import Strict Issuing", pathLen: 0);
                    disposables.Add(strict);
                    var middle = strict.IssueCa("CN=Import Middle");
                    disposables.Add(middle);
                    var issued = middle.IssueCa("CN=Import Intermediate", pathLen: 0);
                    disposables.Add(issued);
                    return (issued.Certificate, new() { middle.Certificate, strict.Certificate, _root.Certificate }, null, disposables);
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(scenario));
        }
    }

    /// <summary>An issuing CA whose certificate expired yesterday (its key still signs).</summary>
    private TestCa ExpiredIssuer()
    {
        var live = _root.IssueCa("CN=Import Expired Issuing");
        var request = new CertificateRequest(live.Certificate.SubjectName, (ECDsa)live.Key, HashAlgorithmName.SHA256);
        foreach (var extension in live.Certificate.Extensions)
        {
            request.CertificateExtensions.Add(extension);
        }
        var generator = X509SignatureGenerator.CreateForECDsa((ECDsa)_root.Key);
        var expiredCertificate = request.Create(_root.Certificate.SubjectName, generator, DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1), TestCa.NextSerial());
        return TestCa.FromCertificate(expiredCertificate, live.Key);
    }

    public void Dispose()
    {
        _intermediate.Dispose();
        _issuing.Dispose();
        _root.Dispose();
    }

    private sealed class Cleanup(List<IDisposable> disposables) : IDisposable
    {
        public void Dispose()
        {
            foreach (var disposable in disposables)
            {
                disposable.Dispose();
            }
        }
    }
}
