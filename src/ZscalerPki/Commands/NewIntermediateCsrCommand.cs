using System.Management.Automation;
using System.Security;
using System.Text;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Hsm;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Creates an SSL-inspection intermediate CA: generates its RSA key (stored encrypted in the vault) and a CSR to have signed as a subordinate CA.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "IntermediateCsr", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Base + "New-IntermediateCsr.md")]
[OutputType(typeof(IntermediateCertificate))]
public sealed class NewIntermediateCsrCommand : HsmKeyCmdlet
{
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

    /// <summary>The key: Rsa2048 (default), Rsa3072 or Rsa4096 (Zscaler takes RSA intermediates); the old -KeySize 2048/3072/4096 maps to these.</summary>
    [Parameter]
    [Alias("KeySize")]
    [KeySizeTransformation]
    public KeyAlgorithm KeyAlgorithm { get; set; } = KeyAlgorithm.Rsa2048;

    /// <summary>Digest of the CSR signature: SHA256 (default), SHA384 or SHA512.</summary>
    [Parameter]
    [Alias("SignatureAlgorithm")]
    public SignatureHash HashAlgorithm { get; set; } = SignatureHash.Sha256;

    /// <summary>Requested path-length constraint: 0 (default) or 1.</summary>
    [Parameter]
    [ValidateRange(0, 1)]
    public int PathLength { get; set; }

    /// <summary>File to write the CSR to (PEM), taken literally; the seed's "CSR File Name". Optional: the CSR is also in the output's Csr property.</summary>
    [Parameter]
    [Alias("Path", "CsrPath", "LiteralPath")]
    public string? OutFile { get; set; }

    /// <summary>File to write the public key to (SubjectPublicKeyInfo PEM), taken literally; the seed's "Download Public Key".</summary>
    [Parameter]
    [Alias("PublicKeyPath")]
    public string? PublicKeyOutFile { get; set; }

    /// <summary>AD CS certificate template (e.g. SubCA), requested in the CSR; default none.</summary>
    [Parameter]
    public string? CertificateTemplate { get; set; }

    /// <summary>Replace existing -OutFile and -PublicKeyOutFile files.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override bool CreatesVault => true;

    protected override void Process()
    {
        var keySize = KeyAlgorithm switch
        {
            KeyAlgorithm.Rsa2048 => 2048,
            KeyAlgorithm.Rsa3072 => 3072,
            KeyAlgorithm.Rsa4096 => 4096,
            _ => throw new PkiException(PkiErrorIds.InvalidKeySize, PkiErrorCategory.InvalidArgument,
                $"-KeyAlgorithm {KeyAlgorithm}: Zscaler's SSL-inspection intermediate CA is RSA. Pass -KeyAlgorithm Rsa2048, Rsa3072 or Rsa4096.", KeyAlgorithm),
        };
        var csrPath = string.IsNullOrEmpty(OutFile) ? null : ResolveOutputPath(OutFile);
        var publicKeyPath = string.IsNullOrEmpty(PublicKeyOutFile) ? null : ResolveOutputPath(PublicKeyOutFile);
        foreach (var p in new[] { csrPath, publicKeyPath })
        {
            if (p is not null && File.Exists(p) && !Force.IsPresent)
                throw new PkiException(PkiErrorIds.FileExists, PkiErrorCategory.ResourceExists,
                    $"The file '{p}' already exists. Pass -Force to replace it, or choose another path.", p);
        }
        var where = KeyLocation(Vault.Root);
        if (!Confirm(Name, $"Generate an RSA {keySize} key and a CSR for CN={CommonName} (path length {PathLength}) {where}"))
            return;

        var secret = NewKeySecret(Name);
        var software = Protection == KeyProtectionType.Software;
        using var password = Reveal(software ? secret : null);
        using var pin = Reveal(software ? null : secret);
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
            KeySize = keySize,
            SignatureAlgorithm = HashAlgorithm,
            PathLength = PathLength,
            CertificateTemplate = CertificateTemplate,
            CsrPath = csrPath,
            PublicKeyPath = publicKeyPath,
            KeyPassword = password.Memory,
            Protection = Protection,
            Hsm = HsmOptions(pin.Memory),
        };
        const string activity = "New-IntermediateCsr";
        request = request with { OnKeyGeneration = () => Progress(1, activity, $"Generating RSA {keySize} key {(software ? string.Empty : "in the HSM ")}and CSR for '{Name}'", 10) };
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
