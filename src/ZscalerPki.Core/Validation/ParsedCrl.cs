using System.Formats.Asn1;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace ZscalerPki.Core.Validation;

internal sealed record CrlEntry(byte[] Serial, DateTime RevocationDate, int? Reason, DistinguishedName? EntryIssuer, bool HasUnknownCriticalExtension);

internal sealed record IssuingDistributionPointInfo(
    List<GeneralName>? FullName, byte[]? RelativeName, bool OnlyUserCerts, bool OnlyCACerts, int? OnlySomeReasons,
    bool IndirectCrl, bool OnlyAttributeCerts, byte[] Raw);

/// <summary>A CRL (RFC 5280 section 5) parsed with <see cref="AsnReader"/>.</summary>
internal sealed class ParsedCrl
{
    private static readonly ConditionalWeakTable<byte[], ParsedCrl> Cache = new();

    public const int ReasonRemoveFromCrl = 8;
    public const int ReasonCertificateHold = 6;

    public byte[] Raw { get; }
    public ReadOnlyMemory<byte> Tbs { get; private set; }
    public AlgorithmId SignatureAlgorithm { get; private set; } = null!;
    public AlgorithmId TbsSignatureAlgorithm { get; private set; } = null!;
    public byte[] SignatureValue { get; private set; } = [];
    public DistinguishedName Issuer { get; private set; } = DistinguishedName.Empty;
    public DateTime ThisUpdate { get; private set; }
    public DateTime? NextUpdate { get; private set; }
    public List<CrlEntry> Entries { get; } = new();
    public BigInteger? CrlNumber { get; private set; }
    public BigInteger? BaseCrlNumber { get; private set; }
    public IssuingDistributionPointInfo? Idp { get; private set; }
    public byte[]? AuthorityKeyId { get; private set; }
    public bool HasUnknownCriticalExtension { get; private set; }
    public bool IsDelta => BaseCrlNumber is not null;
    /// <summary>The version field as written: null when absent (v1), else its value (1 = v2).</summary>
    public System.Numerics.BigInteger? Version { get; private set; }
    /// <summary>
    /// RFC 5280 section 5 rules this CRL breaks although it parses (problem code, what is wrong). A CRL with defects is never
    /// used to decide revocation status: the status stays unknown, with the defect's code.
    /// </summary>
    public List<(string Code, string Message)> Defects { get; } = new();

    private ParsedCrl(byte[] raw) => Raw = raw;

    public static ParsedCrl From(byte[] der)
    {
        if (Cache.TryGetValue(der, out var c)) return c;
        var parsed = Parse(der);
        return Cache.GetValue(der, _ => parsed);
    }

    public static ParsedCrl Parse(byte[] der)
    {
        var crl = new ParsedCrl(der);
        try
        {
            crl.ParseCore();
        }
        catch (Exception ex) when (ex is AsnContentException or ArgumentException or OverflowException)
        {
            throw new PkiException(PkiErrorIds.CrlParseFailed, PkiErrorCategory.InvalidData, $"The CRL is not valid DER: {ex.Message}", null, ex);
        }
        return crl;
    }

