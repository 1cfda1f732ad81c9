using System.Management.Automation;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Removes an SSL-inspection intermediate, its private key and its history from the vault.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "IntermediateCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.Base + "Remove-IntermediateCertificate.md")]
[OutputType(typeof(void))]
public sealed class RemoveIntermediateCertificateCommand : ZscalerPkiCmdlet
{
    /// <summary>Name(s) of the intermediates (also by property name from the pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(IntermediateNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    protected override void Process()
    {
        var service = new IntermediateService(Vault);
        ForEachInput(Name, name =>
        {
            var entry = service.GetOne(name);
            if (!Confirm(entry.Name, $"Remove intermediate certificate CN={entry.CommonName} (state {entry.State}{(entry.IsDefault ? ", default" : string.Empty)}) and its private key"))
                return;
            Deliver(service.Remove(entry.Name));
        });
    }
}
