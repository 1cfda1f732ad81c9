using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Writes the trusted root(s) of your SSL-inspection chain as a ZIP for GPO/MDM (.crt DER, .pem, README), and optionally installs them into a certificate store.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "RootCertificateBundle", SupportsShouldProcess = true, DefaultParameterSetName = PathSet, HelpUri = HelpLinks.Base + "Export-RootCertificateBundle.md")]
[OutputType(typeof(FileInfo))]
public sealed class ExportRootCertificateBundleCommand : ZscalerPkiCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private readonly List<X509Certificate2> _roots = new();

    /// <summary>The ZIP file to write.</summary>
    [Parameter(Position = 0, ParameterSetName = PathSet)]
    public string? Path { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    public string LiteralPath { get; set; } = string.Empty;

    /// <summary>Vault CAs (SSL-inspection intermediates or enrollment CAs) whose roots go in the bundle; default: the default intermediate.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Issuer")]
    [ArgumentCompleter(typeof(IntermediateNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Root certificates to bundle instead (X509Certificate2, files, PEM text).</summary>
    [Parameter]
    public object[]? Certificate { get; set; }

    /// <summary>Also install the root(s) into this store, e.g. Cert:\LocalMachine\Root (Windows, elevated) or Cert:\CurrentUser\Root.</summary>
    [Parameter]
    public string? CertStoreLocation { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        if (Certificate is { Length: > 0 })
        {
            ForEachInput(Certificate, item =>
            {
                foreach (var c in CertificateInput.Resolve(item, p => ResolveInputPaths(p, literal: false)))
                    _roots.Add(RootBundle.RequireRoot(c));
            });
            return;
        }
        ForEachInput(Name is { Length: > 0 } ? Name : new string?[] { null }, issuer =>
        {
            _roots.Add(RootBundle.RootOf(Vault, issuer));
        });
    }

    protected override void End()
    {
        if (_roots.Count == 0)
            return;
        var roots = _roots.GroupBy(r => r.Thumbprint).Select(g => g.First()).ToList();
        var names = string.Join(", ", roots.Select(r => $"'{r.Subject}'"));
        if (CertStoreLocation is not null)
        {
            var store = Core.Certificates.CertStoreLocation.Parse(CertStoreLocation);
            foreach (var root in roots)
            {
                if (Confirm(store.ToString(), $"Install the trusted root '{root.Subject}' ({root.Thumbprint})"))
                    store.Add(root);
            }
        }
        var file = ParameterSetName == LiteralPathSet ? LiteralPath : Path;
        var hasPath = !string.IsNullOrEmpty(file);
        if (!hasPath && CertStoreLocation is not null)
            return;
        if (!hasPath)
            throw new PkiException(PkiErrorIds.PathRequired, PkiErrorCategory.InvalidArgument,
                "Pass -Path for the ZIP file (for example ./RootCerts.zip), and/or -CertStoreLocation to install the root.", null);
        ExportToFile(file!, $"Write the root bundle ({names}) as a ZIP", () => RootBundle.Build(roots), Force.IsPresent, PassThru.IsPresent);
    }
}
