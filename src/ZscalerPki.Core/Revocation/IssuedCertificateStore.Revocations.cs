using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ZscalerPki.Core.Revocation;

/// <summary>What a revocation changed.</summary>
public sealed record RevocationOutcome(byte[] Serial, DateTimeOffset RevocationDate, RevocationReason Reason, DateTimeOffset? InvalidityDate,
    bool Known, bool ReasonChanged);

/// <summary>Entries read for one CRL, from one consistent snapshot of the database.</summary>
internal sealed record CrlSnapshot(long LastCrlNumber, long Sequence, long? BaseNumber, long? BaseSequence, bool DeltasPublished);

public sealed partial class IssuedCertificateStore
{
    /// <summary>
    /// Revokes a serial: one row in <c>revoked</c> with its CRL entry pre-encoded. A serial the database has no record of is
    /// refused unless <paramref name="force"/>; a serial already revoked may only move from certificateHold to another reason.
    /// </summary>
    public RevocationOutcome Revoke(byte[] serial, RevocationReason reason, DateTimeOffset revocationDate, DateTimeOffset? invalidityDate, bool force)
    {
        if (reason == RevocationReason.RemoveFromCrl)
            throw new PkiException(PkiErrorIds.InvalidRevocationReason, PkiErrorCategory.InvalidArgument,
                "RemoveFromCrl is not a reason to revoke with: it is what a delta CRL lists for a lifted hold. Use Restore-Certificate to lift a certificateHold.", reason);
        if (!Enum.IsDefined(reason))
            throw new PkiException(PkiErrorIds.InvalidRevocationReason, PkiErrorCategory.InvalidArgument,
                $"'{reason}' is not an RFC 5280 revocation reason. Use one of: {string.Join(", ", Enum.GetNames<RevocationReason>().Where(n => n != nameof(RevocationReason.RemoveFromCrl)))}.", reason);
        serial = SerialNumbers.Normalize(serial);
        var hex = SerialNumbers.ToHex(serial);
        return Execute(c =>
        {
            using var tx = Begin(c); // BEGIN IMMEDIATE: one writer at a time across processes
            long? notAfter = null;
            using (var find = Command(c, tx, "SELECT not_after FROM issued WHERE serial = $s"))
            {
                find.Parameters.AddWithValue("$s", serial);
                if (find.ExecuteScalar() is long na)
                    notAfter = na;
            }
            if (notAfter is null && !force)
                throw new PkiException(PkiErrorIds.SerialNotIssued, PkiErrorCategory.ObjectNotFound,
                    $"'{Ca.Name}' has no record of issuing serial {hex}. Check the serial (Get-IssuedCertificate -Issuer {Ca.Name}), or pass -AllowUnknownSerial to revoke it anyway (e.g. a certificate issued before the database existed).", hex);
            var changed = false;
            using (var existing = Command(c, tx, "SELECT reason, released FROM revoked WHERE serial = $s"))
            {
                existing.Parameters.AddWithValue("$s", serial);
                using var r = existing.ExecuteReader();
                if (r.Read() && r.GetInt64(1) == 0)
                {
                    var current = (RevocationReason)r.GetInt32(0);
                    if (current != RevocationReason.CertificateHold || reason == RevocationReason.CertificateHold)
                        throw new PkiException(PkiErrorIds.AlreadyRevoked, PkiErrorCategory.InvalidOperation,
                            $"Serial {hex} of '{Ca.Name}' is already revoked ({current}). Only a certificateHold can be changed to a permanent reason.", hex);
                    changed = true;
                }
            }
            var seq = NextSequence(c, tx);
            var entry = CrlEncoder.EncodeEntry(serial, revocationDate, reason, invalidityDate);
            using (var put = Command(c, tx, "INSERT OR REPLACE INTO revoked(serial, revoked_at, reason, invalidity, not_after, seq, released, entry) " +
                                             "VALUES($s, $at, $reason, $inv, $na, $seq, 0, $entry)"))
            {
                put.Parameters.AddWithValue("$s", serial);
                put.Parameters.AddWithValue("$at", revocationDate.ToUnixTimeSeconds());
                put.Parameters.AddWithValue("$reason", (int)reason);
                put.Parameters.AddWithValue("$inv", invalidityDate is { } inv ? inv.ToUnixTimeSeconds() : DBNull.Value);
                put.Parameters.AddWithValue("$na", (object?)notAfter ?? DBNull.Value);
                put.Parameters.AddWithValue("$seq", seq);
                put.Parameters.AddWithValue("$entry", entry);
                put.ExecuteNonQuery();
            }
            tx.Commit();
            return new RevocationOutcome(serial, revocationDate, reason, invalidityDate, notAfter is not null, changed);
        });
    }

