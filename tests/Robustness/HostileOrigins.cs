// Shared by tests/ZscalerPki.Core.Tests and bench/ZscalerPki.Bench: origin certificates (what New-InspectionCertificate
// forges from) whose subject and subjectAltName are hostile: well-formed DER that a careless forger would copy and sign.
using System.Formats.Asn1;
using System.Security.Cryptography;

namespace ZscalerPki.Robustness;

/// <summary>
/// Origins with huge subjects (1 MB, 10,000 RDNs), an empty RDN SET, a T61String with high bytes, OID arcs of 40 digits,
/// multi-valued and upper-case common names, public-suffix wildcards (<c>*.co.uk</c>, <c>*.github.io</c>) and name lists
/// past the 1,000 bound; then endless random combinations of those shapes. Deterministic for a given seed. Each origin is
/// signed by a throw-away key (the forger never checks an origin's signature: it is only a template).
/// </summary>
public sealed class HostileOrigins : IDisposable
{
    private const string Cn = "2.5.4.3", O = "2.5.4.10", Ou = "2.5.4.11", C = "2.5.4.6", L = "2.5.4.7";
    private static readonly string[] NormalNames = { "www.example.com", "example.com", "api.example.net", "shop.example.org" };
    private static readonly string[] SuffixWildcards = { "*.co.uk", "*.github.io", "*.s3.amazonaws.com", "*.com.au" };

    private readonly Random _random;
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public HostileOrigins(int seed) => _random = new Random(seed);

    public void Dispose() => _key.Dispose();

    /// <summary>The fixed catalogue (every hostile shape once, and a big but legitimate subject), then random mixtures.</summary>
    public IEnumerable<MalformedInput> Generate()
    {
        foreach (var (mutation, subject, names) in Fixed())
            yield return new MalformedInput("origin", mutation, Build(subject, names));
        while (true)
        {
            var (mutation, subject, names) = Mixed();
            yield return new MalformedInput("origin", mutation, Build(subject, names));
        }
    }

    /// <summary>The fixed shapes alone (for the round-trip test).</summary>
    public IEnumerable<(string Mutation, byte[] Der)> Catalogue() => Fixed().Select(f => (f.Mutation, Build(f.Subject, f.Names)));

    private IEnumerable<(string Mutation, byte[] Subject, string[] Names)> Fixed()
    {
        var site = new[] { "www.example.com" };
        yield return ("normal", Name(Rdn(Cn, "www.example.com")), site);
        yield return ("big but legitimate subject", BigLegitimateSubject(), site);
        yield return ("1 MB subject", Name(Rdn(Cn, "www.example.com"), Rdn(O, new string('x', 1_000_000))), site);
        yield return ("10,000 RDNs", Name(new[] { Rdn(Cn, "www.example.com") }.Concat(Enumerable.Range(0, 9_999).Select(i => Rdn(Ou, "u" + i))).ToArray()), site);
        yield return ("65 RDNs", Name(new[] { Rdn(Cn, "www.example.com") }.Concat(Enumerable.Range(0, 64).Select(i => Rdn(Ou, "u" + i))).ToArray()), site);
        yield return ("empty RDN SET", Name(Rdn(Cn, "www.example.com"), new byte[] { 0x31, 0x00 }), site);
        yield return ("T61String with high bytes", Name(Rdn(Cn, "www.example.com"), T61(O, new byte[] { 0x41, 0xC8, 0xFF, 0x80, 0x9B })), site);
        yield return ("OID arc of 40 digits", Name(Rdn(Cn, "www.example.com"), Rdn("1.2." + new string('9', 40), "x")), site);
        yield return ("OID arc of 40 digits in the CN's RDN", Name(Multi(Rdn(Cn, "www.example.com"), Rdn("2.5.4." + new string('7', 40), "x"))), site);
        yield return ("empty subject", Name(), site);
        yield return ("upper-case CN", Name(Rdn(Cn, "WWW.EXAMPLE.COM")), site);
        yield return ("two CNs", Name(Rdn(Cn, "www.example.com"), Rdn(Cn, "other.example.com")), site);
        yield return ("CN not in SAN", Name(Rdn(Cn, "elsewhere.example.org")), site);
        yield return ("*.co.uk alone", Name(Rdn(Cn, "*.co.uk")), new[] { "*.co.uk" });
        yield return ("*.co.uk beside a name", Name(Rdn(Cn, "www.example.co.uk")), new[] { "*.co.uk", "www.example.co.uk" });
        yield return ("*.github.io with github.io (CN the wildcard)", Name(Rdn(Cn, "*.github.io")), new[] { "*.github.io", "github.io" });
        yield return ("every public-suffix wildcard", Name(Rdn(C, "GB")), SuffixWildcards);
        yield return ("subject-only origin, CN *.co.uk", Name(Rdn(Cn, "*.co.uk")), Array.Empty<string>());
        yield return ("1,001 names", Name(Rdn(Cn, "h0.example.com")), Enumerable.Range(0, 1001).Select(i => $"h{i}.example.com").ToArray());
        yield return ("1,000 names", Name(Rdn(Cn, "h0.example.com")), Enumerable.Range(0, 1000).Select(i => $"h{i}.example.com").ToArray());
    }

