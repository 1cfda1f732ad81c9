using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ZscalerPki.Core.Inspection;

/// <summary>
/// What forging keeps between calls: the issuers opened so far (their keys loaded once, not once per certificate) and
/// the memory cache of forged certificates. One per PowerShell session (the cmdlet assembly owns it), one per test; an
/// <see cref="InspectionService"/> only borrows it, so services built per cmdlet invocation share what an earlier one
/// opened, and two sessions never see each other's keys or certificates. Thread-safe.
/// </summary>
public sealed class ForgingSession : IDisposable
{
    private readonly ConcurrentDictionary<string, OpenedIssuer> _opened = new(StringComparer.Ordinal);

    /// <summary>
    /// Keys the issuer-key password into an opened issuer's identity without keeping the password: a wrong password must
    /// not find the issuer a right one opened. Per session, so the fingerprint means nothing outside it.
    /// </summary>
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);

    /// <summary>Forged certificates of this session, by issuer, key choice and names.</summary>
    public ForgeCache Cache { get; } = new();

    /// <summary>How many issuers are open (tests; diagnostics).</summary>
    public int OpenedCount => _opened.Count;

    internal byte[] PasswordFingerprint(ReadOnlySpan<byte> password) => HMACSHA256.HashData(_secret, password);

    internal bool TryGetOpened(string id, out OpenedIssuer opened) => _opened.TryGetValue(id, out opened!);

    /// <summary>The issuer opened under this id, else <paramref name="opened"/> (two callers may race to open the same one).</summary>
    internal OpenedIssuer GetOrAddOpened(string id, OpenedIssuer opened) => _opened.GetOrAdd(id, opened);

    internal OpenedIssuer GetOrAddOpened(string id, Func<string, OpenedIssuer> open) => _opened.GetOrAdd(id, open);

    /// <summary>Forgets an issuer whose key went away (an HSM key deleted, a token removed), so the next call opens it again.</summary>
    internal bool Evict(OpenedIssuer opened)
    {
        var removed = false;
        foreach (var pair in _opened.Where(p => ReferenceEquals(p.Value, opened)).ToList())
            removed |= _opened.TryRemove(pair);
        if (removed)
            opened.Dispose();
        return removed;
    }

    /// <summary>Forgets every opened issuer and cached certificate: afterwards forging behaves as in a new PowerShell session.</summary>
    public void Clear()
    {
        foreach (var id in _opened.Keys)
        {
            if (_opened.TryRemove(id, out var opened))
                opened.Dispose();
        }
        Cache.Clear();
    }

    public void Dispose() => Clear();
}
