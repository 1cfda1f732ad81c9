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

    /// <summary>True when the parameters field is absent (an absent field reads as empty memory, not null).</summary>
    public bool ParametersAbsent => Parameters is not { Length: > 0 };

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
internal sealed partial class ParsedCertificate
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
                Malformed.Add($"{ext.Oid} ({ExtensionName(ext.Oid)}): {ex.Message}");
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

    public BigInteger SerialNumber => new(Serial, isUnsigned: false, isBigEndian: true);

    public override string ToString() => SubjectText;
}
