namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// What one TLS client (OpenSSL, Python, Go, Java, NSS, Chrome, Windows, Apple, Node, rustls) will do with a chain: a small
/// rule set over the result of the one validator (<see cref="ChainValidator"/>) and the chain's facts — not a validator of
/// its own. A new client is one new class; register it in <see cref="ClientProfiles.All"/>. Every rule is in docs/RULES.md.
/// </summary>
public interface IClientProfile
{
    /// <summary>Stable id, as in <c>-Client</c> and tests/testdata/client-verdicts (e.g. <c>openssl-strict</c>).</summary>
    string Id { get; }

    /// <summary>Display name, e.g. "OpenSSL 3 / Python >= 3.13 (VERIFY_X509_STRICT)".</summary>
    string Name { get; }

    /// <summary>Whether the real client runs on this platform's CI (Debian), so an agreement figure exists for it.</summary>
    bool RunnableHere { get; }

    /// <summary>The client's verdict on the chain described by <paramref name="facts"/>.</summary>
    ClientVerdict Evaluate(ClientChainFacts facts);
}

/// <summary>One reason a client rejects a chain: our rule id, the client's own error text (and code), and the element it is about (0 = leaf).</summary>
public sealed record ClientReason(string Rule, string Error, int? ElementIndex)
{
    public override string ToString() => ElementIndex is { } i ? $"[{i}] {Error}" : Error;
}

/// <summary>
/// A client's verdict: <see cref="Accepted"/>, and when rejected the client's own error text for the first reason
/// (<see cref="Error"/>, what the user would see) and every reason (<see cref="Reasons"/>).
/// </summary>
public sealed record ClientVerdict
{
    /// <summary>The client id (<see cref="IClientProfile.Id"/>).</summary>
    public required string Client { get; init; }

    public required string Name { get; init; }

    public required bool Accepted { get; init; }

    /// <summary>"Accept" or "Reject" (a property name, so it can head a table column).</summary>
    public string Verdict => Accepted ? "Accept" : "Reject";

    /// <summary>The client's error as it prints it (first reason), or empty when accepted.</summary>
    public string Error => Reasons.Count == 0 ? "" : Reasons[0].Error;

    /// <summary>Our rule id of the first reason (a validator problem code, or a client rule such as <c>Strict.CaBasicConstraintsNotCritical</c>).</summary>
    public string Rule => Reasons.Count == 0 ? "" : Reasons[0].Rule;

    public required IReadOnlyList<ClientReason> Reasons { get; init; }

    public override string ToString() => Accepted ? $"{Client}: accept" : $"{Client}: reject ({Error})";
}
