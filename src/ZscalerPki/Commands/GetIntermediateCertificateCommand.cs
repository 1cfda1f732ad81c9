using System.Management.Automation;
using ZscalerPki.Core;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Lists the SSL-inspection intermediate certificates in the vault with their state, status and default flag.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "IntermediateCertificate", HelpUri = HelpLinks.Base + "Get-IntermediateCertificate.md")]
[OutputType(typeof(IntermediateCertificate))]
public sealed class GetIntermediateCertificateCommand : ZscalerPkiCmdlet
{
    /// <summary>Names to show; wildcards allowed. All when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(IntermediateNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only intermediates in this life-cycle state (e.g. CsrGenDone, CertReady).</summary>
    [Parameter]
    public IntermediateState? State { get; set; }

    /// <summary>Only Enabled or only Disabled intermediates.</summary>
    [Parameter]
    public IntermediateStatus? Status { get; set; }

    /// <summary>Only the default intermediate.</summary>
    [Parameter]
    public SwitchParameter Default { get; set; }

    protected override void Process()
    {
        var service = new IntermediateService(Vault);
        if (Name is null || Name.Length == 0)
        {
            WriteResults(Filter(service.Get(null, State, Status)));
            return;
        }
        foreach (var name in Name)
        {
            var found = Filter(service.Get(name, State, Status));
            if (found.Count == 0 && !Wildcard.ContainsWildcard(name) && State is null && Status is null && !Default.IsPresent)
            {
                // The name is there but the entry was left out as corrupt: report that entry (VaultEntryCorrupt), not NotFound.
                if (Vault.FindName(Core.Storage.Collections.Intermediate, name) is not null)
                {
                    ReportCorrupt(() => service.GetOne(name));
                    continue;
                }
                ReportError(new PkiException(PkiErrorIds.NotFound, PkiErrorCategory.ObjectNotFound,
                    $"No intermediate certificate named '{name}' is in vault '{Vault.Root}'. Run Get-IntermediateCertificate to list the names.", name));
                continue;
            }
            WriteResults(found);
        }
    }

    private List<IntermediateCertificate> Filter(IReadOnlyList<IntermediateCertificate> items) =>
        items.Where(i => !Default.IsPresent || i.IsDefault).ToList();
}
