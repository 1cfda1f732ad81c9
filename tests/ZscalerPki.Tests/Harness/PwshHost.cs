using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Tests.Harness;

/// <summary>
/// A real PowerShell engine (Microsoft.PowerShell.SDK) in this process, one runspace per test: the module is imported from its
/// manifest as users do, the location is the test's folder, and each call returns everything the host received. Runspaces are
/// independent, so tests run in parallel; Set-Location is per runspace.
/// </summary>
public sealed class PwshHost : IDisposable
{
    private readonly RecordingHost _host = new();
    private readonly Runspace _runspace;

    /// <param name="workingDirectory">The current location of the runspace (relative paths resolve against it).</param>
    /// <param name="extraCmdlets">Test-only cmdlet types (ZscalerPkiCmdlet subclasses) added to the session beside the module.</param>
    public PwshHost(string workingDirectory, params Type[] extraCmdlets)
    {
        var state = InitialSessionState.CreateDefault2();
        foreach (var type in extraCmdlets)
        {
            var attribute = (CmdletAttribute)Attribute.GetCustomAttribute(type, typeof(CmdletAttribute))!;
            state.Commands.Add(new SessionStateCmdletEntry($"{attribute.VerbName}-{attribute.NounName}", type, null));
        }
        _runspace = RunspaceFactory.CreateRunspace(_host, state);
        // On the test's own thread: an exception's stack and AsyncLocal test hooks stay with the test.
        _runspace.ThreadOptions = PSThreadOptions.UseCurrentThread;
        _runspace.Open();

        var import = Script("Import-Module -Name $args[0] -ErrorAction Stop; Set-Location -LiteralPath $args[1]", ModuleManifest, workingDirectory);
        if (import.Terminating is not null || import.Errors.Count > 0)
            throw new InvalidOperationException($"Import-Module {ModuleManifest} failed: {(import.Terminating ?? import.Errors[0]).Message()}");
    }

    /// <summary>
    /// The manifest to import: the staged module (out/ZscalerPki, from build.ps1 -Task Build) when it holds the very assembly
    /// these tests were compiled against, else the manifest copied beside the built ZscalerPki.dll in the test's output folder.
    /// A stale staged module must not be tested, and a second copy of ZscalerPki.dll would make the cmdlets' output types
    /// different types from the ones the tests name.
    /// </summary>
    public static string ModuleManifest { get; } = FindManifest();

    private static string FindManifest()
    {
        var built = typeof(ZscalerPkiCmdlet).Assembly;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var staged = Path.Combine(dir.FullName, "out", "ZscalerPki", "ZscalerPki.psd1");
            var dll = Path.Combine(dir.FullName, "out", "ZscalerPki", "ZscalerPki.dll");
            if (File.Exists(staged) && File.Exists(dll))
                return ModuleVersionId(dll) == built.ManifestModule.ModuleVersionId ? staged : BuiltManifest();
        }
        return BuiltManifest();

        string BuiltManifest() => Path.Combine(Path.GetDirectoryName(built.Location)!, "ZscalerPki.psd1");
    }

    private static Guid ModuleVersionId(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var metadata = pe.GetMetadataReader();
        return metadata.GetGuid(metadata.GetModuleDefinition().Mvid);
    }

    /// <summary>
    /// Runs one command with named parameters (a switch is <c>true</c>; <c>["WhatIf"] = true</c>, <c>["Confirm"] = false</c>
    /// work as on the command line) and optional pipeline input. A parameter whose value is null is not passed at all, so
    /// helpers can take optional parameters without binding $null to them.
    /// </summary>
    public PwshResult Run(string command, Dictionary<string, object?>? parameters = null, IEnumerable? input = null)
    {
        using var ps = PowerShell.Create(_runspace);
        ps.AddCommand(command);
        foreach (var (name, value) in parameters ?? new Dictionary<string, object?>())
        {
            if (value is not null)
                ps.AddParameter(name, value);
        }
        return Invoke(ps, input);
    }

    /// <summary>Runs script text as typed at the prompt; <c>$args</c> holds <paramref name="arguments"/>.</summary>
    public PwshResult Script(string script, params object?[] arguments) => ScriptWithInput(script, null, arguments);

    /// <summary>Runs script text with pipeline input (<c>$input</c>).</summary>
    public PwshResult ScriptWithInput(string script, IEnumerable? input, params object?[] arguments)
    {
        using var ps = PowerShell.Create(_runspace);
        // A cmdlet's terminating error only ends its statement inside a script; "trap { break }" ends the script with it, so
        // Terminating means the same for a script as for a single command.
        ps.AddScript("trap { break }\n" + script, useLocalScope: true);
        foreach (var argument in arguments)
            ps.AddArgument(argument);
        return Invoke(ps, input);
    }

    public void SetVariable(string name, object? value) => _runspace.SessionStateProxy.SetVariable(name, value);

    /// <summary>The host answers the next secret prompts (Read-Host -AsSecureString) with these, in order.</summary>
    public void AnswerSecrets(params string[] answers) => _host.AnswerSecrets(answers);

    /// <summary>How many secret prompts the host answered.</summary>
    public int SecretsRead => _host.SecretsRead;

    private PwshResult Invoke(PowerShell ps, IEnumerable? input)
    {
        var result = new PwshResult();
        _host.ClearLines();
        // Output goes to a collection of ours, so what was written before a terminating error is kept too.
        var output = new PSDataCollection<PSObject>();
        try
        {
            ps.Invoke(input, output);
        }
        catch (RuntimeException ex)
        {
            // ThrowTerminatingError, -ErrorAction Stop (ActionPreferenceStopException) and parameter binding errors all
            // arrive here, each carrying the ErrorRecord a user would see.
            result.Terminating = ex.ErrorRecord;
        }
        // The .NET objects the commands wrote; a [pscustomobject] only has its properties on the PSObject, so it stays wrapped.
        result.Output.AddRange(output.Select(o => o?.BaseObject is PSCustomObject ? o : o?.BaseObject));
        result.Errors.AddRange(ps.Streams.Error);
        result.Warnings.AddRange(ps.Streams.Warning.Select(w => w.Message));
        result.Verbose.AddRange(ps.Streams.Verbose.Select(v => v.Message));
        result.Progress.AddRange(ps.Streams.Progress);
        result.Information.AddRange(ps.Streams.Information);
        result.HostLines.AddRange(_host.Lines);
        return result;
    }

    public static SecureString Secure(string text)
    {
        var s = new SecureString();
        foreach (var c in text)
            s.AppendChar(c);
        s.MakeReadOnly();
        return s;
    }

    public void Dispose() => _runspace.Dispose();
}
