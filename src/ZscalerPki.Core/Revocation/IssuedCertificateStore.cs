using ZscalerPki.Core.Authority;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Data.Sqlite;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Revocation;

/// <summary>
/// The issued-certificate database of one vault CA: <c>issued.db</c> (SQLite, WAL, synchronous=FULL) in the CA's vault folder.
/// Tables: <c>issued</c> (every certificate the CA signed, with the DER), <c>revoked</c> (one row per revoked serial with
/// its pre-encoded CRL entry, so a CRL is a sequential copy), <c>state</c> (change sequence and CRL numbers).
/// <para>Crash-safe: a write returns only after SQLite committed it to disk, and a killed process leaves either the old or the
/// new row. Several processes may write at once (SQLite's file locks, busy timeout 30 s). Admins can query the file with
/// <c>sqlite3</c>.</para>
/// <para>Public recorder API for code that signs with a vault CA:
/// <c>using var store = IssuedCertificateStore.Open(vault, caName); store.Record(certificate, "Server");</c></para>
/// </summary>
public sealed partial class IssuedCertificateStore : IDisposable
{
    public const string FileName = "issued.db";

    private IssuedCertificateStore(CertificateAuthority ca) => Ca = ca;

    /// <summary>The CA whose database this is.</summary>
    public CertificateAuthority Ca { get; }

    public string DatabasePath => Path.Combine(Ca.Folder, FileName);

    /// <summary>Opens the database of the vault CA <paramref name="caName"/> (created on first use, see <see cref="Connection"/>).</summary>
    public static IssuedCertificateStore Open(Vault vault, string caName) => new(new CaDirectory(vault).Resolve(caName));

    internal static IssuedCertificateStore Open(CertificateAuthority ca) => new(ca);

    /// <summary>
    /// Records a certificate this CA signed (idempotent: recording the same serial again keeps the first row). Call it right
    /// after signing and before handing the certificate out, so nothing issued is ever missing from the database.
    /// </summary>
    public void Record(X509Certificate2 certificate, string profile, DateTimeOffset? issued = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        RecordMany(new[] { (certificate, profile, issued ?? DateTimeOffset.UtcNow) });
    }

    /// <summary>
    /// Records several certificates this CA signed in one transaction: committed (and flushed to disk) together, or not at
    /// all. Forging records its new certificates this way before any of them is handed out (group commit).
    /// </summary>
    public void RecordMany(IReadOnlyList<(X509Certificate2 Certificate, string Profile, DateTimeOffset Issued)> items)
    {
        foreach (var (certificate, _, _) in items)
        {
            if (!IssuedBy(certificate, Ca.Certificate))
                throw new PkiException(PkiErrorIds.NotIssuedByCa, PkiErrorCategory.InvalidArgument,
                    $"The certificate '{certificate.Subject}' was issued by '{certificate.Issuer}', not by the vault CA '{Ca.Name}' ({Ca.Certificate.Subject}); it is not recorded there.", certificate.Subject);
        }
        if (items.Count == 0)
            return;
        Execute(c =>
        {
            using var tx = Begin(c);
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT OR IGNORE INTO issued(serial, subject, sans, not_before, not_after, issued_at, profile, thumbprint, der) " +
                              "VALUES($serial, $subject, $sans, $nb, $na, $at, $profile, $thumb, $der)";
            var serial = cmd.Parameters.Add("$serial", SqliteType.Blob);
            var subject = cmd.Parameters.Add("$subject", SqliteType.Text);
            var sans = cmd.Parameters.Add("$sans", SqliteType.Text);
            var nb = cmd.Parameters.Add("$nb", SqliteType.Integer);
            var na = cmd.Parameters.Add("$na", SqliteType.Integer);
            var at = cmd.Parameters.Add("$at", SqliteType.Integer);
            var profile = cmd.Parameters.Add("$profile", SqliteType.Text);
            var thumb = cmd.Parameters.Add("$thumb", SqliteType.Text);
            var der = cmd.Parameters.Add("$der", SqliteType.Blob);
            foreach (var (certificate, p, issued) in items)
            {
                serial.Value = SerialNumbers.Normalize(certificate.SerialNumberBytes.Span);
                subject.Value = certificate.Subject;
                sans.Value = (object?)SubjectAltNames(certificate) ?? DBNull.Value;
                nb.Value = new DateTimeOffset(certificate.NotBefore.ToUniversalTime()).ToUnixTimeSeconds();
                na.Value = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()).ToUnixTimeSeconds();
                at.Value = issued.ToUnixTimeSeconds();
                profile.Value = p;
                thumb.Value = certificate.Thumbprint;
                der.Value = certificate.RawData;
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
            return 0;
        });
    }

