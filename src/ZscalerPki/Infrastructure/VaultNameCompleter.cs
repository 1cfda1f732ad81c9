using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Infrastructure;

/// <summary>Tab completion of vault entry names; honours -VaultPath when it is already on the command line.</summary>
public abstract class VaultNameCompleter : IArgumentCompleter
{
    private readonly string _collection;

    protected VaultNameCompleter(string collection) => _collection = collection;

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var vaultPath = fakeBoundParameters?["VaultPath"] as string;
        return Complete(vaultPath, _collection, wordToComplete)
            .Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n));
    }

    /// <summary>The names to offer (testable without a PowerShell engine).</summary>
    internal static IReadOnlyList<string> Complete(string? vaultPath, string collection, string? wordToComplete)
    {
        var path = string.IsNullOrEmpty(vaultPath) ? Vault.DefaultPath : vaultPath;
        if (!Directory.Exists(path))
            return Array.Empty<string>();
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return Vault.Open(path).Names(collection)
            .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .ToList();
    }

    // Names are letters, digits, '.', '-', '_' only; none needs quoting except a leading '-'.
    private static string Quote(string name) => name.StartsWith('-') ? $"'{name}'" : name;
}

/// <summary>Completes enrollment certificate names.</summary>
public sealed class EnrollmentNameCompleter : VaultNameCompleter
{
    public EnrollmentNameCompleter()
        : base(Collections.Enrollment)
    {
    }
}

/// <summary>Completes SSL-inspection intermediate certificate names.</summary>
public sealed class IntermediateNameCompleter : VaultNameCompleter
{
    public IntermediateNameCompleter()
        : base(Collections.Intermediate)
    {
    }
}
