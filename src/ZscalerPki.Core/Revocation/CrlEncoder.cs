using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Revocation;

/// <summary>
/// Writes CRLs (RFC 5280 section 5) with <see cref="AsnWriter"/>: the revoked entries are pre-encoded at revocation time, so
/// building a CRL is one sequential copy into a writer sized up front, one signature over the TBS, and one more copy into
/// the outer SEQUENCE. Linear in the number of entries (no sorting, no per-entry objects).
/// </summary>
public static class CrlEncoder
{
    private const string OidReasonCode = "2.5.29.21";
    private const string OidInvalidityDate = "2.5.29.24";
    private const string OidCrlNumber = "2.5.29.20";
    private const string OidDeltaCrlIndicator = "2.5.29.27";
    private const string OidFreshestCrl = "2.5.29.46";
    private const string OidAuthorityKeyIdentifier = "2.5.29.35";

    /// <summary>One revokedCertificates entry: serial, revocationDate, and reasonCode / invalidityDate extensions when given.</summary>
    public static byte[] EncodeEntry(ReadOnlySpan<byte> serial, DateTimeOffset revocationDate, RevocationReason reason, DateTimeOffset? invalidityDate)
    {
        var w = new AsnWriter(AsnEncodingRules.DER, 64);
        w.PushSequence();
        w.WriteInteger(serial);
        WriteTime(w, revocationDate);
        // RFC 5280 5.3.1: reasonCode unspecified SHOULD be absent.
        if (reason != RevocationReason.Unspecified || invalidityDate is not null)
        {
            w.PushSequence();
            if (reason != RevocationReason.Unspecified)
            {
                w.PushSequence();
                w.WriteObjectIdentifier(OidReasonCode);
                using (w.PushOctetString())
                    w.WriteEnumeratedValue(reason);
                w.PopSequence();
            }
            if (invalidityDate is { } inv)
            {
                w.PushSequence();
                w.WriteObjectIdentifier(OidInvalidityDate);
                using (w.PushOctetString())
                    w.WriteGeneralizedTime(Whole(inv), omitFractionalSeconds: true);
                w.PopSequence();
            }
            w.PopSequence();
        }
        w.PopSequence();
        return w.Encode();
    }

    /// <summary>The CRL's header fields and extensions.</summary>
    /// <summary>Receives one DER value (valid only during the call).</summary>
    internal delegate void SpanSink(ReadOnlySpan<byte> der);

