using System.Management.Automation;
using ZscalerPki.Core;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Lists the ZPA tenant's enrollment certificates (every page), or those with the given names or ids.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ZpaEnrollmentCertificate", DefaultParameterSetName = NameSet, HelpUri = HelpLinks.Base + "Get-ZpaEnrollmentCertificate.md")]
[OutputType(typeof(ZpaEnrollmentCertificate))]
public sealed class GetZpaEnrollmentCertificateCommand : TenantCmdlet
{
    private const string NameSet = "Name";
    private const string IdSet = "Id";

    /// <summary>Names to show; wildcards allowed. All when omitted.</summary>
    [Parameter(Position = 0, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>The certificates' ids.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    public string[] Id { get; set; } = Array.Empty<string>();

    /// <summary>Only this ZPA microtenant (default: the session's).</summary>
    [Parameter]
    public string? MicrotenantId { get; set; }

    protected override void Process()
    {
        var zpa = new ZpaEnrollmentService(Session, MicrotenantId, Observer, Cancellation);
        if (ParameterSetName == IdSet)
        {
            ForEachInput(Id, id => WriteResult(zpa.Get(id)));
            return;
        }
        if (Name is null || Name.Length == 0)
        {
            WriteResults(zpa.List());
            return;
        }
        IReadOnlyList<ZpaEnrollmentCertificate>? all = null;
        ForEachInput(Name, name =>
        {
            if (!Wildcard.ContainsWildcard(name))
            {
                WriteResult(zpa.Find(name));
                return;
            }
            all ??= zpa.List();
            var pattern = new Wildcard(name);
            WriteResults(all.Where(c => pattern.IsMatch(c.Name)).ToList());
        });
    }
}
