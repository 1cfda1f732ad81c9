using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Security;
using ZscalerPki.Core;
using ZscalerPki.Core.Storage;

namespace ZscalerPki.Infrastructure;

/// <summary>
/// The base of every ZscalerPki cmdlet. Subclasses override <see cref="Begin"/>, <see cref="Process"/> and <see cref="End"/>
/// and use the helpers here for output, errors and paths. A <see cref="PkiException"/> (or any exception, translated to one)
/// thrown while processing a pipeline record becomes a non-terminating error for that record; thrown in Begin or End it
/// terminates the command. The xunit tests run the cmdlets in a real PowerShell (tests/ZscalerPki.Tests/Harness/PwshHost.cs).
/// </summary>
public abstract class ZscalerPkiCmdlet : PSCmdlet
{
    private Vault? _vault;
    private string? _vaultOpenedFor;

    /// <summary>
    /// The vault folder; default <c>$env:ZSCALERPKI_VAULT</c>, else the per-user application-data folder. Objects from our
    /// Get-* cmdlets carry it, so a piped object is looked up in the vault it came from.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? VaultPath { get; set; }

    /// <summary>The vault named by -VaultPath; opened again only when a piped object names another vault.</summary>
    protected Vault Vault
    {
        get
        {
            if (_vault is null || !string.Equals(_vaultOpenedFor, VaultPath, StringComparison.Ordinal))
            {
                var path = VaultPath is null ? null : ResolveOutputPath(VaultPath);
                // A -VaultPath that names no folder is a typo far more often than a new vault: only commands that create
                // entries (New-EnrollmentCertificate, New-IntermediateCsr, Set-PkiVault) create it.
                if (path is not null && !CreatesVault && !Directory.Exists(path) && !File.Exists(path))
                    throw new PkiException(PkiErrorIds.VaultNotFound, PkiErrorCategory.ObjectNotFound,
                        $"The vault folder '{path}' does not exist. Check -VaultPath; a new vault is created by New-EnrollmentCertificate, New-IntermediateCsr or Set-PkiVault.", path);
                _vault = Vault.Open(path);
                _vaultOpenedFor = VaultPath;
            }
            return _vault;
        }
    }

    /// <summary>True for commands that may create the vault folder (the first entry); the others require it to exist.</summary>
    protected virtual bool CreatesVault => false;

    /// <summary>The shortest password accepted for a new CA key encrypted in the vault.</summary>
    public const int MinimumKeyPasswordLength = 8;

    /// <summary>
    /// A secret the command cannot go on without: the one given, else asked for at the prompt as Read-Host -AsSecureString
    /// and Get-Credential do (the host's ReadLineAsSecureString). A host that cannot prompt (pwsh -NonInteractive, a job, a
    /// runspace without UI) fails at once with <c>KeyPasswordRequired</c> naming the parameter, instead of waiting.
    /// </summary>
    protected SecureString RequireSecret(SecureString? given, string parameter, string what, object? target, string errorId = PkiErrorIds.KeyPasswordRequired)
    {
        if (given is { Length: > 0 })
            return given;
        var why = "the session is non-interactive";
        SecureString? answer = null;
        // pwsh's console host with its input redirected (CI, a pipe, a scheduled task) would read the "password" from
        // that input, or wait on it forever: that is not a person at a prompt either.
        if (IsNonInteractive())
            why = "the session is non-interactive";
        else if (string.Equals(Host.Name, "ConsoleHost", StringComparison.Ordinal) && Console.IsInputRedirected)
            why = "the input of this PowerShell is redirected (no one can type at a prompt)";
        else
        {
            try
            {
                Host.UI.Write($"{what} (-{parameter}): ");
                answer = Host.UI.ReadLineAsSecureString();
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                why = $"the host cannot prompt: {ex.Message}";
                answer = null;
            }
            if (answer is { Length: > 0 })
                return answer;
            if (answer is not null)
                why = "nothing was entered";
        }
        throw new PkiException(errorId, PkiErrorCategory.InvalidArgument,
            $"{what} is required and {why}. Pass -{parameter} (for example -{parameter} (Read-Host -AsSecureString)).", target);
    }

    /// <summary>pwsh -NonInteractive (any abbreviation PowerShell accepts, from -noni on): prompting would fail or hang.</summary>
    private static bool IsNonInteractive() =>
        Environment.GetCommandLineArgs().Skip(1).Any(a =>
            a.Length >= 5 && a.StartsWith("-noni", StringComparison.OrdinalIgnoreCase) && "-noninteractive".StartsWith(a, StringComparison.OrdinalIgnoreCase));

