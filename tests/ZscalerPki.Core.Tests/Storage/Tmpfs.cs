using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ZscalerPki.Core.Tests.Storage;

/// <summary>
/// A small tmpfs mounted for one test (read-only or full-disk faults); needs root on Linux (CI runs the tests as root).
/// Unmounted when disposed.
/// </summary>
internal sealed class Tmpfs : IDisposable
{
    private Tmpfs(string path) => Path = path;

    public string Path { get; }

    /// <summary>Null when tmpfs can be mounted here, else why not (the reason a test is skipped with).</summary>
    public static string? Unavailable { get; } = Probe();

    public static Tmpfs Mount(string size)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "zpki-tmpfs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", $"size={size},mode=0700", "tmpfs", path);
        return new Tmpfs(path);
    }

    public void RemountReadOnly() => Run("mount", "-o", "remount,ro", Path);

    public void Dispose()
    {
        try
        {
            Run("umount", Path);
            Directory.Delete(Path);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            Run("umount", "-l", Path); // lazily, should a handle still be open
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
            return "tmpfs mounts are a Linux test";
        if (geteuid() != 0)
            return "mounting a tmpfs needs root (CI runs the tests as root)";
        try
        {
            using var probe = Mount("64k");
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            return "mount -t tmpfs failed here: " + ex.Message;
        }
    }

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {err.Trim()}");
    }

    [DllImport("libc")]
    private static extern uint geteuid();
}

/// <summary>A fact that needs <see cref="Tmpfs"/>: skipped, with the reason, where it cannot be mounted.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.Unavailable is { } why)
            Skip = why;
    }
}
