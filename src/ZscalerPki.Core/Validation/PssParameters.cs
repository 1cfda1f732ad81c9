using System.Formats.Asn1;
using System.Security.Cryptography;

namespace ZscalerPki.Core.Validation;

/// <summary>
/// RSASSA-PSS-params (RFC 4055 section 3.1) of a signature algorithm or of an id-RSASSA-PSS public key:
/// <code>
/// RSASSA-PSS-params ::= SEQUENCE {
///   hashAlgorithm      [0] HashAlgorithm    DEFAULT sha1Identifier,
///   maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
///   saltLength         [2] INTEGER          DEFAULT 20,
///   trailerField       [3] INTEGER          DEFAULT 1 }
/// </code>
/// Hashes SHA-1, SHA-256, SHA-384 and SHA-512 are supported (for the message and for MGF1); others are unsupported.
/// </summary>
internal sealed record PssParameters(HashAlgorithmName Hash, HashAlgorithmName MgfHash, int SaltLength)
{
    private const string Mgf1 = "1.2.840.113549.1.1.8";

    /// <summary>The defaults of RFC 4055 section 3.1: SHA-1, MGF1 with SHA-1, salt length 20.</summary>
    public static PssParameters Defaults { get; } = new(HashAlgorithmName.SHA1, HashAlgorithmName.SHA1, 20);

    /// <summary>
    /// True when .NET can verify it: <see cref="RSASignaturePadding.Pss"/> is MGF1 with the message hash and a salt as
    /// long as the hash, nothing else. Every other combination goes to BouncyCastle.
    /// </summary>
    public bool DotNetCanVerify => MgfHash == Hash && SaltLength == HashLength(Hash);

    /// <summary>Outcome of <see cref="Parse"/> when it returns null.</summary>
    public enum Failure { None, Malformed, Unsupported }

    public static int HashLength(HashAlgorithmName h) =>
        h == HashAlgorithmName.SHA1 ? 20 : h == HashAlgorithmName.SHA256 ? 32 : h == HashAlgorithmName.SHA384 ? 48 : 64;

    private static HashAlgorithmName? HashFromOid(string oid) => oid switch
    {
        "1.3.14.3.2.26" => HashAlgorithmName.SHA1,
        "2.16.840.1.101.3.4.2.1" => HashAlgorithmName.SHA256,
        "2.16.840.1.101.3.4.2.2" => HashAlgorithmName.SHA384,
        "2.16.840.1.101.3.4.2.3" => HashAlgorithmName.SHA512,
        _ => null,
    };

