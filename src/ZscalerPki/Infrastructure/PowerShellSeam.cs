using ZscalerPki.Core;
using System.Collections.ObjectModel;
using System.Management.Automation;

namespace ZscalerPki.Infrastructure;

/// <summary>The seam inside a real PowerShell host: each call goes to the PSCmdlet API.</summary>
internal sealed class PowerShellSeam : ICmdletSeam
{
    private readonly PSCmdlet _cmdlet;

    public PowerShellSeam(PSCmdlet cmdlet) => _cmdlet = cmdlet;

    public void WriteObject(object? value, bool enumerateCollection) => _cmdlet.WriteObject(value, enumerateCollection);

    public void WriteError(PkiError error) => _cmdlet.WriteError(ToRecord(error));

    public void ThrowTerminatingError(PkiError error) => _cmdlet.ThrowTerminatingError(ToRecord(error));

    public void WriteWarning(string message) => _cmdlet.WriteWarning(message);

    public void WriteVerbose(string message) => _cmdlet.WriteVerbose(message);

    public void WriteProgress(PkiProgress progress)
    {
        var record = new ProgressRecord(progress.ActivityId, progress.Activity, progress.Status)
        {
            PercentComplete = progress.PercentComplete,
            RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        _cmdlet.WriteProgress(record);
    }

    public bool ShouldProcess(string target, string action) => _cmdlet.ShouldProcess(target, action);

    public IReadOnlyList<string> ResolvePath(string path, bool literal, bool mustExist)
    {
        if (literal || !mustExist)
        {
            var resolved = _cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            return new[] { resolved };
        }
        Collection<string> paths;
        ProviderInfo provider;
        try
        {
            paths = _cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
        }
        catch (ItemNotFoundException)
        {
            // PowerShell's own PathNotFound would terminate the whole command; the caller reports our FileNotFound for this
            // one input and goes on with the rest.
            return Array.Empty<string>();
        }
        catch (System.Management.Automation.DriveNotFoundException)
        {
            return Array.Empty<string>();
        }
        if (provider.Name != "FileSystem")
            throw new ZscalerPki.Core.PkiException(PkiErrorIds.NotAFileSystemPath, Core.PkiErrorCategory.InvalidArgument,
                $"'{path}' is not a file-system path (provider {provider.Name}). Pass a file path.", path);
        return paths.ToList();
    }

    private static ErrorRecord ToRecord(PkiError error) =>
        new(error.Exception, error.ErrorId, error.Category, error.Target) { ErrorDetails = new ErrorDetails(error.Message) };
}
