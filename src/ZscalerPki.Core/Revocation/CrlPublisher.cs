using ZscalerPki.Core.Authority;
using System.Security.Cryptography;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Revocation;

/// <summary>
/// Publish-Crl: reads the CA's revocations in one snapshot, writes and signs the CRL, and puts the file in place whole
/// (temp file in the same folder, flushed, renamed). One publisher per CA at a time (<c>crl.lock</c> in the CA's folder),
/// held from choosing the CRL number to the rename, so the file on disk only ever moves to a higher CRL number.
/// </summary>
public sealed class CrlPublisher
{
    private readonly Vault _vault;
    private readonly Hsm.VaultKeys _keys;
    private readonly Action<string, string> _putInPlace;

    public CrlPublisher(Vault vault)
        : this(vault, Hsm.HsmKeyFactory.Production)
    {
    }

    /// <summary>A publisher whose HSM keys go through <paramref name="hsm"/>.</summary>
    public CrlPublisher(Vault vault, Hsm.HsmKeyFactory hsm)
        : this(vault, hsm, static (temp, path) => File.Move(temp, path, overwrite: true))
    {
    }

    /// <summary>With the step that renames the signed temp file over the served one (tests make it fail).</summary>
    internal CrlPublisher(Vault vault, Action<string, string> putInPlace)
        : this(vault, Hsm.HsmKeyFactory.Production, putInPlace)
    {
    }

    private CrlPublisher(Vault vault, Hsm.HsmKeyFactory hsm, Action<string, string> putInPlace)
    {
        _vault = vault;
        _keys = new Hsm.VaultKeys(hsm);
        _putInPlace = putInPlace;
    }

    /// <summary>File name of a CA's base CRL (<c>&lt;name&gt;.crl</c>) or delta CRL (<c>&lt;name&gt;-delta.crl</c>).</summary>
    public static string FileName(string caName, bool delta) => caName + (delta ? "-delta.crl" : ".crl");

    public PkiResult<CrlPublication> Publish(PublishCrlRequest request)
    {
        var warnings = new List<string>();
        var now = CrlEncoder.Whole(request.Now ?? DateTimeOffset.UtcNow);
        var nextUpdate = CrlEncoder.Whole(request.NextUpdate ?? now + request.Validity);
        if (nextUpdate <= now)
            throw new PkiException(PkiErrorIds.InvalidCrlValidity, PkiErrorCategory.InvalidArgument,
                $"The next update {nextUpdate.UtcDateTime:u} is not after this update {now.UtcDateTime:u}. Pass a later -NextUpdate or a positive -Validity.", nextUpdate);

        using var store = IssuedCertificateStore.Open(_vault, request.Issuer);
        var ca = store.Ca;
        if (now > ca.Certificate.NotAfter.ToUniversalTime())
            warnings.Add($"The CA '{ca.Name}' expired on {ca.Certificate.NotAfter.ToUniversalTime():u}; clients will not accept CRLs it signs.");
        if (nextUpdate > ca.Certificate.NotAfter.ToUniversalTime())
            warnings.Add($"The next update {nextUpdate.UtcDateTime:u} is after the CA's end of validity ({ca.Certificate.NotAfter.ToUniversalTime():u}); publish a final CRL before then.");
        using var key = ca.OpenKey(_keys, request.KeyPassword.Span);
        return Publish(request, store, key, now, nextUpdate, warnings);
    }

    /// <summary>The publishing itself, with the CA's key already open (the benchmark times this part).</summary>
    internal PkiResult<CrlPublication> Publish(PublishCrlRequest request, IssuedCertificateStore store, AsymmetricAlgorithm key,
        DateTimeOffset now, DateTimeOffset nextUpdate, List<string> warnings)
    {
        var ca = store.Ca;

        var folder = Path.GetFullPath(request.Folder);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw NotWritable(folder, ex);
        }
        var path = Path.Combine(folder, FileName(ca.Name, request.Delta));
        var hash = ca.SignatureHash.ToName();

