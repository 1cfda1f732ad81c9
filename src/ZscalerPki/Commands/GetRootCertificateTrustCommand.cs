using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Trust;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Shows, per trust store, whether a root is installed and what needs attention (a variable new shells do not get, a stale combined bundle).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "RootCertificateTrust", DefaultParameterSetName = CertificateSet, HelpUri = HelpLinks.Base + "Get-RootCertificateTrust.md")]
[OutputType(typeof(TrustStoreStatus))]
public sealed class GetRootCertificateTrustCommand : TrustCmdlet
{
    private readonly List<X509Certificate2> _roots = new();

    /// <summary>The roots to look for; default the roots in the trust journal, else the default intermediate's root.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ParameterSetName = CertificateSet)]
    public object[]? Certificate { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>Vault CAs whose chain's root is looked for.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(IntermediateNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    protected override void Process()
    {
        switch (ParameterSetName)
        {
            case PathSet:
                ForEachInput(Path, p => _roots.AddRange(FilesOf(p, literal: false)));
                break;
            case LiteralPathSet:
                ForEachInput(LiteralPath, p => _roots.AddRange(FilesOf(p, literal: true)));
                break;
            case NameSet:
                ForEachInput(Name, n => _roots.Add(VaultRoot(n)));
                break;
            default:
                if (Certificate is { Length: > 0 })
                    ForEachInput(Certificate, c => _roots.AddRange(CertificatesOf(c)));
                break;
        }
    }

    protected override void End()
    {
        var roots = _roots.GroupBy(r => r.Thumbprint).Select(g => g.First()).ToList();
        if (roots.Count == 0 && ParameterSetName == CertificateSet && Certificate is not { Length: > 0 })
        {
            roots = Service.LoadJournal().Roots.Select(r => CertificateReader.ReadText(r.Pem)[0]).ToList();
            if (roots.Count == 0)
                roots.Add(DefaultRoot());
        }
        if (roots.Count > 0)
            WriteResults(Service.Inspect(roots, Store));
    }

    private X509Certificate2 DefaultRoot()
    {
        try
        {
            return VaultRoot(null);
        }
        catch (PkiException ex)
        {
            throw new PkiException(PkiErrorIds.CertificateRequired, PkiErrorCategory.InvalidArgument,
                $"No root was given, none is in the trust journal ({Context.JournalPath}), and the vault has no default intermediate with a root ({ex.Message}). Pass the root (-Certificate, -Path or -Name).", null, ex);
        }
    }
}
