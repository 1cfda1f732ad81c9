using System.Management.Automation;
using System.Security;
using ZscalerPki.Core;
using ZscalerPki.Core.Authority;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Core.Trust;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Runs this machine's real TLS clients (curl, wget, openssl, Python, Node, Java, git, PowerShell, headless Firefox and Chromium) against a loopback server presenting a chain forged below -Issuer, or against -Uri, optionally through mitmproxy signing with -Issuer (the rehearsal of SSL inspection), and reports per client whether it trusts the chain, its error and the fix.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "RootCertificateTrust", DefaultParameterSetName = "Loopback", HelpUri = HelpLinks.Base + "Test-RootCertificateTrust.md")]
[OutputType(typeof(TrustClientResult), typeof(bool))]
public sealed class TestRootCertificateTrustCommand : ZscalerPkiCmdlet
{
    /// <summary>The vault CA that signs the loopback server's certificate (default: the default SSL-inspection intermediate).</summary>
    [Parameter(Position = 0, ParameterSetName = "Loopback")]
    [Parameter(Position = 0, ParameterSetName = "Mitmproxy")]
    [IssuerTransformation]
    [ArgumentCompleter(typeof(CaNameCompleter))]
    public IssuerArgument? Issuer { get; set; }

    /// <summary>The password of the issuer's key (asked for when -ThroughMitmproxy needs it and none is given).</summary>
    [Parameter(ParameterSetName = "Loopback")]
    [Parameter(ParameterSetName = "Mitmproxy")]
    public SecureString? IssuerKeyPassword { get; set; }

    /// <summary>A real HTTPS endpoint instead (e.g. through the inspecting proxy): trusted = the client succeeded.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Uri")]
    [Parameter(ParameterSetName = "Mitmproxy")]
    public Uri? Uri { get; set; }

    /// <summary>An HTTP proxy every client goes through (https_proxy), e.g. http://127.0.0.1:8080 for mitmproxy.</summary>
    [Parameter(ParameterSetName = "Loopback")]
    [Parameter(ParameterSetName = "Uri")]
    public string? Proxy { get; set; }

    /// <summary>
    /// The rehearsal of SSL inspection: mitmproxy (mitmdump) on loopback signs with -Issuer's key, sends the issuer's chain,
    /// and every client goes through it to the loopback server (or -Uri).
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = "Mitmproxy")]
    public SwitchParameter ThroughMitmproxy { get; set; }

    /// <summary>Only these clients: curl, wget, openssl, python-ssl, python-requests, node, java, git, pwsh, firefox, chromium.</summary>
    [Parameter]
    [ValidateSet("curl", "wget", "openssl", "python-ssl", "python-requests", "node", "java", "git", "pwsh", "firefox", "chromium", IgnoreCase = true)]
    public string[]? Client { get; set; }

    /// <summary>Run the clients directly instead of in a new login shell (bash -lc).</summary>
    [Parameter]
    public SwitchParameter NoLoginShell { get; set; }

    /// <summary>Return one boolean: true when every client found trusts the chain.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void End()
    {
        var context = TrustContext.ForCurrentSystem(TrustScope.CurrentUser);
        var request = new TrustProbeRequest
        {
            Uri = Uri,
            Proxy = Proxy,
            Clients = Client,
            LoginShell = !NoLoginShell.IsPresent,
            PowerShell = ChildPowerShell(context),
        };
        var issuerName = Uri is null || ThroughMitmproxy.IsPresent ? Issuer?.VaultIdentity(Vault) : null;
        // The rehearsal's CA: an HSM-held key and a missing mitmproxy are refused before its password is asked for.
        var ca = ThroughMitmproxy.IsPresent ? new CaDirectory(Vault).ResolveOrDefault(issuerName) : null;
        if (ca is not null)
            MitmproxyRehearsal.Check(ca, context.Runner);
        using var secret = Reveal(ca is null ? IssuerKeyPassword
            : RequireSecret(IssuerKeyPassword, nameof(IssuerKeyPassword), $"The key password of '{ca.Identity}' (mitmproxy signs with it)", ca.Identity));
        MitmproxyRehearsal? rehearsal = null;
        try
        {
            if (ca is not null)
            {
                rehearsal = MitmproxyRehearsal.Start(ca, secret.Memory.Span, context.Runner, verifyUpstream: Uri is not null, TimeSpan.FromSeconds(30));
                WriteVerbose($"mitmproxy signs with '{ca.Identity}' ({ca.Certificate.Subject}); its CA folder: {rehearsal.Confdir.Path}; it listens at {rehearsal.Proxy.ProxyUrl}.");
                request = rehearsal.Apply(request);
            }
            Run(context, request, issuerName, secret.Memory);
        }
        finally
        {
            if (rehearsal is not null)
            {
                rehearsal.Dispose();
                WriteVerbose($"mitmproxy stopped; its CA folder {rehearsal.Confdir.Path} (the issuer's key) deleted.");
            }
        }
    }

    private void Run(TrustContext context, TrustProbeRequest request, string? issuerName, ReadOnlyMemory<char> password)
    {
        if (Uri is null)
        {
            var service = new InspectionService(Vault, ModuleState.Forging);
            var forged = Deliver(service.Forge(new ForgeRequest
            {
                Site = SiteProfile.FromNames(new[] { "localhost" }, new[] { "127.0.0.1" }),
                Issuer = issuerName,
                IssuerKeyPassword = password,
                IncludePrivateKey = true,
            }));
            WriteVerbose($"Loopback server certificate '{forged.Subject}' below '{forged.SigningCa}', chain of {forged.Chain.Length + 1}.");
            request = request with { ServerCertificate = forged.Certificate, ServerChain = forged.Chain };
        }
        var results = new TrustProbe(context).Run(request, (status, percent) => Progress(1, "Test-RootCertificateTrust", status, percent));
        if (request.Through is { } through)
            WriteVerbose($"Every client went through {through}.");
        ProgressDone(1, "Test-RootCertificateTrust");
        if (results.Count == 0)
            throw new PkiException(PkiErrorIds.TrustClientNotFound, PkiErrorCategory.ObjectNotFound,
                $"None of the clients ({string.Join(", ", Client ?? TrustProbe.ClientNames.ToArray())}) was found on PATH. Install curl, openssl or another client, or check PATH.", null);
        if (Quiet.IsPresent)
            WriteResult(results.All(r => r.Trusted));
        else
            WriteResults(results);
    }

    /// <summary>pwsh on PATH, else this PowerShell's pwsh.dll through dotnet (dotnet pwsh).</summary>
    private IReadOnlyList<string>? ChildPowerShell(TrustContext context)
    {
        if (context.Runner.Find("pwsh") is { } pwsh)
            return new[] { pwsh };
        var home = SessionState.PSVariable.GetValue("PSHOME") as string;
        var dll = home is null ? null : System.IO.Path.Combine(home, "pwsh.dll");
        var dotnet = Environment.ProcessPath is { } p && System.IO.Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : context.Runner.Find("dotnet");
        return dll is not null && File.Exists(dll) && dotnet is not null ? new[] { dotnet, dll } : null;
    }
}
