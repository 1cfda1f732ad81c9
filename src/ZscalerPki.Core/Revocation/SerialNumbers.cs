using System.Globalization;

namespace ZscalerPki.Core.Revocation;

/// <summary>Serial numbers as the database keys them: the DER INTEGER's content octets, minimal (no redundant leading 00).</summary>
public static class SerialNumbers
{
    /// <summary>At most 20 octets (RFC 5280 4.1.2.2), plus one for a sign octet some CAs add.</summary>
    public const int MaxOctets = 21;

    /// <summary>
    /// Parses a hex serial as tools print it: contiguous (<c>0A1B…</c>, as Get-IssuedCertificate and certutil's
    /// "Serial Number:" show it, optionally with <c>0x</c>), or byte pairs separated by colons (<c>0a:1b:…</c>, openssl) or
    /// spaces (<c>0a 1b …</c>, the Windows certificate dialog). Throws <c>InvalidSerialNumber</c> for anything else: a
    /// minus sign or a dash is refused, not stripped, so <c>-1</c> never names serial 01 (serials are positive,
    /// RFC 5280 4.1.2.2).
    /// </summary>
    public static byte[] Parse(string? text)
    {
        var s = (text ?? string.Empty).Trim();
        if (s.StartsWith('-'))
            throw Invalid(text, "is negative; serial numbers are positive integers (RFC 5280 4.1.2.2)");
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            s = s[2..];
        if (s.IndexOfAny([':', ' ']) >= 0)
            s = JoinBytePairs(text, s);
        if (s.Length == 0 || s.Any(c => !Uri.IsHexDigit(c)))
            throw Invalid(text, "is not a hexadecimal serial number (digits 0-9 and a-f, optionally as byte pairs separated by ':' or ' ')");
        if (s.Length % 2 == 1)
            s = "0" + s;
        var bytes = Convert.FromHexString(s);
        // Serial numbers are positive (RFC 5280 4.1.2.2) and tools print their magnitude: A0… means 00A0… in DER.
        if (bytes[0] >= 0x80)
            bytes = [0, .. bytes];
        bytes = Normalize(bytes);
        if (bytes.Length > MaxOctets)
            throw Invalid(text, $"is {bytes.Length} octets long; serial numbers have at most 20");
        return bytes;
    }

    /// <summary>"0a:1b:2c" or "0a 1b 2c" as "0a1b2c": one kind of separator, each group exactly one byte (two hex digits).</summary>
    private static string JoinBytePairs(string? text, string s)
    {
        var separator = s.Contains(':') ? ':' : ' ';
        var groups = s.Split(separator);
        if (groups.Any(g => g.Length != 2))
            throw Invalid(text, $"separates its digits with '{separator}' but not as byte pairs (like 0a{separator}1b{separator}2c)");
        return string.Concat(groups);
    }

    /// <summary>The minimal two's-complement form (leading 00 kept only where it marks a positive number).</summary>
    public static byte[] Normalize(ReadOnlySpan<byte> bytes)
    {
        var start = 0;
        while (start < bytes.Length - 1 && bytes[start] == 0 && bytes[start + 1] < 0x80)
            start++;
        return bytes[start..].ToArray();
    }

    public static string ToHex(ReadOnlySpan<byte> serial) => Convert.ToHexString(serial);

    private static PkiException Invalid(string? text, string why) =>
        new(PkiErrorIds.InvalidSerialNumber, PkiErrorCategory.InvalidArgument,
            $"The serial number '{text}' {why}. Pass it in hex as Get-IssuedCertificate shows it, e.g. 5F3A0C….", text);

    internal static string Invariant(long v) => v.ToString(CultureInfo.InvariantCulture);
}
