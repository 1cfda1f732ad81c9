using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Authority;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Hsm;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Enrollment;

/// <summary>Enrollment (CA) certificates in a vault: create, list, remove, export.</summary>
public sealed class EnrollmentService
{
    public const int DefaultRootValidityDays = 3650;
    public const int DefaultIntermediateValidityDays = 1825;

    private readonly Vault _vault;
    private readonly HsmKeyFactory _hsm;
    private readonly VaultKeys _keys;

    public EnrollmentService(Vault vault)
        : this(vault, HsmKeyFactory.Production)
    {
    }

    /// <summary>A service whose HSM keys go through <paramref name="hsm"/> (tests pass one over a fake key storage provider).</summary>
    public EnrollmentService(Vault vault, HsmKeyFactory hsm)
    {
        _vault = vault;
        _hsm = hsm;
        _keys = new VaultKeys(hsm);
    }

    public Vault Vault => _vault;

    /// <summary>Generates a key, issues the CA certificate, and stores both (key encrypted) in the vault.</summary>
    /// <summary>The longest subject string accepted (the X.520 upper bounds of a handful of attributes sum to far less).</summary>
    public const int MaxSubjectLength = 4096;

    public PkiResult<EnrollmentCertificate> Create(NewEnrollmentRequest request)
    {
        var warnings = new List<string>();
        var now = request.Now ?? DateTimeOffset.UtcNow;
        VaultNames.Validate(request.Name);
        var hsm = request.Protection == KeyProtectionType.Hsm;
        if (hsm)
        {
            HsmKeyFactory.Validate(request.Hsm, request.Name);
            if (request.CertStoreLocation is not null)
                throw new PkiException(PkiErrorIds.HsmKeyNotExportable, PkiErrorCategory.InvalidArgument,
                    $"A key made in an HSM cannot be copied into the certificate store {request.CertStoreLocation}. Leave out the store location; the vault references the key where it is.", request.Name);
        }
        else
        {
            KeyProtection.RequirePassword(request.KeyPassword.Span, request.Name);
        }
        if (request.PathLength is < 0)
            throw new PkiException(PkiErrorIds.InvalidPathLength, PkiErrorCategory.InvalidArgument,
                $"The path length {request.PathLength} is negative. Pass 0 or more, or omit it for no constraint.", request.PathLength);
        if (request.NotAfter.HasValue && request.ValidityDays.HasValue)
            throw new PkiException(PkiErrorIds.ValidityConflict, PkiErrorCategory.InvalidArgument,
                "Both -NotAfter and -ValidityDays were given. Pass one of them.", request.Name);
        if (request.ValidityDays is <= 0)
            throw new PkiException(PkiErrorIds.InvalidValidity, PkiErrorCategory.InvalidArgument,
                $"-ValidityDays must be at least 1 (was {request.ValidityDays}).", request.ValidityDays);
        if (request.Type == CaType.Root && request.Parent is not null)
            throw new PkiException(PkiErrorIds.ParentNotAllowed, PkiErrorCategory.InvalidArgument,
                "A root CA signs itself and takes no -Parent. Use -Type Intermediate to create a CA under a parent.", request.Parent.ToString());
        if (request.Type == CaType.Intermediate && request.Parent is null)
            throw new PkiException(PkiErrorIds.ParentRequired, PkiErrorCategory.InvalidArgument,
                $"The intermediate CA '{request.Name}' needs a parent: pass -Parent with a vault name, an enrollment certificate, or a CA certificate with its private key.", request.Name);

        X500DistinguishedName subject;
        if (request.Subject is { Length: > MaxSubjectLength })
            throw new PkiException(PkiErrorIds.InvalidSubject, PkiErrorCategory.InvalidArgument,
                $"The subject is {request.Subject.Length:N0} characters long; a distinguished name here is at most {MaxSubjectLength:N0} (RFC 5280's upper bounds allow far less per attribute). Write it like 'CN=Contoso Enrollment CA, O=Contoso, C=US'.", request.Subject[..64] + "…");
        try
        {
            subject = new X500DistinguishedName(request.Subject ?? $"CN={request.Name}");
        }
        catch (CryptographicException ex)
        {
            throw new PkiException(PkiErrorIds.InvalidSubject, PkiErrorCategory.InvalidArgument,
                $"The subject '{request.Subject}' is not a distinguished name. Write it like 'CN=Contoso Enrollment CA, O=Contoso, C=US'.", request.Subject, ex);
        }
        if (subject.RawData.Length <= 2)
            throw new PkiException(PkiErrorIds.InvalidSubject, PkiErrorCategory.InvalidArgument,
                "The subject is empty. Pass a distinguished name such as 'CN=Contoso Enrollment CA'.", request.Subject);

        var ownCdps = CaUrls.Validate(request.CrlDistributionPoints, aia: false);
        var ownAia = CaUrls.Validate(request.AuthorityInfoAccess, aia: true);
        if (_vault.FindName(Collections.Enrollment, request.Name) is { } taken)
            throw new PkiException(PkiErrorIds.NameAlreadyExists, PkiErrorCategory.ResourceExists,
                $"An enrollment certificate named '{taken}' already exists (names are unique, ignoring case). Choose another name or remove the existing one first.", request.Name);

        var notAfter = request.NotAfter ?? now.AddDays(request.ValidityDays
            ?? (request.Type == CaType.Root ? DefaultRootValidityDays : DefaultIntermediateValidityDays));
        if (notAfter <= now)
            throw new PkiException(PkiErrorIds.InvalidValidity, PkiErrorCategory.InvalidArgument,
                $"-NotAfter {notAfter:u} is not in the future.", notAfter);

        // Resolve the parent's signing key first: a refused parent leaves no new key behind (in an HSM, keys outlive us).
        AsymmetricAlgorithm? key = null;
        AsymmetricAlgorithm? parentKey = null;
        HsmKey? hsmKey = null;
        X509Certificate2? parentCert = null;
        string? parentName = null;
        CertificateAuthority? parentCa = null;
        string? externalParentPem = null;
        IEnumerable<X509Extension> parentUrls = Array.Empty<X509Extension>();
        try
        {
            if (request.Parent is not null)
            {
                if (request.Parent.VaultName is { } pn)
                {
                    parentCa = new CaDirectory(_vault, _keys).Resolve(CaKind.Enrollment, pn);
                    parentName = parentCa.Name;
                    parentUrls = parentCa.IssuedCertificateExtensions().ToList();
                    parentCert = parentCa.Certificate;
                    CaCertificateBuilder.RequireUsableIssuer(parentCert, now, issuingCa: true, $"'{parentName}'");
                    var pw = request.ParentKeyPassword is { IsEmpty: false } parentPw ? parentPw : hsm ? request.Hsm!.Pin : request.KeyPassword;
                    parentKey = parentCa.OpenKey(_keys, pw.Span);
                }
                else
                {
                    parentCert = request.Parent.Certificate!;
                    var label = $"'{parentCert.Subject}' ({parentCert.Thumbprint})";
                    CaCertificateBuilder.RequireUsableIssuer(parentCert, now, issuingCa: true, label);
                    parentKey = Keys.PrivateKeyOf(parentCert) ?? throw new PkiException(PkiErrorIds.ParentHasNoPrivateKey, PkiErrorCategory.InvalidArgument,
                        $"The parent certificate {label} has no private key available to this session, so it cannot sign. Use the store certificate that holds its key (Cert:\\CurrentUser\\My), or import its PFX.", parentCert);
                    externalParentPem = parentCert.ExportCertificatePem() + "\n";
                }
                var parentLimit = CaCertificateBuilder.PathLengthOf(parentCert);
                if (parentLimit is { } limit && request.PathLength is { } wanted && wanted > limit - 1)
                    throw new PkiException(PkiErrorIds.PathLengthTooLarge, PkiErrorCategory.InvalidArgument,
                        $"The parent allows at most {limit - 1} CA level(s) below the new CA, so -PathLength {wanted} is too large. Pass -PathLength {limit - 1} or less.", wanted);
                if (notAfter > parentCert.NotAfter.ToUniversalTime())
                {
                    warnings.Add($"The requested end of validity {notAfter.UtcDateTime:u} is after the parent's ({parentCert.NotAfter.ToUniversalTime():u}); an intermediate never outlives its parent, so it ends with the parent.");
                    notAfter = parentCert.NotAfter.ToUniversalTime();
                }
            }

            // The new CA's key: generated here and encrypted into the vault, or made (or found) in an HSM and only referenced.
            hsmKey = hsm ? _hsm.CreateOrOpen(request.Hsm!, request.Name, request.KeyAlgorithm) : null;
            key = hsmKey?.Key ?? Keys.Generate(request.KeyAlgorithm);
            var keyAlgorithm = hsmKey?.Algorithm ?? request.KeyAlgorithm;
            var signer = new CaCertificateBuilder.Signer(parentCert, parentKey ?? key);

            var hash = request.HashAlgorithm ?? Keys.MatchingHash(parentKey ?? key);
            X509Certificate2 Sign(CaCertificateBuilder.Signer by) =>
                CaCertificateBuilder.Issue(subject, Keys.PublicKeyOf(key), by, hash, now - CaCertificateBuilder.Backdate, notAfter, request.PathLength, parentUrls);
            // Below a vault parent, the parent issues (signed, recorded in its database, then returned); a root signs itself,
            // and an external parent (a store certificate) has no database of ours.
            var certificate = parentCa is not null
                ? parentCa.Issue(parentKey!, Sign, IssuedProfiles.EnrollmentIntermediate, now)
                : Sign(signer);
            var keyPem = hsmKey is null ? KeyProtection.Encrypt(key, request.KeyPassword.Span) : null;
            var entry = new EnrollmentEntry
            {
                Name = request.Name,
                Description = request.Description,
                Type = request.Type,
                ClientCertificateType = request.ClientCertificateType,
                Status = EnrollmentStatus.Active,
                Parent = parentName,
                ExternalParentPem = externalParentPem,
                KeyAlgorithm = keyAlgorithm,
                CertificatePem = CertificateReader.ToPem(certificate),
                CreatedUtc = now,
                CrlDistributionPoints = ownCdps.Count > 0 ? ownCdps : null,
                AuthorityInfoAccess = ownAia.Count > 0 ? ownAia : null,
                HsmKey = hsmKey?.Pkcs11,
                KspKey = hsmKey?.Cng,
            };

            using (_vault.Lock())
            {
                _vault.Create(Collections.Enrollment, request.Name, entry, keyPem);
                if (request.ClientCertificateType == ClientCertificateType.AppProtection)
                {
                    foreach (var previous in _vault.ReadAll<EnrollmentEntry>(Collections.Enrollment))
                    {
                        if (previous.ClientCertificateType == ClientCertificateType.AppProtection && previous.Status == EnrollmentStatus.Active
                            && !string.Equals(previous.Name, request.Name, StringComparison.OrdinalIgnoreCase))
                        {
                            _vault.Update(Collections.Enrollment, previous.Name, previous with { Status = EnrollmentStatus.Replaced, ReplacedUtc = now, ReplacedBy = request.Name });
                            warnings.Add($"The AppProtection CA '{previous.Name}' was replaced by '{request.Name}'; it stays in the vault with status Replaced.");
                        }
                    }
                }
            }

            if (request.CertStoreLocation is { } store)
                store.AddWithPrivateKey(Keys.WithKey(certificate, key));

            return new PkiResult<EnrollmentCertificate>(ToObject(entry), warnings);
        }
        catch (Exception ex)
        {
            // A key generated in an HSM for this CA outlives the process: a creation that failed destroys it again.
            hsmKey?.DiscardGenerated(ex);
            throw;
        }
        finally
        {
            parentKey?.Dispose();
            key?.Dispose();
        }
    }

