using System.Globalization;
using System.Text.Json;

namespace ZscalerPki.Conformance.Clients;

/// <summary>
/// Node.js: a TLS handshake over loopback (drivers/node_verify.js; see there for what is fed how). Cases without a
/// validation time run in one node process; a case with one runs in its own process under libfaketime
/// (<c>faketime -f "@time"</c>, the clock starting at that second; monotonic time left real so Node's timers work). Without
/// faketime, or for a sub-second time, such cases are unsupported. PKITS has no private keys, so Node cannot present
/// its chains: unsupported.
/// </summary>
public sealed class NodeRunner(string driversDir) : IClientRunner
{
    private readonly string? _node = ClientProcess.Which("node") ?? ClientProcess.Which("nodejs");
    private readonly string? _faketime = ClientProcess.Which("faketime");
    private string? _version;

    public string Id => "node";
    public string? Unavailable => _node is null ? "node not found on PATH (Debian: nodejs)" : null;

    public string Version => _version ??= _node is null ? "" :
        "Node " + ClientProcess.VersionOf(_node, "-p", "process.version + ' (OpenSSL ' + process.versions.openssl + ')'");

    /// <summary>The driver's own words for the same condition (kept equal so the snapshot does not depend on which side decided).</summary>
    private const string NoKey = "Node validates chains only in a TLS handshake; the case has no private key for the peer certificate";

    public IReadOnlyList<ClientVerdict> Run(IReadOnlyList<ClientCase> all, string workDir)
    {
        IReadOnlyList<ClientCase> cases = all;
        var answers = new Dictionary<(string, string), ClientVerdict>();
        foreach (var c in cases.Where(c => c.UnsupportedReason is null && c.LeafKey is null))
            answers[(c.Corpus, c.Id)] = ClientVerdict.Unsupported(c, NoKey);
        cases = cases.Where(c => c.UnsupportedReason is not null || c.LeafKey is not null).ToList();
        var script = Path.Combine(driversDir, "node_verify.js");
        var untimed = cases.Where(c => c.UnsupportedReason is null && c.Time is null).ToList();
        if (untimed.Count > 0) Drive(untimed, _node!, new[] { script }, null, workDir, answers);
        foreach (var c in cases.Where(c => c.UnsupportedReason is null && c.Time is not null))
        {
            if (_faketime is null) { answers[(c.Corpus, c.Id)] = ClientVerdict.Unsupported(c, "Node has no validation-time option and faketime is not installed"); continue; }
            if (c.Time!.Value.Millisecond != 0) { answers[(c.Corpus, c.Id)] = ClientVerdict.Unsupported(c, "faketime takes whole seconds"); continue; }
            var at = "@" + c.Time.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var env = new Dictionary<string, string> { ["TZ"] = "UTC", ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1" };
            Drive(new[] { c }, _faketime, new[] { "-f", at, _node!, script }, env, workDir, answers);
        }
        return all.Select(c => c.UnsupportedReason is { } why ? ClientVerdict.Unsupported(c, why) : answers[(c.Corpus, c.Id)]).ToList();
    }

    private static void Drive(IReadOnlyList<ClientCase> cases, string exe, IReadOnlyList<string> args, IDictionary<string, string>? env,
        string workDir, Dictionary<(string, string), ClientVerdict> answers)
    {
        var input = string.Concat(cases.Select(c => JsonSerializer.Serialize(c, ClientCase.Json) + "\n"));
        var r = ClientProcess.Run(exe, args, input, env, timeoutMs: 300_000, workDir: workDir);
        int got = 0;
        foreach (var line in r.StdOut.Split('\n').Where(l => l.TrimStart().StartsWith('{')))
        {
            var v = ClientVerdict.FromJsonLine(line);
            answers[(v.Corpus, v.Case)] = v with { Error = ClientProcess.Clean(v.Error, workDir) };
            got++;
        }
        if (r.ExitCode != 0 || got != cases.Count)
            throw new InvalidOperationException($"node driver exited {r.ExitCode} with {got} of {cases.Count} verdicts: {ClientProcess.Clean(r.StdErr, workDir)}");
    }
}
