using System.Management.Automation;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Deletes enrollment certificates from the ZPA tenant.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "ZpaEnrollmentCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.Base + "Remove-ZpaEnrollmentCertificate.md")]
[OutputType(typeof(void))]
public sealed class RemoveZpaEnrollmentCertificateCommand : TenantCmdlet
{
    /// <summary>The certificates' names (from the pipeline: their objects).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>The ZPA microtenant (default: the session's).</summary>
    [Parameter]
    public string? MicrotenantId { get; set; }

    protected override void Process()
    {
        var zpa = new ZpaEnrollmentService(Session, MicrotenantId, Observer, Cancellation);
        ForEachInput(Name, name =>
        {
            if (zpa.Delete(zpa.Find(name), Gate))
                WriteVerbose($"Deleted '{name}' from {Session.Tenant}.");
        });
    }
}
