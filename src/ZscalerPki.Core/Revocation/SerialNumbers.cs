using System.Globalization;

namespace ZscalerPki.Core.Revocation;

/// <summary>Serial numbers as the database keys them: the DER INTEGER's content octets, minimal (no redundant leading 00).</summary>
public static class SerialNumbers
{
    /// <summary>At most 20 octets (RFC 5280 4.1.2.2), plus one for a sign octet some CAs add.</summary>
    public const int MaxOctets = 21;

    /// <summary>
    /// Parses a hex serial as users copy it (<c>0A1B…</c>, <c>0a:1b:…</c>, with spaces, with <c>0x</c>); throws
    /// <c>InvalidSerialNumber</c> for anything else.
    /// </summary>
    public static byte[] Parse(string? text)
    {
        var s = (text ?? string.Empty).Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            s = s[2..];
        s = s.Replace(":", string.Empty).Replace(" ", string.Empty).Replace("-", string.Empty);
        if (s.Length == 0 || s.Any(c => !Uri.IsHexDigit(c)))
            throw Invalid(text, "is not a hexadecimal serial number");
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
