using System.Formats.Asn1;
using System.Security.Cryptography;

namespace ZscalerPki.Core.Validation;

internal enum SignatureCheck
{
    Valid,
    Invalid,
    Unsupported,
}

/// <summary>
/// Signature verification through .NET's public-key APIs. Keys are imported once per parsed certificate and
/// cached on it; every call really verifies (no result caching).
/// </summary>
internal static class SignatureVerifier
{
    private const string RsaEncryption = "1.2.840.113549.1.1.1";
    private const string RsaPss = "1.2.840.113549.1.1.10";
    private const string EcPublicKey = "1.2.840.10045.2.1";
    private const string DsaKey = "1.2.840.10040.4.1";

    internal enum KeyKind { Rsa, Ecdsa, Dsa }

    internal sealed record SigAlg(KeyKind Kind, HashAlgorithmName Hash, bool Pss);

    /// <summary>Describes a signature algorithm OID, or null when unsupported.</summary>
    internal static SigAlg? Describe(AlgorithmId alg, out string? reason)
    {
        reason = null;
        switch (alg.Oid)
        {
            case "1.2.840.113549.1.1.4": return new SigAlg(KeyKind.Rsa, HashAlgorithmName.MD5, false);
            case "1.2.840.113549.1.1.5":
            case "1.3.14.3.2.29": return new SigAlg(KeyKind.Rsa, HashAlgorithmName.SHA1, false);
            case "1.2.840.113549.1.1.11": return new SigAlg(KeyKind.Rsa, HashAlgorithmName.SHA256, false);
            case "1.2.840.113549.1.1.12": return new SigAlg(KeyKind.Rsa, HashAlgorithmName.SHA384, false);
            case "1.2.840.113549.1.1.13": return new SigAlg(KeyKind.Rsa, HashAlgorithmName.SHA512, false);
            case "1.2.840.10045.4.1": return new SigAlg(KeyKind.Ecdsa, HashAlgorithmName.SHA1, false);
            case "1.2.840.10045.4.3.2": return new SigAlg(KeyKind.Ecdsa, HashAlgorithmName.SHA256, false);
            case "1.2.840.10045.4.3.3": return new SigAlg(KeyKind.Ecdsa, HashAlgorithmName.SHA384, false);
            case "1.2.840.10045.4.3.4": return new SigAlg(KeyKind.Ecdsa, HashAlgorithmName.SHA512, false);
            case "1.2.840.10040.4.3": return new SigAlg(KeyKind.Dsa, HashAlgorithmName.SHA1, false);
            case "2.16.840.1.101.3.4.3.2": return new SigAlg(KeyKind.Dsa, HashAlgorithmName.SHA256, false);
            case RsaPss:
                {
                    var h = ParsePss(alg, out reason);
                    return h is null ? null : new SigAlg(KeyKind.Rsa, h.Value, true);
                }
            default:
                reason = $"signature algorithm {alg.Oid} is not supported";
                return null;
        }
    }

    private static HashAlgorithmName? HashFromOid(string oid) => oid switch
    {
        "1.3.14.3.2.26" => HashAlgorithmName.SHA1,
        "2.16.840.1.101.3.4.2.1" => HashAlgorithmName.SHA256,
        "2.16.840.1.101.3.4.2.2" => HashAlgorithmName.SHA384,
        "2.16.840.1.101.3.4.2.3" => HashAlgorithmName.SHA512,
        _ => null,
    };

    private static int HashLength(HashAlgorithmName h) =>
        h == HashAlgorithmName.SHA1 ? 20 : h == HashAlgorithmName.SHA256 ? 32 : h == HashAlgorithmName.SHA384 ? 48 : 64;

