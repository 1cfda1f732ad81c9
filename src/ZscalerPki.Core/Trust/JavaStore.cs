using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Trust;

/// <summary>
/// Every JDK/JRE found (JAVA_HOME, java on PATH, /usr/lib/jvm, /Library/Java/JavaVirtualMachines, Program Files). Machine:
/// <c>keytool -importcert -cacerts</c> into each distinct cacerts (symlinks resolved, tracked for an exact undo). User: a
/// truststore in the ZscalerPki folder (a copy of the JDK's cacerts plus our roots) named by JAVA_TOOL_OPTIONS.
/// </summary>
public sealed class JavaStore : TrustStoreBase
{
    public const string StorePassword = "changeit";

    public override string Name => "Java";

    public override string Fix => "Run elevated with -Scope LocalMachine to write the JDK's cacerts, or use -Scope CurrentUser (a user truststore through JAVA_TOOL_OPTIONS).";

    /// <summary>JDK homes (folders with bin/keytool), distinct by their real path.</summary>
    public static IReadOnlyList<string> Homes(TrustContext c)
    {
        var candidates = new List<string>();
        if (c.GetVariable("JAVA_HOME") is { Length: > 0 } jh)
            candidates.Add(jh);
        if (c.Runner.Find("java") is { } java)
        {
            var real = TrackedFiles.Resolve(java);
            candidates.Add(Path.GetDirectoryName(Path.GetDirectoryName(real)!)!);
        }
        var roots = c.Platform switch
        {
            TrustPlatform.Windows => new[] { @"C:\Program Files\Java", @"C:\Program Files\Eclipse Adoptium", @"C:\Program Files\Microsoft" },
            TrustPlatform.MacOS => new[] { "/Library/Java/JavaVirtualMachines" },
            _ => new[] { "/usr/lib/jvm" },
        };
        foreach (var root in roots)
        {
            if (Directory.Exists(root))
                candidates.AddRange(Directory.EnumerateDirectories(root).Select(d => Directory.Exists(Path.Combine(d, "Contents", "Home")) ? Path.Combine(d, "Contents", "Home") : d).Take(32));
        }
        return candidates.Where(h => File.Exists(Keytool(h)) && File.Exists(Path.Combine(h, "lib", "security", "cacerts")))
            .GroupBy(h => TrackedFiles.Resolve(Path.GetFullPath(h).TrimEnd('/', '\\')), StringComparer.Ordinal).Select(g => g.First()).ToList();
    }

    private static string Keytool(string home) => Path.Combine(home, "bin", OperatingSystem.IsWindows() ? "keytool.exe" : "keytool");

    private static string Cacerts(string home) => TrackedFiles.Resolve(Path.Combine(home, "lib", "security", "cacerts"));

    public static string UserTrustStore(TrustContext c) => Path.Combine(c.DataFolder, "java-truststore.p12");

    public static string ToolOptions(TrustContext c) =>
        $"-Djavax.net.ssl.trustStore={UserTrustStore(c)} -Djavax.net.ssl.trustStorePassword={StorePassword} -Djavax.net.ssl.trustStoreType=PKCS12";

    public override bool IsPresent(TrustContext context) => Homes(context).Count > 0;

    public override string Location(TrustContext context) => context.Scope == TrustScope.CurrentUser
        ? UserTrustStore(context)
        : string.Join("; ", Homes(context).Select(Cacerts).Distinct()) is { Length: > 0 } s ? s : "no JDK";

    private static string Alias(X509Certificate2 root) => "zscalerpki-" + root.Thumbprint[..16].ToLowerInvariant();

