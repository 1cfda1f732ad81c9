using System.Formats.Asn1;
using System.Security.Cryptography;

namespace ZscalerPki.Core.Validation;

internal enum SignatureCheck
{
    Valid,
    Invalid,
    Unsupported,
    /// <summary>The signature AlgorithmIdentifier's parameters are malformed or forbidden (RFC 8410 3, RFC 4055 3.1).</summary>
    InvalidParameters,
}

/// <summary>
/// Signature verification: .NET's public-key APIs first (RSA PKCS#1 v1.5, RSASSA-PSS with MGF1 of the same hash and
/// salt length = hash length, ECDSA, DSA), <see cref="BouncyCastleVerifier"/> for what .NET 8 lacks (Ed25519, Ed448,
/// RSASSA-PSS with other parameters). .NET keys are imported once per parsed certificate and cached on it; every call
/// really verifies (no result caching).
/// </summary>
internal static partial class SignatureVerifier
{
    private const string RsaEncryption = "1.2.840.113549.1.1.1";
    private const string RsaPss = "1.2.840.113549.1.1.10";
    private const string EcPublicKey = "1.2.840.10045.2.1";
    private const string DsaKey = "1.2.840.10040.4.1";
    private const string Ed25519 = "1.3.101.112";
    private const string Ed448 = "1.3.101.113";

    internal enum KeyKind { Rsa, Ecdsa, Dsa, Ed25519, Ed448 }

    /// <summary>A signature algorithm: key kind, message hash (none for EdDSA) and, for RSASSA-PSS, its parameters.</summary>
    internal sealed record SigAlg(KeyKind Kind, HashAlgorithmName Hash, PssParameters? Pss)
    {
        public bool NeedsBouncyCastle => Kind is KeyKind.Ed25519 or KeyKind.Ed448 || Pss is { DotNetCanVerify: false };
    }

