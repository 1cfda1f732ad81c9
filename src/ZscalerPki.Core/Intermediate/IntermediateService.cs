using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Intermediate;

/// <summary>
/// SSL-inspection intermediate CAs in a vault: key and CSR, import of the signed certificate (validated), status, default,
/// the subscription's limits, export of the upload bundle. Every change runs under the vault lock and re-reads the vault,
/// so the limits hold across concurrent sessions; a failed check leaves the entry as it was.
/// </summary>
public sealed class IntermediateService
{
    public const string DefaultRegion = "Global";

    private readonly Vault _vault;

    public IntermediateService(Vault vault) => _vault = vault;

    public Vault Vault => _vault;

    public IntermediateLimits Limits => IntermediateLimits.For(_vault.ReadSettings().Subscription);

    // ---------------------------------------------------------------- New-IntermediateCsr

    /// <summary>Generates the RSA key (stored encrypted), the CSR and the public key; the entry starts in state CsrGenDone.</summary>
    public PkiResult<IntermediateCertificate> CreateCsr(NewIntermediateCsrRequest request)
    {
        var warnings = new List<string>();
        var now = request.Now ?? DateTimeOffset.UtcNow;
        VaultNames.Validate(request.Name);
        KeyProtection.RequirePassword(request.KeyPassword.Span, request.Name);
        if (request.KeySize is not (2048 or 3072 or 4096))
            throw new PkiException(PkiErrorIds.InvalidKeySize, PkiErrorCategory.InvalidArgument,
                $"-KeySize {request.KeySize} is not offered. Pass 2048 (default), 3072 or 4096.", request.KeySize);
        if (request.PathLength is not (0 or 1))
            throw new PkiException(PkiErrorIds.InvalidPathLength, PkiErrorCategory.InvalidArgument,
                $"-PathLength {request.PathLength} is not allowed for an SSL-inspection intermediate. Pass 0 (default) or 1.", request.PathLength);
        var region = string.IsNullOrWhiteSpace(request.Region) ? DefaultRegion : request.Region.Trim();
        var subject = IntermediateCsr.BuildSubject(request.CommonName, request.Organization, request.Department, request.City, request.State, request.Country);

        // Fail fast before the (slow) key work; checked again under the lock.
        CheckCreateLimits(_vault.ReadAll<IntermediateEntry>(Collections.Intermediate), request.Name, request.Status);

        using var key = RSA.Create(request.KeySize);
        var csr = IntermediateCsr.Create(subject, key, request.SignatureAlgorithm, request.PathLength, request.CertificateTemplate);
        var csrPem = new string(PemEncoding.Write("CERTIFICATE REQUEST", csr)) + "\n";
        var publicKeyPem = key.ExportSubjectPublicKeyInfoPem() + "\n";
        var keyPem = KeyProtection.Encrypt(key, request.KeyPassword.Span);

        var entry = new IntermediateEntry
        {
            Name = request.Name,
            Description = request.Description,
            Region = region,
            Status = request.Status,
            IsDefault = false,
            State = IntermediateState.CsrGenDone,
            CommonName = request.CommonName.Trim(),
            Organization = Blank(request.Organization),
            Department = Blank(request.Department),
            City = Blank(request.City),
            StateOrProvince = Blank(request.State),
            Country = string.IsNullOrWhiteSpace(request.Country) ? null : request.Country.Trim().ToUpperInvariant(),
            Subject = subject.Name,
            KeySize = request.KeySize,
            SignatureAlgorithm = request.SignatureAlgorithm,
            PathLength = request.PathLength,
            CertificateTemplate = Blank(request.CertificateTemplate),
            CsrPem = csrPem,
            PublicKeyPem = publicKeyPem,
            CsrPath = request.CsrPath,
            PublicKeyPath = request.PublicKeyPath,
            CreatedUtc = now,
            ModifiedUtc = now,
        };
        using (_vault.Lock())
        {
            CheckCreateLimits(_vault.ReadAll<IntermediateEntry>(Collections.Intermediate), request.Name, request.Status);
            _vault.Create(Collections.Intermediate, request.Name, entry, keyPem);
        }
        return new PkiResult<IntermediateCertificate>(ToObject(entry), warnings);
    }

