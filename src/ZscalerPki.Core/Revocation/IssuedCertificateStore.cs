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
    private const int SchemaVersion = 1;
    private SqliteConnection? _connection;

    private IssuedCertificateStore(CertificateAuthority ca) => Ca = ca;

    /// <summary>The CA whose database this is.</summary>
    public CertificateAuthority Ca { get; }

    public string DatabasePath => Path.Combine(Ca.Folder, FileName);

    /// <summary>Opens (creating on first use) the database of the vault CA <paramref name="caName"/>.</summary>
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
            using var tx = c.BeginTransaction();
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
                var subj = reader.GetString(1);
                if (subject is not null && !subject.IsMatch(subj))
                    continue;
                yield return new IssuedCertificateRecord(Ca.Name, Ca.Identity, Ca.Vault.Root, (byte[])reader[8], SerialNumbers.ToHex((byte[])reader[0]), subj,
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(3)), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(4)),
                    DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(5)), reader.GetString(6), reader.GetString(7),
                    reader.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(9)),
                    reader.IsDBNull(10) ? null : (RevocationReason)reader.GetInt32(10),
                    reader.IsDBNull(11) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(11)));
            }
        }
    }

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
        _connection?.Dispose();
        _connection = null;
    }

    private static string? SubjectAltNames(X509Certificate2 certificate)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null)
            return null;
        var names = san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(ip => ip.ToString())).ToList();
        return names.Count == 0 ? null : string.Join('\n', names);
    }

    internal SqliteConnection Connection()
    {
        if (_connection is not null)
            return _connection;
        SqliteRuntime.EnsureLoaded();
        try
        {
            Directory.CreateDirectory(Ca.Folder);
            var c = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = DatabasePath,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
                DefaultTimeout = 30,
            }.ToString());
            c.Open();
            try
            {
                Init(c);
            }
            catch
            {
                c.Dispose();
                throw;
            }
            _connection = c;
            return c;
        }
        catch (SqliteException ex)
        {
            throw Translate(ex);
        }
    }

    private static void Init(SqliteConnection c)
    {
        Run(c, "PRAGMA busy_timeout = 30000");
        // Each cmdlet call opens and closes the database; without this the closing connection would checkpoint the WAL
        // into the database (two more fsyncs) every time. SQLite's auto-checkpoint (1000 pages) still bounds the WAL.
        SQLitePCL.raw.sqlite3_db_config(c.Handle!, SQLitePCL.raw.SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, out _);
        // FULL: a commit is on disk (WAL fsynced) before the call returns, so a revocation reported done survives a power
        // loss, not only a killed process.
        Run(c, "PRAGMA synchronous = FULL");
        using var check = c.CreateCommand();
        check.CommandText = "PRAGMA user_version";
        if (Convert.ToInt32(check.ExecuteScalar()) == SchemaVersion)
            return;
        // WAL (persistent in the file, so set once): readers never block the writer, and Publish-Crl reads a snapshot.
        Run(c, "PRAGMA journal_mode = WAL");
        using var tx = c.BeginTransaction();
        Run(c, """
            CREATE TABLE IF NOT EXISTS issued(
                serial BLOB PRIMARY KEY, subject TEXT NOT NULL, sans TEXT, not_before INTEGER NOT NULL, not_after INTEGER NOT NULL,
                issued_at INTEGER NOT NULL, profile TEXT NOT NULL, thumbprint TEXT NOT NULL, der BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS issued_not_after ON issued(not_after);
            CREATE INDEX IF NOT EXISTS issued_issued_at ON issued(issued_at);
            CREATE TABLE IF NOT EXISTS revoked(
                serial BLOB PRIMARY KEY, revoked_at INTEGER NOT NULL, reason INTEGER NOT NULL, invalidity INTEGER,
                not_after INTEGER, seq INTEGER NOT NULL, released INTEGER NOT NULL DEFAULT 0, entry BLOB NOT NULL) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS revoked_seq ON revoked(seq);
            CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            PRAGMA user_version = 1;
            """, tx);
        tx.Commit();
    }

    internal static void Run(SqliteConnection c, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    internal T Execute<T>(Func<SqliteConnection, T> action)
    {
        try
        {
            return action(Connection());
        }
        catch (SqliteException ex)
        {
            throw Translate(ex);
        }
    }

    internal PkiException Translate(SqliteException ex) => ex.SqliteErrorCode switch
    {
        // SQLITE_CORRUPT, SQLITE_NOTADB
        11 or 26 => new PkiException(PkiErrorIds.IssuedStoreCorrupt, PkiErrorCategory.InvalidData,
            $"The issued-certificate database of '{Ca.Name}' ({DatabasePath}) is damaged: {ex.Message}. Restore it from a backup; nothing was changed.", DatabasePath, ex),
        // SQLITE_BUSY, SQLITE_LOCKED
        5 or 6 => new PkiException(PkiErrorIds.VaultBusy, PkiErrorCategory.ResourceBusy,
            $"The issued-certificate database of '{Ca.Name}' stayed locked by another process for 30 s. Try again when it has finished.", DatabasePath, ex),
        // SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL
        14 or 8 or 10 or 13 => new PkiException(PkiErrorIds.IssuedStoreUnavailable, PkiErrorCategory.WriteError,
            $"The issued-certificate database of '{Ca.Name}' ({DatabasePath}) cannot be written: {ex.Message}. Check the vault folder's permissions and free space.", DatabasePath, ex),
        _ => new PkiException(PkiErrorIds.IssuedStoreUnavailable, PkiErrorCategory.NotSpecified,
            $"The issued-certificate database of '{Ca.Name}' ({DatabasePath}) failed: {ex.Message}.", DatabasePath, ex),
    };
}
