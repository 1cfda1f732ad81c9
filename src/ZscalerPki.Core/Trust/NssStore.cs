using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Trust;

/// <summary>
/// NSS databases (Firefox and Thunderbird profiles incl. the XDG folder of newer Firefox (~/.config/mozilla/firefox), Snap and Flatpak, Chromium's ~/.pki/nssdb; /etc/pki/nssdb for the
/// machine) through <c>certutil</c> (Debian libnss3-tools). The database files are tracked, so undo restores them exactly when
/// the application did not write them since; otherwise <c>certutil -D</c> removes our entry.
/// </summary>
public sealed class NssStore : TrustStoreBase
{
    public override string Name => "NSS";

    public override string Fix => "Install certutil (Debian/Ubuntu: apt-get install libnss3-tools; RHEL: dnf install nss-tools), close Firefox, and run again.";

    public static IReadOnlyList<string> Databases(TrustContext c)
    {
        if (c.Platform != TrustPlatform.Linux)
            return Array.Empty<string>();
        if (c.Scope == TrustScope.LocalMachine)
            return Directory.Exists("/etc/pki/nssdb") ? new[] { "/etc/pki/nssdb" } : Array.Empty<string>();
        var h = c.Home;
        var dbs = new List<string>();
        var pki = Path.Combine(h, ".pki", "nssdb");
        if (File.Exists(Path.Combine(pki, "cert9.db")))
            dbs.Add(pki);
        foreach (var root in FirefoxClient.ProfileRoots(h).Append(Path.Combine(h, ".thunderbird")))
        {
            if (!Directory.Exists(root))
                continue;
            dbs.AddRange(Directory.EnumerateDirectories(root).Where(d => File.Exists(Path.Combine(d, "cert9.db"))).Take(64));
        }
        return dbs;
    }

    public override bool IsPresent(TrustContext context) => Databases(context).Count > 0;

    public override string Location(TrustContext context) => string.Join("; ", Databases(context)) is { Length: > 0 } s ? s : "no NSS database";

    private static string Nickname(X509Certificate2 root) => "ZscalerPki " + root.Thumbprint[..16];

    private static string[] DbFiles(string db) => new[] { "cert9.db", "key4.db", "pkcs11.txt" }.Select(f => Path.Combine(db, f)).Where(File.Exists).ToArray();

    private string Certutil(TrustContext c) => c.Runner.Find("certutil") ?? throw new TrustStoreException("certutil (NSS tools) is not installed.");

    public override IReadOnlyList<TrustStoreStatus> Inspect(TrustInstallation i, X509Certificate2 root)
    {
        var dbs = Databases(i.Context);
        if (dbs.Count == 0)
            return Array.Empty<TrustStoreStatus>();
        if (i.Context.Runner.Find("certutil") is not { } certutil)
            return dbs.Select(d => Status(i, d, false, "certutil not installed: apt-get install libnss3-tools", root)).ToList();
        return dbs.Select(d =>
        {
            var has = Has(i, certutil, d, root);
            return Status(i, d, has, has ? "trusted for TLS servers (C,,)" : "root not in this database", root);
        }).ToList();
    }

    private static bool Has(TrustInstallation i, string certutil, string db, X509Certificate2 root)
    {
        var r = i.Context.Runner.Run(new ProcessRequest(certutil, new[] { "-L", "-d", "sql:" + db, "-n", Nickname(root), "-a" }) { Timeout = TimeSpan.FromSeconds(30) });
        return r.Succeeded && r.Output.Contains(Convert.ToBase64String(root.RawData)[..60], StringComparison.Ordinal);
    }

    public override void Install(TrustInstallation i, X509Certificate2 root)
    {
        var certutil = Certutil(i.Context);
        var failures = new List<string>();
        foreach (var db in Databases(i.Context))
        {
            if (Has(i, certutil, db, root))
                continue;
            var temp = Path.Combine(Path.GetTempPath(), $"zscalerpki-{Guid.NewGuid():N}.pem");
            File.WriteAllText(temp, CertificateReader.ToPem(root));
            try
            {
                i.Files.Track(Name, DbFiles(db), () => RunOrThrow(i, certutil, "-A", "-d", "sql:" + db, "-n", Nickname(root), "-t", "C,,", "-i", temp));
                i.Journal.Changes.Add(new JournalChange { Store = Name, Kind = "Entry", Target = db, Name = Nickname(root) });
            }
            catch (TrustStoreException ex)
            {
                failures.Add($"{db}: {ex.Message}");
            }
            finally
            {
                File.Delete(temp);
            }
        }
        if (failures.Count > 0)
            throw new TrustStoreException(string.Join("; ", failures));
    }

    protected override void RemoveEntry(TrustInstallation i, JournalChange change)
    {
        // Only when the database was written since (the exact restore did not apply): delete our nickname.
        var files = i.Journal.Changes.Where(c => c.Kind == "File" && c.Store == Name && Path.GetDirectoryName(c.Target) == change.Target).ToList();
        if (files.Count > 0 && files.All(TrackedFiles.IsAsWeLeftIt))
            return;
        if (i.Context.Runner.Find("certutil") is { } certutil && Directory.Exists(change.Target))
            i.Context.Runner.Run(new ProcessRequest(certutil, new[] { "-D", "-d", "sql:" + change.Target, "-n", change.Name! }) { Timeout = TimeSpan.FromSeconds(30) });
    }

    protected override string RevertChanged(TrustInstallation i, JournalChange change) => string.Empty;
}
