namespace ZscalerPki.Core.Storage;

/// <summary>
/// The naming rule of Zscaler's admin portal (letters, digits, '.', '-', '_'), which also keeps every name a safe folder name
/// on Windows, Linux and macOS.
/// </summary>
public static class VaultNames
{
    public const int MaxLength = 128;

    private static readonly HashSet<string> WindowsReserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>Null when the name is acceptable, else the reason it is not.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return "the name is empty";
        if (name.Length > MaxLength)
            return $"the name is {name.Length} characters long; at most {MaxLength} are allowed";
        foreach (var c in name)
        {
            if (!IsAllowed(c))
                return c == ' ' ? "it contains a space" : $"it contains the character '{c}' (U+{(int)c:X4})";
        }
        if (name.All(c => c == '.'))
            return "a name made only of periods is not allowed";
        if (name.EndsWith('.'))
            return "it ends with a period, which Windows drops from folder names";
        var stem = name.Split('.')[0];
        if (WindowsReserved.Contains(stem))
            return $"'{stem}' is a reserved device name on Windows";
        return null;
    }

    public static bool IsAllowed(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '.' or '-' or '_';

    /// <summary>Throws <c>InvalidName</c> naming the rule when <paramref name="name"/> breaks it.</summary>
    public static void Validate(string? name, string what = "certificate")
    {
        var problem = Problem(name);
        if (problem is not null)
            throw new PkiException(PkiErrorIds.InvalidName, PkiErrorCategory.InvalidArgument,
                $"The {what} name '{name}' is not valid: {problem}. Use only letters A-Z, digits, periods (.), hyphens (-) and underscores (_).", name);
    }
}
