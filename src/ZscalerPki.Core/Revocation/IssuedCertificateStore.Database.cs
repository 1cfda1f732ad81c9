using Microsoft.Data.Sqlite;
using SQLitePCL;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Core.Revocation;

/// <summary>Opening, creating and checking <c>issued.db</c>; transactions; SQLite errors as PkiExceptions.</summary>
public sealed partial class IssuedCertificateStore
{
    private const int SchemaVersion = 1;
    private SqliteConnection? _connection;

    /// <summary>
    /// The open connection. "Never created" and "damaged" are told apart by the file itself: <c>issued.db</c> is only ever
    /// created whole (schema and user_version written in a temp file that is then renamed into place, see
    /// <see cref="CreateDatabase"/>), so a CA folder without the file has never had a database, while an existing file that
    /// is empty (0 bytes), lacks the tables or has another user_version was truncated or replaced: <c>IssuedStoreCorrupt</c>,
    /// never silently recreated (that would restart CRL numbers at 1 and drop every revocation).
    /// </summary>
    internal SqliteConnection Connection()
    {
        if (_connection is not null)
            return _connection;
        SqliteRuntime.EnsureLoaded();
        try
        {
            if (!File.Exists(DatabasePath))
            {
                // A -wal without its database holds commits of a database that was deleted: SQLite would replay them into
                // a new file. That is damage, not a CA that never had a database.
                if (File.Exists(DatabasePath + "-wal") && new FileInfo(DatabasePath + "-wal").Length > 0)
                    throw Corrupt($"the file is missing but its write-ahead log {DatabasePath}-wal is not; it was deleted");
                CreateDatabase();
            }
            // ReadWrite, not ReadWriteCreate: a file removed between the check and here fails instead of starting empty.
            var c = Open(DatabasePath, SqliteOpenMode.ReadWrite);
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
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unavailable(ex.Message, ex);
        }
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        c.Open();
        return c;
    }

    /// <summary>
    /// Writes a complete empty database to a temp file and renames it to <c>issued.db</c> (never over an existing one: a
    /// concurrent creator that won keeps its file). Owner-only from the start; SQLite gives -wal and -shm the same mode.
    /// </summary>
    private void CreateDatabase()
    {
        VaultPermissions.CreateFolder(Ca.Folder);
        var temp = Path.Combine(Ca.Folder, $".{FileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (File.Create(temp))
            {
            }
            VaultPermissions.OwnerOnlyFile(temp);
            using (var c = Open(temp, SqliteOpenMode.ReadWrite))
            {
                // WAL (persistent in the file, so set once): readers never block the writer, and Publish-Crl reads a snapshot.
                Run(c, "PRAGMA journal_mode = WAL");
                using var tx = c.BeginTransaction();
                Run(c, """
                    CREATE TABLE issued(
                        serial BLOB PRIMARY KEY, subject TEXT NOT NULL, sans TEXT, not_before INTEGER NOT NULL, not_after INTEGER NOT NULL,
                        issued_at INTEGER NOT NULL, profile TEXT NOT NULL, thumbprint TEXT NOT NULL, der BLOB NOT NULL);
                    CREATE INDEX issued_not_after ON issued(not_after);
                    CREATE INDEX issued_issued_at ON issued(issued_at);
                    CREATE TABLE revoked(
                        serial BLOB PRIMARY KEY, revoked_at INTEGER NOT NULL, reason INTEGER NOT NULL, invalidity INTEGER,
                        not_after INTEGER, seq INTEGER NOT NULL, released INTEGER NOT NULL DEFAULT 0, entry BLOB NOT NULL) WITHOUT ROWID;
                    CREATE INDEX revoked_seq ON revoked(seq);
                    CREATE TABLE state(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                    PRAGMA user_version = 1;
                    """, tx);
                tx.Commit();
            } // the last connection closing checkpoints the WAL into the file and removes -wal and -shm
            try
            {
                File.Move(temp, DatabasePath, overwrite: false);
            }
            catch (IOException) when (File.Exists(DatabasePath))
            {
                // Another process created it first; use theirs.
            }
        }
        finally
        {
            foreach (var leftover in new[] { temp, temp + "-wal", temp + "-shm" })
                AtomicFile.TryDelete(leftover);
        }
    }