        using (CaLock(ca))
        {
            // The clock is read again under the lock, so a later CRL number never carries an earlier thisUpdate.
            if (request.Now is null)
            {
                var waited = CrlEncoder.Whole(DateTimeOffset.UtcNow);
                if (waited > now)
                {
                    if (request.NextUpdate is null)
                        nextUpdate += waited - now;
                    now = waited;
                }
            }
            RemoveAbandonedTemps(folder, ca.Name);
            // A publication killed between its rename and its database commit left the served files one number ahead of
            // the database: continue above the highest number served, so CRL numbers only ever increase.
            var served = ServedCrlNumber(folder, ca);
            CrlSnapshot? snapshot = null;
            var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
            long number = 0;
            int entries;
            try
            {
                // The entries wait in a scratch file beside it (named like a temp file, so a killed publication's is cleaned
                // up by the next one): memory stays flat whatever the CRL's size.
                var scratchPath = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
                using (var scratch = new FileStream(scratchPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose))
                using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    entries = CrlEncoder.Build(new CrlEncoder.CrlHeader(ca.Certificate, now, nextUpdate), key, hash, scratch,
                        add => snapshot = store.ReadCrlEntries(request.Delta, request.IncludeExpired, now, add),
                        () =>
                        {
                            // One more than the last published number, read in the same snapshot under the lock.
                            number = Math.Max(snapshot!.LastCrlNumber, served) + 1;
                            var freshest = snapshot.DeltasPublished || request.Delta
                                ? ca.CrlDistributionPoints.Select(DeltaUrl).ToList()
                                : new List<string>();
                            return new CrlEncoder.CrlNumbers(number, request.Delta ? snapshot.BaseNumber : null, freshest);
                        },
                        file);
                    file.Flush(flushToDisk: true);
                }
                // The file is put in place inside the transaction that records its number, before the commit.
                store.CommitCrl(number, request.Delta, snapshot!.Sequence, () => _putInPlace(temp, path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                AtomicFile.TryDelete(temp);
                throw NotWritable(folder, ex);
            }
            catch
            {
                AtomicFile.TryDelete(temp);
                throw;
            }

            string? pemPath = null;
            if (request.Pem)
            {
                pemPath = path + ".pem";
                AtomicFile.WriteAllText(pemPath, PemEncoding.WriteString("X509 CRL", File.ReadAllBytes(path)) + "\n");
            }
            // RFC 5280 5.2.6: clients learn of delta CRLs from the freshestCRL extension of the base they hold. A base only
            // announces deltas once one exists (a client told of a delta it cannot fetch may treat revocation as unknown),
            // so the base served before the first delta announces none, and clients ignore deltas until the next base.
            if (request.Delta && !snapshot!.DeltasPublished && ca.CrlDistributionPoints.Count > 0)
                warnings.Add($"This is the first delta CRL of '{ca.Name}': the base CRL clients hold (#{snapshot.BaseNumber}) does not announce delta CRLs, so they will not fetch this one. Publish a base CRL now (Publish-Crl {ca.Identity} without -Delta); every base from then on names the delta in its FreshestCRL extension.");
            return new PkiResult<CrlPublication>(new CrlPublication(ca.Name, ca.Identity, number, request.Delta ? snapshot.BaseNumber : null, now, nextUpdate,
                entries, path, pemPath, request.Delta ? CrlKind.Delta : CrlKind.Base, _vault.Root), warnings);
        }
    }

    /// <summary>
    /// Temp files a killed publication of this CA left in the folder (<c>.&lt;name&gt;.crl.&lt;guid&gt;.tmp</c>): removed under
    /// the CA's lock, so no other publisher of this CA is writing one.
    /// </summary>
    private static void RemoveAbandonedTemps(string folder, string caName)
    {
        foreach (var delta in new[] { false, true })
        {
            foreach (var temp in Directory.EnumerateFiles(folder, $".{FileName(caName, delta)}.*.tmp"))
            {
                var guid = Path.GetFileName(temp)[(FileName(caName, delta).Length + 2)..^4];
                if (guid.Length == 32 && Guid.TryParseExact(guid, "N", out _))
                    AtomicFile.TryDelete(temp);
            }
        }
    }

    /// <summary>The highest CRL number in this CA's base and delta files in the folder (0 when none is there or readable).</summary>
    private static long ServedCrlNumber(string folder, CertificateAuthority ca)
    {
        long highest = 0;
        foreach (var delta in new[] { false, true })
        {
            var file = Path.Combine(folder, FileName(ca.Name, delta));
            try
            {
                if (!File.Exists(file))
                    continue;
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096);
                if (CrlEncoder.ReadCrlNumber(stream, ca.Certificate.SubjectName.RawData) is { } number)
                    highest = Math.Max(highest, number);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return highest;
    }

    /// <summary>Where a delta CRL is published, next to the base: <c>…/name.crl</c> → <c>…/name-delta.crl</c>.</summary>
    public static string DeltaUrl(string baseUrl) =>
        baseUrl.EndsWith(".crl", StringComparison.OrdinalIgnoreCase) ? baseUrl[..^4] + "-delta.crl" : baseUrl + "-delta";

    /// <summary>One publisher per CA across processes: an exclusive handle on <c>crl.lock</c> in the CA's folder.</summary>
    private static IDisposable CaLock(CertificateAuthority ca)
    {
        var lockPath = Path.Combine(ca.Folder, "crl.lock");
        return LockFile.Acquire(lockPath, TimeSpan.FromSeconds(60), ex =>
            new PkiException(PkiErrorIds.VaultBusy, PkiErrorCategory.ResourceBusy,
                $"Another process has been publishing a CRL for '{ca.Name}' for 60 s. Try again when it has finished.", ca.Name, ex));
    }

    private static PkiException NotWritable(string folder, Exception ex) =>
        new(PkiErrorIds.CrlFolderNotWritable, PkiErrorCategory.WriteError,
            $"Cannot write the CRL into '{folder}': {ex.Message} Choose a folder you can write to; nothing was published.", folder, ex);
}
