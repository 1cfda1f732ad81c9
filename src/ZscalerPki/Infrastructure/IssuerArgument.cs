using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Authority;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Infrastructure;

/// <summary>
/// The one typed form of <c>-Issuer</c> (and <c>-Parent</c>) in every cmdlet, made by <see cref="IssuerTransformationAttribute"/>
/// from what users pass: a vault CA name, its identity <c>kind/name</c> (<c>intermediate/Inspection-2026</c>) or its subject DN;
/// an object from Get-EnrollmentCertificate / Get-IntermediateCertificate, a row from Get-IssuedCertificate or a CRL from
/// Publish-Crl (each names its CA by identity); an <see cref="X509Certificate2"/> (a vault CA's certificate is that CA; an
/// outside CA's certificate with its private key signs directly where a cmdlet allows it); a <c>Cert:\...\THUMBPRINT</c> path.
/// </summary>
public sealed class IssuerArgument
{
    private readonly object? _invalid;

    private IssuerArgument(string? identity, X509Certificate2? certificate, object? invalid)
    {
        Identity = identity;
        Certificate = certificate;
        _invalid = invalid;
    }

    /// <summary>The CA's name, identity (kind/name) or subject DN, when given as text or as one of our objects.</summary>
    public string? Identity { get; }

    /// <summary>The CA's certificate, when given as a certificate.</summary>
    public X509Certificate2? Certificate { get; }

    public override string ToString() => Identity ?? Certificate?.Subject ?? _invalid?.ToString() ?? string.Empty;

    /// <summary>Converts what was passed; never throws (an unusable value is reported with InvalidIssuer when it is used).</summary>
    public static IssuerArgument From(object? value)
    {
        value = CertificateInput.Unwrap(value);
        return value switch
        {
            IssuerArgument a => a,
            string s when string.IsNullOrWhiteSpace(s) => new IssuerArgument(null, null, s),
            string s => new IssuerArgument(s.Trim(), null, null),
            EnrollmentCertificate e => new IssuerArgument(CaDirectory.IdentityOf(CaKind.Enrollment, e.Name), null, null),
            IntermediateCertificate i => new IssuerArgument(CaDirectory.IdentityOf(CaKind.Intermediate, i.Name), null, null),
            IssuedCertificateRecord r => new IssuerArgument(r.IssuerIdentity, null, null),
            CrlPublication p => new IssuerArgument(p.IssuerIdentity, null, null),
            X509Certificate2 c => new IssuerArgument(null, c, null),
            _ => new IssuerArgument(null, null, value ?? "(null)"),
        };
    }

    /// <summary>
    /// The identity of the vault CA this names (for cmdlets whose issuer must be a vault CA): text as given; a certificate
    /// is looked up in the vault by thumbprint (a Cert:\ path is read first). Throws InvalidIssuer or IssuerNotInVault.
    /// </summary>
    public string VaultIdentity(Vault vault)
    {
        RequireValid();
        if (Identity is not null && !CertStoreLocation.LooksLikeStorePath(Identity))
            return Identity;
        var certificate = StoreCertificate() ?? Certificate!;
        var ca = new CaDirectory(vault).ByCertificate(certificate)
            ?? throw new PkiException(PkiErrorIds.IssuerNotInVault, PkiErrorCategory.ObjectNotFound,
                $"The certificate '{certificate.Subject}' ({certificate.Thumbprint}) is not the certificate of a CA in the vault '{vault.Root}'. Pass a vault CA's name (Get-EnrollmentCertificate, Get-IntermediateCertificate list them), or import it first.", certificate);
        return ca.Identity;
    }

    /// <summary>
    /// For cmdlets that may also sign with an outside CA (its key in a certificate store): the vault CA's identity, or
    /// null and the outside certificate (with its private key) to sign with.
    /// </summary>
    public (string? Identity, X509Certificate2? OutsideCertificate) VaultOrOutside(Vault vault)
    {
        RequireValid();
        if (Identity is not null && !CertStoreLocation.LooksLikeStorePath(Identity))
            return (Identity, null);
        var certificate = StoreCertificate() ?? Certificate!;
        var ca = new CaDirectory(vault).ByCertificate(certificate);
        return ca is not null ? (ca.Identity, null) : (null, certificate);
    }

    private X509Certificate2? StoreCertificate()
    {
        if (Identity is null)
            return null;
        var found = CertificateInput.FromStore(Identity);
        if (found.Count != 1)
            throw new PkiException(PkiErrorIds.InvalidParent, PkiErrorCategory.InvalidArgument,
                $"-Issuer '{Identity}' names {found.Count} certificates. Name one by its thumbprint, like Cert:\\CurrentUser\\My\\<thumbprint>.", Identity);
        return found[0];
    }

    private void RequireValid()
    {
        if (Identity is null && Certificate is null)
            throw new PkiException(PkiErrorIds.InvalidIssuer, PkiErrorCategory.InvalidArgument,
                _invalid is string
                    ? "-Issuer is empty. Pass the vault name of a CA (enrollment CA or SSL-inspection intermediate), its kind/name (e.g. intermediate/Inspection-2026), or its object from Get-EnrollmentCertificate / Get-IntermediateCertificate."
                    : $"-Issuer takes the vault name of a CA (or kind/name, e.g. intermediate/Inspection-2026), its object from Get-EnrollmentCertificate / Get-IntermediateCertificate / Get-IssuedCertificate, or its X509Certificate2, not a {_invalid?.GetType().Name}.", _invalid);
    }
}

/// <summary>Converts any value given to an -Issuer parameter into <see cref="IssuerArgument"/> (one or an array), the same way in every cmdlet.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class IssuerTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = CertificateInput.Unwrap(inputData);
        if (value is null)
            return null;
        if (value is System.Collections.IEnumerable many and not string and not X509Certificate2)
            return many.Cast<object?>().Select(IssuerArgument.From).ToArray();
        return IssuerArgument.From(value);
    }
}