    /// <summary>Entries matching the filters (name wildcards, type, client certificate type), ordered by name.</summary>
    public IReadOnlyList<EnrollmentCertificate> Get(string? name = null, CaType? type = null, ClientCertificateType? clientType = null)
    {
        var pattern = string.IsNullOrEmpty(name) ? null : new Wildcard(name);
        return Normalize(_vault.ReadAllHealthy<EnrollmentEntry>(Collections.Enrollment, e => ToObject(e)))
            .Where(e => pattern is null || pattern.IsMatch(e.Name))
            .Where(e => type is null || e.Type == type)
            .Where(e => clientType is null || e.ClientCertificateType == clientType)
            .Select(ToObject)
            .ToList();
    }

    /// <summary>One entry by exact name (ignoring case); <c>NotFound</c> when missing.</summary>
    public EnrollmentCertificate GetOne(string name)
    {
        var entry = _vault.TryRead<EnrollmentEntry>(Collections.Enrollment, name) ?? throw Vault.NotFound(Collections.Enrollment, name);
        return Get(entry.Name).FirstOrDefault(e => e.Name == entry.Name)
            ?? _vault.Convert(Collections.Enrollment, entry.Name, entry, ToObject);
    }

    /// <summary>Names of the CAs issued by <paramref name="name"/>.</summary>
    public IReadOnlyList<string> Children(string name) =>
        _vault.ReadAll<EnrollmentEntry>(Collections.Enrollment)
            .Where(e => string.Equals(e.Parent, name, StringComparison.OrdinalIgnoreCase))
            .Select(e => e.Name)
            .ToList();

