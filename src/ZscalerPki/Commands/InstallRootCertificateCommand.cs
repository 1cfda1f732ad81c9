using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Trust;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Installs a root CA into every trust store found (OS store, NSS/Firefox, Java, and Python/Node/git/curl/wget/cloud CLIs through one combined bundle), recorded in a journal so Uninstall-RootCertificate takes it back exactly.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Install, "RootCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = CertificateSet, HelpUri = HelpLinks.Base + "Install-RootCertificate.md")]
[OutputType(typeof(TrustStoreResult))]
public sealed class InstallRootCertificateCommand : TrustCmdlet
{
    private readonly List<X509Certificate2> _roots = new();

    /// <summary>The root: an X509Certificate2, our objects, PEM text, or a file/ZIP path.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = CertificateSet)]
    public object[] Certificate { get; set; } = Array.Empty<object>();

    /// <summary>PEM, DER, P7B or ZIP files (wildcards expanded).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>Vault CAs whose chain's root is installed (an SSL-inspection intermediate or an enrollment CA).</summary>
    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(IntermediateNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        switch (ParameterSetName)
        {
            case PathSet:
                ForEachInput(Path, p => Add(FilesOf(p, literal: false)));
                break;
            case LiteralPathSet:
                ForEachInput(LiteralPath, p => Add(FilesOf(p, literal: true)));
                break;
            case NameSet:
                ForEachInput(Name, n => Add(new[] { VaultRoot(n) }));
                break;
            default:
                ForEachInput(Certificate, c => Add(CertificatesOf(c)));
                break;
        }
    }

    /// <summary>Each certificate is checked on its own: a leaf, a non-CA, an intermediate or an expired one is one error.</summary>
    private void Add(IReadOnlyList<X509Certificate2> certs) => ForEachInput(certs, c =>
    {
        TrustService.RequireInstallableRoot(c, DateTimeOffset.UtcNow);
        if (!_roots.Any(r => r.Thumbprint == c.Thumbprint))
            _roots.Add(c);
    });

    protected override void End()
    {
        if (_roots.Count == 0)
            return;
        var op = Service.Install(_roots, Store, (store, root) =>
            Confirm($"{store.Name} ({store.Location(Context)})", $"Install the trusted root '{root.Subject}' ({root.Thumbprint})"));
        Report(op, PassThru.IsPresent);
    }
}