    /// <summary>What an EV certificate carries (~20 attributes, under 1 KiB): must still be forged.</summary>
    private static byte[] BigLegitimateSubject() => Name(
        Rdn("1.3.6.1.4.1.311.60.2.1.3", "US", UniversalTagNumber.PrintableString), Rdn("1.3.6.1.4.1.311.60.2.1.2", "Delaware"),
        Rdn("2.5.4.15", "Private Organization"), Rdn("2.5.4.5", "5157550", UniversalTagNumber.PrintableString),
        Rdn(C, "US", UniversalTagNumber.PrintableString), Rdn("2.5.4.8", "California"), Rdn(L, "San Francisco"),
        Rdn("2.5.4.9", "88 Colin P Kelly Jr Street"), Rdn("2.5.4.17", "94107"), Rdn(O, new string('O', 64)),
        Rdn(Ou, "Engineering"), Rdn(Ou, "Platform"), Rdn(Ou, "Edge"), Rdn(Ou, new string('U', 64)),
        Rdn("0.9.2342.19200300.100.1.25", "com", UniversalTagNumber.IA5String), Rdn("0.9.2342.19200300.100.1.25", "example", UniversalTagNumber.IA5String),
        Rdn(Cn, "www.example.com"));

    private (string, byte[], string[]) Mixed()
    {
        var parts = new List<string>();
        var rdns = new List<byte[]>();
        var names = new List<string>();
        for (var i = _random.Next(4); i > 0; i--)
            names.Add(NormalNames[_random.Next(NormalNames.Length)]);
        if (_random.Next(3) == 0)
        {
            names.Add(SuffixWildcards[_random.Next(SuffixWildcards.Length)]);
            parts.Add("suffix wildcard");
        }
        if (_random.Next(8) == 0)
        {
            var count = 900 + _random.Next(200);
            names.AddRange(Enumerable.Range(0, count).Select(i => $"n{i}.example.com"));
            parts.Add($"{count} extra names");
        }
        if (_random.Next(2) == 0)
            rdns.Add(Rdn(Cn, names.Count > 0 && _random.Next(3) > 0 ? names[0] : NormalNames[_random.Next(NormalNames.Length)].ToUpperInvariant()));
        var extra = _random.Next(5) switch { 0 => 0, 1 => _random.Next(10), 2 => _random.Next(60, 70), 3 => _random.Next(100), _ => _random.Next(20) };
        for (var i = 0; i < extra; i++)
        {
            rdns.Add(_random.Next(40) switch
            {
                0 => new byte[] { 0x31, 0x00 },
                1 => T61(O, Enumerable.Range(0, 1 + _random.Next(8)).Select(_ => (byte)_random.Next(256)).ToArray()),
                2 => Rdn("1.2." + new string('9', 20 + _random.Next(30)), "x"),
                3 => Rdn(O, new string('o', 100 + _random.Next(5000))),
                4 => Multi(Rdn(Ou, "a"), Rdn(L, "b")),
                _ => Rdn(Ou, "unit " + i),
            });
        }
        parts.Add($"{rdns.Count} RDNs");
        return ("mixed: " + string.Join(", ", parts), Name(rdns.ToArray()), names.Distinct().ToArray());
    }

