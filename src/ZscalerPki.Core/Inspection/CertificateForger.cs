using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Inspection;

/// <summary>Validity rules for forged certificates.</summary>
public sealed record ForgeOptions
{
    /// <summary>
    /// The longest validity browsers accept for a TLS server certificate issued at <paramref name="at"/>: the CA/Browser
    /// Forum Baseline Requirements 6.3.2 as ballot SC-081 amended them: 398 days until 2026-03-15, 200 days from then,
    /// 100 days from 2027-03-15, 47 days from 2029-03-15. A day less than each, since the BR count a validity period
    /// inclusively (notAfter − notBefore + 1 second), as 397 was used against 398.
    /// </summary>
    public static TimeSpan MaximumTlsValidity(DateTimeOffset at)
    {
        var u = at.UtcDateTime;
        var days = u < new DateTime(2026, 3, 15, 0, 0, 0, DateTimeKind.Utc) ? 398
            : u < new DateTime(2027, 3, 15, 0, 0, 0, DateTimeKind.Utc) ? 200
            : u < new DateTime(2029, 3, 15, 0, 0, 0, DateTimeKind.Utc) ? 100
            : 47;
        return TimeSpan.FromDays(days - 1);
    }

    public TimeSpan MaxValidity { get; init; } = MaximumTlsValidity(DateTimeOffset.UtcNow);
    /// <summary>notBefore is set this far in the past, for clients whose clocks run slow.</summary>
    public TimeSpan Backdate { get; init; } = CaCertificateBuilder.Backdate;
}

/// <summary>One forged server certificate: DER, its key, and the validity it got. Holds no X509Certificate2 (built on demand).</summary>
public sealed class ForgedCertificate
{
    internal ForgedCertificate(byte[] der, LeafKey key, ForgingIssuer issuer, SiteProfile site, DateTimeOffset notBefore, DateTimeOffset notAfter, byte[] serial)
    {
        Der = der;
        Key = key;
        Issuer = issuer;
        Site = site;
        NotBefore = notBefore;
        NotAfter = notAfter;
        Serial = serial;
        // Renew when less than a tenth of the lifetime (at most a day) is left.
        var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerDay, (notAfter - notBefore).Ticks / 10));
        RenewAfter = notAfter - margin;
    }

    public byte[] Der { get; }
    public LeafKey Key { get; }
    public ForgingIssuer Issuer { get; }
    public SiteProfile Site { get; }
    public DateTimeOffset NotBefore { get; }
    public DateTimeOffset NotAfter { get; }
    public byte[] Serial { get; }
    public string SerialHex => Convert.ToHexString(Serial);
    /// <summary>After this instant the cache forges a new one ("nears expiry").</summary>
    public DateTimeOffset RenewAfter { get; }

    /// <summary>The certificate as an X509Certificate2 (parsed now; the hot path never needs it).</summary>
    public X509Certificate2 ToCertificate(bool withPrivateKey = false)
    {
#pragma warning disable SYSLIB0057 // net8.0 has no X509CertificateLoader
        var cert = new X509Certificate2(Der);
#pragma warning restore SYSLIB0057
        return withPrivateKey ? Keys.WithKey(cert, Key.Key) : cert;
    }
}

