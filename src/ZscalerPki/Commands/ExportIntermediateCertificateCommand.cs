using System.Management.Automation;
using System.Text;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Exports the upload bundle of a ready SSL-inspection intermediate: its certificate and chain, leaf to root, as PEM (or the certificate alone as DER).</para>
/// </summary>
[Cmdlet(VerbsData.Export, "IntermediateCertificate", SupportsShouldProcess = true, DefaultParameterSetName = ToTextSet, HelpUri = HelpLinks.Base + "Export-IntermediateCertificate.md")]
[OutputType(typeof(string), ParameterSetName = new[] { ToTextSet })]
[OutputType(typeof(FileInfo), ParameterSetName = new[] { PathSet, LiteralPathSet })]
public sealed class ExportIntermediateCertificateCommand : ExportCmdlet
{
    /// <summary>Name of the intermediate (also by property name from the pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(IntermediateNameCompleter))]
    public string Name { get; set; } = string.Empty;

    protected override string ItemLabel => $"'{Name}'";

    protected override void Validate()
    {
        if (Format == ExportFormat.Pfx)
            throw new PkiException(PkiErrorIds.FormatCannotHoldChain, PkiErrorCategory.InvalidArgument,
                "An SSL-inspection intermediate is exported for upload as PEM (or its certificate alone as DER); its key stays in the vault. Pass -Format Pem or Der.", Name);
    }

    protected override byte[] ExportItem()
    {
        var bundle = new IntermediateService(Vault).ExportBundle(Name, ChainIncluded);
        return Format == ExportFormat.Der
            ? CertificateReader.ReadText(bundle)[0].RawData
            : Encoding.ASCII.GetBytes(bundle);
    }
}