    private void Init(SqliteConnection c)
    {
        Run(c, "PRAGMA busy_timeout = 30000");
        // Each cmdlet call opens and closes the database; without this the closing connection would checkpoint the WAL
        // into the database (two more fsyncs) every time. SQLite's auto-checkpoint (1000 pages) still bounds the WAL.
        raw.sqlite3_db_config(c.Handle!, raw.SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, out _);
        // FULL: a commit is on disk (WAL fsynced) before the call returns, so a revocation reported done survives a power
        // loss, not only a killed process.
        Run(c, "PRAGMA synchronous = FULL");
        // When a checkpoint resets the log, trim the file to 4 MiB (see FoldWalIfLarge).
        Run(c, "PRAGMA journal_size_limit = " + WalFoldThreshold);
        using var check = c.CreateCommand();
        check.CommandText = "SELECT (SELECT user_version FROM pragma_user_version), " +
                            "(SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('issued', 'revoked', 'state'))";
        using (var r = check.ExecuteReader())
        {
            r.Read();
            var version = r.GetInt64(0);
            var tables = r.GetInt64(1);
            if (version != SchemaVersion || tables != 3)
                throw Corrupt(new FileInfo(DatabasePath).Length == 0
                    ? "the file is empty (0 bytes); it was truncated, a CA's database is never created empty"
                    : $"it has schema version {version} and {tables} of the 3 tables, not version {SchemaVersion}");
        }
        // Databases written before the vault was owner-only throughout (and -wal/-shm SQLite derives from them).
        foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" })
            VaultPermissions.TightenFile(file);
    }

    /// <summary>
    /// <c>PRAGMA quick_check</c> (page structure and record formats, O(size), no index cross-check) in the caller's
    /// snapshot: a CRL is never signed over a database that fails it.
    /// </summary>
    internal void QuickCheck(SqliteConnection c, SqliteTransaction tx)
    {
        using var cmd = Command(c, tx, "PRAGMA quick_check(5)");
        using var r = cmd.ExecuteReader();
        var findings = new List<string>();
        while (r.Read())
            findings.Add(r.IsDBNull(0) ? "?" : r.GetValue(0).ToString() ?? "?");
        if (findings.Count != 1 || findings[0] != "ok")
            throw Corrupt("SQLite's quick_check reports: " + string.Join("; ", findings));
    }

    /// <summary>
    /// Null when the database opens, has its schema and passes <c>quick_check</c> (or does not exist yet: nothing is
    /// created to check it); else the error it gives, for <c>Get-PkiVault</c>'s StoreHealth.
    /// </summary>
    public string? CheckHealth()
    {
        if (!File.Exists(DatabasePath) && !File.Exists(DatabasePath + "-wal"))
            return null;
        try
        {
            Execute(c =>
            {
                using var tx = Begin(c, deferred: true);
                QuickCheck(c, tx);
                return 0;
            });
            return null;
        }
        catch (PkiException ex)
        {
            return $"{ex.ErrorId}: {ex.Message}";
        }
    }

    /// <summary><c>IssuedStoreCorrupt</c> naming the file and what to do.</summary>
    internal PkiException Corrupt(string what, Exception? inner = null) =>
        new(PkiErrorIds.IssuedStoreCorrupt, PkiErrorCategory.InvalidData,
            $"The issued-certificate database of '{Ca.Name}' ({DatabasePath}) is damaged: {what.TrimEnd('.')}. Restore it from a backup (stop anything using the CA first); nothing was changed or signed.", DatabasePath, inner);

