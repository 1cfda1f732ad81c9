namespace ZscalerPki.Core;

/// <summary>What came of a request to a service: the item, and warnings to show (e.g. a clamped validity).</summary>
public sealed record PkiResult<T>(T Item, IReadOnlyList<string> Warnings);
