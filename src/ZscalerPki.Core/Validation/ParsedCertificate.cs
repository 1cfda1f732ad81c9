using System.Formats.Asn1;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Validation;

internal sealed record AlgorithmId(string Oid, ReadOnlyMemory<byte>? Parameters)
{
    public static AlgorithmId Read(AsnReader reader)
    {
        var seq = reader.ReadSequence();
        var oid = seq.ReadObjectIdentifier();
        ReadOnlyMemory<byte>? p = seq.HasData ? seq.ReadEncodedValue() : null;
        seq.ThrowIfNotEmpty();
        return new AlgorithmId(oid, p);
    }

    public bool SameAs(AlgorithmId other)
    {
        if (Oid != other.Oid || Parameters.HasValue != other.Parameters.HasValue) return false;
        return !Parameters.HasValue || Parameters.Value.Span.SequenceEqual(other.Parameters!.Value.Span);
    }
}

internal sealed record ExtensionData(string Oid, bool Critical, ReadOnlyMemory<byte> Value)
{
    /// <summary>Reads one <c>Extensions ::= SEQUENCE OF Extension</c> (RFC 5280 4.1; the same shape in CRLs and CRL entries).</summary>
    public static List<ExtensionData> ReadAll(AsnReader extensions)
    {
        var list = new List<ExtensionData>();
        while (extensions.HasData)
        {
            var e = extensions.ReadSequence();
            var oid = e.ReadObjectIdentifier();
            var critical = e.HasData && e.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && e.ReadBoolean();
            var value = e.ReadOctetString();
            e.ThrowIfNotEmpty();
            list.Add(new ExtensionData(oid, critical, value));
        }
        return list;
    }
}

internal sealed record BasicConstraintsInfo(bool IsCA, int? PathLength, bool Critical);

internal sealed record AuthorityKeyIdInfo(byte[]? KeyId, List<GeneralName>? Issuer, byte[]? Serial);

internal sealed record DistributionPointInfo(List<GeneralName>? FullName, byte[]? RelativeName, int? Reasons, List<GeneralName>? CrlIssuer);

internal sealed record GeneralSubtree(GeneralName Base, int Minimum, int? Maximum);

internal sealed record NameConstraintsInfo(List<GeneralSubtree> Permitted, List<GeneralSubtree> Excluded);

internal static class Oids
{
    public const string BasicConstraints = "2.5.29.19";
    public const string KeyUsage = "2.5.29.15";
    public const string ExtendedKeyUsage = "2.5.29.37";
    public const string SubjectAltName = "2.5.29.17";
    public const string IssuerAltName = "2.5.29.18";
    public const string NameConstraints = "2.5.29.30";
    public const string CertificatePolicies = "2.5.29.32";
    public const string PolicyMappings = "2.5.29.33";
    public const string PolicyConstraints = "2.5.29.36";
    public const string InhibitAnyPolicy = "2.5.29.54";
    public const string AuthorityKeyId = "2.5.29.35";
    public const string SubjectKeyId = "2.5.29.14";
    public const string CrlDistributionPoints = "2.5.29.31";
    public const string FreshestCrl = "2.5.29.46";
    public const string AuthorityInfoAccess = "1.3.6.1.5.5.7.1.1";
    public const string SubjectInfoAccess = "1.3.6.1.5.5.7.1.11";
    public const string AnyPolicy = "2.5.29.32.0";
    public const string AnyEku = "2.5.29.37.0";
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    public const string EmailAddress = "1.2.840.113549.1.9.1";
    public const string CommonName = "2.5.4.3";
    // CRL
    public const string CrlNumber = "2.5.29.20";
    public const string DeltaCrlIndicator = "2.5.29.27";
    public const string IssuingDistributionPoint = "2.5.29.28";
    public const string CrlReason = "2.5.29.21";
    public const string InvalidityDate = "2.5.29.24";
    public const string CertificateIssuer = "2.5.29.29";
}

/// <summary>KeyUsage bits as flags (bit n of the BIT STRING = 1 &lt;&lt; n).</summary>
[Flags]
internal enum KeyUsageBits
{
    None = 0,
    DigitalSignature = 1 << 0,
    NonRepudiation = 1 << 1,
    KeyEncipherment = 1 << 2,
    DataEncipherment = 1 << 3,
    KeyAgreement = 1 << 4,
    KeyCertSign = 1 << 5,
    CrlSign = 1 << 6,
    EncipherOnly = 1 << 7,
    DecipherOnly = 1 << 8,
}

