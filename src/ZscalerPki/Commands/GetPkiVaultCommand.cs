using System.Management.Automation;
using ZscalerPki.Core;
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
    protected override void Process()
    {
        // A folder that is not there is not an empty vault: say so (the default folder too, before its first entry).
        if (!Directory.Exists(Vault.Root))
            throw new PkiException(PkiErrorIds.VaultNotFound, PkiErrorCategory.ObjectNotFound,
                $"There is no vault at '{Vault.Root}' yet. Check -VaultPath ($env:ZSCALERPKI_VAULT); New-EnrollmentCertificate, New-IntermediateCsr or Set-PkiVault create it.", Vault.Root);
        WriteResult(new PkiVaultService(Vault).Get());
    }
}
