using System.Management.Automation;

namespace ZscalerPki.Infrastructure;

/// <summary>An error as the cmdlet reports it: stable id, category, the offending object, a message that says what to do.</summary>
public sealed record PkiError(string ErrorId, ErrorCategory Category, string Message, object? Target, Exception Exception);

/// <summary>
/// Thrown by a seam that is not PowerShell (the xunit harness) to stop the pipeline; like PowerShell's own flow-control
/// exceptions, the cmdlet base lets it pass.
/// </summary>
public class CmdletStoppedException(string message) : Exception(message);

/// <summary>A progress update (mirrors ProgressRecord without needing a host).</summary>
public sealed record PkiProgress(int ActivityId, string Activity, string Status, int PercentComplete, bool Completed = false);

/// <summary>
/// Everything a cmdlet says to its host goes through this one seam: output, errors, warnings, verbose text, progress,
/// ShouldProcess, and provider-path resolution. In PowerShell it is <see cref="PowerShellSeam"/>; in xunit a recording fake,
/// so each cmdlet's Begin/Process/End runs without a PowerShell engine.
/// </summary>
public interface ICmdletSeam
{
    void WriteObject(object? value, bool enumerateCollection);
    void WriteError(PkiError error);
    /// <summary>Stops the pipeline; never returns. What it throws passes through the cmdlet base untouched.</summary>
    void ThrowTerminatingError(PkiError error);
    void WriteWarning(string message);
    void WriteVerbose(string message);
    void WriteProgress(PkiProgress progress);
    bool ShouldProcess(string target, string action);
    /// <summary>File-system paths for a -Path (wildcards expanded, must exist) or -LiteralPath / output path (taken as is).</summary>
    IReadOnlyList<string> ResolvePath(string path, bool literal, bool mustExist);
}
