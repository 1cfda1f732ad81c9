// Shared by tests/ZscalerPki.Core.Tests and bench/ZscalerPki.Bench: every engine entry point that reads untrusted bytes
// or strings, fed with MalformedInputs; each call must end in a result or a PkiException with a catalogued ErrorId.
using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Robustness;

/// <summary>The outcome of a run: counts, the unclean calls (any exception but a catalogued PkiException), and the slow ones.</summary>
public sealed record RobustnessReport(int Inputs, int Accepted, int Refused, IReadOnlyList<string> Unclean, IReadOnlyList<string> Hangs, TimeSpan Slowest, string SlowestInput)
{
    public string Summary => $"robustness: {Inputs} inputs, {Unclean.Count} unclean, {Hangs.Count} hangs (accepted {Accepted}, refused {Refused}; slowest {Slowest.TotalMilliseconds:0} ms: {SlowestInput})";
}

public sealed partial class RobustnessRunner : IDisposable
{
    private static readonly HashSet<string> Catalog = typeof(PkiErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "zpki-robustness-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _intermediate;
    private readonly byte[] _leaf;
    private readonly X509Certificate2 _leafCertificate;
    private readonly byte[] _crl;
    private readonly byte[] _csr;
    private readonly byte[] _p7b;
    private readonly string _keyPem;
    private readonly byte[] _entryJson;
    private readonly Vault _importVault;
    private readonly ForgingSession _forging = new();
    private readonly InspectionService _inspection;
    private readonly List<IDisposable> _generators = new();
    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public RobustnessRunner()
    {
        Directory.CreateDirectory(_folder);
        var rootKey = _rootKey;
        using var intermediateKey = RSA.Create(2048);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;

        var rootRequest = new CertificateRequest("CN=Robustness Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        _root = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));

        var intermediateRequest = new CertificateRequest("CN=Robustness Intermediate", intermediateKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        intermediateRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediateRequest.PublicKey, false));
        intermediateRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_root, true, false));
        intermediateRequest.CertificateExtensions.Add(new X509Extension("2.5.29.30", Convert.FromHexString("3011A00F300D820B6578616D706C652E636F6D"), true));
        using (var issued = intermediateRequest.Create(_root.SubjectName, X509SignatureGenerator.CreateForECDsa(rootKey), now.AddDays(-1), now.AddYears(4), new byte[] { 1, 2, 3, 4 }))
            _intermediate = issued.CopyWithPrivateKey(intermediateKey);

