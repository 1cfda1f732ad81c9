using System.Management.Automation;

namespace ZscalerPki.Tests.Harness;

/// <summary>What one command or script said, stream by stream, as a real PowerShell host received it.</summary>
public sealed class PwshResult
{
    /// <summary>Output objects with their PSObject wrapper removed (the .NET objects the cmdlets wrote); [pscustomobject]s stay PSObjects.</summary>
    public List<object?> Output { get; } = new();

    /// <summary>Non-terminating errors (the Error stream).</summary>
    public List<ErrorRecord> Errors { get; } = new();

    /// <summary>The error that stopped the command (a ThrowTerminatingError, or any error under -ErrorAction Stop); null if none.</summary>
    public ErrorRecord? Terminating { get; set; }

    public List<string> Warnings { get; } = new();

    public List<string> Verbose { get; } = new();

    public List<ProgressRecord> Progress { get; } = new();

    public List<InformationRecord> Information { get; } = new();

    /// <summary>Lines written to the host's UI while the command ran.</summary>
    public List<string> HostLines { get; } = new();

    /// <summary>The -WhatIf messages ("What if: Performing the operation ... on target ...").</summary>
    public IEnumerable<string> WhatIf => HostLines.Where(l => l.StartsWith("What if:", StringComparison.Ordinal));

    /// <summary>
    /// ShouldProcess calls that went ahead: under -Verbose the engine writes "Performing the operation ..." for each one.
    /// </summary>
    public IEnumerable<string> ShouldProcessMessages => Verbose.Where(v => v.StartsWith("Performing the operation", StringComparison.Ordinal));

    /// <summary>The ErrorIds of the non-terminating errors, in order.</summary>
    public IEnumerable<string> ErrorIds => Errors.Select(e => e.ErrorId());

    /// <summary>Asserts the command was not stopped (the message names the error if it was).</summary>
    public PwshResult NotTerminated()
    {
        Assert.True(Terminating is null, $"terminated: {Terminating?.FullyQualifiedErrorId}: {Terminating?.Message()}");
        return this;
    }

    /// <summary>Asserts the command neither stopped nor wrote an error (the message lists them if it did).</summary>
    public PwshResult Succeeded()
    {
        NotTerminated();
        Assert.True(Errors.Count == 0, "errors: " + string.Join("; ", Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e.Message()}")));
        return this;
    }
}

public static class ErrorRecordExtensions
{
    /// <summary>Our ErrorId: FullyQualifiedErrorId is "&lt;ErrorId&gt;,&lt;command type&gt;"; the part before the comma.</summary>
    public static string ErrorId(this ErrorRecord record) => record.FullyQualifiedErrorId.Split(',')[0];

    /// <summary>The message the user sees: ErrorDetails when the cmdlet set it, otherwise the exception's.</summary>
    public static string Message(this ErrorRecord record) => record.ErrorDetails?.Message ?? record.Exception.Message;
}
