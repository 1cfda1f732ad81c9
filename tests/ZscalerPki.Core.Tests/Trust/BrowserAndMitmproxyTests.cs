using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Trust;

namespace ZscalerPki.Core.Tests.Trust;

/// <summary>Changes the process umask: nothing else may create files meanwhile.</summary>
[CollectionDefinition("umask", DisableParallelization = true)]
public sealed class UmaskCollection
{
}

/// <summary>
/// The pieces of the browser clients and the mitmproxy rehearsal that need no browser and no mitmproxy: mitmproxy's CA folder
/// (owner-only whatever the umask, key then issuer then the chain without the root, deleted afterwards), Firefox's default
/// profile from profiles.ini / installs.ini and its temp copy, the nsHttp log watch and NSS error names, the prefs, and the
/// process runner's StopWhen.
/// </summary>
[Collection("umask")]
public sealed class BrowserAndMitmproxyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zpki-browser-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [DllImport("libc", SetLastError = true)]
    private static extern uint umask(uint mask);

    private static (X509Certificate2 Root, X509Certificate2 Mid, X509Certificate2 Issuing, ECDsa IssuingKey) Chain(bool withMid)
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;
        var rootReq = new CertificateRequest("CN=Unit Root", rootKey, HashAlgorithmName.SHA256);
        rootReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var root = rootReq.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
        X509Certificate2 Sign(string subject, X509Certificate2 parent, AsymmetricAlgorithm parentKey, ECDsa key)
        {
            var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            var gen = X509SignatureGenerator.CreateForECDsa((ECDsa)parentKey);
            return req.Create(parent.SubjectName, gen, now.AddHours(-1), now.AddYears(1), Guid.NewGuid().ToByteArray());
        }
        var midKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var mid = withMid ? Sign("CN=Unit Mid", root, rootKey, midKey) : root;
        var issuingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issuing = Sign("CN=Unit Inspection CA", mid, withMid ? midKey : rootKey, issuingKey);
        return (root, mid, issuing, issuingKey);
    }

    [Fact]
    public void MitmproxyConfdir_IsOwnerOnlyWhateverTheUmask_AndGoneAfterDispose()
    {
        if (OperatingSystem.IsWindows())
            return;
        var (root, _, issuing, key) = Chain(withMid: false);
        var old = umask(0);
        MitmproxyConfdir confdir;
        try
        {
            confdir = MitmproxyConfdir.Write(key, issuing, new[] { root });
        }
        finally
        {
            umask(old);
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(confdir.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(confdir.CaFile));
        File.WriteAllText(Path.Combine(confdir.Path, "mitmproxy-dhparam.pem"), "what mitmproxy adds");
        confdir.Dispose();
        Assert.False(Directory.Exists(confdir.Path));
    }

    [Fact]
    public void MitmproxyCaFile_IsTheKeyThenTheIssuerThenItsChainWithoutTheRoot()
    {
        var (root, mid, issuing, key) = Chain(withMid: true);
        using var confdir = MitmproxyConfdir.Write(key, issuing, new[] { mid, root });
        var text = File.ReadAllText(confdir.CaFile);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", text, StringComparison.Ordinal);
        var certs = new X509Certificate2Collection();
        certs.ImportFromPem(text);
        Assert.Equal(new[] { issuing.Thumbprint, mid.Thumbprint }, certs.Select(c => c.Thumbprint));
        using var read = ECDsa.Create();
        read.ImportFromPem(text[..(text.IndexOf("-----END PRIVATE KEY-----", StringComparison.Ordinal) + 25)]);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), read.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void MitmproxyCaFile_OfAnIssuerRightBelowTheRoot_HoldsTheIssuerTwice_SoMitmproxySendsIt()
    {
        var (root, _, issuing, key) = Chain(withMid: false);
        using var confdir = MitmproxyConfdir.Write(key, issuing, new[] { root });
        var certs = new X509Certificate2Collection();
        certs.ImportFromPem(File.ReadAllText(confdir.CaFile));
        Assert.Equal(new[] { issuing.Thumbprint, issuing.Thumbprint }, certs.Select(c => c.Thumbprint));
    }

    private string Profile(string root, string name, bool certDb)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        if (certDb)
        {
            File.WriteAllText(Path.Combine(dir, "cert9.db"), "cert9 of " + name);
            File.WriteAllText(Path.Combine(dir, "key4.db"), "key4 of " + name);
            File.WriteAllText(Path.Combine(dir, "pkcs11.txt"), $"library=\nname=NSS Internal PKCS #11 Module\nparameters=configdir='sql:{dir}' certPrefix=''\n");
        }
        return dir;
    }

    [Fact]
    public void FirefoxDefaultProfile_IsTheInstallsDefault_ElseDefault1_ElseNone()
    {
        var home = Path.Combine(_dir, "home");
        var root = Path.Combine(home, ".config", "mozilla", "firefox");
        Profile(root, "a.default", certDb: true);
        var esr = Profile(root, "b.default-esr", certDb: true);
        File.WriteAllText(Path.Combine(root, "profiles.ini"), "[Profile1]\nName=default-esr\nIsRelative=1\nPath=b.default-esr\n\n[Profile0]\nName=default\nIsRelative=1\nPath=a.default\nDefault=1\n\n[General]\nStartWithLastProfile=1\n");
        File.WriteAllText(Path.Combine(root, "installs.ini"), "[3B6073811A6ABF12]\nDefault=b.default-esr\nLocked=1\n");
        Assert.Equal(esr, FirefoxClient.DefaultProfile(home));

        File.Delete(Path.Combine(root, "installs.ini"));
        Assert.Equal(Path.Combine(root, "a.default"), FirefoxClient.DefaultProfile(home));

        File.Delete(Path.Combine(root, "a.default", "cert9.db"));
        File.Delete(Path.Combine(esr, "cert9.db"));
        Assert.Null(FirefoxClient.DefaultProfile(home));
        Assert.Null(FirefoxClient.DefaultProfile(Path.Combine(_dir, "nobody")));
    }

    [Fact]
    public void FirefoxLaunch_CopiesTheProfilesTrust_PointsPkcs11AtTheCopy_AndLeavesTheUsersProfileAlone()
    {
        var home = Path.Combine(_dir, "home2");
        var root = Path.Combine(home, ".mozilla", "firefox");
        var profile = Profile(root, "x.default-release", certDb: true);
        File.WriteAllText(Path.Combine(root, "profiles.ini"), "[Install4F96D1932A9F858E]\nDefault=x.default-release\n\n[Profile0]\nName=default-release\nIsRelative=1\nPath=x.default-release\n");
        var before = Directory.GetFiles(profile).ToDictionary(f => f, File.ReadAllText);
        var context = new TrustContext { Scope = TrustScope.CurrentUser, Home = home, DataFolder = Path.Combine(_dir, "data") };
        string temp;
        using (var launch = new FirefoxClient().Prepare(context, "https://localhost:1234/probe/t", "http://127.0.0.1:8080"))
        {
            Assert.Null(launch.Unavailable);
            temp = launch.TempFolder!;
            var copy = launch.Arguments[launch.Arguments.ToList().IndexOf("--profile") + 1];
            Assert.StartsWith(temp, copy, StringComparison.Ordinal);
            Assert.Equal("cert9 of x.default-release", File.ReadAllText(Path.Combine(copy, "cert9.db")));
            Assert.Contains($"configdir='sql:{copy}'", File.ReadAllText(Path.Combine(copy, "pkcs11.txt")), StringComparison.Ordinal);
            var userJs = File.ReadAllText(Path.Combine(copy, "user.js"));
            Assert.Contains("user_pref(\"network.proxy.ssl\", \"127.0.0.1\");", userJs, StringComparison.Ordinal);
            Assert.Contains("user_pref(\"network.proxy.ssl_port\", 8080);", userJs, StringComparison.Ordinal);
            Assert.Contains("user_pref(\"network.proxy.allow_hijacking_localhost\", true);", userJs, StringComparison.Ordinal);
            Assert.Equal("nsHttp:4", launch.Environment["MOZ_LOG"]);
            Assert.StartsWith(temp, launch.Environment["XDG_CONFIG_HOME"], StringComparison.Ordinal);
            Assert.Equal("https://localhost:1234/probe/t", launch.Arguments[^1]);
        }
        Assert.False(Directory.Exists(temp));
        Assert.Equal(before, Directory.GetFiles(profile).ToDictionary(f => f, File.ReadAllText));
        Assert.Contains("user_pref(\"network.proxy.type\", 0);", FirefoxClient.UserJs(null), StringComparison.Ordinal);
    }

    [Fact]
    public void BrowserFailures_NotAboutTheCertificate_AreToldApart_SoTheProbeLoadsThePageOnceMore()
    {
        var home = Path.Combine(_dir, "home3");
        var root = Path.Combine(home, ".mozilla", "firefox");
        Profile(root, "y.default", certDb: true);
        File.WriteAllText(Path.Combine(root, "profiles.ini"), "[Profile0]\nName=default\nIsRelative=1\nPath=y.default\nDefault=1\n");
        var context = new TrustContext { Scope = TrustScope.CurrentUser, Home = home, DataFolder = Path.Combine(_dir, "data") };
        var none = new ProcessResult(0, "", "", false);
        foreach (var (status, aboutTrust) in new[] { ("805a1ff3", true), ("805a3ff2", true), ("804b001e", false), ("804b0014", false) })
        {
            using var launch = new FirefoxClient().Prepare(context, "https://localhost:1234/probe/t", null);
            Assert.False(launch.NotAboutTrust(none));
            launch.StopWhen!("[Parent 7: Main Thread]: E/nsHttp nsHttpChannel::Init [this=7f01]");
            launch.StopWhen!("[Parent 7: Main Thread]: E/nsHttp uri=https://localhost:1234/probe/t");
            Assert.True(launch.StopWhen!($"[Parent 7: Main Thread]: D/nsHttp nsHttpChannel::OnStopRequest [this=7f01 request=7f02 status={status}]"));
            Assert.Equal(!aboutTrust, launch.NotAboutTrust(none));
        }
        using var chromium = new ChromiumClient().Prepare(context, "https://localhost:1234/probe/t", null);
        ProcessResult Failed(string error) => new(1, "", $"[1:1:ERROR:headless_command_handler.cc:403] Page load failed: net::{error}\n", false);
        Assert.False(chromium.NotAboutTrust(Failed("ERR_CERT_AUTHORITY_INVALID")));
        Assert.False(chromium.NotAboutTrust(Failed("ERR_SSL_PROTOCOL_ERROR")));
        Assert.True(chromium.NotAboutTrust(Failed("ERR_NAME_NOT_RESOLVED")));
        Assert.True(chromium.NotAboutTrust(Failed("ERR_CONNECTION_RESET")));
        Assert.False(chromium.NotAboutTrust(none));
    }

    [Fact]
    public void FirefoxLaunch_WithoutAProfile_SaysSoWithTheFix()
    {
        var context = new TrustContext { Scope = TrustScope.CurrentUser, Home = Path.Combine(_dir, "empty"), DataFolder = Path.Combine(_dir, "data") };
        using var launch = new FirefoxClient().Prepare(context, "https://localhost:1/", null);
        Assert.Matches("No Firefox profile with a certificate database \\(cert9.db\\) in .*profiles.ini", launch.Unavailable);
        Assert.Equal(FirefoxClient.NoProfileFix, launch.UnavailableFix);
        Assert.Null(launch.TempFolder);
    }

    [Fact]
    public void FirefoxChannelWatch_StopsAtTheProbesChannelFailing_NotAtOthers()
    {
        var watch = new FirefoxClient.ChannelWatch("https://localhost:41000/probe/zpki-firefox-1");
        var log = new[]
        {
            "[Parent 1: Main Thread]: E/nsHttp nsHttpChannel::Init [this=7f00aa]",
            "[Parent 1: Main Thread]: E/nsHttp uri=https://firefox.settings.services.mozilla.com/v1/",
            "[Parent 1: Main Thread]: E/nsHttp nsHttpChannel::Init [this=7f00bb]",
            "[Parent 1: Socket Thread]: V/nsHttp something else in between",
            "[Parent 1: Main Thread]: E/nsHttp uri=https://localhost:41000/probe/zpki-firefox-1",
            "[Parent 1: Main Thread]: D/nsHttp nsHttpChannel::OnStopRequest [this=7f00aa request=7f01 status=805a1ff3]",
            "[Parent 1: Main Thread]: D/nsHttp nsHttpChannel::OnStopRequest [this=7f00bb request=7f02 status=0]",
        };
        Assert.All(log, l => Assert.False(watch.Line(l)));
        Assert.Null(watch.Status);
        Assert.True(watch.Line("[Parent 1: Main Thread]: D/nsHttp nsHttpChannel::OnStopRequest [this=7f00bb request=7f03 status=805a1ff3]"));
        Assert.Equal("805a1ff3", watch.Status);
    }

    [Fact]
    public void FirefoxChannelWatch_DoesNotTakeABackgroundChannel_ForThePage_WhenProcessesInterleave()
    {
        // Firefox 153's log, measured: the content process logs the page's uri between the parent's Init of a background
        // channel (remote settings, no network here: NS_ERROR_UNKNOWN_HOST) and that channel's own uri line.
        var watch = new FirefoxClient.ChannelWatch("https://localhost:8444/probe");
        var log = new[]
        {
            "[Parent 5237: Main Thread]: E/nsHttp nsHttpChannel::Init [this=7f65b1dc0100]",
            "[Parent 5237: Main Thread]: E/nsHttp uri=https://localhost:8444/probe",
            "[Parent 5237: Main Thread]: E/nsHttp nsHttpChannel::Init [this=7f65b1667600]",
            "[Child 5331: Main Thread]: E/nsHttp uri=https://localhost:8444/probe",
            "[Parent 5237: Main Thread]: E/nsHttp uri=https://firefox.settings.services.mozilla.com/v1/buckets/monitor/collections/changes/changeset",
            "[Parent 5237: Main Thread]: D/nsHttp nsHttpChannel::OnStopRequest [this=7f65b1667600 request=7f65b132c280 status=804b001e]",
        };
        Assert.All(log, l => Assert.False(watch.Line(l)));
        Assert.Null(watch.Status);
        Assert.True(watch.Line("[Parent 5237: Main Thread]: D/nsHttp nsHttpChannel::OnStopRequest [this=7f65b1dc0100 request=7f65b5982f30 status=805a3ff2]"));
        Assert.Equal("805a3ff2", watch.Status);
    }

    [Theory]
    [InlineData("805a1ff3", "SEC_ERROR_UNKNOWN_ISSUER (NSS error -8179)")]
    [InlineData("805a1ff5", "SEC_ERROR_EXPIRED_CERTIFICATE (NSS error -8181)")]
    [InlineData("805a2ff4", "SSL_ERROR_BAD_CERT_DOMAIN (NSS error -12276)")]
    [InlineData("805a3ff2", "MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT (NSS error -16370)")]
    [InlineData("805a1234", "NSS error -4660")]
    [InlineData("804b001e", "NS_ERROR_UNKNOWN_HOST")]
    [InlineData("80004005", "0x80004005")]
    public void FirefoxStatus_IsNamed(string hex, string expected) => Assert.Equal(expected, FirefoxClient.Describe(hex));

    [Fact]
    public void ProcessRunner_StopWhen_EndsTheRunAtThatLine_NotAtTheTimeout()
    {
        if (OperatingSystem.IsWindows())
            return;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = new SystemProcessRunner().Run(new ProcessRequest("/bin/sh", new[] { "-c", "echo first; echo 'Page load failed: net::ERR_CERT_AUTHORITY_INVALID' >&2; sleep 30" })
        {
            Timeout = TimeSpan.FromSeconds(25),
            StopWhen = l => l.Contains("Page load failed", StringComparison.Ordinal),
        });
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.True(r.Stopped);
        Assert.False(r.TimedOut);
        Assert.False(r.Succeeded);
        Assert.Contains("ERR_CERT_AUTHORITY_INVALID", r.Error, StringComparison.Ordinal);
    }
}
