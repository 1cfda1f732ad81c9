using System.Management.Automation;
using System.Security;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Writes and signs a vault CA's CRL (base or delta) into a folder, as the DER file its CRL distribution point serves.</para>
/// </summary>
[Cmdlet(VerbsData.Publish, "Crl", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet, HelpUri = HelpLinks.Base + "Publish-Crl.md")]
[OutputType(typeof(CrlPublication))]
public sealed class PublishCrlCommand : ZscalerPkiCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>The vault CA: its name, or its object from Get-EnrollmentCertificate / Get-IntermediateCertificate (pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(CaNameCompleter))]
    public object Issuer { get; set; } = null!;

    /// <summary>Output folder (created when missing); the CRL is written as &lt;Issuer&gt;.crl, a delta as &lt;Issuer&gt;-delta.crl.</summary>
    [Parameter(Position = 1, ParameterSetName = PathSet)]
    public string? Path { get; set; }

    /// <summary>Output folder, taken literally.</summary>
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    public string? LiteralPath { get; set; }

    /// <summary>Opens the CA's key in the vault to sign the CRL.</summary>
    [Parameter]
    public SecureString? KeyPassword { get; set; }

    /// <summary>Time until nextUpdate; default 7 days.</summary>
    [Parameter]
    public TimeSpan Validity { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The nextUpdate date (instead of -Validity).</summary>
    [Parameter]
    public DateTime? NextUpdate { get; set; }

    /// <summary>Keep revoked certificates that have expired on the CRL (by default they are left off).</summary>
    [Parameter]
    public SwitchParameter IncludeExpired { get; set; }

    /// <summary>Write a delta CRL (changes since the last base CRL, with a DeltaCRLIndicator).</summary>
    [Parameter]
    public SwitchParameter Delta { get; set; }

    /// <summary>Also write the CRL as PEM (&lt;file&gt;.pem).</summary>
    [Parameter]
    public SwitchParameter Pem { get; set; }

    protected override void Process()
    {
        var issuer = IssuerInput.Name(Issuer);
        var folder = ResolveOutputPath((ParameterSetName == LiteralPathSet ? LiteralPath : Path) ?? ".");
        var kind = Delta.IsPresent ? "delta" : "base";
        if (!Confirm(System.IO.Path.Combine(folder, CrlPublisher.FileName(issuer, Delta.IsPresent)), $"Publish the {kind} CRL of '{issuer}'"))
            return;
        using var password = Reveal(KeyPassword);
        var result = new CrlPublisher(Vault).Publish(new PublishCrlRequest
        {
            Issuer = issuer,
            Folder = folder,
            KeyPassword = password.Memory,
            Validity = Validity,
            NextUpdate = ToInstant(NextUpdate),
            IncludeExpired = IncludeExpired.IsPresent,
            Delta = Delta.IsPresent,
            Pem = Pem.IsPresent,
        });
        WriteResult(Deliver(result));
    }
}
