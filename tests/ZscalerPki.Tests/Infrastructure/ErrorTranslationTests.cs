using System.Security.Cryptography;
using ZscalerPki.Core;
using ZscalerPki.Infrastructure;
using System.Management.Automation;
using ZscalerPki.Tests.Harness;

namespace ZscalerPki.Tests.Infrastructure;

/// <summary>
/// Fault injection through a test-only cmdlet on the real base class, run in PowerShell: whatever an engine or the file system
/// throws, what leaves a cmdlet is an ErrorRecord with a catalogued ErrorId: non-terminating for the record being processed,
/// terminating in Begin/End.
/// </summary>
public sealed class ErrorTranslationTests
{
    /// <summary>Invoke-PkiFault: Begin and Process throw what the test passes; each good input is written to the output.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "PkiFault")]
    public sealed class FaultyCommand : ZscalerPkiCmdlet
    {
        [Parameter]
        public Exception? InProcess { get; set; }

        [Parameter]
        public Exception? InBegin { get; set; }

        [Parameter]
        public string[] Inputs { get; set; } = Array.Empty<string>();

        protected override void Begin()
        {
            if (InBegin is not null)
                throw InBegin;
        }

        protected override void Process()
        {
            if (InProcess is not null)
                throw InProcess;
            ForEachInput(Inputs, input =>
            {
                if (input.StartsWith("bad", StringComparison.Ordinal))
                    throw new IOException($"device error reading {input}");
                WriteResult(input);
            });
        }
    }

    public static TheoryData<Exception, string, ErrorCategory> Faults() => new()
    {
        { new UnauthorizedAccessException("Access to the path '/vault/x' is denied."), PkiErrorIds.FileAccessDenied, ErrorCategory.PermissionDenied },
        { new IOException("No space left on device"), PkiErrorIds.IOFailure, ErrorCategory.WriteError },
        { new FileNotFoundException("Could not find file '/x/y.pem'.", "/x/y.pem"), PkiErrorIds.FileNotFound, ErrorCategory.ObjectNotFound },
        { new DirectoryNotFoundException("Could not find a part of the path '/x/y'."), PkiErrorIds.FileNotFound, ErrorCategory.ObjectNotFound },
        { new CryptographicException("ASN1 corrupted data."), PkiErrorIds.CryptographicFailure, ErrorCategory.InvalidData },
        { new NullReferenceException("Object reference not set to an instance of an object."), PkiErrorIds.InternalError, ErrorCategory.NotSpecified },
        { new PkiException(PkiErrorIds.VaultBusy, PkiErrorCategory.ResourceBusy, "locked", "v"), PkiErrorIds.VaultBusy, ErrorCategory.ResourceBusy },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void AnyExceptionInProcess_IsOneNonTerminatingErrorWithACataloguedId(Exception fault, string errorId, ErrorCategory category)
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path, typeof(FaultyCommand));
        var run = pwsh.Run("Invoke-PkiFault", new() { ["InProcess"] = fault, ["VaultPath"] = tmp.Vault }).NotTerminated();
        var error = Assert.Single(run.Errors);
        Assert.Equal(errorId, error.ErrorId());
        Assert.EndsWith("," + typeof(FaultyCommand).FullName, error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.Contains(ErrorIdCatalogTestsIds(), id => id == error.ErrorId());
        Assert.Contains(fault.Message, error.Message());
    }

    [Fact]
    public void AnExceptionInBegin_Terminates_WithItsId()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path, typeof(FaultyCommand));
        var run = pwsh.Run("Invoke-PkiFault", new() { ["InBegin"] = new UnauthorizedAccessException("denied"), ["Inputs"] = new[] { "a" }, ["VaultPath"] = tmp.Vault });
        Assert.Equal(PkiErrorIds.FileAccessDenied, run.Terminating?.ErrorId());
        Assert.Equal(ErrorCategory.PermissionDenied, run.Terminating!.CategoryInfo.Category);
        Assert.Empty(run.Output); // Process never ran
    }

    [Fact]
    public void OneBadInputAmongSeveral_IsOneErrorAndTheOthersRun()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path, typeof(FaultyCommand));
        var run = pwsh.Run("Invoke-PkiFault", new() { ["Inputs"] = new[] { "a", "bad-1", "b", "bad-2", "c" }, ["VaultPath"] = tmp.Vault }).NotTerminated();
        Assert.Equal(new object[] { "a", "b", "c" }, run.Output);
        Assert.Equal(2, run.Errors.Count);
        Assert.All(run.Errors, e => Assert.Equal(PkiErrorIds.IOFailure, e.ErrorId()));

        // -ErrorAction Stop: the first bad input stops the command, with its own ErrorId.
        var stop = pwsh.Run("Invoke-PkiFault", new() { ["Inputs"] = new[] { "a", "bad-1", "b" }, ["VaultPath"] = tmp.Vault, ["ErrorAction"] = ActionPreference.Stop });
        Assert.Equal(PkiErrorIds.IOFailure, stop.Terminating?.ErrorId());
        Assert.Equal(new object[] { "a" }, stop.Output);
    }

    [Fact]
    public void PowerShellsOwnFlowControl_PassesThrough()
    {
        // A stopped pipeline (Ctrl+C, Select-Object -First) must not become an error record.
        Assert.Null(ZscalerPkiCmdlet.Translate(new PipelineStoppedException()));
        Assert.Null(ZscalerPkiCmdlet.Translate(new ActionPreferenceStopException()));
        Assert.Null(ZscalerPkiCmdlet.Translate(new OperationCanceledException()));
    }

    private static IEnumerable<string> ErrorIdCatalogTestsIds() => Contract.ErrorIdCatalogTests.CatalogIds();
}
