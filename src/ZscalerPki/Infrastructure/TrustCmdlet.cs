using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Core.Trust;

namespace ZscalerPki.Infrastructure;

/// <summary>
/// The base of the trust cmdlets: -Scope, the engine's context for it, and the roots a user names — certificates from the
/// pipeline, PEM/DER/P7B files or ZIPs (Export-RootCertificateBundle's, Zscaler's ZscalerRootCerts.zip) through -Path or
/// -LiteralPath, or vault CAs (the root of their chain) through -Name.
/// </summary>
public abstract class TrustCmdlet : ZscalerPkiCmdlet
{
    protected const string CertificateSet = "Certificate";
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";
    protected const string NameSet = "Name";

    /// <summary>CurrentUser (default): this user's stores and settings; LocalMachine: the machine's (root/Administrator).</summary>
    [Parameter]
    public TrustScope Scope { get; set; } = TrustScope.CurrentUser;

    /// <summary>Only these stores (OS, NSS, Firefox, Java, Python, Node, Git, Curl, Wget, AwsCli, AzureCli, Gcloud).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(TrustStoreNameCompleter))]
    public string[]? Store { get; set; }

    private TrustContext? _context;

    protected TrustContext Context => _context ??= TrustContext.ForCurrentSystem(Scope);

    protected TrustService Service => new(Context);

    /// <summary>Certificates from one input: a ZIP is opened, anything else goes through CertificateInput.</summary>
    protected IReadOnlyList<X509Certificate2> CertificatesOf(object? item) => CertificateInput.Unwrap(item) switch
    {
        FileInfo f when IsZip(f.FullName) => TrustService.ReadZip(f.FullName),
        string s when IsZip(s) => ResolveInputPaths(s, literal: false).SelectMany(TrustService.ReadZip).ToList(),
        var other => CertificateInput.Resolve(other, p => ResolveInputPaths(p, literal: false)),
    };

    protected IReadOnlyList<X509Certificate2> FilesOf(string path, bool literal) =>
        ResolveInputPaths(path, literal).SelectMany(p => IsZip(p) ? TrustService.ReadZip(p) : Core.Certificates.CertificateReader.ReadFile(p)).ToList();

    protected X509Certificate2 VaultRoot(string? name) => RootBundle.RootOf(Vault, name);

    private static bool IsZip(string path) => path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);

    /// <summary>This session gets the variables new shells get (and loses the ones an uninstall took back).</summary>
    protected void ApplySession(IReadOnlyDictionary<string, string?> variables)
    {
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, string.IsNullOrEmpty(value) ? null : value);
            WriteVerbose(value is null ? $"This session: removed ${name}" : $"This session: ${name} = {value}");
        }
    }

    protected void Report(TrustOperation op, bool passThru)
    {
        ApplySession(op.SessionVariables);
        foreach (var note in op.Notes)
            WriteWarning(note);
        foreach (var error in op.Errors)
            ReportError(error);
        foreach (var r in op.Results)
        {
            WriteVerbose($"{r.Store} ({r.Location}): {r.Action}. {r.Detail}");
            if (passThru)
                WriteResult(r);
        }
    }
}

/// <summary>Tab completion for -Store.</summary>
public sealed class TrustStoreNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        System.Management.Automation.Language.CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters) =>
        TrustService.StoreNames.Where(n => n.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n));
}
