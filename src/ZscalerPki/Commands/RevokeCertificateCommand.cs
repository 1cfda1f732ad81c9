using System.Management.Automation;
using ZscalerPki.Core;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Revokes certificates a vault CA issued, so its next CRL (Publish-Crl) lists them.</para>
/// </summary>
[Cmdlet(VerbsSecurity.Revoke, "Certificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.Base + "Revoke-Certificate.md")]
[OutputType(typeof(IssuedCertificateRecord))]
public sealed class RevokeCertificateCommand : RevocationTargetCmdlet
{
    /// <summary>RFC 5280 reason: Unspecified (default), KeyCompromise, CACompromise, AffiliationChanged, Superseded, CessationOfOperation, CertificateHold, PrivilegeWithdrawn, AACompromise.</summary>
    [Parameter]
    public RevocationReason Reason { get; set; } = RevocationReason.Unspecified;

    /// <summary>When the revocation takes effect; default now.</summary>
    [Parameter]
    public DateTime? RevocationDate { get; set; }

    /// <summary>When the key is known or suspected to have been compromised (invalidityDate entry extension).</summary>
    [Parameter]
    public DateTime? InvalidityDate { get; set; }

    /// <summary>Revoke a serial number the CA has no record of issuing.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override string TargetDescription => "to revoke";

    protected override string Action => $"Revoke ({Reason})";

    protected override PkiResult<IssuedCertificateRecord?> Apply(RevocationService service, RevokeRequest target) =>
        service.Revoke(target with
        {
            Reason = Reason,
            RevocationDate = ToInstant(RevocationDate),
            InvalidityDate = ToInstant(InvalidityDate),
            Force = Force.IsPresent,
        });
}
