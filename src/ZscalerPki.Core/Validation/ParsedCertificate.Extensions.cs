using System.Formats.Asn1;
using System.Security.Cryptography;

namespace ZscalerPki.Core.Validation;

/// <summary>The extension readers of <see cref="ParsedCertificate"/> (RFC 5280 section 4.2), one case per understood extension.</summary>
internal sealed partial class ParsedCertificate
{
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
                    KeyUsage = (KeyUsageBits)v;
                    // RFC 5280 4.2.1.3: "at least one of the bits MUST be set to 1". The value still decodes (Go reads it as
                    // "no usage stated"), so the certificate is kept and the rule is reported.
                    if (v == 0) BreaksRule(ext, "keyUsage", "it asserts no bit; RFC 5280 4.2.1.3 requires at least one");
                    break;
                }
            case Oids.ExtendedKeyUsage:
                {
                    var s = r.ReadSequence();
                    var list = new List<string>();
                    while (s.HasData) list.Add(s.ReadObjectIdentifier());
                    ExtendedKeyUsage = list;
                    // ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId (RFC 5280 4.2.1.12). An empty SEQUENCE
                    // still decodes (Go reads it as "no usage restriction"), so it is reported, not refused.
                    if (list.Count == 0) BreaksRule(ext, "extKeyUsage", "it is an empty SEQUENCE; RFC 5280 4.2.1.12 requires at least one KeyPurposeId");
                    break;
                }
            case Oids.SubjectAltName:
                {
                    var names = GeneralName.ReadNames(r);
                    if (names.Count == 0) throw new AsnContentException("Empty subjectAltName.");
                    SubjectAltNames = names;
                    CheckIpAddresses(ext, "subjectAltName", names);
                    break;
                }
            case Oids.NameConstraints:
                {
                    var s = r.ReadSequence();
                    var permitted = new List<GeneralSubtree>();
                    var excluded = new List<GeneralSubtree>();
                    var p0 = new Asn1Tag(TagClass.ContextSpecific, 0, true);
                    var p1 = new Asn1Tag(TagClass.ContextSpecific, 1, true);
                    bool emptySubtrees = false;
                    if (s.HasData && s.PeekTag().HasSameClassAndValue(p0)) emptySubtrees |= !ReadSubtrees(s.ReadSequence(p0), permitted);
                    if (s.HasData && s.PeekTag().HasSameClassAndValue(p1)) emptySubtrees |= !ReadSubtrees(s.ReadSequence(p1), excluded);
                    s.ThrowIfNotEmpty();
                    NameConstraints = new NameConstraintsInfo(permitted, excluded);
                    // RFC 5280 4.2.1.10: "conforming CAs MUST NOT issue certificates where name constraints is an empty
                    // sequence", and "the minimum MUST be zero, and maximum MUST be absent" in every GeneralSubtree.
                    // GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree: an empty one decodes (OpenSSL, NSS and Java read
                    // it as no constraint), so it is reported, not refused.
                    if (emptySubtrees)
                        BreaksRule(ext, "nameConstraints", "a permittedSubtrees or excludedSubtrees is an empty SEQUENCE; RFC 5280 4.2.1.10 requires at least one GeneralSubtree");
                    else if (permitted.Count == 0 && excluded.Count == 0)
                        BreaksRule(ext, "nameConstraints", "it has neither permittedSubtrees nor excludedSubtrees; RFC 5280 4.2.1.10 forbids an empty nameConstraints");
                    if (permitted.Concat(excluded).FirstOrDefault(t => t.Minimum != 0 || t.Maximum is not null) is { } bad)
                        BreaksRule(ext, "nameConstraints", $"a subtree has minimum {bad.Minimum}{(bad.Maximum is { } mx ? $" and maximum {mx}" : string.Empty)}; RFC 5280 4.2.1.10 requires minimum 0 and no maximum");
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
                    // RFC 5280 4.2.1.5: "Policies MUST NOT be mapped either to or from the special value anyPolicy".
                    if (list.Any(m => m.Item1 == Oids.AnyPolicy || m.Item2 == Oids.AnyPolicy))
                        BreaksRule(ext, "policyMappings", "it maps to or from anyPolicy (2.5.29.32.0), which RFC 5280 4.2.1.5 forbids");
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
                CheckIpAddresses(ext, "issuerAltName", GeneralName.ReadNames(r));
                break;
            default:
                return;
        }
        r.ThrowIfNotEmpty();
    }

    /// <summary>
    /// Why this class's reader cannot decode one extension (null when it can); rules it records as <see cref="Malformed"/>
    /// while keeping the decoded value are not reported here. Used where certificates and CSRs are read.
    /// </summary>
    internal static string? DecodeProblem(string oid, bool critical, byte[] value)
    {
        var scratch = new ParsedCertificate(Array.Empty<byte>());
        try
        {
            scratch.ParseExtension(new ExtensionData(oid, critical, value));
            return null;
        }
        catch (Exception ex) when (ex is AsnContentException or ArgumentException or OverflowException or FormatException or CryptographicException)
        {
            return ex.Message.TrimEnd('.');
        }
    }

    /// <summary>The RFC 5280 name of an extension this class reads, for messages; "extension" for others.</summary>
    internal static string ExtensionName(string oid) => oid switch
    {
        Oids.BasicConstraints => "basicConstraints",
        Oids.KeyUsage => "keyUsage",
        Oids.ExtendedKeyUsage => "extKeyUsage",
        Oids.SubjectAltName => "subjectAltName",
        Oids.IssuerAltName => "issuerAltName",
        Oids.NameConstraints => "nameConstraints",
        Oids.CertificatePolicies => "certificatePolicies",
        Oids.PolicyMappings => "policyMappings",
        Oids.PolicyConstraints => "policyConstraints",
        Oids.InhibitAnyPolicy => "inhibitAnyPolicy",
        Oids.AuthorityKeyId => "authorityKeyIdentifier",
        Oids.SubjectKeyId => "subjectKeyIdentifier",
        Oids.CrlDistributionPoints => "cRLDistributionPoints",
        Oids.FreshestCrl => "freshestCRL",
        Oids.AuthorityInfoAccess => "authorityInfoAccess",
        Oids.SubjectInfoAccess => "subjectInfoAccess",
        _ => "extension",
    };

    /// <summary>
    /// A known extension that decodes but breaks an RFC 5280 rule: recorded in <see cref="Malformed"/> (the validator reports
    /// it as MalformedExtension, Import-SignedIntermediate refuses the certificate) while the decoded value is kept.
    /// </summary>
    private void BreaksRule(ExtensionData ext, string name, string why) => Malformed.Add($"{ext.Oid} ({name}): {why}");

    /// <summary>RFC 5280 4.2.1.6: an iPAddress in a subject or issuer alternative name is 4 octets (IPv4) or 16 (IPv6).</summary>
    private void CheckIpAddresses(ExtensionData ext, string name, List<GeneralName> names)
    {
        if (names.FirstOrDefault(n => n.Kind == GeneralNameKind.IPAddress && n.Bytes!.Length is not (4 or 16)) is { } bad)
            BreaksRule(ext, name, $"an iPAddress is {bad.Bytes!.Length} octets; RFC 5280 4.2.1.6 requires 4 (IPv4) or 16 (IPv6)");
    }

    /// <summary>Reads GeneralSubtrees into <paramref name="into"/>; false when the SEQUENCE is empty (RFC 5280 says SIZE (1..MAX)).</summary>
    private static bool ReadSubtrees(AsnReader seq, List<GeneralSubtree> into)
    {
        int before = into.Count;
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
        return into.Count > before;
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
            // RFC 5280 4.2.1.13: "a DistributionPoint MUST NOT consist of only the reasons field; either distributionPoint
            // or cRLIssuer MUST be present".
            if (full is null && rel is null && crlIssuer is null)
                throw new AsnContentException("A DistributionPoint has neither distributionPoint nor cRLIssuer, which RFC 5280 4.2.1.13 requires.");
            list.Add(new DistributionPointInfo(full, rel, reasons, crlIssuer));
        }
        // CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint (RFC 5280 4.2.1.13).
        if (list.Count == 0)
            throw new AsnContentException("The extension is an empty SEQUENCE; RFC 5280 4.2.1.13 requires at least one DistributionPoint.");
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
}