    /// <summary>Lifts a certificateHold: the serial leaves the next base CRL, and the next delta lists it as removeFromCRL.</summary>
    public void Release(byte[] serial)
    {
        serial = SerialNumbers.Normalize(serial);
        var hex = SerialNumbers.ToHex(serial);
        Execute(c =>
        {
            using var tx = Begin(c);
            using (var existing = Command(c, tx, "SELECT reason FROM revoked WHERE serial = $s AND released = 0"))
            {
                existing.Parameters.AddWithValue("$s", serial);
                var reason = existing.ExecuteScalar();
                if (reason is not long code || code != (int)RevocationReason.CertificateHold)
                    throw new PkiException(PkiErrorIds.NotOnHold, PkiErrorCategory.InvalidOperation,
                        reason is null
                            ? $"Serial {hex} of '{Ca.Name}' is not revoked, so there is no hold to lift."
                            : $"Serial {hex} of '{Ca.Name}' is revoked for good ({(RevocationReason)(long)reason}); only a certificateHold can be lifted.", hex);
            }
            var seq = NextSequence(c, tx);
            using (var put = Command(c, tx, "UPDATE revoked SET released = 1, seq = $seq WHERE serial = $s"))
            {
                put.Parameters.AddWithValue("$s", serial);
                put.Parameters.AddWithValue("$seq", seq);
                put.ExecuteNonQuery();
            }
            tx.Commit();
            return 0;
        });
    }

