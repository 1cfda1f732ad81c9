// Shared by tests/ZscalerPki.Core.Tests and bench/ZscalerPki.Bench: well-formed outer certificates and CSRs with one
// damaged field inside, the shape that reached the platform's lazy decoders (NotAfter, SubjectName.Name, typed extensions)
// and surfaced as a bare "ASN1 corrupted data" naming no file or field.
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;

namespace ZscalerPki.Robustness;

/// <summary>Certificates and CSRs whose outer structure is intact and one field (or one known extension) is malformed.</summary>
public static class FieldDamage
{
    private const string AnyPolicy = "2.5.29.32.0";

    /// <summary>The damaged base fields: (name, replacement TBS element index, replacement DER).</summary>
    private static IEnumerable<(string Name, string Field, byte[] Der)> BaseFields()
    {
        var goodTime = Tlv(0x17, "260101000000Z"u8.ToArray());
        yield return ("validity: UTCTime with letters", "validity", Seq(Tlv(0x17, "2X0101000000Z"u8.ToArray()), goodTime));
        yield return ("validity: UTCTime without Z", "validity", Seq(goodTime, Tlv(0x17, "270101000000"u8.ToArray())));
        yield return ("validity: GeneralizedTime with month 13", "validity", Seq(goodTime, Tlv(0x18, "20271301000000Z"u8.ToArray())));
        yield return ("validity: notAfter is an INTEGER", "validity", Seq(goodTime, Tlv(0x02, new byte[] { 1 })));
        yield return ("validity: three times", "validity", Seq(goodTime, goodTime, goodTime));
        yield return ("subject: UTF8String with invalid UTF-8", "subject", Name(Tlv(0x0C, new byte[] { 0x41, 0xC3, 0x28 })));
        yield return ("subject: BMPString of odd length", "subject", Name(Tlv(0x1E, new byte[] { 0x00, 0x41, 0x00 })));
        yield return ("subject: PrintableString with '@'", "subject", Name(Tlv(0x13, "a@b"u8.ToArray())));
        yield return ("subject: value is a SEQUENCE", "subject", Name(Seq(Tlv(0x02, new byte[] { 1 }))));
        yield return ("issuer: BMPString of odd length", "issuer", Name(Tlv(0x1E, new byte[] { 0x00, 0x41, 0x00 })));
        yield return ("issuer: attribute without a value", "issuer", Seq(Tlv(0x31, Seq(Oid("2.5.4.3")))));
        yield return ("serial: non-minimal INTEGER", "serial", Tlv(0x02, new byte[] { 0x00, 0x01 }));
        yield return ("serial: empty INTEGER", "serial", Tlv(0x02, Array.Empty<byte>()));
        yield return ("public key: BIT STRING with 9 unused bits", "spki", Seq(Seq(Oid("1.2.840.10045.2.1"), Oid("1.2.840.10045.3.1.7")), Tlv(0x03, new byte[] { 9, 4, 1, 2 })));
        yield return ("public key: no BIT STRING", "spki", Seq(Seq(Oid("1.2.840.10045.2.1"), Oid("1.2.840.10045.3.1.7"))));
    }

