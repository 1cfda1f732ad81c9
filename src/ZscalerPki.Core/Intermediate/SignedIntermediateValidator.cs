using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Intermediate;

/// <summary>
/// What a signed intermediate is checked against: the name (for messages), the CSR's common name, the path length it
/// requested, its public key and the entry's state. A vault entry (Import-SignedIntermediate) and an entry of the Zscaler
/// tenant whose key Zscaler keeps (Publish-ZiaSignedIntermediate) are both described by one of these.
/// </summary>
public sealed record SignedIntermediateTarget
{
    public required string Name { get; init; }
    public required string CommonName { get; init; }
    public required int PathLength { get; init; }
    public required PublicKey PublicKey { get; init; }
    /// <summary>The entry's state as shown in messages ("'X' is unchanged (state ...)").</summary>
    public required string State { get; init; }
    /// <summary>Where the CSR is (a file, or where to get it), for the message of a key mismatch.</summary>
    public string? CsrLocation { get; init; }
}

/// <summary>The outcome of <see cref="SignedIntermediateValidator.Validate"/>: the certificate, its validated chain (issuer first, root last; none when no chain was given) and warnings.</summary>
public sealed record SignedIntermediateVerdict(X509Certificate2 Certificate, IReadOnlyList<X509Certificate2> Chain, IReadOnlyList<string> Warnings);

/// <summary>
/// The one validator of a signed SSL-inspection intermediate, shared by Import-SignedIntermediate (vault) and
/// Publish-ZiaSignedIntermediate (the tenant, before anything is uploaded): the key matches the CSR, the CN is unchanged,
/// CA:TRUE, keyCertSign + cRLSign, the path length is at most the requested one, it is valid now, not MD5/SHA-1 signed,
/// no malformed or unknown critical extension, and the chain links through <see cref="ImportChainCheck"/> (the path
/// validator). Every rule throws <see cref="PkiException"/> with the import's ErrorId.
/// </summary>
public static class SignedIntermediateValidator
{
    /// <summary>The certificate among <paramref name="certificates"/> that carries the CSR's key (the newest when several do); PublicKeyMismatch when none does.</summary>
    public static X509Certificate2 SelectCertificate(SignedIntermediateTarget entry, IReadOnlyList<X509Certificate2> certificates, string source)
    {
        var matches = certificates.Where(c => Keys.SameKey(c.PublicKey, entry.PublicKey)).ToList();
        if (matches.Count == 0)
            throw new PkiException(PkiErrorIds.PublicKeyMismatch, PkiErrorCategory.InvalidData,
                certificates.Count == 1
                    ? $"The certificate {CertificateChecks.Describe(certificates[0])} from {source} does not carry the public key of '{entry.Name}': it was issued for another CSR. Have the CA sign the CSR of '{entry.Name}' ({entry.CsrLocation ?? "its Csr property"}) and import what it returns. '{entry.Name}' is unchanged (state {entry.State})."
                    : $"None of the {certificates.Count} certificates in {source} carries the public key of '{entry.Name}'. Have the CA sign the CSR of '{entry.Name}' ({entry.CsrLocation ?? "its Csr property"}) and import what it returns. '{entry.Name}' is unchanged (state {entry.State}).",
                entry.Name);
        return matches.OrderByDescending(c => c.NotBefore).First();
    }

    /// <summary>
    /// Every local check of an import: the certificate (from <paramref name="certificates"/>, the one with the CSR's key),
    /// then the chain (the other certificates given plus <paramref name="chain"/> and <paramref name="trustedRoot"/>).
    /// </summary>
    public static SignedIntermediateVerdict Validate(SignedIntermediateTarget entry, IReadOnlyList<X509Certificate2> certificates,
        IReadOnlyList<X509Certificate2>? chain, X509Certificate2? trustedRoot, DateTimeOffset now, string source)
    {
        if (certificates.Count == 0)
            throw new PkiException(PkiErrorIds.CertificateRequired, PkiErrorCategory.InvalidArgument,
                $"Nothing to import for '{entry.Name}'. Pass the signed certificate, and optionally its chain.", entry.Name);
        var warnings = new List<string>();
        var leaf = SelectCertificate(entry, certificates, source);
        try
        {
            ValidateLeaf(entry, leaf, now, warnings);
        }
        catch (CryptographicException ex)
        {
            throw new PkiException(PkiErrorIds.CertificateExtensionInvalid, PkiErrorCategory.InvalidData,
                $"The certificate (thumbprint {leaf.Thumbprint}) has a field the platform cannot decode ({ex.Message}). Have the CSR signed again. '{entry.Name}' is unchanged (state {entry.State}).", entry.Name, ex);
        }
        var candidates = (chain ?? Array.Empty<X509Certificate2>())
            .Concat(certificates.Where(c => !c.RawData.AsSpan().SequenceEqual(leaf.RawData)))
            .ToList();
        IReadOnlyList<X509Certificate2> built = candidates.Count > 0 || trustedRoot is not null
            ? ImportChainCheck.Build(entry.Name, entry.State, leaf, candidates, trustedRoot, now)
            : Array.Empty<X509Certificate2>();
        return new SignedIntermediateVerdict(leaf, built, warnings);
    }

