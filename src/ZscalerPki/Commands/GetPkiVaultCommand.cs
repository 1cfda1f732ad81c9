using System.Management.Automation;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Shows the vault: its folder, the subscription and the intermediate limits it sets, and what the vault holds.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "PkiVault", HelpUri = HelpLinks.Base + "Get-PkiVault.md")]
[OutputType(typeof(PkiVaultInfo))]
public sealed class GetPkiVaultCommand : ZscalerPkiCmdlet
{
    protected override void Process() => WriteResult(new PkiVaultService(Vault).Get());
}