    private static bool Has(TrustInstallation i, string home, string keystore, X509Certificate2 root)
    {
        if (!File.Exists(keystore))
            return false;
        var r = i.Context.Runner.Run(new ProcessRequest(Keytool(home), new[] { "-list", "-keystore", keystore, "-storepass", StorePassword }) { Timeout = TimeSpan.FromSeconds(60) });
        var sha = string.Join(':', Convert.ToHexString(root.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256)).Chunk(2).Select(c => new string(c)));
        return r.Succeeded && r.Output.Contains(sha, StringComparison.OrdinalIgnoreCase);
    }

    public override IReadOnlyList<TrustStoreStatus> Inspect(TrustInstallation i, X509Certificate2 root)
    {
        var homes = Homes(i.Context);
        if (homes.Count == 0)
            return Array.Empty<TrustStoreStatus>();
        var list = new List<TrustStoreStatus>();
        foreach (var store in homes.GroupBy(Cacerts))
        {
            var has = Has(i, store.First(), store.Key, root);
            list.Add(Status(i, store.Key, has, has ? $"in the cacerts of {string.Join(", ", store.Select(Path.GetFileName))}" : "not in this JDK's cacerts", root) with { Scope = TrustScope.LocalMachine });
        }
        if (i.Context.Scope == TrustScope.CurrentUser)
        {
            var user = UserTrustStore(i.Context);
            var has = Has(i, homes[0], user, root);
            var opts = i.Context.GetVariable("JAVA_TOOL_OPTIONS") ?? string.Empty;
            var detail = !has ? "root not in the user truststore" : opts.Contains(user, StringComparison.Ordinal) ? "user truststore named by JAVA_TOOL_OPTIONS" : "JAVA_TOOL_OPTIONS not set in this session (new login shells get it)";
            list.Add(Status(i, user, has, detail, root));
        }
        return list;
    }

    public override void Install(TrustInstallation i, X509Certificate2 root)
    {
        var homes = Homes(i.Context);
        if (homes.Count == 0)
            throw new TrustStoreException("no JDK or JRE was found.");
        var pemFile = Path.Combine(Path.GetTempPath(), $"zscalerpki-{Guid.NewGuid():N}.pem");
        File.WriteAllText(pemFile, CertificateReader.ToPem(root));
        try
        {
            if (i.Context.Scope == TrustScope.LocalMachine)
            {
                foreach (var store in homes.GroupBy(Cacerts))
                {
                    if (Has(i, store.First(), store.Key, root))
                        continue;
                    i.Files.Track(Name, store.Key, () => RunOrThrow(i, Keytool(store.First()), "-importcert", "-noprompt", "-trustcacerts", "-alias", Alias(root),
                        "-file", pemFile, "-keystore", store.Key, "-storepass", StorePassword));
                }
                return;
            }
            var user = UserTrustStore(i.Context);
            var home = homes[0];
            i.Files.Track(Name, user, () =>
            {
                if (!File.Exists(user))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(user)!);
                    RunOrThrow(i, Keytool(home), "-importkeystore", "-noprompt", "-srckeystore", Cacerts(home), "-srcstorepass", StorePassword,
                        "-destkeystore", user, "-deststoretype", "PKCS12", "-deststorepass", StorePassword);
                }
                if (!Has(i, home, user, root))
                    RunOrThrow(i, Keytool(home), "-importcert", "-noprompt", "-trustcacerts", "-alias", Alias(root), "-file", pemFile, "-keystore", user, "-storepass", StorePassword);
            });
            i.SetVariables(Name, new Dictionary<string, string> { ["JAVA_TOOL_OPTIONS"] = ToolOptions(i.Context) });
        }
        finally
        {
            File.Delete(pemFile);
        }
    }

    protected override string RevertChanged(TrustInstallation i, JournalChange change)
    {
        // cacerts written by someone else since: delete our alias only.
        foreach (var home in Homes(i.Context))
        {
            if (Cacerts(home) != change.Target && UserTrustStore(i.Context) != change.Target)
                continue;
            foreach (var root in i.JournalRoots())
                i.Context.Runner.Run(new ProcessRequest(Keytool(home), new[] { "-delete", "-alias", Alias(root), "-keystore", change.Target, "-storepass", StorePassword }));
            return string.Empty;
        }
        return base.RevertChanged(i, change);
    }
}