    /// <summary>The damaged known extensions: (name, OID, value DER).</summary>
    public static IEnumerable<(string Name, string Oid, byte[] Value)> Extensions()
    {
        yield return ("basicConstraints: cA is an OCTET STRING", "2.5.29.19", Seq(Tlv(0x04, new byte[] { 1 })));
        yield return ("basicConstraints: negative pathLen", "2.5.29.19", Seq(Tlv(0x01, new byte[] { 0xFF }), Tlv(0x02, new byte[] { 0xFF })));
        yield return ("basicConstraints: BOOLEAN 0x01", "2.5.29.19", Seq(Tlv(0x01, new byte[] { 0x01 })));
        yield return ("basicConstraints: bytes after", "2.5.29.19", Seq().Concat(new byte[] { 0x05, 0x00 }).ToArray());
        yield return ("keyUsage: not a BIT STRING", "2.5.29.15", Tlv(0x04, new byte[] { 0x06 }));
        yield return ("keyUsage: no bit set", "2.5.29.15", Tlv(0x03, new byte[] { 0x00 }));
        yield return ("extKeyUsage: empty", "2.5.29.37", Seq());
        yield return ("extKeyUsage: bad OID", "2.5.29.37", Seq(Tlv(0x06, new byte[] { 0x80 })));
        yield return ("subjectKeyIdentifier: not an OCTET STRING", "2.5.29.14", Tlv(0x02, new byte[] { 1 }));
        yield return ("authorityKeyIdentifier: keyIdentifier overruns", "2.5.29.35", new byte[] { 0x30, 0x03, 0x80, 0x05, 0x01 });
        yield return ("authorityKeyIdentifier: issuer is not a GeneralNames", "2.5.29.35", Seq(Tlv(0xA1, Tlv(0x02, new byte[] { 1 }))));
        yield return ("authorityKeyIdentifier: not a SEQUENCE", "2.5.29.35", Tlv(0x04, new byte[] { 1, 2, 3 }));
        yield return ("subjectAltName: 3-byte iPAddress", "2.5.29.17", Seq(Tlv(0x87, new byte[] { 10, 0, 1 })));
        yield return ("subjectAltName: empty", "2.5.29.17", Seq());
        yield return ("subjectAltName: dNSName with 0xFF", "2.5.29.17", Seq(Tlv(0x82, new byte[] { 0x61, 0xFF })));
        yield return ("nameConstraints: minimum 1", "2.5.29.30", Seq(Tlv(0xA0, Seq(Tlv(0x82, "example.com"u8.ToArray()), Tlv(0x80, new byte[] { 1 })))));
        yield return ("nameConstraints: empty", "2.5.29.30", Seq());
        yield return ("policyMappings: from anyPolicy", "2.5.29.33", Seq(Seq(Oid(AnyPolicy), Oid("1.3.6.1.4.1.99999.1"))));
        yield return ("certificatePolicies: empty", "2.5.29.32", Seq());
        yield return ("certificatePolicies: duplicate OID", "2.5.29.32", Seq(Seq(Oid("2.23.140.1.2.1")), Seq(Oid("2.23.140.1.2.1"))));
        yield return ("cRLDistributionPoints: empty", "2.5.29.31", Seq());
        yield return ("cRLDistributionPoints: empty DistributionPoint", "2.5.29.31", Seq(Seq()));
        yield return ("cRLDistributionPoints: bad DistributionPointName", "2.5.29.31", Seq(Seq(Tlv(0xA0, Tlv(0x02, new byte[] { 1 })))));
        yield return ("authorityInfoAccess: accessLocation not a GeneralName", "1.3.6.1.5.5.7.1.1", Seq(Seq(Oid("1.3.6.1.5.5.7.48.2"), Tlv(0x02, new byte[] { 1 }))));
    }

    /// <summary>
    /// Certificates made from <paramref name="der"/> with one base field or one extension damaged: re-signed by
    /// <paramref name="sign"/> (which gets the TBS and returns the certificate), or with the original signature left.
    /// </summary>
    public static IEnumerable<(string Name, byte[] Der)> Certificates(byte[] der, Func<byte[], byte[]>? sign = null)
    {
        var (tbs, tail) = SplitCertificate(der);
        byte[] Finish(byte[] newTbs) => sign?.Invoke(newTbs) ?? Seq(newTbs.Concat(tail).ToArray());
        var elements = Elements(tbs);
        var versioned = elements[0][0] == 0xA0 ? 1 : 0;
        var index = new Dictionary<string, int>
        {
            ["serial"] = versioned, ["issuer"] = versioned + 2, ["validity"] = versioned + 3, ["subject"] = versioned + 4, ["spki"] = versioned + 5,
        };
        foreach (var (name, field, replacement) in BaseFields())
        {
            var copy = elements.ToList();
            copy[index[field]] = replacement;
            yield return (name, Finish(Seq(copy.ToArray())));
        }
        foreach (var (name, oid, value) in Extensions())
        {
            var copy = elements.ToList();
            var extensionsAt = copy.FindIndex(e => e[0] == 0xA3);
            var kept = extensionsAt < 0 ? new List<byte[]>() : Elements(Elements(copy[extensionsAt])[0]).Where(e => ExtensionOid(e) != oid).ToList();
            kept.Add(Seq(Oid(oid), Tlv(0x04, value)));
            var wrapped = Tlv(0xA3, Seq(kept.ToArray()));
            if (extensionsAt < 0)
                copy.Add(wrapped);
            else
                copy[extensionsAt] = wrapped;
            yield return (name, Finish(Seq(copy.ToArray())));
        }
    }

