using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Intermediate;

/// <summary>Import-SignedIntermediate: the signed certificate checked against the CSR and its chain through the ChainValidator.</summary>
public sealed partial class IntermediateService
{
    // ---------------------------------------------------------------- Import-SignedIntermediate

    /// <summary>
    /// Validates the signed certificate (and chain) against the entry's CSR and stores it; the entry becomes CertReady.
    /// For a ready entry this replaces the certificate and/or the chain (same key) and keeps the old one in the history.
    /// </summary>
    public PkiResult<IntermediateCertificate> Import(ImportSignedIntermediateRequest request)
    {
        var warnings = new List<string>();
        var information = new List<string>();
        var now = request.Now ?? DateTimeOffset.UtcNow;
        using (_vault.Lock())
        {
            var all = _vault.ReadAll<IntermediateEntry>(Collections.Intermediate);
            var entry = Find(all, request.Name);
            var source = request.Source ?? "the given certificate";
            // A hand-edited or damaged PublicKeyPem is VaultEntryCorrupt naming the entry and the field, not a decoder's exception.
            var csrKey = _vault.Convert(Collections.Intermediate, entry.Name, entry, e => CsrPublicKey(e.PublicKeyPem));
            var current = entry.CertificatePem is null ? null : CertificateReader.ReadSingle(Encoding.ASCII.GetBytes(entry.CertificatePem), $"vault entry '{entry.Name}'");

            X509Certificate2 leaf;
            var extra = new List<X509Certificate2>();
            if (request.Certificates.Count == 0)
            {
                if (request.Chain is null && request.TrustedRoot is null)
                    throw new PkiException(PkiErrorIds.CertificateRequired, PkiErrorCategory.InvalidArgument,
                        $"Nothing to import for '{entry.Name}'. Pass the signed certificate (-Path, -LiteralPath, -Certificate or -Pem), and optionally its -ChainPath.", entry.Name);
                leaf = current ?? throw new PkiException(PkiErrorIds.CertificateRequired, PkiErrorCategory.InvalidOperation,
                    $"'{entry.Name}' has no signed certificate yet (state {entry.State}), so a chain alone cannot be imported. Pass the signed certificate together with -ChainPath.", entry.Name);
            }
            else
            {
                var matches = request.Certificates.Where(c => Keys.SameKey(c.PublicKey, csrKey)).ToList();
                if (matches.Count == 0)
                    throw new PkiException(PkiErrorIds.PublicKeyMismatch, PkiErrorCategory.InvalidData,
                        request.Certificates.Count == 1
                            ? $"The certificate {CertificateChecks.Describe(request.Certificates[0])} from {source} does not carry the public key of '{entry.Name}': it was issued for another CSR. Have the CA sign the CSR of '{entry.Name}' ({entry.CsrPath ?? "its Csr property"}) and import what it returns. '{entry.Name}' is unchanged (state {entry.State})."
                            : $"None of the {request.Certificates.Count} certificates in {source} carries the public key of '{entry.Name}'. Have the CA sign the CSR of '{entry.Name}' ({entry.CsrPath ?? "its Csr property"}) and import what it returns. '{entry.Name}' is unchanged (state {entry.State}).",
                        entry.Name);
                leaf = matches.OrderByDescending(c => c.NotBefore).First();
                extra.AddRange(request.Certificates.Where(c => !c.RawData.AsSpan().SequenceEqual(leaf.RawData)));
                try
                {
                    ValidateLeaf(entry, leaf, now, warnings);
                }
                catch (CryptographicException ex)
                {
                    // The platform's decoders (names, extensions) are stricter on some versions than our reader.
                    throw new PkiException(PkiErrorIds.CertificateExtensionInvalid, PkiErrorCategory.InvalidData,
                        $"The certificate (thumbprint {leaf.Thumbprint}) has a field the platform cannot decode ({ex.Message}). Have the CSR signed again. '{entry.Name}' is unchanged (state {entry.State}).", entry.Name, ex);
                }
            }

            // The chain: what -ChainPath gave, plus the other certificates of a .p7b, plus the trusted root.
            IReadOnlyList<X509Certificate2>? chain = null;
            if (request.Chain is not null || extra.Count > 0 || request.TrustedRoot is not null)
            {
                var candidates = (request.Chain ?? Array.Empty<X509Certificate2>()).Concat(extra).ToList();
                chain = ImportChainCheck.Build(entry, leaf, candidates, request.TrustedRoot, now);
            }
            else if (current is not null && entry.ChainPem is not null)
            {
                // New certificate, no chain given: keep the old chain when it still issues the new certificate.
                var oldChain = CertificateReader.ReadText(entry.ChainPem);
                if (oldChain.Count > 0 && CertificateChecks.IsIssuedBy(leaf, oldChain[0]))
                {
                    chain = oldChain;
                }
                else
                {
                    warnings.Add($"The new certificate of '{entry.Name}' is not issued by the first certificate of its previous chain, so that chain was dropped. Import the new chain with -ChainPath.");
                }
            }
            if (chain is { Count: 0 })
                chain = null;

            var chainPem = chain is null ? null : string.Concat(chain.Select(CertificateReader.ToPem));
            var leafPem = CertificateReader.ToPem(leaf);
            if (chain is null && entry.ChainPem is null && current is null)
                warnings.Add($"No chain was imported for '{entry.Name}': Zscaler will send only the intermediate, so clients need its issuer installed. Pass -ChainPath (issuers up to the root) to send the chain as well.");

            var history = entry.History.ToList();
            if (entry.CertificatePem is not null && (entry.CertificatePem != leafPem || entry.ChainPem != chainPem))
            {
                history.Add(new IntermediateHistoryEntry
                {
                    CertificatePem = entry.CertificatePem,
                    ChainPem = entry.ChainPem,
                    ImportedUtc = entry.ImportedUtc ?? entry.CreatedUtc,
                    ReplacedUtc = now,
                    Thumbprint = current?.Thumbprint,
                    NotAfter = current is null ? null : new DateTimeOffset(current.NotAfter.ToUniversalTime()),
                });
                if (entry.IsDefault)
                    warnings.Add($"'{entry.Name}' is the default intermediate. In the Zscaler admin portal a certificate or chain can only be replaced on an intermediate that is not the default: make another intermediate (or Zscaler's own) the default before uploading the new bundle.");
            }

            var updated = entry with
            {
                CertificatePem = leafPem,
                ChainPem = chainPem,
                State = IntermediateState.CertReady,
                Subject = leaf.SubjectName.Name,
                ImportedUtc = now,
                ModifiedUtc = now,
                History = history,
            };
            if (updated.Status == IntermediateStatus.Enabled && !updated.IsDefault && !all.Any(e => e.IsDefault && e.Name != entry.Name))
            {
                updated = updated with { IsDefault = true };
                information.Add($"'{entry.Name}' is now the default intermediate: it is enabled and ready, and no other intermediate was the default.");
            }
            _vault.Update(Collections.Intermediate, entry.Name, updated);
            return new PkiResult<IntermediateCertificate>(ToObject(updated), warnings) { Information = information };
        }
    }

    private static void ValidateLeaf(IntermediateEntry entry, X509Certificate2 leaf, DateTimeOffset now, List<string> warnings)
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
