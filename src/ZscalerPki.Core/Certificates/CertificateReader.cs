using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ZscalerPki.Core.Certificates;

/// <summary>
/// Reads certificates the way admins hand them over: PEM (one or many blocks, also PKCS#7 blocks),
/// DER, PKCS#7 / .p7b (DER or PEM), and base64 without armour (certreq output).
/// </summary>
public static class CertificateReader
{
    private const string SignedDataOid = "1.2.840.113549.1.7.2";

    /// <summary>Reads every certificate in a file. Errors name the file and what was expected.</summary>
    public static IReadOnlyList<X509Certificate2> ReadFile(string path)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new PkiException(PkiErrorIds.CertificateFileUnreadable, PkiErrorCategory.ReadError,
                $"Cannot read the certificate file '{path}': {ex.Message}", path, ex);
        }
        return Read(data, $"the file '{path}'");
    }

    /// <summary>Reads every certificate in a PEM text or base64 string.</summary>
    public static IReadOnlyList<X509Certificate2> ReadText(string text) => Read(Encoding.UTF8.GetBytes(text), "the given text");

    /// <summary>Reads every certificate in a buffer (PEM, DER, PKCS#7, or base64 text).</summary>
    public static IReadOnlyList<X509Certificate2> Read(ReadOnlySpan<byte> data, string source = "the input")
    {
        if (data.Trim(" \t\r\n\0"u8).IsEmpty)
            throw new PkiException(PkiErrorIds.CertificateEmpty, PkiErrorCategory.InvalidData,
                $"{Capitalize(source)} is empty: there is no certificate in it. Pass the file your CA returned (PEM, DER .cer, base64 or .p7b).", source);

        if (LooksLikeText(data))
        {
            var text = Encoding.UTF8.GetString(data);
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
                return ReadPem(text, source);
            // Base64 of DER starts with "M" (0x30, a SEQUENCE): anything else is refused before decoding megabytes.
            var first = text.AsSpan().TrimStart();
            if (first.IsEmpty || first[0] != 'M')
                throw Invalid(source, "it is neither PEM, DER, PKCS#7 nor base64");
            byte[] der;
            try
            {
                der = Convert.FromBase64String(text); // whitespace and line breaks are skipped
            }
            catch (FormatException)
            {
                throw Invalid(source, "it is neither PEM, DER, PKCS#7 nor base64");
            }
            return ReadBinary(der, source);
        }
        return ReadBinary(data, source);
    }

    /// <summary>The single certificate in the input; a bundle with several is an error naming the count.</summary>
    public static X509Certificate2 ReadSingle(ReadOnlySpan<byte> data, string source = "the input")
    {
        var all = Read(data, source);
        if (all.Count != 1)
            throw new PkiException(PkiErrorIds.MultipleCertificates, PkiErrorCategory.InvalidData,
                $"{Capitalize(source)} holds {all.Count} certificates where one was expected. Pass the certificate alone, or use the parameter that takes a chain.", source);
        return all[0];
    }

    /// <summary>
    /// The most certificates one input may hold: root stores ship a few hundred (Mozilla's about 150, Windows' about 400), so a
    /// bundle of more is refused rather than parsed for seconds.
    /// </summary>
    public const int MaxCertificates = 1000;

    private static void RequireRoomFor(List<X509Certificate2> result, string source)
    {
        if (result.Count >= MaxCertificates)
            throw new PkiException(PkiErrorIds.InputTooLarge, PkiErrorCategory.LimitsExceeded,
                $"{Capitalize(source)} holds more than {MaxCertificates:N0} certificates; a chain or root bundle holds far fewer. Pass the certificates you mean, or split the bundle.", source);
    }

    private static IReadOnlyList<X509Certificate2> ReadPem(string text, string source)
    {
        // Counted before anything is decoded, so an oversized bundle costs one linear scan, not a thousand parses.
        var blocks = 0;
        for (var at = text.IndexOf("-----END ", StringComparison.Ordinal); at >= 0; at = text.IndexOf("-----END ", at + 9, StringComparison.Ordinal))
        {
            if (++blocks > MaxCertificates)
                throw new PkiException(PkiErrorIds.InputTooLarge, PkiErrorCategory.LimitsExceeded,
                    $"{Capitalize(source)} holds more than {MaxCertificates:N0} PEM blocks; a chain or root bundle holds far fewer. Pass the certificates you mean, or split the bundle.", source);
        }
        var result = new List<X509Certificate2>();
        var span = text.AsSpan();
        while (PemScanner.TryFind(span, out var fields))
        {
            var label = span[fields.Label];
            var b64 = span[fields.Base64Data];
            var der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(b64, der, out _))
                throw Invalid(source, $"its PEM block '{label}' is not valid base64");
            RequireRoomFor(result, source);
            var which = blocks > 1 ? $"certificate #{result.Count + 1} in {source}" : source;
            if (label.SequenceEqual("CERTIFICATE") || label.SequenceEqual("X509 CERTIFICATE"))
                result.Add(LoadDer(der, which));
            else if (label.SequenceEqual("TRUSTED CERTIFICATE"))
                result.Add(LoadDer(WithoutTrustSettings(der, source), which));
            else if (label.SequenceEqual("PKCS7") || label.SequenceEqual("CMS"))
                result.AddRange(ReadPkcs7(der, source));
            span = span[fields.Location.End..];
        }
        if (result.Count == 0)
        {
            if (text.Contains("CERTIFICATE REQUEST", StringComparison.Ordinal))
                throw new PkiException(PkiErrorIds.InputIsCsr, PkiErrorCategory.InvalidData,
                    $"{Capitalize(source)} is a certificate signing request, not a certificate. Have your CA sign it first, then pass the issued certificate.", source);
            throw Invalid(source, "it has no PEM CERTIFICATE or PKCS7 block");
        }
        return result;
    }

    /// <summary>
    /// OpenSSL's <c>TRUSTED CERTIFICATE</c> (<c>openssl x509 -trustout</c>) is the certificate followed by its X509_AUX trust
    /// settings; the certificate is the first DER element, and the trust settings are OpenSSL's own, not ours to apply.
    /// </summary>
    private static byte[] WithoutTrustSettings(byte[] der, string source)
    {
        try
        {
            return new AsnReader(der, AsnEncodingRules.DER).ReadEncodedValue().ToArray();
        }
        catch (AsnContentException ex)
        {
            throw Invalid(source, "its TRUSTED CERTIFICATE block does not start with a certificate", ex);
        }
    }

    private static IReadOnlyList<X509Certificate2> ReadBinary(ReadOnlySpan<byte> der, string source)
    {
        if (IsPkcs7(der))
            return ReadPkcs7(der.ToArray(), source);
        return new[] { LoadDer(der.ToArray(), source) };
    }

    private static bool IsPkcs7(ReadOnlySpan<byte> der)
    {
        try
        {
            var reader = new AsnReader(der.ToArray(), AsnEncodingRules.BER);
            var seq = reader.ReadSequence();
            return seq.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier) && seq.ReadObjectIdentifier() == SignedDataOid;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    /// <summary>Certificates of a PKCS#7 SignedData (RFC 2315/5652), the "certs-only" .p7b of AD CS and <c>openssl crl2pkcs7</c>.</summary>
    private static IReadOnlyList<X509Certificate2> ReadPkcs7(byte[] der, string source)
    {
        var result = new List<X509Certificate2>();
        try
        {
            var contentInfo = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            if (contentInfo.ReadObjectIdentifier() != SignedDataOid)
                throw Invalid(source, "its PKCS#7 content is not SignedData");
            var signedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
            signedData.ReadInteger(); // version
            signedData.ReadSetOf(); // digestAlgorithms
            signedData.ReadSequence(); // encapContentInfo
            var certTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            if (signedData.HasData && signedData.PeekTag().HasSameClassAndValue(certTag))
            {
                var certs = signedData.ReadSetOf(skipSortOrderValidation: true, expectedTag: certTag);
                while (certs.HasData)
                {
                    var tag = certs.PeekTag();
                    var encoded = certs.ReadEncodedValue();
                    if (tag.HasSameClassAndValue(Asn1Tag.Sequence))
                    {
                        RequireRoomFor(result, source);
                        result.Add(LoadDer(encoded.ToArray(), $"certificate #{result.Count + 1} in {source}"));
                    }
                }
            }
        }
        catch (AsnContentException ex)
        {
            throw Invalid(source, $"its PKCS#7 structure is malformed ({ex.Message})", ex);
        }
        if (result.Count == 0)
            throw Invalid(source, "its PKCS#7 bundle holds no certificates");
        return result;
    }

    private static X509Certificate2 LoadDer(byte[] der, string source)
    {
        try
        {
            // Reject trailing garbage and non-certificates before handing the bytes to the platform.
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var cert = reader.ReadSequence();
            var tbs = cert.ReadSequence();
            if (reader.HasData)
                throw Invalid(source, "it has bytes after the certificate");
            _ = tbs;
#pragma warning disable SYSLIB0057
            var certificate = new X509Certificate2(der);
#pragma warning restore SYSLIB0057
            CertificateFields.Check(certificate, source);
            return certificate;
        }
        catch (AsnContentException ex)
        {
            throw Invalid(source, "it is not a DER certificate, PEM, PKCS#7 or base64", ex);
        }
        catch (CryptographicException ex)
        {
            throw Invalid(source, CertificateFields.Locate(der) is { } field
                ? $"its {field} is malformed ({ex.Message.TrimEnd('.')})"
                : $"the platform could not parse the certificate ({ex.Message.TrimEnd('.')})", ex);
        }
    }

    /// <summary>
    /// Decodes every field of a certificate that did not come through this reader (a certificate object, a store's
    /// certificate) the way <see cref="Read"/> does: <c>InvalidCertificateData</c> or <c>CertificateExtensionInvalid</c>
    /// naming <paramref name="source"/> and the field.
    /// </summary>
    public static X509Certificate2 RequireDecodable(X509Certificate2 certificate, string source)
    {
        CertificateFields.Check(certificate, source);
        return certificate;
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> data)
    {
        var probe = data[..Math.Min(data.Length, 512)];
        foreach (var b in probe)
        {
            if (b == 0 || (b < 0x20 && b != '\r' && b != '\n' && b != '\t') || b >= 0x80 && b != 0xEF && b != 0xBB && b != 0xBF)
                return false;
        }
        return true;
    }

    internal static PkiException Invalid(string source, string why, Exception? inner = null) =>
        new(PkiErrorIds.InvalidCertificateData, PkiErrorCategory.InvalidData,
            $"Cannot read a certificate from {source}: {why}. Pass a PEM, DER (.cer), PKCS#7 (.p7b) or base64 certificate.", source, inner);

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>PEM text for one certificate (64-column base64, LF line ends).</summary>
    public static string ToPem(X509Certificate2 certificate) =>
        new string(PemEncoding.Write("CERTIFICATE", certificate.RawData)) + "\n";
}
