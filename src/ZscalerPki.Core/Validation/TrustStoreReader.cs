using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Validation;

/// <summary>What <see cref="TrustStoreReader.Read(string)"/> found: the usable roots (once each) and one line per certificate or file set aside.</summary>
public sealed record TrustStoreContents(IReadOnlyList<X509Certificate2> Certificates, IReadOnlyList<string> Skipped);

/// <summary>
/// Reads a root store the way the OS ships it: a bundle file (<c>/etc/ssl/certs/ca-certificates.crt</c>,
/// <c>/etc/pki/tls/certs/ca-bundle.crt</c>, <c>/etc/ssl/cert.pem</c>) or a folder of certificates, hashed links included
/// (<c>/etc/ssl/certs</c>). Unlike <see cref="ValidationInput.ReadCertificateFile(string)"/>, one certificate that cannot be
/// used does not refuse the whole store: it is listed in <see cref="TrustStoreContents.Skipped"/> (for a verbose line) and the
/// rest is read. Bounded: at most <see cref="MaxFiles"/> files of at most <see cref="MaxFileBytes"/> bytes, and
/// <see cref="CertificateReader.MaxCertificates"/> certificates per file.
/// </summary>
public static class TrustStoreReader
{
    /// <summary>The most files read from one folder (Debian's /etc/ssl/certs holds about 300 entries).</summary>
    public const int MaxFiles = 5000;

    /// <summary>The largest file read (a bundle of every Mozilla root is about 220 kB).</summary>
    public const long MaxFileBytes = 8 * 1024 * 1024;

    /// <summary>Whether <paramref name="path"/> names a store: a folder, or a file with more than one PEM certificate.</summary>
    public static bool IsStore(string path)
    {
        if (Directory.Exists(path))
        {
            return true;
        }
        if (!File.Exists(path))
        {
            return false;
        }
        try
        {
            using var stream = File.OpenRead(path);
            if (stream.Length > MaxFileBytes)
            {
                return false;
            }
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var text = reader.ReadToEnd();
            int first = text.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);
            return first >= 0 && text.IndexOf("-----BEGIN CERTIFICATE-----", first + 1, StringComparison.Ordinal) >= 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Reads every usable certificate of a store folder or bundle file (duplicates by thumbprint once).</summary>
    public static TrustStoreContents Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var certificates = new List<X509Certificate2>();
        var skipped = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (Directory.Exists(path))
        {
            var files = new List<string>();
            try
            {
                foreach (var file in Directory.EnumerateFiles(path))
                {
                    if (files.Count == MaxFiles)
                    {
                        skipped.Add($"{path}: more than {MaxFiles} files; the rest were not read.");
                        break;
                    }
                    files.Add(file);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new PkiException(PkiErrorIds.FileReadFailed, PkiErrorCategory.ReadError, $"Cannot list the store folder '{path}': {ex.Message}", path, ex);
            }
            files.Sort(StringComparer.Ordinal);
            foreach (var file in files)
            {
                ReadFile(file, certificates, skipped, seen, quietIfNotCertificate: true);
            }
        }
        else
        {
            ReadFile(path, certificates, skipped, seen, quietIfNotCertificate: false);
        }
        return new TrustStoreContents(certificates, skipped);
    }

    private static void ReadFile(string file, List<X509Certificate2> certificates, List<string> skipped, HashSet<string> seen, bool quietIfNotCertificate)
    {
        byte[] data;
        try
        {
            var info = new FileInfo(file);
            if (info.Length > MaxFileBytes)
            {
                skipped.Add($"{file}: larger than {MaxFileBytes / (1024 * 1024)} MB, not read.");
                return;
            }
            data = File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (!quietIfNotCertificate)
            {
                throw new PkiException(PkiErrorIds.FileReadFailed, PkiErrorCategory.ReadError, $"Cannot read '{file}': {ex.Message}", file, ex);
            }
            skipped.Add($"{file}: cannot be read ({ex.Message}).");
            return;
        }
        var text = Encoding.ASCII.GetString(data);
        if (!text.Contains("-----BEGIN ", StringComparison.Ordinal))
        {
            // A DER file in a folder (e.g. *.cer); other files (READMEs, keystores) are not certificates.
            if (data.Length > 0 && data[0] == 0x30)
            {
                Add(data, file, certificates, skipped, seen);
            }
            else if (!quietIfNotCertificate)
            {
                skipped.Add($"{file}: holds no certificate.");
            }
            return;
        }
        var span = text.AsSpan();
        int index = 0;
        while (PemScanner.TryFind(span, out var block))
        {
            var label = span[block.Label];
            if (label.SequenceEqual("CERTIFICATE") || label.SequenceEqual("TRUSTED CERTIFICATE") || label.SequenceEqual("X509 CERTIFICATE"))
            {
                index++;
                if (certificates.Count >= CertificateReader.MaxCertificates)
                {
                    skipped.Add($"{file}: more than {CertificateReader.MaxCertificates} certificates; the rest were not read.");
                    return;
                }
                var pem = span[block.Location].ToString();
                Add(Encoding.ASCII.GetBytes(pem), $"certificate #{index} in {file}", certificates, skipped, seen);
            }
            span = span[block.Location.End..];
        }
    }

    private static void Add(byte[] data, string source, List<X509Certificate2> certificates, List<string> skipped, HashSet<string> seen)
    {
        try
        {
            // The platform's reader (fields decoded, TRUSTED CERTIFICATE trust settings dropped), then the engine's parser.
            var certificate = CertificateReader.ReadSingle(data, source);
            ParsedCertificate.From(certificate);
            if (seen.Add(certificate.Thumbprint))
            {
                certificates.Add(certificate);
            }
        }
        catch (PkiException ex)
        {
            skipped.Add($"{source} was set aside: {ex.Message}");
        }
    }
}
