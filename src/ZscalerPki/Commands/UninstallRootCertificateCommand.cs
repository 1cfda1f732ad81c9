using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Trust;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Takes back what Install-RootCertificate added, from its journal: created files removed, edited files restored byte for byte, settings and variables back to their previous values, store entries removed.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Uninstall, "RootCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = CertificateSet, HelpUri = HelpLinks.Base + "Uninstall-RootCertificate.md")]
[OutputType(typeof(TrustStoreResult))]
public sealed class UninstallRootCertificateCommand : TrustCmdlet
{
    private readonly List<string> _thumbprints = new();

    /// <summary>Only these roots (certificates, files, PEM text); default every root the journal holds.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ParameterSetName = CertificateSet)]
    public object[]? Certificate { get; set; }

    /// <summary>Only the roots with these SHA-1 thumbprints.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Thumbprint", ValueFromPipelineByPropertyName = true)]
    public string[] Thumbprint { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        if (ParameterSetName == "Thumbprint")
            _thumbprints.AddRange(Thumbprint.Select(t => t.Replace(" ", string.Empty).Replace(":", string.Empty).ToUpperInvariant()));
        else if (Certificate is { Length: > 0 })
            ForEachInput(Certificate, c => _thumbprints.AddRange(CertificatesOf(c).Select(x => x.Thumbprint)));
    }

    protected override void End()
    {
        if ((ParameterSetName == "Thumbprint" || Certificate is { Length: > 0 }) && _thumbprints.Count == 0)
            return;
        var op = Service.Uninstall(_thumbprints, Store, store =>
            Confirm($"{store.Name} ({store.Location(Context)})", "Take back what Install-RootCertificate added (from the trust journal)"));
        Report(op, PassThru.IsPresent);
    }
}
