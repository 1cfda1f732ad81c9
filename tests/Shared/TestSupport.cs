// Compiled into every test project (see <Compile Include="..\Shared\*.cs" /> in their .csproj files).
using System.Diagnostics;
using Xunit;

namespace ZscalerPki.Testing;

/// <summary>A temp folder per test, removed afterwards; <see cref="Vault"/> is a vault path inside it.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "zpki-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Vault => System.IO.Path.Combine(Path, "vault");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The OpenSSL 3 CLI, our independent oracle.</summary>
public static class OpenSsl
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string All => StdOut + StdErr;
    }

    public static Result Run(string workingDirectory, params string[] args) => ExternalTool.Run("openssl", args, workingDirectory);

    /// <summary>Runs openssl and fails the test with its output when it exits non-zero.</summary>
    public static string Ok(string workingDirectory, params string[] args)
    {
        var r = Run(workingDirectory, args);
        Assert.True(r.ExitCode == 0, $"openssl {string.Join(' ', args)} failed ({r.ExitCode}):\n{r.All}");
        return r.StdOut;
    }
}

/// <summary>Command-line tools the tests use as independent peers (openssl, keytool, certtool, curl, gnutls-cli), bounded by a timeout.</summary>
public static class ExternalTool
{
    /// <summary>True when <paramref name="name"/> is on PATH.</summary>
    public static bool Exists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, name)));

    /// <summary>Runs <paramref name="file"/> with no standard input; kills it and throws after <paramref name="timeoutSeconds"/>.</summary>
    public static OpenSsl.Result Run(string file, IEnumerable<string> args, string? workingDirectory = null, int timeoutSeconds = 60)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
            psi.WorkingDirectory = workingDirectory;
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(true);
            throw new TimeoutException(file + " " + string.Join(' ', args));
        }
        return new OpenSsl.Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
