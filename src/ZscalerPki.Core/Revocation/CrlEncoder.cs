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
    /// Builds and signs a v2 CRL. <paramref name="writeEntries"/> is called once with a callback that appends one encoded
    /// entry; <paramref name="estimatedEntryBytes"/> sizes the buffer up front. Returns the DER through <paramref name="output"/>
    /// (a span valid only during the call) and the number of entries.
    /// </summary>
    internal static int Build(CrlHeader header, AsymmetricAlgorithm key, HashAlgorithmName hash, long estimatedEntryBytes,
        Action<SpanSink> writeEntries, Func<CrlNumbers> numbers, SpanSink output)
    {
        var algorithm = Certificates.Keys.SignatureGenerator(key).GetSignatureAlgorithmIdentifier(hash);
        var capacity = (int)Math.Min(int.MaxValue - 1024, estimatedEntryBytes + 4096);
        var tbs = new AsnWriter(AsnEncodingRules.DER, capacity);
        var count = 0;
        tbs.PushSequence();
        tbs.WriteInteger(1); // v2
        tbs.WriteEncodedValue(algorithm);
        tbs.WriteEncodedValue(header.Issuer.SubjectName.RawData);
        WriteTime(tbs, header.ThisUpdate);
        WriteTime(tbs, header.NextUpdate);
        tbs.PushSequence();
        writeEntries(entry =>
        {
            tbs.WriteEncodedValue(entry);
            count++;
        });
        if (count == 0)
        {
            // RFC 5280 5.1.2.6: when there are no revoked certificates the list is absent, not empty.
            tbs = Rewind(header, algorithm, capacity);
        }
        else
        {
            tbs.PopSequence();
        }
        WriteExtensions(tbs, header, numbers());
        tbs.PopSequence();

        // .NET 8's AsnWriter has no callback Encode, so the CRL passes through one array: the TBS is encoded into it, signed
        // there, copied into the outer SEQUENCE's writer, and the whole CRL is encoded back into the same array (sized with
        // room for the outer header, algorithm and signature). At most two CRL-sized buffers are alive at once.
        var tbsLength = tbs.GetEncodedLength();
        var buffer = GC.AllocateUninitializedArray<byte>(tbsLength + 1024);
        tbs.Encode(buffer);
        tbs = null!;
        var tbsDer = new ReadOnlySpan<byte>(buffer, 0, tbsLength);
        var signature = Sign(key, tbsDer, hash);
        var crl = new AsnWriter(AsnEncodingRules.DER, tbsLength + signature.Length + 64);
        crl.PushSequence();
        crl.WriteEncodedValue(tbsDer);
        crl.WriteEncodedValue(algorithm);
        crl.WriteBitString(signature);
        crl.PopSequence();
        var written = crl.Encode(buffer);
        crl = null!;
        output(new ReadOnlySpan<byte>(buffer, 0, written));
        return count;
    }

    /// <summary>PKCS#1 v1.5 for RSA, the DER ECDSA-Sig-Value for ECDSA: what the algorithm identifiers of <see cref="Certificates.Keys.SignatureGenerator"/> name.</summary>
    private static byte[] Sign(AsymmetricAlgorithm key, ReadOnlySpan<byte> data, HashAlgorithmName hash) => key switch
    {
        RSA rsa => rsa.SignData(data, hash, RSASignaturePadding.Pkcs1),
        ECDsa ec => ec.SignData(data, hash, DSASignatureFormat.Rfc3279DerSequence),
        _ => throw new PkiException(PkiErrorIds.CryptographicFailure, PkiErrorCategory.InvalidArgument, $"A {key.GetType().Name} key cannot sign CRLs.", null),
    };

    private static AsnWriter Rewind(CrlHeader header, byte[] algorithm, int capacity)
    {
        var tbs = new AsnWriter(AsnEncodingRules.DER, Math.Min(capacity, 4096));
        tbs.PushSequence();
        tbs.WriteInteger(1);
        tbs.WriteEncodedValue(algorithm);
        tbs.WriteEncodedValue(header.Issuer.SubjectName.RawData);
        WriteTime(tbs, header.ThisUpdate);
        WriteTime(tbs, header.NextUpdate);
        return tbs;
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
    /// such a CRL. Walks only the TBS header and extensions: the revoked entries are skipped as one element, so a CRL of a
    /// million entries is read in microseconds. The signature is not checked: this only keeps our own numbering increasing.
    /// </summary>
    internal static long? ReadCrlNumber(ReadOnlyMemory<byte> der, ReadOnlySpan<byte> issuerName)
    {
        try
        {
            var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
                tbs.ReadEncodedValue(); // version
            tbs.ReadEncodedValue(); // signature AlgorithmIdentifier
            if (!tbs.ReadEncodedValue().Span.SequenceEqual(issuerName))
                return null;
            tbs.ReadEncodedValue(); // thisUpdate
            while (tbs.HasData)
            {
                var tag = tbs.PeekTag();
                if (!tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
                {
                    tbs.ReadEncodedValue(); // nextUpdate, revokedCertificates
                    continue;
                }
                var extensions = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
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
            return null;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    internal static DateTimeOffset Whole(DateTimeOffset t)
    {
        var u = t.ToUniversalTime();
        return new DateTimeOffset(u.Ticks - u.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }
}
