using System.Management.Automation;
using System.Text;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>Key protection of a tenant intermediate: Zscaler's software keystore or its cloud HSM.</summary>
public enum ZiaKeyProtection
{
    Software,
    Hsm,
}

/// <summary>
/// <para type="synopsis">Creates a custom intermediate CA certificate in the ZIA tenant and takes it to its CSR: key pair (made and kept by Zscaler), CSR with the given subject; continues an entry that stopped half way.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "ZiaIntermediateCertificate", SupportsShouldProcess = true, DefaultParameterSetName = PathSet, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Base + "New-ZiaIntermediateCertificate.md")]
[OutputType(typeof(ZiaIntermediateCertificate))]
public sealed class NewZiaIntermediateCertificateCommand : TenantCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>The entry's name in the tenant; an existing half-done entry with this name is continued.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>A description for the entry.</summary>
    [Parameter]
    public string? Description { get; set; }

    /// <summary>Software (Zscaler's keystore, default) or Hsm (Zscaler's cloud HSM; adds public-key download and key attestation).</summary>
    [Parameter]
    public ZiaKeyProtection ProtectionType { get; set; } = ZiaKeyProtection.Software;

    /// <summary>Where the HSM keys are: GLOBAL (default), ASIA, EUROPE, US.</summary>
    [Parameter]
    [ValidateSet("GLOBAL", "ASIA", "EUROPE", "US")]
    public string? Region { get; set; }

    /// <summary>The CSR's common name (CN).</summary>
    [Parameter]
    public string? CommonName { get; set; }

    /// <summary>The CSR's organization (O).</summary>
    [Parameter]
    public string? Organization { get; set; }

    /// <summary>The CSR's department (OU).</summary>
    [Parameter]
    public string? Department { get; set; }

    /// <summary>The CSR's city (L).</summary>
    [Parameter]
    public string? City { get; set; }

    /// <summary>The CSR's state or province (ST).</summary>
    [Parameter]
    public string? State { get; set; }

    /// <summary>The CSR's two-letter country code (C).</summary>
    [Parameter]
    [ValidatePattern("^[A-Za-z]{2}$")]
    public string? Country { get; set; }

    /// <summary>RSA key size: 2048 (default) or 4096.</summary>
    [Parameter]
    [ValidateSet("2048", "4096")]
    public int KeySize { get; set; } = 2048;

    /// <summary>The CSR's signature hash: SHA256 (default), SHA384, SHA512.</summary>
    [Parameter]
    [ValidateSet("SHA256", "SHA384", "SHA512")]
    public string SignatureAlgorithm { get; set; } = "SHA256";

    /// <summary>The path length the CSR requests: 0 (default) or 1 (1 allows an issuing CA below it).</summary>
    [Parameter]
    [ValidateRange(0, 1)]
    public int PathLength { get; set; }

    /// <summary>Also write the CSR to this file (PEM).</summary>
    [Parameter(ParameterSetName = PathSet)]
    public string? Path { get; set; }

    /// <summary>Also write the CSR to this file (PEM), the path taken literally.</summary>
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Alias("PSPath")]
    public string? LiteralPath { get; set; }

    /// <summary>Replace the CSR file if it exists.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Activate the ZIA configuration afterwards (POST /status/activate).</summary>
    [Parameter]
    public SwitchParameter Activate { get; set; }

    protected override void Process()
    {
        var file = Path ?? LiteralPath;
        var target = file is null ? null : ResolveOutputPath(file);
        if (target is not null && File.Exists(target) && !Force.IsPresent)
            throw new Core.PkiException(Core.PkiErrorIds.FileExists, Core.PkiErrorCategory.ResourceExists, $"The file '{target}' already exists. Pass -Force to replace it, or choose another path.", target);
        var zia = new ZiaIntermediateService(Session, Observer, Cancellation);
        var outcome = zia.NewCsr(new ZiaCsrRequest
        {
            Name = Name,
            Description = Description,
            Type = ProtectionType == ZiaKeyProtection.Hsm ? "CUSTOM_HSM" : "CUSTOM_SW",
            Region = Region,
            CommonName = CommonName,
            Organization = Organization,
            Department = Department,
            City = City,
            State = State,
            Country = Country?.ToUpperInvariant(),
            KeySize = KeySize,
            SignatureAlgorithm = SignatureAlgorithm,
            PathLength = PathLength,
        }, Gate, Activate.IsPresent);
        WriteWarnings(outcome.Warnings);
        if (outcome.Item is not { } entry)
            return;
        if (!outcome.Sent)
        {
            // Declined (-WhatIf, -Confirm): nothing to show; already past its CSR: the entry as it is, with the warning.
            if (outcome.Warnings.Count > 0)
                WriteResult(entry);
            return;
        }
        if (target is not null && entry.Csr is not null)
            WriteFile(target, Encoding.ASCII.GetBytes(entry.Csr), Force.IsPresent);
        WriteResult(entry);
    }
}
