namespace ZscalerPki.Core;

/// <summary>
/// The kind of failure, mirroring the PowerShell ErrorCategory names the cmdlet layer maps to
/// (the engine has no PowerShell reference, so it carries the name, not the enum).
/// </summary>
public enum PkiErrorCategory
{
    NotSpecified,
    InvalidArgument,
    InvalidData,
    InvalidOperation,
    InvalidResult,
    ObjectNotFound,
    ResourceExists,
    ResourceUnavailable,
    ResourceBusy,
    LimitsExceeded,
    PermissionDenied,
    AuthenticationError,
    SecurityError,
    NotImplemented,
    NotInstalled,
    OpenError,
    ReadError,
    WriteError,
    OperationTimeout,
}

/// <summary>
/// Every failure the engine reports on purpose: a stable <see cref="ErrorId"/> (the ErrorRecord's id),
/// a category, the offending object, and a message that says what is wrong and what to do.
/// </summary>
public class PkiException : Exception
{
    public PkiException(string errorId, PkiErrorCategory category, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Category = category;
        Target = target;
    }

    /// <summary>Stable identifier, e.g. <c>InvalidName</c>; scripts and tests match on it.</summary>
    public string ErrorId { get; }

    public PkiErrorCategory Category { get; }

    /// <summary>The object the error is about (a name, a path, a certificate).</summary>
    public object? Target { get; }
}
