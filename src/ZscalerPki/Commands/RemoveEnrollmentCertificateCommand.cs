using System.Management.Automation;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Removes an enrollment (CA) certificate and its key from the vault.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "EnrollmentCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.Base + "Remove-EnrollmentCertificate.md")]
[OutputType(typeof(void))]
public sealed class RemoveEnrollmentCertificateCommand : ZscalerPkiCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EnrollmentNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Remove a CA even though it has issued other CAs in the vault.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void Process()
    {
        var service = new EnrollmentService(Vault);
        ForEachInput(Name, name =>
        {
            var entry = service.GetOne(name);
            if (!Confirm(entry.Name, $"Remove enrollment CA certificate {entry.Subject} ({entry.Thumbprint}) and its private key"))
                return;
            Deliver(service.Remove(entry.Name, Force.IsPresent));
        });
    }
}
