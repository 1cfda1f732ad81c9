using System.Management.Automation;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Activates the saved ZIA configuration changes (/status/activate), so a new or changed intermediate takes effect.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ZiaActivation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Invoke-ZiaActivation.md")]
[OutputType(typeof(ZiaActivationStatus))]
public sealed class InvokeZiaActivationCommand : TenantCmdlet
{
    protected override void Process()
    {
        var zia = new ZiaIntermediateService(Session, Observer, Cancellation);
        if (!Gate("activation", new[] { zia.ActivateRequest }))
            return;
        WriteResult(zia.Activate());
    }
}
