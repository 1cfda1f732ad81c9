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

    public static Result Run(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(true);
            throw new TimeoutException("openssl " + string.Join(' ', args));
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs openssl and fails the test with its output when it exits non-zero.</summary>
    public static string Ok(string workingDirectory, params string[] args)
    {
        var r = Run(workingDirectory, args);
        Assert.True(r.ExitCode == 0, $"openssl {string.Join(' ', args)} failed ({r.ExitCode}):\n{r.All}");
        return r.StdOut;
    }
}
