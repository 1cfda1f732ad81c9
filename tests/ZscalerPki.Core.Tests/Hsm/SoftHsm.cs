using System.Security.Cryptography;
using ZscalerPki.Core.Hsm;

namespace ZscalerPki.Core.Tests.Hsm;

/// <summary>
/// SoftHSM2 tokens in a temp folder, named by a SOFTHSM2_CONF set the way PowerShell's <c>$env:</c> sets it: in .NET's copy
/// of the environment only (on Unix libc's environment, which the module reads, does not see it). The module is loaded
/// in process through Pkcs11Interop, which copies .NET's view into the native environment before initialising it.
/// One fixture for the collection: PKCS#11 initialises a module once per process, and SOFTHSM2_CONF is process-wide.
/// </summary>
public sealed class SoftHsm : IDisposable
{
    public const string Module = "/usr/lib/softhsm/libsofthsm2.so";
    public const string Pin = "1234-pester";
    public static readonly string[] Tokens = { "zpki-keys", "zpki-errors", "zpki-vault", "zpki-sign" };

    public static bool Available { get; } = OperatingSystem.IsLinux() && File.Exists(Module) && ExternalTool.Exists("softhsm2-util");

    public SoftHsm()
    {
        Folder = Path.Combine(Path.GetTempPath(), "zpki-softhsm-" + Guid.NewGuid().ToString("N")[..8]);
        if (!Available)
            return;
        Conf = NewTokenFolder(Folder, Tokens);
        NativeConfBeforeLoad = ProcessEnvironment.NativeValue("SOFTHSM2_CONF");
    }

    public string Folder { get; }

    public string Conf { get; } = string.Empty;

    /// <summary>What libc's environment said about SOFTHSM2_CONF after .NET set it and before the module was loaded.</summary>
    public string? NativeConfBeforeLoad { get; }

    /// <summary>
    /// A token folder with a config naming it, set as SOFTHSM2_CONF in .NET's environment only, and tokens initialised in
    /// it by softhsm2-util (a child process gets .NET's environment). Returns the config's path.
    /// </summary>
    public static string NewTokenFolder(string folder, params string[] tokens)
    {
        Directory.CreateDirectory(Path.Combine(folder, "tokens"));
        var conf = Path.Combine(folder, "softhsm2.conf");
        File.WriteAllText(conf, $"directories.tokendir = {Path.Combine(folder, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n");
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", conf);
        foreach (var token in tokens)
        {
            var init = ExternalTool.Run("softhsm2-util", new[] { "--init-token", "--free", "--label", token, "--so-pin", "so-" + Pin, "--pin", Pin });
            Assert.True(init.ExitCode == 0, init.All);
        }
        return conf;
    }

    /// <summary>Generates a key pair in <paramref name="token"/> and closes it: the key stays there, as one the HSM's own tools made.</summary>
    public static Pkcs11KeyReference Generate(string token, string label, Pkcs11KeySpec spec)
    {
        using var generated = Pkcs11Modules.Process.Generate(Module, token, label, spec, Pin);
        return generated.Reference;
    }

    public static AsymmetricAlgorithm Open(Pkcs11KeyReference reference, string pin = Pin) => Pkcs11Modules.Process.Open(reference, pin);

    /// <summary>The objects of the token as "class label" lines, to compare before and after.</summary>
    public static IReadOnlyList<string> Objects(string token) =>
        Pkcs11Modules.Process.ListObjects(Module, token, Pin).Select(o => $"{o.Class} {o.Label} {o.IdHex}").OrderBy(s => s, StringComparer.Ordinal).ToList();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Runs only where SoftHSM2 is installed (CI installs it); nothing else is needed: no OpenSC, no OpenSSL engine.</summary>
public sealed class SoftHsmFactAttribute : FactAttribute
{
    public SoftHsmFactAttribute()
    {
        if (!SoftHsm.Available)
            Skip = "SoftHSM2 (softhsm2: libsofthsm2.so and softhsm2-util) is not installed";
    }
}

[CollectionDefinition("SoftHSM", DisableParallelization = true)]
public sealed class SoftHsmCollection : ICollectionFixture<SoftHsm>;
