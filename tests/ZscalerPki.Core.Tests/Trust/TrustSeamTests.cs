using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Trust;

namespace ZscalerPki.Core.Tests.Trust;

/// <summary>
/// The Windows and macOS stores behind the same interface, with no Windows or macOS here: a recording process runner, root
/// store and persistent environment stand in for X509Store, the registry environment and the security tool. What they record
/// is what would run; the files (Firefox user.js, ~/.zprofile, the journal) are real, under a temp HOME.
/// </summary>
public sealed class TrustSeamTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zpki-trust-seam-").FullName;
    private readonly X509Certificate2 _root = NewRoot("CN=Seam Root", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5), ca: true);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static X509Certificate2 NewRoot(string subject, DateTimeOffset from, DateTimeOffset to, bool ca)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        return req.CreateSelfSigned(from, to);
    }

    private sealed class RecordingRunner : IProcessRunner
    {
        public readonly List<string> Ran = new();
        public readonly HashSet<string> Programs = new(StringComparer.Ordinal);

        public ProcessResult Run(ProcessRequest request)
        {
            Ran.Add(request.ToString());
            return new ProcessResult(0, string.Empty, string.Empty, false);
        }

        public string? Find(string program) => Programs.Contains(program) ? "/fake/" + program : null;
    }

    private sealed class FakeRootStore : IRootCertificateStore
    {
        public readonly Dictionary<(string, TrustScope), X509Certificate2> Certs = new();
        public bool Deny;

        public bool Contains(string thumbprint, TrustScope scope) => Certs.ContainsKey((thumbprint, scope));

        public void Add(X509Certificate2 certificate, TrustScope scope)
        {
            if (Deny)
                throw new CryptographicException("Access is denied.");
            Certs[(certificate.Thumbprint, scope)] = certificate;
        }

        public void Remove(string thumbprint, TrustScope scope) => Certs.Remove((thumbprint, scope));

        public string Location(TrustScope scope) => $"Cert:\\{scope}\\Root";
    }

    private sealed class FakeEnvironment : IPersistentEnvironment
    {
        public readonly Dictionary<string, string?> Values = new() { ["REQUESTS_CA_BUNDLE"] = @"C:\corp\bundle.pem" };

        public string? Get(string name, TrustScope scope) => Values.GetValueOrDefault(name);

        public void Set(string name, string? value, TrustScope scope) => Values[name] = value;
    }

    private TrustContext Windows(RecordingRunner runner, FakeRootStore store, FakeEnvironment env) => new()
    {
        Scope = TrustScope.CurrentUser,
        Home = Path.Combine(_dir, "home"),
        DataFolder = Path.Combine(_dir, "home", "AppData", "Local", "ZscalerPki"),
        Platform = TrustPlatform.Windows,
        Runner = runner,
        GetVariable = name => name == "APPDATA" ? Path.Combine(_dir, "home", "AppData", "Roaming") : null,
        PersistentEnvironment = env,
        WindowsRootStore = store,
    };

    [Fact]
    public void Windows_RootStore_UserEnvironment_AndFirefoxEnterpriseRoots_AreInstalled_AndTakenBackExactly()
    {
        var runner = new RecordingRunner { Programs = { "python", "node", "curl" } };
        var store = new FakeRootStore();
        var env = new FakeEnvironment();
        var context = Windows(runner, store, env);
        var profile = Directory.CreateDirectory(Path.Combine(_dir, "home", "AppData", "Roaming", "Mozilla", "Firefox", "Profiles", "abc.default-release")).FullName;
        var userJs = Path.Combine(profile, "user.js");
        File.WriteAllText(userJs, "user_pref(\"browser.startup.page\", 3);");
        var userJsBefore = File.ReadAllBytes(userJs);

        var op = new TrustService(context).Install(new[] { _root }, null);

        Assert.Empty(op.Errors);
        Assert.Equal(new[] { "OS", "Firefox", "Python", "Node", "Curl" }, op.Results.Select(r => r.Store));
        Assert.True(store.Contains(_root.Thumbprint, TrustScope.CurrentUser));
        Assert.Contains(FirefoxEnterpriseRootsStore.Pref, File.ReadAllText(userJs));
        Assert.Equal(context.BundlePath, env.Values["NODE_EXTRA_CA_CERTS"]);
        Assert.Equal(context.BundlePath, env.Values["REQUESTS_CA_BUNDLE"]);
        Assert.Equal(context.BundlePath, op.SessionVariables["CURL_CA_BUNDLE"]);
        // No OS bundle file on Windows: the combined bundle holds our root.
        Assert.Contains(Convert.ToBase64String(_root.RawData)[..64], File.ReadAllText(context.BundlePath).Replace("\n", string.Empty));
        Assert.Empty(runner.Ran);

        var again = new TrustService(context).Install(new[] { _root }, null);
        Assert.All(again.Results, r => Assert.Equal("AlreadyInstalled", r.Action));

        var undo = new TrustService(context).Uninstall(null, null);
        Assert.Empty(undo.Errors);
        Assert.Empty(store.Certs);
        Assert.Equal(@"C:\corp\bundle.pem", env.Values["REQUESTS_CA_BUNDLE"]);
        Assert.Null(env.Values["NODE_EXTRA_CA_CERTS"]);
        Assert.Equal(userJsBefore, File.ReadAllBytes(userJs));
        Assert.False(File.Exists(context.BundlePath));
        Assert.False(File.Exists(context.JournalPath));
        Assert.Equal(@"C:\corp\bundle.pem", undo.SessionVariables["REQUESTS_CA_BUNDLE"]);
    }

    [Fact]
    public void Windows_LocalMachineRootStore_Denied_IsOneTrustStoreWriteFailed_NamingTheStoreAndTheFix_OthersStillInstall()
    {
        var runner = new RecordingRunner { Programs = { "curl" } };
        var store = new FakeRootStore { Deny = true };
        var context = Windows(runner, store, new FakeEnvironment());

        var op = new TrustService(context).Install(new[] { _root }, new[] { "OS", "Curl" });

        var error = Assert.Single(op.Errors);
        Assert.Equal(PkiErrorIds.TrustStoreWriteFailed, error.ErrorId);
        Assert.Contains("The OS store (Cert:\\CurrentUser\\Root)", error.Message);
        Assert.Contains("run PowerShell as Administrator", error.Message);
        Assert.Equal("Curl", Assert.Single(op.Results).Store);
    }

    [Fact]
    public void MacOS_Keychain_RunsSecurityAddTrustedCert_AndTheLoginShellBlockGoesToZprofile()
    {
        var runner = new RecordingRunner { Programs = { "curl" } };
        var home = Path.Combine(_dir, "mac");
        Directory.CreateDirectory(home);
        var context = new TrustContext
        {
            Scope = TrustScope.CurrentUser,
            Home = home,
            DataFolder = Path.Combine(home, "Library", "Application Support", "ZscalerPki"),
            Platform = TrustPlatform.MacOS,
            Runner = runner,
            GetVariable = _ => null,
        };

        var op = new TrustService(context).Install(new[] { _root }, new[] { "OS", "Curl" });

        Assert.Empty(op.Errors);
        var add = Assert.Single(runner.Ran, r => r.Contains("add-trusted-cert", StringComparison.Ordinal));
        Assert.StartsWith("security add-trusted-cert -r trustRoot -k " + Path.Combine(home, "Library", "Keychains", "login.keychain-db"), add.Replace("'", string.Empty));
        var zprofile = File.ReadAllText(Path.Combine(home, ".zprofile"));
        Assert.Contains($"export CURL_CA_BUNDLE='{context.BundlePath}'", zprofile);

        runner.Ran.Clear();
        new TrustService(context).Uninstall(null, null);
        Assert.Contains(runner.Ran, r => r.StartsWith("security remove-trusted-cert", StringComparison.Ordinal));
        Assert.Contains(runner.Ran, r => r.StartsWith("security delete-certificate -Z " + _root.Thumbprint, StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(home, ".zprofile")), "the .zprofile we created is removed again");
    }

    [Fact]
    public void ACorruptJournal_IsTrustJournalCorrupt_NamingTheFile()
    {
        var context = Windows(new RecordingRunner(), new FakeRootStore(), new FakeEnvironment());
        Directory.CreateDirectory(context.DataFolder);
        File.WriteAllText(context.JournalPath, "{ not json");
        var ex = Assert.Throws<PkiException>(() => new TrustService(context).Uninstall(null, null));
        Assert.Equal(PkiErrorIds.TrustJournalCorrupt, ex.ErrorId);
        Assert.Contains(context.JournalPath, ex.Message);
    }

    [Fact]
    public void RootChecks_RefuseALeaf_ANonCa_AnExpiredRoot()
    {
        var leaf = NewRoot("CN=leaf", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), ca: false);
        var expired = NewRoot("CN=old", DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1), ca: true);
        Assert.Equal(PkiErrorIds.LeafNotTrustAnchor, Assert.Throws<PkiException>(() => TrustService.RequireInstallableRoot(leaf, DateTimeOffset.UtcNow)).ErrorId);
        Assert.Equal(PkiErrorIds.CertificateExpired, Assert.Throws<PkiException>(() => TrustService.RequireInstallableRoot(expired, DateTimeOffset.UtcNow)).ErrorId);
        TrustService.RequireInstallableRoot(_root, DateTimeOffset.UtcNow);
    }

    [Theory]
    [InlineData(null, "[global]\ncert = /b.pem\n")]
    [InlineData("[global]\ntimeout = 60\n", "[global]\ncert = /b.pem\ntimeout = 60\n")]
    [InlineData("[global]\ncert = /old.pem\n[install]\nx = 1", "[global]\ncert = /b.pem\n[install]\nx = 1\n")]
    [InlineData("[user]\nname = a\n", "[user]\nname = a\n[global]\ncert = /b.pem\n")]
    public void IniSet_SetsTheKeyInItsSection_WithoutRepeatingTheSection(string? before, string expected) =>
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(AppSettingsStore.IniSet(before is null ? null : System.Text.Encoding.UTF8.GetBytes(before), "global", "cert", "/b.pem")));

    [Fact]
    public void ShellBlock_IsAppendedAfterANewline_AndRemovedToTheSameBytes()
    {
        var before = System.Text.Encoding.UTF8.GetBytes("export A=1");
        var with = TrustInstallation.WithBlock(before, TrustInstallation.BlockStart + "\nexport B='x'\n" + TrustInstallation.BlockEnd + "\n")!;
        Assert.StartsWith("export A=1\n# >>> ZscalerPki trust", System.Text.Encoding.UTF8.GetString(with));
        Assert.Equal("export A=1\n", TrustInstallation.WithoutBlock(System.Text.Encoding.UTF8.GetString(with)));
    }
}
