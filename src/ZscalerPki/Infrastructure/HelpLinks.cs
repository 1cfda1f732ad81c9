namespace ZscalerPki.Infrastructure;

/// <summary>
/// Where <c>Get-Help Verb-Noun -Online</c> goes: the cmdlet's help source in the repository, docs/help/Verb-Noun.md, of
/// which the MAML help is generated at build time (tools/New-ModuleHelp.ps1). Every command sets
/// <c>HelpUri = HelpLinks.Base + "Verb-Noun.md"</c>; a contract test checks the name and that the file exists.
/// </summary>
internal static class HelpLinks
{
    public const string Base = "https://github.com/ZscalerPki/ZscalerPki/blob/main/docs/help/";
}
