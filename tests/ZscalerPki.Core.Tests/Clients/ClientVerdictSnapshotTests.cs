using ZscalerPki.Conformance.Clients;
using ZscalerPki.Core.Tests.Validation;

namespace ZscalerPki.Core.Tests.Clients;

/// <summary>
/// Runs only where the named real client is installed (CI installs them from Debian; see .ci/run) in the version the
/// snapshot was made with: another version may answer differently by design, so it is a skip naming both versions
/// (regenerate the snapshot on a machine with that version), not a failure.
/// </summary>
public sealed class ClientFactAttribute : FactAttribute
{
    public ClientFactAttribute(string client)
    {
        var root = TestData.RepoRoot;
        var runner = ClientVerdictSnapshotTests.Runner(client);
        if (runner.Unavailable is { } why)
        {
            Skip = $"client {client} is not installed here: {why}";
            return;
        }
        var file = ClientSnapshot.FileOf(root, client);
        var recorded = File.Exists(file) ? ClientSnapshot.Read(file).Select(v => v.ClientVersion).FirstOrDefault() : null;
        if (recorded != runner.Version)
            Skip = $"tests/testdata/client-verdicts/{client}.jsonl was made with '{recorded}', {client} here is '{runner.Version}' (regenerate: dotnet run -c Release --project tests/ZscalerPki.Conformance -- clients --write --client {client})";
    }
}

/// <summary>
/// Keeps tests/testdata/client-verdicts honest (issue 21): every installed client re-runs a deterministic sample of the
/// cases (an FNV-1a bucket of the case id, ~8 %: about 30 cases) and must give the verdict the snapshot records. A
/// different answer means the snapshot is stale (regenerate it, see the README there) or the runner changed. Compiled
/// for net10.0 only: the clients are external processes, so a second runtime would only double the time.
/// </summary>
public class ClientVerdictSnapshotTests
{
    private const int SamplePercent = 8;

    /// <summary>One runner per client for discovery and the run (each asks its client's version once).</summary>
    private static readonly Lazy<IReadOnlyList<IClientRunner>> Runners = new(() => ClientRunners.All(TestData.RepoRoot));

    internal static IClientRunner Runner(string client) => Runners.Value.Single(r => r.Id == client);

    private static readonly string[] Clients = { "openssl", "openssl-strict", "pyca", "nss", "gnutls", "node", "python-ssl", "go", "java", "chrome" };

    /// <summary>Fewest accepts and rejects a snapshot must hold (Chromium takes only the untimed limbo server cases with a key and a DNS name).</summary>
    private static (int Accepts, int Rejects) Least(string client) => client == "chrome" ? (30, 30) : (50, 40);

    private static void SampleMatchesSnapshot(string client)
    {
        var root = TestData.RepoRoot;
        var runner = Runner(client);
        var sample = ClientCases.Sample(ClientCases.LoadAll(root), SamplePercent);
        Assert.InRange(sample.Count, 20, 60);
        var snapshot = ClientSnapshot.Read(ClientSnapshot.FileOf(root, client)).ToDictionary(v => (v.Corpus, v.Case));
        var now = ClientRunners.RunClient(runner, sample);
        Assert.Equal(sample.Count, now.Count);
        var diffs = now.Where(v => snapshot[(v.Corpus, v.Case)].Verdict != v.Verdict)
            .Select(v => $"{v.Corpus} {v.Case}: snapshot {snapshot[(v.Corpus, v.Case)].Verdict}, {client} {runner.Version} now {v.Verdict} ({v.Error})").ToList();
        Assert.True(diffs.Count == 0, $"{client} disagrees with tests/testdata/client-verdicts/{client}.jsonl (regenerate: dotnet run -c Release --project tests/ZscalerPki.Conformance -- clients --write --client {client}):\n" + string.Join("\n", diffs));
        // The sample must exercise the client, not only its "unsupported" answers.
        Assert.Contains(now, v => v.Verdict != "unsupported");
    }