/// <summary>
/// A certificate parsed once (with <see cref="AsnReader"/>, DER) into the fields path validation needs.
/// Immutable after construction except for the lazily imported public key. Cached per
/// <see cref="X509Certificate2"/> instance, so callers that reuse certificate objects parse each once.
/// </summary>
internal sealed class ParsedCertificate
{
    private static readonly ConditionalWeakTable<X509Certificate2, ParsedCertificate> Cache = new();

    public X509Certificate2? Source { get; private set; }
    public byte[] Raw { get; }
    public ReadOnlyMemory<byte> Tbs { get; private set; }
    public int Version { get; private set; }
    public byte[] Serial { get; private set; } = [];
    public AlgorithmId TbsSignatureAlgorithm { get; private set; } = null!;
    public AlgorithmId SignatureAlgorithm { get; private set; } = null!;
    public byte[] SignatureValue { get; private set; } = [];
    public int SignatureUnusedBits { get; private set; }
    public DistinguishedName Issuer { get; private set; } = DistinguishedName.Empty;
    public DistinguishedName Subject { get; private set; } = DistinguishedName.Empty;
    public DateTime NotBefore { get; private set; }
    public DateTime NotAfter { get; private set; }
    public byte[] Spki { get; private set; } = [];
    public AlgorithmId SpkiAlgorithm { get; private set; } = null!;
    public byte[] PublicKeyBits { get; private set; } = [];
    public List<ExtensionData> Extensions { get; } = new();
    public Dictionary<string, ExtensionData> ExtensionsByOid { get; } = new();

    /// <summary>Problems found while decoding extensions (extension OID or field, message).</summary>
    public List<string> Malformed { get; } = new();

    public BasicConstraintsInfo? BasicConstraints { get; private set; }
    public KeyUsageBits? KeyUsage { get; private set; }
    public List<string>? ExtendedKeyUsage { get; private set; }
    public List<GeneralName>? SubjectAltNames { get; private set; }
    public NameConstraintsInfo? NameConstraints { get; private set; }
    public List<string>? Policies { get; private set; }
    public List<(string IssuerDomain, string SubjectDomain)>? PolicyMappings { get; private set; }
    public int? RequireExplicitPolicy { get; private set; }
    public int? InhibitPolicyMapping { get; private set; }
    public int? InhibitAnyPolicy { get; private set; }
    public AuthorityKeyIdInfo? AuthorityKeyId { get; private set; }
    public byte[]? SubjectKeyId { get; private set; }
    public List<DistributionPointInfo>? CrlDistributionPoints { get; private set; }

    public bool IsSelfIssued { get; private set; }
    public string Thumbprint { get; }

    /// <summary>Lazily imported public key (RSA / ECDsa / DSA), guarded by <see cref="KeyLock"/>.</summary>
    internal object? KeyObject;
    internal bool KeyImportFailed;
    internal ParsedCertificate? InheritedFrom;
    internal readonly object KeyLock = new();

    private ParsedCertificate(byte[] raw)
    {
        Raw = raw;
        Thumbprint = Convert.ToHexString(SHA1.HashData(raw));
    }

    private string? _keyIdentity;

    /// <summary>Identifies the public key (SHA-256 of the SubjectPublicKeyInfo, hex); equal keys in different certificates share it.</summary>
    public string KeyIdentity => _keyIdentity ??= Convert.ToHexString(SHA256.HashData(Spki));

    public string SubjectText => Source?.Subject ?? Subject.ToString();
    public string IssuerText => Source?.Issuer ?? Issuer.ToString();

    /// <summary>Gets (parsing once) the parsed form of a certificate object.</summary>
    public static ParsedCertificate From(X509Certificate2 certificate)
    {
        if (Cache.TryGetValue(certificate, out var cached)) return cached;
        var parsed = Parse(certificate.RawData);
        parsed.Source = certificate;
        return Cache.GetValue(certificate, _ => parsed);
    }

    /// <summary>Parses DER; throws <see cref="PkiException"/> (InvalidCertificateData) on malformed structure.</summary>
    public static ParsedCertificate Parse(byte[] der)
    {
        var pc = new ParsedCertificate(der);
        try
        {
            pc.ParseCore();
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException or ArgumentException or OverflowException or FormatException)
        {
            throw new PkiException(PkiErrorIds.InvalidCertificateData, PkiErrorCategory.InvalidData,
                $"The certificate is not valid DER X.509: {ex.Message}", null, ex);
        }
        return pc;
    }

