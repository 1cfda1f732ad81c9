using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Hsm;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Generates a root or intermediate enrollment (CA) certificate and keeps it in the vault, its key encrypted there or inside an HSM.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "EnrollmentCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Base + "New-EnrollmentCertificate.md")]
[OutputType(typeof(EnrollmentCertificate))]
public sealed class NewEnrollmentCertificateCommand : HsmKeyCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [AllowEmptyString]
    public string Name { get; set; } = string.Empty;

    [Parameter]
    public string? Description { get; set; }

    /// <summary>Root or Intermediate; default Intermediate when -Issuer is given, else Root.</summary>
    [Parameter]
    public CaType? Type { get; set; }

    /// <summary>
    /// The CA that signs the new one (its parent): a vault enrollment CA by name or object (pipeline), its certificate, or an
    /// outside CA's X509Certificate2 with its private key (e.g. Cert:\CurrentUser\My\THUMBPRINT). Omitted: a root.
    /// </summary>
    [Parameter(ValueFromPipeline = true)]
    [Alias("Parent")]
    [IssuerTransformation]
    [ArgumentCompleter(typeof(EnrollmentNameCompleter))]
    public IssuerArgument? Issuer { get; set; }

    [Parameter]
    public ClientCertificateType ClientCertificateType { get; set; } = ClientCertificateType.None;

    [Parameter]
    public string? Subject { get; set; }

    [Parameter]
    public KeyAlgorithm KeyAlgorithm { get; set; } = KeyAlgorithm.Rsa2048;

    /// <summary>Digest of the signature; by default the one matched to the signing key (SHA384 for P-384, SHA512 for P-521, else SHA256).</summary>
    [Parameter]
    public SignatureHash? HashAlgorithm { get; set; }

    /// <summary>The end of validity, as a date (instead of -ValidityDays); never after the issuer's.</summary>
    [Parameter]
    public DateTime? NotAfter { get; set; }

    /// <summary>Validity in days from now; default 7300 for a root, 1825 for an intermediate, never after the issuer's.</summary>
    [Parameter]
    [ValidateRange(1, 36500)]
    public int? ValidityDays { get; set; }

    [Parameter]
    [ValidateRange(0, 32)]
    public int? PathLength { get; set; }

    /// <summary>Opens the issuer's (parent's) key in the vault: its key password, or its HSM's PIN; default -KeyPassword.</summary>
    [Parameter]
    [Alias("ParentKeyPassword")]
    public SecureString? IssuerKeyPassword { get; set; }

    [Parameter]
    public string? CertStoreLocation { get; set; }

    /// <summary>CRL distribution point URL(s) the new CA embeds in every certificate it issues.</summary>
    [Parameter]
    [Alias("Cdp")]
    public string[]? CrlDistributionPoint { get; set; }

    /// <summary>AIA caIssuers URL(s), where the new CA's certificate is published, embedded in every certificate it issues.</summary>
    [Parameter]
    [Alias("Aia")]
    public string[]? AuthorityInfoAccess { get; set; }

    protected override bool CreatesVault => true;

    protected override void Process()
    {
        var parent = ResolveParent(Issuer);
        var type = Type ?? (parent is null ? CaType.Root : CaType.Intermediate);
        var store = CertStoreLocation is null ? null : Core.Certificates.CertStoreLocation.Parse(CertStoreLocation);
        if (!Confirm(Name, $"Create {type} enrollment CA certificate ({KeyAlgorithm}, {HashAlgorithm?.ToString() ?? "hash matched to the signing key"}) in vault '{Vault.Root}', its key {KeyLocation(Vault.Root)}"))
            return;

        // Asked for after -WhatIf and confirmation, before any key work; the issuer's key opens with it too unless
        // -IssuerKeyPassword is given.
        var secret = NewKeySecret(Name);
        var software = Protection == KeyProtectionType.Software;
        using var password = Reveal(software ? secret : null);
        using var pin = Reveal(software ? null : secret);
        using var parentPassword = Reveal(IssuerKeyPassword);
        var request = new NewEnrollmentRequest
        {
            Name = Name,
            Description = Description,
            Type = type,
            Parent = parent,
            ClientCertificateType = ClientCertificateType,
            Subject = Subject,
            KeyAlgorithm = KeyAlgorithm,
            HashAlgorithm = HashAlgorithm,
            NotAfter = ToInstant(NotAfter),
            ValidityDays = ValidityDays,
            PathLength = PathLength,
            KeyPassword = password.Memory,
            Protection = Protection,
            Hsm = HsmOptions(pin.Memory),
            ParentKeyPassword = IssuerKeyPassword is null ? (ReadOnlyMemory<char>?)null : parentPassword.Memory,
            CertStoreLocation = store,
            CrlDistributionPoints = CrlDistributionPoint,
            AuthorityInfoAccess = AuthorityInfoAccess,
        };

        const string activity = "New-EnrollmentCertificate";
        request = request with { OnKeyGeneration = () => Progress(1, activity, $"Generating {KeyAlgorithm} key {(software ? "and signing '" + Name + "' (the key is encrypted in the vault)" : "in the HSM and signing '" + Name + "'")}", 10) };
        var result = new EnrollmentService(Vault).Create(request);
        ProgressDone(1, activity);
        WriteResult(Deliver(result));
    }

    /// <summary>
    /// The parent from -Issuer: a vault CA (by name, object or its own certificate) signs from the vault; any other
    /// certificate must carry its private key (a store certificate, a PFX).
    /// </summary>
    private EnrollmentParent? ResolveParent(IssuerArgument? issuer)
    {
        if (issuer is null || (issuer.Identity is null && issuer.Certificate is null && string.IsNullOrWhiteSpace(issuer.ToString())))
            return null;
        var (identity, outside) = issuer.VaultOrOutside(Vault);
        if (outside is not null)
            return EnrollmentParent.FromCertificate(outside);
        // The parent of an enrollment CA is an enrollment CA: enrollment/Name is its identity, a bare name is looked up there.
        var (kind, name) = Core.Authority.CaDirectory.Parse(identity!);
        return EnrollmentParent.FromVault(kind == Core.Authority.CaKind.Enrollment ? name : identity!);
    }
}
