using System.Management.Automation;
using ZscalerPki.Core;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Revokes certificates a vault CA issued, so its next CRL (Publish-Crl) lists them.</para>
/// </summary>
[Cmdlet(VerbsSecurity.Revoke, "Certificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(IssuedCertificateRecord))]
public sealed class RevokeCertificateCommand : ZscalerPkiCmdlet
{
    /// <summary>The vault CA that issued the certificates (also its subject DN, or by property name from piped objects).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(CaNameCompleter))]
    public string Issuer { get; set; } = string.Empty;

    /// <summary>Serial number(s), hex as Get-IssuedCertificate or openssl shows them.</summary>
    [Parameter(Position = 1)]
    public string[]? SerialNumber { get; set; }

    /// <summary>The certificate(s): objects from Get-IssuedCertificate, X509Certificate2, or certificate files (pipeline).</summary>
    [Parameter(ValueFromPipeline = true)]
    public object[]? Certificate { get; set; }

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

    /// <summary>Write the revoked certificate's database row to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        var targets = RevocationTargets.Resolve(SerialNumber, Certificate, p => ResolveInputPaths(p, literal: false));
        if (targets.Count == 0)
            throw new PkiException(PkiErrorIds.RevocationTargetRequired, PkiErrorCategory.InvalidArgument,
                "Name the certificate to revoke: pass -SerialNumber, or -Certificate (a file, an X509Certificate2, or objects from Get-IssuedCertificate).", null);
        var service = new RevocationService(Vault);
        ForEachInput(targets, target =>
        {
            if (!Confirm($"{target.Label} issued by '{Issuer}'", $"Revoke ({Reason})"))
                return;
            var result = service.Revoke(new RevokeRequest
            {
                Issuer = Issuer,
                SerialNumber = target.Serial,
                Certificate = target.Certificate,
                Reason = Reason,
                RevocationDate = ToInstant(RevocationDate),
                InvalidityDate = ToInstant(InvalidityDate),
                Force = On(Force),
            });
            var row = Deliver(result);
            if (On(PassThru) && row is not null)
                WriteResult(row);
        });
    }
}
