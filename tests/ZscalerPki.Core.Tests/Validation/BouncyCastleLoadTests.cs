using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography.X509Certificates;
using Xunit.Abstractions;

namespace ZscalerPki.Core.Tests.Validation;

/// <summary>
/// BouncyCastle.Cryptography is loaded only when a chain uses an algorithm .NET lacks. Checked in a fresh
/// AssemblyLoadContext holding its own copy of ZscalerPki.Core, which records every assembly the engine asks for
/// (the test process itself may have loaded BouncyCastle for other tests already).
/// </summary>
public class BouncyCastleLoadTests
{
    private readonly ITestOutputHelper _output;

    public BouncyCastleLoadTests(ITestOutputHelper output) => _output = output;

    private sealed class RecordingContext : AssemblyLoadContext
    {
        private readonly string _dir;

        public RecordingContext(string dir) : base("bc-load-test", isCollectible: true) => _dir = dir;

        public List<string> Requested { get; } = new();

        protected override Assembly? Load(AssemblyName name)
        {
            lock (Requested) Requested.Add(name.Name ?? "");
            var path = Path.Combine(_dir, name.Name + ".dll");
            // Only the engine and BouncyCastle are private to this context; the rest resolves from the default one.
            return name.Name == "BouncyCastle.Cryptography" && File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        public bool LoadedBouncyCastle
        {
            get { lock (Requested) return Requested.Contains("BouncyCastle.Cryptography"); }
        }
    }

    private static bool Validate(Assembly core, X509Certificate2 leaf, X509Certificate2 root, X509Certificate2 intermediate)
    {
        var requestType = core.GetType("ZscalerPki.Core.Validation.ChainValidationRequest", throwOnError: true)!;
        var request = Activator.CreateInstance(requestType)!;
        requestType.GetProperty("Certificate")!.SetValue(request, leaf);
        requestType.GetProperty("TrustedRoots")!.SetValue(request, new[] { root });
        requestType.GetProperty("Intermediates")!.SetValue(request, new[] { intermediate });
        var validate = core.GetType("ZscalerPki.Core.Validation.ChainValidator", throwOnError: true)!.GetMethod("Validate", new[] { requestType })!;
        var result = validate.Invoke(null, new[] { request })!;
        return (bool)result.GetType().GetProperty("IsValid")!.GetValue(result)!;
    }

    [Fact]
    public void BouncyCastle_IsLoadedOnlyWhenAnAlgorithmNeedsIt()
    {
        var dir = AppContext.BaseDirectory;
        var context = new RecordingContext(dir);
        try
        {
            var core = context.LoadFromAssemblyPath(Path.Combine(dir, "ZscalerPki.Core.dll"));

            using var ecRoot = TestCa.CreateRoot("CN=Load Test EC Root");
            using var ecInter = ecRoot.IssueCa("CN=Load Test EC Intermediate");
            using var rsaRoot = TestCa.CreateRoot("CN=Load Test RSA Root", rsa: true);
            using var rsaInter = rsaRoot.IssueCa("CN=Load Test RSA Intermediate", rsa: true);
            Assert.True(Validate(core, ecInter.IssueLeaf("ec.example"), ecRoot.Certificate, ecInter.Certificate));
            Assert.True(Validate(core, rsaInter.IssueLeaf("rsa.example", rsa: true), rsaRoot.Certificate, rsaInter.Certificate));
            Assert.False(context.LoadedBouncyCastle, "ECDSA/RSA validation loaded BouncyCastle: " + string.Join(", ", context.Requested));

            using var ed = OpenSslChain.Build(OpenSslChain.Ed25519, Array.Empty<string>());
            var first = Stopwatch.StartNew();
            Assert.True(Validate(core, ed.Leaf, ed.Root, ed.Intermediate));
            first.Stop();
            Assert.True(context.LoadedBouncyCastle);
            var second = Stopwatch.StartNew();
            Assert.True(Validate(core, ed.Leaf, ed.Root, ed.Intermediate));
            second.Stop();
            _output.WriteLine($"first Ed25519 chain (BouncyCastle load + JIT): {first.Elapsed.TotalMilliseconds:F1} ms; second: {second.Elapsed.TotalMilliseconds:F1} ms");
        }
        finally
        {
            context.Unload();
        }
    }
}
