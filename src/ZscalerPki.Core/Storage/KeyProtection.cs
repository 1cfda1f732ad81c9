using System.Security.Cryptography;

namespace ZscalerPki.Core.Storage;

/// <summary>
/// Private keys at rest: encrypted PKCS#8 (PBES2, AES-256-CBC, PBKDF2-HMAC-SHA256, 600,000 iterations),
/// the format <c>openssl pkey -passin</c> opens.
/// </summary>
public static class KeyProtection
{
    /// <summary>OWASP's 2023 floor for PBKDF2-HMAC-SHA256.</summary>
    public const int Iterations = 600_000;

    public static readonly PbeParameters Parameters = new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, Iterations);

    /// <summary>The key as an <c>ENCRYPTED PRIVATE KEY</c> PEM.</summary>
    public static string Encrypt(AsymmetricAlgorithm key, ReadOnlySpan<char> password)
    {
        RequirePassword(password);
        return key switch
        {
            RSA rsa => rsa.ExportEncryptedPkcs8PrivateKeyPem(password, Parameters),
            ECDsa ec => ec.ExportEncryptedPkcs8PrivateKeyPem(password, Parameters),
            _ => throw new PkiException(PkiErrorIds.UnsupportedKey, PkiErrorCategory.NotImplemented,
                $"Keys of type {key.GetType().Name} are not supported; use RSA or ECDSA.", key),
        };
    }

    /// <summary>
    /// Opens an encrypted PKCS#8 PEM holding a key of the algorithm <paramref name="algorithmOid"/>
    /// (the public key's OID, from the certificate or CSR); a wrong password is a clear <c>WrongKeyPassword</c> error.
    /// </summary>
    public static AsymmetricAlgorithm Decrypt(string pem, ReadOnlySpan<char> password, string algorithmOid, string keyName)
    {
        RequirePassword(password);
        byte[] der;
        try
        {
            var fields = PemEncoding.Find(pem);
            der = Convert.FromBase64String(pem[fields.Base64Data]);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw new PkiException(PkiErrorIds.KeyFileCorrupt, PkiErrorCategory.InvalidData,
                $"The key file of '{keyName}' is not an encrypted PKCS#8 PEM. Restore the vault entry from a backup.", keyName, ex);
        }

        AsymmetricAlgorithm key = algorithmOid switch
        {
            RsaOid => RSA.Create(),
            EcOid => ECDsa.Create(),
            _ => throw new PkiException(PkiErrorIds.UnsupportedKey, PkiErrorCategory.NotImplemented,
                $"The key of '{keyName}' uses algorithm {algorithmOid}, which is not supported; use RSA or ECDSA.", keyName),
        };
        try
        {
            key.ImportEncryptedPkcs8PrivateKey(password, der, out _);
            return key;
        }
        catch (CryptographicException ex)
        {
            key.Dispose();
            throw new PkiException(PkiErrorIds.WrongKeyPassword, PkiErrorCategory.AuthenticationError,
                $"The key password for '{keyName}' is wrong: its private key could not be decrypted. Pass the password that was given when '{keyName}' was created.", keyName, ex);
        }
    }

    public const string RsaOid = "1.2.840.113549.1.1.1";
    public const string EcOid = "1.2.840.10045.2.1";

    /// <summary>Throws <c>KeyPasswordRequired</c> for an empty password; services call it before any expensive key work.</summary>
    public static void RequirePassword(ReadOnlySpan<char> password, object? target = null, string parameter = "-KeyPassword")
    {
        if (password.IsEmpty)
            throw new PkiException(PkiErrorIds.KeyPasswordRequired, PkiErrorCategory.InvalidArgument,
                $"A key password is required: private keys are never stored unencrypted. Pass {parameter} (Read-Host -AsSecureString).", target);
    }
}
