using System.Management.Automation;
using System.Text;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Downloads the CSR Zscaler generated for a tenant intermediate, to a file or as PEM text for Submit-CertificateRequest.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "ZiaIntermediateCsr", SupportsShouldProcess = true, DefaultParameterSetName = PathSet, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Base + "Export-ZiaIntermediateCsr.md")]
[OutputType(typeof(string), typeof(FileInfo))]
public sealed class ExportZiaIntermediateCsrCommand : TenantCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>The entry's name (from the pipeline: Get-ZiaIntermediateCertificate's objects).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>The file to write (PEM); without it the CSR is written to the pipeline as text.</summary>
    [Parameter(Position = 1, ParameterSetName = PathSet)]
    public string? Path { get; set; }

    /// <summary>The file to write, the path taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath")]
    public string? LiteralPath { get; set; }

    /// <summary>Replace the file if it exists.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Return the written file's FileInfo.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        var zia = new ZiaIntermediateService(Session, Observer, Cancellation);
        var entry = zia.Find(Name);
        var file = Path ?? LiteralPath;
        if (file is null)
        {
            WriteResult(zia.DownloadCsr(entry));
            return;
        }
        ExportToFile(file, $"Write the CSR of '{entry.Name}'", () => Encoding.ASCII.GetBytes(zia.DownloadCsr(entry)), Force.IsPresent, PassThru.IsPresent);
    }
}
