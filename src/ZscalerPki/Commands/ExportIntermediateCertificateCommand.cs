using System.Management.Automation;
using System.Text;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Exports the upload bundle of a ready SSL-inspection intermediate: its certificate and chain, leaf to root, as PEM.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "IntermediateCertificate", SupportsShouldProcess = true, DefaultParameterSetName = ToTextSet, HelpUri = HelpLinks.Base + "Export-IntermediateCertificate.md")]
[OutputType(typeof(string), ParameterSetName = new[] { ToTextSet })]
[OutputType(typeof(FileInfo), ParameterSetName = new[] { PathSet, LiteralPathSet })]
public sealed class ExportIntermediateCertificateCommand : ZscalerPkiCmdlet
{
    private const string ToTextSet = "ToText";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Name of the intermediate (also by property name from the pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(IntermediateNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>File to write the bundle to; without it the PEM text is written to the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    public string Path { get; set; } = string.Empty;

    /// <summary>File to write the bundle to, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    public string LiteralPath { get; set; } = string.Empty;

    /// <summary>Export the certificate alone, without its chain.</summary>
    [Parameter]
    public SwitchParameter ExcludeChain { get; set; }

    /// <summary>Replace an existing file.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter Force { get; set; }

    /// <summary>Write the FileInfo of the written file to the pipeline.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        var service = new IntermediateService(Vault);
        if (ParameterSetName == ToTextSet)
        {
            WriteResult(service.ExportBundle(Name, !ExcludeChain.IsPresent));
            return;
        }
        var bundle = service.ExportBundle(Name, !ExcludeChain.IsPresent);
        ExportToFile(ParameterSetName == LiteralPathSet ? LiteralPath : Path, $"Export the {(ExcludeChain.IsPresent ? "certificate" : "certificate and chain")} of '{Name}' (PEM)",
            () => Encoding.ASCII.GetBytes(bundle), Force.IsPresent, PassThru.IsPresent);
    }
}
