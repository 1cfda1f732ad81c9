using System.Collections;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace ZscalerPki.Core.Hsm;

/// <summary>
/// One view of the process environment for native PKCS#11 modules. On Unix, .NET keeps its own copy of the environment:
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> (and so PowerShell's <c>$env:SOFTHSM2_CONF = ...</c>)
/// changes that copy only, while a module loaded into the process reads the C library's environment with <c>getenv</c>.
/// Before a module is initialised, .NET's view is copied into the native one so both agree. On Windows .NET writes the
/// process environment block itself, which is what native code reads, so there is nothing to copy.
/// </summary>
internal static class ProcessEnvironment
{
    /// <summary>Sets every variable whose native value differs from .NET's (variables .NET removed are left as they are).</summary>
    public static void CopyToNative()
    {
        if (OperatingSystem.IsWindows())
            return;
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            var value = variable.Value as string ?? string.Empty;
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
                continue; // setenv refuses such names; no module reads them
            if (NativeValue(name) != value)
                setenv(name, value, 1); // only what differs: setenv is not safe against a concurrent getenv elsewhere, so write rarely
        }
    }

    /// <summary>The C library's value of <paramref name="name"/> (what a native module sees), or null when unset.</summary>
    public static string? NativeValue(string name)
    {
        if (OperatingSystem.IsWindows())
            return Environment.GetEnvironmentVariable(name);
        var pointer = getenv(name);
        return pointer == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(pointer);
    }

    /// <summary>A digest of .NET's view of the environment, to tell whether it changed since a module was initialised.</summary>
    public static string Fingerprint()
    {
        var text = new StringBuilder();
        foreach (var (name, value) in Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
                     .Select(e => ((string)e.Key, e.Value as string ?? string.Empty)).OrderBy(e => e.Item1, StringComparer.Ordinal))
            text.Append(name).Append('=').Append(value).Append('\0');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
