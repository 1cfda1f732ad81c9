using System.Management.Automation;
using ZscalerPki.Core;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Lifts a certificateHold: the certificate leaves the CA's next base CRL, and the next delta CRL lists it as removeFromCRL.</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "Certificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Restore-Certificate.md")]
[OutputType(typeof(IssuedCertificateRecord))]
public sealed class RestoreCertificateCommand : RevocationTargetCmdlet
{
    protected override string TargetDescription => "on hold";

    protected override string Action => "Lift certificateHold";

    protected override PkiResult<IssuedCertificateRecord?> Apply(RevocationService service, RevokeRequest target) => service.Restore(target);
}
