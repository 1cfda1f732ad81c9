// Shared by tests/ZscalerPki.Core.Tests (the CI run) and bench/ZscalerPki.Bench (the long run): a deterministic generator
// of malformed inputs derived from well-formed artifacts.
using System.Formats.Asn1;
using System.Text;

namespace ZscalerPki.Robustness;

/// <summary>One generated input: how it was made (for the report) and its bytes.</summary>
public sealed record MalformedInput(string Kind, string Mutation, byte[] Data);

/// <summary>
/// Malformed variants of a seed: truncations at many offsets, bit flips, DER length fields claiming huge or impossible
/// sizes, inserted/deleted/duplicated ranges, nesting 10,000 deep, 10 MB inputs, wrong PEM labels, CRLF, trailing junk,
/// a byte-order mark, broken base64, BEGIN lines without END. Deterministic for a given seed.
/// </summary>
public sealed class MalformedInputs
{
    private readonly Random _random;

    public MalformedInputs(int seed) => _random = new Random(seed);

    /// <summary>An endless stream of mutations of <paramref name="der"/> (and of its PEM form when <paramref name="pemLabel"/> is given).</summary>
    public IEnumerable<MalformedInput> Mutate(string kind, byte[] der, string? pemLabel, bool big = false)
    {
        var pem = pemLabel is null ? null : Encoding.ASCII.GetBytes(ToPem(pemLabel, der));
        // The fixed catalogue first: every shape once.
        foreach (var fixedInput in Fixed(kind, der, pem, pemLabel, big))
            yield return fixedInput;
        while (true)
        {
            var source = pem is not null && _random.Next(4) == 0 ? pem : der;
            var form = ReferenceEquals(source, pem) ? "pem" : "der";
            switch (_random.Next(8))
            {
                case 0:
                {
                    var at = _random.Next(source.Length);
                    yield return new(kind, $"{form} truncated at {at}", source[..at]);
                    break;
                }
                case 1:
                case 2:
                {
                    var data = (byte[])source.Clone();
                    var flips = 1 + _random.Next(3);
                    for (var i = 0; i < flips; i++)
                        data[_random.Next(data.Length)] ^= (byte)(1 << _random.Next(8));
                    yield return new(kind, $"{form} {flips} bit flip(s)", data);
                    break;
                }
                case 3:
                    yield return new(kind, "der length field rewritten", RewriteLength(der));
                    break;
                case 4:
                {
                    var at = _random.Next(source.Length);
                    var insert = new byte[1 + _random.Next(16)];
                    _random.NextBytes(insert);
                    yield return new(kind, $"{form} {insert.Length} bytes inserted at {at}", source[..at].Concat(insert).Concat(source[at..]).ToArray());
                    break;
                }
                case 5:
                {
                    var at = _random.Next(source.Length);
                    var length = Math.Min(source.Length - at, 1 + _random.Next(32));
                    yield return new(kind, $"{form} {length} bytes deleted at {at}", source[..at].Concat(source[(at + length)..]).ToArray());
                    break;
                }
                case 6:
                {
                    var at = _random.Next(source.Length);
                    var length = Math.Min(source.Length - at, 1 + _random.Next(64));
                    yield return new(kind, $"{form} {length} bytes duplicated at {at}", source[..(at + length)].Concat(source[at..]).ToArray());
                    break;
                }
                default:
                {
                    var data = (byte[])source.Clone();
                    data[_random.Next(data.Length)] = (byte)_random.Next(256);
                    yield return new(kind, $"{form} byte replaced", data);
                    break;
                }
            }
        }
    }