    private void CheckCreateLimits(IReadOnlyList<IntermediateEntry> all, string name, IntermediateStatus status)
    {
        if (all.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)) is { } taken)
            throw new PkiException(PkiErrorIds.NameAlreadyExists, PkiErrorCategory.ResourceExists,
                $"An intermediate certificate named '{taken.Name}' already exists (names are unique, ignoring case). Choose another name, or import a new certificate for it with Import-SignedIntermediate.", name);
        var settings = _vault.ReadSettings();
        var limits = IntermediateLimits.For(settings.Subscription);
        if (all.Count >= limits.MaxIntermediates)
            throw new PkiException(PkiErrorIds.IntermediateLimitExceeded, PkiErrorCategory.LimitsExceeded,
                $"The {settings.Subscription} subscription allows at most {limits.MaxIntermediates} intermediate certificates and the vault already holds {all.Count} ({List(all.Select(e => e.Name))}). Remove one with Remove-IntermediateCertificate{(settings.Subscription == Subscription.Software ? ", or record a software-and-cloud-HSM subscription with Set-PkiVault -Subscription SoftwareAndHsm" : string.Empty)}.", name);
        if (status == IntermediateStatus.Enabled)
            CheckEnabledLimit(all, name, settings.Subscription, limits, "create it with -Status Disabled");
    }

    private static void CheckEnabledLimit(IReadOnlyList<IntermediateEntry> all, string name, Subscription subscription, IntermediateLimits limits, string alternative)
    {
        var enabled = all.Where(e => e.Status == IntermediateStatus.Enabled && !string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            .Select(e => e.Name).ToList();
        if (enabled.Count >= limits.MaxEnabled)
            throw new PkiException(PkiErrorIds.EnabledLimitExceeded, PkiErrorCategory.LimitsExceeded,
                $"The {subscription} subscription allows at most {limits.MaxEnabled} enabled intermediate certificate(s) and {List(enabled)} {(enabled.Count == 1 ? "is" : "are")} enabled. Disable one first (Set-IntermediateCertificate -Name {enabled[0]} -Enabled:$false), or {alternative}.", name);
    }

    // ---------------------------------------------------------------- Import-SignedIntermediate

    /// <summary>
    /// Validates the signed certificate (and chain) against the entry's CSR and stores it; the entry becomes CertReady.
    /// For a ready entry this replaces the certificate and/or the chain (same key) and keeps the old one in the history.
    /// </summary>
    public PkiResult<IntermediateCertificate> Import(ImportSignedIntermediateRequest request)
    {
        var warnings = new List<string>();
        var now = request.Now ?? DateTimeOffset.UtcNow;
        using (_vault.Lock())
        {
            var all = _vault.ReadAll<IntermediateEntry>(Collections.Intermediate);
            var entry = Find(all, request.Name);
            var source = request.Source ?? "the given certificate";
            var csrKey = PublicKey.CreateFromSubjectPublicKeyInfo(PemToDer(entry.PublicKeyPem), out _);
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
                ValidateLeaf(entry, leaf, now, warnings);
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
                warnings.Add($"'{entry.Name}' is now the default intermediate: it is enabled and ready, and no other intermediate was the default.");
            }
            _vault.Update(Collections.Intermediate, entry.Name, updated);
            return new PkiResult<IntermediateCertificate>(ToObject(updated), warnings);
        }
    }

    private static void ValidateLeaf(IntermediateEntry entry, X509Certificate2 leaf, DateTimeOffset now, List<string> warnings)
    {
        var unchanged = $"'{entry.Name}' is unchanged (state {entry.State}).";
        var label = CertificateChecks.Describe(leaf);

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

    // ---------------------------------------------------------------- Get / Set / Remove / Export

    /// <summary>Entries matching the name wildcard and filters, ordered by name.</summary>
    public IReadOnlyList<IntermediateCertificate> Get(string? name = null, IntermediateState? state = null, IntermediateStatus? status = null)
    {
        var pattern = string.IsNullOrEmpty(name) ? null : new Wildcard(name);
        return _vault.ReadAllHealthy<IntermediateEntry>(Collections.Intermediate, e => ToObject(e))
            .Where(e => pattern is null || pattern.IsMatch(e.Name))
            .Where(e => state is null || e.State == state)
            .Where(e => status is null || e.Status == status)
            .Select(ToObject)
            .ToList();
    }

    /// <summary>One entry by exact name (ignoring case); <c>NotFound</c> when missing.</summary>
    public IntermediateCertificate GetOne(string name)
    {
        var entry = Read(name);
        return _vault.Convert(Collections.Intermediate, entry.Name, entry, ToObject);
    }

    /// <summary>
    /// Changes status, default and description under the rules: enabling respects the subscription's limit; the default
    /// must be enabled and ready, and at most one is; disabling the default clears it; an intermediate that becomes enabled
    /// and ready when there is no default becomes the default.
    /// </summary>
    public PkiResult<IntermediateCertificate> Set(SetIntermediateRequest request)
    {
        var warnings = new List<string>();
        var now = request.Now ?? DateTimeOffset.UtcNow;
        using (_vault.Lock())
        {
            var all = _vault.ReadAll<IntermediateEntry>(Collections.Intermediate);
            var entry = Find(all, request.Name);
            var others = all.Where(e => e.Name != entry.Name).ToList();
            var wasEnabled = entry.Status == IntermediateStatus.Enabled;
            var enabled = request.Enabled ?? wasEnabled;
            var ready = entry.State == IntermediateState.CertReady;

            if (enabled && !wasEnabled)
            {
                var settings = _vault.ReadSettings();
                CheckEnabledLimit(all, entry.Name, settings.Subscription, IntermediateLimits.For(settings.Subscription), "keep this one disabled");
            }

            var isDefault = entry.IsDefault;
            var clearOthers = false;
            if (request.Default == true)
            {
                if (!enabled)
                    throw new PkiException(PkiErrorIds.DefaultRequiresEnabled, PkiErrorCategory.InvalidOperation,
                        $"'{entry.Name}' is disabled and a default intermediate must be enabled. Pass -Enabled together with -Default, or enable it first.", entry.Name);
                if (!ready)
                    throw new PkiException(PkiErrorIds.DefaultRequiresReady, PkiErrorCategory.InvalidOperation,
                        $"'{entry.Name}' has no validated certificate yet (state {entry.State}) and a default intermediate must be ready. Sign its CSR and run Import-SignedIntermediate first.", entry.Name);
                isDefault = true;
                clearOthers = true;
            }
            else if (request.Default == false && entry.IsDefault)
            {
                isDefault = false;
                warnings.Add($"'{entry.Name}' is no longer the default intermediate; no custom intermediate is the default now, so Zscaler's own intermediate certificate is. Make another one the default with Set-IntermediateCertificate -Default.");
            }

            if (!enabled && isDefault)
            {
                isDefault = false;
                warnings.Add($"'{entry.Name}' was the default intermediate; disabling it cleared the default, so Zscaler's own intermediate certificate is the default now. Make another enabled, ready intermediate the default with Set-IntermediateCertificate -Default.");
            }

            if (request.Default is null && enabled && !wasEnabled && ready && !isDefault && !others.Any(e => e.IsDefault))
            {
                isDefault = true;
                warnings.Add($"'{entry.Name}' is now the default intermediate: it is enabled and ready, and no other intermediate was the default.");
            }

            if (clearOthers)
            {
                foreach (var previous in others.Where(e => e.IsDefault))
                {
                    _vault.Update(Collections.Intermediate, previous.Name, previous with { IsDefault = false, ModifiedUtc = now });
                    warnings.Add($"'{previous.Name}' is no longer the default intermediate; '{entry.Name}' is.");
                }
            }

            var updated = entry with
            {
                Status = enabled ? IntermediateStatus.Enabled : IntermediateStatus.Disabled,
                IsDefault = isDefault,
                Description = request.Description ?? entry.Description,
                ModifiedUtc = now,
            };
            _vault.Update(Collections.Intermediate, entry.Name, updated);
            return new PkiResult<IntermediateCertificate>(ToObject(updated), warnings);
        }
    }

    /// <summary>Removes an entry and its key; removing the default clears the default (warning).</summary>
    public IReadOnlyList<string> Remove(string name)
    {
        var warnings = new List<string>();
        using (_vault.Lock())
        {
            var entry = Read(name);
            _vault.Delete(Collections.Intermediate, entry.Name);
            if (entry.IsDefault)
                warnings.Add($"'{entry.Name}' was the default intermediate; no custom intermediate is the default now, so Zscaler's own intermediate certificate is. Make another enabled, ready intermediate the default with Set-IntermediateCertificate -Default.");
        }
        return warnings;
    }

    /// <summary>The upload bundle: the certificate, then its chain up to the root (PEM).</summary>
    public string ExportBundle(string name, bool includeChain = true)
    {
        var entry = Read(name);
        if (entry.State != IntermediateState.CertReady || entry.CertificatePem is null)
            throw new PkiException(PkiErrorIds.IntermediateNotReady, PkiErrorCategory.InvalidOperation,
                $"'{entry.Name}' has no signed certificate yet (state {entry.State}). Have its CSR signed (Submit-CertificateRequest, or your CA) and run Import-SignedIntermediate first.", entry.Name);
        return includeChain ? entry.CertificatePem + (entry.ChainPem ?? string.Empty) : entry.CertificatePem;
    }

    private static IntermediateEntry Find(IReadOnlyList<IntermediateEntry> all, string name) =>
        all.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw Vault.NotFound(Collections.Intermediate, name);

    private IntermediateEntry Read(string name) =>
        _vault.TryRead<IntermediateEntry>(Collections.Intermediate, name) ?? throw Vault.NotFound(Collections.Intermediate, name);

    private IntermediateCertificate ToObject(IntermediateEntry entry) => new(entry, _vault.Root);

    private static byte[] PemToDer(string pem)
    {
        var fields = PemEncoding.Find(pem);
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static string List(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
