using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Intermediate;

/// <summary>What a process run returned.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Output => (StandardOutput + "\n" + StandardError).Trim();
}

/// <summary>Runs an external program; tests replace it to simulate certreq.exe.</summary>
public interface IProcessRunner
{
    ProcessResult Run(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout);
}

/// <summary>
/// Runs certreq.exe (the cmdlet refuses -ConfigString off Windows with one clear <c>AdcsRequiresWindows</c> error before it
/// gets here): a program that cannot be started is <c>CertReqNotFound</c>, one that outlives the timeout is killed and
/// reported as <c>AdcsTimeout</c>.
/// </summary>
public sealed class CertReqProcessRunner : IProcessRunner
{
    public ProcessResult Run(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in arguments)
            psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new Win32Exception("the process did not start");
        }
        catch (Win32Exception ex)
        {
            throw new PkiException(PkiErrorIds.CertReqNotFound, PkiErrorCategory.NotInstalled,
                $"Cannot run {fileName}: {ex.Message}. certreq.exe ships with Windows (System32); run this on a Windows machine that can reach the CA.", fileName, ex);
        }
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit((int)timeout.TotalMilliseconds))
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }
                throw new PkiException(PkiErrorIds.AdcsTimeout, PkiErrorCategory.OperationTimeout,
                    $"certreq.exe did not finish within {timeout.TotalSeconds:0} s. Check that the CA is reachable (certutil -ping -config \"HOST\\CA Name\").", fileName);
            }
            return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}

/// <summary>The certreq.exe command line and the interpretation of what it returns.</summary>
public static class CertReqArguments
{
    public const string FileName = "certreq.exe";

    /// <summary>
    /// <c>certreq -submit -q -config "HOST\CA Name" -attrib "CertificateTemplate:SubCA" request.csr cert.cer chain.p7b</c>
    /// as an argument list (each element one argument; the process API quotes them).
    /// </summary>
    public static IReadOnlyList<string> BuildSubmitArguments(string configString, string? template, string csrPath, string certificatePath, string? chainPath)
    {
        ValidateConfigString(configString);
        var args = new List<string> { "-submit", "-q", "-config", configString.Trim() };
        if (!string.IsNullOrWhiteSpace(template))
        {
            var t = template.Trim();
            if (t.IndexOfAny(new[] { '\r', '\n', '"' }) >= 0)
                throw new PkiException(PkiErrorIds.InvalidTemplate, PkiErrorCategory.InvalidArgument,
                    $"The template name '{template}' contains quotes or line breaks. Pass the template's name as AD CS shows it, e.g. SubCA.", template);
            args.Add("-attrib");
            args.Add("CertificateTemplate:" + t);
        }
        args.Add(csrPath);
        args.Add(certificatePath);
        if (!string.IsNullOrEmpty(chainPath))
            args.Add(chainPath);
        return args;
    }

    /// <summary>An AD CS config string is <c>HOST\CA Name</c> (both parts non-empty).</summary>
    public static void ValidateConfigString(string? configString)
    {
        var parts = (configString ?? string.Empty).Trim().Split('\\');
        if (parts.Length != 2 || parts.Any(string.IsNullOrWhiteSpace) || configString!.IndexOfAny(new[] { '"', '\r', '\n' }) >= 0)
            throw new PkiException(PkiErrorIds.InvalidConfigString, PkiErrorCategory.InvalidArgument,
                $"'{configString}' is not an AD CS config string. Write it as 'HOST\\CA Name' (e.g. 'ca01.contoso.com\\Contoso Issuing CA'); 'certutil -dump' lists them.", configString);
    }

    public static void RequireWindows()
    {
        if (!OperatingSystem.IsWindows())
            throw new PkiException(PkiErrorIds.AdcsRequiresWindows, PkiErrorCategory.NotImplemented,
                "Signing with AD CS (-ConfigString) runs certreq.exe and needs Windows. On this platform sign the CSR with a vault CA (-Issuer), or copy the CSR to a Windows machine and run 'certreq -submit -attrib \"CertificateTemplate:SubCA\" request.csr cert.cer chain.p7b', then Import-SignedIntermediate the result.");
    }

    private static readonly Regex RequestIdPattern = new(@"RequestId:\s*""?(\d+)""?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>The request id certreq printed, or null.</summary>
    public static string? RequestId(string output)
    {
        var m = RequestIdPattern.Match(output);
        return m.Success ? m.Groups[1].Value : null;
    }
}

/// <summary>Submits a CSR to an AD CS enterprise CA through certreq.exe.</summary>
public sealed class AdcsClient
{
    private readonly IProcessRunner _runner;

