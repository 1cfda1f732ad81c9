using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Authority;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Revocation;

namespace ZscalerPki.Infrastructure;

/// <summary>
/// What -Issuer accepts: a vault CA name, its identity <c>kind/name</c> (<c>intermediate/Inspection-2026</c>) or its subject DN;
/// an enrollment or intermediate certificate object, a record of what a CA issued or a CRL it published (each names its CA
/// by identity, so a name an enrollment CA and an intermediate share still finds the right one); a CA certificate.
/// </summary>
internal static class IssuerInput
{
    public static string Name(object? value)
    {
        value = CertificateInput.Unwrap(value);
        return value switch
        {
            string s when !string.IsNullOrWhiteSpace(s) => s.Trim(),
            EnrollmentCertificate e => CaDirectory.IdentityOf(CaKind.Enrollment, e.Name),
            IntermediateCertificate i => CaDirectory.IdentityOf(CaKind.Intermediate, i.Name),
            IssuedCertificateRecord r => r.IssuerIdentity,
            CrlPublication p => p.IssuerIdentity,
            X509Certificate2 c => c.Subject,
            _ => throw new PkiException(PkiErrorIds.NotFound, PkiErrorCategory.InvalidArgument,
                $"-Issuer takes the vault name of a CA (enrollment certificate or SSL-inspection intermediate) or its object from Get-EnrollmentCertificate / Get-IntermediateCertificate, not {(value is null ? "nothing" : "a " + value.GetType().Name)}.", value),
        };
    }
}