    /// <summary>
    /// Whether a stored entry is what <see cref="EncodeEntry"/> writes for <paramref name="serial"/>: exactly one DER
    /// SEQUENCE of the serial's INTEGER, a UTCTime or GeneralizedTime, and optionally one SEQUENCE of extensions. Entries are
    /// copied into the CRL unparsed, so a damaged row would otherwise be signed into a CRL no client can read.
    /// </summary>
    internal static bool IsEntryFor(ReadOnlySpan<byte> entry, ReadOnlySpan<byte> serial)
    {
        try
        {
            AsnDecoder.ReadSequence(entry, AsnEncodingRules.DER, out var offset, out var length, out var consumed);
            if (consumed != entry.Length)
                return false;
            var body = entry.Slice(offset, length);
            var integer = AsnDecoder.ReadIntegerBytes(body, AsnEncodingRules.DER, out consumed);
            if (!integer.SequenceEqual(serial))
                return false;
            body = body[consumed..];
            var tag = Asn1Tag.Decode(body, out _);
            if (tag.HasSameClassAndValue(Asn1Tag.UtcTime))
                AsnDecoder.ReadUtcTime(body, AsnEncodingRules.DER, out consumed);
            else
                AsnDecoder.ReadGeneralizedTime(body, AsnEncodingRules.DER, out consumed);
            body = body[consumed..];
            if (!body.IsEmpty)
            {
                AsnDecoder.ReadSequence(body, AsnEncodingRules.DER, out _, out _, out consumed);
                if (consumed != body.Length)
                    return false;
            }
            return true;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    internal sealed record CrlHeader(X509Certificate2 Issuer, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate);

    /// <summary>The numbering extensions; known only once the entries were read (they follow the entries in the TBS).</summary>
    internal sealed record CrlNumbers(long CrlNumber, long? BaseCrlNumber, IReadOnlyList<string> FreshestCrlUrls);

    /// <summary>
    /// Builds and signs a v2 CRL into <paramref name="output"/> in memory that does not grow with the CRL.
    /// <paramref name="writeEntries"/> is called once with a callback that appends one encoded entry; the entries go to
    /// <paramref name="scratch"/> (a stream the caller owns and deletes), since DER puts the TBS length before them. The TBS
    /// is then hashed from there in one pass (the signature is made over the hash: <see cref="SignHash"/>) and copied into
    /// <paramref name="output"/> in a second. Returns the number of entries.
    /// </summary>
    internal static int Build(CrlHeader header, AsymmetricAlgorithm key, HashAlgorithmName hash, Stream scratch,
        Action<SpanSink> writeEntries, Func<CrlNumbers> numbers, Stream output)
    {
        var algorithm = Certificates.Keys.SignatureGenerator(key).GetSignatureAlgorithmIdentifier(hash);
        var prefix = Prefix(header, algorithm); // version, signature, issuer, thisUpdate, nextUpdate

        var count = 0;
        long entryBytes = 0;
        var copy = new byte[1 << 16];
        var pending = 0;
        writeEntries(entry =>
        {
            if (pending + entry.Length > copy.Length)
            {
                scratch.Write(copy, 0, pending);
                pending = 0;
            }
            if (entry.Length > copy.Length)
            {
                scratch.Write(entry);
            }
            else
            {
                entry.CopyTo(copy.AsSpan(pending));
                pending += entry.Length;
            }
            entryBytes += entry.Length;
            count++;
        });
        scratch.Write(copy, 0, pending);

        var extensions = new AsnWriter(AsnEncodingRules.DER);
        WriteExtensions(extensions, header, numbers());
        var extensionBytes = extensions.Encode();
        // RFC 5280 5.1.2.6: when there are no revoked certificates the list is absent, not empty.
        var revokedHeader = count == 0 ? Array.Empty<byte>() : Header(0x30, entryBytes);
        var tbsHeader = Header(0x30, prefix.Length + revokedHeader.Length + (count == 0 ? 0 : entryBytes) + extensionBytes.Length);

        using (var hasher = IncrementalHash.CreateHash(hash))
        {
            hasher.AppendData(tbsHeader);
            hasher.AppendData(prefix);
            hasher.AppendData(revokedHeader);
            CopyEntries(scratch, entryBytes, copy, b => hasher.AppendData(b));
            hasher.AppendData(extensionBytes);
            var signature = SignHash(key, hasher.GetHashAndReset(), hash);
            var bitString = new AsnWriter(AsnEncodingRules.DER);
            bitString.WriteBitString(signature);
            var signatureBytes = bitString.Encode();
            var tbsLength = tbsHeader.Length + prefix.Length + revokedHeader.Length + (count == 0 ? 0 : entryBytes) + extensionBytes.Length;
            output.Write(Header(0x30, tbsLength + algorithm.Length + signatureBytes.Length));
            output.Write(tbsHeader);
            output.Write(prefix);
            output.Write(revokedHeader);
            CopyEntries(scratch, entryBytes, copy, b => output.Write(b));
            output.Write(extensionBytes);
            output.Write(algorithm);
            output.Write(signatureBytes);
        }
        return count;
    }

    private static void CopyEntries(Stream scratch, long length, byte[] buffer, SpanSink to)
    {
        scratch.Position = 0;
        var left = length;
        while (left > 0)
        {
            var read = scratch.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read <= 0)
                throw new IOException("The CRL's scratch file ended early.");
            to(new ReadOnlySpan<byte>(buffer, 0, read));
            left -= read;
        }
    }

    /// <summary>A DER tag and definite length (X.690 8.1.3: short form below 128, else the minimal long form).</summary>
    private static byte[] Header(byte tag, long length)
    {
        if (length < 0x80)
            return new[] { tag, (byte)length };
        var octets = 0;
        for (var l = length; l > 0; l >>= 8)
            octets++;
        var header = new byte[2 + octets];
        header[0] = tag;
        header[1] = (byte)(0x80 | octets);
        for (var k = 0; k < octets; k++)
            header[2 + k] = (byte)(length >> (8 * (octets - 1 - k)));
        return header;
    }

    /// <summary>PKCS#1 v1.5 for RSA, the DER ECDSA-Sig-Value for ECDSA: what the algorithm identifiers of <see cref="Certificates.Keys.SignatureGenerator"/> name.</summary>
    private static byte[] SignHash(AsymmetricAlgorithm key, byte[] digest, HashAlgorithmName hash) => key switch
    {
        RSA rsa => rsa.SignHash(digest, hash, RSASignaturePadding.Pkcs1),
        ECDsa ec => ec.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence),
        _ => throw new PkiException(PkiErrorIds.CryptographicFailure, PkiErrorCategory.InvalidArgument, $"A {key.GetType().Name} key cannot sign CRLs.", null),
    };

