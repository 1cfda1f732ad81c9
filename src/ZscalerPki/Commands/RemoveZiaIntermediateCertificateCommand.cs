using System.Management.Automation;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Deletes an intermediate CA certificate from the ZIA tenant (never the default); optionally activates.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "ZiaIntermediateCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.Base + "Remove-ZiaIntermediateCertificate.md")]
[OutputType(typeof(void))]
public sealed class RemoveZiaIntermediateCertificateCommand : TenantCmdlet
{
    /// <summary>The entries' names (from the pipeline: their objects).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Activate the ZIA configuration afterwards (POST /status/activate).</summary>
    [Parameter]
    public SwitchParameter Activate { get; set; }

    protected override void Process()
    {
        var zia = new ZiaIntermediateService(Session, Observer, Cancellation);
        ForEachInput(Name, name =>
        {
            if (zia.Delete(zia.Find(name), Gate, Activate.IsPresent))
                WriteVerbose($"Deleted '{name}' from {Session.Tenant}.");
        });
    }
}