    public static void ValidateLeaf(SignedIntermediateTarget entry, X509Certificate2 leaf, DateTimeOffset now, List<string> warnings)
    {
        var unchanged = $"'{entry.Name}' is unchanged (state {entry.State}).";
        var label = CertificateChecks.Describe(leaf);

        // Every extension must decode, and a critical one must be one the validator processes: an intermediate that
        // Test-CertificateChain (and RFC 5280 6.1) would refuse is not imported, with or without a chain.
        var parsed = Validation.ParsedCertificate.Parse(leaf.RawData);
        if (parsed.Malformed.Count > 0)
            throw new PkiException(PkiErrorIds.CertificateExtensionInvalid, PkiErrorCategory.InvalidData,
                $"The certificate {label} has a malformed extension: {parsed.Malformed[0].TrimEnd('.')}. Have the CSR signed again with well-formed extensions. {unchanged}", entry.Name);
        if (parsed.Extensions.FirstOrDefault(e => e.Critical && !Validation.ProfileRules.Understood.Contains(e.Oid)) is { } unknown)
            throw new PkiException(PkiErrorIds.UnsupportedCriticalExtension, PkiErrorCategory.InvalidData,
                $"The certificate {label} carries the critical extension {unknown.Oid}, which clients that do not know it must refuse (RFC 5280 4.2). Have it signed without that extension, or with it non-critical. {unchanged}", entry.Name);

        var cn = CertificateChecks.CommonName(leaf.SubjectName);
        if (!string.Equals(cn, entry.CommonName, StringComparison.Ordinal))
            throw new PkiException(PkiErrorIds.CommonNameMismatch, PkiErrorCategory.InvalidData,
                $"The certificate's common name is {(cn is null ? "missing" : $"'{cn}'")} but the CSR of '{entry.Name}' requested '{entry.CommonName}'; Zscaler does not use an intermediate whose CN does not match. Have the CA issue the certificate with the subject of the CSR (do not override the CN). {unchanged}", entry.Name);

        var bc = leaf.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (bc is null || !bc.CertificateAuthority)
            throw new PkiException(PkiErrorIds.NotCaCertificate, PkiErrorCategory.InvalidData,
                $"The certificate {label} is not a CA certificate ({(bc is null ? "no basicConstraints" : "basicConstraints CA:FALSE")}), so it cannot sign the certificates Zscaler generates. Have it signed as a subordinate CA: OpenSSL extfile 'basicConstraints=CA:TRUE', AD CS template SubCA. {unchanged}", entry.Name);

        var ku = leaf.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        var missing = new List<string>();
        if (ku is null || !ku.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
            missing.Add("keyCertSign");
        if (ku is null || !ku.KeyUsages.HasFlag(X509KeyUsageFlags.CrlSign))
            missing.Add("cRLSign");
        if (missing.Count > 0)
            throw new PkiException(PkiErrorIds.MissingKeyUsage, PkiErrorCategory.InvalidData,
                $"The certificate {label} {(ku is null ? "has no keyUsage extension" : $"lacks the key usage {string.Join(" and ", missing)}")}; an SSL-inspection intermediate needs keyCertSign and cRLSign. Have it signed again with 'keyUsage=keyCertSign, cRLSign' (AD CS template SubCA). {unchanged}", entry.Name);

        if (bc.HasPathLengthConstraint && bc.PathLengthConstraint > entry.PathLength)
            throw new PkiException(PkiErrorIds.PathLengthTooLarge, PkiErrorCategory.InvalidData,
                $"The certificate {label} allows path length {bc.PathLengthConstraint}, more than the {entry.PathLength} the CSR of '{entry.Name}' requested. Have it signed with 'basicConstraints=critical,CA:TRUE,pathlen:{entry.PathLength}'. {unchanged}", entry.Name);
        // The seed's OpenSSL lines (basicConstraints=CA:TRUE, keyUsage=keyCertSign, cRLSign) sign exactly this: Zscaler and
        // browsers accept it, so does the import, but it is said what differs from the request and how to sign it strictly.
        var lax = new List<string>();
        if (!bc.Critical)
            lax.Add("basicConstraints is not marked critical (openssl verify -x509_strict refuses such a CA: \"Basic Constraints of CA cert not marked critical\")");
        if (!bc.HasPathLengthConstraint)
            lax.Add($"it has no path-length constraint although the CSR requested {entry.PathLength} (a path length limits what a stolen key could do)");
        if (!ku!.Critical)
            lax.Add("keyUsage is not marked critical");
        if (lax.Count > 0)
            warnings.Add($"The certificate of '{entry.Name}' is accepted, as Zscaler and browsers accept it, but differs from its CSR: {string.Join("; ", lax)}. To sign it strictly, use the extfile lines 'basicConstraints=critical,CA:TRUE,pathlen:{entry.PathLength}' and 'keyUsage=critical,keyCertSign,cRLSign' (AD CS: the SubCA template).");

        var notBefore = leaf.NotBefore.ToUniversalTime();
        var notAfter = leaf.NotAfter.ToUniversalTime();
        if (now.UtcDateTime > notAfter)
            throw new PkiException(PkiErrorIds.CertificateExpired, PkiErrorCategory.InvalidData,
                $"The certificate {label} expired on {notAfter:u}. Have the CSR of '{entry.Name}' signed again. {unchanged}", entry.Name);
        if (now.UtcDateTime < notBefore)
            throw new PkiException(PkiErrorIds.CertificateNotYetValid, PkiErrorCategory.InvalidData,
                $"The certificate {label} is not valid before {notBefore:u}. Check the CA's clock, or import it once it is valid. {unchanged}", entry.Name);

        if (CertificateChecks.WeakSignatureAlgorithm(leaf) is { } weak)
            throw new PkiException(PkiErrorIds.WeakSignatureAlgorithm, PkiErrorCategory.SecurityError,
                $"The certificate {label} is signed with {weak}; browsers reject MD5 and SHA-1 signatures. Have it signed with SHA-256 or stronger. {unchanged}", entry.Name);

        if (now.UtcDateTime.AddDays(30) > notAfter)
            warnings.Add($"The certificate of '{entry.Name}' expires on {notAfter:u}, in less than 30 days.");
    }
}
