// Shared by tests/ZscalerPki.Core.Tests and bench/ZscalerPki.Bench: the damaged-database class. A CA's issued.db is
// damaged in one way at a time (truncated, torn, bytes flipped in a page, rows of the wrong type, counters at their limit)
// and then used the way the cmdlets use it: Publish-Crl, Revoke-Certificate, Get-IssuedCertificate. Each call must end in a
// result or a catalogued PkiException; Publish-Crl over damage that reaches the CRL must never sign one.
using System.Reflection;
using Microsoft.Data.Sqlite;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Robustness;

/// <summary>One way to damage issued.db; <see cref="RefusesCrl"/>: Publish-Crl must refuse (the damage is in what a CRL is made of).</summary>
public sealed record StoreDamage(string Name, bool RefusesCrl, Action<string, byte[]> Apply);

public static class StoreDamages
{
    /// <summary>
    /// The mutations; <paramref name="seed"/> picks which page's header is flipped. Each gets the database path (the WAL
    /// already folded into it, see <see cref="Checkpoint"/>) and the serial of a revoked row.
    /// </summary>
    public static IReadOnlyList<StoreDamage> All(int seed)
    {
        var random = new Random(seed);
        return new StoreDamage[]
        {
            new("truncated to 0 bytes", true, (db, _) => new FileInfo(db).Open(FileMode.Open).SetLength(0)),
            new("truncated to half", true, (db, _) =>
            {
                using var f = new FileInfo(db).Open(FileMode.Open);
                f.SetLength(f.Length / 2);
            }),
            new("bytes flipped in the header of a table's root page", true, (db, _) =>
            {
                var tables = new[] { "revoked", "state", "issued" };
                var page = Scalar(db, $"SELECT rootpage FROM sqlite_schema WHERE name = '{tables[random.Next(tables.Length)]}'");
                var pageSize = Scalar(db, "PRAGMA page_size");
                using var f = new FileInfo(db).Open(FileMode.Open);
                f.Position = (page - 1) * pageSize; // a b-tree page header: type, first freeblock, cell count, content start
                var header = new byte[8];
                f.ReadExactly(header);
                for (var i = 0; i < header.Length; i++)
                    header[i] ^= (byte)(0x55 + random.Next(0, 0xAA));
                f.Position = (page - 1) * pageSize;
                f.Write(header);
            }),
            new("a revoked entry that is not DER", true, (db, serial) => Sql(db, "UPDATE revoked SET entry = x'30FF0102' WHERE serial = $s", serial)),
            new("a revoked entry for another serial", true, (db, serial) =>
                Sql(db, "UPDATE revoked SET entry = $e WHERE serial = $s", serial, CrlEncoder.EncodeEntry(new byte[] { 0x7F, 1 }, DateTimeOffset.UtcNow, RevocationReason.KeyCompromise, null))),
            new("a TEXT serial in revoked", true, (db, serial) => Sql(db, "UPDATE revoked SET serial = 'not a blob' WHERE serial = $s", serial)),
            new("a TEXT seq in revoked", true, (db, serial) => Sql(db, "UPDATE revoked SET seq = 'x' WHERE serial = $s", serial)),
            new("a TEXT serial in issued", false, (db, _) => Sql(db, "UPDATE issued SET serial = hex(serial)")),
            new("the change counter at its maximum", false, (db, _) => Sql(db, "UPDATE state SET value = 9223372036854775807 WHERE key = 'seq'")),
            new("the change counter as TEXT", false, (db, _) => Sql(db, "UPDATE state SET value = 'many' WHERE key = 'seq'")),
            new("another schema version", true, (db, _) => Sql(db, "PRAGMA user_version = 7")),
            new("the state table dropped", true, (db, _) => Sql(db, "DROP TABLE state")),
        };
    }

    /// <summary>Folds the WAL into the database file, so damage to the file is what the next reader sees.</summary>
    public static void Checkpoint(string db) => Sql(db, "PRAGMA wal_checkpoint(TRUNCATE)");

    private static long Scalar(string db, string sql)
    {
        using var c = Open(db);
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Sql(string db, string sql, byte[]? serial = null, byte[]? entry = null)
    {
        using var c = Open(db);
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        if (serial is not null)
            cmd.Parameters.AddWithValue("$s", serial);
        if (entry is not null)
            cmd.Parameters.AddWithValue("$e", entry);
        cmd.ExecuteNonQuery();
    }

    private static SqliteConnection Open(string db)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        c.Open();
        return c;
    }
}

/// <summary>Runs every <see cref="StoreDamages"/> mutation against a fresh vault CA; the report lists what did not end cleanly.</summary>
public sealed class DamagedStoreRunner : IDisposable
{
    private static readonly HashSet<string> Catalog = typeof(PkiErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();

    private static readonly ReadOnlyMemory<char> Password = "robustness-pw".AsMemory();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "zpki-damaged-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public RobustnessReport Run(int seed)
    {
        var unclean = new List<string>();
        int inputs = 0, accepted = 0, refused = 0;
        foreach (var damage in StoreDamages.All(seed))
        {
            var vault = Vault.Open(Path.Combine(_folder, (inputs++).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var enrollment = new EnrollmentService(vault);
            enrollment.Create(new NewEnrollmentRequest { Name = "Root", KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
            var child = enrollment.Create(new NewEnrollmentRequest
            {
                Name = "Child", Type = CaType.Intermediate, Parent = EnrollmentParent.FromVault("Root"), KeyPassword = Password, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
            }).Item.Certificate;
            var revocation = new RevocationService(vault);
            revocation.Revoke(new RevokeRequest { Issuer = "Root", Certificate = child, Reason = RevocationReason.KeyCompromise });
            var crls = Path.Combine(vault.Root, "..", $"crl{inputs}");
            var publish = new PublishCrlRequest { Issuer = "Root", Folder = crls, KeyPassword = Password };
            new CrlPublisher(vault).Publish(publish);
            var db = Path.Combine(vault.Root, Collections.Enrollment, "Root", IssuedCertificateStore.FileName);
            StoreDamages.Checkpoint(db);
            damage.Apply(db, SerialNumbers.Normalize(child.SerialNumberBytes.Span));

            void Call(string what, Action action, bool mustRefuse)
            {
                var label = $"{damage.Name}: {what}";
                try
                {
                    action();
                    accepted++;
                    if (mustRefuse)
                        unclean.Add($"{label}: succeeded over the damage (a CRL was signed)");
                }
                catch (PkiException ex) when (Catalog.Contains(ex.ErrorId))
                {
                    refused++;
                }
                catch (PkiException ex)
                {
                    unclean.Add($"{label}: uncatalogued ErrorId {ex.ErrorId}");
                }
                catch (Exception ex)
                {
                    unclean.Add($"{label}: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
                }
            }

            Call("Publish-Crl", () => new CrlPublisher(vault).Publish(publish), damage.RefusesCrl);
            Call("Revoke-Certificate", () => revocation.Revoke(new RevokeRequest { Issuer = "Root", SerialNumber = "0A0B0C", Reason = RevocationReason.Superseded, Force = true }), false);
            Call("Get-IssuedCertificate", () => revocation.Get("Root", new IssuedCertificateQuery()).ToList(), false);
        }
        return new RobustnessReport(inputs, accepted, refused, unclean, Array.Empty<string>(), TimeSpan.Zero, string.Empty);
    }
}