    /// <summary>Refuses a password for a new CA key shorter than <see cref="MinimumKeyPasswordLength"/> characters.</summary>
    protected static void RequireStrongKeyPassword(SecureString password, string parameter, object? target)
    {
        if (password.Length < MinimumKeyPasswordLength)
            throw new PkiException(PkiErrorIds.KeyPasswordTooShort, PkiErrorCategory.InvalidArgument,
                $"The {parameter} for a new CA key has {password.Length} character(s); it must have at least {MinimumKeyPasswordLength}. Choose a longer password (a passphrase of several words is easiest to type).", target);
    }

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

    private void Run(Action action, bool terminating)
    {
        try
        {
            action();
            // Entries a listing left out because they are corrupt are named once, as warnings.
            if (_vault is not null)
            {
                foreach (var notice in _vault.TakeNotices())
                    Warn(notice);
            }
        }
        catch (Exception ex) when (Translate(ex) is { } pki)
        {
            if (terminating)
                ThrowTerminatingError(ToErrorRecord(pki));
            else
                WriteError(ToErrorRecord(pki));
        }
    }

    /// <summary>
    /// Every exception that leaves a cmdlet becomes a <see cref="PkiException"/> with a catalogued ErrorId; PowerShell's own
    /// flow-control exceptions (a stopped pipeline, -ErrorAction Stop, a terminating error already raised) pass through.
    /// </summary>
    internal static PkiException? Translate(Exception ex) => ex switch
    {
        PkiException pki => pki,
        _ when ex.GetType().Namespace?.StartsWith("System.Management.Automation", StringComparison.Ordinal) == true => null,
        OperationCanceledException => null,
        UnauthorizedAccessException => new PkiException(PkiErrorIds.FileAccessDenied, PkiErrorCategory.PermissionDenied,
            $"Access denied: {ex.Message} Check the permissions of the file or folder, or choose another path.", null, ex),
        FileNotFoundException fnf => new PkiException(PkiErrorIds.FileNotFound, PkiErrorCategory.ObjectNotFound,
            $"{fnf.Message} Check the path.", fnf.FileName, ex),
        DirectoryNotFoundException => new PkiException(PkiErrorIds.FileNotFound, PkiErrorCategory.ObjectNotFound,
            $"{ex.Message} Check the path.", null, ex),
        IOException => new PkiException(PkiErrorIds.IOFailure, PkiErrorCategory.WriteError,
            $"An I/O operation failed: {ex.Message}", null, ex),
        System.Security.Cryptography.CryptographicException => new PkiException(PkiErrorIds.CryptographicFailure, PkiErrorCategory.InvalidData,
            $"A cryptographic operation failed: {ex.Message}", null, ex),
        _ => new PkiException(PkiErrorIds.InternalError, PkiErrorCategory.NotSpecified,
            $"Unexpected {ex.GetType().Name}: {ex.Message} Please report this with the command you ran.", null, ex),
    };

    protected void WriteResult(object? value) => WriteObject(value, enumerateCollection: false);

    protected void WriteResults(System.Collections.IEnumerable values) => WriteObject(values, enumerateCollection: true);

    protected void Warn(string message) => WriteWarning(message);

    /// <summary>
    /// An engine result reaches the host here: its warnings (what needs attention) on the warning stream, its notes (what
    /// happened as asked: a new default, a replaced CA) on the information stream; its item is returned.
    /// </summary>
    protected T Deliver<T>(Core.PkiResult<T> result)
    {
        foreach (var warning in result.Warnings)
            Warn(warning);
        foreach (var note in result.Information)
            Inform(note);
        return result.Item;
    }

    /// <summary>A note for the information stream (shown with -InformationAction Continue, kept in -InformationVariable).</summary>
    protected void Inform(string message) => WriteInformation(message, new[] { "ZscalerPki" });

    protected void Verbose(string message) => WriteVerbose(message);

    protected void Progress(int id, string activity, string status, int percent) =>
        WriteProgress(new ProgressRecord(id, activity, status) { PercentComplete = percent });

    protected void ProgressDone(int id, string activity) =>
        WriteProgress(new ProgressRecord(id, activity, "Done") { PercentComplete = 100, RecordType = ProgressRecordType.Completed });

    protected bool Confirm(string target, string action) => ShouldProcess(target, action);

    /// <summary>Runs a read that is expected to fail for a corrupt entry, and reports its error (non-terminating).</summary>
    protected void ReportCorrupt(Action read) => ForEachInput(new[] { 0 }, _ => read());

    /// <summary>Stops the whole command with this error (an input every record needs cannot be used).</summary>
    protected void Terminate(Exception ex) => ThrowTerminatingError(ToErrorRecord(Translate(ex) ?? throw ex));

    /// <summary>Reports a non-terminating error for the current record.</summary>
    protected void ReportError(PkiException ex) => WriteError(ToErrorRecord(ex));

