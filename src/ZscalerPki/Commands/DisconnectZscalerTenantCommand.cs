using System.Management.Automation;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Signs out of a Zscaler tenant session and forgets its secrets.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "ZscalerTenant", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Base + "Disconnect-ZscalerTenant.md")]
[OutputType(typeof(void))]
public sealed class DisconnectZscalerTenantCommand : TenantCmdlet
{
    protected override void Process()
    {
        var session = Session;
        if (!Confirm(session.Tenant, "Sign out and forget the session's secrets"))
            return;
        try
        {
            session.Disconnect(Observer, Cancellation);
        }
        finally
        {
            if (ReferenceEquals(TenantRegistry.Default, session))
                TenantRegistry.Default = null;
        }
        WriteVerbose($"Disconnected from {session.Tenant}.");
    }
}