    /// <summary>
    /// Reads, in one snapshot, the CRL state and the encoded entries of a base CRL (every unreleased revocation, without
    /// expired certificates unless <paramref name="includeExpired"/>) or of a delta CRL (changes after the last base, lifted
    /// holds as removeFromCRL). <paramref name="sink"/> receives each entry's DER.
    /// </summary>
    internal CrlSnapshot ReadCrlEntries(bool delta, bool includeExpired, DateTimeOffset now, CrlEncoder.SpanSink sink)
    {
        return Execute(c =>
        {
            using var tx = Begin(c, deferred: true);
            using (var begin = Command(c, tx, "SELECT count(*) FROM state")) // takes the read snapshot
                begin.ExecuteScalar();
            QuickCheck(c, tx); // the snapshot about to be signed is structurally sound
            var state = ReadState(c, tx);
            var snapshot = new CrlSnapshot(state.GetValueOrDefault("crl_number"), state.GetValueOrDefault("seq"),
                state.TryGetValue("base_number", out var bn) ? bn : null, state.TryGetValue("base_seq", out var bs) ? bs : null,
                state.GetValueOrDefault("deltas") != 0);
            if (delta && snapshot.BaseNumber is null)
                throw new PkiException(PkiErrorIds.NoBaseCrl, PkiErrorCategory.InvalidOperation,
                    $"'{Ca.Name}' has published no base CRL yet, and a delta CRL only lists changes since one. Publish a base CRL first (without -Delta).", Ca.Name);

            var sql = delta
                ? "SELECT entry, released, serial, seq FROM revoked WHERE seq > ?1"
                : "SELECT entry, released, serial, seq FROM revoked WHERE released = 0" + (includeExpired ? string.Empty : " AND (not_after IS NULL OR not_after >= ?1)");
            var db = c.Handle!;
            if (raw.sqlite3_prepare_v2(db, sql, out sqlite3_stmt stmt) != raw.SQLITE_OK)
                throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), raw.sqlite3_errcode(db));
            using (stmt)
            {
                raw.sqlite3_bind_int64(stmt, 1, delta ? snapshot.BaseSequence!.Value : now.ToUnixTimeSeconds());
                int rc;
                while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
                {
                    CheckRevokedRow(stmt);
                    var serial = raw.sqlite3_column_blob(stmt, 2);
                    if (delta && raw.sqlite3_column_int64(stmt, 1) != 0)
                    {
                        sink(CrlEncoder.EncodeEntry(serial, now, RevocationReason.RemoveFromCrl, null));
                    }
                    else
                    {
                        var entry = raw.sqlite3_column_blob(stmt, 0);
                        if (!CrlEncoder.IsEntryFor(entry, serial))
                            throw Corrupt($"the stored CRL entry of serial {SerialNumbers.ToHex(serial)} is not a well-formed revokedCertificate for that serial; no CRL was signed");
                        sink(entry);
                    }
                }
                if (rc != raw.SQLITE_DONE)
                    throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
            }
            tx.Commit();
            return snapshot;
        });
    }

    /// <summary>
    /// Records that CRL <paramref name="number"/> was written; refuses (<c>CrlNumberConflict</c>) when another writer got there
    /// first, so numbers only ever increase.
    /// </summary>
    /// <summary>
    /// Records a published CRL's number (and, for a base, the snapshot it covers) in one transaction that commits only after
    /// <paramref name="putInPlace"/> (the rename of the signed file over the served one) has succeeded: if the rename fails
    /// the transaction rolls back, so the database never names a CRL number or delta base that is not being served. A crash
    /// between the rename and the commit leaves the served file one number ahead of the database, never behind; the next
    /// publication reads the served number (<see cref="CrlPublisher"/>) and continues above it, and its delta names the older
    /// base, whose entries are a superset of what the newer base needs (RFC 5280 5.2.4: a delta may be applied to any base
    /// whose number is at least its BaseCRLNumber).
    /// </summary>
    internal void CommitCrl(long number, bool delta, long sequence, Action putInPlace)
    {
        Execute(c =>
        {
            using var tx = Begin(c);
            var state = ReadState(c, tx);
            if (state.GetValueOrDefault("crl_number") >= number)
                throw new PkiException(PkiErrorIds.CrlNumberConflict, PkiErrorCategory.InvalidOperation,
                    $"CRL number {number} of '{Ca.Name}' was already used by another process. Publish again.", number);
            SetState(c, tx, "crl_number", number);
            if (delta)
            {
                SetState(c, tx, "deltas", 1);
            }
            else
            {
                SetState(c, tx, "base_number", number);
                SetState(c, tx, "base_seq", sequence);
            }
            putInPlace();
            tx.Commit();
            return 0;
        });
    }

    /// <summary>
    /// Loads many revocations in one transaction (benchmarks, and migrating a CA's existing revocation list); the rows are
    /// the same as <see cref="Revoke"/> writes, without its per-serial checks.
    /// </summary>
    internal void ImportRevocations(IEnumerable<(byte[] Serial, DateTimeOffset At, RevocationReason Reason)> revocations)
    {
        Execute(c =>
        {
            using var tx = Begin(c);
            var seq = NextSequence(c, tx);
            using var put = Command(c, tx, "INSERT OR REPLACE INTO revoked(serial, revoked_at, reason, invalidity, not_after, seq, released, entry) " +
                                           "VALUES($s, $at, $reason, NULL, NULL, $seq, 0, $entry)");
            var ps = put.Parameters.Add("$s", SqliteType.Blob);
            var pat = put.Parameters.Add("$at", SqliteType.Integer);
            var preason = put.Parameters.Add("$reason", SqliteType.Integer);
            put.Parameters.AddWithValue("$seq", seq);
            var pentry = put.Parameters.Add("$entry", SqliteType.Blob);
            foreach (var (serial, at, reason) in revocations)
            {
                var normalized = SerialNumbers.Normalize(serial);
                ps.Value = normalized;
                pat.Value = at.ToUnixTimeSeconds();
                preason.Value = (int)reason;
                var entry = CrlEncoder.EncodeEntry(normalized, at, reason, null);
                pentry.Value = entry;
                put.ExecuteNonQuery();
            }
            tx.Commit();
            Run(c, "PRAGMA wal_checkpoint(TRUNCATE)"); // a bulk load leaves a WAL as large as the table; fold it in
            return 0;
        });
    }

    /// <summary>Loads many issued rows that share one certificate body (benchmarks of the query path only).</summary>
    internal void ImportIssuedForBenchmark(byte[] der, string subject, IEnumerable<byte[]> serials, DateTimeOffset notAfter)
    {
        Execute(c =>
        {
            using var tx = Begin(c);
            using var put = Command(c, tx, "INSERT OR IGNORE INTO issued(serial, subject, sans, not_before, not_after, issued_at, profile, thumbprint, der) " +
                                           "VALUES($s, $subject, NULL, 0, $na, $at, 'Server', '', $der)");
            var ps = put.Parameters.Add("$s", SqliteType.Blob);
            put.Parameters.AddWithValue("$subject", subject);
            put.Parameters.AddWithValue("$na", notAfter.ToUnixTimeSeconds());
            put.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            put.Parameters.AddWithValue("$der", der);
            foreach (var serial in serials)
            {
                ps.Value = SerialNumbers.Normalize(serial);
                put.ExecuteNonQuery();
            }
            tx.Commit();
            Run(c, "PRAGMA wal_checkpoint(TRUNCATE)");
            return 0;
        });
    }

    /// <summary>
    /// The column types a CRL row must have (SQLite stores any type in any column): serial and entry BLOBs, released and seq
    /// INTEGERs. A TEXT serial would be read as its characters and a REAL seq truncated, so either is damage.
    /// </summary>
    private void CheckRevokedRow(sqlite3_stmt stmt)
    {
        var serial = raw.sqlite3_column_type(stmt, 2);
        if (serial != raw.SQLITE_BLOB)
            throw Corrupt($"a row of the revoked table has a serial of type {TypeName(serial)} ({raw.sqlite3_column_text(stmt, 2).utf8_to_string()}), not a BLOB; no CRL was signed");
        var hex = SerialNumbers.ToHex(raw.sqlite3_column_blob(stmt, 2));
        foreach (var (column, name, type) in new[] { (0, "entry", raw.SQLITE_BLOB), (1, "released", raw.SQLITE_INTEGER), (3, "seq", raw.SQLITE_INTEGER) })
        {
            var actual = raw.sqlite3_column_type(stmt, column);
            if (actual != type)
                throw Corrupt($"the {name} of revoked serial {hex} is of type {TypeName(actual)}, not {TypeName(type)}; no CRL was signed");
        }
    }

    internal static string TypeName(int type) => type switch
    {
        raw.SQLITE_INTEGER => "INTEGER",
        raw.SQLITE_FLOAT => "REAL",
        raw.SQLITE_TEXT => "TEXT",
        raw.SQLITE_BLOB => "BLOB",
        _ => "NULL",
    };

    /// <summary>
    /// The next change number. The counter is checked first: SQLite turns value + 1 at the 64-bit maximum into a REAL, and a
    /// TEXT value + 1 into 1, which would silently restart the sequence deltas are computed from.
    /// </summary>
    private long NextSequence(SqliteConnection c, SqliteTransaction tx)
    {
        using (var read = Command(c, tx, "SELECT typeof(value), value FROM state WHERE key = 'seq'"))
        using (var r = read.ExecuteReader())
        {
            if (r.Read())
            {
                if (r.GetString(0) != "integer")
                    throw Corrupt($"the change counter (state 'seq') is of type {r.GetString(0).ToUpperInvariant()} ('{r.GetValue(1)}'), not INTEGER; nothing was changed");
                if (r.GetInt64(1) >= long.MaxValue)
                    throw Corrupt($"the change counter (state 'seq') is at its maximum ({long.MaxValue}), which no real CA reaches; nothing was changed");
            }
        }
        using var cmd = Command(c, tx, "INSERT INTO state(key, value) VALUES('seq', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1 RETURNING value");
        return (long)cmd.ExecuteScalar()!;
    }

    private static Dictionary<string, long> ReadState(SqliteConnection c, SqliteTransaction tx)
    {
        var state = new Dictionary<string, long>(StringComparer.Ordinal);
        using var cmd = Command(c, tx, "SELECT key, value FROM state");
        using var r = cmd.ExecuteReader();
        while (r.Read())
            state[r.GetString(0)] = r.GetInt64(1);
        return state;
    }

    private static void SetState(SqliteConnection c, SqliteTransaction tx, string key, long value)
    {
        using var cmd = Command(c, tx, "INSERT INTO state(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$v", value);
        cmd.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction tx, string sql)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }
}
