using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZscalerPki.Conformance.Clients;

/// <summary>
/// One client's answer for one case: "accept", "reject" or "unsupported" (the client cannot express the case), with
/// the client's own message. <see cref="Ignored"/> names case inputs the client was given no way to honour (e.g. "crls"
/// for a client without revocation checking, "peer-name" for NSS's vfychain); the verdict is the client's answer
/// without them, which is what an application using that client gets.
/// </summary>
public sealed record ClientVerdict
{
    public required string Corpus { get; init; }
    public required string Case { get; init; }
    public string Client { get; init; } = "";
    public string ClientVersion { get; init; } = "";
    public required string Verdict { get; init; }
    public string Error { get; init; } = "";
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Ignored { get; init; }

    public static ClientVerdict Unsupported(ClientCase c, string why) => new() { Corpus = c.Corpus, Case = c.Id, Verdict = "unsupported", Error = why };

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJsonLine() => JsonSerializer.Serialize(this, Options);

    public static ClientVerdict FromJsonLine(string line) =>
        JsonSerializer.Deserialize<ClientVerdict>(line, Options) ?? throw new JsonException("empty verdict line");
}

/// <summary>One real TLS/X.509 client, run over a batch of cases.</summary>
public interface IClientRunner
{
    /// <summary>The client id used in the snapshot file name and lines (openssl, go, nss, ...).</summary>
    string Id { get; }

    /// <summary>Null when the client can run on this machine; otherwise why not (e.g. "go not found on PATH").</summary>
    string? Unavailable { get; }

    /// <summary>The client's version as it reports it.</summary>
    string Version { get; }

    /// <summary>One verdict per case, in case order. <paramref name="workDir"/> is a private scratch folder.</summary>
    IReadOnlyList<ClientVerdict> Run(IReadOnlyList<ClientCase> cases, string workDir);
}

/// <summary>Runs a client process with arguments (never a shell), a time limit and captured output.</summary>
public static class ClientProcess
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static Result Run(string file, IEnumerable<string> args, string? stdin = null, IDictionary<string, string>? env = null,
        int timeoutMs = 60_000, string? workDir = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workDir ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdoutTask = p.StandardOutput.ReadToEndAsync();
        var stderrTask = p.StandardError.ReadToEndAsync();
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(timeoutMs))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"{file} did not finish within {timeoutMs / 1000} s");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdoutTask.Result, stderrTask.Result);
    }

    /// <summary>
    /// Runs one case. A client that does not finish within the case time limit (e.g. NSS on limbo's name-constraint
    /// denial-of-service chains) is killed and recorded as "reject": an application would time out the handshake.
    /// </summary>
    public static ClientVerdict Named(ClientCase c, Func<ClientVerdict> run)
    {
        try { return run(); }
        catch (TimeoutException ex) { return new ClientVerdict { Corpus = c.Corpus, Case = c.Id, Verdict = "reject", Error = "killed: " + ex.Message }; }
    }

    /// <summary>Time limit for one per-case client process.</summary>
    public const int CaseTimeoutMs = 15_000;

    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? Which(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var f = Path.Combine(dir, name);
            if (File.Exists(f)) return f;
        }
        return null;
    }

    /// <summary>First line of a version command's output, or "unknown".</summary>
    public static string VersionOf(string file, params string[] args)
    {
        try
        {
            var r = Run(file, args, timeoutMs: 30_000);
            var text = (r.StdOut + "\n" + r.StdErr).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
            return text ?? "unknown";
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or TimeoutException or InvalidOperationException)
        {
            return "unknown";
        }
    }

    /// <summary>Messages made stable: scratch paths removed, whitespace collapsed, length bounded.</summary>
    public static string Clean(string text, string workDir)
    {
        var s = text.Replace(workDir + Path.DirectorySeparatorChar, "").Replace(workDir, "");
        // OpenSSL's error queue lines start with the thread id ("806C6295747F0000:error:..."): not part of the message.
        s = System.Text.RegularExpressions.Regex.Replace(s, @"\b[0-9A-F]{8,16}:error:", "error:");
        s = string.Join(" | ", s.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
        return s.Length > 400 ? s[..400] : s;
    }

    public static void WriteFile(string path, string text) => File.WriteAllText(path, text, new UTF8Encoding(false));
}

/// <summary>The snapshot files: tests/testdata/client-verdicts/&lt;client&gt;.jsonl, one verdict a line.</summary>
public static class ClientSnapshot
{
    public static string Dir(string repoRoot) => Path.Combine(repoRoot, "tests", "testdata", "client-verdicts");

    public static string FileOf(string repoRoot, string client) => Path.Combine(Dir(repoRoot), client + ".jsonl");

    public static List<ClientVerdict> Read(string file) =>
        File.ReadAllLines(file).Where(l => l.Trim().Length > 0).Select(ClientVerdict.FromJsonLine).ToList();

    /// <summary>Written to a temporary file beside the target, then renamed over it.</summary>
    public static void Write(string file, IEnumerable<ClientVerdict> verdicts)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var tmp = file + ".tmp-" + Environment.ProcessId;
        var sb = new StringBuilder();
        foreach (var v in verdicts) sb.Append(v.ToJsonLine()).Append('\n');
        ClientProcess.WriteFile(tmp, sb.ToString());
        File.Move(tmp, file, overwrite: true);
    }
}
