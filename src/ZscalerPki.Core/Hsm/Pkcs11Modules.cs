using System.Collections.Concurrent;
using System.Security.Cryptography;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Hsm;

/// <summary>
/// The PKCS#11 modules of this process, one per library path: a module may be initialised only once per process, so every
/// key of every vault shares it. Through Pkcs11Interop, in process: no child process, no OpenSSL engine.
/// </summary>
public sealed class Pkcs11Modules
{
    private readonly ConcurrentDictionary<string, Pkcs11Module> _modules = new(StringComparer.Ordinal);

    private Pkcs11Modules()
    {
        ResolveLibdl();
    }

    /// <summary>The process's modules (PKCS#11 initialisation is process-wide, so there is exactly one such registry).</summary>
    public static Pkcs11Modules Process { get; } = new();

    /// <summary>Opens the private key <paramref name="key"/> names as an <see cref="RSA"/> or <see cref="ECDsa"/> that signs inside the token.</summary>
    public AsymmetricAlgorithm Open(Pkcs11KeyReference key, ReadOnlySpan<char> pin) => Pkcs11Keys.Open(Get(key.ModulePath), key, pin);

    /// <summary>
    /// Generates a key pair in the token (private key sensitive, never extractable, on the token, private; EC keys may also
    /// derive, for the forge cache's seal) labelled <paramref name="label"/> with a random CKA_ID, and opens it.
    /// </summary>
    public Pkcs11GeneratedKey Generate(string modulePath, string token, string label, Pkcs11KeySpec spec, ReadOnlySpan<char> pin) =>
        Pkcs11Keys.Generate(Get(modulePath), token, label, spec, pin);

    /// <summary>The objects the user of <paramref name="token"/> sees: class, label, id, and for keys whether they are sensitive and extractable (for tests and diagnostics; a string PIN so PowerShell can call it).</summary>
    public IReadOnlyList<Pkcs11ObjectInfo> ListObjects(string modulePath, string token, string pin) => Pkcs11Keys.ListObjects(Get(modulePath), token, pin);

    /// <summary>
    /// Pkcs11Interop loads modules through dlopen, which it imports from "libdl". Since glibc 2.34 dlopen lives in libc and
    /// only libdl.so.2 remains (no unversioned libdl.so without the -dev package), so that name is resolved here, once.
    /// </summary>
    private static void ResolveLibdl()
    {
        if (!OperatingSystem.IsLinux())
            return;
        try
        {
            System.Runtime.InteropServices.NativeLibrary.SetDllImportResolver(typeof(Net.Pkcs11Interop.HighLevelAPI.Pkcs11InteropFactories).Assembly, (name, assembly, searchPath) =>
                name == "libdl" && (System.Runtime.InteropServices.NativeLibrary.TryLoad("libdl.so.2", out var handle) || System.Runtime.InteropServices.NativeLibrary.TryLoad("libc.so.6", out handle))
                    ? handle
                    : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            // The host already resolves Pkcs11Interop's imports itself.
        }
    }

    internal Pkcs11Module Get(string modulePath)
    {
        if (string.IsNullOrWhiteSpace(modulePath))
            throw Pkcs11Errors.ModuleNotFound("(none)", "was not given");
        var full = Path.GetFullPath(modulePath);
        return _modules.GetOrAdd(full, p => new Pkcs11Module(p));
    }
}

/// <summary>What to generate in a token: RSA of a size, or EC on a named curve (P-256, P-384, P-521).</summary>
public sealed record Pkcs11KeySpec
{
    private Pkcs11KeySpec(int rsaBits, ECCurve? curve)
    {
        RsaBits = rsaBits;
        Curve = curve;
    }

    public int RsaBits { get; }

    public ECCurve? Curve { get; }

    public static Pkcs11KeySpec Rsa(int bits) => bits is 2048 or 3072 or 4096
        ? new(bits, null)
        : throw new ArgumentOutOfRangeException(nameof(bits), bits, "RSA keys in a token are 2048, 3072 or 4096 bits");

    public static Pkcs11KeySpec EcP256 { get; } = new(0, ECCurve.NamedCurves.nistP256);

    public static Pkcs11KeySpec EcP384 { get; } = new(0, ECCurve.NamedCurves.nistP384);

    public static Pkcs11KeySpec EcP521 { get; } = new(0, ECCurve.NamedCurves.nistP521);

    public static Pkcs11KeySpec Of(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.EcdsaP256 => EcP256,
        KeyAlgorithm.EcdsaP384 => EcP384,
        _ => Rsa(Keys.RsaBits(algorithm)),
    };

    public override string ToString() => Curve is { } c ? $"EC {c.Oid.FriendlyName}" : $"RSA {RsaBits}";
}

/// <summary>A key pair this process just generated in a token: open for signing, and destroyable while its creation can still fail.</summary>
public sealed class Pkcs11GeneratedKey : IDisposable
{
    private readonly Action _destroy;

    internal Pkcs11GeneratedKey(AsymmetricAlgorithm key, Pkcs11KeyReference reference, Action destroy)
    {
        Key = key;
        Reference = reference;
        _destroy = destroy;
    }

    public AsymmetricAlgorithm Key { get; }

    public Pkcs11KeyReference Reference { get; }

    /// <summary>Destroys both objects in the token (C_DestroyObject), so a failed creation leaves no key behind.</summary>
    public void Destroy() => _destroy();

    public void Dispose() => Key.Dispose();
}
