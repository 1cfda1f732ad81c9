using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Trust;

/// <summary>
/// The Linux OS store, by what exists: Debian/Ubuntu <c>update-ca-certificates</c> (anchors in /usr/local/share/ca-certificates),
/// RHEL/Fedora <c>update-ca-trust</c> (/etc/pki/ca-trust/source/anchors), else p11-kit <c>trust anchor</c>. The machine's store:
/// only with -Scope LocalMachine (root). The tool's outputs (the OS bundle, Debian's Java cacerts) are tracked too, so undo
/// leaves them byte-identical.
/// </summary>
public sealed class LinuxOsStore : TrustStoreBase
{
    private sealed record Flavor(string Tool, string AnchorFolder, string Extension, string[] OutputFolders, string[] RefreshArgs);

    // The folders the tool rewrites; each entry it changes is recorded (FolderEntry) and put back by undo.
    private static readonly Flavor Debian = new("update-ca-certificates", "/usr/local/share/ca-certificates", ".crt",
        new[] { "/etc/ssl/certs", "/etc/ssl/certs/java" }, Array.Empty<string>());

    private static readonly Flavor Rhel = new("update-ca-trust", "/etc/pki/ca-trust/source/anchors", ".pem",
        new[] { "/etc/pki/ca-trust/extracted/pem", "/etc/pki/ca-trust/extracted/openssl", "/etc/pki/ca-trust/extracted/java", "/etc/pki/ca-trust/extracted/pem/directory-hash", "/etc/pki/ca-trust/extracted/edk2" },
        new[] { "extract" });

    public override string Name => "OS";

    public override string Fix => "Run elevated (sudo) with -Scope LocalMachine; the OS store is the machine's.";

    private Flavor? Find(TrustContext c)
    {
        if (c.Platform != TrustPlatform.Linux)
            return null;
        if (c.Runner.Find("update-ca-certificates") is not null && Directory.Exists(Path.GetDirectoryName(Debian.AnchorFolder)))
            return Debian;
        if (c.Runner.Find("update-ca-trust") is not null)
            return Rhel;
        return null;
    }

    private static bool HasTrustTool(TrustContext c) => c.Platform == TrustPlatform.Linux && c.Runner.Find("trust") is not null;

    public override bool IsPresent(TrustContext context) => context.Scope == TrustScope.LocalMachine && (Find(context) is not null || HasTrustTool(context));

    public override string Location(TrustContext context) => Find(context)?.AnchorFolder ?? (HasTrustTool(context) ? "p11-kit (trust anchor)" : "none");

    public override IReadOnlyList<TrustStoreStatus> Inspect(TrustInstallation i, X509Certificate2 root)
    {
        var bundle = i.OsBundlePath();
        if (bundle is null)
            return new[] { Status(i, Location(i.Context), false, "no OS bundle found", root) with { Scope = TrustScope.LocalMachine } };
        var installed = BundleHas(bundle, root);
        var detail = installed ? $"in {bundle}" : $"not in {bundle}; Install-RootCertificate -Store OS -Scope LocalMachine (as root)";
        return new[] { Status(i, Location(i.Context), installed, detail, root) with { Scope = TrustScope.LocalMachine } };
    }

    internal static bool BundleHas(string bundle, X509Certificate2 root)
    {
        var info = new FileInfo(bundle);
        if (!info.Exists || info.Length > 64 * 1024 * 1024)
            return false;
        var text = File.ReadAllText(bundle);
        var b64 = Convert.ToBase64String(root.RawData);
        return text.Replace("\n", string.Empty).Replace("\r", string.Empty).Contains(b64, StringComparison.Ordinal);
    }

    public override void Install(TrustInstallation i, X509Certificate2 root)
    {
        if (i.Context.Scope != TrustScope.LocalMachine)
            throw new TrustStoreException("the Linux OS store belongs to the machine and is not changed with -Scope CurrentUser.");
        var pem = System.Text.Encoding.ASCII.GetBytes(CertificateReader.ToPem(root));
        if (Find(i.Context) is { } f)
        {
            var anchor = Path.Combine(f.AnchorFolder, FileStem(root) + f.Extension);
            if (File.Exists(anchor) && i.OsBundlePath() is { } b && BundleHas(b, root))
                return;
            i.Files.Edit(Name, anchor, _ => pem);
            Action run = () => RunOrThrow(i, f.Tool, f.RefreshArgs);
            foreach (var folder in f.OutputFolders.Where(Directory.Exists))
            {
                var inner = run;
                run = () => i.Files.TrackFolder(Name, folder, inner);
            }
            run();
            return;
        }
        // p11-kit only: the anchor is stored by the tool; undo removes it with the same tool.
        var temp = Path.Combine(Path.GetTempPath(), $"zscalerpki-{Guid.NewGuid():N}.pem");
        File.WriteAllBytes(temp, pem);
        try
        {
            RunOrThrow(i, "trust", "anchor", "--store", temp);
        }
        finally
        {
            File.Delete(temp);
        }
        i.Journal.Changes.Add(new JournalChange { Store = Name, Kind = "Entry", Target = "p11-kit", Name = root.Thumbprint, Value = CertificateReader.ToPem(root) });
    }

    protected override void RemoveEntry(TrustInstallation i, JournalChange change)
    {
        var temp = Path.Combine(Path.GetTempPath(), $"zscalerpki-{Guid.NewGuid():N}.pem");
        File.WriteAllText(temp, change.Value);
        try
        {
            RunOrThrow(i, "trust", "anchor", "--remove", temp);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    protected override void AfterUninstall(TrustInstallation i)
    {
        if (Find(i.Context) is { } f)
            RunOrThrow(i, f.Tool, f.RefreshArgs);
    }

    protected override string RevertChanged(TrustInstallation i, JournalChange change) =>
        Find(i.Context) is { } f && change.Target.StartsWith(f.AnchorFolder, StringComparison.Ordinal)
            ? DeleteAnchor(change.Target)
            : string.Empty; // a tool output someone else changed since: the refresh above regenerates it without our root
    
    private static string DeleteAnchor(string path)
    {
        Storage.AtomicFile.TryDelete(path);
        return string.Empty;
    }
}
