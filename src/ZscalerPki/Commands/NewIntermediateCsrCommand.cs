using System.Management.Automation;
using System.Security;
using System.Text;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Creates an SSL-inspection intermediate CA: generates its RSA key (stored encrypted in the vault) and a CSR to have signed as a subordinate CA.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "IntermediateCsr", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = PathSet, HelpUri = HelpLinks.Base + "New-IntermediateCsr.md")]
[OutputType(typeof(IntermediateCertificate))]
public sealed class NewIntermediateCsrCommand : HsmKeyCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Name of the intermediate in the vault (letters, digits, '.', '-', '_').</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [AllowEmptyString]
    public string Name { get; set; } = string.Empty;

    /// <summary>Free-text notes.</summary>
    [Parameter]
    public string? Description { get; set; }

    /// <summary>Zscaler region; Global by default.</summary>
    [Parameter]
    public string Region { get; set; } = IntermediateService.DefaultRegion;

    /// <summary>Enabled (default) or Disabled; counts against the subscription's enabled limit.</summary>
    [Parameter]
    public IntermediateStatus Status { get; set; } = IntermediateStatus.Enabled;

    /// <summary>The CN of the intermediate (mandatory); an imported certificate must carry exactly this CN.</summary>
    [Parameter(Mandatory = true)]
    [AllowEmptyString]
    public string CommonName { get; set; } = string.Empty;

    /// <summary>O.</summary>
    [Parameter]
    public string? Organization { get; set; }

    /// <summary>OU (the seed's "Department Name").</summary>
    [Parameter]
    [Alias("OU", "OrganizationalUnit")]
    public string? Department { get; set; }

    /// <summary>L (town or city).</summary>
    [Parameter]
    [Alias("L", "Locality")]
    public string? City { get; set; }

    /// <summary>ST (province, region, county or state).</summary>
    [Parameter]
    [Alias("ST", "Province")]
    public string? State { get; set; }

    /// <summary>C: two-letter ISO 3166-1 code (validated).</summary>
    [Parameter]
    [Alias("C")]
    public string? Country { get; set; }

    /// <summary>RSA key size: 2048 (default), 3072 or 4096.</summary>
    [Parameter]
    [ValidateSet("2048", "3072", "4096")]
    public int KeySize { get; set; } = 2048;

    /// <summary>Digest of the CSR signature: SHA256 (default), SHA384 or SHA512.</summary>
    [Parameter]
    public SignatureHash SignatureAlgorithm { get; set; } = SignatureHash.Sha256;

    /// <summary>Requested path-length constraint: 0 (default) or 1.</summary>
    [Parameter]
    [ValidateRange(0, 1)]
    public int PathLength { get; set; }

    /// <summary>File to write the CSR to (PEM); the seed's "CSR File Name". Optional: the CSR is also in the output's Csr property.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Alias("CsrPath")]
    public string? Path { get; set; }

    /// <summary>File to write the CSR to, taken literally (no wildcard characters).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    public string? LiteralPath { get; set; }

    /// <summary>File to write the public key to (SubjectPublicKeyInfo PEM); the seed's "Download Public Key".</summary>
    [Parameter]
    public string? PublicKeyPath { get; set; }

    /// <summary>AD CS certificate template (e.g. SubCA), requested in the CSR; default none.</summary>
    [Parameter]
    public string? CertificateTemplate { get; set; }

    /// <summary>Password that encrypts the private key in the vault (Software protection; required then).</summary>
    [Parameter]
    public SecureString? KeyPassword { get; set; }

    /// <summary>Replace existing -Path and -PublicKeyPath files.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void Process()
    {
        var csrFile = ParameterSetName == LiteralPathSet ? LiteralPath : Path;
        var csrPath = string.IsNullOrEmpty(csrFile) ? null : ResolveOutputPath(csrFile);
        var publicKeyPath = string.IsNullOrEmpty(PublicKeyPath) ? null : ResolveOutputPath(PublicKeyPath);
        foreach (var p in new[] { csrPath, publicKeyPath })
        {
            if (p is not null && File.Exists(p) && !Force.IsPresent)
                throw new PkiException(PkiErrorIds.FileExists, PkiErrorCategory.ResourceExists,
                    $"The file '{p}' already exists. Pass -Force to replace it, or choose another path.", p);
        }
        var where = KeyLocation(Vault.Root);
        if (!Confirm(Name, $"Generate an RSA {KeySize} key and a CSR for CN={CommonName} (path length {PathLength}) {where}"))
            return;

        using var password = Reveal(KeyPassword);
        using var pin = Reveal(Pin);
        var request = new NewIntermediateCsrRequest
        {
            Name = Name,
            Description = Description,
            Region = Region,
            Status = Status,
            CommonName = CommonName,
            Organization = Organization,
            Department = Department,
            City = City,
            State = State,
            Country = Country,
            KeySize = KeySize,
            SignatureAlgorithm = SignatureAlgorithm,
            PathLength = PathLength,
            CertificateTemplate = CertificateTemplate,
            CsrPath = csrPath,
            PublicKeyPath = publicKeyPath,
            KeyPassword = password.Memory,
            Protection = Protection,
            Hsm = HsmOptions(pin.Memory),
        };
        const string activity = "New-IntermediateCsr";
        Progress(1, activity, $"Generating RSA {KeySize} key and CSR for '{Name}'", 10);
        var result = new IntermediateService(Vault).CreateCsr(request);
        ProgressDone(1, activity);
        if (csrPath is not null)
        {
            WriteFile(csrPath, Encoding.ASCII.GetBytes(result.Item.Csr), Force.IsPresent);
            Verbose($"Wrote the CSR of '{Name}' to '{csrPath}'.");
        }
        if (publicKeyPath is not null)
        {
            WriteFile(publicKeyPath, Encoding.ASCII.GetBytes(result.Item.PublicKey), Force.IsPresent);
            Verbose($"Wrote the public key of '{Name}' to '{publicKeyPath}'.");
        }
        WriteResult(Deliver(result));
    }
}