        var leafRequest = new CertificateRequest("CN=www.example.com", leafKey, HashAlgorithmName.SHA256);
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("www.example.com");
        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_intermediate, true, false));
        leafRequest.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(new[] { "http://crl.example.com/i.crl" }));
        using (var leaf = leafRequest.Create(_intermediate.SubjectName, X509SignatureGenerator.CreateForRSA(intermediateKey, RSASignaturePadding.Pkcs1), now.AddDays(-1), now.AddYears(1), new byte[] { 5, 6, 7, 8 }))
            _leaf = leaf.RawData;
        _leafCertificate = CertificateReader.ReadSingle(_leaf);

        var crlBuilder = new CertificateRevocationListBuilder();
        crlBuilder.AddEntry(new byte[] { 9, 9, 9 }, now.AddHours(-1), X509RevocationReason.KeyCompromise);
        _crl = crlBuilder.Build(_intermediate, 1, now.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, now.AddMinutes(-5));

        using var csrKey = RSA.Create(2048);
        var csrRequest = new CertificateRequest("CN=Robustness Inspection CA, O=Contoso", csrKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        csrRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        _csr = csrRequest.CreateSigningRequest();
        _p7b = new X509Certificate2Collection { _intermediate, _root }.Export(X509ContentType.Pkcs7)!;
        _keyPem = leafKey.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, KeyProtection.MinIterations));

        var entryVault = Vault.Open(Path.Combine(_folder, "seed-vault"));
        new EnrollmentService(entryVault).Create(new NewEnrollmentRequest { Name = "E", KeyPassword = "pw".AsMemory(), KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        _entryJson = File.ReadAllBytes(Path.Combine(entryVault.Root, Collections.Enrollment, "E", "entry.json"));

        _importVault = Vault.Open(Path.Combine(_folder, "import-vault"));
        new IntermediateService(_importVault).CreateCsr(new NewIntermediateCsrRequest { Name = "Pending", CommonName = "Robustness Inspection CA", KeyPassword = "pw".AsMemory() });
        // Forging with an external issuer (the intermediate and its key): no vault CA, nothing recorded or published.
        _inspection = new InspectionService(Vault.Open(Path.Combine(_folder, "forge-vault")), _forging, new NoPublication(), new NoRecorder());
    }

    private sealed class NoPublication : IIssuerPublicationSource
    {
        public IssuerPublication GetPublication(IssuerReference issuer) => IssuerPublication.None;
    }

    private sealed class NoRecorder : IIssuanceRecorder
    {
        public void Record(IssuanceRecord record)
        {
        }
    }

    public void Dispose()
    {
        _forging.Dispose();
        _generators.ForEach(g => g.Dispose());
        _rootKey.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The entry points with the seed they are fed: (name, inputs, call).</summary>
    private IEnumerable<(string Name, IEnumerator<MalformedInput> Inputs, Action<byte[]> Call)> EntryPoints(int seed, bool big)
    {
        var g = new MalformedInputs(seed);
        IEnumerator<MalformedInput> Of(string kind, byte[] der, string? label, bool withBig = false) => new MalformedInputs(seed ^ kind.GetHashCode(StringComparison.Ordinal)).Mutate(kind, der, label, big && withBig).GetEnumerator();
        var entryCounter = 0;

        yield return ("certificate reader", Of("certificate", _leaf, "CERTIFICATE", withBig: true), data => CertificateReader.Read(data));
        yield return ("single certificate", Of("certificate", _leaf, "CERTIFICATE"), data => CertificateReader.ReadSingle(data));
        yield return ("p7b reader", Of("p7b", _p7b, "PKCS7", withBig: true), data => CertificateReader.Read(data));
        yield return ("csr reader", Of("csr", _csr, "CERTIFICATE REQUEST", withBig: true), data =>
        {
            var csr = IntermediateCsr.Read(data);
            KeyPolicy.RequireAcceptableKey(csr.PublicKey, "the CSR");
        });
        yield return ("crl reader", Of("crl", _crl, "X509 CRL", withBig: true), data => ValidationInput.ReadCrls(data));
        yield return ("chain: leaf", Of("leaf", _leaf, "CERTIFICATE"), data => Validate(CertificateReader.Read(data)[0], _crl));
        yield return ("chain: intermediate", Of("intermediate", _intermediate.RawData, "CERTIFICATE"), data => Validate(_leafCertificate, _crl, CertificateReader.Read(data)[0]));
        yield return ("chain: crl", Of("crl", _crl, "X509 CRL"), data => Validate(_leafCertificate, ValidationInput.ReadCrls(data).FirstOrDefault() ?? _crl));
        yield return ("key file", Of("key", Convert.FromBase64String(string.Concat(_keyPem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)))), "ENCRYPTED PRIVATE KEY"), data =>
        {
            var text = Encoding.UTF8.GetString(data);
            using var key = KeyProtection.Decrypt(text.Contains("-----BEGIN", StringComparison.Ordinal) ? text : MalformedInputs.ToPem("ENCRYPTED PRIVATE KEY", data), "pw", KeyProtection.EcOid, "robustness");
        });
        yield return ("import", Of("intermediate", _intermediate.RawData, "CERTIFICATE"), data => new IntermediateService(_importVault).Import(new ImportSignedIntermediateRequest
        {
            Name = "Pending", Certificates = CertificateReader.Read(data), Chain = new[] { _root },
        }));
        yield return ("vault entry", Of("entry", _entryJson, null), data =>
        {
            var root = Path.Combine(_folder, "entries", (entryCounter++).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(Path.Combine(root, Collections.Enrollment, "E"));
            File.WriteAllBytes(Path.Combine(root, Collections.Enrollment, "E", "entry.json"), data);
            var service = new EnrollmentService(Vault.Open(root));
            service.Get();
            service.GetOne("E");
            Directory.Delete(root, recursive: true);
        });
        // Origins whose subject and names are hostile but well-formed (HostileOrigins), through the forging entry point.
        var origins = new HostileOrigins(seed);
        _generators.Add(origins);
        yield return ("forge from origin", origins.Generate().GetEnumerator(), data => _inspection.Forge(new ForgeRequest
        {
            Site = SiteProfile.FromOrigin(CertificateReader.ReadSingle(data)), IssuerCertificate = _intermediate,
        }));
        var text = g.Text().GetEnumerator();
        IEnumerator<MalformedInput> Texts()
        {
            while (text.MoveNext())
                yield return new MalformedInput("text", "generated text", Encoding.UTF8.GetBytes(text.Current));
        }
        yield return ("names and patterns", Texts(), data =>
        {
            var s = Encoding.UTF8.GetString(data);
            new Wildcard(s).IsMatch("Contoso-Root");
            VaultNames.Problem(s);
            Wildcard.ContainsWildcard(s);
        });
        foreach (var point in FieldEntryPoints())
            yield return point;
    }

    private void Validate(X509Certificate2 leaf, byte[] crl, X509Certificate2? intermediate = null) =>
        ChainValidator.Validate(new ChainValidationRequest
        {
            Certificate = leaf,
            TrustedRoots = new[] { _root },
            Intermediates = new[] { intermediate ?? _intermediate },
            Crls = new[] { crl },
            RevocationMode = RevocationMode.Check,
            DnsName = "www.example.com",
            Profile = ValidationProfile.WebPki,
        });

    /// <summary>Runs about <paramref name="count"/> inputs, spread over the entry points; each must finish within <paramref name="limit"/>.</summary>
    public RobustnessReport Run(int count, int seed, bool big, TimeSpan limit, Action<int>? progress = null)
    {
        var points = EntryPoints(seed, big).ToList();
        var unclean = new List<string>();
        var hangs = new List<string>();
        int done = 0, accepted = 0, refused = 0;
        var slowest = TimeSpan.Zero;
        var slowestInput = string.Empty;
        // Fixed catalogues run whole; the rest of the count is shared by the endless generators.
        var fixedInputs = points.Sum(p => p.Inputs is FixedInputs f ? f.Count : 0);
        var perPoint = Math.Max(1, (count - fixedInputs) / Math.Max(1, points.Count(p => p.Inputs is not FixedInputs)));
        foreach (var (name, inputs, call) in points)
        {
            for (var i = 0; (inputs is FixedInputs || i < perPoint) && inputs.MoveNext(); i++)
            {
                var input = inputs.Current;
                var label = $"{name} <- {input.Kind}: {input.Mutation} ({input.Data.Length} bytes)";
                // The bound is on the CPU time the input costs its own thread, not on wall time: on a loaded 2-core machine
                // (a parallel test suite) wall time includes waiting for a core, which is not the input's cost. A real hang
                // still ends the wait at ten times the bound, by the wall clock.
                Task<(Exception? Error, TimeSpan Elapsed)> Start() => Task.Factory.StartNew(() =>
                {
                    var start = ThreadCpuClock.Now();
                    try
                    {
                        call(input.Data);
                        return ((Exception?)null, ThreadCpuClock.Now() - start);
                    }
                    catch (Exception ex)
                    {
                        return (ex, ThreadCpuClock.Now() - start);
                    }
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                var task = Start();
                if (!task.Wait(limit * 10))
                {
                    hangs.Add($"{label}: still running after {(limit * 10).TotalSeconds:0} s");
                    done++;
                    continue;
                }
                var elapsed = task.Result.Elapsed;
                if (elapsed > limit)
                {
                    // Once more: a real blow-up is slow every time, a GC pause or a busy machine is not.
                    var again = Start();
                    elapsed = again.Wait(limit * 10) && again.Result.Elapsed < elapsed ? again.Result.Elapsed : elapsed;
                }
                if (elapsed > slowest)
                {
                    slowest = elapsed;
                    slowestInput = label;
                }
                if (elapsed > limit)
                    hangs.Add($"{label}: {elapsed.TotalMilliseconds:0} ms of CPU (twice)");
                switch (task.Result.Error)
                {
                    case null:
                        accepted++;
                        break;
                    case PkiException pki when Catalog.Contains(pki.ErrorId):
                        refused++;
                        break;
                    case PkiException pki:
                        unclean.Add($"{label}: uncatalogued ErrorId {pki.ErrorId}");
                        break;
                    case var other:
                        unclean.Add($"{label}: {other!.GetType().Name}: {other.Message.Split('\n')[0]}");
                        break;
                }
                done++;
                if (done % 1000 == 0)
                    progress?.Invoke(done);
            }
        }
        return new RobustnessReport(done, accepted, refused, unclean, hangs, slowest, slowestInput);
    }
}

/// <summary>
/// The CPU time the calling thread has used: clock_gettime(CLOCK_THREAD_CPUTIME_ID) on Linux and macOS, GetThreadTimes on
/// Windows; wall time (a stopwatch) where neither is available.
/// </summary>
internal static class ThreadCpuClock
{
    private static readonly Stopwatch Fallback = Stopwatch.StartNew();

    public static TimeSpan Now()
    {
        try
        {
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
            {
                var clock = OperatingSystem.IsLinux() ? 3 : 16; // CLOCK_THREAD_CPUTIME_ID
                if (clock_gettime(clock, out var ts) == 0)
                    return TimeSpan.FromTicks(ts.Seconds * TimeSpan.TicksPerSecond + ts.Nanoseconds / 100);
            }
            else if (OperatingSystem.IsWindows() && GetThreadTimes(GetCurrentThread(), out _, out _, out var kernel, out var user))
            {
                return TimeSpan.FromTicks(kernel + user);
            }
        }
        catch (DllNotFoundException)
        {
        }
        catch (EntryPointNotFoundException)
        {
        }
        return Fallback.Elapsed;
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int clock_gettime(int clockId, out TimeSpec time);

    [System.Runtime.InteropServices.DllImport("kernel32")]
    private static extern IntPtr GetCurrentThread();

    [System.Runtime.InteropServices.DllImport("kernel32")]
    [return: System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.Bool)]
    private static extern bool GetThreadTimes(IntPtr thread, out long creation, out long exit, out long kernel, out long user);
}
