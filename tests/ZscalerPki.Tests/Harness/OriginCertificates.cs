using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Tests.Harness;

/// <summary>Site certificates as a proxy captures them, for the forging cmdlet's tests.</summary>
internal static class OriginCertificates
{
    /// <summary>A self-signed P-256 certificate for <paramref name="cn"/> (also its one SAN); a CA when <paramref name="ca"/>.</summary>
    public static X509Certificate2 Origin(string cn, bool ca = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=" + cn, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(cn);
        req.CertificateExtensions.Add(san.Build());
        return req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
    }
}
