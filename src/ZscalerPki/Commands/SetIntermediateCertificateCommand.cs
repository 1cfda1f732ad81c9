using System.Management.Automation;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Enables or disables an SSL-inspection intermediate, makes it the default, or changes its description, within the subscription's limits.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "IntermediateCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "Set-IntermediateCertificate.md")]
[OutputType(typeof(IntermediateCertificate))]
public sealed class SetIntermediateCertificateCommand : ZscalerPkiCmdlet
{
    private bool? _enabled;
    private bool? _default;

    /// <summary>Name of the intermediate (also by property name from the pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(IntermediateNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>-Enabled enables, -Enabled:$false disables; omitted leaves the status as it is.</summary>
    [Parameter]
    public SwitchParameter Enabled
    {
        get => new(_enabled ?? false);
        set => _enabled = value.IsPresent;
    }

    /// <summary>-Default makes it the default (it must be enabled and ready); -Default:$false clears it; omitted leaves it.</summary>
    [Parameter]
    public SwitchParameter Default
    {
        get => new(_default ?? false);
        set => _default = value.IsPresent;
    }

    /// <summary>New description.</summary>
    [Parameter]
    public string? Description { get; set; }

    /// <summary>CRL distribution point URL(s) this intermediate embeds in the certificates it issues; an empty array clears them.</summary>
    [Parameter]
    [Alias("Cdp")]
    [AllowEmptyCollection]
    public string[]? CrlDistributionPoint { get; set; }

    /// <summary>AIA caIssuers URL(s) embedded in the certificates it issues; an empty array clears them.</summary>
    [Parameter]
    [Alias("Aia")]
    [AllowEmptyCollection]
    public string[]? AuthorityInfoAccess { get; set; }

    /// <summary>Write the changed intermediate to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        // A switch given at all (-Default or -Default:$false) is a requested change; one left out changes nothing.
        bool? enabled = _enabled;
        bool? makeDefault = _default;
        var changes = new List<string>();
        if (enabled.HasValue)
            changes.Add(enabled.Value ? "enable" : "disable");
        if (makeDefault.HasValue)
            changes.Add(makeDefault.Value ? "make default" : "clear default");
        if (Description is not null)
            changes.Add("set description");
        if (CrlDistributionPoint is not null || AuthorityInfoAccess is not null)
            changes.Add("set CRL distribution point / AIA URLs");
        if (changes.Count == 0)
        {
            Verbose($"No change requested for '{Name}'. Pass -Enabled, -Default, -Description, -CrlDistributionPoint or -AuthorityInfoAccess.");
            if (PassThru.IsPresent)
                WriteResult(new IntermediateService(Vault).GetOne(Name));
            return;
        }
        if (!Confirm(Name, $"Intermediate certificate: {string.Join(", ", changes)}"))
            return;
        if (CrlDistributionPoint is not null || AuthorityInfoAccess is not null)
        {
            Deliver(new Core.Revocation.RevocationService(Vault).SetUrls(Name, CrlDistributionPoint, AuthorityInfoAccess, Core.Storage.Collections.Intermediate));
            if (!enabled.HasValue && !makeDefault.HasValue && Description is null)
            {
                if (PassThru.IsPresent)
                    WriteResult(new IntermediateService(Vault).GetOne(Name));
                return;
            }
        }
        var result = new IntermediateService(Vault).Set(new SetIntermediateRequest
        {
            Name = Name,
            Enabled = enabled,
            Default = makeDefault,
            Description = Description,
        });
        var item = Deliver(result);
        if (PassThru.IsPresent)
            WriteResult(item);
    }
}