    /// <summary>
    /// Describes a signature AlgorithmIdentifier, or returns null with <paramref name="failure"/>
    /// (<see cref="SignatureCheck.Unsupported"/> or <see cref="SignatureCheck.InvalidParameters"/>) and a reason.
    /// RFC 5280 4.1.1.2 leaves the parameters to each algorithm's specification: NULL or absent for the PKCS#1 v1.5 and
    /// ECDSA/DSA OIDs (not checked here), absent for EdDSA (RFC 8410 section 3), RSASSA-PSS-params (RFC 4055 section 3.1).
    /// </summary>
    internal static SigAlg? Describe(AlgorithmId alg, out SignatureCheck failure, out string? reason)
    {
        reason = null;
        failure = SignatureCheck.Unsupported;
        switch (alg.Oid)
        {
            case "1.2.840.113549.1.1.4": return new SigAlg(KeyKind.Rsa, HashAlgorithmName.MD5, null);
            case "1.2.840.113549.1.1.5":
            case "1.3.14.3.2.29": return new SigAlg(KeyKind.Rsa, HashAlgorithmName.SHA1, null);
            case "1.2.840.113549.1.1.11": return new SigAlg(KeyKind.Rsa, HashAlgorithmName.SHA256, null);
            case "1.2.840.113549.1.1.12": return new SigAlg(KeyKind.Rsa, HashAlgorithmName.SHA384, null);
            case "1.2.840.113549.1.1.13": return new SigAlg(KeyKind.Rsa, HashAlgorithmName.SHA512, null);
            case "1.2.840.10045.4.1": return new SigAlg(KeyKind.Ecdsa, HashAlgorithmName.SHA1, null);
            case "1.2.840.10045.4.3.2": return new SigAlg(KeyKind.Ecdsa, HashAlgorithmName.SHA256, null);
            case "1.2.840.10045.4.3.3": return new SigAlg(KeyKind.Ecdsa, HashAlgorithmName.SHA384, null);
            case "1.2.840.10045.4.3.4": return new SigAlg(KeyKind.Ecdsa, HashAlgorithmName.SHA512, null);
            case "1.2.840.10040.4.3": return new SigAlg(KeyKind.Dsa, HashAlgorithmName.SHA1, null);
            case "2.16.840.1.101.3.4.3.2": return new SigAlg(KeyKind.Dsa, HashAlgorithmName.SHA256, null);
            case Ed25519:
            case Ed448:
                // RFC 8410 section 3: for id-Ed25519 and id-Ed448 the parameters MUST be absent (not even NULL).
                if (!alg.ParametersAbsent)
                {
                    failure = SignatureCheck.InvalidParameters;
                    reason = $"the {(alg.Oid == Ed25519 ? "Ed25519" : "Ed448")} signature AlgorithmIdentifier has parameters; RFC 8410 3 requires them absent";
                    return null;
                }
                return new SigAlg(alg.Oid == Ed25519 ? KeyKind.Ed25519 : KeyKind.Ed448, default, null);
            case RsaPss:
                {
                    var pss = PssParameters.Parse(alg.Parameters, forSignature: true, out var f, out reason);
                    if (pss is null) failure = f == PssParameters.Failure.Malformed ? SignatureCheck.InvalidParameters : SignatureCheck.Unsupported;
                    return pss is null ? null : new SigAlg(KeyKind.Rsa, pss.Hash, pss);
                }
            default:
                reason = $"signature algorithm {alg.Oid} is not supported";
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
        var desc = Describe(algorithm, out var failure, out reason);
        if (desc is null) return failure;
        if (KeyMismatch(desc, signer.SpkiAlgorithm, out reason) is { } mismatch) return mismatch;
        if (desc.NeedsBouncyCastle) return VerifyWithBouncyCastle(desc, signer.PublicKeyBits, data, signature, out reason);
        var key = GetKey(signer, signerIssuer, out reason);
        if (key is null) return SignatureCheck.Unsupported;
        lock (signer.KeyLock) return VerifyWithDotNet(desc, key, data, signature, algorithm, out reason);
    }

    /// <summary>
    /// The seam on its own: verifies <paramref name="signature"/> over <paramref name="tbs"/> given the DER of the
    /// signature AlgorithmIdentifier and of the signer's SubjectPublicKeyInfo (.NET first, BouncyCastle for the rest).
    /// Keys are imported per call; the path validator uses the overload above, which caches them per certificate.
    /// </summary>
    public static SignatureCheck Verify(ReadOnlySpan<byte> tbs, ReadOnlyMemory<byte> algorithmIdentifier, byte[] signature,
        byte[] subjectPublicKeyInfo, out string? reason)
    {
        AlgorithmId algorithm, spkiAlgorithm;
        byte[] keyBits;
        try
        {
            var ar = new AsnReader(algorithmIdentifier, AsnEncodingRules.DER);
            algorithm = AlgorithmId.Read(ar);
            ar.ThrowIfNotEmpty();
            var sr = new AsnReader(subjectPublicKeyInfo, AsnEncodingRules.DER);
            var spki = sr.ReadSequence();
            sr.ThrowIfNotEmpty();
            spkiAlgorithm = AlgorithmId.Read(spki);
            keyBits = spki.ReadBitString(out _);
            spki.ThrowIfNotEmpty();
        }
        catch (AsnContentException ex)
        {
            reason = "the AlgorithmIdentifier or SubjectPublicKeyInfo is not valid DER: " + ex.Message;
            return SignatureCheck.Invalid;
        }
        var desc = Describe(algorithm, out var failure, out reason);
        if (desc is null) return failure;
        if (KeyMismatch(desc, spkiAlgorithm, out reason) is { } mismatch) return mismatch;
        if (desc.NeedsBouncyCastle) return VerifyWithBouncyCastle(desc, keyBits, tbs, signature, out reason);
        object? key;
        try
        {
            key = ImportKey(spkiAlgorithm, subjectPublicKeyInfo, keyBits, out reason);
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException or ArgumentException)
        {
            reason = "the public key could not be imported: " + ex.Message;
            return SignatureCheck.Unsupported;
        }
        if (key is null) return SignatureCheck.Unsupported;
        using (key as IDisposable) return VerifyWithDotNet(desc, key, tbs, signature, algorithm, out reason);
    }

    private static SignatureCheck VerifyWithDotNet(SigAlg desc, object key, ReadOnlySpan<byte> data, byte[] signature, AlgorithmId algorithm, out string? reason)
    {
        reason = null;
        try
        {
            bool ok = (desc.Kind, key) switch
            {
                (KeyKind.Rsa, RSA rsa) => rsa.VerifyData(data, signature, desc.Hash, desc.Pss is null ? RSASignaturePadding.Pkcs1 : RSASignaturePadding.Pss),
                (KeyKind.Ecdsa, ECDsa ec) => ec.VerifyData(data, signature, desc.Hash, DSASignatureFormat.Rfc3279DerSequence),
                (KeyKind.Dsa, DSA dsa) => dsa.VerifyData(data, signature, desc.Hash, DSASignatureFormat.Rfc3279DerSequence),
                _ => throw new CryptographicException($"the signer's key type does not match signature algorithm {algorithm.Oid}"),
            };
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
                case DsaKey when NeedsInheritedParameters(c):
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
                default:
                    key = ImportKey(c.SpkiAlgorithm, c.Spki, c.PublicKeyBits, out reason);
                    if (key is null)
                    {
                        lock (c.KeyLock) c.KeyImportFailed = true;
                        return null;
                    }
                    break;
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

    /// <summary>
    /// Imports a SubjectPublicKeyInfo as a .NET key (RSA, ECDsa, DSA with its own parameters), or null with a reason
    /// for other algorithms. Ed25519/Ed448 keys are never imported here: <see cref="BouncyCastleVerifier"/> takes them raw.
    /// </summary>
    private static AsymmetricAlgorithm? ImportKey(AlgorithmId spkiAlgorithm, byte[] spki, byte[] keyBits, out string? reason)
    {
        reason = null;
        switch (spkiAlgorithm.Oid)
        {
            case RsaEncryption:
                {
                    var rsa = RSA.Create();
                    rsa.ImportSubjectPublicKeyInfo(spki, out _);
                    return rsa;
                }
            case RsaPss:
                {
                    var rsa = RSA.Create();
                    rsa.ImportRSAPublicKey(keyBits, out _);
                    return rsa;
                }
            case EcPublicKey:
                {
                    var ec = ECDsa.Create();
                    ec.ImportSubjectPublicKeyInfo(spki, out _);
                    return ec;
                }
            case DsaKey:
                {
                    var dsa = DSA.Create();
                    dsa.ImportSubjectPublicKeyInfo(spki, out _);
                    return dsa;
                }
            default:
                reason = $"public key algorithm {spkiAlgorithm.Oid} is not supported";
                return null;
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