    private void ParseCore()
    {
        var r = new AsnReader(Raw, AsnEncodingRules.DER);
        var outer = r.ReadSequence();
        r.ThrowIfNotEmpty();
        Tbs = outer.PeekEncodedValue();
        var tbs = outer.ReadSequence();
        SignatureAlgorithm = AlgorithmId.Read(outer);
        SignatureValue = outer.ReadBitString(out _);
        outer.ThrowIfNotEmpty();

        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            var version = tbs.ReadInteger();
            Version = version;
            if (version == 0)
                Defect(ChainProblemCodes.CrlVersionInvalid, "writes the version v1 explicitly; a v1 CRL omits the field and only v2 writes it (RFC 5280 5.1.2.1)");
            else if (version != 1)
                Defect(ChainProblemCodes.CrlVersionInvalid, $"has version value {version}; only v1 (absent) and v2 (1) exist (RFC 5280 5.1.2.1)");
        }
        TbsSignatureAlgorithm = AlgorithmId.Read(tbs);
        if (!SignatureAlgorithm.SameAs(TbsSignatureAlgorithm))
            Defect(ChainProblemCodes.CrlSignatureAlgorithmMismatch, $"names signature algorithm {SignatureAlgorithm.Oid} outside the signed part but {TbsSignatureAlgorithm.Oid} inside it; they must be equal (RFC 5280 5.1.1.2)");
        Issuer = DistinguishedName.Read(tbs);
        ThisUpdate = ParsedCertificate.ReadTime(tbs);
        if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
            NextUpdate = ParsedCertificate.ReadTime(tbs);
        var entryIssuer = Issuer;
        bool anyExtensions = false, emptyEntryExtensions = false, sawEntryIssuer = false;
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var list = tbs.ReadSequence();
            if (!list.HasData)
                Defect(ChainProblemCodes.CrlEmptySequence, "has an empty revokedCertificates list; with no revoked certificates the list must be absent (RFC 5280 5.1.2.6)");
            while (list.HasData)
            {
                var e = list.ReadSequence();
                var serial = e.ReadIntegerBytes().ToArray();
                var date = ParsedCertificate.ReadTime(e);
                int? reason = null;
                bool unknownCritical = false;
                if (e.HasData)
                {
                    var entryExtensions = e.ReadSequence();
                    anyExtensions = true;
                    if (!entryExtensions.HasData && !emptyEntryExtensions)
                    {
                        emptyEntryExtensions = true;
                        Defect(ChainProblemCodes.CrlEmptySequence, "has an entry with an empty crlEntryExtensions SEQUENCE; when present it holds at least one extension (RFC 5280 5.1)");
                    }
                    foreach (var (oid, critical, value) in ExtensionData.ReadAll(entryExtensions))
                    {
                        var vr = new AsnReader(value, AsnEncodingRules.DER);
                        switch (oid)
                        {
                            case Oids.CrlReason:
                                reason = (int)vr.ReadEnumeratedValue<CrlReasonValue>();
                                break;
                            case Oids.CertificateIssuer:
                                {
                                    var names = GeneralName.ReadNames(vr);
                                    var dn = names.FirstOrDefault(n => n.Kind == GeneralNameKind.Directory)?.Directory;
                                    if (dn is not null) entryIssuer = dn;
                                    sawEntryIssuer = true;
                                    break;
                                }
                            case Oids.InvalidityDate:
                                vr.ReadGeneralizedTime();
                                break;
                            default:
                                if (critical) unknownCritical = true;
                                break;
                        }
                    }
                }
                e.ThrowIfNotEmpty();
                Entries.Add(new CrlEntry(serial, date, reason, entryIssuer, unknownCritical));
            }
        }
        var t0 = new Asn1Tag(TagClass.ContextSpecific, 0, true);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(t0))
        {
            var w = tbs.ReadSequence(t0);
            var exts = w.ReadSequence();
            w.ThrowIfNotEmpty();
            anyExtensions = true;
            if (!exts.HasData)
                Defect(ChainProblemCodes.CrlEmptySequence, "has an empty crlExtensions SEQUENCE; when present it holds at least one extension (RFC 5280 5.1)");
            foreach (var (oid, critical, value) in ExtensionData.ReadAll(exts))
            {
                // RFC 5280 5.2: cRLNumber (5.2.3) and authorityKeyIdentifier (5.2.1) are non-critical; deltaCRLIndicator (5.2.4) is critical.
                if (critical && oid is Oids.CrlNumber or Oids.AuthorityKeyId)
                    Defect(ChainProblemCodes.CrlExtensionCriticality, $"marks its {(oid == Oids.CrlNumber ? "cRLNumber" : "authorityKeyIdentifier")} extension critical; RFC 5280 {(oid == Oids.CrlNumber ? "5.2.3" : "5.2.1")} makes it non-critical");
                if (!critical && oid == Oids.DeltaCrlIndicator)
                    Defect(ChainProblemCodes.CrlExtensionCriticality, "marks its deltaCRLIndicator extension non-critical; RFC 5280 5.2.4 makes it critical, so a client that ignores it cannot take the delta for a complete CRL");
                var vr = new AsnReader(value, AsnEncodingRules.DER);
                switch (oid)
                {
                    case Oids.CrlNumber: CrlNumber = vr.ReadInteger(); break;
                    case Oids.DeltaCrlIndicator: BaseCrlNumber = vr.ReadInteger(); break;
                    case Oids.AuthorityKeyId:
                        {
                            var s = vr.ReadSequence();
                            var k0 = new Asn1Tag(TagClass.ContextSpecific, 0);
                            if (s.HasData && s.PeekTag().HasSameClassAndValue(k0)) AuthorityKeyId = s.ReadOctetString(k0);
                            break;
                        }
                    case Oids.IssuingDistributionPoint:
                        Idp = ReadIdp(value.ToArray());
                        if (value.Length == 2) // 30 00: the DER encoding of an empty SEQUENCE
                            Defect(ChainProblemCodes.CrlEmptySequence, "has an issuingDistributionPoint that is an empty SEQUENCE, which RFC 5280 5.2.5 forbids");
                        break;
                    case Oids.IssuerAltName:
                    case Oids.FreshestCrl:
                    case Oids.AuthorityInfoAccess:
                        break;
                    default:
                        if (critical) HasUnknownCriticalExtension = true;
                        break;
                }
            }
        }
        tbs.ThrowIfNotEmpty();
        CheckEntries(sawEntryIssuer);
        if (Version is null && anyExtensions)
            Defect(ChainProblemCodes.CrlVersionInvalid, "is a v1 CRL (no version field) but carries extensions; extensions need v2 (RFC 5280 5.1.2.1)");
    }

    private void Defect(string code, string message) => Defects.Add((code, message));

    /// <summary>
    /// Entries that would make the answer depend on their order: a certificateIssuer entry extension in a CRL that is not
    /// indirect (RFC 5280 5.3.3: "CRL issuers MUST include this extension only in indirect CRLs", where it reassigns the
    /// entries after it), and one certificate listed twice (RFC 5280 5.1.2.6 lists each revoked certificate by its serial;
    /// a removeFromCRL entry before a keyCompromise one read as Good).
    /// </summary>
    private void CheckEntries(bool sawEntryIssuer)
    {
        if (sawEntryIssuer && Idp is not { IndirectCrl: true })
            Defect(ChainProblemCodes.CrlEntryIssuerNotIndirect, "has an entry with a certificateIssuer extension but is not an indirect CRL (its issuingDistributionPoint does not set indirectCRL); RFC 5280 5.3.3 allows that extension only in indirect CRLs (5.2.5)");
        var seen = new HashSet<(string, string)>();
        foreach (var entry in Entries)
        {
            if (!seen.Add((Convert.ToHexString(entry.Serial), (entry.EntryIssuer ?? Issuer).Canonical)))
            {
                Defect(ChainProblemCodes.CrlDuplicateEntry, $"lists serial {Convert.ToHexString(entry.Serial)} more than once; each revoked certificate has one entry (RFC 5280 5.1.2.6), and two entries leave its status to their order");
                return;
            }
        }
    }

    private enum CrlReasonValue
    {
        Unspecified = 0, KeyCompromise = 1, CaCompromise = 2, AffiliationChanged = 3, Superseded = 4,
        CessationOfOperation = 5, CertificateHold = 6, Unused7 = 7, RemoveFromCrl = 8, PrivilegeWithdrawn = 9, AaCompromise = 10,
    }

    private static IssuingDistributionPointInfo ReadIdp(byte[] raw)
    {
        var s = new AsnReader(raw, AsnEncodingRules.DER).ReadSequence();
        var (full, rel) = ParsedCertificate.ReadDistributionPointName(s, new Asn1Tag(TagClass.ContextSpecific, 0, true));
        bool userCerts = false, caCerts = false, indirect = false, attr = false;
        int? reasons = null;
        var t1 = new Asn1Tag(TagClass.ContextSpecific, 1);
        var t2 = new Asn1Tag(TagClass.ContextSpecific, 2);
        var t3 = new Asn1Tag(TagClass.ContextSpecific, 3);
        var t4 = new Asn1Tag(TagClass.ContextSpecific, 4);
        var t5 = new Asn1Tag(TagClass.ContextSpecific, 5);
        if (s.HasData && s.PeekTag().HasSameClassAndValue(t1)) userCerts = s.ReadBoolean(t1);
        if (s.HasData && s.PeekTag().HasSameClassAndValue(t2)) caCerts = s.ReadBoolean(t2);
        if (s.HasData && s.PeekTag().HasSameClassAndValue(t3)) reasons = ParsedCertificate.ReadReasonFlags(s, t3);
        if (s.HasData && s.PeekTag().HasSameClassAndValue(t4)) indirect = s.ReadBoolean(t4);
        if (s.HasData && s.PeekTag().HasSameClassAndValue(t5)) attr = s.ReadBoolean(t5);
        s.ThrowIfNotEmpty();
        return new IssuingDistributionPointInfo(full, rel, userCerts, caCerts, reasons, indirect, attr, raw);
    }

    /// <summary>Checks the CRL's signature with a candidate issuer certificate's key.</summary>
    public SignatureCheck VerifySignature(ParsedCertificate signer, ParsedCertificate? signerIssuer, out string? reason)
    {
        try
        {
            return SignatureVerifier.Verify(signer, signerIssuer, Tbs.Span, SignatureAlgorithm, SignatureValue, out reason);
        }
        catch (CryptographicException ex)
        {
            reason = ex.Message;
            return SignatureCheck.Invalid;
        }
    }
}