    public AdcsClient(IProcessRunner? runner = null) => _runner = runner ?? new CertReqProcessRunner();

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Writes the CSR to a private temp folder, runs certreq -submit, and reads the issued certificate and the chain (.p7b).
    /// Pending and denied requests and other failures each raise their own error with certreq's words in the message.
    /// </summary>
    public IssuedCertificate Submit(CsrInfo csr, string configString, string? template)
    {
        CertReqArguments.ValidateConfigString(configString);
        var work = Path.Combine(Path.GetTempPath(), "zpki-certreq-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var csrPath = Path.Combine(work, "request.csr");
            var cerPath = Path.Combine(work, "certificate.cer");
            var p7bPath = Path.Combine(work, "chain.p7b");
            File.WriteAllText(csrPath, csr.Pem);
            var args = CertReqArguments.BuildSubmitArguments(configString, template, csrPath, cerPath, p7bPath);
            var result = _runner.Run(CertReqArguments.FileName, args, Timeout);
            var output = result.Output;
            var requestId = CertReqArguments.RequestId(output);
            var target = configString;

            if (output.Contains("denied", StringComparison.OrdinalIgnoreCase))
                throw new PkiException(PkiErrorIds.AdcsRequestDenied, PkiErrorCategory.PermissionDenied,
                    $"The CA '{configString}' denied the request{(requestId is null ? string.Empty : $" (request id {requestId})")}: {FirstLines(output)}. Check that template '{template}' is published on that CA and that you may enroll for it (Certificate Templates console, Security tab), and that the CSR asks for a subordinate CA.", target);
            if (output.Contains("pending", StringComparison.OrdinalIgnoreCase) || output.Contains("Taken Under Submission", StringComparison.OrdinalIgnoreCase))
                throw new PkiException(PkiErrorIds.AdcsRequestPending, PkiErrorCategory.ResourceUnavailable,
                    $"The CA '{configString}' holds the request{(requestId is null ? string.Empty : $" as request id {requestId}")} for approval by a CA manager. Once it is issued, fetch it with certreq -retrieve -config \"{configString}\" {requestId ?? "<RequestId>"} intermediate.cer and run Import-SignedIntermediate -Path intermediate.cer.", requestId ?? target);
            if (result.ExitCode != 0)
                throw new PkiException(PkiErrorIds.AdcsSubmitFailed, PkiErrorCategory.InvalidResult,
                    $"certreq.exe failed with exit code {result.ExitCode} (0x{result.ExitCode:X8}): {FirstLines(output)}. Check the config string ('certutil -config \"{configString}\" -ping') and the template name.", target);
            if (!File.Exists(cerPath) || new FileInfo(cerPath).Length == 0)
                throw new PkiException(PkiErrorIds.AdcsSubmitFailed, PkiErrorCategory.InvalidResult,
                    $"certreq.exe reported success but wrote no certificate{(requestId is null ? string.Empty : $" (request id {requestId})")}: {FirstLines(output)}. Retrieve it with certreq -retrieve -config \"{configString}\" {requestId ?? "<RequestId>"} intermediate.cer.", target);

            var certificate = CertificateReader.ReadFile(cerPath);
            var issued = certificate.FirstOrDefault(c => Keys.SameKey(c.PublicKey, csr.PublicKey))
                ?? throw new PkiException(PkiErrorIds.AdcsSubmitFailed, PkiErrorCategory.InvalidResult,
                    $"The certificate certreq.exe returned does not carry the CSR's public key. Check the CA '{configString}'.", target);
            var chain = new List<X509Certificate2>();
            if (File.Exists(p7bPath) && new FileInfo(p7bPath).Length > 0)
                chain.AddRange(CertificateReader.ReadFile(p7bPath).Where(c => !c.RawData.AsSpan().SequenceEqual(issued.RawData)));
            return new IssuedCertificate(issued, OrderChain(issued, chain), configString, requestId);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>The .p7b lists certificates in any order: put them issuer-first up to the root where they link.</summary>
    private static IReadOnlyList<X509Certificate2> OrderChain(X509Certificate2 leaf, List<X509Certificate2> pool)
    {
        var ordered = new List<X509Certificate2>();
        var current = leaf;
        while (pool.Count > 0)
        {
            var next = pool.FirstOrDefault(c => CertificateChecks.IsIssuedBy(current, c));
            if (next is null || CertificateChecks.IsSelfSigned(current) && !ReferenceEquals(current, leaf))
                break;
            ordered.Add(next);
            pool.Remove(next);
            current = next;
        }
        ordered.AddRange(pool);
        return ordered;
    }

    private static string FirstLines(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var text = string.Join(" ", lines.Take(6));
        return text.Length == 0 ? "(no output)" : text;
    }
}
