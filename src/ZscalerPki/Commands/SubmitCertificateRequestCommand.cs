using System.Management.Automation;
using System.Security;
using System.Text;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Signs a CSR as a subordinate CA: with a CA in the vault (-Issuer) or, on Windows, with AD CS through certreq.exe (-ConfigString).</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Submit, "CertificateRequest", SupportsShouldProcess = true, DefaultParameterSetName = PathSet, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Base + "Submit-CertificateRequest.md")]
[OutputType(typeof(IssuedCertificate))]
public sealed class SubmitCertificateRequestCommand : ZscalerPkiCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string CsrSet = "Csr";

    /// <summary>CSR file(s); wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string Path { get; set; } = string.Empty;

    /// <summary>CSR file, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    public string LiteralPath { get; set; } = string.Empty;

    /// <summary>The CSR itself: PEM text, base64 string, DER bytes or a FileInfo; from the pipeline or the Csr property of New-IntermediateCsr's output.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CsrSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public object Csr { get; set; } = null!;

    /// <summary>The vault CA that signs the CSR: its name or kind/name, its object from Get-EnrollmentCertificate, or its certificate.</summary>
    [Parameter]
    [IssuerTransformation]
    [ArgumentCompleter(typeof(CaNameCompleter))]
    public IssuerArgument? Issuer { get; set; }

    /// <summary>Opens the key of the -Issuer CA in the vault (its key password, or its HSM's PIN); prompted for when missing.</summary>
    [Parameter]
    public SecureString? IssuerKeyPassword { get; set; }

    /// <summary>Validity of the issued certificate in days (vault CA); default 1825, never beyond the issuer.</summary>
    [Parameter]
    [ValidateRange(1, 36500)]
    public int ValidityDays { get; set; } = EnrollmentService.DefaultIntermediateValidityDays;

    /// <summary>Digest of the signature (vault CA); by default the one matched to the CA's key (SHA384 for P-384, SHA512 for P-521, else SHA256).</summary>
    [Parameter]
    public SignatureHash? HashAlgorithm { get; set; }

    /// <summary>CRL distribution point URI(s) of the issuer, written into the certificate (vault CA).</summary>
    [Parameter]
    [Alias("Cdp")]
    public string[]? CrlDistributionPoint { get; set; }

    /// <summary>AD CS CA as 'HOST\CA Name' (Windows only; runs certreq.exe -submit).</summary>
    [Parameter]
    public string? ConfigString { get; set; }

    /// <summary>AD CS certificate template; default SubCA.</summary>
    [Parameter]
    public string Template { get; set; } = "SubCA";

    /// <summary>Also write the issued certificate to this file (PEM), taken literally.</summary>
    [Parameter]
    public string? OutFile { get; set; }

    /// <summary>Also write the issuer chain (leaf's issuer first, up to the root) to this file (PEM).</summary>
    [Parameter]
    public string? ChainOutFile { get; set; }

    /// <summary>Replace existing -OutFile and -ChainOutFile files.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private SecureString? _issuerKeyPassword;

    protected override void Begin()
    {
        var hasIssuer = Issuer is not null && !string.IsNullOrWhiteSpace(Issuer.ToString());
        if (!hasIssuer)
            Issuer = null;
        if (hasIssuer == !string.IsNullOrEmpty(ConfigString))
            throw new PkiException(!hasIssuer ? PkiErrorIds.SignerRequired : PkiErrorIds.SignerConflict, PkiErrorCategory.InvalidArgument,
                "Pass exactly one signer: -Issuer <vault CA name> (with -IssuerKeyPassword) or -ConfigString 'HOST\\CA Name' (AD CS on Windows).", (object?)Issuer ?? ConfigString);
        if (!string.IsNullOrEmpty(ConfigString))
        {
            CertReqArguments.ValidateConfigString(ConfigString);
            CertReqArguments.RequireWindows();
        }
    }

    protected override void Process()
    {
        // Each file is read inside its own step, so one unreadable CSR among several is one error and the rest are signed.
        ForEachInput(ReadInputs(), read =>
        {
            var (csr, source) = read();
            Sign(csr, source);
        });
    }

    private void Sign(CsrInfo csr, string source)
    {
        var issuerIdentity = Issuer?.VaultIdentity(Vault);
        var signer = issuerIdentity ?? ConfigString!;
        var outFile = string.IsNullOrEmpty(OutFile) ? null : ResolveOutputPath(OutFile);
        var chainFile = string.IsNullOrEmpty(ChainOutFile) ? null : ResolveOutputPath(ChainOutFile);
        foreach (var p in new[] { outFile, chainFile })
        {
            if (p is not null && File.Exists(p) && !Force.IsPresent)
                throw new PkiException(PkiErrorIds.FileExists, PkiErrorCategory.ResourceExists, $"The file '{p}' already exists. Pass -Force to replace it, or choose another path.", p);
        }
        if (!Confirm(csr.Subject.Name, $"Sign the CSR from {source} as a subordinate CA with {(issuerIdentity is not null ? $"vault CA '{issuerIdentity}'" : $"AD CS '{ConfigString}' (template {Template})")}"))
            return;

        IssuedCertificate issued;
        if (issuerIdentity is not null)
        {
            // Asked for once, after -WhatIf and confirmation, when it was not given.
            _issuerKeyPassword ??= RequireSecret(IssuerKeyPassword, nameof(IssuerKeyPassword), $"The key password (or HSM PIN) of '{issuerIdentity}'", issuerIdentity);
            using var password = Reveal(_issuerKeyPassword);
            var result = new CsrSigningService(Vault).SignWithVaultCa(new SignWithVaultCaRequest
            {
                Csr = csr,
                Issuer = issuerIdentity,
                IssuerKeyPassword = password.Memory,
                ValidityDays = ValidityDays,
                HashAlgorithm = HashAlgorithm,
                CrlDistributionPoints = CrlDistributionPoint ?? Array.Empty<string>(),
            });
            issued = Deliver(result);
        }
        else
        {
            Verbose($"Running certreq.exe {string.Join(' ', CertReqArguments.BuildSubmitArguments(ConfigString!, Template, "request.csr", "certificate.cer", "chain.p7b"))}");
            Progress(3, "Submit-CertificateRequest", $"Waiting for AD CS '{ConfigString}' (certreq.exe)", -1);
            issued = new AdcsClient().Submit(csr, ConfigString!, Template);
            ProgressDone(3, "Submit-CertificateRequest");
        }

        if (outFile is not null)
        {
            WriteFile(outFile, Encoding.ASCII.GetBytes(issued.Pem), Force.IsPresent);
            issued.Path = outFile;
        }
        if (chainFile is not null)
        {
            if (issued.Chain.Length == 0)
                Warn($"{signer} returned no chain, so '{chainFile}' was not written.");
            else
            {
                WriteFile(chainFile, Encoding.ASCII.GetBytes(string.Concat(issued.Chain.Select(CertificateReader.ToPem))), Force.IsPresent);
                issued.ChainPath = chainFile;
            }
        }
        WriteResult(issued);
    }

    private IReadOnlyList<Func<(CsrInfo Csr, string Source)>> ReadInputs()
    {
        if (ParameterSetName is PathSet or LiteralPathSet)
        {
            var literal = ParameterSetName == LiteralPathSet;
            var paths = ResolveInputPaths(literal ? LiteralPath : Path, literal);
            return paths.Select(p => (Func<(CsrInfo, string)>)(() => (IntermediateCsr.ReadFile(p), $"'{p}'"))).ToList();
        }
        var value = CertificateInput.Unwrap(Csr);
        return new Func<(CsrInfo, string)>[] { () => ReadValue(value) };
    }

    private (CsrInfo Csr, string Source) ReadValue(object? value)
    {
        return value switch
        {
            byte[] bytes => (IntermediateCsr.Read(bytes, "the -Csr bytes"), "the -Csr bytes"),
            FileInfo file => (IntermediateCsr.ReadFile(file.FullName), $"'{file.FullName}'"),
            string text => (IntermediateCsr.Read(Encoding.UTF8.GetBytes(text), "the -Csr text"), "the -Csr text"),
            // Piped whole (binding by value to an object parameter comes before binding by property name).
            IntermediateCertificate item => (IntermediateCsr.Read(Encoding.ASCII.GetBytes(item.Csr), $"the CSR of '{item.Name}'"), $"the CSR of '{item.Name}'"),
            // A tenant entry whose CSR Zscaler generated (New-ZiaIntermediateCertificate, New-ZpaEnrollmentCertificate -Csr).
            Core.Tenant.ZiaIntermediateCertificate { Csr: { } ziaCsr } zia => (IntermediateCsr.Read(Encoding.ASCII.GetBytes(ziaCsr), $"the CSR of '{zia.Name}' from {zia.Tenant}"), $"the CSR of '{zia.Name}' from {zia.Tenant}"),
            Core.Tenant.ZpaEnrollmentCertificate { Csr: { } zpaCsr } zpa => (IntermediateCsr.Read(Encoding.ASCII.GetBytes(zpaCsr), $"the CSR of '{zpa.Name}' from {zpa.Tenant}"), $"the CSR of '{zpa.Name}' from {zpa.Tenant}"),
            null => throw new PkiException(PkiErrorIds.CsrEmpty, PkiErrorCategory.InvalidArgument, "-Csr is empty. Pass the CSR as PEM text, base64, bytes or a file.", null),
            _ => throw new PkiException(PkiErrorIds.InvalidCsr, PkiErrorCategory.InvalidArgument,
                $"-Csr takes PEM text, a base64 string, DER bytes or a FileInfo, not a {value.GetType().Name}.", value),
        };
    }
}