    // ---------------------------------------------------------------- DER

    public static byte[] Rdn(string oid, string value, UniversalTagNumber type = UniversalTagNumber.UTF8String)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSetOf())
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier(oid);
            w.WriteCharacterString(type, value);
        }
        return w.Encode();
    }

    /// <summary>A T61String (TeletexString) whose octets are written as given: high bytes are not Latin-1 in T.61.</summary>
    public static byte[] T61(string oid, byte[] octets)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSetOf())
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier(oid);
            // Written raw: AsnWriter will not put a universal string tag on an OCTET STRING.
            w.WriteEncodedValue(new byte[] { 0x14, (byte)octets.Length }.Concat(octets).ToArray());
        }
        return w.Encode();
    }

    /// <summary>One multi-valued RDN made of the AVAs of single-valued ones.</summary>
    public static byte[] Multi(params byte[][] rdns)
    {
        var w = new AsnWriter(AsnEncodingRules.BER);
        using (w.PushSetOf())
        {
            foreach (var rdn in rdns)
                w.WriteEncodedValue(new AsnReader(rdn, AsnEncodingRules.BER).ReadSetOf(skipSortOrderValidation: true).ReadEncodedValue().Span);
        }
        return w.Encode();
    }

    public static byte[] Name(params byte[][] rdns)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            foreach (var rdn in rdns)
                w.WriteEncodedValue(rdn);
        }
        return w.Encode();
    }

    /// <summary>An end-entity origin with this subject and these dNSNames (no SAN at all when none), valid now.</summary>
    public byte[] Build(byte[] subjectDer, IReadOnlyCollection<string> dnsNames)
    {
        var now = DateTimeOffset.UtcNow;
        var tbs = new AsnWriter(AsnEncodingRules.DER);
        using (tbs.PushSequence())
        {
            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
                tbs.WriteInteger(2);
            tbs.WriteInteger(0x1234_5678 + _random.Next(1 << 20));
            WriteEcdsaSha256(tbs);
            tbs.WriteEncodedValue(Name(Rdn(Cn, "Hostile Origin CA")));
            using (tbs.PushSequence())
            {
                tbs.WriteUtcTime(now.AddDays(-1));
                tbs.WriteUtcTime(now.AddDays(90));
            }
            tbs.WriteEncodedValue(subjectDer);
            tbs.WriteEncodedValue(_key.ExportSubjectPublicKeyInfo());
            if (dnsNames.Count > 0)
            {
                using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3, true)))
                using (tbs.PushSequence())
                using (tbs.PushSequence())
                {
                    tbs.WriteObjectIdentifier("2.5.29.17");
                    var san = new AsnWriter(AsnEncodingRules.DER);
                    using (san.PushSequence())
                    {
                        foreach (var d in dnsNames)
                            san.WriteCharacterString(UniversalTagNumber.IA5String, d, new Asn1Tag(TagClass.ContextSpecific, 2));
                    }
                    tbs.WriteOctetString(san.Encode());
                }
            }
        }
        var tbsDer = tbs.Encode();
        var cert = new AsnWriter(AsnEncodingRules.DER);
        using (cert.PushSequence())
        {
            cert.WriteEncodedValue(tbsDer);
            WriteEcdsaSha256(cert);
            cert.WriteBitString(_key.SignData(tbsDer, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        }
        return cert.Encode();
    }

    private static void WriteEcdsaSha256(AsnWriter w)
    {
        using (w.PushSequence())
            w.WriteObjectIdentifier("1.2.840.10045.4.3.2");
    }
}
