using System.Management.Automation;
using System.Security;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Exports a forged server certificate for a TLS server: PEM (certificate, chain leaf first and root last, encrypted key), DER or PFX.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "InspectionCertificate", SupportsShouldProcess = true, DefaultParameterSetName = ToTextSet, HelpUri = HelpLinks.Base + "Export-InspectionCertificate.md")]
[OutputType(typeof(string), ParameterSetName = new[] { ToTextSet })]
[OutputType(typeof(FileInfo), ParameterSetName = new[] { PathSet, LiteralPathSet })]
public sealed class ExportInspectionCertificateCommand : ExportCmdlet
{
    private SecureString? _password;

    /// <summary>The forged certificate (from New-InspectionCertificate).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public InspectionCertificate InputObject { get; set; } = null!;

    /// <summary>Include the private key (the object must come from New-InspectionCertificate -IncludePrivateKey).</summary>
    [Parameter]
    public SwitchParameter IncludePrivateKey { get; set; }

    /// <summary>Protects the written file: encrypts the exported key, or the PFX. Prompted for when needed and not given.</summary>
    [Parameter]
    public SecureString? Password { get; set; }

    protected override string ItemLabel => $"the certificate for {InputObject.Name}";

    protected override bool IncludesPrivateKey => IncludePrivateKey.IsPresent;

    protected override void Validate()
    {
        if (IncludePrivateKey.IsPresent || Format == ExportFormat.Pfx)
            _password ??= RequireSecret(Password, nameof(Password), IncludePrivateKey.IsPresent ? "A password to protect the exported key" : "A password to protect the PFX file", InputObject.Name, Core.PkiErrorIds.ExportPasswordRequired);
    }

    protected override byte[] ExportItem()
    {
        using var password = Reveal(_password ?? Password);
        return InspectionExport.Export(InputObject, Format, ChainIncluded, IncludePrivateKey.IsPresent, password.Memory.Span);
    }
}
