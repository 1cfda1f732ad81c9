using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Infrastructure;

/// <summary>
/// Completes a parameter that takes certificates from files or from the vault (Test-CertificateChain -TrustedRoot,
/// -Intermediate): file and folder paths first, as PowerShell completes -Path, then the names of vault CAs.
/// </summary>
public sealed class CertificateSourceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var results = new List<CompletionResult>();
        try
        {
            results.AddRange(CompletionCompleters.CompleteFilename(wordToComplete ?? string.Empty));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            // A path the provider cannot complete: the vault names are still offered.
        }
        results.AddRange(new CaNameCompleter().CompleteArgument(commandName, parameterName, wordToComplete ?? string.Empty, commandAst, fakeBoundParameters));
        return results;
    }
}

/// <summary>
/// Completes -SerialNumber with the serials the -Issuer on the command line has issued (newest first), never with file
/// names: without an issuer or with none issued there is nothing to offer.
/// </summary>
public sealed class SerialNumberCompleter : IArgumentCompleter
{
    private const int MaxResults = 200;

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var serials = Serials(fakeBoundParameters?["VaultPath"] as string, fakeBoundParameters?["Issuer"], wordToComplete);
        if (serials.Count == 0)
        {
            // An empty answer would make PowerShell fall back to completing file names, which are never serial numbers: the
            // one result keeps what was typed (an empty word stays an empty quoted string) and says why nothing is offered.
            var keep = string.IsNullOrEmpty(wordToComplete) ? "''" : wordToComplete;
            return new[] { new CompletionResult(keep, "(no serial numbers: name the -Issuer first)", CompletionResultType.ParameterValue, "Get-IssuedCertificate -Issuer <CA> lists the serial numbers a vault CA issued.") };
        }
        return serials.Select(r => new CompletionResult(r.Serial, r.Serial, CompletionResultType.ParameterValue, r.Subject));
    }

    /// <summary>The serials to offer (testable without a PowerShell engine).</summary>
    internal static IReadOnlyList<(string Serial, string Subject)> Serials(string? vaultPath, object? issuer, string? wordToComplete)
    {
        var name = CertificateInput.Unwrap(issuer) switch
        {
            string s => s,
            IssuerArgument a => a.Identity,
            _ => null,
        };
        var path = string.IsNullOrEmpty(vaultPath) ? Vault.DefaultPath : vaultPath;
        if (string.IsNullOrWhiteSpace(name) || !Directory.Exists(path))
            return Array.Empty<(string, string)>();
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        try
        {
            return new RevocationService(Vault.Open(path)).Get(name.Trim('\'', '"'), new IssuedCertificateQuery())
                .Where(r => r.SerialNumber.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Take(MaxResults)
                .Select(r => (r.SerialNumber, r.Subject))
                .ToList();
        }
        catch (Exception ex) when (ZscalerPkiCmdlet.Translate(ex) is not null)
        {
            return Array.Empty<(string, string)>();
        }
    }
}
