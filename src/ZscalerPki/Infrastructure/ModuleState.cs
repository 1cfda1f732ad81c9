using ZscalerPki.Core.Inspection;

namespace ZscalerPki.Infrastructure;

/// <summary>
/// What the module keeps for the life of the PowerShell session (the process): each cmdlet invocation builds its own
/// services, but opening an issuer's key (a password KDF, an HSM login) once per certificate would make
/// New-InspectionCertificate slow, and its memory cache is what makes a repeated site a lookup.
/// </summary>
internal static class ModuleState
{
    // The only instance; read-only, so nothing can swap it under a running pipeline. Tests build their own sessions.
    private static readonly ForgingSession Session = new();

    /// <summary>The forging session every <see cref="InspectionService"/> the cmdlets build shares.</summary>
    public static ForgingSession Forging => Session;
}
