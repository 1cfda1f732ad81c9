using System.Globalization;
using System.Text.Json;

namespace ZscalerPki.Conformance.Clients;

/// <summary>
/// A client that validates chains only inside a TLS handshake (Node.js: drivers/node_verify.js; Python's ssl module:
/// drivers/pyssl_verify.py; see there for what is fed how). Cases without a validation time run in one driver process;
/// a case with one runs in its own process under libfaketime (<c>faketime -f "@time"</c>, the clock starting at that
/// second; monotonic time left real so timers work). Without faketime, or for a sub-second time, such cases are
/// unsupported. PKITS has no private keys, so its chains cannot be presented in a handshake: unsupported.
/// </summary>
public sealed class HandshakeRunner : IClientRunner
{
    private readonly string? _exe;
    private readonly string _script;
    private readonly string _missing;
    private readonly Func<string, string> _version;
    private readonly string? _faketime = ClientProcess.Which("faketime");
    private string? _versionText;

    /// <param name="id">Client id.</param>
    /// <param name="exe">The interpreter (null when not installed).</param>
    /// <param name="script">The driver script.</param>
    /// <param name="missing">Why the client is unavailable when <paramref name="exe"/> is null.</param>
    /// <param name="version">The version text, from the interpreter path.</param>
    /// <param name="noKey">The driver's own words for a case without a peer key (kept equal so the snapshot does not depend on which side decided).</param>
    public HandshakeRunner(string id, string? exe, string script, string missing, Func<string, string> version, string noKey)
    {
        Id = id;
        _exe = exe;
        _script = script;
        _missing = missing;
        _version = version;
        NoKey = noKey;
    }

    private string NoKey { get; }

    public string Id { get; }
    public string? Unavailable => _exe is null ? _missing : null;
    public string Version => _versionText ??= _exe is null ? "" : _version(_exe);

    public IReadOnlyList<ClientVerdict> Run(IReadOnlyList<ClientCase> all, string workDir)
    {
        IReadOnlyList<ClientCase> cases = all;
        var answers = new Dictionary<(string, string), ClientVerdict>();
        foreach (var c in cases.Where(c => c.UnsupportedReason is null && c.LeafKey is null))
            answers[(c.Corpus, c.Id)] = ClientVerdict.Unsupported(c, NoKey);
        cases = cases.Where(c => c.UnsupportedReason is not null || c.LeafKey is not null).ToList();
        var script = _script;
        var untimed = cases.Where(c => c.UnsupportedReason is null && c.Time is null).ToList();
        if (untimed.Count > 0) Drive(untimed, _exe!, new[] { script }, null, workDir, answers);
        foreach (var c in cases.Where(c => c.UnsupportedReason is null && c.Time is not null))
        {
            if (_faketime is null) { answers[(c.Corpus, c.Id)] = ClientVerdict.Unsupported(c, "no validation-time option and faketime is not installed"); continue; }
            if (c.Time!.Value.Millisecond != 0) { answers[(c.Corpus, c.Id)] = ClientVerdict.Unsupported(c, "faketime takes whole seconds"); continue; }
            var at = "@" + c.Time.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var env = new Dictionary<string, string> { ["TZ"] = "UTC", ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1" };
            Drive(new[] { c }, _faketime, new[] { "-f", at, _exe!, script }, env, workDir, answers);
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
            throw new InvalidOperationException($"{Path.GetFileName(args[^1])} driver exited {r.ExitCode} with {got} of {cases.Count} verdicts: {ClientProcess.Clean(r.StdErr, workDir)}");
    }
}