    private static HashAlgorithmName? ParsePss(AlgorithmId alg, out string? reason)
    {
        reason = null;
        try
        {
            var hash = HashAlgorithmName.SHA1;
            var mgfHash = HashAlgorithmName.SHA1;
            int salt = 20;
            if (alg.Parameters is { } p)
            {
                var s = new AsnReader(p, AsnEncodingRules.DER).ReadSequence();
                var t0 = new Asn1Tag(TagClass.ContextSpecific, 0, true);
                var t1 = new Asn1Tag(TagClass.ContextSpecific, 1, true);
                var t2 = new Asn1Tag(TagClass.ContextSpecific, 2, true);
                var t3 = new Asn1Tag(TagClass.ContextSpecific, 3, true);
                if (s.HasData && s.PeekTag().HasSameClassAndValue(t0))
                {
                    var a = AlgorithmId.Read(s.ReadSequence(t0));
                    hash = HashFromOid(a.Oid) ?? throw new NotSupportedException("PSS hash " + a.Oid);
                }
                if (s.HasData && s.PeekTag().HasSameClassAndValue(t1))
                {
                    var a = AlgorithmId.Read(s.ReadSequence(t1));
                    if (a.Oid != "1.2.840.113549.1.1.8" || a.Parameters is null) throw new NotSupportedException("PSS MGF " + a.Oid);
                    var inner = AlgorithmId.Read(new AsnReader(a.Parameters.Value, AsnEncodingRules.DER));
                    mgfHash = HashFromOid(inner.Oid) ?? throw new NotSupportedException("MGF1 hash " + inner.Oid);
                }
                if (s.HasData && s.PeekTag().HasSameClassAndValue(t2))
                {
                    if (!s.ReadSequence(t2).TryReadInt32(out salt)) throw new NotSupportedException("salt length");
                }
                if (s.HasData && s.PeekTag().HasSameClassAndValue(t3))
                {
                    if (!s.ReadSequence(t3).TryReadInt32(out var trailer) || trailer != 1) throw new NotSupportedException("trailer field");
                }
                s.ThrowIfNotEmpty();
            }
            if (mgfHash != hash || salt != HashLength(hash))
            {
                reason = "RSASSA-PSS parameters other than MGF1 with the same hash and salt length = hash length are not supported";
                return null;
            }
            return hash;
        }
        catch (Exception ex) when (ex is AsnContentException or NotSupportedException)
        {
            reason = "RSASSA-PSS parameters not supported: " + ex.Message;
            return null;
        }
    }

