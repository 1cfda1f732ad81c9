using System.Management.Automation;
using System.Security;
using System.Text;
using ZscalerPki.Core;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Exports an enrollment certificate (optionally with its chain and private key) as PEM, DER or PFX.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "EnrollmentCertificate", SupportsShouldProcess = true, DefaultParameterSetName = ToTextSet, HelpUri = HelpLinks.Base + "Export-EnrollmentCertificate.md")]
[OutputType(typeof(string), ParameterSetName = new[] { ToTextSet })]
[OutputType(typeof(FileInfo), ParameterSetName = new[] { PathSet, LiteralPathSet })]
public sealed class ExportEnrollmentCertificateCommand : ZscalerPkiCmdlet
{
    private const string ToTextSet = "ToText";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EnrollmentNameCompleter))]
    public string Name { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    public string Path { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    public string LiteralPath { get; set; } = string.Empty;

    [Parameter]
    public ExportFormat Format { get; set; } = ExportFormat.Pem;

    /// <summary>Append the issuers up to the root, leaf first.</summary>
    [Parameter]
    public SwitchParameter IncludeChain { get; set; }

    [Parameter]
    public SwitchParameter IncludePrivateKey { get; set; }

    /// <summary>Encrypts the exported key or PFX.</summary>
    [Parameter]
    public SecureString? Password { get; set; }

    /// <summary>Opens the key in the vault (with -IncludePrivateKey).</summary>
    [Parameter]
    public SecureString? KeyPassword { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter PassThru { get; set; }

    /// <summary>With -Format Pfx: 3DES and a SHA-1 MAC for importers that predate AES in PKCS#12 (Windows Server 2016 and older).</summary>
    [Parameter]
    public SwitchParameter Legacy { get; set; }

    protected override void Process()
    {
        var toText = ParameterSetName == ToTextSet;
        if (toText && Format != ExportFormat.Pem)
            throw new PkiException(PkiErrorIds.PathRequired, PkiErrorCategory.InvalidArgument,
                $"-Format {Format} is binary: pass -Path to write it to a file (only PEM is written to the pipeline).", Name);
        using var keyPassword = Reveal(KeyPassword);
        using var password = Reveal(Password);
        var request = new ExportEnrollmentRequest
        {
            Name = Name,
            Format = Format,
            IncludeChain = IncludeChain.IsPresent,
            IncludePrivateKey = IncludePrivateKey.IsPresent,
            KeyPassword = keyPassword.Memory,
            Password = password.Memory,
            LegacyPfx = Legacy.IsPresent,
        };
        var service = new EnrollmentService(Vault);

        if (toText)
        {
            WriteResult(Encoding.ASCII.GetString(service.Export(request)));
            return;
        }

        ExportToFile(ParameterSetName == LiteralPathSet ? LiteralPath : Path,
            $"Export '{Name}' as {Format}{(request.IncludeChain ? " with chain" : string.Empty)}{(request.IncludePrivateKey ? " with private key" : string.Empty)}",
            () => service.Export(request), Force.IsPresent, PassThru.IsPresent, secret: request.IncludePrivateKey || Format == ExportFormat.Pfx);
    }
}
