using System.Management.Automation;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Lists the certificates a vault CA issued (its issued-certificate database), with certutil -view style filters.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "IssuedCertificate", HelpUri = HelpLinks.Base + "Get-IssuedCertificate.md")]
[OutputType(typeof(IssuedCertificateRecord))]
public sealed class GetIssuedCertificateCommand : ZscalerPkiCmdlet
{
    private bool? _revoked;

    /// <summary>The vault CA: its name, or its object from Get-EnrollmentCertificate / Get-IntermediateCertificate (pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(CaNameCompleter))]
    public object Issuer { get; set; } = null!;

    /// <summary>Exact serial number, hex.</summary>
    [Parameter]
    public string? SerialNumber { get; set; }

    /// <summary>Subject, wildcards allowed (e.g. 'CN=*.contoso.com*').</summary>
    [Parameter]
    [SupportsWildcards]
    public string? Subject { get; set; }

    /// <summary>-Revoked lists only revoked (and on-hold) certificates; -Revoked:$false only those not revoked.</summary>
    [Parameter]
    public SwitchParameter Revoked
    {
        get => new(_revoked ?? false);
        set => _revoked = value.IsPresent;
    }

    /// <summary>Only certificates whose validity ends before this date.</summary>
    [Parameter]
    public DateTime? ExpiringBefore { get; set; }

    /// <summary>Only certificates recorded after this date.</summary>
    [Parameter]
    public DateTime? IssuedAfter { get; set; }

    protected override void Process()
    {
        var query = new IssuedCertificateQuery
        {
            SerialNumber = SerialNumber,
            Subject = Subject,
            Revoked = _revoked,
            ExpiringBefore = ToInstant(ExpiringBefore),
            IssuedAfter = ToInstant(IssuedAfter),
        };
        foreach (var record in new RevocationService(Vault).Get(IssuerInput.Name(Issuer), query))
            WriteResult(record);
    }
}
