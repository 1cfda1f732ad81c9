using System.Reflection;
using System.Runtime.InteropServices;

namespace ZscalerPki.Core.Revocation;

/// <summary>
/// Finds the native SQLite library (e_sqlite3) for the issued-certificate database when ZscalerPki is loaded as a PowerShell
/// module: the host's deps.json knows nothing of our native assets, so the P/Invoke "e_sqlite3" is resolved here against
/// <c>runtimes/&lt;rid&gt;/native/</c> beside ZscalerPki.Core.dll (the layout build.ps1 stages), after the default probing
/// (the assembly's own folder, the app's deps) had its chance. Only the provider assembly's imports are resolved, so another
/// module's SQLite copy is never touched.
/// </summary>
internal static class SqliteRuntime
{
    private static readonly object Gate = new();
    private static bool _ready;

    public static void EnsureLoaded()
    {
        if (_ready)
            return;
        lock (Gate)
        {
            if (_ready)
                return;
            try
            {
                NativeLibrary.SetDllImportResolver(typeof(SQLitePCL.SQLite3Provider_e_sqlite3).Assembly, Resolve);
            }
            catch (InvalidOperationException)
            {
                // A resolver is already registered for this assembly (loaded before us by another component): keep theirs.
            }
            SQLitePCL.Batteries_V2.Init();
            _ready = true;
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!name.Contains("e_sqlite3", StringComparison.Ordinal))
            return IntPtr.Zero;
        if (NativeLibrary.TryLoad(name, assembly, searchPath, out var handle))
            return handle;
        var baseDir = Path.GetDirectoryName(typeof(SqliteRuntime).Assembly.Location);
        if (string.IsNullOrEmpty(baseDir))
            return IntPtr.Zero;
        foreach (var rid in RuntimeIds())
        {
            var candidate = Path.Combine(baseDir, "runtimes", rid, "native", FileName(name));
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out handle))
                return handle;
        }
        return IntPtr.Zero;
    }

    private static string FileName(string name) =>
        OperatingSystem.IsWindows() ? name + ".dll" : OperatingSystem.IsMacOS() ? "lib" + name + ".dylib" : "lib" + name + ".so";

    private static IEnumerable<string> RuntimeIds()
    {
        yield return RuntimeInformation.RuntimeIdentifier;
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        if (os == "linux" && File.Exists("/etc/alpine-release"))
            yield return $"linux-musl-{arch}";
        yield return $"{os}-{arch}";
    }
}
