using System.Management.Automation;
using System.Security;
using System.Text;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Exports a forged server certificate for a TLS server: PEM (certificate, chain leaf first and root last, encrypted key) or PFX.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "InspectionCertificate", SupportsShouldProcess = true, DefaultParameterSetName = ToTextSet, HelpUri = HelpLinks.Base + "Export-InspectionCertificate.md")]
[OutputType(typeof(string), ParameterSetName = new[] { ToTextSet })]
[OutputType(typeof(FileInfo), ParameterSetName = new[] { PathSet, LiteralPathSet })]
public sealed class ExportInspectionCertificateCommand : ZscalerPkiCmdlet
{
    private const string ToTextSet = "ToText";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>The forged certificate (from New-InspectionCertificate).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public InspectionCertificate InputObject { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    public string Path { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    public string LiteralPath { get; set; } = string.Empty;

    [Parameter]
    public InspectionExportFormat Format { get; set; } = InspectionExportFormat.Pem;

    /// <summary>Export the leaf alone, without the chain.</summary>
    [Parameter]
    public SwitchParameter ExcludeChain { get; set; }

    /// <summary>Include the private key (the object must come from New-InspectionCertificate -IncludePrivateKey).</summary>
    [Parameter]
    public SwitchParameter IncludePrivateKey { get; set; }

    /// <summary>Encrypts the exported key or PFX.</summary>
    [Parameter]
    public SecureString? Password { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter Force { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        var toText = ParameterSetName == ToTextSet;
        if (toText && Format != InspectionExportFormat.Pem)
            throw new Core.PkiException(Core.PkiErrorIds.PathRequired, Core.PkiErrorCategory.InvalidArgument,
                $"-Format {Format} is binary: pass -Path to write it to a file (only PEM is written to the pipeline).", InputObject.Name);
        using var password = Reveal(Password);
        var includeKey = IncludePrivateKey.IsPresent;
        byte[] Content() => InspectionExport.Export(InputObject, Format, !ExcludeChain.IsPresent, includeKey, password.Memory.Span);
        if (toText)
        {
            WriteResult(Encoding.ASCII.GetString(Content()));
            return;
        }
        ExportToFile(ParameterSetName == LiteralPathSet ? LiteralPath : Path, $"Export the certificate for {InputObject.Name} as {Format}{(ExcludeChain.IsPresent ? string.Empty : " with chain")}{(includeKey ? " with private key" : string.Empty)}",
            Content, Force.IsPresent, PassThru.IsPresent, secret: includeKey || Format == InspectionExportFormat.Pfx);
    }
}
