using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Authority;

/// <summary>
/// A kind of CA the vault holds: where its entries live, what it is called in messages, and how an entry becomes a
/// <see cref="CertificateAuthority"/>. Everything else about a CA (identity, chain, key, URLs, hash, issued-certificate
/// store) is the same for every kind, so a new kind is one new subclass added to <see cref="All"/>.
/// </summary>
public abstract class CaKind
{
    public static CaKind Enrollment { get; } = new EnrollmentCaKind();

    public static CaKind Intermediate { get; } = new IntermediateCaKind();

    /// <summary>Every kind, in the order a bare name is looked up (a name found in two kinds is ambiguous, not a pick).</summary>
    public static IReadOnlyList<CaKind> All { get; } = new[] { Enrollment, Intermediate };

    /// <summary>The vault collection, which is also the qualifier of an identity: <c>intermediate/Inspection-2026</c>.</summary>
    public abstract string Collection { get; }

    /// <summary>What users call this kind, for messages: "enrollment CA", "SSL-inspection intermediate".</summary>
    public abstract string Noun { get; }

    /// <summary>The cmdlet that lists this kind's names, for messages.</summary>
    public abstract string ListCommand { get; }

    /// <summary>The kind whose collection is <paramref name="collection"/> (case-insensitive), or null.</summary>
    public static CaKind? FromCollection(string? collection) =>
        All.FirstOrDefault(k => string.Equals(k.Collection, collection, StringComparison.OrdinalIgnoreCase));

    /// <summary>The stored spelling of <paramref name="name"/> when an entry of this kind has it (names ignore case), else null.</summary>
    internal string? FindName(Vault vault, string name) => vault.FindName(Collection, name);

    /// <summary>
    /// The CA of the entry <paramref name="name"/>, or null when this kind has no such entry. An entry that cannot sign yet
    /// (an intermediate without its signed certificate) is <c>IssuerNotReady</c>.
    /// </summary>
    internal abstract CertificateAuthority? TryOpen(Vault vault, Hsm.VaultKeys keys, string name);

    /// <summary>The names of this kind's entries that can sign now.</summary>
    internal abstract IEnumerable<string> ReadyNames(Vault vault);

    /// <summary>
    /// Sets the CDP and/or AIA URLs the entry <paramref name="name"/> embeds in what it issues from now on (null leaves a
    /// list as it is; an empty list clears it). Returns the stored spelling of the name and whether it had CDPs before, or
    /// null when this kind has no such entry. Called under the vault lock.
    /// </summary>
    internal abstract (string Name, bool HadCdps)? SetUrls(Vault vault, string name, IReadOnlyList<string>? crlDistributionPoints, IReadOnlyList<string>? authorityInfoAccess, DateTimeOffset now);

    /// <summary>
    /// Marks (<paramref name="revoked"/>) or unmarks the entries of this kind whose certificate <paramref name="isCertificate"/>
    /// recognises (its PEM), as <c>Revoke-Certificate</c>/<c>Restore-Certificate</c> of a CA's own certificate do, and says
    /// what changed for the user. <paramref name="lockVault"/> is taken only when an entry matches.
    /// </summary>
    internal abstract IEnumerable<string> MarkRevoked(Vault vault, Func<string?, bool> isCertificate, bool revoked, DateTimeOffset now, Func<IDisposable> lockVault);

    public override string ToString() => Collection;
}
