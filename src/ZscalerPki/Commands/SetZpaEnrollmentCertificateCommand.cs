using System.Management.Automation;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Renames or describes a ZPA enrollment certificate.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "ZpaEnrollmentCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Set-ZpaEnrollmentCertificate.md")]
[OutputType(typeof(ZpaEnrollmentCertificate))]
public sealed class SetZpaEnrollmentCertificateCommand : TenantCmdlet
{
    /// <summary>The certificate's name (from the pipeline: its objects).</summary>
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

    /// <summary>The ZPA microtenant (default: the session's).</summary>
    [Parameter]
    public string? MicrotenantId { get; set; }

    /// <summary>Return the certificate as ZPA now has it.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        var zpa = new ZpaEnrollmentService(Session, MicrotenantId, Observer, Cancellation);
        var updated = zpa.Update(zpa.Find(Name), NewName, Description, Gate);
        if (updated is not null && PassThru.IsPresent)
            WriteResult(updated);
    }
}
