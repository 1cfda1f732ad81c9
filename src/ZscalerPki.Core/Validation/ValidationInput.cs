using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Validation;

/// <summary>
/// Reads certificates (PEM, DER, PKCS#7 / P7B in DER or PEM) and CRLs (PEM or DER) for the validation engine.
/// Everything is checked with the engine's own DER parser first, so unparsable input fails here with a
/// <see cref="PkiException"/> (ErrorId <c>InvalidCertificateData</c> / <c>CrlParseFailed</c>) instead of later.
/// </summary>
public static class ValidationInput
{
    /// <summary>Reads every certificate in a file.</summary>
    public static IReadOnlyList<X509Certificate2> ReadCertificateFile(string path) =>
        ReadCertificates(ReadFile(path), path);

    /// <summary>Reads every CRL in a file (DER, or PEM with one or more <c>X509 CRL</c> blocks).</summary>
    public static IReadOnlyList<byte[]> ReadCrlFile(string path) => ReadCrls(ReadFile(path), path);

    /// <summary>
    /// Reads certificates from PEM text, DER, a PKCS#7 (P7B) bundle or base64 (through <see cref="Certificates.CertificateReader"/>),
    /// then checks each with the engine's strict DER parser, so malformed input fails here (<c>InvalidCertificateData</c>).
    /// </summary>
    public static IReadOnlyList<X509Certificate2> ReadCertificates(byte[] data, object? target = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var certificates = Certificates.CertificateReader.Read(data, target?.ToString() ?? "the input");
        foreach (var certificate in certificates)
            ParsedCertificate.Parse(certificate.RawData);
        return certificates;
    }

    /// <summary>Reads CRLs from PEM text (<c>X509 CRL</c> blocks) or DER; each is checked with the CRL parser.</summary>
    public static IReadOnlyList<byte[]> ReadCrls(byte[] data, object? target = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var list = new List<byte[]>();
        var text = Encoding.ASCII.GetString(data);
        if (text.Contains("-----BEGIN ", StringComparison.Ordinal))
        {
            var span = text.AsSpan();
            while (PemScanner.TryFind(span, out var fields))
            {
                if (span[fields.Label].SequenceEqual("X509 CRL"))
                {
                    var der = new byte[fields.DecodedDataLength];
                    if (!Convert.TryFromBase64Chars(span[fields.Base64Data], der, out _))
                        throw new PkiException(PkiErrorIds.CrlParseFailed, PkiErrorCategory.InvalidData, "An X509 CRL PEM block is not valid base64.", target);
                    list.Add(der);
                }
                span = span[fields.Location.End..];
            }
            if (list.Count == 0)
                throw new PkiException(PkiErrorIds.CrlParseFailed, PkiErrorCategory.InvalidData, "The PEM input contains no X509 CRL block. Pass a CRL (PEM or DER), for example from 'openssl ca -gencrl'.", target);
        }
        else
        {
            list.Add(data);
        }
        foreach (var der in list)
            ParsedCrl.Parse(der);
        return list;
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new PkiException(PkiErrorIds.FileReadFailed, PkiErrorCategory.ReadError, $"Cannot read '{path}': {ex.Message}", path, ex);
        }
    }
}
