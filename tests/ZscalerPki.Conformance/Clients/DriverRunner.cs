namespace ZscalerPki.Conformance.Clients;

/// <summary>
/// A client that is a library, driven by a small program in its own language (tests/ZscalerPki.Conformance/drivers):
/// the cases go to the driver's stdin as JSON lines (<see cref="ClientCase"/>, camelCase), one verdict line comes back
/// per case ({"corpus","case","verdict","error","ignored"}). One driver process per batch.
/// </summary>
public sealed class DriverRunner : IClientRunner
{
    /// <summary>Prepares the driver (e.g. compiles it into workDir) and returns the command and its environment.</summary>
    public delegate (string Exe, IReadOnlyList<string> Args, IDictionary<string, string>? Env) Prepare(string workDir);

    private readonly Func<string?> _unavailable;
    private readonly Func<string> _version;
    private readonly Prepare _prepare;
    private readonly int _timeoutMs;
    private string? _versionText;
    private string? _unavailableText;
    private bool _checked;

    public DriverRunner(string id, Func<string?> unavailable, Func<string> version, Prepare prepare, int timeoutMs = 600_000)
    {
        Id = id;
        _unavailable = unavailable;
        _version = version;
        _prepare = prepare;
        _timeoutMs = timeoutMs;
    }

    public string Id { get; }

    public string? Unavailable
    {
        get
        {
            if (!_checked) { _unavailableText = _unavailable(); _checked = true; }
            return _unavailableText;
        }
    }

    public string Version => _versionText ??= Unavailable is null ? _version() : "";

    public IReadOnlyList<ClientVerdict> Run(IReadOnlyList<ClientCase> cases, string workDir)
    {
        Directory.CreateDirectory(workDir);
        var toRun = cases.Where(c => c.UnsupportedReason is null).ToList();
        var answers = new Dictionary<(string, string), ClientVerdict>();
        if (toRun.Count > 0)
        {
            var (exe, args, env) = _prepare(workDir);
            var input = string.Concat(toRun.Select(c => System.Text.Json.JsonSerializer.Serialize(c, ClientCase.Json) + "\n"));
            var r = ClientProcess.Run(exe, args, input, env, _timeoutMs, workDir);
            foreach (var line in r.StdOut.Split('\n').Where(l => l.TrimStart().StartsWith('{')))
            {
                var v = ClientVerdict.FromJsonLine(line);
                answers[(v.Corpus, v.Case)] = v with { Error = ClientProcess.Clean(v.Error, workDir) };
            }
            if (r.ExitCode != 0 || answers.Count != toRun.Count)
                throw new InvalidOperationException($"{Id} driver exited {r.ExitCode} with {answers.Count} of {toRun.Count} verdicts: {ClientProcess.Clean(r.StdErr, workDir)}");
        }
        return cases.Select(c => c.UnsupportedReason is { } why ? ClientVerdict.Unsupported(c, why) : answers[(c.Corpus, c.Id)]).ToList();
    }
}
