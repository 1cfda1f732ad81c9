using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Hsm;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Intermediate;

/// <summary>New-IntermediateCsr: the key pair and CSR of a new SSL-inspection intermediate, within the subscription's limits.</summary>
public sealed partial class IntermediateService
{
    // ---------------------------------------------------------------- New-IntermediateCsr

    /// <summary>Generates the RSA key (stored encrypted), the CSR and the public key; the entry starts in state CsrGenDone.</summary>
    public PkiResult<IntermediateCertificate> CreateCsr(NewIntermediateCsrRequest request)
    {
        var warnings = new List<string>();
        var now = request.Now ?? DateTimeOffset.UtcNow;
        VaultNames.Validate(request.Name);
        var hsm = request.Protection == KeyProtectionType.Hsm;
        if (hsm)
        {
            RequireHsmSubscription(request.Name);
            HsmKeyFactory.Validate(request.Hsm, request.Name);
        }
        else
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

        HsmKey? hsmKey = null;
        RSA key;
        // Every check passed: the slow part (key generation) starts; a caller may show progress from here on.
        request.OnKeyGeneration?.Invoke();
        if (hsm)
        {
            // The key pair is made inside the HSM (or is one the HSM's tools made); the vault keeps only its reference.
            hsmKey = _hsm.CreateOrOpen(request.Hsm!, request.Name, Keys.Rsa(request.KeySize));
            key = hsmKey.Key as RSA ?? throw NotRsa(hsmKey);
        }
        else
        {
            key = RSA.Create(request.KeySize);
        }
        using var _ = key;
        try
        {
            var csr = IntermediateCsr.Create(subject, key, request.SignatureAlgorithm, request.PathLength, request.CertificateTemplate);
            var csrPem = new string(PemEncoding.Write("CERTIFICATE REQUEST", csr)) + "\n";
            var publicKeyPem = key.ExportSubjectPublicKeyInfoPem() + "\n";
            var keyPem = hsm ? null : KeyProtection.Encrypt(key, request.KeyPassword.Span);

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
                KeySize = key.KeySize,
                SignatureAlgorithm = request.SignatureAlgorithm,
                PathLength = request.PathLength,
                CertificateTemplate = Blank(request.CertificateTemplate),
                CsrPem = csrPem,
                PublicKeyPem = publicKeyPem,
                HsmKey = hsmKey?.Pkcs11,
                KspKey = hsmKey?.Cng,
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
        catch (Exception ex)
        {
            // A key generated in an HSM for this intermediate outlives the process: a creation that failed destroys it again.
            hsmKey?.DiscardGenerated(ex);
            throw;
        }
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

    /// <summary>HSM-protected intermediates are part of the SoftwareAndHsm subscription (seed: Software or cloud HSM).</summary>
    private void RequireHsmSubscription(string name)
    {
        if (_vault.ReadSettings().Subscription != Subscription.SoftwareAndHsm)
            throw new PkiException(PkiErrorIds.HsmNotSubscribed, PkiErrorCategory.InvalidOperation,
                $"HSM-protected intermediates need the SoftwareAndHsm subscription; this vault records Software. Run Set-PkiVault -Subscription SoftwareAndHsm if your organization has it.", name);
    }

    private static PkiException NotRsa(HsmKey key)
    {
        var reference = key.Reference.Describe();
        key.Dispose();
        return new PkiException(PkiErrorIds.UnsupportedKey, PkiErrorCategory.InvalidArgument,
            $"The HSM key {reference} is not an RSA key; an SSL-inspection intermediate's key is RSA (2048, 3072 or 4096 bits).", reference);
    }
}
