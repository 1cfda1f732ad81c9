using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Revocation;

namespace ZscalerPki.Infrastructure;

/// <summary>What -Issuer accepts: a vault CA name (or its subject DN), an enrollment or intermediate certificate object, a CA certificate.</summary>
internal static class IssuerInput
{
    public static string Name(object? value)
    {
        value = CertificateInput.Unwrap(value);
        return value switch
        {
            string s when !string.IsNullOrWhiteSpace(s) => s.Trim(),
            EnrollmentCertificate e => e.Name,
            IntermediateCertificate i => i.Name,
            IssuedCertificateRecord r => r.Issuer,
            CrlPublication p => p.Issuer,
            X509Certificate2 c => c.Subject,
            _ => throw new PkiException(PkiErrorIds.NotFound, PkiErrorCategory.InvalidArgument,
                $"-Issuer takes the vault name of a CA (enrollment certificate or SSL-inspection intermediate) or its object from Get-EnrollmentCertificate / Get-IntermediateCertificate, not {(value is null ? "nothing" : "a " + value.GetType().Name)}.", value),
        };
    }
}
