using System.Management.Automation;
using System.Security;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Hsm;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Exports an enrollment certificate (with its chain by default, optionally with its private key) as PEM, DER or PFX.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "EnrollmentCertificate", SupportsShouldProcess = true, DefaultParameterSetName = ToTextSet, HelpUri = HelpLinks.Base + "Export-EnrollmentCertificate.md")]
[OutputType(typeof(string), ParameterSetName = new[] { ToTextSet })]
[OutputType(typeof(FileInfo), ParameterSetName = new[] { PathSet, LiteralPathSet })]
public sealed class ExportEnrollmentCertificateCommand : ExportCmdlet
{
    private SecureString? _keyPassword;
    private SecureString? _password;

    /// <summary>Name of the enrollment CA (also by property name from the pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EnrollmentNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>Accepted for scripts written before the chain became the default; the chain is included unless -ExcludeChain.</summary>
    [Parameter(DontShow = true)]
    public SwitchParameter IncludeChain { get; set; }

    /// <summary>Include the private key (PEM: encrypted PKCS#8 after the certificates; PFX). A key in an HSM never leaves it.</summary>
    [Parameter]
    public SwitchParameter IncludePrivateKey { get; set; }

    /// <summary>Protects the written file: encrypts the exported key, or the PFX. Prompted for when needed and not given.</summary>
    [Parameter]
    public SecureString? Password { get; set; }

    /// <summary>Opens the CA's key in the vault (with -IncludePrivateKey); prompted for when not given.</summary>
    [Parameter]
    public SecureString? KeyPassword { get; set; }

    /// <summary>With -Format Pfx: 3DES and a SHA-1 MAC for importers that predate AES in PKCS#12 (Windows Server 2016 and older).</summary>
    [Parameter]
    public SwitchParameter Legacy { get; set; }

    protected override string ItemLabel => $"'{Name}'";

    protected override bool IncludesPrivateKey => IncludePrivateKey.IsPresent;

    protected override void Validate()
    {
        if (IncludeChain.IsPresent && ExcludeChain.IsPresent)
            throw new PkiException(PkiErrorIds.FormatCannotHoldChain, PkiErrorCategory.InvalidArgument,
                "-IncludeChain and -ExcludeChain contradict each other. The chain is included by default; pass -ExcludeChain for the certificate alone.", Name);
        if (IncludeChain.IsPresent && Format == ExportFormat.Der)
            throw new PkiException(PkiErrorIds.FormatCannotHoldChain, PkiErrorCategory.InvalidArgument,
                "DER holds exactly one certificate, so -IncludeChain cannot be met. Use -Format Pem or Pfx for the chain.", Name);
        // A key in an HSM is never exported: the engine says so; nothing is asked for first.
        if (IncludePrivateKey.IsPresent && new EnrollmentService(Vault).GetOne(Name).ProtectionType != KeyProtectionType.Hsm)
        {
            _keyPassword ??= RequireSecret(KeyPassword, nameof(KeyPassword), $"The key password of '{Name}'", Name);
            _password ??= RequireSecret(Password, nameof(Password), "A password to protect the exported key", Name, PkiErrorIds.ExportPasswordRequired);
        }
        else if (Format == ExportFormat.Pfx)
        {
            _password ??= RequireSecret(Password, nameof(Password), "A password to protect the PFX file", Name, PkiErrorIds.ExportPasswordRequired);
        }
    }

    protected override byte[] ExportItem()
    {
        using var keyPassword = Reveal(_keyPassword ?? KeyPassword);
        using var password = Reveal(_password ?? Password);
        return new EnrollmentService(Vault).Export(new ExportEnrollmentRequest
        {
            Name = Name,
            Format = Format,
            IncludeChain = ChainIncluded,
            IncludePrivateKey = IncludePrivateKey.IsPresent,
            KeyPassword = keyPassword.Memory,
            Password = password.Memory,
            LegacyPfx = Legacy.IsPresent,
        });
    }
}
