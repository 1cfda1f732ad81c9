using System.Management.Automation;
using System.Security;
using ZscalerPki.Core;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Infrastructure;

/// <summary>
/// The base of every ZscalerPki cmdlet. Subclasses override <see cref="Begin"/>, <see cref="Process"/> and <see cref="End"/>
/// and talk to the host only through <see cref="Seam"/>. A <see cref="PkiException"/> thrown while processing a pipeline record
/// becomes a non-terminating error for that record; thrown in Begin or End it terminates the command.
/// </summary>
public abstract class ZscalerPkiCmdlet : PSCmdlet
{
    private readonly HashSet<string> _switches = new(StringComparer.OrdinalIgnoreCase);
    private ICmdletSeam? _seam;
    private Vault? _vault;

    /// <summary>The vault folder; default <c>$env:ZSCALERPKI_VAULT</c>, else the per-user application-data folder.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? VaultPath { get; set; }

    /// <summary>Host seam; tests replace it.</summary>
    internal ICmdletSeam Seam
    {
        get => _seam ??= new PowerShellSeam(this);
        set => _seam = value;
    }

    /// <summary>The vault named by -VaultPath (opened once per command).</summary>
    protected Vault Vault => _vault ??= Vault.Open(VaultPath is null ? null : ResolveOutputPath(VaultPath));

    protected sealed override void BeginProcessing() => Run(Begin, terminating: true);

    protected sealed override void ProcessRecord() => Run(Process, terminating: false);

    protected sealed override void EndProcessing() => Run(End, terminating: true);

    protected virtual void Begin()
    {
    }

    protected virtual void Process()
    {
    }

    protected virtual void End()
    {
    }

    // Entry points for the xunit harness (the protected PSCmdlet overrides are not reachable from outside).
    internal void InvokeBegin() => BeginProcessing();

    internal void InvokeProcess() => ProcessRecord();

    internal void InvokeEnd() => EndProcessing();

    private void Run(Action action, bool terminating)
    {
        try
        {
            action();
        }
        catch (PkiException ex)
        {
            var error = ToError(ex);
            if (terminating)
                Seam.ThrowTerminatingError(error);
            else
                Seam.WriteError(error);
        }
    }

    // Switch parameters keep their state here. SwitchParameter's members are stubs in the reference assembly that tests run
    // against (IsPresent is always false there), so cmdlets read switches with IsSet and tests set them with SetSwitchValue.
    // Declare a switch as: public SwitchParameter Force { get => GetSwitch(nameof(Force)); set => SetSwitch(nameof(Force), value); }
    protected SwitchParameter GetSwitch(string name) => new(_switches.Contains(name));

    protected void SetSwitch(string name, SwitchParameter value) => SetSwitchValue(name, value.IsPresent);

    internal void SetSwitchValue(string name, bool on)
    {
        if (on)
            _switches.Add(name);
        else
            _switches.Remove(name);
    }

    protected bool IsSet(string name) => _switches.Contains(name);

    protected void WriteResult(object? value) => Seam.WriteObject(value, enumerateCollection: false);

    protected void WriteResults(System.Collections.IEnumerable values) => Seam.WriteObject(values, enumerateCollection: true);

    protected void Warn(string message) => Seam.WriteWarning(message);

    /// <summary>An engine result reaches the host here: its warnings are written, its item is returned.</summary>
    protected T Deliver<T>(Core.PkiResult<T> result)
    {
        foreach (var warning in result.Warnings)
            Warn(warning);
        return result.Item;
    }

    protected void Verbose(string message) => Seam.WriteVerbose(message);

    protected void Progress(int id, string activity, string status, int percent) =>
        Seam.WriteProgress(new PkiProgress(id, activity, status, percent));

    protected void ProgressDone(int id, string activity) =>
        Seam.WriteProgress(new PkiProgress(id, activity, "Done", 100, Completed: true));

    protected bool Confirm(string target, string action) => Seam.ShouldProcess(target, action);

    /// <summary>Reports a non-terminating error for the current record.</summary>
    protected void ReportError(PkiException ex) => Seam.WriteError(ToError(ex));

    private protected static RevealedSecret Reveal(SecureString? secret) => RevealedSecret.From(secret);

    /// <summary>A path for a file we write: resolved against the current location, need not exist.</summary>
    protected string ResolveOutputPath(string path) => Seam.ResolvePath(path, literal: true, mustExist: false)[0];

    /// <summary>Paths of existing input files: -Path expands wildcards, -LiteralPath does not.</summary>
    protected IReadOnlyList<string> ResolveInputPaths(string path, bool literal)
    {
        var paths = Seam.ResolvePath(path, literal, mustExist: true);
        foreach (var p in paths)
        {
            if (!File.Exists(p))
                throw new PkiException(PkiErrorIds.FileNotFound, PkiErrorCategory.ObjectNotFound,
                    $"The file '{p}' does not exist. Check the path (use -LiteralPath for names with [ or ]).", p);
        }
        if (paths.Count == 0)
            throw new PkiException(PkiErrorIds.FileNotFound, PkiErrorCategory.ObjectNotFound,
                $"No file matches '{path}'.", path);
        return paths;
    }

    /// <summary>
    /// Writes a file all at once (temp file + rename). An existing file is replaced only with -Force, so nothing is
    /// overwritten by accident; private-key files are created 0600 on Unix.
    /// </summary>
    protected void WriteFile(string path, byte[] content, bool force, bool secret = false)
    {
        if (File.Exists(path) && !force)
            throw new PkiException(PkiErrorIds.FileExists, PkiErrorCategory.ResourceExists,
                $"The file '{path}' already exists. Pass -Force to replace it, or choose another path.", path);
        if (Directory.Exists(path))
            throw new PkiException(PkiErrorIds.PathIsDirectory, PkiErrorCategory.InvalidArgument,
                $"'{path}' is a folder. Pass a file path.", path);
        try
        {
            AtomicFile.WriteAllBytes(path, content, secret);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PkiException(PkiErrorIds.FileWriteFailed, PkiErrorCategory.WriteError,
                $"Cannot write '{path}': {ex.Message}", path, ex);
        }
    }

    /// <summary>
    /// The tail of every Export cmdlet: resolve -Path/-LiteralPath, ask ShouldProcess, write the file whole (an existing file
    /// only with -Force), and return its FileInfo with -PassThru. The cmdlet declares the Force and PassThru switches.
    /// </summary>
    protected void ExportToFile(string path, string literalPath, string action, Func<byte[]> content, bool secret = false)
    {
        var target = ResolveOutputPath(string.IsNullOrEmpty(literalPath) ? path : literalPath);
        if (!Confirm(target, action))
            return;
        WriteFile(target, content(), IsSet("Force"), secret);
        if (IsSet("PassThru"))
            WriteResult(new FileInfo(target));
    }

    /// <summary>A date from the prompt as an instant: PowerShell's [datetime] '2027-01-01' is unspecified, meaning local time.</summary>
    protected static DateTimeOffset? ToInstant(DateTime? value) =>
        value is not { } v ? null : new DateTimeOffset(v.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(v, DateTimeKind.Local) : v);

    internal static PkiError ToError(PkiException ex) =>
        new(ex.ErrorId, MapCategory(ex.Category), ex.Message, ex.Target, ex);

    internal static ErrorCategory MapCategory(PkiErrorCategory category) =>
        Enum.TryParse<ErrorCategory>(category.ToString(), out var mapped) ? mapped : ErrorCategory.NotSpecified;
}