    /// <summary>The TBS fields before the revoked entries, as consecutive DER values.</summary>
    private static byte[] Prefix(CrlHeader header, byte[] algorithm)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        w.WriteInteger(1); // v2
        w.WriteEncodedValue(algorithm);
        w.WriteEncodedValue(header.Issuer.SubjectName.RawData);
        WriteTime(w, header.ThisUpdate);
        WriteTime(w, header.NextUpdate);
        return w.Encode();
    }

    private static void WriteExtensions(AsnWriter w, CrlHeader header, CrlNumbers numbers)
    {
        w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
        w.PushSequence();
        var aki = CaAkiKeyId(header.Issuer);
        w.PushSequence();
        w.WriteObjectIdentifier(OidAuthorityKeyIdentifier);
        using (w.PushOctetString())
        {
            w.PushSequence();
            w.WriteOctetString(aki, new Asn1Tag(TagClass.ContextSpecific, 0));
            w.PopSequence();
        }
        w.PopSequence();

        w.PushSequence();
        w.WriteObjectIdentifier(OidCrlNumber);
        using (w.PushOctetString())
            w.WriteInteger(numbers.CrlNumber);
        w.PopSequence();

        if (numbers.BaseCrlNumber is { } baseNumber)
        {
            w.PushSequence();
            w.WriteObjectIdentifier(OidDeltaCrlIndicator);
            w.WriteBoolean(true); // critical (RFC 5280 5.2.4)
            using (w.PushOctetString())
                w.WriteInteger(baseNumber);
            w.PopSequence();
        }
        else if (numbers.FreshestCrlUrls.Count > 0)
        {
            // FreshestCRL has the syntax of CRLDistributionPoints (RFC 5280 5.2.6); reuse .NET's encoder for it.
            var cdp = CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(numbers.FreshestCrlUrls);
            w.PushSequence();
            w.WriteObjectIdentifier(OidFreshestCrl);
            w.WriteOctetString(cdp.RawData);
            w.PopSequence();
        }
        w.PopSequence();
        w.PopSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
    }

    /// <summary>The issuer's key identifier: its SKI, else the SHA-1 of its public key (RFC 5280 4.2.1.2 method 1).</summary>
    internal static byte[] CaAkiKeyId(X509Certificate2 issuer)
    {
        var ski = issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()
            ?? new X509SubjectKeyIdentifierExtension(issuer.PublicKey, X509SubjectKeyIdentifierHashAlgorithm.Sha1, false);
        return ski.SubjectKeyIdentifierBytes.ToArray();
    }

    /// <summary>UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 5.1.2.4), whole seconds.</summary>
    internal static void WriteTime(AsnWriter w, DateTimeOffset t)
    {
        var u = Whole(t);
        if (u.Year is >= 1950 and < 2050)
            w.WriteUtcTime(u);
        else
            w.WriteGeneralizedTime(u, omitFractionalSeconds: true);
    }

    /// <summary>
    /// The cRLNumber of a DER CRL whose issuer name is <paramref name="issuerName"/> (raw DER), or null when the bytes are not
    /// such a CRL. Reads only the TBS header and the extensions: the revoked entries, nearly all of a large CRL, are skipped
    /// by seeking past them, so a CRL of a million entries costs a few small reads, not its size in memory. The signature
    /// is not checked: this only keeps our own numbering increasing.
    /// </summary>
    internal static long? ReadCrlNumber(Stream crl, ReadOnlySpan<byte> issuerName)
    {
        try
        {
            if (ReadHeader(crl, 0) is not (0x30, var outerHeader, _))
                return null;
            if (ReadHeader(crl, outerHeader) is not (0x30, var tbsHeader, var tbsLength))
                return null;
            long position = outerHeader + tbsHeader;
            var end = position + tbsLength;
            var field = 0; // version (optional), signature, issuer, thisUpdate, then the rest
            while (position < end && ReadHeader(crl, position) is var (tag, header, length))
            {
                if (field == 0 && tag != 0x02)
                    field = 1; // no version: v1
                if (field == 2 && !ReadBytes(crl, position, header + length).AsSpan().SequenceEqual(issuerName))
                    return null;
                if (tag == 0xA0 && field >= 4)
                {
                    // crlExtensions [0] EXPLICIT Extensions: small whatever the number of entries.
                    if (header + length > 1 << 20)
                        return null;
                    var extensions = new AsnReader(ReadBytes(crl, position, header + length), AsnEncodingRules.DER)
                        .ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
                    while (extensions.HasData)
                    {
                        var extension = extensions.ReadSequence();
                        if (extension.ReadObjectIdentifier() != OidCrlNumber)
                            continue;
                        if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                            extension.ReadBoolean();
                        var value = new AsnReader(extension.ReadOctetString(), AsnEncodingRules.DER);
                        return value.TryReadInt64(out var number) ? number : null;
                    }
                    return null;
                }
                position += header + length;
                field++;
            }
            return null;
        }
        catch (Exception ex) when (ex is AsnContentException or IOException or EndOfStreamException)
        {
            return null;
        }
    }

    /// <summary>A DER element's one-byte tag, header length and content length at <paramref name="position"/>; null when malformed.</summary>
    private static (byte Tag, int Header, long Length)? ReadHeader(Stream s, long position)
    {
        var b = ReadBytes(s, position, 2);
        if (b[1] < 0x80)
            return (b[0], 2, b[1]);
        var octets = b[1] & 0x7F;
        if (octets is 0 or > 7)
            return null;
        var n = ReadBytes(s, position + 2, octets);
        long length = 0;
        foreach (var o in n)
            length = (length << 8) | o;
        return (b[0], 2 + octets, length);
    }

    private static byte[] ReadBytes(Stream s, long position, long count)
    {
        if (count < 0 || position + count > s.Length)
            throw new EndOfStreamException();
        var buffer = new byte[count];
        s.Position = position;
        s.ReadExactly(buffer);
        return buffer;
    }

    internal static DateTimeOffset Whole(DateTimeOffset t)
    {
        var u = t.ToUniversalTime();
        return new DateTimeOffset(u.Ticks - u.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }
}