    /// <summary>PKCS#10 requests signed by <paramref name="key"/> (so the signature verifies), each with one damaged field or extension.</summary>
    public static IEnumerable<(string Name, byte[] Der)> Requests(ECDsa key, string commonName)
    {
        var subject = Name(Tlv(0x0C, Encoding.UTF8.GetBytes(commonName)));
        var spki = key.ExportSubjectPublicKeyInfo();
        foreach (var (name, field, replacement) in BaseFields().Where(f => f.Field is "subject" or "spki"))
            yield return (name, SignRequest(key, field == "subject" ? replacement : subject, field == "spki" ? replacement : spki, null));
        foreach (var (name, oid, value) in Extensions())
            yield return (name, SignRequest(key, subject, spki, Seq(Oid(oid), Tlv(0x04, value))));
    }

    /// <summary>Signs a TBS (certificate or CRL) with ECDSA P-256 and SHA-256: the whole signed structure.</summary>
    public static Func<byte[], byte[]> SignWith(ECDsa key) => tbs =>
        Seq(tbs, Seq(Oid("1.2.840.10045.4.3.2")), Tlv(0x03, new byte[] { 0 }.Concat(key.SignData(tbs, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)).ToArray()));

    /// <summary>Signs a TBS with RSA PKCS#1 v1.5 and SHA-256 (sha256WithRSAEncryption, parameters NULL).</summary>
    public static Func<byte[], byte[]> SignWith(RSA key) => tbs =>
        Seq(tbs, RsaSha256, Tlv(0x03, new byte[] { 0 }.Concat(key.SignData(tbs, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)).ToArray()));

    public static readonly byte[] RsaSha256 = Seq(Oid("1.2.840.113549.1.1.11"), new byte[] { 0x05, 0x00 });

    private static byte[] SignRequest(ECDsa key, byte[] subject, byte[] spki, byte[]? extension)
    {
        // CertificationRequestInfo ::= SEQUENCE { version 0, subject, subjectPKInfo, attributes [0] } (RFC 2986 4.1), with the
        // PKCS#9 extensionRequest attribute (1.2.840.113549.1.9.14) holding the extension.
        var attributes = extension is null ? Tlv(0xA0, Array.Empty<byte>())
            : Tlv(0xA0, Seq(Oid("1.2.840.113549.1.9.14"), Tlv(0x31, Seq(extension))));
        var info = Seq(Tlv(0x02, new byte[] { 0 }), subject, spki, attributes);
        var signature = key.SignData(info, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return Seq(info, Seq(Oid("1.2.840.10045.4.3.2")), Tlv(0x03, new byte[] { 0 }.Concat(signature).ToArray()));
    }

    private static (byte[] Tbs, byte[] Tail) SplitCertificate(byte[] der)
    {
        var parts = Elements(der); // tbsCertificate, signatureAlgorithm, signatureValue
        return (parts[0], parts.Skip(1).SelectMany(p => p).ToArray());
    }

    /// <summary>The encoded elements inside one constructed DER value.</summary>
    private static List<byte[]> Elements(byte[] constructed)
    {
        var reader = new AsnReader(constructed, AsnEncodingRules.BER);
        var inner = new AsnReader(reader.PeekContentBytes(), AsnEncodingRules.BER);
        var list = new List<byte[]>();
        while (inner.HasData)
            list.Add(inner.ReadEncodedValue().ToArray());
        return list;
    }

    private static string? ExtensionOid(byte[] extension)
    {
        try
        {
            return new AsnReader(extension, AsnEncodingRules.DER).ReadSequence().ReadObjectIdentifier();
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    internal static byte[] Name(byte[] commonNameValue) => Seq(Tlv(0x31, Seq(Oid("2.5.4.3"), commonNameValue)));

    internal static byte[] Oid(string oid)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        w.WriteObjectIdentifier(oid);
        return w.Encode();
    }

    internal static byte[] Seq(params byte[][] items) => Tlv(0x30, items.SelectMany(i => i).ToArray());

    /// <summary>A tag, a definite length and the content, written without checking the content (that is the point).</summary>
    public static byte[] Tlv(byte tag, byte[] content)
    {
        var length = content.Length;
        byte[] lengthBytes = length < 0x80 ? new[] { (byte)length }
            : length < 0x100 ? new byte[] { 0x81, (byte)length }
            : length < 0x10000 ? new byte[] { 0x82, (byte)(length >> 8), (byte)length }
            : new byte[] { 0x83, (byte)(length >> 16), (byte)(length >> 8), (byte)length };
        return new[] { tag }.Concat(lengthBytes).Concat(content).ToArray();
    }
}