    private void ParseCore()
    {
        var reader = new AsnReader(Raw, AsnEncodingRules.DER);
        var cert = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        Tbs = cert.PeekEncodedValue();
        var tbs = cert.ReadSequence();
        SignatureAlgorithm = AlgorithmId.Read(cert);
        SignatureValue = cert.ReadBitString(out var unused);
        SignatureUnusedBits = unused;
        cert.ThrowIfNotEmpty();

        var v0 = new Asn1Tag(TagClass.ContextSpecific, 0, true);
        Version = 0;
        if (tbs.PeekTag().HasSameClassAndValue(v0))
        {
            var vr = tbs.ReadSequence(v0);
            if (!vr.TryReadInt32(out var ver)) throw new AsnContentException("Bad version.");
            vr.ThrowIfNotEmpty();
            Version = ver;
        }
        Serial = tbs.ReadIntegerBytes().ToArray();
        TbsSignatureAlgorithm = AlgorithmId.Read(tbs);
        Issuer = DistinguishedName.Read(tbs);
        var validity = tbs.ReadSequence();
        NotBefore = ReadTime(validity);
        NotAfter = ReadTime(validity);
        validity.ThrowIfNotEmpty();
        Subject = DistinguishedName.Read(tbs);
        Spki = tbs.ReadEncodedValue().ToArray();
        {
            var sr = new AsnReader(Spki, AsnEncodingRules.DER).ReadSequence();
            SpkiAlgorithm = AlgorithmId.Read(sr);
            PublicKeyBits = sr.ReadBitString(out _);
            sr.ThrowIfNotEmpty();
        }
        var t1 = new Asn1Tag(TagClass.ContextSpecific, 1);
        var t2 = new Asn1Tag(TagClass.ContextSpecific, 2);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(t1)) tbs.ReadEncodedValue();
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(t2)) tbs.ReadEncodedValue();
        var t3 = new Asn1Tag(TagClass.ContextSpecific, 3, true);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(t3))
        {
            var wrapper = tbs.ReadSequence(t3);
            var exts = wrapper.ReadSequence();
            wrapper.ThrowIfNotEmpty();
            if (!exts.HasData) Malformed.Add("Extensions: the extensions field is present but empty.");
            foreach (var ext in ExtensionData.ReadAll(exts))
            {
                if (!ExtensionsByOid.TryAdd(ext.Oid, ext)) Malformed.Add($"{ext.Oid}: extension appears more than once.");
                Extensions.Add(ext);
            }
        }
        tbs.ThrowIfNotEmpty();

        IsSelfIssued = Issuer.Equals(Subject);
        foreach (var ext in Extensions)
        {
            try
            {
                ParseExtension(ext);
            }
            catch (Exception ex) when (ex is AsnContentException or ArgumentException or OverflowException or FormatException or CryptographicException)
            {
                Malformed.Add($"{ext.Oid}: {ex.Message}");
            }
        }
    }

    internal static DateTime ReadTime(AsnReader r)
    {
        var tag = r.PeekTag();
        if (tag.HasSameClassAndValue(Asn1Tag.UtcTime)) return r.ReadUtcTime(2049).UtcDateTime;
        if (tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime)) return r.ReadGeneralizedTime().UtcDateTime;
        throw new AsnContentException("Expected UTCTime or GeneralizedTime.");
    }

    private void ParseExtension(ExtensionData ext)
    {
        var r = new AsnReader(ext.Value, AsnEncodingRules.DER);
        switch (ext.Oid)
        {
            case Oids.BasicConstraints:
                {
                    var s = r.ReadSequence();
                    bool ca = false; int? len = null;
                    if (s.HasData && s.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean)) ca = s.ReadBoolean();
                    if (s.HasData)
                    {
                        if (!s.TryReadInt32(out var l) || l < 0) throw new AsnContentException("pathLenConstraint out of range.");
                        len = l;
                    }
                    s.ThrowIfNotEmpty();
                    BasicConstraints = new BasicConstraintsInfo(ca, len, ext.Critical);
                    break;
                }
            case Oids.KeyUsage:
                {
                    var bits = r.ReadBitString(out _);
                    int v = 0;
                    for (int i = 0; i < bits.Length && i < 2; i++)
                        for (int b = 0; b < 8; b++)
                            if ((bits[i] & (0x80 >> b)) != 0) v |= 1 << (i * 8 + b);
                    if (v == 0) throw new AsnContentException("keyUsage asserts no bit (RFC 5280 4.2.1.3: at least one MUST be set).");
                    KeyUsage = (KeyUsageBits)v;
                    break;
                }
            case Oids.ExtendedKeyUsage:
                {
                    var s = r.ReadSequence();
                    var list = new List<string>();
                    while (s.HasData) list.Add(s.ReadObjectIdentifier());
                    if (list.Count == 0) throw new AsnContentException("Empty extKeyUsage.");
                    ExtendedKeyUsage = list;
                    break;
                }
            case Oids.SubjectAltName:
                {
                    var names = GeneralName.ReadNames(r);
                    if (names.Count == 0) throw new AsnContentException("Empty subjectAltName.");
                    SubjectAltNames = names;
                    break;
                }
            case Oids.NameConstraints:
                {
                    var s = r.ReadSequence();
                    var permitted = new List<GeneralSubtree>();
                    var excluded = new List<GeneralSubtree>();
                    var p0 = new Asn1Tag(TagClass.ContextSpecific, 0, true);
                    var p1 = new Asn1Tag(TagClass.ContextSpecific, 1, true);
                    if (s.HasData && s.PeekTag().HasSameClassAndValue(p0)) ReadSubtrees(s.ReadSequence(p0), permitted);
                    if (s.HasData && s.PeekTag().HasSameClassAndValue(p1)) ReadSubtrees(s.ReadSequence(p1), excluded);
                    s.ThrowIfNotEmpty();
                    NameConstraints = new NameConstraintsInfo(permitted, excluded);
                    break;
                }
            case Oids.CertificatePolicies:
                {
                    var s = r.ReadSequence();
                    var list = new List<string>();
                    while (s.HasData)
                    {
                        var pi = s.ReadSequence();
                        var oid = pi.ReadObjectIdentifier();
                        if (list.Contains(oid)) throw new AsnContentException("Duplicate policy OID.");
                        list.Add(oid);
                        if (pi.HasData) pi.ReadSequence();
                        pi.ThrowIfNotEmpty();
                    }
                    if (list.Count == 0) throw new AsnContentException("Empty certificatePolicies.");
                    Policies = list;
                    break;
                }
            case Oids.PolicyMappings:
                {
                    var s = r.ReadSequence();
                    var list = new List<(string, string)>();
                    while (s.HasData)
                    {
                        var m = s.ReadSequence();
                        list.Add((m.ReadObjectIdentifier(), m.ReadObjectIdentifier()));
                        m.ThrowIfNotEmpty();
                    }
                    if (list.Count == 0) throw new AsnContentException("Empty policyMappings.");
                    PolicyMappings = list;
                    break;
                }
            case Oids.PolicyConstraints:
                {
                    var s = r.ReadSequence();
                    var c0 = new Asn1Tag(TagClass.ContextSpecific, 0);
                    var c1 = new Asn1Tag(TagClass.ContextSpecific, 1);
                    if (s.HasData && s.PeekTag().HasSameClassAndValue(c0))
                    {
                        if (!s.TryReadInt32(out var v, c0) || v < 0) throw new AsnContentException("requireExplicitPolicy out of range.");
                        RequireExplicitPolicy = v;
                    }
                    if (s.HasData && s.PeekTag().HasSameClassAndValue(c1))
                    {
                        if (!s.TryReadInt32(out var v, c1) || v < 0) throw new AsnContentException("inhibitPolicyMapping out of range.");
                        InhibitPolicyMapping = v;
                    }
                    s.ThrowIfNotEmpty();
                    if (RequireExplicitPolicy is null && InhibitPolicyMapping is null) throw new AsnContentException("Empty policyConstraints.");
                    break;
                }
            case Oids.InhibitAnyPolicy:
                {
                    if (!r.TryReadInt32(out var v) || v < 0) throw new AsnContentException("inhibitAnyPolicy out of range.");
                    InhibitAnyPolicy = v;
                    break;
                }
            case Oids.AuthorityKeyId:
                {
                    var s = r.ReadSequence();
                    byte[]? keyId = null; List<GeneralName>? iss = null; byte[]? serial = null;
                    var k0 = new Asn1Tag(TagClass.ContextSpecific, 0);
                    var k1 = new Asn1Tag(TagClass.ContextSpecific, 1, true);
                    var k2 = new Asn1Tag(TagClass.ContextSpecific, 2);
                    if (s.HasData && s.PeekTag().HasSameClassAndValue(k0)) keyId = s.ReadOctetString(k0);
                    if (s.HasData && s.PeekTag().HasSameClassAndValue(k1)) iss = GeneralName.ReadNames(s, k1);
                    if (s.HasData && s.PeekTag().HasSameClassAndValue(k2)) serial = s.ReadIntegerBytes(k2).ToArray();
                    s.ThrowIfNotEmpty();
                    AuthorityKeyId = new AuthorityKeyIdInfo(keyId, iss, serial);
                    break;
                }
            case Oids.SubjectKeyId:
                SubjectKeyId = r.ReadOctetString();
                break;
            case Oids.CrlDistributionPoints:
                CrlDistributionPoints = ReadDistributionPoints(r);
                break;
            case Oids.FreshestCrl:
                ReadDistributionPoints(r);
                break;
            case Oids.AuthorityInfoAccess:
            case Oids.SubjectInfoAccess:
                {
                    var s = r.ReadSequence();
                    while (s.HasData)
                    {
                        var ad = s.ReadSequence();
                        ad.ReadObjectIdentifier();
                        GeneralName.Read(ad);
                        ad.ThrowIfNotEmpty();
                    }
                    break;
                }
            case Oids.IssuerAltName:
                GeneralName.ReadNames(r);
                break;
            default:
                return;
        }
        r.ThrowIfNotEmpty();
    }

    private static void ReadSubtrees(AsnReader seq, List<GeneralSubtree> into)
    {
        while (seq.HasData)
        {
            var st = seq.ReadSequence();
            var name = GeneralName.Read(st);
            int min = 0; int? max = null;
            var m0 = new Asn1Tag(TagClass.ContextSpecific, 0);
            var m1 = new Asn1Tag(TagClass.ContextSpecific, 1);
            if (st.HasData && st.PeekTag().HasSameClassAndValue(m0)) { if (!st.TryReadInt32(out min, m0)) throw new AsnContentException("Bad minimum."); }
            if (st.HasData && st.PeekTag().HasSameClassAndValue(m1)) { if (!st.TryReadInt32(out var mx, m1)) throw new AsnContentException("Bad maximum."); max = mx; }
            st.ThrowIfNotEmpty();
            into.Add(new GeneralSubtree(name, min, max));
        }
        if (into.Count == 0) throw new AsnContentException("Empty GeneralSubtrees.");
    }

    internal static List<DistributionPointInfo> ReadDistributionPoints(AsnReader r)
    {
        var s = r.ReadSequence();
        var list = new List<DistributionPointInfo>();
        while (s.HasData)
        {
            var dp = s.ReadSequence();
            var (full, rel) = ReadDistributionPointName(dp, new Asn1Tag(TagClass.ContextSpecific, 0, true));
            int? reasons = null; List<GeneralName>? crlIssuer = null;
            var r1 = new Asn1Tag(TagClass.ContextSpecific, 1);
            var r2 = new Asn1Tag(TagClass.ContextSpecific, 2, true);
            if (dp.HasData && dp.PeekTag().HasSameClassAndValue(r1)) reasons = ReadReasonFlags(dp, r1);
            if (dp.HasData && dp.PeekTag().HasSameClassAndValue(r2)) crlIssuer = GeneralName.ReadNames(dp, r2);
            dp.ThrowIfNotEmpty();
            list.Add(new DistributionPointInfo(full, rel, reasons, crlIssuer));
        }
        return list;
    }

    /// <summary>Reads an optional [n] EXPLICIT DistributionPointName.</summary>
    internal static (List<GeneralName>? Full, byte[]? Relative) ReadDistributionPointName(AsnReader r, Asn1Tag outer)
    {
        if (!r.HasData || !r.PeekTag().HasSameClassAndValue(outer)) return (null, null);
        var w = r.ReadSequence(outer);
        var tag = w.PeekTag();
        (List<GeneralName>?, byte[]?) result;
        if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
            result = (GeneralName.ReadNames(w, new Asn1Tag(TagClass.ContextSpecific, 0, true)), null);
        else if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1, true)))
        {
            var enc = w.ReadEncodedValue().ToArray();
            // Re-tag [1] IMPLICIT SET as a universal SET for later concatenation.
            enc[0] = 0x31;
            result = (null, enc);
        }
        else throw new AsnContentException("Bad DistributionPointName.");
        w.ThrowIfNotEmpty();
        return result;
    }

    internal static int ReadReasonFlags(AsnReader r, Asn1Tag tag)
    {
        var bits = r.ReadBitString(out _, tag);
        int v = 0;
        for (int i = 0; i < bits.Length && i < 2; i++)
            for (int b = 0; b < 8; b++)
                if ((bits[i] & (0x80 >> b)) != 0) v |= 1 << (i * 8 + b);
        return v;
    }

    public BigInteger SerialNumber => new(Serial, isUnsigned: false, isBigEndian: true);

    public override string ToString() => SubjectText;
}
