using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
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

    /// <summary>Root or Intermediate; default Intermediate when -Parent is given, else Root.</summary>
    [Parameter]
    public CaType? Type { get; set; }

    /// <summary>A vault name, an enrollment certificate (pipeline), or an X509Certificate2 with its private key.</summary>
    [Parameter(ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(EnrollmentNameCompleter))]
    public object? Parent { get; set; }

    [Parameter]
    public ClientCertificateType ClientCertificateType { get; set; } = ClientCertificateType.None;

    [Parameter]
    public string? Subject { get; set; }

    [Parameter]
    public KeyAlgorithm KeyAlgorithm { get; set; } = KeyAlgorithm.Rsa2048;

    /// <summary>Digest of the signature; by default the one matched to the signing key (SHA384 for P-384, SHA512 for P-521, else SHA256).</summary>
    [Parameter]
    public SignatureHash? HashAlgorithm { get; set; }

    [Parameter]
    public DateTime? NotAfter { get; set; }

    [Parameter]
    [ValidateRange(1, 36500)]
    public int? ValidityDays { get; set; }

    [Parameter]
    [ValidateRange(0, 32)]
    public int? PathLength { get; set; }

    /// <summary>Encrypts the new key in the vault (Software protection; required then).</summary>
    [Parameter]
    public SecureString? KeyPassword { get; set; }

    /// <summary>Opens the parent's key: its key password, or its HSM's PIN; default -KeyPassword (or -Pin for an HSM-protected new CA).</summary>
    [Parameter]
    public SecureString? ParentKeyPassword { get; set; }

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

    protected override void Process()
    {
        var parent = ResolveParent(Parent);
        var type = Type ?? (parent is null ? CaType.Root : CaType.Intermediate);
        var store = CertStoreLocation is null ? null : Core.Certificates.CertStoreLocation.Parse(CertStoreLocation);
        if (!Confirm(Name, $"Create {type} enrollment CA certificate ({KeyAlgorithm}, {HashAlgorithm?.ToString() ?? "hash matched to the signing key"}) in vault '{Vault.Root}', its key {KeyLocation(Vault.Root)}"))
            return;

        using var password = Reveal(KeyPassword);
        using var pin = Reveal(Pin);
        using var parentPassword = Reveal(ParentKeyPassword);
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
            ParentKeyPassword = ParentKeyPassword is null ? (ReadOnlyMemory<char>?)null : parentPassword.Memory,
            CertStoreLocation = store,
            CrlDistributionPoints = CrlDistributionPoint,
            AuthorityInfoAccess = AuthorityInfoAccess,
        };

        const string activity = "New-EnrollmentCertificate";
        Progress(1, activity, $"Generating {KeyAlgorithm} key, signing and encrypting '{Name}'", 10);
        var result = new EnrollmentService(Vault).Create(request);
        ProgressDone(1, activity);
        WriteResult(Deliver(result));
    }

    /// <summary>-Parent 'Cert:\CurrentUser\My\THUMBPRINT': the one CA certificate at that store path.</summary>
    private static EnrollmentParent FromStore(string path)
    {
        var found = CertificateInput.FromStore(path);
        if (found.Count != 1)
            throw new PkiException(PkiErrorIds.InvalidParent, PkiErrorCategory.InvalidArgument,
                $"-Parent '{path}' names {found.Count} certificates. Name one by its thumbprint, like Cert:\\CurrentUser\\My\\<thumbprint>.", path);
        return EnrollmentParent.FromCertificate(found[0]);
    }

    private static EnrollmentParent? ResolveParent(object? value)
    {
        value = CertificateInput.Unwrap(value);
        return value switch
        {
            null => null,
            string s when string.IsNullOrWhiteSpace(s) => null,
            string s when Core.Certificates.CertStoreLocation.LooksLikeStorePath(s) => FromStore(s),
            string s => EnrollmentParent.FromVault(s.Trim()),
            EnrollmentCertificate e => EnrollmentParent.FromVault(e.Name),
            X509Certificate2 c => EnrollmentParent.FromCertificate(c),
            _ => throw new PkiException(PkiErrorIds.InvalidParent, PkiErrorCategory.InvalidArgument,
                $"-Parent takes a vault name, an enrollment certificate, or an X509Certificate2 with its private key, not a {value.GetType().Name}.", value),
        };
    }
}
