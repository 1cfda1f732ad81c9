using System.Management.Automation;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Records the Zscaler subscription (Software, or SoftwareAndHsm) that sets how many intermediates may exist and be enabled.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "PkiVault", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Set-PkiVault.md")]
[OutputType(typeof(PkiVaultInfo))]
public sealed class SetPkiVaultCommand : ZscalerPkiCmdlet
{
    /// <summary>Software (2 intermediates, 1 enabled) or SoftwareAndHsm (8 intermediates, 4 enabled).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public Subscription Subscription { get; set; }

    /// <summary>Write the vault's settings to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        var limits = IntermediateLimits.For(Subscription);
        if (!Confirm(Vault.Root, $"Set the subscription to {Subscription} (at most {limits.MaxIntermediates} intermediates, {limits.MaxEnabled} enabled)"))
            return;
        var info = new PkiVaultService(Vault).SetSubscription(Subscription);
        if (PassThru.IsPresent)
            WriteResult(info);
    }
}