    /// <summary>
    /// Removes an entry; a CA with children in the vault is refused unless <paramref name="force"/>. A key in an HSM is not
    /// deleted with it (a warning says where it stays): deleting HSM keys is the HSM administrator's decision.
    /// </summary>
    public PkiResult<string> Remove(string name, bool force)
    {
        var warnings = new List<string>();
        using (_vault.Lock())
        {
            var entry = _vault.TryRead<EnrollmentEntry>(Collections.Enrollment, name) ?? throw Vault.NotFound(Collections.Enrollment, name);
            var children = Children(entry.Name);
            if (children.Count > 0 && !force)
                throw new PkiException(PkiErrorIds.HasChildren, PkiErrorCategory.InvalidOperation,
                    $"'{entry.Name}' has issued {string.Join(", ", children.Select(c => $"'{c}'"))}. Remove those first, or pass -Force to remove '{entry.Name}' anyway (their certificates stay valid but its key is gone).", entry.Name);
            _vault.Delete(Collections.Enrollment, entry.Name);
            if (entry.HsmReference is { } hsm)
                warnings.Add(VaultKeys.KeptInHsm(entry.Name, hsm));
            return new PkiResult<string>(entry.Name, warnings);
        }
    }

    /// <summary>The certificate and its issuers up to the root, leaf first.</summary>
    public IReadOnlyList<X509Certificate2> Chain(string name) =>
        EnrollmentCaKind.ChainOf(_vault, _vault.TryRead<EnrollmentEntry>(Collections.Enrollment, name) ?? throw Vault.NotFound(Collections.Enrollment, name));

