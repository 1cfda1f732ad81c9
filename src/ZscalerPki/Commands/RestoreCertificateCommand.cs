using System.Management.Automation;
using ZscalerPki.Core;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Lifts a certificateHold: the certificate leaves the CA's next base CRL, and the next delta CRL lists it as removeFromCRL.</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "Certificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IssuedCertificateRecord))]
public sealed class RestoreCertificateCommand : ZscalerPkiCmdlet
{
    /// <summary>The vault CA that issued the certificates (also its subject DN, or by property name from piped objects).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(CaNameCompleter))]
    public string Issuer { get; set; } = string.Empty;

    /// <summary>Serial number(s) on hold, hex.</summary>
    [Parameter(Position = 1)]
    public string[]? SerialNumber { get; set; }

    /// <summary>The certificate(s) on hold: objects from Get-IssuedCertificate, X509Certificate2, or certificate files (pipeline).</summary>
    [Parameter(ValueFromPipeline = true)]
    public object[]? Certificate { get; set; }

    /// <summary>Write the restored certificate's database row to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        var targets = RevocationTargets.Resolve(SerialNumber, Certificate, p => ResolveInputPaths(p, literal: false));
        if (targets.Count == 0)
            throw new PkiException(PkiErrorIds.RevocationTargetRequired, PkiErrorCategory.InvalidArgument,
                "Name the certificate on hold: pass -SerialNumber, or -Certificate (a file, an X509Certificate2, or objects from Get-IssuedCertificate).", null);
        var service = new RevocationService(Vault);
        ForEachInput(targets, target =>
        {
            if (!Confirm($"{target.Label} issued by '{Issuer}'", "Lift certificateHold"))
                return;
            var row = Deliver(service.Restore(new RevokeRequest { Issuer = Issuer, SerialNumber = target.Serial, Certificate = target.Certificate }));
            if (On(PassThru) && row is not null)
                WriteResult(row);
        });
    }
}