    [ClientFact("openssl")] public void OpenSsl_SampleMatchesSnapshot() => SampleMatchesSnapshot("openssl");
    [ClientFact("openssl-strict")] public void OpenSslStrict_SampleMatchesSnapshot() => SampleMatchesSnapshot("openssl-strict");
    [ClientFact("pyca")] public void Pyca_SampleMatchesSnapshot() => SampleMatchesSnapshot("pyca");
    [ClientFact("nss")] public void Nss_SampleMatchesSnapshot() => SampleMatchesSnapshot("nss");
    [ClientFact("gnutls")] public void GnuTls_SampleMatchesSnapshot() => SampleMatchesSnapshot("gnutls");
    [ClientFact("node")] public void Node_SampleMatchesSnapshot() => SampleMatchesSnapshot("node");
    [ClientFact("python-ssl")] public void PythonSsl_SampleMatchesSnapshot() => SampleMatchesSnapshot("python-ssl");
    [ClientFact("go")] public void Go_SampleMatchesSnapshot() => SampleMatchesSnapshot("go");
    [ClientFact("java")] public void Java_SampleMatchesSnapshot() => SampleMatchesSnapshot("java");
    [ClientFact("chrome")] public void Chrome_SampleMatchesSnapshot() => SampleMatchesSnapshot("chrome");

    /// <summary>Every snapshot file has exactly one well-formed line per case, for its own client, in case order.</summary>
    [Fact]
    public void Snapshots_CoverEveryCaseOnce()
    {
        var root = TestData.RepoRoot;
        var cases = ClientCases.LoadAll(root);
        Assert.Equal(142 + 249, cases.Count);
        Assert.Equal(Clients.OrderBy(c => c), ClientRunners.All(root).Select(r => r.Id).OrderBy(c => c));
        foreach (var client in Clients)
        {
            var lines = ClientSnapshot.Read(ClientSnapshot.FileOf(root, client));
            Assert.Equal(cases.Select(c => (c.Corpus, c.Id)), lines.Select(v => (v.Corpus, v.Case)));
            Assert.All(lines, v =>
            {
                Assert.Equal(client, v.Client);
                Assert.False(string.IsNullOrWhiteSpace(v.ClientVersion));
                Assert.Contains(v.Verdict, new[] { "accept", "reject", "unsupported" });
                if (v.Verdict != "accept") Assert.False(string.IsNullOrWhiteSpace(v.Error), $"{client} {v.Case}: {v.Verdict} without the client's message");
            });
            // Every client answers most cases: a runner that fails to feed its client shows up as all-unsupported.
            var (accepts, rejects) = Least(client);
            Assert.True(lines.Count(v => v.Verdict == "accept") >= accepts, $"{client}: fewer than {accepts} accepts");
            Assert.True(lines.Count(v => v.Verdict == "reject") >= rejects, $"{client}: fewer than {rejects} rejects");
        }
    }

    /// <summary>The cases carry what the corpora specify: limbo peer name, purpose, time, CRLs; PKITS anchors, time, policy inputs.</summary>
    [Fact]
    public void Cases_CarryTheCorpusInputs()
    {
        var cases = ClientCases.LoadAll(TestData.RepoRoot).ToDictionary(c => (c.Corpus, c.Id));
        var revoked = cases[("limbo", "crl::revoked-certificate-with-crl")];
        Assert.Equal(("DNS", "revoked.example.com"), (revoked.PeerNameKind, revoked.PeerName));
        Assert.Equal("server", revoked.Purpose);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), revoked.Time);
        Assert.Single(revoked.Crls);
        Assert.Null(revoked.UnsupportedReason);
        Assert.Equal("peer name kind RFC822", cases[("limbo", "rfc5280::nc::nc-permits-email-exact")].UnsupportedReason);

        var policy = cases[("pkits", "4.8.1 All Certificates Same Policy Test1 (Subpart 2)")];
        Assert.Equal(new[] { "2.16.840.1.101.3.2.1.48.1" }, policy.InitialPolicySet);
        Assert.True(policy.ExplicitPolicy);
        var plain = cases[("pkits", "4.1.1 Valid Signatures Test1")];
        Assert.False(plain.HasPolicyInputs);
        Assert.Null(plain.Purpose);
        Assert.Equal(ConformanceRunnerTime, plain.Time);
        Assert.Single(plain.Trusted);
        Assert.Single(plain.Intermediates);
        Assert.Equal(2, plain.Crls.Count);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----\n", plain.Leaf, StringComparison.Ordinal);
    }

    private static readonly DateTimeOffset ConformanceRunnerTime = new(2011, 4, 15, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The sample is deterministic (FNV-1a, not string.GetHashCode) and picks the same cases on every run.</summary>
    [Fact]
    public void Sample_IsStable()
    {
        Assert.Equal(99, ClientCases.Bucket("limbo/crl::revoked-certificate-with-crl"));
        var cases = ClientCases.LoadAll(TestData.RepoRoot);
        Assert.Equal(ClientCases.Sample(cases, SamplePercent).Select(c => c.Id), ClientCases.Sample(cases, SamplePercent).Select(c => c.Id));
    }
}
