using ZscalerPki.Core.Authority;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Intermediate;

/// <summary>What Submit-CertificateRequest returns: the issued certificate and its issuers.</summary>
public sealed class IssuedCertificate : CertificateFacts
{
    public IssuedCertificate(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> chain, string issuedBy, string? requestId = null)
        : base(certificate)
    {
        Chain = chain.ToArray();
        IssuedBy = issuedBy;
        RequestId = requestId;
    }

    /// <summary>The issuer and its issuers up to the root (leaf's issuer first); binds to Import-SignedIntermediate -Chain.</summary>
    public X509Certificate2[] Chain { get; }
    /// <summary>The vault CA's name, or the AD CS config string.</summary>
    public string IssuedBy { get; }
    /// <summary>The AD CS request id (null for vault CAs).</summary>
    public string? RequestId { get; }
    /// <summary>The certificate as PEM.</summary>
    public string Pem => CertificateReader.ToPem(Certificate);
    /// <summary>The file the certificate was written to, when any.</summary>
    public string? Path { get; set; }
    /// <summary>The file the chain was written to, when any.</summary>
    public string? ChainPath { get; set; }

    public override string ToString() => Subject;
}

/// <summary>Signing a CSR with a CA in the vault.</summary>
public sealed record SignWithVaultCaRequest
{
    public required CsrInfo Csr { get; init; }
    /// <summary>Name of the enrollment (CA) certificate in the vault.</summary>
    public required string Issuer { get; init; }
    public ReadOnlyMemory<char> IssuerKeyPassword { get; init; }
    public int ValidityDays { get; init; } = EnrollmentService.DefaultIntermediateValidityDays;
    /// <summary>The signature hash; null (the default) matches the issuer's key: SHA-384 for P-384, SHA-512 for P-521, else SHA-256.</summary>
    public SignatureHash? HashAlgorithm { get; init; }
    /// <summary>CRL distribution point URIs to put in the certificate; empty: the issuer's stored CDPs (Set-EnrollmentCertificate).</summary>
    public IReadOnlyList<string> CrlDistributionPoints { get; init; } = Array.Empty<string>();
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Signs CSRs as subordinate CAs: with a vault CA, or (Windows) with AD CS through certreq.exe.</summary>
public sealed class CsrSigningService
{
    private readonly Vault _vault;
    private readonly Hsm.HsmKeyFactory _hsm;

    public CsrSigningService(Vault vault)
        : this(vault, Hsm.HsmKeyFactory.Production)
    {
    }

    /// <summary>A service whose HSM keys go through <paramref name="hsm"/>.</summary>
    public CsrSigningService(Vault vault, Hsm.HsmKeyFactory hsm)
    {
        _vault = vault;
        _hsm = hsm;
    }

    /// <summary>
    /// The SubCA profile of <see cref="CaCertificateBuilder"/>: subject and key from the CSR, CA:TRUE with the path length
    /// the CSR requests (0 when it requests none), keyCertSign + cRLSign, SKI/AKI, and the CDP when given.
    /// </summary>
    public PkiResult<IssuedCertificate> SignWithVaultCa(SignWithVaultCaRequest request)
    {
        var warnings = new List<string>();
        var now = request.Now ?? DateTimeOffset.UtcNow;
        if (request.ValidityDays < 1)
            throw new PkiException(PkiErrorIds.InvalidValidity, PkiErrorCategory.InvalidArgument, $"-ValidityDays must be at least 1 (was {request.ValidityDays}).", request.ValidityDays);
        if (request.IssuerKeyPassword.IsEmpty)
            throw new PkiException(PkiErrorIds.KeyPasswordRequired, PkiErrorCategory.InvalidArgument,
                $"Signing with '{request.Issuer}' needs its key password: pass -IssuerKeyPassword.", request.Issuer);
        // The same rules as the URLs stored on a CA (absolute http/https/ldap/file URIs, written as ASCII).
        var cdps = CaUrls.Validate(request.CrlDistributionPoints, aia: false);

        var csr = request.Csr;
        KeyPolicy.RequireAcceptableKey(csr.PublicKey, $"the CSR for '{csr.Subject.Name}'");
        int pathLength;
        if (csr.RequestsCa is null)
        {
            pathLength = 0;
            warnings.Add("The CSR requests no basicConstraints; it is signed as a subordinate CA with path length 0.");
        }
        else
        {
            if (csr.RequestsCa == false)
                warnings.Add("The CSR requests CA:FALSE; Submit-CertificateRequest always issues the subordinate-CA profile (CA:TRUE).");
            pathLength = csr.PathLength ?? 0;
            if (pathLength < 0)
                throw new PkiException(PkiErrorIds.InvalidCsr, PkiErrorCategory.InvalidData,
                    $"The CSR for '{csr.Subject.Name}' requests the path length {pathLength}; a path length is 0 or more. Generate the CSR again (New-IntermediateCsr -PathLength 0 or 1).", pathLength);
        }
        if (CertificateChecks.CommonName(csr.Subject) is null)
            throw new PkiException(PkiErrorIds.CsrWithoutCommonName, PkiErrorCategory.InvalidData,
                $"The CSR's subject '{csr.Subject.Name}' has no common name (CN). Generate it with New-IntermediateCsr -CommonName.", csr.Subject.Name);

        var ca = new CaDirectory(_vault, new Hsm.VaultKeys(_hsm)).Resolve(request.Issuer);
        var chain = ca.Chain;
        var issuerCert = ca.Certificate;
        var label = $"'{ca.Identity}'";
        CaCertificateBuilder.RequireUsableIssuer(issuerCert, now, issuingCa: true, label);
        if (CaCertificateBuilder.PathLengthOf(issuerCert) is { } limit && pathLength > limit - 1)
            throw new PkiException(PkiErrorIds.PathLengthTooLarge, PkiErrorCategory.InvalidArgument,
                $"The issuer {label} allows at most {limit - 1} CA level(s) below it, but the CSR requests path length {pathLength}. Generate the CSR with -PathLength {limit - 1}, or sign it with a CA higher up.", pathLength);

        var notAfter = now.AddDays(request.ValidityDays);
        if (notAfter > issuerCert.NotAfter.ToUniversalTime())
        {
            warnings.Add($"The requested validity ends after the issuer {label} ({issuerCert.NotAfter.ToUniversalTime():u}); the certificate ends with the issuer.");
            notAfter = issuerCert.NotAfter.ToUniversalTime();
        }

        var extra = CaUrls.Extensions(cdps.Count > 0 ? cdps : ca.CrlDistributionPoints, ca.AuthorityInfoAccess).ToList();

        using var key = ca.OpenKey(request.IssuerKeyPassword.Span);
        // Signed, recorded in the CA's database, then returned (CertificateAuthority.Issue).
        var certificate = ca.Issue(key, signer => CaCertificateBuilder.Issue(csr.Subject, csr.PublicKey, signer,
            request.HashAlgorithm ?? ca.SignatureHash, now - CaCertificateBuilder.Backdate, notAfter, pathLength, extra), IssuedProfiles.SubCA, now);
        return new PkiResult<IssuedCertificate>(new IssuedCertificate(certificate, chain, ca.Name), warnings);
    }
}
