using System.Security.Cryptography;
using ZscalerPki.Core;
using ZscalerPki.Infrastructure;
using ZscalerPki.Tests.Harness;

namespace ZscalerPki.Tests.Infrastructure;

/// <summary>
/// Fault injection that only a seam can reach: whatever an engine or the file system throws, what leaves a cmdlet is an
/// ErrorRecord with a catalogued ErrorId: non-terminating for the record being processed, terminating in Begin/End.
/// </summary>
public sealed class ErrorTranslationTests
{
    /// <summary>A cmdlet whose Process and Begin throw what the test asks for.</summary>
    private sealed class FaultyCommand : ZscalerPkiCmdlet
    {
        public Exception? InProcess { get; init; }

        public Exception? InBegin { get; init; }

        public List<string> Processed { get; } = new();

        public string[] Inputs { get; init; } = Array.Empty<string>();

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
                Processed.Add(input);
            });
        }
    }

    public static TheoryData<Exception, string, System.Management.Automation.ErrorCategory> Faults() => new()
    {
        { new UnauthorizedAccessException("Access to the path '/vault/x' is denied."), PkiErrorIds.FileAccessDenied, System.Management.Automation.ErrorCategory.PermissionDenied },
        { new IOException("No space left on device"), PkiErrorIds.IOFailure, System.Management.Automation.ErrorCategory.WriteError },
        { new FileNotFoundException("Could not find file '/x/y.pem'.", "/x/y.pem"), PkiErrorIds.FileNotFound, System.Management.Automation.ErrorCategory.ObjectNotFound },
        { new DirectoryNotFoundException("Could not find a part of the path '/x/y'."), PkiErrorIds.FileNotFound, System.Management.Automation.ErrorCategory.ObjectNotFound },
        { new CryptographicException("ASN1 corrupted data."), PkiErrorIds.CryptographicFailure, System.Management.Automation.ErrorCategory.InvalidData },
        { new NullReferenceException("Object reference not set to an instance of an object."), PkiErrorIds.InternalError, System.Management.Automation.ErrorCategory.NotSpecified },
        { new PkiException(PkiErrorIds.VaultBusy, PkiErrorCategory.ResourceBusy, "locked", "v"), PkiErrorIds.VaultBusy, System.Management.Automation.ErrorCategory.ResourceBusy },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void AnyExceptionInProcess_IsOneNonTerminatingErrorWithACataloguedId(Exception fault, string errorId, System.Management.Automation.ErrorCategory category)
    {
        using var tmp = new TempDir();
        var seam = CmdletHarness.Run(new FaultyCommand { InProcess = fault, VaultPath = tmp.Vault }, tmp.Path);
        var error = Assert.Single(seam.Errors);
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(category, error.Category);
        Assert.Contains(ErrorIdCatalogTestsIds(), id => id == error.ErrorId);
        Assert.Contains(fault.Message, error.Message);
    }

    [Fact]
    public void AnExceptionInBegin_Terminates_WithItsId()
    {
        using var tmp = new TempDir();
        var thrown = Assert.Throws<TerminatingErrorException>(() =>
            CmdletHarness.Run(new FaultyCommand { InBegin = new UnauthorizedAccessException("denied"), VaultPath = tmp.Vault }, tmp.Path));
        Assert.Equal(PkiErrorIds.FileAccessDenied, thrown.Error.ErrorId);
    }

    [Fact]
    public void OneBadInputAmongSeveral_IsOneErrorAndTheOthersRun()
    {
        using var tmp = new TempDir();
        var cmd = new FaultyCommand { Inputs = new[] { "a", "bad-1", "b", "bad-2", "c" }, VaultPath = tmp.Vault };
        var seam = CmdletHarness.Run(cmd, tmp.Path);
        Assert.Equal(new[] { "a", "b", "c" }, cmd.Processed);
        Assert.Equal(2, seam.Errors.Count);
        Assert.All(seam.Errors, e => Assert.Equal(PkiErrorIds.IOFailure, e.ErrorId));
    }

    [Fact]
    public void PowerShellsOwnFlowControl_PassesThrough()
    {
        // A stopped pipeline (Ctrl+C, Select-Object -First) must not become an error record.
        Assert.Null(ZscalerPkiCmdlet.Translate(new System.Management.Automation.PipelineStoppedException()));
        Assert.Null(ZscalerPkiCmdlet.Translate(new OperationCanceledException()));
    }

    private static IEnumerable<string> ErrorIdCatalogTestsIds() => Contract.ErrorIdCatalogTests.CatalogIds();
}
