using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Inspection;

/// <summary>A forged certificate as persisted in the vault (<c>inspection/&lt;issuer&gt;/cache/&lt;sha256 of cache key&gt;.json</c>).</summary>
public sealed record PersistedForgery
{
    public required string CacheKey { get; init; }
    public required string IssuerId { get; init; }
    public required string CertificateDer { get; init; }
    public InspectionKeyAlgorithm KeyAlgorithm { get; init; }
    public bool SharedKey { get; init; }
    /// <summary>The per-site key, sealed (see <see cref="InspectionStore"/>); null for the shared key.</summary>
    public string? SealedKey { get; init; }
    public DateTimeOffset NotBefore { get; init; }
    public DateTimeOffset NotAfter { get; init; }
    public DateTimeOffset RenewAfter { get; init; }
    public DateTimeOffset CreatedUtc { get; init; }
}

/// <summary>One "(t)" generation: a short-lived issuing CA below the vault CA.</summary>
public sealed record RotatingGeneration
{
    public required string CertificatePem { get; init; }
    public required string SealedKey { get; init; }
    public required string ParentThumbprint { get; init; }
    public DateTimeOffset CreatedUtc { get; init; }
}

/// <summary>The rotating CA's generations, newest last (<c>inspection/&lt;issuer&gt;/rotating.json</c>).</summary>
public sealed record RotatingState
{
    public List<RotatingGeneration> Generations { get; init; } = new();
}

/// <summary>The shared leaf key of an issuer (<c>inspection/&lt;issuer&gt;/shared-&lt;algorithm&gt;.json</c>).</summary>
public sealed record PersistedSharedKey
{
    public required string SealedKey { get; init; }
    public DateTimeOffset CreatedUtc { get; init; }
}

/// <summary>
/// What SSL inspection keeps in the vault, beside its issuer, under <c>inspection/&lt;collection&gt;-&lt;name&gt;/</c>: the
/// cached forged certificates, the shared leaf key and the rotating CA's generations. Private keys are sealed with
/// AES-256-GCM under a key derived (HKDF-SHA256) from the issuer's own private key, so whoever can open the issuer (its key
/// password) can open them, nobody else; files are 0600, written by temp file + rename under the vault lock.
/// </summary>
public sealed class InspectionStore
{
    private const string Folder = "inspection";
    private readonly Vault _vault;
    private readonly byte[] _kek;

    public InspectionStore(Vault vault, string collection, string name, ReadOnlySpan<byte> issuerPkcs8)
    {
        _vault = vault;
        Directory = Path.Combine(vault.Root, Folder, $"{collection}-{name}");
        _kek = HKDF.DeriveKey(HashAlgorithmName.SHA256, issuerPkcs8.ToArray(), 32,
            Encoding.UTF8.GetBytes("ZscalerPki inspection store v1"), Encoding.UTF8.GetBytes($"{collection}/{name}"));
    }

    public string Directory { get; }

    public IDisposable Lock() => _vault.Lock();

    // ---------------------------------------------------------------- cache

