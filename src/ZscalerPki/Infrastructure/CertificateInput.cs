using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Infrastructure;

/// <summary>
/// Turns what a user passes as a certificate into certificates: an <see cref="X509Certificate2"/> (e.g. from
/// <c>Get-ChildItem Cert:\CurrentUser\My</c>), any object with a <c>Certificate</c> property (our own results), a
/// <see cref="FileInfo"/>, bytes, a <c>Cert:\Location\Store\Thumbprint</c> path, a file path (PEM, DER, P7B), or PEM/base64 text.
/// </summary>
internal static class CertificateInput
{
    public static IReadOnlyList<X509Certificate2> Resolve(object? value, Func<string, IReadOnlyList<string>> resolveFile)
    {
        value = Unwrap(value);
        switch (value)
        {
            case null:
                throw new PkiException(PkiErrorIds.CertificateRequired, PkiErrorCategory.InvalidArgument, "No certificate was given.");
            // Objects did not come through CertificateReader: their fields are decoded here as a file's would be.
            case X509Certificate2 cert:
                return new[] { Decodable(cert) };
            case X509Certificate legacy:
                return new[] { Decodable(new X509Certificate2(legacy)) };
            case X509Certificate2Collection collection:
                return collection.Cast<X509Certificate2>().Select(Decodable).ToList();
            case byte[] bytes:
                return CertificateReader.Read(bytes);
            case FileInfo file:
                return CertificateReader.ReadFile(file.FullName);
            case string text:
                return FromString(text, resolveFile);
            case System.Collections.IEnumerable many:
                return many.Cast<object?>().SelectMany(o => Resolve(o, resolveFile)).ToList();
        }
        // Our own results (EnrollmentCertificate, IntermediateCertificate, IssuedCertificate, chain elements): the certificate,
        // followed by its issuers when the object carries a Chain, so a bundle's first certificate stays the leaf.
        var property = value.GetType().GetProperty("Certificate");
        if (property?.GetValue(value) is X509Certificate2 inner)
        {
            var chain = value.GetType().GetProperty("Chain")?.GetValue(value) as IEnumerable<X509Certificate2>;
            return chain is null ? new[] { inner } : new[] { inner }.Concat(chain).ToList();
        }
        if (property is not null)
            throw new PkiException(PkiErrorIds.CertificateNotAvailable, PkiErrorCategory.InvalidArgument,
                $"The {value.GetType().Name} '{value}' has no certificate yet (for an SSL-inspection intermediate: import the signed certificate first).", value);
        throw new PkiException(PkiErrorIds.UnsupportedCertificateInput, PkiErrorCategory.InvalidArgument,
            $"A {value.GetType().Name} is not a certificate. Pass an X509Certificate2, a file path, PEM text, or an object with a Certificate property.", value);
    }

    private static X509Certificate2 Decodable(X509Certificate2 certificate) =>
        CertificateReader.RequireDecodable(certificate, $"the given certificate (thumbprint {certificate.Thumbprint})");

    private static IReadOnlyList<X509Certificate2> FromString(string text, Func<string, IReadOnlyList<string>> resolveFile)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
            throw new PkiException(PkiErrorIds.CertificateRequired, PkiErrorCategory.InvalidArgument, "The certificate text is empty.", text);
        if (trimmed.Contains("-----BEGIN", StringComparison.Ordinal))
            return CertificateReader.ReadText(trimmed);
        if (CertStoreLocation.LooksLikeStorePath(trimmed))
            return FromStore(trimmed);
        if (LooksLikeBase64(trimmed))
            return CertificateReader.ReadText(trimmed);
        return resolveFile(trimmed).SelectMany(CertificateReader.ReadFile).ToList();
    }

    /// <summary><c>Cert:\CurrentUser\My\THUMBPRINT</c> → that certificate; <c>Cert:\LocalMachine\Root</c> → the whole store.</summary>
    public static IReadOnlyList<X509Certificate2> FromStore(string path)
    {
        if (CertStoreLocation.TryParse(path, out var store))
            return store!.ReadAll();
        var cut = path.TrimEnd('\\', '/').LastIndexOfAny(new[] { '\\', '/' });
        if (cut > 0 && CertStoreLocation.TryParse(path[..cut], out var parent))
        {
            var thumbprint = path[(cut + 1)..].Trim();
            var match = parent!.ReadAll().Where(c => string.Equals(c.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase)).ToList();
            if (match.Count == 0)
                throw new PkiException(PkiErrorIds.CertificateNotFound, PkiErrorCategory.ObjectNotFound,
                    $"No certificate with thumbprint {thumbprint} is in {parent}.", path);
            return match;
        }
        CertStoreLocation.Parse(path); // throws InvalidStoreLocation with the accepted spellings
        return Array.Empty<X509Certificate2>();
    }

    private static bool LooksLikeBase64(string text) =>
        text.Length >= 64 && text.All(c => char.IsLetterOrDigit(c) || c is '+' or '/' or '=' || char.IsWhiteSpace(c));

    /// <summary>PowerShell may hand parameters typed object as PSObject wrappers.</summary>
    public static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;
}
