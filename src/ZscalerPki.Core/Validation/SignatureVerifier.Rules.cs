using System.Formats.Asn1;

namespace ZscalerPki.Core.Validation;

/// <summary>The key-to-algorithm rules (RFC 8410, RFC 4055) and the hand-off to BouncyCastle.</summary>
internal static partial class SignatureVerifier
{
    /// <summary>
    /// Rules tying the signature algorithm to the signer's key algorithm. Null when they agree; .NET's own checks
    /// (RSA key for RSA, and so on) still apply after this.
    /// </summary>
    private static SignatureCheck? KeyMismatch(SigAlg desc, AlgorithmId spkiAlgorithm, out string? reason)
    {
        reason = null;
        if (desc.Kind is KeyKind.Ed25519 or KeyKind.Ed448 || spkiAlgorithm.Oid is Ed25519 or Ed448)
        {
            var wanted = desc.Kind == KeyKind.Ed25519 ? Ed25519 : desc.Kind == KeyKind.Ed448 ? Ed448 : null;
            if (spkiAlgorithm.Oid != wanted)
            {
                reason = $"the signer's key ({spkiAlgorithm.Oid}) does not match the signature algorithm";
                return SignatureCheck.Invalid;
            }
            // RFC 8410 section 3: the key's AlgorithmIdentifier parameters MUST be absent too.
            if (!spkiAlgorithm.ParametersAbsent)
            {
                reason = "the signer's EdDSA public key AlgorithmIdentifier has parameters; RFC 8410 3 requires them absent";
                return SignatureCheck.Invalid;
            }
            return null;
        }
        if (spkiAlgorithm.Oid != RsaPss) return null;
        // RFC 4055 section 1.2: an id-RSASSA-PSS key is only for RSASSA-PSS, never PKCS#1 v1.5.
        if (desc.Pss is null)
        {
            reason = "the signer's key is an id-RSASSA-PSS key, which RFC 4055 1.2 allows only for RSASSA-PSS signatures";
            return SignatureCheck.Invalid;
        }
        var keyParams = PssParameters.Parse(spkiAlgorithm.Parameters, forSignature: false, out var failure, out reason);
        if (failure != PssParameters.Failure.None)
        {
            reason = "the signer's RSASSA-PSS key parameters cannot be used: " + reason;
            return failure == PssParameters.Failure.Malformed ? SignatureCheck.Invalid : SignatureCheck.Unsupported;
        }
        // RFC 4055 section 3.3: the key's parameters (when present) restrict the signatures it may make.
        if (keyParams is not null && desc.Pss.ViolatesKeyRestriction(keyParams) is { } violation)
        {
            reason = violation;
            return SignatureCheck.InvalidParameters;
        }
        return null;
    }

    /// <summary>
    /// The algorithms .NET lacks. Only this method's callee touches BouncyCastle; see <see cref="BouncyCastleVerifier"/>
    /// for why the assembly stays unloaded until then.
    /// </summary>
    private static SignatureCheck VerifyWithBouncyCastle(SigAlg desc, byte[] keyBits, ReadOnlySpan<byte> data, byte[] signature, out string? reason)
    {
        switch (desc.Kind)
        {
            case KeyKind.Ed25519:
            case KeyKind.Ed448:
                {
                    // RFC 8410 section 4: the key is the raw encoding (32 or 57 octets); section 3 / RFC 8032 5.1.6, 5.2.6:
                    // a signature is 64 or 114 octets.
                    bool ed448 = desc.Kind == KeyKind.Ed448;
                    if (keyBits.Length != (ed448 ? 57 : 32))
                    {
                        reason = $"the Ed{(ed448 ? "448" : "25519")} public key is {keyBits.Length} octets, not {(ed448 ? 57 : 32)}";
                        return SignatureCheck.Invalid;
                    }
                    if (signature.Length != (ed448 ? 114 : 64))
                    {
                        reason = $"the Ed{(ed448 ? "448" : "25519")} signature is {signature.Length} octets, not {(ed448 ? 114 : 64)}";
                        return SignatureCheck.Invalid;
                    }
                    return BouncyCastleVerifier.VerifyEdDsa(ed448, keyBits, data, signature, out reason);
                }
            default:
                {
                    byte[] modulus, exponent;
                    try
                    {
                        // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 A.1.1), the same
                        // in an rsaEncryption and an id-RSASSA-PSS SubjectPublicKeyInfo (RFC 4055 1.2).
                        var r = new AsnReader(keyBits, AsnEncodingRules.DER);
                        var s = r.ReadSequence();
                        r.ThrowIfNotEmpty();
                        modulus = s.ReadIntegerBytes().ToArray();
                        exponent = s.ReadIntegerBytes().ToArray();
                        s.ThrowIfNotEmpty();
                    }
                    catch (AsnContentException ex)
                    {
                        reason = "the RSA public key could not be read: " + ex.Message;
                        return SignatureCheck.Unsupported;
                    }
                    return BouncyCastleVerifier.VerifyRsaPss(modulus, exponent, desc.Pss!, data, signature, out reason);
                }
        }
    }
}