    public static string FileNameOf(string cacheKey) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(cacheKey))).ToLowerInvariant() + ".json";

    /// <summary>
    /// The cached certificate of a site, or null. An unreadable entry is a miss, not an error: it is a cache, every
    /// certificate in it was recorded when it was signed, and the site is simply forged again (the entry is replaced).
    /// </summary>
    public PersistedForgery? ReadForgery(string cacheKey)
    {
        var path = Path.Combine(Directory, "cache", FileNameOf(cacheKey));
        PersistedForgery? entry;
        try
        {
            entry = Read<PersistedForgery>(path);
        }
        catch (PkiException ex) when (ex.ErrorId == PkiErrorIds.InspectionCacheCorrupt)
        {
            return null;
        }
        return entry is not null && entry.CacheKey == cacheKey ? entry : null;
    }

    /// <summary>
    /// Writes a cache entry; the caller holds the vault lock. Whole or not at all (temp file + rename), but not flushed to
    /// disk: after a power loss an entry may be missing or empty, which <see cref="ReadForgery"/> takes as a miss. What
    /// must survive, the record of the certificate, was committed to the issued-certificate database before.
    /// </summary>
    public void WriteForgery(PersistedForgery entry)
    {
        Write(Path.Combine(Directory, "cache", FileNameOf(entry.CacheKey)), entry, durable: false);
        if (_count is not null)
            _count++;
    }

    /// <summary>Entries in the cache folder as far as this store knows: counted once, then kept up to date by its writes.</summary>
    private int? _count;

    /// <summary>Bound on persisted certificates per issuer; beyond it, those past renewal go, then the oldest.</summary>
    public const int MaxPersisted = 20_000;

    /// <summary>Keeps the cache folder bounded; the caller holds the vault lock.</summary>
    public void Prune(DateTimeOffset now, int max = MaxPersisted)
    {
        var dir = Path.Combine(Directory, "cache");
        if (!System.IO.Directory.Exists(dir))
            return;
        // The folder is listed (names only) once per store, then only when the writes since may have passed the bound:
        // listing 10,000 entries with their file information on every flush made each forge slower than the last.
        _count ??= CountForgeries();
        if (_count <= max)
            return;
        var files = new DirectoryInfo(dir).GetFiles("*.json");
        _count = files.Length;
        if (files.Length <= max)
            return;
        var kept = new List<FileInfo>();
        foreach (var f in files)
        {
            PersistedForgery? entry = null;
            try
            {
                entry = Read<PersistedForgery>(f.FullName);
            }
            catch (PkiException)
            {
            }
            if (entry is null || entry.RenewAfter <= now)
                AtomicFile.TryDelete(f.FullName);
            else
                kept.Add(f);
        }
        foreach (var f in kept.OrderBy(f => f.LastWriteTimeUtc).Take(Math.Max(0, kept.Count - max)))
            AtomicFile.TryDelete(f.FullName);
        _count = null;
    }

    public int CountForgeries() =>
        System.IO.Directory.Exists(Path.Combine(Directory, "cache")) ? System.IO.Directory.EnumerateFiles(Path.Combine(Directory, "cache"), "*.json").Count() : 0;

    // ---------------------------------------------------------------- shared key, rotating CA

    public PersistedSharedKey? ReadSharedKey(InspectionKeyAlgorithm algorithm) => Read<PersistedSharedKey>(SharedPath(algorithm));

    public void WriteSharedKey(InspectionKeyAlgorithm algorithm, PersistedSharedKey key) => Write(SharedPath(algorithm), key);

    public RotatingState ReadRotating() => Read<RotatingState>(Path.Combine(Directory, "rotating.json")) ?? new RotatingState();

    public void WriteRotating(RotatingState state) => Write(Path.Combine(Directory, "rotating.json"), state);

    private string SharedPath(InspectionKeyAlgorithm algorithm) => Path.Combine(Directory, $"shared-{algorithm}.json");

    // ---------------------------------------------------------------- sealing

    /// <summary>nonce (12) | tag (16) | ciphertext, base64; <paramref name="context"/> is bound as associated data.</summary>
    public string Seal(ReadOnlySpan<byte> plaintext, string context)
    {
        var blob = new byte[12 + 16 + plaintext.Length];
        RandomNumberGenerator.Fill(blob.AsSpan(0, 12));
        using var aes = new AesGcm(_kek, 16);
        aes.Encrypt(blob.AsSpan(0, 12), plaintext, blob.AsSpan(28), blob.AsSpan(12, 16), Encoding.UTF8.GetBytes(context));
        return Convert.ToBase64String(blob);
    }

    public byte[] Unseal(string sealedBase64, string context)
    {
        try
        {
            var blob = Convert.FromBase64String(sealedBase64);
            if (blob.Length < 28)
                throw new CryptographicException("too short");
            var plain = new byte[blob.Length - 28];
            using var aes = new AesGcm(_kek, 16);
            aes.Decrypt(blob.AsSpan(0, 12), blob.AsSpan(28), blob.AsSpan(12, 16), plain, Encoding.UTF8.GetBytes(context));
            return plain;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            throw new PkiException(PkiErrorIds.InspectionCacheCorrupt, PkiErrorCategory.InvalidData,
                $"A sealed key in '{Directory}' cannot be opened ({ex.Message}): the file was changed, or the issuer's key was replaced. Remove the folder '{Directory}' (forged certificates are then made anew).", Directory, ex);
        }
    }

    private static T? Read<T>(string path) where T : class
    {
        if (!File.Exists(path))
            return null;
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Vault.Json);
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            throw new PkiException(PkiErrorIds.InspectionCacheCorrupt, PkiErrorCategory.InvalidData,
                $"The inspection file '{path}' is not valid: {ex.Message}. Remove it (forged certificates are then made anew).", path, ex);
        }
    }

    private static void Write<T>(string path, T value, bool durable = true)
    {
        var dir = Path.GetDirectoryName(path)!;
        if (!System.IO.Directory.Exists(dir))
        {
            if (OperatingSystem.IsWindows())
                System.IO.Directory.CreateDirectory(dir);
            else
                System.IO.Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, Vault.Json);
        if (durable)
        {
            AtomicFile.WriteAllBytes(path, bytes, secret: true);
            return;
        }
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = AtomicFile.OwnerOnly;
            using (var stream = new FileStream(temp, options))
                stream.Write(bytes);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }
}
