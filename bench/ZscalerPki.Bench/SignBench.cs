using System.Diagnostics;
using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Hsm;

namespace ZscalerPki.Bench;

// Signing in an HSM token beside signing with a software key, one thread, SoftHSM2 as the token:
//   dotnet run -c Release --project bench/ZscalerPki.Bench -- sign [seconds-per-case]
// A private SoftHSM2 token in a temp folder (deleted at the end), named by SOFTHSM2_CONF set in .NET's environment only
// (as PowerShell's $env: does); keys generated in it and opened through Pkcs11Modules (Pkcs11Interop, in process: every
// signature made inside the token by C_Sign). Cases, each HSM vs software: raw SignData over a 1 KB TBS-sized buffer with
// SHA-256 (RSA-2048 PKCS#1 v1.5, RSA-2048 PSS, ECDSA P-256), and issuing a leaf certificate with CertificateRequest.Create
// and an RSA-2048 CA key. Needs softhsm2 only.
// One line per case ("sign rsa2048 raw: hsm X/s, software Y/s, hsm/software Z.ZZx"); last line starts with "sign:".
internal static class SignBench
{
    private const string Module = "/usr/lib/softhsm/libsofthsm2.so";
    private const string Token = "zpki-bench";
    private const string Pin = "bench-1234";
    private const string SoPin = "bench-so-1234";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], Inv) : 3.0;
        var missing = MissingPrerequisite();
        if (missing is not null)
        {
            Console.Error.WriteLine($"sign: {missing}. This mode needs SoftHSM2: apt-get install softhsm2 (Debian/Ubuntu).");
            return 2;
        }

        var folder = Path.Combine(Path.GetTempPath(), "zpki-signbench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            // The token must exist before the PKCS#11 module is first loaded in this process (the first Generate loads it).
            if (!InitToken(folder))
                return 1;

            using var hsmRsa = (RSA)Pkcs11Modules.Process.Generate(Module, Token, "bench-rsa", Pkcs11KeySpec.Rsa(2048), Pin).Key;
            using var hsmEc = (ECDsa)Pkcs11Modules.Process.Generate(Module, Token, "bench-p256", Pkcs11KeySpec.EcP256, Pin).Key;
            using var swRsa = RSA.Create(2048);
            using var swEc = ECDsa.Create(ECCurve.NamedCurves.nistP256);

            var tbs = RandomNumberGenerator.GetBytes(1024);
            using var rsaPublic = RSA.Create();
            rsaPublic.ImportSubjectPublicKeyInfo(hsmRsa.ExportSubjectPublicKeyInfo(), out _);
            using var ecPublic = ECDsa.Create();
            ecPublic.ImportSubjectPublicKeyInfo(hsmEc.ExportSubjectPublicKeyInfo(), out _);
            var verifies = rsaPublic.VerifyData(tbs, hsmRsa.SignData(tbs, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                && rsaPublic.VerifyData(tbs, hsmRsa.SignData(tbs, HashAlgorithmName.SHA256, RSASignaturePadding.Pss), HashAlgorithmName.SHA256, RSASignaturePadding.Pss)
                && ecPublic.VerifyData(tbs, hsmEc.SignData(tbs, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256);

            // A leaf issued by the HSM CA key must carry a signature its public key verifies.
            using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var leafPublic = new PublicKey(leafKey);
            var issuerName = new X500DistinguishedName("CN=Bench Signing CA, O=Bench");
            var hsmGenerator = X509SignatureGenerator.CreateForRSA(hsmRsa, RSASignaturePadding.Pkcs1);
            var swGenerator = X509SignatureGenerator.CreateForRSA(swRsa, RSASignaturePadding.Pkcs1);
            var sample = IssueLeaf(0, leafPublic, issuerName, hsmGenerator);
            verifies &= CertificateSignedBy(sample.RawData, rsaPublic);
            Console.WriteLine($"hsm signature verifies with the public key: {(verifies ? "yes" : "no")}");

            var refused = ExportRefused(() => hsmRsa.ExportParameters(true)) && ExportRefused(() => hsmEc.ExportParameters(true));
            Console.WriteLine($"hsm key export refused: {(refused ? "yes" : "no")}");
            if (!verifies || !refused)
                return 1;

            var n = 0;
            var results = new List<(string Name, double Hsm, double Software)>
            {
                Case("rsa2048 raw", seconds,
                    () => hsmRsa.SignData(tbs, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                    () => swRsa.SignData(tbs, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)),
                Case("rsa2048 pss raw", seconds,
                    () => hsmRsa.SignData(tbs, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
                    () => swRsa.SignData(tbs, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)),
                Case("p256 raw", seconds,
                    () => hsmEc.SignData(tbs, HashAlgorithmName.SHA256),
                    () => swEc.SignData(tbs, HashAlgorithmName.SHA256)),
                Case("rsa2048 cert", seconds,
                    () => IssueLeaf(++n, leafPublic, issuerName, hsmGenerator).Dispose(),
                    () => IssueLeaf(++n, leafPublic, issuerName, swGenerator).Dispose()),
            };
            Console.WriteLine("sign: " + string.Join(", ", results.Select(r =>
                string.Format(Inv, "{0} hsm {1:F0}/s ({2:F2}x software)", r.Name, r.Hsm, r.Hsm / r.Software))));
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static (string Name, double Hsm, double Software) Case(string name, double seconds, Action hsm, Action software)
    {
        var h = Rate(hsm, seconds);
        var s = Rate(software, seconds);
        Console.WriteLine(string.Format(Inv, "sign {0}: hsm {1:F0}/s, software {2:F0}/s, hsm/software {3:F2}x", name, h, s, h / s));
        return (name, h, s);
    }

    /// <summary>Operations per second on this thread: a short warm-up, then batches until <paramref name="seconds"/> have passed.</summary>
    private static double Rate(Action op, double seconds)
    {
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < Math.Min(0.5, seconds / 5))
            op();
        var sw = Stopwatch.StartNew();
        long count = 0;
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 10; i++)
                op();
            count += 10;
        }
        return count / sw.Elapsed.TotalSeconds;
    }

    private static X509Certificate2 IssueLeaf(int i, PublicKey leafPublic, X500DistinguishedName issuerName, X509SignatureGenerator generator)
    {
        var host = $"site-{i}.example";
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + host), leafPublic, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var now = DateTimeOffset.UtcNow;
        return request.Create(issuerName, generator, now.AddMinutes(-5), now.AddDays(30), serial);
    }

    /// <summary>Verifies the outer signature of a DER certificate (SHA-256, PKCS#1 v1.5) with <paramref name="issuer"/>.</summary>
    private static bool CertificateSignedBy(byte[] der, RSA issuer)
    {
        var certificate = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var tbsCertificate = certificate.ReadEncodedValue();
        certificate.ReadSequence(); // signatureAlgorithm
        var signature = certificate.ReadBitString(out _);
        return issuer.VerifyData(tbsCertificate.Span, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private static bool ExportRefused(Action export)
    {
        try
        {
            export();
            return false;
        }
        catch (CryptographicException)
        {
            return true;
        }
    }

    private static bool InitToken(string folder)
    {
        var tokens = Path.Combine(folder, "tokens");
        Directory.CreateDirectory(tokens);
        var conf = Path.Combine(folder, "softhsm2.conf");
        File.WriteAllText(conf, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n");
        // .NET's environment only, as pwsh's $env: sets it: child processes get it, and Pkcs11Modules copies it into the
        // C runtime's environment (which the module reads with getenv) before initialising the module.
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", conf);
        var psi = new ProcessStartInfo("softhsm2-util") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--init-token", "--free", "--label", Token, "--so-pin", SoPin, "--pin", Pin })
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode == 0)
            return true;
        Console.Error.WriteLine($"sign: softhsm2-util --init-token failed ({process.ExitCode}): {output.Result}{errors.Result}".TrimEnd());
        return false;
    }

    /// <summary>What is missing to run this mode, or null when SoftHSM2 (module and softhsm2-util) is there.</summary>
    private static string? MissingPrerequisite()
    {
        if (!OperatingSystem.IsLinux())
            return "this mode runs on Linux only";
        if (!File.Exists(Module))
            return $"the SoftHSM2 module {Module} is missing";
        foreach (var tool in new[] { "softhsm2-util" })
        {
            var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries);
            if (!path.Any(d => File.Exists(Path.Combine(d, tool))))
                return $"{tool} is not on PATH";
        }
        return null;
    }
}
