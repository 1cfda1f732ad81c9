using System.Management.Automation;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Renames, describes, enables or disables a tenant intermediate, or makes it the default; optionally activates.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "ZiaIntermediateCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Set-ZiaIntermediateCertificate.md")]
[OutputType(typeof(ZiaIntermediateCertificate))]
public sealed class SetZiaIntermediateCertificateCommand : TenantCmdlet
{
    /// <summary>The entry's name (from the pipeline: its objects).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>A new name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NewName { get; set; }

    /// <summary>A new description.</summary>
    [Parameter]
    public string? Description { get; set; }

    /// <summary>Enable (-Enabled) or disable (-Enabled:$false) the entry for SSL inspection.</summary>
    [Parameter]
    public SwitchParameter Enabled { get; set; }

    /// <summary>Make the entry the tenant's default intermediate (it must be CERT_READY).</summary>
    [Parameter]
    public SwitchParameter Default { get; set; }

    /// <summary>Activate the ZIA configuration afterwards (POST /status/activate).</summary>
    [Parameter]
    public SwitchParameter Activate { get; set; }

    /// <summary>Return the entry as the tenant now has it.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        var zia = new ZiaIntermediateService(Session, Observer, Cancellation);
        var entry = zia.Find(Name);
        var outcome = zia.Update(entry, NewName, Description, MyInvocation.BoundParameters.ContainsKey(nameof(Enabled)) ? Enabled.IsPresent : null, Default.IsPresent, Gate, Activate.IsPresent);
        WriteWarnings(outcome.Warnings);
        if (outcome.Sent && PassThru.IsPresent && outcome.Item is not null)
            WriteResult(outcome.Item);
    }
}
