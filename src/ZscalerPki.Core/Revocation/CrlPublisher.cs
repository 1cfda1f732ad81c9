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

    public CrlPublisher(Vault vault)
        : this(vault, Hsm.HsmKeyFactory.Production)
    {
    }

    /// <summary>A publisher whose HSM keys go through <paramref name="hsm"/>.</summary>
    public CrlPublisher(Vault vault, Hsm.HsmKeyFactory hsm)
    {
        _vault = vault;
        _keys = new Hsm.VaultKeys(hsm);
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
        var hash = HashFor(ca.Certificate);

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
            var estimate = store.EstimateEntryBytes(request.Delta);
            CrlSnapshot? snapshot = null;
            var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
            long number = 0;
            int entries;
            try
            {
                using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    entries = CrlEncoder.Build(new CrlEncoder.CrlHeader(ca.Certificate, now, nextUpdate), key, hash, estimate,
                        add => snapshot = store.ReadCrlEntries(request.Delta, request.IncludeExpired, now, add),
                        () =>
                        {
                            // One more than the last published number, read in the same snapshot under the lock.
                            number = snapshot!.LastCrlNumber + 1;
                            var freshest = snapshot.DeltasPublished || request.Delta
                                ? ca.CrlDistributionPoints.Select(DeltaUrl).ToList()
                                : new List<string>();
                            return new CrlEncoder.CrlNumbers(number, request.Delta ? snapshot.BaseNumber : null, freshest);
                        },
                        der => file.Write(der));
                    file.Flush(flushToDisk: true);
                }
                store.CommitCrl(number, request.Delta, snapshot!.Sequence);
                File.Move(temp, path, overwrite: true);
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
            return new PkiResult<CrlPublication>(new CrlPublication(ca.Name, number, request.Delta ? snapshot.BaseNumber : null, now, nextUpdate,
                entries, path, pemPath, request.Delta ? CrlKind.Delta : CrlKind.Base, _vault.Root), warnings);
        }
    }

    /// <summary>Where a delta CRL is published, next to the base: <c>…/name.crl</c> → <c>…/name-delta.crl</c>.</summary>
    public static string DeltaUrl(string baseUrl) =>
        baseUrl.EndsWith(".crl", StringComparison.OrdinalIgnoreCase) ? baseUrl[..^4] + "-delta.crl" : baseUrl + "-delta";

    private static HashAlgorithmName HashFor(System.Security.Cryptography.X509Certificates.X509Certificate2 ca)
    {
        // Match the strength of the CA's own key: P-384 signs with SHA-384, P-521 with SHA-512, everything else SHA-256.
        using var ec = System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions.GetECDsaPublicKey(ca);
        return ec?.KeySize switch
        {
            384 => HashAlgorithmName.SHA384,
            521 => HashAlgorithmName.SHA512,
            _ => HashAlgorithmName.SHA256,
        };
    }

    /// <summary>One publisher per CA across processes: an exclusive handle on <c>crl.lock</c> in the CA's folder.</summary>
    private static IDisposable CaLock(VaultCa ca)
    {
        var lockPath = Path.Combine(ca.Folder, "crl.lock");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var delay = 5;
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(Random.Shared.Next(delay, delay * 2));
                delay = Math.Min(delay * 2, 100);
            }
            catch (IOException ex)
            {
                throw new PkiException(PkiErrorIds.VaultBusy, PkiErrorCategory.ResourceBusy,
                    $"Another process has been publishing a CRL for '{ca.Name}' for 60 s. Try again when it has finished.", ca.Name, ex);
            }
        }
    }

    private static PkiException NotWritable(string folder, Exception ex) =>
        new(PkiErrorIds.CrlFolderNotWritable, PkiErrorCategory.WriteError,
            $"Cannot write the CRL into '{folder}': {ex.Message} Choose a folder you can write to; nothing was published.", folder, ex);
}
