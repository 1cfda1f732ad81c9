using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Imports the signed certificate (and optionally its chain) of an SSL-inspection intermediate after checking it against the CSR; the intermediate becomes ready.</para>
/// </summary>
[Cmdlet(VerbsData.Import, "SignedIntermediate", SupportsShouldProcess = true, DefaultParameterSetName = ChainOnlySet, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Import-SignedIntermediate.md")]
[OutputType(typeof(IntermediateCertificate))]
public sealed class ImportSignedIntermediateCommand : ZscalerPkiCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string CertificateSet = "Certificate";
    private const string PemSet = "Pem";
    private const string ChainOnlySet = "ChainOnly";

    /// <summary>Name of the intermediate (also by property name from the pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(IntermediateNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>The signed certificate file: PEM, DER (.cer), base64 without armour (certreq output) or PKCS#7 (.p7b); wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string Path { get; set; } = string.Empty;

    /// <summary>The signed certificate file, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string LiteralPath { get; set; } = string.Empty;

    /// <summary>
    /// The signed certificate from the pipeline: an X509Certificate2 (also Submit-CertificateRequest's output, by its
    /// Certificate property), a FileInfo from Get-ChildItem, or a file path.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public object Certificate { get; set; } = null!;

    /// <summary>The signed certificate as PEM (or base64) text.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PemSet)]
    public string? Pem { get; set; }

    /// <summary>The issuers up to the root: a PEM bundle or .p7b file.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    [Parameter(ParameterSetName = PemSet)]
    [Parameter(Mandatory = true, ParameterSetName = ChainOnlySet)]
    public string? ChainPath { get; set; }

    /// <summary>The issuers as certificates (binds from Submit-CertificateRequest's Chain property).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public X509Certificate2[]? Chain { get; set; }

    /// <summary>The root the chain must end at when it does not end at a self-signed root: a certificate, file path or PEM text.</summary>
    [Parameter]
    public object? TrustedRoot { get; set; }

    protected override void Process()
    {
        var (certificates, source) = ReadCertificate();
        IReadOnlyList<X509Certificate2>? chain = null;
        if (!string.IsNullOrEmpty(ChainPath))
        {
            chain = ResolveInputPaths(ChainPath, literal: false).SelectMany(CertificateReader.ReadFile).ToList();
        }
        if (Chain is { Length: > 0 })
            chain = (chain ?? Array.Empty<X509Certificate2>()).Concat(Chain).ToList();
        X509Certificate2? root = null;
        if (TrustedRoot is not null)
        {
            var roots = CertificateInput.Resolve(TrustedRoot, p => ResolveInputPaths(p, literal: false));
            if (roots.Count != 1)
                throw new PkiException(PkiErrorIds.TrustedRootAmbiguous, PkiErrorCategory.InvalidArgument,
                    $"-TrustedRoot resolved to {roots.Count} certificates. Pass exactly one root certificate.", TrustedRoot);
            root = roots[0];
        }

        var what = certificates.Count == 0 ? "the chain" : $"the signed certificate from {source}{(chain is null ? string.Empty : " and its chain")}";
        if (!Confirm(Name, $"Validate and import {what}"))
            return;
        var result = new IntermediateService(Vault).Import(new ImportSignedIntermediateRequest
        {
            Name = Name,
            Certificates = certificates,
            Source = source,
            Chain = chain,
            TrustedRoot = root,
        });
        WriteResult(Deliver(result));
    }

    private (IReadOnlyList<X509Certificate2> Certificates, string Source) ReadCertificate()
    {
        if (ParameterSetName is PathSet or LiteralPathSet)
        {
            var literal = ParameterSetName == LiteralPathSet;
            var paths = ResolveInputPaths(literal ? LiteralPath : Path, literal);
            return (paths.SelectMany(CertificateReader.ReadFile).ToList(), string.Join(", ", paths.Select(p => $"'{p}'")));
        }
        switch (CertificateInput.Unwrap(Certificate))
        {
            case X509Certificate2 single:
                return (new[] { single }, CertificateChecks.Describe(single));
            case FileInfo file:
                return (CertificateReader.ReadFile(file.FullName), $"'{file.FullName}'");
            case string path when !path.Contains("-----BEGIN", StringComparison.Ordinal):
                var paths = ResolveInputPaths(path, literal: false);
                return (paths.SelectMany(CertificateReader.ReadFile).ToList(), string.Join(", ", paths.Select(p => $"'{p}'")));
            case { } other:
                var resolved = CertificateInput.Resolve(other, p => ResolveInputPaths(p, literal: false));
                return (resolved, resolved.Count > 0 ? CertificateChecks.Describe(resolved[0]) : "the piped object");
        }
        if (Pem is not null)
            return (CertificateReader.Read(Encoding.UTF8.GetBytes(Pem), "the -Pem text"), "the -Pem text");
        return (Array.Empty<X509Certificate2>(), "the chain");
    }
}
