using System.Management.Automation;
using ZscalerPki.Core;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Lists the SSL-inspection intermediate CA certificates of the ZIA tenant with their state, status and default flag.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ZiaIntermediateCertificate", DefaultParameterSetName = NameSet, HelpUri = HelpLinks.Base + "Get-ZiaIntermediateCertificate.md")]
[OutputType(typeof(ZiaIntermediateCertificate))]
public sealed class GetZiaIntermediateCertificateCommand : TenantCmdlet
{
    private const string NameSet = "Name";
    private const string IdSet = "Id";

    /// <summary>Names to show; wildcards allowed. All when omitted.</summary>
    [Parameter(Position = 0, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>The entries' ids.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    public long[] Id { get; set; } = Array.Empty<long>();

    /// <summary>Only the entries ready to use for SSL inspection (readyToUse: CERT_READY and enabled).</summary>
    [Parameter]
    public SwitchParameter ReadyToUse { get; set; }

    protected override void Process()
    {
        var zia = new ZiaIntermediateService(Session, Observer, Cancellation);
        if (ParameterSetName == IdSet)
        {
            ForEachInput(Id, id => WriteResult(zia.Get(id)));
            return;
        }
        var all = zia.List(ReadyToUse.IsPresent);
        if (Name is null || Name.Length == 0)
        {
            WriteResults(all);
            return;
        }
        ForEachInput(Name, name =>
        {
            var pattern = new Wildcard(name);
            var found = all.Where(e => Wildcard.ContainsWildcard(name) ? pattern.IsMatch(e.Name) : string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (found.Count == 0 && !Wildcard.ContainsWildcard(name))
                throw new PkiException(PkiErrorIds.TenantEntryNotFound, PkiErrorCategory.ObjectNotFound,
                    $"The tenant {Session.Tenant} has no intermediate CA certificate named '{name}'{(ReadyToUse.IsPresent ? " that is ready to use" : string.Empty)}. Run Get-ZiaIntermediateCertificate to list the names.", name);
            WriteResults(found);
        });
    }
}
