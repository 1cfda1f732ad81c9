using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZscalerPki.Core.Certificates;

/// <summary>
/// Issues CA certificates with the profile every ZscalerPki CA shares (RFC 5280 4.2.1):
/// basicConstraints critical CA:TRUE (+ pathLenConstraint), keyUsage critical keyCertSign + cRLSign,
/// subjectKeyIdentifier, authorityKeyIdentifier (keyid) when issued by another CA, a 126-bit random serial,
/// notBefore backdated by <see cref="Backdate"/> for clock skew.
/// </summary>
public static class CaCertificateBuilder
{
    /// <summary>How far notBefore is set in the past, so clients with slow clocks accept a fresh CA.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    /// <summary>The signing side: a certificate (null for self-signed) and its private key.</summary>
    public sealed record Signer(X509Certificate2? Certificate, AsymmetricAlgorithm Key);

    /// <summary>
    /// Signs a CA certificate for <paramref name="subjectKey"/>. For a self-signed root pass <paramref name="issuer"/> with a
    /// null certificate and the subject's own private key.
    /// </summary>
    public static X509Certificate2 Issue(
        X500DistinguishedName subject,
        PublicKey subjectKey,
        Signer issuer,
        SignatureHash hash,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        int? pathLength,
        IEnumerable<X509Extension>? extraExtensions = null)
    {
        var request = new CertificateRequest(subject, subjectKey, hash.ToName());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, pathLength.HasValue, pathLength ?? 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        var ski = new X509SubjectKeyIdentifierExtension(subjectKey, X509SubjectKeyIdentifierHashAlgorithm.Sha1, critical: false);
        request.CertificateExtensions.Add(ski);
        if (issuer.Certificate is not null)
            request.CertificateExtensions.Add(AuthorityKeyIdentifier(issuer.Certificate));
        if (extraExtensions is not null)
        {
            foreach (var ext in extraExtensions)
                request.CertificateExtensions.Add(ext);
        }

        var issuerName = issuer.Certificate?.SubjectName ?? subject;
        var nb = Truncate(notBefore);
        var na = Truncate(notAfter);
        if (issuer.Certificate is not null && na > issuer.Certificate.NotAfter.ToUniversalTime())
            na = Truncate(issuer.Certificate.NotAfter.ToUniversalTime());
        if (issuer.Certificate is not null && nb < issuer.Certificate.NotBefore.ToUniversalTime())
            nb = Truncate(issuer.Certificate.NotBefore.ToUniversalTime());
        return request.Create(issuerName, Keys.SignatureGenerator(issuer.Key), nb, na, Keys.NewSerialNumber());
    }

    /// <summary>AKI with the issuer's key identifier: its SKI when present, else computed from its public key (RFC 5280 4.2.1.2 method 1).</summary>
    public static X509AuthorityKeyIdentifierExtension AuthorityKeyIdentifier(X509Certificate2 issuer)
    {
        var issuerSki = issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()
            ?? new X509SubjectKeyIdentifierExtension(issuer.PublicKey, X509SubjectKeyIdentifierHashAlgorithm.Sha1, false);
        return X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(issuerSki);
    }

    /// <summary>Whole seconds, UTC: X.509 time has no fractions and DER UTCTime/GeneralizedTime must not carry them.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset t)
    {
        var u = t.ToUniversalTime();
        return new DateTimeOffset(u.Ticks - u.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    /// <summary>Checks that a certificate may act as a CA issuer now: CA:TRUE, keyCertSign, valid, and room in its path length.</summary>
    public static void RequireUsableIssuer(X509Certificate2 issuer, DateTimeOffset now, bool issuingCa, string issuerLabel)
    {
        var bc = issuer.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (bc is null || !bc.CertificateAuthority)
            throw new PkiException(PkiErrorIds.ParentNotCA, PkiErrorCategory.InvalidArgument,
                $"The parent {issuerLabel} is not a CA certificate (no basicConstraints CA:TRUE). Choose a root or intermediate CA as parent.", issuerLabel);
        var ku = issuer.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (ku is not null && !ku.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
            throw new PkiException(PkiErrorIds.ParentCannotSign, PkiErrorCategory.InvalidArgument,
                $"The parent {issuerLabel} lacks the keyCertSign key usage, so certificates it signs would be rejected. Choose another parent.", issuerLabel);
        if (now > issuer.NotAfter.ToUniversalTime() || now < issuer.NotBefore.ToUniversalTime() - Backdate)
            throw new PkiException(PkiErrorIds.ParentNotValid, PkiErrorCategory.InvalidArgument,
                $"The parent {issuerLabel} is not valid now (valid {issuer.NotBefore.ToUniversalTime():u} to {issuer.NotAfter.ToUniversalTime():u}). Renew it or choose another parent.", issuerLabel);
        if (issuingCa && bc.HasPathLengthConstraint && bc.PathLengthConstraint == 0)
            throw new PkiException(PkiErrorIds.ParentPathLengthExceeded, PkiErrorCategory.InvalidArgument,
                $"The parent {issuerLabel} has path length 0: it may sign only end-entity certificates, not another CA. Choose a parent with a larger path length.", issuerLabel);
    }

    /// <summary>The parent's path-length constraint, or null when unconstrained.</summary>
    public static int? PathLengthOf(X509Certificate2 certificate)
    {
        var bc = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        return bc is { HasPathLengthConstraint: true } ? bc.PathLengthConstraint : null;
    }
}
