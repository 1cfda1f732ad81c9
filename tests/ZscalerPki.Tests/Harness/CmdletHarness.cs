using System.Security;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Tests.Harness;

/// <summary>Thrown by the fake seam where PowerShell would stop the pipeline with a terminating error.</summary>
public sealed class TerminatingErrorException(PkiError error) : CmdletStoppedException(error.Message)
{
    public PkiError Error { get; } = error;
}

/// <summary>Records everything a cmdlet says, answers ShouldProcess, resolves paths against a working folder.</summary>
public sealed class RecordingSeam(string workingDirectory) : ICmdletSeam
{
    public List<object?> Output { get; } = new();
    public List<PkiError> Errors { get; } = new();
    public List<string> Warnings { get; } = new();
    public List<string> Verbose { get; } = new();
    public List<PkiProgress> Progress { get; } = new();
    public List<(string Target, string Action)> ShouldProcessCalls { get; } = new();

    /// <summary>What ShouldProcess answers (false acts like -WhatIf or a "No" at the -Confirm prompt).</summary>
    public bool ShouldProcessAnswer { get; set; } = true;

    public string WorkingDirectory { get; } = workingDirectory;

    public void WriteObject(object? value, bool enumerateCollection)
    {
        if (enumerateCollection && value is System.Collections.IEnumerable many and not string)
            foreach (var item in many)
                Output.Add(item);
        else
            Output.Add(value);
    }

    public void WriteError(PkiError error) => Errors.Add(error);

    public void ThrowTerminatingError(PkiError error) => throw new TerminatingErrorException(error);

    public void WriteWarning(string message) => Warnings.Add(message);

    public void WriteVerbose(string message) => Verbose.Add(message);

    public void WriteProgress(PkiProgress progress) => Progress.Add(progress);

    public bool ShouldProcess(string target, string action)
    {
        ShouldProcessCalls.Add((target, action));
        return ShouldProcessAnswer;
    }

    public IReadOnlyList<string> ResolvePath(string path, bool literal, bool mustExist)
    {
        var full = Path.GetFullPath(path, WorkingDirectory);
        if (literal || !mustExist || (path.IndexOfAny(['*', '?']) < 0))
            return [full];
        var dir = Path.GetDirectoryName(full)!;
        return Directory.Exists(dir) ? Directory.GetFiles(dir, Path.GetFileName(full)).Order().ToList() : [];
    }
}

/// <summary>
/// Drives a cmdlet the way the PowerShell engine does: Begin once, Process once per pipeline object (after binding it
/// with <paramref name="bind"/>), End once; all through a <see cref="RecordingSeam"/>.
/// </summary>
public static class CmdletHarness
{
    public static RecordingSeam Run<T>(T cmdlet, string workingDirectory, IEnumerable<object?>? pipeline = null, Action<T, object?>? bind = null, bool shouldProcess = true)
        where T : ZscalerPkiCmdlet
    {
        var seam = new RecordingSeam(workingDirectory) { ShouldProcessAnswer = shouldProcess };
        cmdlet.Seam = seam;
        cmdlet.InvokeBegin();
        if (pipeline is null)
        {
            cmdlet.InvokeProcess();
        }
        else
        {
            foreach (var item in pipeline)
            {
                bind?.Invoke(cmdlet, item);
                cmdlet.InvokeProcess();
            }
        }
        cmdlet.InvokeEnd();
        return seam;
    }

    /// <summary>
    /// Turns switch parameters on, as -Name on a command line does: the property is bound (its setter runs), and since
    /// SwitchParameter is an always-off stub in the reference assembly, the base class is told it is on.
    /// </summary>
    public static T With<T>(this T cmdlet, params string[] switches)
        where T : ZscalerPkiCmdlet
    {
        foreach (var name in switches)
        {
            var property = cmdlet.GetType().GetProperty(name);
            if (property?.PropertyType != typeof(System.Management.Automation.SwitchParameter))
                throw new ArgumentException($"{cmdlet.GetType().Name} has no switch parameter -{name}");
            property.SetValue(cmdlet, new System.Management.Automation.SwitchParameter(true));
            cmdlet.SetSwitchValue(name, true);
        }
        return cmdlet;
    }

    /// <summary>Binds a switch as -Name:$false does.</summary>
    public static T Without<T>(this T cmdlet, string name)
        where T : ZscalerPkiCmdlet
    {
        cmdlet.GetType().GetProperty(name)!.SetValue(cmdlet, new System.Management.Automation.SwitchParameter(false));
        cmdlet.SetSwitchValue(name, false);
        return cmdlet;
    }

    public static SecureString Secure(string text)
    {
        var s = new SecureString();
        foreach (var c in text)
            s.AppendChar(c);
        s.MakeReadOnly();
        return s;
    }
}
