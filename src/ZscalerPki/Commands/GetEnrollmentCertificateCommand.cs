using System.Management.Automation;
using ZscalerPki.Core;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Lists the enrollment (CA) certificates in the vault.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "EnrollmentCertificate", HelpUri = HelpLinks.Base + "Get-EnrollmentCertificate.md")]
[OutputType(typeof(EnrollmentCertificate))]
public sealed class GetEnrollmentCertificateCommand : ZscalerPkiCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(EnrollmentNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    public CaType? Type { get; set; }

    [Parameter]
    public ClientCertificateType? ClientCertificateType { get; set; }

    protected override void Process()
    {
        var service = new EnrollmentService(Vault);
        if (Name is null || Name.Length == 0)
        {
            WriteResults(service.Get(null, Type, ClientCertificateType));
            return;
        }
        foreach (var name in Name)
        {
            var found = service.Get(name, Type, ClientCertificateType);
            if (found.Count == 0 && !Core.Wildcard.ContainsWildcard(name))
            {
                // The name is there but the entry was left out as corrupt: report that entry (VaultEntryCorrupt), not NotFound.
                if (Type is null && ClientCertificateType is null && Vault.FindName(Core.Storage.Collections.Enrollment, name) is not null)
                {
                    ReportCorrupt(() => service.GetOne(name));
                    continue;
                }
                ReportError(new PkiException(PkiErrorIds.NotFound, PkiErrorCategory.ObjectNotFound,
                    $"No enrollment certificate named '{name}' matches in vault '{Vault.Root}'. Run Get-EnrollmentCertificate to list the names.", name));
                continue;
            }
            WriteResults(found);
        }
    }
}