    /// <summary>
    /// Runs <paramref name="action"/> for each input of a parameter that takes several (names, files, certificates): a failing
    /// input is one non-terminating error, with its catalogued ErrorId, and the others still run. Returns false if any failed.
    /// </summary>
    protected bool ForEachInput<T>(IEnumerable<T> inputs, Action<T> action, Action<T>? onError = null)
    {
        var allGood = true;
        foreach (var input in inputs)
        {
            try
            {
                action(input);
            }
            catch (Exception ex) when (Translate(ex) is { } pki)
            {
                allGood = false;
                onError?.Invoke(input);
                ReportError(pki);
            }
        }
        return allGood;
    }

    private protected static RevealedSecret Reveal(SecureString? secret) => RevealedSecret.From(secret);

    /// <summary>A path for a file we write: resolved against the current location, need not exist.</summary>
    protected string ResolveOutputPath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(RequireUsablePath(path));

    private static string RequireUsablePath(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0'))
            throw new PkiException(PkiErrorIds.InvalidPath, PkiErrorCategory.InvalidArgument,
                $"'{path.Replace("\0", "\\0")}' is not a usable path: it is empty or contains a NUL character. Pass a file path.", path);
        return path;
    }

    /// <summary>Paths of existing input files: -Path expands wildcards, -LiteralPath does not.</summary>
    protected IReadOnlyList<string> ResolveInputPaths(string path, bool literal)
    {
        var paths = literal
            ? new[] { SessionState.Path.GetUnresolvedProviderPathFromPSPath(RequireUsablePath(path)) }
            : ExpandWildcards(RequireUsablePath(path));
        foreach (var p in paths)
        {
            if (!File.Exists(p))
                throw new PkiException(PkiErrorIds.FileNotFound, PkiErrorCategory.ObjectNotFound,
                    $"The file '{p}' does not exist. Check the path (use -LiteralPath for names with [ or ]).", p);
        }
        if (paths.Count == 0)
            throw new PkiException(PkiErrorIds.FileNotFound, PkiErrorCategory.ObjectNotFound,
                Wildcard.ContainsWildcard(path) && !literal
                    ? $"No file matches '{path}'. Check the path and the pattern."
                    : $"The file '{path}' does not exist. Check the path (use -LiteralPath for names with [ or ]).", path);
        return paths;
    }

    /// <summary>The files a -Path names (wildcards expanded); none when nothing matches, so the caller reports our FileNotFound.</summary>
    private IReadOnlyList<string> ExpandWildcards(string path)
    {
        Collection<string> paths;
        ProviderInfo provider;
        try
        {
            paths = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
        }
        catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException)
        {
            // PowerShell's own PathNotFound would terminate the whole command; the caller reports our FileNotFound for this
            // one input and goes on with the rest.
            return Array.Empty<string>();
        }
        if (provider.Name != "FileSystem")
            throw new PkiException(PkiErrorIds.NotAFileSystemPath, PkiErrorCategory.InvalidArgument,
                $"'{path}' is not a file-system path (provider {provider.Name}). Pass a file path.", path);
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
    /// The tail of every Export cmdlet: resolve the -Path or -LiteralPath of the parameter set in use, ask ShouldProcess, write
    /// the file whole (an existing file only with -Force), and return its FileInfo with -PassThru. The cmdlet passes its
    /// -Force and -PassThru.
    /// </summary>
    protected void ExportToFile(string path, string action, Func<byte[]> content, bool force, bool passThru, bool secret = false)
    {
        var target = ResolveOutputPath(path);
        if (!Confirm(target, action))
            return;
        WriteFile(target, content(), force, secret);
        if (passThru)
            WriteFileItem(target);
    }

    /// <summary>-PassThru: the written file as Get-Item returns it (read after writing, so Length and Mode are filled in).</summary>
    protected void WriteFileItem(string path)
    {
        foreach (var item in InvokeProvider.Item.Get(new[] { path }, force: true, literalPath: true))
            WriteResult(item);
    }

    /// <summary>A date from the prompt as an instant: PowerShell's [datetime] '2027-01-01' is unspecified, meaning local time.</summary>
    protected static DateTimeOffset? ToInstant(DateTime? value) =>
        value is not { } v ? null : new DateTimeOffset(v.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(v, DateTimeKind.Local) : v);

    /// <summary>The ErrorRecord users see: our ErrorId (FullyQualifiedErrorId "&lt;ErrorId&gt;,&lt;cmdlet type&gt;"), category, target, message.</summary>
    internal static ErrorRecord ToErrorRecord(PkiException ex) =>
        new(ex, ex.ErrorId, MapCategory(ex.Category), ex.Target) { ErrorDetails = new ErrorDetails(ex.Message) };

    internal static ErrorCategory MapCategory(PkiErrorCategory category) =>
        Enum.TryParse<ErrorCategory>(category.ToString(), out var mapped) ? mapped : ErrorCategory.NotSpecified;
}
