using System.Text;

namespace ZscalerPki.Core.Hsm;

/// <summary>
/// A private key that lives in a PKCS#11 token and is only ever referenced: the token's module (the vendor's PKCS#11
/// library), the token label, and the key object's label and id, written as an RFC 7512 URI
/// (<c>pkcs11:token=...;object=...;id=%01;type=private</c>). No key material and no PIN are ever part of it.
/// </summary>
public sealed record Pkcs11KeyReference : IHsmKeyReference
{
    public required string ModulePath { get; init; }

    public required string Token { get; init; }

    /// <summary>The token's serial number, when the URI names it (tells apart tokens with the same label).</summary>
    public string? Serial { get; init; }

    public required string Object { get; init; }

    /// <summary>The key's CKA_ID as hex, when known.</summary>
    public string? IdHex { get; init; }

    /// <summary>The RFC 7512 URI of the private key (path attributes percent-encoded where RFC 3986 asks).</summary>
    public string Uri
    {
        get
        {
            var sb = new StringBuilder("pkcs11:token=").Append(Encode(Token));
            if (!string.IsNullOrEmpty(Serial))
                sb.Append(";serial=").Append(Encode(Serial));
            sb.Append(";object=").Append(Encode(Object));
            if (!string.IsNullOrEmpty(IdHex))
            {
                sb.Append(";id=");
                for (var i = 0; i + 1 < IdHex.Length; i += 2)
                    sb.Append('%').Append(IdHex.Substring(i, 2).ToUpperInvariant());
            }
            return sb.Append(";type=private").ToString();
        }
    }

    public override string ToString() => $"{Uri} (module {ModulePath})";

    public string Describe() => ToString();

    /// <summary>
    /// Reads an RFC 7512 URI naming a private key (token and object required; id optional; type private or absent).
    /// Query attributes such as pin-value are refused: a PIN never travels inside a key reference.
    /// </summary>
    public static Pkcs11KeyReference Parse(string uri, string modulePath)
    {
        if (string.IsNullOrWhiteSpace(uri) || !uri.StartsWith("pkcs11:", StringComparison.OrdinalIgnoreCase))
            throw Invalid(uri, "it does not start with 'pkcs11:'");
        var body = uri["pkcs11:".Length..];
        if (body.Contains('?', StringComparison.Ordinal))
            throw Invalid(uri, "it has query attributes (such as pin-value); pass the PIN separately, never inside the URI");
        string? token = null, serial = null, obj = null, id = null;
        foreach (var part in body.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw Invalid(uri, $"'{part}' is not name=value");
            var name = part[..eq].ToLowerInvariant();
            var value = Decode(part[(eq + 1)..], uri);
            switch (name)
            {
                case "token": token = Encoding.UTF8.GetString(value); break;
                case "serial": serial = Encoding.UTF8.GetString(value); break;
                case "object": obj = Encoding.UTF8.GetString(value); break;
                case "id": id = Convert.ToHexString(value); break;
                case "type":
                    if (Encoding.ASCII.GetString(value) is not ("private"))
                        throw Invalid(uri, "its type is not 'private'");
                    break;
                default: break; // manufacturer, model, library-*: allowed by RFC 7512, not needed to find the key
            }
        }
        if (string.IsNullOrEmpty(token) || string.IsNullOrEmpty(obj))
            throw Invalid(uri, "it must name the token (token=...) and the key (object=...)");
        return new Pkcs11KeyReference { ModulePath = modulePath, Token = token, Serial = serial, Object = obj, IdHex = id };
    }

    private static string Encode(string value)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '&' or '+' or '!' or '$' or '\'' or '(' or ')' or '*' or ',' or '=' or ':' or '[' or ']' or '@' or ' ')
                sb.Append(c == ' ' ? "%20" : c.ToString());
            else
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static byte[] Decode(string value, string uri)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%')
            {
                if (i + 2 >= value.Length || !byte.TryParse(value.AsSpan(i + 1, 2), System.Globalization.NumberStyles.HexNumber, null, out var b))
                    throw Invalid(uri, $"'{value}' has a broken percent-escape");
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value[i].ToString()));
            }
        }
        return bytes.ToArray();
    }

    private static PkiException Invalid(string uri, string why) =>
        new(PkiErrorIds.InvalidKeyReference, PkiErrorCategory.InvalidArgument,
            $"'{uri}' is not a usable PKCS#11 key URI: {why}. Write it as pkcs11:token=<token label>;object=<key label>;type=private (RFC 7512).", uri);
}