    private PkiException Unavailable(string what, Exception? inner = null) =>
        new(PkiErrorIds.IssuedStoreUnavailable, PkiErrorCategory.WriteError,
            $"The issued-certificate database of '{Ca.Name}' ({DatabasePath}) cannot be used: {what.TrimEnd('.')}.", DatabasePath, inner);

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

    /// <summary>Begins a transaction (IMMEDIATE unless <paramref name="deferred"/>) whose failed COMMIT keeps its own error.</summary>
    internal static Transaction Begin(SqliteConnection c, bool deferred = false) => new(c, c.BeginTransaction(deferred));

    /// <summary>
    /// A SqliteTransaction whose disposal does not hide why it failed: when a statement or the COMMIT fails with
    /// SQLITE_FULL or SQLITE_IOERR, SQLite has already rolled the transaction back itself, and the ROLLBACK that disposal
    /// sends then throws "cannot rollback - no transaction is active", replacing the disk-full error (and again when the
    /// connection closes, since the failed ROLLBACK leaves the transaction registered). So when SQLite reports no
    /// transaction open (autocommit mode), an empty one is begun for that ROLLBACK to end.
    /// </summary>
    internal sealed class Transaction : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteTransaction _tx;
        private bool _committed;

        public Transaction(SqliteConnection connection, SqliteTransaction tx)
        {
            _connection = connection;
            _tx = tx;
        }

        public static implicit operator SqliteTransaction(Transaction t) => t._tx;

        public void Commit()
        {
            _tx.Commit();
            _committed = true;
        }

        public void Dispose()
        {
            if (!_committed && _connection.Handle is { } db && raw.sqlite3_get_autocommit(db) != 0)
                raw.sqlite3_exec(db, "BEGIN");
            _tx.Dispose();
        }
    }

    /// <summary>
    /// Why the CA's folder cannot take a new file, found by creating (and at once deleting) an empty one: SQLite's own
    /// messages ("attempt to write a readonly database", "unable to open database file") do not say. Null when it can.
    /// </summary>
    private string? FolderProblem()
    {
        try
        {
            if (new DriveInfo(Ca.Folder).AvailableFreeSpace < 4096) // SQLite may say SQLITE_IOERR for a write that found no space
                return "is on a full disk";
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
        }
        var probe = Path.Combine(Ca.Folder, $".write-probe.{Guid.NewGuid():N}.tmp");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
            return null;
        }
        catch (IOException e) when (e.HResult == 30) // EROFS
        {
            return "is on a read-only file system";
        }
        catch (IOException e) when (e.HResult == 28) // ENOSPC
        {
            return "is on a full disk";
        }
        catch (UnauthorizedAccessException)
        {
            return "is read-only for this user";
        }
        catch (IOException)
        {
            return null;
        }
    }

    internal PkiException Translate(SqliteException ex) => ex.SqliteErrorCode switch
    {
        // SQLITE_CORRUPT, SQLITE_NOTADB
        11 or 26 => Corrupt(ex.Message, ex),
        // SQLITE_BUSY, SQLITE_LOCKED
        5 or 6 => new PkiException(PkiErrorIds.VaultBusy, PkiErrorCategory.ResourceBusy,
            $"The issued-certificate database of '{Ca.Name}' stayed locked by another process for 30 s. Try again when it has finished.", DatabasePath, ex),
        // SQLITE_FULL
        13 => Unavailable($"the disk holding {Ca.Folder} is full ({ex.Message}); nothing was changed. Free space there and try again", ex),
        // SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_PERM: say which, when the folder shows it.
        8 or 14 or 10 or 3 => FolderProblem() is { } problem
            ? Unavailable($"the vault folder {Ca.Folder} {problem} ({ex.Message}); nothing was changed. Make it writable for this user (remount a read-only file system read-write), or use another -VaultPath", ex)
            : Unavailable($"{ex.Message}. Check that the vault folder {Ca.Folder} exists, is writable and its disk works", ex),
        _ => Unavailable(ex.Message, ex),
    };
}
