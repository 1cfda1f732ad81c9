using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Infrastructure;

/// <summary>Completes the names of vault CAs that can issue and revoke: enrollment CAs and SSL-inspection intermediates.</summary>
public sealed class CaNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var vaultPath = fakeBoundParameters?["VaultPath"] as string;
        return VaultNameCompleter.Complete(vaultPath, Collections.Enrollment, wordToComplete)
            .Concat(VaultNameCompleter.Complete(vaultPath, Collections.Intermediate, wordToComplete))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(n => new CompletionResult(n.StartsWith('-') ? $"'{n}'" : n, n, CompletionResultType.ParameterValue, n));
    }
}
