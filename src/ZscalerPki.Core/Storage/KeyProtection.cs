using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

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

    /// <summary>The most PBKDF2 work a key file may ask for: ours use 600,000; a file asking for more is refused, not run.</summary>
    public const int MaxIterations = 10_000_000;

    /// <summary>
    /// The least PBKDF2 work a key file may have: below it (1 iteration of HMAC-SHA1, say) a stolen file's password is
    /// guessed at billions a second, so it is refused rather than opened silently (NIST SP 800-132 5.2 asks for at least
    /// 1,000 and as many as feasible; ours use 600,000).
    /// </summary>
    public const int MinIterations = 10_000;

    /// <summary>
    /// Opens an entry's encrypted PKCS#8 PEM and checks that the key is the one <paramref name="expected"/> (the entry's
    /// certificate or CSR public key) belongs to: a key file swapped for another one is refused (<c>KeyMismatch</c>), so it
    /// can never sign a certificate that does not verify, nor be exported under the wrong name.
    /// </summary>
    public static AsymmetricAlgorithm Decrypt(string pem, ReadOnlySpan<char> password, PublicKey expected, string keyName)
    {
        var key = Decrypt(pem, password, expected.Oid.Value ?? string.Empty, keyName);
        if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(expected.ExportSubjectPublicKeyInfo()))
        {
            key.Dispose();
            throw new PkiException(PkiErrorIds.KeyMismatch, PkiErrorCategory.SecurityError,
                $"The key file of '{keyName}' holds a different key than its certificate: it was replaced or restored from another entry. Restore '{keyName}' (entry.json and key.p8 together) from a backup.", keyName);
        }
        return key;
    }

    /// <summary>
    /// Opens an encrypted PKCS#8 PEM holding a key of the algorithm <paramref name="algorithmOid"/>
    /// (the public key's OID, from the certificate or CSR); a wrong password is a clear <c>WrongKeyPassword</c> error, a file
    /// that is not a PBES2-encrypted key (or asks for more than <see cref="MaxIterations"/> PBKDF2 rounds) <c>KeyFileCorrupt</c>.
    /// Prefer the overload that checks the key against its certificate.
    /// </summary>
    public static AsymmetricAlgorithm Decrypt(string pem, ReadOnlySpan<char> password, string algorithmOid, string keyName)
    {
        RequirePassword(password);
        var der = ReadEncryptedKeyFile(pem, keyName);
        AsymmetricAlgorithm key = algorithmOid switch
        {
            RsaOid => RSA.Create(),
            EcOid => ECDsa.Create(),
            _ => throw new PkiException(PkiErrorIds.UnsupportedKey, PkiErrorCategory.NotImplemented,
                $"The key of '{keyName}' uses algorithm {algorithmOid}, which is not supported; use RSA or ECDSA.", keyName),
        };
        try
        {
            key.ImportEncryptedPkcs8PrivateKey(password, der, out var read);
            if (read != der.Length)
                throw Corrupt(keyName, "it has bytes after the key");
            return key;
        }
        catch (ArgumentException ex)
        {
            // What the platform throws for parameters it cannot use (a key length or IV it does not expect).
            key.Dispose();
            throw Corrupt(keyName, $"its encryption parameters are unusable ({ex.Message.Split('\n')[0].TrimEnd('.')})", ex);
        }
        catch (CryptographicException ex)
        {
            key.Dispose();
            // The password may be right and the key of another algorithm than the entry's certificate.
            using AsymmetricAlgorithm other = algorithmOid == RsaOid ? ECDsa.Create() : RSA.Create();
            try
            {
                other.ImportEncryptedPkcs8PrivateKey(password, der, out _);
            }
            catch (CryptographicException)
            {
                throw new PkiException(PkiErrorIds.WrongKeyPassword, PkiErrorCategory.AuthenticationError,
                    $"The key password for '{keyName}' is wrong: its private key could not be decrypted. Pass the password that was given when '{keyName}' was created.", keyName, ex);
            }
            throw Corrupt(keyName, $"it holds {(other is RSA ? "an RSA" : "an EC")} key where the certificate has {(algorithmOid == RsaOid ? "an RSA" : "an EC")} key");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    /// <summary>
    /// The DER of an <c>ENCRYPTED PRIVATE KEY</c> PEM, after checking its envelope (RFC 5958 EncryptedPrivateKeyInfo with
    /// PBES2 and PBKDF2) without decrypting: the label, the structure, whole cipher blocks, and an iteration count between
    /// <see cref="MinIterations"/> and <see cref="MaxIterations"/>, so a crafted file cannot make every command that opens it spin for hours.
    /// </summary>
    internal static byte[] ReadEncryptedKeyFile(string pem, string keyName)
    {
        PemFields fields;
        byte[] der;
        try
        {
            fields = PemEncoding.Find(pem);
            der = Convert.FromBase64String(pem[fields.Base64Data]);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw Corrupt(keyName, "it is not a PEM file", ex);
        }
        var label = pem[fields.Label];
        if (label != "ENCRYPTED PRIVATE KEY")
            throw Corrupt(keyName, label == "PRIVATE KEY" || label.EndsWith(" PRIVATE KEY", StringComparison.Ordinal)
                ? $"it holds an unencrypted key ({label}), which this module never writes"
                : $"it is a '{label}' PEM, not an encrypted private key");
        try
        {
            var info = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var algorithm = info.ReadSequence();
            var scheme = algorithm.ReadObjectIdentifier();
            if (scheme != Pbes2Oid)
                throw Corrupt(keyName, $"it is encrypted with {scheme}, not PBES2");
            var pbes2 = algorithm.ReadSequence();
            var kdf = pbes2.ReadSequence();
            var kdfOid = kdf.ReadObjectIdentifier();
            if (kdfOid != Pbkdf2Oid)
                throw Corrupt(keyName, $"its key is derived with {kdfOid}, not PBKDF2");
            var kdfParams = kdf.ReadSequence();
            kdfParams.ReadOctetString(); // salt
            if (!kdfParams.TryReadInt32(out var iterations) || iterations < 1)
                throw Corrupt(keyName, "its PBKDF2 iteration count is not a positive number");
            if (iterations > MaxIterations)
                throw new PkiException(PkiErrorIds.KeyFileCorrupt, PkiErrorCategory.InvalidData,
                    $"The key file of '{keyName}' asks for {iterations:N0} PBKDF2 iterations; at most {MaxIterations:N0} are accepted (this module writes {Iterations:N0}). Restore the vault entry from a backup.", keyName);
            if (iterations < MinIterations)
                throw new PkiException(PkiErrorIds.WeakKeyProtection, PkiErrorCategory.SecurityError,
                    $"The key file of '{keyName}' is protected by only {iterations:N0} PBKDF2 iterations; at least {MinIterations:N0} are required (this module writes {Iterations:N0}). Re-encrypt the key with a stronger KDF (openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter {Iterations}) and put it back, or restore the entry from a backup.", keyName);
            var blockSize = BlockSize(pbes2.ReadSequence(), keyName);
            var encrypted = info.ReadOctetString();
            info.ThrowIfNotEmpty();
            // CBC ciphertext is whole blocks (RFC 8018 6.2 pads to the block size); other lengths made the platform throw
            // ArgumentOutOfRangeException instead of saying the file is damaged.
            if (encrypted.Length == 0 || (blockSize > 0 && encrypted.Length % blockSize != 0))
                throw Corrupt(keyName, $"its encrypted key is {encrypted.Length} bytes, not a whole number of {blockSize}-byte cipher blocks (it was truncated or damaged)");
        }
        catch (AsnContentException ex)
        {
            throw Corrupt(keyName, "its structure is not an EncryptedPrivateKeyInfo", ex);
        }
        return der;
    }

    /// <summary>The cipher block size of a PBES2 encryptionScheme (RFC 8018 A.4), 0 when the platform is left to judge it.</summary>
    private static int BlockSize(AsnReader scheme, string keyName)
    {
        var oid = scheme.ReadObjectIdentifier();
        var size = oid switch
        {
            "2.16.840.1.101.3.4.1.2" or "2.16.840.1.101.3.4.1.22" or "2.16.840.1.101.3.4.1.42" => 16, // AES-128/192/256-CBC
            "1.2.840.113549.3.7" or "1.3.14.3.2.7" => 8, // DES-EDE3-CBC, DES-CBC
            _ => 0,
        };
        if (size > 0 && (!scheme.HasData || scheme.ReadOctetString().Length != size))
            throw Corrupt(keyName, $"its cipher {oid} does not carry a {size}-byte IV");
        return size;
    }

    private static PkiException Corrupt(string keyName, string why, Exception? inner = null) =>
        new(PkiErrorIds.KeyFileCorrupt, PkiErrorCategory.InvalidData,
            $"The key file of '{keyName}' is not usable: {why}. Restore the vault entry from a backup.", keyName, inner);

    private const string Pbes2Oid = "1.2.840.113549.1.5.13";
    private const string Pbkdf2Oid = "1.2.840.113549.1.5.12";

    public const string RsaOid = "1.2.840.113549.1.1.1";
    public const string EcOid = "1.2.840.10045.2.1";

    /// <summary>Throws <c>KeyPasswordRequired</c> for an empty password; services call it before any expensive key work.</summary>
    public static void RequirePassword(ReadOnlySpan<char> password, object? target = null, string parameter = "-KeyPassword")
    {
        if (password.IsEmpty)
            throw new PkiException(PkiErrorIds.KeyPasswordRequired, PkiErrorCategory.InvalidArgument,
                $"A key password is required: private keys are never stored unencrypted. Pass {parameter} (Read-Host -AsSecureString).", target);
        // PBKDF2 implementations disagree on NUL characters (some end the password there), so "pw\0" could open "pw"'s key.
        if (password.Contains('\0'))
            throw new PkiException(PkiErrorIds.InvalidPassword, PkiErrorCategory.InvalidArgument,
                "The password contains a NUL character, which other tools would cut the password at. Choose a password without one.", target);
    }
}
