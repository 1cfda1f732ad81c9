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
                leaf = SignedIntermediateValidator.SelectCertificate(Target(entry, csrKey), request.Certificates, source);
                extra.AddRange(request.Certificates.Where(c => !c.RawData.AsSpan().SequenceEqual(leaf.RawData)));
                try
                {
                    SignedIntermediateValidator.ValidateLeaf(Target(entry, csrKey), leaf, now, warnings);
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

    private static SignedIntermediateTarget Target(IntermediateEntry entry, PublicKey csrKey) => new()
    {
        Name = entry.Name,
        CommonName = entry.CommonName,
        PathLength = entry.PathLength,
        PublicKey = csrKey,
        State = entry.State.ToString(),
        CsrLocation = entry.CsrPath,
    };
}
