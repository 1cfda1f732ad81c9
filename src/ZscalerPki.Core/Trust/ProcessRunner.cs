using System.Diagnostics;
using System.Text;

namespace ZscalerPki.Core.Trust;

/// <summary>One external command: program, arguments (no shell), optional input, environment changes and a time bound.</summary>
public sealed record ProcessRequest(string FileName, IReadOnlyList<string> Arguments)
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    public string? StandardInput { get; init; }
    /// <summary>Variables to set (a null value removes the variable) on top of this process's environment.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }
    public string? WorkingDirectory { get; init; }
    /// <summary>A line of output (either stream) after which the run is over: the process tree is killed then (e.g. a browser that
    /// keeps its error page open). Called once per line, in order per stream, never concurrently.</summary>
    public Func<string, bool>? StopWhen { get; init; }

    public override string ToString() => FileName + (Arguments.Count == 0 ? string.Empty : " " + string.Join(' ', Arguments.Select(a => a.Contains(' ') ? $"'{a}'" : a)));
}

/// <summary>What a command did: its exit code, its output (each capped at 256 KB), and whether it was stopped at its time bound.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string Error, bool TimedOut)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut && !Stopped;

    /// <summary>Ended by <see cref="ProcessRequest.StopWhen"/> (the process tree was killed after that line).</summary>
    public bool Stopped { get; init; }

    /// <summary>The last non-empty lines of stderr (else stdout), for messages: what the command printed about its failure.</summary>
    public string Tail(int maxChars = 300)
    {
        var text = (string.IsNullOrWhiteSpace(Error) ? Output : Error).Trim();
        if (TimedOut)
            text = "timed out" + (text.Length > 0 ? ": " + text : string.Empty);
        return text.Length <= maxChars ? text : "…" + text[^maxChars..];
    }
}

/// <summary>Every external command the trust stores and the trust test run goes through one of these (tests inject a fake).</summary>
public interface IProcessRunner
{
    ProcessResult Run(ProcessRequest request);

    /// <summary>The full path of a program on PATH (or an absolute path that exists), else null.</summary>
    string? Find(string program);
}

/// <summary>Runs real processes: arguments passed as a list (no shell), output captured, the process tree killed at the time bound.</summary>
public sealed class SystemProcessRunner : IProcessRunner
{
    private const int MaxCapture = 256 * 1024;

    public ProcessResult Run(ProcessRequest request)
    {
        var psi = new ProcessStartInfo(request.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in request.Arguments)
            psi.ArgumentList.Add(a);
        if (request.WorkingDirectory is not null)
            psi.WorkingDirectory = request.WorkingDirectory;
        if (request.Environment is not null)
        {
            foreach (var (k, v) in request.Environment)
            {
                if (v is null)
                    psi.Environment.Remove(k);
                else
                    psi.Environment[k] = v;
            }
        }
        using var p = new Process { StartInfo = psi };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var stop = new ManualResetEventSlim();
        var stopGate = new object();
        var stopped = false;
        void Line(StringBuilder sb, string? line)
        {
            Append(sb, line);
            if (line is null || request.StopWhen is not { } when)
                return;
            lock (stopGate)
            {
                if (!stopped && when(line))
                {
                    stopped = true;
                    stop.Set();
                }
            }
        }
        p.OutputDataReceived += (_, e) => Line(stdout, e.Data);
        p.ErrorDataReceived += (_, e) => Line(stderr, e.Data);
        try
        {
            p.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new ProcessResult(127, string.Empty, $"{request.FileName}: {ex.Message}", false);
        }
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            if (request.StandardInput is not null)
                p.StandardInput.Write(request.StandardInput);
            p.StandardInput.Close();
        }
        catch (IOException)
        {
            // the program exited without reading its input
        }
        bool timedOut;
        var wasStopped = false;
        if (request.StopWhen is null)
        {
            timedOut = !p.WaitForExit((int)request.Timeout.TotalMilliseconds);
        }
        else
        {
            // In slices, so that the line StopWhen waits for ends the wait too.
            var clock = Stopwatch.StartNew();
            while (!p.HasExited && !stop.IsSet && clock.Elapsed < request.Timeout)
                stop.Wait(100);
            wasStopped = stop.IsSet;
            timedOut = !wasStopped && !p.HasExited;
        }
        if (timedOut || (wasStopped && !p.HasExited))
        {
            try
            {
                p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }
        p.WaitForExit();
        return new ProcessResult(timedOut || wasStopped ? -1 : p.ExitCode, Text(stdout), Text(stderr), timedOut) { Stopped = wasStopped };
    }

    private static void Append(StringBuilder sb, string? line)
    {
        if (line is null)
            return;
        lock (sb)
        {
            if (sb.Length < MaxCapture)
                sb.Append(line).Append('\n');
        }
    }

    private static string Text(StringBuilder sb)
    {
        lock (sb)
            return sb.ToString();
    }

    public string? Find(string program)
    {
        if (Path.IsPathRooted(program))
            return File.Exists(program) ? program : null;
        var path = System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        var exts = OperatingSystem.IsWindows() ? new[] { ".exe", ".cmd", ".bat", string.Empty } : new[] { string.Empty };
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var ext in exts)
            {
                var candidate = Path.Combine(dir, program + ext);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        return null;
    }
}