    private IEnumerable<MalformedInput> Fixed(string kind, byte[] der, byte[]? pem, string? label, bool big)
    {
        yield return new(kind, "empty", Array.Empty<byte>());
        yield return new(kind, "one zero byte", new byte[1]);
        yield return new(kind, "der with trailing junk", der.Concat(Encoding.ASCII.GetBytes("junk")).ToArray());
        yield return new(kind, "der twice", der.Concat(der).ToArray());
        foreach (var huge in new byte[][] { new byte[] { 0x84, 0x7F, 0xFF, 0xFF, 0xFF }, new byte[] { 0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, new byte[] { 0x80 }, new byte[] { 0x00 } })
            yield return new(kind, $"outer length {Convert.ToHexString(huge)}", new[] { der[0] }.Concat(huge).Concat(der[(1 + LengthOfLength(der, 1))..]).ToArray());
        yield return new(kind, "nested 10,000 deep (definite)", Nested(10_000));
        yield return new(kind, "nested 10,000 deep (indefinite)", Enumerable.Repeat(new byte[] { 0x30, 0x80 }, 10_000).SelectMany(b => b).ToArray());
        for (var step = 1; step < der.Length; step += Math.Max(1, der.Length / 40))
            yield return new(kind, $"der truncated at {step}", der[..step]);
        if (pem is not null && label is not null)
        {
            var text = Encoding.ASCII.GetString(pem);
            yield return new(kind, "pem with CRLF", Encoding.ASCII.GetBytes(text.Replace("\n", "\r\n")));
            yield return new(kind, "pem with a UTF-8 BOM", new byte[] { 0xEF, 0xBB, 0xBF }.Concat(pem).ToArray());
            yield return new(kind, "pem with trailing junk", Encoding.ASCII.GetBytes(text + "trailing junk\n"));
            yield return new(kind, "pem with a wrong label", Encoding.ASCII.GetBytes(text.Replace(label, "SOMETHING ELSE")));
            yield return new(kind, "pem labelled TRUSTED CERTIFICATE", Encoding.ASCII.GetBytes(text.Replace(label, "TRUSTED CERTIFICATE")));
            yield return new(kind, "pem without END", Encoding.ASCII.GetBytes(text[..text.IndexOf("-----END", StringComparison.Ordinal)]));
            yield return new(kind, "pem with mismatched END", Encoding.ASCII.GetBytes(text.Replace("-----END " + label, "-----END X509 CRL")));
            yield return new(kind, "second pem block with bad base64", Encoding.ASCII.GetBytes(text + text.Replace("\n", "\n!", StringComparison.Ordinal)));
            yield return new(kind, "pem with spaces in base64", Encoding.ASCII.GetBytes(text.Replace("A", " A")));
            yield return new(kind, "base64 without armour", Encoding.ASCII.GetBytes(Convert.ToBase64String(der)));
            if (big)
            {
                yield return new(kind, "10 MB of BEGIN lines without END", Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"-----BEGIN {label}-----\n", 10_000_000 / (label.Length + 17)))));
                yield return new(kind, "10 MB pem bundle", Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(text, 10_000_000 / text.Length))));
            }
        }
        if (big)
        {
            yield return new(kind, "10 MB of zeros", new byte[10_000_000]);
            var noise = new byte[10_000_000];
            _random.NextBytes(noise);
            noise[0] = 0x30;
            yield return new(kind, "10 MB of noise after a SEQUENCE tag", noise);
            yield return new(kind, "10 MB of base64 letters", Enumerable.Repeat((byte)'A', 10_000_000).ToArray());
        }
    }

    /// <summary>Strings for name, pattern and path parameters: control characters, surrogates, brackets, huge lengths.</summary>
    public IEnumerable<string> Text()
    {
        string[] fixedTexts =
        {
            "", " ", "\0", "a\0b", "[z-a]", "[", "]", "[]", "[!]", "`", "``[", "*", "?", "\ud800", "\udc00x", "a b", "..", ".", "-", "_",
            new string('a', 65), new string('x', 100_000), "CN=", "CN=\"", "=,=,=", "\u202e", "ü", "𝒳", "\r\n", "con", "nul", "a/b", "a\\b",
        };
        foreach (var t in fixedTexts)
            yield return t;
        const string alphabet = "aZ09.-_*?[]`!^\\/\0 \t\r\n\"'=,+;<>#ü𝒳\ud800\udfff";
        while (true)
        {
            var length = _random.Next(1, 40);
            var sb = new StringBuilder(length);
            for (var i = 0; i < length; i++)
                sb.Append(alphabet[_random.Next(alphabet.Length)]);
            yield return sb.ToString();
        }
    }

    public static string ToPem(string label, byte[] der) => $"-----BEGIN {label}-----\n{Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks).Replace("\r", string.Empty)}\n-----END {label}-----\n";

    private byte[] RewriteLength(byte[] der)
    {
        // Find a tag followed by a length and make the length claim something absurd.
        var data = (byte[])der.Clone();
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var at = _random.Next(Math.Max(1, data.Length - 2));
            if (data[at] is 0x30 or 0x31 or 0x04 or 0x03 or 0x02 or 0xA0 or 0xA3 or 0x06)
            {
                var huge = _random.Next(4) switch
                {
                    0 => new byte[] { 0x84, 0xFF, 0xFF, 0xFF, 0xFF },
                    1 => new byte[] { 0x81, 0x00 },
                    2 => new byte[] { 0x80 },
                    _ => new byte[] { (byte)_random.Next(256) },
                };
                var rest = at + 1 + LengthOfLength(data, at + 1);
                return data[..(at + 1)].Concat(huge).Concat(data[Math.Min(rest, data.Length)..]).ToArray();
            }
        }
        return data;
    }

    private static int LengthOfLength(byte[] data, int at) =>
        at >= data.Length ? 0 : data[at] < 0x80 ? 1 : 1 + (data[at] & 0x7F);

    private static byte[] Nested(int depth)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        var scopes = new Stack<AsnWriter.Scope>();
        for (var i = 0; i < depth; i++)
            scopes.Push(writer.PushSequence());
        while (scopes.Count > 0)
            scopes.Pop().Dispose();
        return writer.Encode();
    }
}
