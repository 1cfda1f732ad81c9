using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Validation;

// Bulk path-validation throughput, single thread ("per core").
//   dotnet run -c Release --project bench/ZscalerPki.Bench -- chain [seconds-per-engine]
// Validates the same 3-certificate RSA-2048 chain (root -> intermediate -> leaf) repeatedly with the ZscalerPki engine
// (certificate objects reused, so each is parsed once; every iteration verifies both signatures again) and with
// .NET X509Chain (CustomRootTrust, no revocation). Last line: "chain: ours X/s, x509chain Y/s, N.Nx".
if (args.Length >= 1 && args[0] == "robustness")
    return ZscalerPki.Bench.RobustnessMode.Run(args);
// The cmdlets in a hosted PowerShell beside the engine: dotnet run -c Release --project bench/ZscalerPki.Bench -- forge-cmdlet [sites]   (see CmdletBench.cs)
if (args.Length >= 1 && args[0] == "revoke-cmdlet")
    return ZscalerPki.Bench.RevocationCmdletBench.Revoke(args.Skip(1).ToArray());
if (args.Length >= 1 && args[0] == "crl-cmdlet")
    return ZscalerPki.Bench.RevocationCmdletBench.Crl(args.Skip(1).ToArray());
if (args.Length >= 1 && args[0] == "forge-cmdlet")
    return ZscalerPki.Bench.CmdletBench.Forge(args.Skip(1).ToArray());
if (args.Length >= 1 && args[0] == "forge")
    return ZscalerPki.Bench.ForgeBench.Run(args.Skip(1).ToArray());
// CRLs: dotnet run -c Release --project bench/ZscalerPki.Bench -- crl [max-entries]   (see CrlBench.cs)
if (args.Length >= 1 && args[0] == "crl")
    return CrlBench.Run(args[1..]);
// HSM signing (SoftHSM2) vs software keys: dotnet run -c Release --project bench/ZscalerPki.Bench -- sign [seconds-per-case]   (see SignBench.cs)
if (args.Length >= 1 && args[0] == "sign")
    return ZscalerPki.Bench.SignBench.Run(args[1..]);
if (args.Length < 1 || args[0] != "chain")
{
    Console.Error.WriteLine("usage: ZscalerPki.Bench chain [seconds-per-engine] | crl [max-entries] | forge [sites] | forge-cmdlet [sites] | revoke-cmdlet [entries] [n] | crl-cmdlet [entries] | sign [seconds-per-case] | robustness [inputs] [seed]");
    return 2;
}
double seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3.0;

var (root, intermediate, leaf) = BuildChain();
var at = DateTimeOffset.UtcNow;

var request = new ChainValidationRequest
{
    Certificate = leaf,
    TrustedRoots = new[] { root },
    Intermediates = new[] { intermediate },
    At = at,
    DnsName = "bench.example",
    Purpose = ChainPurpose.ServerAuth,
};

bool Ours() => ChainValidator.Validate(request).IsValid;

bool Platform()
{
    using var chain = new X509Chain();
    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
    chain.ChainPolicy.CustomTrustStore.Add(root);
    chain.ChainPolicy.ExtraStore.Add(intermediate);
    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
    chain.ChainPolicy.VerificationTime = at.UtcDateTime;
    chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.1"));
    return chain.Build(leaf);
}

if (!Ours()) { Console.Error.WriteLine(ChainValidator.Validate(request).ToTreeString()); return 1; }
if (!Platform()) { Console.Error.WriteLine("X509Chain rejected the benchmark chain"); return 1; }

double Measure(string name, Func<bool> f)
{
    for (int i = 0; i < 500; i++) f(); // warm-up
    var sw = Stopwatch.StartNew();
    long n = 0;
    while (sw.Elapsed.TotalSeconds < seconds)
    {
        for (int i = 0; i < 100; i++)
            if (!f()) throw new InvalidOperationException(name + " returned invalid");
        n += 100;
    }
    var rate = n / sw.Elapsed.TotalSeconds;
    Console.WriteLine($"{name}: {n} validations in {sw.Elapsed.TotalSeconds:F2} s = {rate:F0}/s");
    return rate;
}

var ours = Measure("ours", Ours);
var platform = Measure("x509chain", Platform);
Console.WriteLine(FormattableString.Invariant($"chain: ours {ours:F0}/s, x509chain {platform:F0}/s, {ours / platform:F1}x"));
return 0;

static (X509Certificate2 Root, X509Certificate2 Intermediate, X509Certificate2 Leaf) BuildChain()
{
    var now = DateTimeOffset.UtcNow;
    using var rootKey = RSA.Create(2048);
    using var interKey = RSA.Create(2048);
    using var leafKey = RSA.Create(2048);

    var rootReq = new CertificateRequest("CN=Bench Root", rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    rootReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
    rootReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
    var rootSki = new X509SubjectKeyIdentifierExtension(rootReq.PublicKey, false);
    rootReq.CertificateExtensions.Add(rootSki);
    var root = rootReq.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));

    var interReq = new CertificateRequest("CN=Bench Intermediate", interKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    interReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
    interReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
    interReq.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(interReq.PublicKey, false));
    interReq.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(rootSki));
    using var interWithKey = interReq.Create(root, now.AddDays(-1), now.AddYears(4), new byte[] { 0x01, 0x02, 0x03, 0x04 }).CopyWithPrivateKey(interKey);
    var intermediate = X509CertificateLoader.LoadCertificate(interWithKey.RawData);

    var leafReq = new CertificateRequest("CN=bench.example", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    leafReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
    leafReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
    leafReq.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
    var san = new SubjectAlternativeNameBuilder();
    san.AddDnsName("bench.example");
    leafReq.CertificateExtensions.Add(san.Build());
    leafReq.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(intermediate, true, false));
    var leaf = leafReq.Create(interWithKey, now.AddDays(-1), now.AddYears(1), new byte[] { 0x05, 0x06, 0x07, 0x08 });
    return (X509CertificateLoader.LoadCertificate(root.RawData), intermediate, X509CertificateLoader.LoadCertificate(leaf.RawData));
}