    /// <summary>
    /// Parses the parameters of an id-RSASSA-PSS AlgorithmIdentifier. <paramref name="forSignature"/>: RFC 4055 section
    /// 3.1 says the parameters MUST be present beside a signature value, and may be absent in a SubjectPublicKeyInfo
    /// (then the key carries no restriction: <c>null</c> with <see cref="Failure.None"/>).
    /// </summary>
    public static PssParameters? Parse(ReadOnlyMemory<byte>? encoded, bool forSignature, out Failure failure, out string? reason)
    {
        failure = Failure.None;
        reason = null;
        if (encoded is not { Length: > 0 } p)
        {
            if (!forSignature) return null;
            return Fail(Failure.Malformed, "RSASSA-PSS parameters are absent; RFC 4055 3.1 requires them with a signature", out failure, out reason);
        }
        try
        {
            var s = new AsnReader(p, AsnEncodingRules.DER).ReadSequence();
            var hash = HashAlgorithmName.SHA1;
            var mgfHash = HashAlgorithmName.SHA1;
            int salt = 20;
            // Explicitly encoded DEFAULT values are accepted (DER says omit them, but some producers write them).
            if (TryRead(s, 0) is { } hashField)
            {
                var a = AlgorithmId.Read(hashField);
                hashField.ThrowIfNotEmpty();
                if (!HashParametersOk(a)) return Fail(Failure.Malformed, "the RSASSA-PSS hash algorithm has parameters other than NULL", out failure, out reason);
                if (HashFromOid(a.Oid) is not { } h) return Fail(Failure.Unsupported, $"RSASSA-PSS hash {a.Oid} is not supported (SHA-1, SHA-256, SHA-384, SHA-512)", out failure, out reason);
                hash = h;
            }
            if (TryRead(s, 1) is { } mgfField)
            {
                var a = AlgorithmId.Read(mgfField);
                mgfField.ThrowIfNotEmpty();
                // RFC 4055 3.1: MGF1 is the only mask generation function; its parameter is the hash AlgorithmIdentifier.
                if (a.Oid != Mgf1) return Fail(Failure.Unsupported, $"RSASSA-PSS mask generation function {a.Oid} is not supported (MGF1 only)", out failure, out reason);
                if (a.ParametersAbsent) return Fail(Failure.Malformed, "MGF1 has no hash algorithm parameter", out failure, out reason);
                var mr = new AsnReader(a.Parameters!.Value, AsnEncodingRules.DER);
                var inner = AlgorithmId.Read(mr);
                mr.ThrowIfNotEmpty();
                if (!HashParametersOk(inner)) return Fail(Failure.Malformed, "the MGF1 hash algorithm has parameters other than NULL", out failure, out reason);
                if (HashFromOid(inner.Oid) is not { } h) return Fail(Failure.Unsupported, $"MGF1 hash {inner.Oid} is not supported (SHA-1, SHA-256, SHA-384, SHA-512)", out failure, out reason);
                mgfHash = h;
            }
            if (TryRead(s, 2) is { } saltField)
            {
                if (!saltField.TryReadInt32(out salt) || salt < 0) return Fail(Failure.Malformed, "the RSASSA-PSS saltLength is not a non-negative INTEGER", out failure, out reason);
                saltField.ThrowIfNotEmpty();
            }
            if (TryRead(s, 3) is { } trailerField)
            {
                // RFC 4055 3.1: trailerField MUST be 1 (trailerFieldBC, the 0xBC byte).
                if (!trailerField.TryReadInt32(out var trailer) || trailer != 1) return Fail(Failure.Malformed, "the RSASSA-PSS trailerField is not 1", out failure, out reason);
                trailerField.ThrowIfNotEmpty();
            }
            s.ThrowIfNotEmpty();
            return new PssParameters(hash, mgfHash, salt);
        }
        catch (AsnContentException ex)
        {
            return Fail(Failure.Malformed, "RSASSA-PSS parameters are not valid DER: " + ex.Message, out failure, out reason);
        }
    }

    /// <summary>
    /// RFC 4055 section 3.3: a signature made with an id-RSASSA-PSS key whose parameters are present must use the key's
    /// hash and mask generation function, and a salt at least as long as the key's. Null when it does.
    /// </summary>
    public string? ViolatesKeyRestriction(PssParameters key) =>
        key.Hash != Hash || key.MgfHash != MgfHash ? "the signature's RSASSA-PSS hash or MGF1 hash differs from the key's (RFC 4055 3.3)"
        : SaltLength < key.SaltLength ? $"the signature's salt length {SaltLength} is shorter than the key's minimum {key.SaltLength} (RFC 4055 3.3)"
        : null;

    /// <summary>RFC 4055 2.1: a hash AlgorithmIdentifier's parameters are absent or NULL; both must be accepted.</summary>
    private static bool HashParametersOk(AlgorithmId a) =>
        a.ParametersAbsent || a.Parameters!.Value.Span.SequenceEqual(new byte[] { 0x05, 0x00 });

    private static AsnReader? TryRead(AsnReader s, int tag)
    {
        var t = new Asn1Tag(TagClass.ContextSpecific, tag, true);
        return s.HasData && s.PeekTag().HasSameClassAndValue(t) ? s.ReadSequence(t) : null;
    }

    private static PssParameters? Fail(Failure kind, string message, out Failure failure, out string? reason)
    {
        failure = kind;
        reason = message;
        return null;
    }
}
