namespace ZscalerPki.Core;

/// <summary>
/// What came of a request to a service: the item; warnings, for what needs the user's attention (a clamped validity they
/// asked for, a chain that was dropped); and information, for what happened as asked (a new default, a replaced CA).
/// </summary>
public sealed record PkiResult<T>(T Item, IReadOnlyList<string> Warnings)
{
    /// <summary>Notes on normal success; the cmdlets write them to the information stream, not as warnings.</summary>
    public IReadOnlyList<string> Information { get; init; } = Array.Empty<string>();
}
