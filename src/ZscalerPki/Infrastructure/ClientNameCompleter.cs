using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ZscalerPki.Core.Validation.Clients;

namespace ZscalerPki.Infrastructure;

/// <summary>Tab completion of Test-CertificateChain -Client: every client profile id, then All.</summary>
public sealed class ClientNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return ClientProfiles.All.Select(c => (c.Id, c.Name)).Append(("All", "Every client"))
            .Where(c => c.Item1.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(c => new CompletionResult(c.Item1, c.Item1, CompletionResultType.ParameterValue, c.Item2));
    }
}
