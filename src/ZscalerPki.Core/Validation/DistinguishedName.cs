using System.Formats.Asn1;
using System.Text;

namespace ZscalerPki.Core.Validation;

/// <summary>
/// A parsed X.501 Name with a canonical form for RFC 5280 section 7.1 comparison: attribute values of
/// directory-string types compare case-insensitively with leading/trailing whitespace removed and internal
/// whitespace runs collapsed; other values compare as raw DER. Multi-valued RDNs compare as sets.
/// </summary>
internal sealed class DistinguishedName : IEquatable<DistinguishedName>
{
    public static readonly DistinguishedName Empty = new(Array.Empty<byte>(), Array.Empty<string>(), Array.Empty<(string, string)>());

    private DistinguishedName(byte[] raw, string[] rdns, (string Oid, string Value)[] attributes)
    {
        Raw = raw;
        Rdns = rdns;
        Attributes = attributes;
        Canonical = string.Join("\u0001", rdns);
    }

    /// <summary>The DER encoding as found in the certificate.</summary>
    public byte[] Raw { get; }

    /// <summary>Canonical string per RDN (sorted AVAs joined), in order.</summary>
    public string[] Rdns { get; }

    /// <summary>Every attribute (type OID, decoded text or hex), in order.</summary>
    public (string Oid, string Value)[] Attributes { get; }

    public string Canonical { get; }

    public bool IsEmpty => Rdns.Length == 0;

    public static DistinguishedName Read(AsnReader reader)
    {
        var raw = reader.ReadEncodedValue().ToArray();
        return Parse(raw);
    }

    public static DistinguishedName Parse(byte[] raw)
    {
        var r = new AsnReader(raw, AsnEncodingRules.DER);
        var seq = r.ReadSequence();
        r.ThrowIfNotEmpty();
        var rdns = new List<string>();
        var attrs = new List<(string, string)>();
        while (seq.HasData)
        {
            var set = seq.ReadSetOf(skipSortOrderValidation: true);
            var avas = new List<string>();
            while (set.HasData)
            {
                var ava = set.ReadSequence();
                var oid = ava.ReadObjectIdentifier();
                var valueTag = ava.PeekTag();
                var valueBytes = ava.ReadEncodedValue();
                ava.ThrowIfNotEmpty();
                var (canon, display) = CanonicalValue(valueTag, valueBytes);
                avas.Add(oid.Length + ":" + oid + "=" + canon);
                attrs.Add((oid, display));
            }
            if (avas.Count == 0)
                throw new AsnContentException("Empty RDN.");
            avas.Sort(StringComparer.Ordinal);
            rdns.Add(string.Join("\u0002", avas));
        }
        return new DistinguishedName(raw, rdns.ToArray(), attrs.ToArray());
    }

    private static (string Canonical, string Display) CanonicalValue(Asn1Tag tag, ReadOnlyMemory<byte> encoded)
    {
        if (tag.TagClass == TagClass.Universal && !tag.IsConstructed)
        {
            UniversalTagNumber? kind = (UniversalTagNumber)tag.TagValue switch
            {
                UniversalTagNumber.PrintableString => UniversalTagNumber.PrintableString,
                UniversalTagNumber.UTF8String => UniversalTagNumber.UTF8String,
                UniversalTagNumber.IA5String => UniversalTagNumber.IA5String,
                UniversalTagNumber.BMPString => UniversalTagNumber.BMPString,
                UniversalTagNumber.UniversalString => UniversalTagNumber.UniversalString,
                UniversalTagNumber.T61String => UniversalTagNumber.T61String,
                UniversalTagNumber.VisibleString => UniversalTagNumber.VisibleString,
                _ => null,
            };
            if (kind is { } k)
            {
                string text;
                try
                {
                    var vr = new AsnReader(encoded, AsnEncodingRules.BER);
                    // T61String (TeletexString) is read as Latin-1, as OpenSSL and browsers do; AsnReader has no reader for
                    // it (ReadOctetString with its tag throws ArgumentException), so its contents are taken as they are.
                    text = k == UniversalTagNumber.T61String
                        ? Latin1(T61Contents(encoded.Span))
                        : vr.ReadCharacterString(k);
                }
                catch (AsnContentException)
                {
                    var hex = "#" + Convert.ToHexString(encoded.Span);
                    return (hex, hex);
                }
                return ("s:" + Normalize(text), text);
            }
        }
        var h = "#" + Convert.ToHexString(encoded.Span);
        return (h, h);
    }

    private static string Latin1(ReadOnlySpan<byte> b) => Encoding.Latin1.GetString(b);

    private static ReadOnlySpan<byte> T61Contents(ReadOnlySpan<byte> encoded)
    {
        AsnDecoder.ReadEncodedValue(encoded, AsnEncodingRules.DER, out int offset, out int length, out int consumed);
        if (consumed != encoded.Length)
        {
            throw new AsnContentException("Trailing data after a T61String.");
        }
        return encoded.Slice(offset, length);
    }

    internal static string Normalize(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool pendingSpace = false;
        foreach (var ch in s.Trim())
        {
            if (char.IsWhiteSpace(ch)) { pendingSpace = true; continue; }
            if (pendingSpace) { sb.Append(' '); pendingSpace = false; }
            sb.Append(char.ToLowerInvariant(char.ToUpperInvariant(ch)));
        }
        return sb.ToString();
    }

    /// <summary>This name with one more RDN (a DER SET) appended, for nameRelativeToCRLIssuer.</summary>
    public DistinguishedName Append(byte[] rdnSet)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            var r = new AsnReader(Raw.Length == 0 ? new byte[] { 0x30, 0x00 } : Raw, AsnEncodingRules.DER).ReadSequence();
            while (r.HasData) w.WriteEncodedValue(r.ReadEncodedValue().Span);
            w.WriteEncodedValue(rdnSet);
        }
        return Parse(w.Encode());
    }

    /// <summary>True when this name's RDN sequence starts with <paramref name="prefix"/>'s (directoryName subtree).</summary>
    public bool IsWithin(DistinguishedName prefix)
    {
        if (prefix.Rdns.Length > Rdns.Length) return false;
        for (int i = 0; i < prefix.Rdns.Length; i++)
            if (!string.Equals(prefix.Rdns[i], Rdns[i], StringComparison.Ordinal)) return false;
        return true;
    }

    public bool Equals(DistinguishedName? other) => other is not null && string.Equals(Canonical, other.Canonical, StringComparison.Ordinal) && Rdns.Length == other.Rdns.Length;

    public override bool Equals(object? obj) => Equals(obj as DistinguishedName);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Canonical);

    private static readonly Dictionary<string, string> ShortNames = new()
    {
        ["2.5.4.3"] = "CN", ["2.5.4.6"] = "C", ["2.5.4.7"] = "L", ["2.5.4.8"] = "S", ["2.5.4.10"] = "O",
        ["2.5.4.11"] = "OU", ["2.5.4.5"] = "SERIALNUMBER", ["0.9.2342.19200300.100.1.25"] = "DC",
        ["1.2.840.113549.1.9.1"] = "E", ["2.5.4.4"] = "SN", ["2.5.4.42"] = "G", ["0.9.2342.19200300.100.1.1"] = "UID",
    };

    /// <summary>Readable form, most-significant RDN last (like X500DistinguishedName.Name).</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        foreach (var (oid, value) in Attributes)
            parts.Add((ShortNames.TryGetValue(oid, out var n) ? n : "OID." + oid) + "=" + value);
        parts.Reverse();
        return string.Join(", ", parts);
    }
}
