using System.Management.Automation;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Shows whether the ZIA configuration has changes waiting for activation (/status).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ZiaActivationStatus", HelpUri = HelpLinks.Base + "Get-ZiaActivationStatus.md")]
[OutputType(typeof(ZiaActivationStatus))]
public sealed class GetZiaActivationStatusCommand : TenantCmdlet
{
    protected override void Process() => WriteResult(new ZiaIntermediateService(Session, Observer, Cancellation).Status());
}
