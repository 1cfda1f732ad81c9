using System.Security.Cryptography.X509Certificates;
using System.Text;
using ZscalerPki.Core.Validation.Clients;

namespace ZscalerPki.Core.Validation;

/// <summary>Whether a problem invalidates the chain.</summary>
public enum ChainProblemSeverity
{
    /// <summary>The chain is invalid.</summary>
    Error,
    /// <summary>Reported only (e.g. unknown revocation status when that is not a failure).</summary>
    Warning,
}

/// <summary>One finding: a stable <see cref="Code"/> (see <see cref="ChainProblemCodes"/>), a message, and the element it is about (0 = leaf), if any.</summary>
public sealed record ChainProblem(string Code, string Message, int? ElementIndex, ChainProblemSeverity Severity = ChainProblemSeverity.Error)
{
    public override string ToString() => ElementIndex is { } i ? $"[{i}] {Code}: {Message}" : $"{Code}: {Message}";
}

/// <summary>Revocation outcome of one element.</summary>
public enum RevocationStatus
{
    /// <summary>Not checked (revocation off, or trust anchor).</summary>
    NotChecked,
    /// <summary>Covered by valid CRLs for all reasons and not listed.</summary>
    Good,
    /// <summary>Listed on a CRL.</summary>
    Revoked,
    /// <summary>No usable CRL covered all reasons.</summary>
    Unknown,
}

/// <summary>One certificate of the reported path, leaf first.</summary>
public sealed record ChainElementResult
{
    public required int Index { get; init; }
    public required X509Certificate2 Certificate { get; init; }
    public required string Subject { get; init; }
    public required string Issuer { get; init; }
    public required string Thumbprint { get; init; }
    public required DateTime NotBefore { get; init; }
    public required DateTime NotAfter { get; init; }
    public required bool IsTrustAnchor { get; init; }
    public RevocationStatus Revocation { get; init; }
    public required IReadOnlyList<ChainProblem> Problems { get; init; }

    /// <summary>True when this element has no error-severity problems.</summary>
    public bool IsValid => Problems.All(p => p.Severity != ChainProblemSeverity.Error);

    /// <summary>
    /// One readable line (as Format-List shows the elements of a result): index, subject, and the problem codes, instead of a
    /// record's member dump with collection type names.
    /// </summary>
    public override string ToString() =>
        $"[{Index}] {Subject}{(IsTrustAnchor ? " (trust anchor)" : string.Empty)}{(Problems.Count == 0 ? string.Empty : ": " + string.Join(", ", Problems.Select(p => p.Code).Distinct()))}";
}

/// <summary>Output of <see cref="ChainValidator.Validate(ChainValidationRequest)"/>.</summary>
public sealed record ChainValidationResult
{
    /// <summary>True when a path to a trust anchor was found and no error-severity problem applies.</summary>
    public required bool IsValid { get; init; }

    /// <summary>The chosen path (the valid one, or the best failing candidate), leaf first, trust anchor last when one was reached.</summary>
    public required IReadOnlyList<ChainElementResult> Elements { get; init; }

    /// <summary>All problems (errors and warnings), each with its element index where it applies.</summary>
    public required IReadOnlyList<ChainProblem> Problems { get; init; }

    public required ValidationProfile Profile { get; init; }

    /// <summary>The validation time used.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>RFC 5280 user-constrained-policy-set of the path (OIDs; anyPolicy included when it survived).</summary>
    public IReadOnlyList<string> ValidPolicies { get; init; } = Array.Empty<string>();

    /// <summary>How many candidate paths were examined.</summary>
    public int CandidatePathsTried { get; init; }

    /// <summary>"Valid", or "Invalid: " and the error codes: a readable value where a result is shown as text.</summary>
    public override string ToString()
    {
        var errors = Problems.Where(p => p.Severity == ChainProblemSeverity.Error).Select(p => p.Code).Distinct().ToList();
        return IsValid ? "Valid" : errors.Count == 0 ? "Invalid" : "Invalid: " + string.Join(", ", errors);
    }

    /// <summary>
    /// Per-client verdicts (<c>Test-CertificateChain -Client</c>, <see cref="ClientProfiles.Evaluate"/>): what each client will do
    /// with this chain and why. Empty unless asked for; <see cref="IsValid"/> stays the RFC 5280 (or WebPki) verdict.
    /// </summary>
    public IReadOnlyList<ClientVerdict> Clients { get; init; } = Array.Empty<ClientVerdict>();

    /// <summary>The ids of the clients that reject the chain (empty when none was asked for or all accept).</summary>
    public IReadOnlyList<string> RejectedBy => Clients.Where(c => !c.Accepted).Select(c => c.Client).ToList();

    /// <summary>The client verdicts as a table that fits 80 columns (headers are the <see cref="ClientVerdict"/> property names).</summary>
    internal static void AppendClientTable(StringBuilder sb, IReadOnlyList<ClientVerdict> clients)
    {
        const int clientWidth = 14, verdictWidth = 7, errorWidth = 80 - clientWidth - verdictWidth - 2 - 1;
        sb.Append("Client".PadRight(clientWidth)).Append(' ').Append("Verdict".PadRight(verdictWidth)).Append(' ').AppendLine("Error");
        sb.Append("------".PadRight(clientWidth)).Append(' ').Append("-------".PadRight(verdictWidth)).Append(' ').AppendLine("-----");
        foreach (var c in clients)
        {
            var error = c.Error.Length > errorWidth ? c.Error[..(errorWidth - 1)] + "…" : c.Error;
            sb.Append(c.Client.PadRight(clientWidth)).Append(' ').Append(c.Verdict.PadRight(verdictWidth)).Append(' ').AppendLine(error);
        }
        int rejected = clients.Count(c => !c.Accepted);
        sb.Append(rejected == 0 ? $"All {clients.Count} clients accept." : $"{rejected} of {clients.Count} clients reject: see .Clients (all reasons: .Clients.Reasons).");
    }

    /// <summary>Draws the chain as an indented tree, trust anchor at the top, with ✔/✘ per element and its problems.</summary>
    public string ToTreeString()
    {
        var sb = new StringBuilder();
        int depth = 0;
        for (int i = Elements.Count - 1; i >= 0; i--, depth++)
        {
            var e = Elements[i];
            var indent = new string(' ', depth * 2);
            sb.Append(indent).Append(depth == 0 ? "" : "└─ ").Append(e.IsValid ? "✔ " : "✘ ").Append(e.Subject)
              .Append(e.IsTrustAnchor ? " (trust anchor)" : "").Append(" [").Append(e.Thumbprint).Append(']').AppendLine();
            foreach (var p in e.Problems)
                sb.Append(indent).Append(depth == 0 ? "   " : "      ").Append(p.Severity == ChainProblemSeverity.Error ? "! " : "? ").Append(p.Code).Append(": ").Append(p.Message).AppendLine();
        }
        foreach (var p in Problems.Where(p => p.ElementIndex is null))
            sb.Append(p.Severity == ChainProblemSeverity.Error ? "! " : "? ").Append(p.Code).Append(": ").Append(p.Message).AppendLine();
        sb.Append(IsValid ? "Valid" : "Invalid");
        if (Clients.Count > 0)
        {
            sb.AppendLine().AppendLine();
            AppendClientTable(sb, Clients);
        }
        return sb.ToString();
    }
}
