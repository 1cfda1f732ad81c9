namespace ZscalerPki.Core.Storage;

/// <summary>
/// Everything in a vault is owner-only on Unix whatever the umask: folders 0700, files 0600. Modes are given at creation
/// (a umask can only remove bits, so 0700/0600 stay that), and files created by others on our behalf (SQLite's database
/// and its -wal/-shm) are set right after. Windows gets the equivalent from the vault root's inherited owner-only ACL.
/// </summary>
internal static class VaultPermissions
{
    public const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                              UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="path"/> (and missing parents) 0700; an existing folder is left as it is.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(path);
        else
            Directory.CreateDirectory(path, Folder);
    }

    /// <summary>A new folder under the system's temp folder, 0700 on Unix whatever the umask (e.g. a key handed to another program).</summary>
    public static string CreateTempFolder(string prefix)
    {
        var dir = Directory.CreateTempSubdirectory(prefix).FullName;
        if (!OperatingSystem.IsWindows())
            System.IO.File.SetUnixFileMode(dir, Folder);
        return dir;
    }

    /// <summary>Sets a file this process just created to 0600.</summary>
    public static void OwnerOnlyFile(string path)
    {
        if (!OperatingSystem.IsWindows())
            System.IO.File.SetUnixFileMode(path, File);
    }

    /// <summary>
    /// Options for a new vault file: created 0600 on Unix (<see cref="FileStreamOptions.UnixCreateMode"/> is only honoured
    /// when the call creates the file).
    /// </summary>
    public static FileStreamOptions NewFile(FileMode mode, FileAccess access, FileShare share)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = 1 };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = File;
        return options;
    }

    /// <summary>
    /// Makes an existing file owner-only when group or others have any access; best effort (a file another user owns is
    /// left alone, and whatever then fails names it).
    /// </summary>
    public static void TightenFile(string path)
    {
        if (OperatingSystem.IsWindows())
            return;
        try
        {
            if (System.IO.File.Exists(path) && (System.IO.File.GetUnixFileMode(path) & GroupOrOther) != 0)
                System.IO.File.SetUnixFileMode(path, File);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// A vault root that group or others can enter (created by an older version, or by hand) is set to 0700; returns the
    /// notice to show, or null when nothing had to change. Everything inside is then unreachable for other users.
    /// </summary>
    public static string? TightenRoot(string root)
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists(root))
            return null;
        try
        {
            var mode = System.IO.File.GetUnixFileMode(root);
            if ((mode & GroupOrOther) == 0)
                return null;
            System.IO.File.SetUnixFileMode(root, Folder);
            return $"The vault folder '{root}' was readable by other users (mode {Octal(mode)}); it is now owner-only (0700).";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"The vault folder '{root}' is readable by other users and could not be made owner-only ({ex.Message}); run: chmod 700 '{root}'.";
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');

    /// <summary>
    /// The Windows equivalent of 0700: an ACL granting only the current user full control, inherited by everything below,
    /// with inheritance from the parent folder cut (so a broadly readable %LOCALAPPDATA% parent does not leak into the vault).
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    public static void CreateOwnerOnlyFolderOnWindows(string path)
    {
        var parent = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(parent))
            Directory.CreateDirectory(parent);
        var security = new System.Security.AccessControl.DirectorySecurity();
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        var user = System.Security.Principal.WindowsIdentity.GetCurrent().User
            ?? throw new UnauthorizedAccessException("the current Windows user has no SID");
        security.SetOwner(user);
        security.AddAccessRule(new System.Security.AccessControl.FileSystemAccessRule(user,
            System.Security.AccessControl.FileSystemRights.FullControl,
            System.Security.AccessControl.InheritanceFlags.ContainerInherit | System.Security.AccessControl.InheritanceFlags.ObjectInherit,
            System.Security.AccessControl.PropagationFlags.None, System.Security.AccessControl.AccessControlType.Allow));
        new DirectoryInfo(path).Create(security);
    }
}