    /// <summary>Issuer name equals the CA's subject, and the authority key identifier (when present) is the CA's key.</summary>
    internal static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 ca)
    {
        if (!certificate.IssuerName.RawData.AsSpan().SequenceEqual(ca.SubjectName.RawData))
            return false;
        var aki = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault();
        return aki?.KeyIdentifier is not { } keyId || keyId.Span.SequenceEqual(CrlEncoder.CaAkiKeyId(ca));
    }

    /// <summary>The row for one serial, or null.</summary>
    public IssuedCertificateRecord? Find(ReadOnlySpan<byte> serial) =>
        Query(new IssuedCertificateQuery { SerialNumber = SerialNumbers.ToHex(serial) }).FirstOrDefault();

    /// <summary>Rows matching the filters, streamed (the first arrives before the rest are read), in serial order.</summary>
    public IEnumerable<IssuedCertificateRecord> Query(IssuedCertificateQuery query)
    {
        var serial = query.SerialNumber is null ? null : SerialNumbers.Parse(query.SerialNumber);
        var subject = string.IsNullOrEmpty(query.Subject) ? null : new Wildcard(query.Subject);
        var where = new List<string>();
        var c = Connection();
        using var cmd = c.CreateCommand();
        if (serial is not null)
        {
            where.Add("i.serial = $serial");
            cmd.Parameters.AddWithValue("$serial", serial);
        }
        if (query.Revoked == true)
            where.Add("r.serial IS NOT NULL");
        else if (query.Revoked == false)
            where.Add("r.serial IS NULL");
        if (query.ExpiringBefore is { } eb)
        {
            where.Add("i.not_after < $eb");
            cmd.Parameters.AddWithValue("$eb", eb.ToUnixTimeSeconds());
        }
        if (query.IssuedAfter is { } ia)
        {
            where.Add("i.issued_at > $ia");
            cmd.Parameters.AddWithValue("$ia", ia.ToUnixTimeSeconds());
        }
        var join = query.Revoked == true ? "JOIN" : "LEFT JOIN";
        cmd.CommandText = "SELECT i.serial, i.subject, i.sans, i.not_before, i.not_after, i.issued_at, i.profile, i.thumbprint, i.der, " +
                          $"r.revoked_at, r.reason, r.invalidity FROM issued i {join} revoked r ON r.serial = i.serial AND r.released = 0" +
                          (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty);
        SqliteDataReader reader;
        try
        {
            reader = cmd.ExecuteReader();
        }
        catch (SqliteException ex)
        {
            throw Translate(ex);
        }
        using (reader)
        {
            while (true)
            {
                try
                {
                    if (!reader.Read())
                        yield break;
                }
                catch (SqliteException ex)
                {
                    throw Translate(ex);
                }
                // Any value fits any SQLite column: a TEXT serial or certificate is damage, not an InvalidCastException.
                if (reader.GetValue(0) is not byte[] serialBytes)
                    throw Corrupt($"a row of the issued table has a serial of type {SqlType(reader.GetValue(0))} ({reader.GetValue(0)}), not a BLOB");
                if (reader.GetValue(8) is not byte[] der)
                    throw Corrupt($"the certificate of issued serial {SerialNumbers.ToHex(serialBytes)} is of type {SqlType(reader.GetValue(8))}, not a BLOB");
                var subj = reader.GetValue(1) as string ?? reader.GetValue(1).ToString() ?? string.Empty;
                if (subject is not null && !subject.IsMatch(subj))
                    continue;
                yield return new IssuedCertificateRecord(Ca.Name, Ca.Identity, Ca.Vault.Root, der, SerialNumbers.ToHex(serialBytes), subj,
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(3)), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(4)),
                    DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(5)), reader.GetString(6), reader.GetString(7),
                    reader.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(9)),
                    reader.IsDBNull(10) ? null : (RevocationReason)reader.GetInt32(10),
                    reader.IsDBNull(11) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(11)));
            }
        }
    }

    private static string SqlType(object value) => value switch
    {
        string => "TEXT",
        long => "INTEGER",
        double => "REAL",
        byte[] => "BLOB",
        _ => "NULL",
    };

    /// <summary>Number of rows (issued, revoked).</summary>
    public (long Issued, long Revoked) Count() => Execute(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT (SELECT count(*) FROM issued), (SELECT count(*) FROM revoked WHERE released = 0)";
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1));
    });

    public void Dispose()
    {
        if (_connection is { } c)
            FoldWalIfLarge(c);
        _connection?.Dispose();
        _connection = null;
    }

    /// <summary>The write-ahead log size above which a closing store folds it into the database.</summary>
    internal const long WalFoldThreshold = 4L << 20;

    /// <summary>
    /// Keeps the write-ahead log small. Every command opens and closes the database and closes without a checkpoint (two
    /// fsyncs saved per call), and SQLite's automatic checkpoint (1,000 pages) copies frames back but does not shrink the
    /// file; measured, issued.db-wal grew about 18 KB per forged site and 15 KB per revocation, and every read searched the
    /// growing log index. So a store whose log has passed 4 MiB, when it closes, runs a PASSIVE checkpoint (it never waits for
    /// another process's readers or writer) and, if that copied every frame, a TRUNCATE one, which then has nothing left to
    /// wait for and empties the file; <c>journal_size_limit</c> (set at open) trims what a reset leaves.
    /// </summary>
    private static void FoldWalIfLarge(SqliteConnection c)
    {
        try
        {
            var wal = new FileInfo(c.DataSource + "-wal");
            if (!wal.Exists || wal.Length < WalFoldThreshold)
                return;
            using var passive = c.CreateCommand();
            passive.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            using (var r = passive.ExecuteReader())
            {
                // busy, frames in the log, frames checkpointed
                if (!r.Read() || r.GetInt64(0) != 0 || r.GetInt64(1) != r.GetInt64(2))
                    return;
            }
            using var truncate = c.CreateCommand();
            truncate.CommandText = "PRAGMA busy_timeout = 0; PRAGMA wal_checkpoint(TRUNCATE)";
            truncate.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // Folding is housekeeping: a busy or read-only database keeps its log for the next store that closes.
        }
    }

    private static string? SubjectAltNames(X509Certificate2 certificate)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null)
            return null;
        var names = san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(ip => ip.ToString())).ToList();
        return names.Count == 0 ? null : string.Join('\n', names);
    }
}
