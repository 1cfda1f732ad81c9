using System.Security.Cryptography;

namespace ZscalerPki.Core.Hsm;

/// <summary>What only the holder of an HSM key can compute, the same every time (the forge cache's seal).</summary>
public static class HsmKeys
{
    /// <summary>
    /// A secret only the holder of an HSM key can make, the same every time: SHA-256 of the key's RSA PKCS#1 v1.5 signature
    /// over <paramref name="label"/> (deterministic), or for an EC key in a PKCS#11 token of its ECDH agreement with its own
    /// public key, derived in the token with CKM_ECDH1_DERIVE (d·d·G; ECDSA signatures are randomised). Null when the key
    /// cannot make one (an EC key without CKA_DERIVE or a token without ECDH, an EC key in a Windows key storage provider,
    /// which is created for signing only): the forge cache then stays in memory.
    /// </summary>
    public static byte[]? DeterministicSecret(AsymmetricAlgorithm key, string label)
    {
        var labelBytes = System.Text.Encoding.UTF8.GetBytes(label);
        switch (key)
        {
            case RSA rsa:
                return SHA256.HashData(rsa.SignData(labelBytes, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            case Pkcs11ECDsa ec:
                if (ec.DeriveWithOwnPublicKey() is not { } shared)
                    return null;
                var secret = SHA256.HashData(labelBytes.Concat(shared).ToArray());
                CryptographicOperations.ZeroMemory(shared);
                return secret;
            default:
                return null;
        }
    }
}
