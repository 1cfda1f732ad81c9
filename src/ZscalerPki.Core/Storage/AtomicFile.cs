using System.Text;

namespace ZscalerPki.Core.Storage;

/// <summary>
/// Writes a file so that readers see either the old content or the new one, never a half-written file:
/// the bytes go to a temp file in the same folder, are flushed to disk, and the temp file is renamed over the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>Owner read/write only, for private-key files and anything else that must not be world-readable.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void WriteAllText(string path, string text, bool secret = false) =>
        WriteAllBytes(path, Encoding.UTF8.GetBytes(text), secret);

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, bool secret = false)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            WriteNew(temp, bytes, secret);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Creates a new file (fails if it exists), flushed to disk; with <paramref name="secret"/> it is created 0600 on Unix, never wider.</summary>
    public static void WriteNew(string path, ReadOnlySpan<byte> bytes, bool secret = false)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (secret && !OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerOnly;
        using var stream = new FileStream(path, options);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
