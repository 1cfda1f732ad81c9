namespace ZscalerPki.Core.Storage;

/// <summary>
/// Cross-process exclusive locks on a file (<c>.lock</c> of the vault, <c>crl.lock</c> of a CA): only another holder is
/// waited for. Any other failure to open the lock file (a read-only file system, a missing folder, no permission) is
/// reported at once: retrying it for the whole timeout is what made a read-only vault answer "VaultBusy" after 30-61 s.
/// </summary>
internal static class LockFile
{
    public static FileStream Acquire(string path, TimeSpan timeout, Func<Exception, PkiException> busy)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = 5;
        while (true)
        {
            try
            {
                // Created 0600 whatever the umask (the lock holds nothing, but a world-writable file in the vault invites abuse).
                return new FileStream(path, VaultPermissions.NewFile(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException ex) when (IsHeldByAnother(ex) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(Random.Shared.Next(delay, delay * 2));
                delay = Math.Min(delay * 2, 100);
            }
            catch (IOException ex) when (IsHeldByAnother(ex))
            {
                throw busy(ex);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw NotWritable(path, ex);
            }
        }
    }

    /// <summary>
    /// The lock is held: on Unix .NET's flock(LOCK_NB) fails with EWOULDBLOCK, surfaced as HResult 11 (Linux) or 35 (macOS);
    /// on Windows a sharing or lock violation (0x80070020, 0x80070021).
    /// </summary>
    private static bool IsHeldByAnother(IOException ex) =>
        OperatingSystem.IsWindows()
            ? ex.HResult is unchecked((int)0x80070020) or unchecked((int)0x80070021)
            : ex.HResult is 11 or 35;

    private static PkiException NotWritable(string path, Exception ex)
    {
        var folder = Path.GetDirectoryName(path) ?? path;
        // EROFS (30 on Linux and macOS): the whole file system is mounted read-only.
        var readOnly = ex.HResult == 30 || ex.Message.Contains("Read-only", StringComparison.OrdinalIgnoreCase);
        return new PkiException(PkiErrorIds.FileAccessDenied, PkiErrorCategory.PermissionDenied,
            readOnly
                ? $"The vault folder '{folder}' is on a read-only file system ({ex.Message.TrimEnd('.')}); nothing can be changed there. Remount it read-write, or pass a writable -VaultPath."
                : $"Cannot create or open the lock file '{path}' ({ex.Message.TrimEnd('.')}); the folder '{folder}' is read-only or not this user's. Make it writable for this user, or pass another -VaultPath.", folder, ex);
    }
}