/// <summary>
/// The forging hot path: the TBSCertificate is written with <see cref="AsnWriter"/> from pieces the issuer, the site and the
/// key encoded once, then signed once. No PFX, no X509Certificate2, no lock. The copy rules are in COPY-RULES.md.
/// </summary>
public static class CertificateForger
{
    private static readonly byte[] BasicConstraintsEndEntity = EncodeExtension("2.5.29.19", true, new byte[] { 0x30, 0x00 });
    private static readonly byte[] KeyUsageEcdsa = EncodeExtension("2.5.29.15", true,
        new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true).RawData);
    private static readonly byte[] KeyUsageRsa = EncodeExtension("2.5.29.15", true,
        new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true).RawData);
    private static readonly byte[] ExtendedKeyUsageServerAuth = EncodeExtension("2.5.29.37", false,
        new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false).RawData);

    /// <summary>
    /// The validity a forged certificate gets: from now (backdated) to the earliest of that + the maximum, the issuer's end and
    /// the origin's end; never before the issuer's or origin's start. Throws when nothing is left.
    /// </summary>
    public static (DateTimeOffset NotBefore, DateTimeOffset NotAfter) Validity(ForgingIssuer issuer, SiteProfile site, ForgeOptions options, DateTimeOffset now)
    {
        var nb = Max(now - options.Backdate, issuer.NotBefore);
        if (site.OriginNotBefore is { } onb)
            nb = Max(nb, onb);
        var na = Min(now - options.Backdate + options.MaxValidity, issuer.NotAfter);
        if (site.OriginNotAfter is { } ona)
            na = Min(na, ona);
        nb = CaCertificateBuilder.Truncate(nb);
        na = CaCertificateBuilder.Truncate(na);
        if (site.OriginNotAfter is { } end && end <= now)
            throw new PkiException(PkiErrorIds.OriginExpired, PkiErrorCategory.InvalidData,
                $"The origin certificate of {site.DisplayName} expired on {end.UtcDateTime:u}; a forged copy would be expired too. Capture the site's current certificate, or pass its names with -DnsName.", site.DisplayName);
        if (issuer.NotAfter <= now || issuer.NotBefore > now + options.Backdate)
            throw new PkiException(PkiErrorIds.IssuerNotValid, PkiErrorCategory.InvalidOperation,
                $"The issuer {issuer.Label} is not valid now (valid {issuer.NotBefore.UtcDateTime:u} to {issuer.NotAfter.UtcDateTime:u}). Renew it, or choose another issuer.", issuer.Label);
        if (na <= nb)
            throw new PkiException(PkiErrorIds.InvalidValidity, PkiErrorCategory.InvalidData,
                $"No validity is left for {site.DisplayName}: it would start {nb.UtcDateTime:u} and end {na.UtcDateTime:u}.", site.DisplayName);
        return (nb, na);
    }

    /// <summary>Forges one certificate for <paramref name="site"/> with <paramref name="key"/>, signed by <paramref name="issuer"/>.</summary>
    public static ForgedCertificate Forge(ForgingIssuer issuer, SiteProfile site, LeafKey key, ForgeOptions options, DateTimeOffset now)
    {
        var (nb, na) = Validity(issuer, site, options, now);
        var serial = Keys.NewSerialNumber();
        var tbs = EncodeTbs(issuer, site, key, nb, na, serial);
        var signature = issuer.Sign(tbs);

        var w = new AsnWriter(AsnEncodingRules.DER, tbs.Length + signature.Length + 64);
        using (w.PushSequence())
        {
            w.WriteEncodedValue(tbs);
            w.WriteEncodedValue(issuer.SignatureAlgorithmDer);
            w.WriteBitString(signature);
        }
        return new ForgedCertificate(w.Encode(), key, issuer, site, nb, na, serial);
    }

    private static byte[] EncodeTbs(ForgingIssuer issuer, SiteProfile site, LeafKey key, DateTimeOffset nb, DateTimeOffset na, byte[] serial)
    {
        var w = new AsnWriter(AsnEncodingRules.DER, 1024);
        using (w.PushSequence())
        {
            using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
                w.WriteInteger(2); // v3
            w.WriteIntegerUnsigned(serial);
            w.WriteEncodedValue(issuer.SignatureAlgorithmDer);
            w.WriteEncodedValue(issuer.NameDer);
            using (w.PushSequence())
            {
                WriteTime(w, nb);
                WriteTime(w, na);
            }
            w.WriteEncodedValue(site.SubjectDer);
            w.WriteEncodedValue(key.SubjectPublicKeyInfo);
            using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3, true)))
            using (w.PushSequence())
            {
                w.WriteEncodedValue(BasicConstraintsEndEntity);
                w.WriteEncodedValue(key.Algorithm == InspectionKeyAlgorithm.Rsa2048 ? KeyUsageRsa : KeyUsageEcdsa);
                w.WriteEncodedValue(ExtendedKeyUsageServerAuth);
                w.WriteEncodedValue(site.SanExtensionDer);
                w.WriteEncodedValue(key.SubjectKeyIdentifierDer);
                w.WriteEncodedValue(issuer.AuthorityKeyIdentifierDer);
                if (issuer.PublicationExtensionsDer.Length > 0)
                    WriteConcatenated(w, issuer.PublicationExtensionsDer);
            }
        }
        return w.Encode();
    }

    private static void WriteConcatenated(AsnWriter w, byte[] elements)
    {
        var reader = new AsnReader(elements, AsnEncodingRules.DER);
        while (reader.HasData)
            w.WriteEncodedValue(reader.ReadEncodedValue().Span);
    }

    /// <summary>RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.</summary>
    private static void WriteTime(AsnWriter w, DateTimeOffset t)
    {
        if (t.UtcDateTime.Year is >= 1950 and < 2050)
            w.WriteUtcTime(t);
        else
            w.WriteGeneralizedTime(t, omitFractionalSeconds: true);
    }

    /// <summary>An Extension (SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING }) as DER.</summary>
    public static byte[] EncodeExtension(string oid, bool critical, ReadOnlySpan<byte> value)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier(oid);
            if (critical)
                w.WriteBoolean(true);
            w.WriteOctetString(value);
        }
        return w.Encode();
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
