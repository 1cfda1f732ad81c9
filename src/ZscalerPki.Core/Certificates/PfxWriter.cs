using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Certificates;

/// <summary>
/// Writes PKCS#12 (PFX) files that today's tools read as their authors intend:
/// <list type="bullet">
/// <item>Modern (default): the key in a shrouded key bag under PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), a SHA-256 MAC,
/// <see cref="ModernIterations"/> rounds each (OpenSSL 3, Windows 10 1709+, Java 11+, GnuTLS and .NET read it; .NET's loader
/// accepts it within its default work limits).</item>
/// <item>Legacy: 3DES and a SHA-1 MAC with 2,000 rounds, for importers that predate PBES2 (Windows Server 2016 and older).</item>
/// </list>
/// Certificates are public and go in one unencrypted SafeContents; a PFX without a key has no second SafeContents, and
/// its certificates carry Java's trusted-certificate attribute, so keytool lists them (as <c>openssl pkcs12 -jdktrust</c> does).
/// </summary>
public static class PfxWriter
{
    public const int ModernIterations = 100_000;
    private const int LegacyIterations = 2_000;
    private const string OracleTrustedKeyUsageOid = "2.16.840.1.113894.746875.1.1";
    private const string AnyExtendedKeyUsageOid = "2.5.29.37.0";

    /// <summary>The PFX bytes: <paramref name="certificates"/> (leaf first), and <paramref name="key"/> for the leaf when given.</summary>
    public static byte[] Write(IReadOnlyList<X509Certificate2> certificates, AsymmetricAlgorithm? key, ReadOnlySpan<char> password, bool legacy = false)
    {
        if (certificates.Count == 0)
            throw new ArgumentException("at least one certificate", nameof(certificates));
        var pbe = legacy
            ? new PbeParameters(PbeEncryptionAlgorithm.TripleDes3KeyPkcs12, HashAlgorithmName.SHA1, LegacyIterations)
            : new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, ModernIterations);
        var localKeyId = new Pkcs9LocalKeyId(SHA1.HashData(certificates[0].RawData));

        var certs = new Pkcs12SafeContents();
        for (var i = 0; i < certificates.Count; i++)
        {
            var bag = certs.AddCertificate(certificates[i]);
            if (i == 0 && key is not null)
                bag.Attributes.Add(localKeyId);
            else if (key is null)
                bag.Attributes.Add(JavaTrustedCertificate());
        }

        var builder = new Pkcs12Builder();
        builder.AddSafeContentsUnencrypted(certs);
        if (key is not null)
        {
            var keys = new Pkcs12SafeContents();
            var keyBag = keys.AddShroudedKey(key, password, pbe);
            keyBag.Attributes.Add(localKeyId);
            builder.AddSafeContentsUnencrypted(keys);
        }
        builder.SealWithMac(password, legacy ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256, legacy ? LegacyIterations : ModernIterations);
        return builder.Encode();
    }

    /// <summary>Oracle's trustedKeyUsage attribute (anyExtendedKeyUsage): Java keytool's mark of a trusted certificate entry.</summary>
    private static AsnEncodedData JavaTrustedCertificate()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(AnyExtendedKeyUsageOid);
        return new AsnEncodedData(OracleTrustedKeyUsageOid, writer.Encode());
    }
}
