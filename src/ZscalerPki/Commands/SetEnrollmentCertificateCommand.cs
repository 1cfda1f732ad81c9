using System.Management.Automation;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Sets the CRL distribution points and AIA caIssuers URL an enrollment CA embeds in every certificate it issues from now on.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "EnrollmentCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Set-EnrollmentCertificate.md")]
[OutputType(typeof(EnrollmentCertificate))]
public sealed class SetEnrollmentCertificateCommand : ZscalerPkiCmdlet
{
    /// <summary>Name of the enrollment CA (also by property name from the pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EnrollmentNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>CRL distribution point URL(s) (http, https, ldap, file); an empty array clears them.</summary>
    [Parameter]
    [Alias("Cdp")]
    [AllowEmptyCollection]
    public string[]? CrlDistributionPoint { get; set; }

    /// <summary>AIA caIssuers URL(s), where this CA's certificate is published; an empty array clears them.</summary>
    [Parameter]
    [Alias("Aia")]
    [AllowEmptyCollection]
    public string[]? AuthorityInfoAccess { get; set; }

    /// <summary>Write the changed CA to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        var service = new EnrollmentService(Vault);
        var name = service.GetOne(Name).Name;
        if (CrlDistributionPoint is null && AuthorityInfoAccess is null)
        {
            Verbose($"No change requested for '{name}'. Pass -CrlDistributionPoint or -AuthorityInfoAccess.");
        }
        else if (Confirm(name, "Enrollment CA: set the URLs embedded in the certificates it issues"))
        {
            Deliver(new RevocationService(Vault).SetUrls(name, CrlDistributionPoint, AuthorityInfoAccess, Core.Storage.Collections.Enrollment));
        }
        else
        {
            return;
        }
        if (PassThru.IsPresent)
            WriteResult(service.GetOne(name));
    }
}
