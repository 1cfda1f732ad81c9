using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Uploads the signed certificate (and chain) of a tenant intermediate after the checks Import-SignedIntermediate makes, then finalizes it and optionally makes it the default and activates.</para>
/// </summary>
[Cmdlet(VerbsData.Publish, "ZiaSignedIntermediate", SupportsShouldProcess = true, DefaultParameterSetName = PathSet, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Publish-ZiaSignedIntermediate.md")]
[OutputType(typeof(ZiaIntermediateCertificate))]
public sealed class PublishZiaSignedIntermediateCommand : TenantCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string ResumeSet = "Resume";

    /// <summary>The entry's name in the tenant (from the pipeline: its objects).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>The signed certificate: PEM, DER, base64 or a .p7b (its other certificates join the chain).</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    public string Path { get; set; } = string.Empty;

    /// <summary>The signed certificate, the path taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath")]
    public string LiteralPath { get; set; } = string.Empty;

    /// <summary>Continue an entry whose certificate is already uploaded (INTCERT_UPLOAD_DONE or later) without giving it again.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ResumeSet)]
    public SwitchParameter Resume { get; set; }

    /// <summary>The issuers of the certificate up to the root (PEM, DER or .p7b), uploaded with uploadCertChain.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public string? ChainPath { get; set; }

    /// <summary>The root the chain must lead to (a file); default: the chain's own self-signed root.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public string? TrustedRoot { get; set; }

    /// <summary>Make the intermediate the tenant's default afterwards (makeDefault).</summary>
    [Parameter]
    public SwitchParameter Default { get; set; }

    /// <summary>Activate the ZIA configuration afterwards (POST /status/activate).</summary>
    [Parameter]
    public SwitchParameter Activate { get; set; }

    protected override void Process()
    {
        var certificates = new List<X509Certificate2>();
        var source = "the given certificate";
        if (ParameterSetName != ResumeSet)
        {
            var literal = ParameterSetName == LiteralPathSet;
            var file = ResolveInputPaths(literal ? LiteralPath : Path, literal).Single();
            certificates.AddRange(CertificateReader.ReadFile(file));
            source = $"'{file}'";
        }
        var chain = ChainPath is null ? null : ResolveInputPaths(ChainPath, literal: false).SelectMany(CertificateReader.ReadFile).ToList();
        var root = TrustedRoot is null ? null : CertificateReader.ReadFile(ResolveInputPaths(TrustedRoot, literal: false).Single()).First();
        var zia = new ZiaIntermediateService(Session, Observer, Cancellation);
        var entry = zia.Find(Name);
        var outcome = zia.Publish(entry, new ZiaPublishRequest
        {
            Certificates = certificates,
            Chain = chain,
            TrustedRoot = root,
            Source = source,
            MakeDefault = Default.IsPresent,
        }, Gate, Activate.IsPresent);
        WriteWarnings(outcome.Warnings);
        if (outcome.Sent && outcome.Item is not null)
            WriteResult(outcome.Item);
    }
}
