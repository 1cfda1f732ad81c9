using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using ZscalerPki.Core;
using ZscalerPki.Core.Tenant;

namespace ZscalerPki.Infrastructure;

/// <summary>
/// The default tenant session of each PowerShell runspace (Connect-ZscalerTenant sets it, as Connect-AzAccount does);
/// kept per runspace so two runspaces in one process do not share a tenant.
/// </summary>
internal static class TenantRegistry
{
    private sealed class Holder
    {
        public TenantSession? Default;
    }

    private static readonly ConditionalWeakTable<Runspace, Holder> Sessions = new();

    private static Holder Current => Sessions.GetValue(Runspace.DefaultRunspace, _ => new Holder());

    public static TenantSession? Default
    {
        get => Current.Default;
        set => Current.Default = value;
    }
}

/// <summary>
/// The base of the tenant cmdlets: -Tenant (else the default session), the engine's reports on this pipeline's thread
/// (redacted debug lines to -Debug, steps to -Verbose, waits to Write-Progress), Ctrl+C cancelling the HTTP call in
/// flight, and the gate that shows every request a change would send (-WhatIf) or asks (-Confirm).
/// </summary>
public abstract class TenantCmdlet : ZscalerPkiCmdlet
{
    private readonly CancellationTokenSource _stop = new();

    /// <summary>The session from Connect-ZscalerTenant; default: the last one connected in this PowerShell session.</summary>
    [Parameter]
    public TenantSession? Tenant { get; set; }

    protected CancellationToken Cancellation => _stop.Token;

    protected override void StopProcessing()
    {
        _stop.Cancel();
        base.StopProcessing();
    }

    protected TenantSession Session
    {
        get
        {
            var session = Tenant ?? TenantRegistry.Default;
            if (session is null || !session.Connected)
                throw new PkiException(PkiErrorIds.TenantNotConnected, PkiErrorCategory.InvalidOperation,
                    session is null
                        ? "No Zscaler tenant is connected. Run Connect-ZscalerTenant first (or pass -Tenant)."
                        : $"The session to {session.Tenant} was disconnected. Run Connect-ZscalerTenant again.", session);
            return session;
        }
    }

    protected TenantObserver Observer => new()
    {
        Debug = WriteDebug,
        Verbose = WriteVerbose,
        Waiting = w => WriteProgress(new ProgressRecord(7, "Zscaler API", w.Reason)
        {
            SecondsRemaining = (int)Math.Ceiling(w.Remaining.TotalSeconds),
            PercentComplete = w.Total <= TimeSpan.Zero ? 100 : (int)Math.Clamp(100 - 100 * w.Remaining.TotalSeconds / w.Total.TotalSeconds, 0, 100),
        }),
        WaitDone = () => WriteProgress(new ProgressRecord(7, "Zscaler API", "Done") { RecordType = ProgressRecordType.Completed }),
    };

    /// <summary>-WhatIf prints every request the command would send; -Confirm asks once for all of them.</summary>
    protected TenantGate Gate => (target, requests) =>
    {
        var list = string.Join(Environment.NewLine, requests.Select(r => "  " + r));
        var description = $"Send to {Session.Tenant} for '{target}':{Environment.NewLine}{list}";
        return ShouldProcess(description, $"Send these requests to {Session.Tenant} for '{target}'?{Environment.NewLine}{list}", "Zscaler tenant");
    };

    protected void WriteWarnings(IEnumerable<string> warnings)
    {
        foreach (var w in warnings)
            Warn(w);
    }
}
