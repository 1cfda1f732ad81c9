using System.Management.Automation;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Enables or disables an SSL-inspection intermediate, makes it the default, or changes its description, within the subscription's limits.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "IntermediateCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IntermediateCertificate))]
public sealed class SetIntermediateCertificateCommand : ZscalerPkiCmdlet
{
    private bool? _enabled;
    private bool? _default;

    /// <summary>Name of the intermediate (also by property name from the pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(IntermediateNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>-Enabled $true enables, -Enabled $false disables; omitted leaves the status as it is.</summary>
    [Parameter]
    public bool Enabled
    {
        get => _enabled ?? false;
        set => _enabled = value;
    }

    /// <summary>-Default $true makes it the default (it must be enabled and ready); -Default $false clears it.</summary>
    [Parameter]
    public bool Default
    {
        get => _default ?? false;
        set => _default = value;
    }

    /// <summary>New description.</summary>
    [Parameter]
    public string? Description { get; set; }

    /// <summary>Write the changed intermediate to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get => GetSwitch(nameof(PassThru)); set => SetSwitch(nameof(PassThru), value); }

    protected override void Process()
    {
        var changes = new List<string>();
        if (_enabled.HasValue)
            changes.Add(_enabled.Value ? "enable" : "disable");
        if (_default.HasValue)
            changes.Add(_default.Value ? "make default" : "clear default");
        if (Description is not null)
            changes.Add("set description");
        if (changes.Count == 0)
        {
            Verbose($"No change requested for '{Name}'. Pass -Enabled, -Default or -Description.");
            if (IsSet(nameof(PassThru)))
                WriteResult(new IntermediateService(Vault).GetOne(Name));
            return;
        }
        if (!Confirm(Name, $"Intermediate certificate: {string.Join(", ", changes)}"))
            return;
        var result = new IntermediateService(Vault).Set(new SetIntermediateRequest
        {
            Name = Name,
            Enabled = _enabled,
            Default = _default,
            Description = Description,
        });
        var item = Deliver(result);
        if (IsSet(nameof(PassThru)))
            WriteResult(item);
    }
}