    /// <summary>
    /// The certificate with its software private key (for callers that want a certificate with a key, such as TLS).
    /// An HSM key cannot be copied into a certificate (on Linux the copy imports its private parameters): use <see cref="OpenKey"/>.
    /// </summary>
    public X509Certificate2 OpenWithKey(string name, ReadOnlySpan<char> keyPassword)
    {
        var entry = _vault.TryRead<EnrollmentEntry>(Collections.Enrollment, name) ?? throw Vault.NotFound(Collections.Enrollment, name);
        using var key = OpenKey(entry.Name, keyPassword);
        return Keys.WithKey(Load(entry), key);
    }

    /// <summary>
    /// The CA's private key opened from the vault or its HSM (for signing). Not copied into a certificate: on Linux that copy
    /// imports the private parameters, which an HSM key never gives out.
    /// </summary>
    public AsymmetricAlgorithm OpenKey(string name, ReadOnlySpan<char> keyPassword)
    {
        var entry = _vault.TryRead<EnrollmentEntry>(Collections.Enrollment, name) ?? throw Vault.NotFound(Collections.Enrollment, name);
        return _keys.Open(_vault, Collections.Enrollment, entry.Name, entry.HsmReference, Load(entry).PublicKey, keyPassword);
    }

    /// <summary>The export's bytes in the requested format.</summary>
    public byte[] Export(ExportEnrollmentRequest request)
    {
        var entry = _vault.TryRead<EnrollmentEntry>(Collections.Enrollment, request.Name) ?? throw Vault.NotFound(Collections.Enrollment, request.Name);
        if (request.IncludePrivateKey)
        {
            VaultKeys.RefuseExport(entry.HsmReference, entry.Name, "an export with the private key");
            if (request.KeyPassword.IsEmpty)
                throw new PkiException(PkiErrorIds.KeyPasswordRequired, PkiErrorCategory.InvalidArgument,
                    "Exporting the private key needs its key password (-KeyPassword) to open it in the vault.", entry.Name);
            if (request.Password.IsEmpty)
                throw new PkiException(PkiErrorIds.ExportPasswordRequired, PkiErrorCategory.InvalidArgument,
                    "-IncludePrivateKey needs -Password: an exported private key is always encrypted.", entry.Name);
        }
        var certs = request.IncludeChain ? Chain(entry.Name) : new[] { Load(entry) };

        switch (request.Format)
        {
            case ExportFormat.Der:
                if (certs.Count > 1 || request.IncludePrivateKey)
                    throw new PkiException(PkiErrorIds.FormatCannotHoldChain, PkiErrorCategory.InvalidArgument,
                        "DER holds exactly one certificate and no key. Use -Format Pem or Pfx for -IncludeChain or -IncludePrivateKey.", entry.Name);
                return certs[0].RawData;

            case ExportFormat.Pem:
            {
                var sb = new StringBuilder();
                foreach (var c in certs)
                    sb.Append(CertificateReader.ToPem(c));
                if (request.IncludePrivateKey)
                {
                    using var key = _keys.Open(_vault, Collections.Enrollment, entry.Name, entry.HsmReference, certs[0].PublicKey, request.KeyPassword.Span);
                    sb.Append(KeyProtection.Encrypt(key, request.Password.Span)).Append('\n');
                }
                return Encoding.ASCII.GetBytes(sb.ToString());
            }

            case ExportFormat.Pfx:
            {
                if (request.Password.IsEmpty)
                    throw new PkiException(PkiErrorIds.ExportPasswordRequired, PkiErrorCategory.InvalidArgument,
                        "A PFX export needs -Password.", entry.Name);
                if (!request.IncludePrivateKey)
                    return PfxWriter.Write(certs, null, request.Password.Span, request.LegacyPfx);
                using (var key = _keys.Open(_vault, Collections.Enrollment, entry.Name, entry.HsmReference, certs[0].PublicKey, request.KeyPassword.Span))
                    return PfxWriter.Write(certs, key, request.Password.Span, request.LegacyPfx);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(request), request.Format, null);
        }
    }

    private EnrollmentCertificate ToObject(EnrollmentEntry entry) => new(entry, Load(entry), _vault.Root);

    private static X509Certificate2 Load(EnrollmentEntry entry) =>
        CertificateReader.ReadSingle(Encoding.ASCII.GetBytes(entry.CertificatePem), $"vault entry '{entry.Name}'");

    /// <summary>
    /// Only one AppProtection CA is active: if a process died between adding a new one and marking the old one replaced,
    /// the newest wins here and the next write repairs the files.
    /// </summary>
    private static IEnumerable<EnrollmentEntry> Normalize(IReadOnlyList<EnrollmentEntry> entries)
    {
        var newestAppProtection = entries
            .Where(e => e.ClientCertificateType == ClientCertificateType.AppProtection && e.Status == EnrollmentStatus.Active)
            .OrderByDescending(e => e.CreatedUtc)
            .FirstOrDefault();
        foreach (var e in entries)
        {
            if (e.ClientCertificateType == ClientCertificateType.AppProtection && e.Status == EnrollmentStatus.Active && !ReferenceEquals(e, newestAppProtection))
                yield return e with { Status = EnrollmentStatus.Replaced, ReplacedBy = newestAppProtection!.Name };
            else
                yield return e;
        }
    }
}
