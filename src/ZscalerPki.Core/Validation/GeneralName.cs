using System.Formats.Asn1;

namespace ZscalerPki.Core.Validation;

/// <summary>GeneralName kinds (context tag numbers of the CHOICE).</summary>
internal enum GeneralNameKind
{
    OtherName = 0,
    Rfc822 = 1,
    Dns = 2,
    X400 = 3,
    Directory = 4,
    EdiParty = 5,
    Uri = 6,
    IPAddress = 7,
    RegisteredId = 8,
}

internal sealed record GeneralName(GeneralNameKind Kind, string? Text, byte[]? Bytes, DistinguishedName? Directory)
{
    public static GeneralName Read(AsnReader reader)
    {
        var tag = reader.PeekTag();
        if (tag.TagClass != TagClass.ContextSpecific)
            throw new AsnContentException("GeneralName must be context-tagged.");
        var kind = (GeneralNameKind)tag.TagValue;
        switch (kind)
        {
            case GeneralNameKind.Rfc822:
            case GeneralNameKind.Dns:
            case GeneralNameKind.Uri:
                return new GeneralName(kind, reader.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, (int)kind)), null, null);
            case GeneralNameKind.IPAddress:
                return new GeneralName(kind, null, reader.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 7)), null);
            case GeneralNameKind.Directory:
                {
                    var inner = reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 4, true));
                    var dn = DistinguishedName.Read(inner);
                    inner.ThrowIfNotEmpty();
                    return new GeneralName(kind, null, null, dn);
                }
            case GeneralNameKind.RegisteredId:
                return new GeneralName(kind, reader.ReadObjectIdentifier(new Asn1Tag(TagClass.ContextSpecific, 8)), null, null);
            case GeneralNameKind.OtherName:
            case GeneralNameKind.X400:
            case GeneralNameKind.EdiParty:
                return new GeneralName(kind, null, reader.ReadEncodedValue().ToArray(), null);
            default:
                throw new AsnContentException("Unknown GeneralName choice.");
        }
    }

    public static List<GeneralName> ReadNames(AsnReader reader)
    {
        var seq = reader.ReadSequence();
        var list = new List<GeneralName>();
        while (seq.HasData) list.Add(Read(seq));
        return list;
    }

    public static List<GeneralName> ReadNames(AsnReader reader, Asn1Tag tag)
    {
        var seq = reader.ReadSequence(tag);
        var list = new List<GeneralName>();
        while (seq.HasData) list.Add(Read(seq));
        return list;
    }

    public override string ToString() => Kind switch
    {
        GeneralNameKind.Directory => "DirName:" + Directory,
        GeneralNameKind.IPAddress => "IP:" + FormatIp(Bytes!),
        GeneralNameKind.Dns => "DNS:" + Text,
        GeneralNameKind.Rfc822 => "email:" + Text,
        GeneralNameKind.Uri => "URI:" + Text,
        _ => Kind + (Text is null ? "" : ":" + Text),
    };

    private static string FormatIp(byte[] b) =>
        b.Length is 4 or 16 ? new System.Net.IPAddress(b).ToString() :
        b.Length is 8 or 32 ? new System.Net.IPAddress(b.AsSpan(0, b.Length / 2)) + "/" + new System.Net.IPAddress(b.AsSpan(b.Length / 2)) :
        Convert.ToHexString(b);
}