    /// <summary>
    /// Verifies a signature over <paramref name="data"/> with <paramref name="signer"/>'s
    /// public key. <paramref name="signerIssuer"/> supplies inherited DSA parameters when the signer's key has none.
    /// </summary>
    public static SignatureCheck Verify(ParsedCertificate signer, ParsedCertificate? signerIssuer, ReadOnlySpan<byte> data,
        AlgorithmId algorithm, byte[] signature, out string? reason)
    {
        var desc = Describe(algorithm, out reason);
        if (desc is null) return SignatureCheck.Unsupported;
        var key = GetKey(signer, signerIssuer, out reason);
        if (key is null) return SignatureCheck.Unsupported;
        try
        {
            bool ok;
            lock (signer.KeyLock)
            {
                ok = (desc.Kind, key) switch
                {
                    (KeyKind.Rsa, RSA rsa) => rsa.VerifyData(data, signature, desc.Hash, desc.Pss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
                    (KeyKind.Ecdsa, ECDsa ec) => ec.VerifyData(data, signature, desc.Hash, DSASignatureFormat.Rfc3279DerSequence),
                    (KeyKind.Dsa, DSA dsa) => dsa.VerifyData(data, signature, desc.Hash, DSASignatureFormat.Rfc3279DerSequence),
                    _ => throw new CryptographicException($"the signer's key type does not match signature algorithm {algorithm.Oid}"),
                };
            }
            if (!ok) reason = "signature does not verify with the issuer's public key";
            return ok ? SignatureCheck.Valid : SignatureCheck.Invalid;
        }
        catch (CryptographicException ex)
        {
            reason = "signature could not be verified: " + ex.Message;
            return SignatureCheck.Invalid;
        }
    }

    /// <summary>True when a DSA key carries no domain parameters (they are inherited from the issuer).</summary>
    public static bool NeedsInheritedParameters(ParsedCertificate c) => c.SpkiAlgorithm.Oid == DsaKey && c.SpkiAlgorithm.Parameters is null or { Length: 0 } || IsNullParams(c);

    private static bool IsNullParams(ParsedCertificate c) =>
        c.SpkiAlgorithm.Oid == DsaKey && c.SpkiAlgorithm.Parameters is { } p && p.Length == 2 && p.Span[0] == 0x05;

    internal static object? GetKey(ParsedCertificate c, ParsedCertificate? issuer, out string? reason)
    {
        reason = null;
        lock (c.KeyLock)
        {
            if (c.KeyObject is not null && !(NeedsInheritedParameters(c) && !ReferenceEquals(c.InheritedFrom, issuer))) return c.KeyObject;
            if (c.KeyImportFailed && !NeedsInheritedParameters(c)) { reason = "the public key could not be imported"; return null; }
        }
        object? key = null;
        try
        {
            switch (c.SpkiAlgorithm.Oid)
            {
                case RsaEncryption:
                    {
                        var rsa = RSA.Create();
                        rsa.ImportSubjectPublicKeyInfo(c.Spki, out _);
                        key = rsa;
                        break;
                    }
                case RsaPss:
                    {
                        var rsa = RSA.Create();
                        rsa.ImportRSAPublicKey(c.PublicKeyBits, out _);
                        key = rsa;
                        break;
                    }
                case EcPublicKey:
                    {
                        var ec = ECDsa.Create();
                        ec.ImportSubjectPublicKeyInfo(c.Spki, out _);
                        key = ec;
                        break;
                    }
                case DsaKey:
                    {
                        if (!NeedsInheritedParameters(c))
                        {
                            var dsa = DSA.Create();
                            dsa.ImportSubjectPublicKeyInfo(c.Spki, out _);
                            key = dsa;
                        }
                        else
                        {
                            if (issuer is null || issuer.SpkiAlgorithm.Oid != DsaKey)
                            {
                                reason = "the DSA key has no parameters and no DSA issuer to inherit them from";
                                return null;
                            }
                            var parentKey = GetKey(issuer, null, out reason) as DSA;
                            if (parentKey is null) return null;
                            DSAParameters pp;
                            lock (issuer.KeyLock) pp = parentKey.ExportParameters(false);
                            var y = new AsnReader(c.PublicKeyBits, AsnEncodingRules.DER).ReadIntegerBytes().Span;
                            while (y.Length > 1 && y[0] == 0) y = y[1..];
                            var yb = new byte[pp.P!.Length];
                            y.CopyTo(yb.AsSpan(yb.Length - y.Length));
                            var dsa = DSA.Create();
                            dsa.ImportParameters(new DSAParameters { P = pp.P, Q = pp.Q, G = pp.G, Y = yb });
                            key = dsa;
                            lock (c.KeyLock) { c.KeyObject = key; c.InheritedFrom = issuer; }
                            return key;
                        }
                        break;
                    }
                default:
                    reason = $"public key algorithm {c.SpkiAlgorithm.Oid} is not supported";
                    lock (c.KeyLock) c.KeyImportFailed = true;
                    return null;
            }
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException or ArgumentException)
        {
            reason = "the public key could not be imported: " + ex.Message;
            lock (c.KeyLock) c.KeyImportFailed = true;
            return null;
        }
        lock (c.KeyLock)
        {
            c.KeyObject ??= key;
            return c.KeyObject;
        }
    }

    /// <summary>Key size in bits and EC curve OID (for profile rules), or (0, null) when unknown.</summary>
    public static (int Bits, string? Curve) KeyInfo(ParsedCertificate c)
    {
        try
        {
            switch (c.SpkiAlgorithm.Oid)
            {
                case RsaEncryption:
                case RsaPss:
                    {
                        var s = new AsnReader(c.PublicKeyBits, AsnEncodingRules.DER).ReadSequence();
                        var n = s.ReadIntegerBytes().Span;
                        while (n.Length > 0 && n[0] == 0) n = n[1..];
                        int bits = n.Length * 8;
                        if (n.Length > 0) { byte top = n[0]; int lead = 0; while ((top & 0x80) == 0) { top <<= 1; lead++; } bits -= lead; }
                        return (bits, null);
                    }
                case EcPublicKey:
                    {
                        if (c.SpkiAlgorithm.Parameters is { } p)
                        {
                            var r = new AsnReader(p, AsnEncodingRules.DER);
                            if (r.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier)) return (0, r.ReadObjectIdentifier());
                        }
                        return (0, null);
                    }
                default:
                    return (0, null);
            }
        }
        catch (AsnContentException)
        {
            return (0, null);
        }
    }
}
