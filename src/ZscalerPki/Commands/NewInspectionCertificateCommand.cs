using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Forges the server certificate an SSL-inspecting proxy presents for a site: the origin's subject and names, signed by your intermediate (or a rotating issuing CA below it), cached per site.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "InspectionCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = CertificateSet, HelpUri = HelpLinks.Base + "New-InspectionCertificate.md")]
[OutputType(typeof(InspectionCertificate))]
public sealed class NewInspectionCertificateCommand : ZscalerPkiCmdlet, IDisposable
{
    private const string CertificateSet = "Certificate";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string NameSet = "Name";

    /// <summary>Origin certificates: X509Certificate2 (e.g. captured from the site), file paths, PEM text, Cert:\ paths.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = CertificateSet)]
    [Alias("OriginCertificate")]
    public object[] Certificate { get; set; } = Array.Empty<object>();

    /// <summary>Origin certificate files (PEM, DER, P7B); wildcards allowed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Origin certificate files, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>Site DNS names (wildcards as *.example.com) for a site without a captured certificate.</summary>
    [Parameter(ParameterSetName = NameSet)]
    [AllowEmptyCollection]
    public string[]? DnsName { get; set; }

    /// <summary>Site IP addresses (IPv4, IPv6).</summary>
    [Parameter(ParameterSetName = NameSet)]
    [AllowEmptyCollection]
    public string[]? IPAddress { get; set; }

    /// <summary>The signing CA: a vault name (SSL-inspection intermediate, else enrollment CA), one of our objects, or an X509Certificate2 with its key. Default: the vault's default intermediate.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(IntermediateNameCompleter))]
    public object? Issuer { get; set; }

    /// <summary>Opens the issuer's key in the vault.</summary>
    [Parameter]
    [Alias("KeyPassword")]
    public SecureString? IssuerKeyPassword { get; set; }

    [Parameter]
    public InspectionKeyAlgorithm KeyAlgorithm { get; set; } = InspectionKeyAlgorithm.EcdsaP256;

    /// <summary>Share one leaf key across all sites of the issuer (as mitmproxy, Squid and Fiddler do) instead of a key per site.</summary>
    [Parameter]
    public SwitchParameter KeyReuse { get; set; }

    /// <summary>Sign with a short-lived issuing CA "(t)" below the issuer, re-issued every -RotationPeriod.</summary>
    [Parameter]
    public SwitchParameter RotatingIssuer { get; set; }

    [Parameter]
    public TimeSpan RotationPeriod { get; set; } = RotatingIssuerService.DefaultPeriod;

    /// <summary>Longest validity of a forged certificate, in days; default the browsers' limit on the day (CA/Browser Forum SC-081: 199 from 2026-03-15, 99 from 2027-03-15, 46 from 2029-03-15).</summary>
    [Parameter]
    [ValidateRange(1, 3650)]
    public int? MaxValidityDays { get; set; }

    /// <summary>Forge anew even when the cache holds a good certificate for the site.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Return the certificate joined with its private key (for a TLS server, or Export-InspectionCertificate -IncludePrivateKey).</summary>
    [Parameter]
    public SwitchParameter IncludePrivateKey { get; set; }

    protected override void Process()
    {
        var sites = new List<SiteProfile>();
        if (ParameterSetName == NameSet)
        {
            sites.Add(SiteProfile.FromNames(DnsName, IPAddress));
        }
        else
        {
            // The origin certificates: objects (CertificateSet) or files (-Path with wildcards, -LiteralPath as is).
            var origins = new List<X509Certificate2>();
            if (ParameterSetName == CertificateSet)
            {
                ForEachInput(Certificate, item => origins.AddRange(CertificateInput.Resolve(item, p => ResolveInputPaths(p, literal: false))), DeliverBeforeError);
            }
            else
            {
                var literal = ParameterSetName == LiteralPathSet;
                ForEachInput(literal ? LiteralPath : Path, p => origins.AddRange(ResolveInputPaths(p, literal).SelectMany(CertificateReader.ReadFile)), DeliverBeforeError);
            }
            ForEachInput(origins, origin => sites.Add(SiteProfile.FromOrigin(origin)), DeliverBeforeError);
        }

        var (issuerName, issuerCert) = ResolveIssuer(Issuer);
        // Revealed once for the whole pipeline (the batch below outlives this record) and zeroed in End or Dispose.
        _password ??= Reveal(IssuerKeyPassword);
        var password = _password;
        var service = ServiceFor(Vault);
        ForEachInput(sites, site =>
        {
            if (!Confirm(site.DisplayName, $"Forge a server certificate ({KeyAlgorithm}{(KeyReuse.IsPresent ? ", shared key" : string.Empty)}) signed by {(issuerName ?? issuerCert?.Subject ?? "the default SSL-inspection intermediate")}{(RotatingIssuer.IsPresent ? " through its rotating issuing CA" : string.Empty)}"))
                return;
            _batch.Add(new ForgeRequest
            {
                Site = site,
                Issuer = issuerName,
                IssuerCertificate = issuerCert,
                IssuerKeyPassword = password.Memory,
                KeyAlgorithm = KeyAlgorithm,
                KeyReuse = KeyReuse.IsPresent,
                RotatingIssuer = RotatingIssuer.IsPresent,
                RotationPeriod = RotationPeriod,
                MaxValidity = MaxValidityDays is { } days ? TimeSpan.FromDays(days) : null,
                Force = Force.IsPresent,
                IncludePrivateKey = IncludePrivateKey.IsPresent,
            });
        });
        if (_batch.Count >= BatchSize)
            ForgeBatch();
    }

    /// <summary>
    /// Sites waiting to be forged. New certificates are recorded in the issuer's database together, one transaction per
    /// batch (group commit), and none is written to the pipeline before its record is durable; a batch goes at
    /// <see cref="BatchSize"/> sites and at the end of the input, so a single site is forged and returned at once.
    /// </summary>
    private readonly List<ForgeRequest> _batch = new();

    private const int BatchSize = 256;

    /// <summary>
    /// Before an input's error is written, the sites before it are forged and written: output and errors keep the input's
    /// order, and with -ErrorAction Stop everything before the bad input has been delivered.
    /// </summary>
    private void DeliverBeforeError<T>(T _) => ForgeBatch();

    private void ForgeBatch()
    {
        if (_batch.Count == 0 || _service is null)
            return;
        var outcomes = _service.ForgeMany(_batch);
        _batch.Clear();
        foreach (var outcome in outcomes)
        {
            if (outcome.Result is { } result)
                WriteResult(Deliver(result));
            else if (Translate(outcome.Error!) is { } error)
                ReportError(error);
            else
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(outcome.Error!).Throw();
        }
    }

    private InspectionService? _service;

    /// <summary>One service per vault: new cache entries are written in batches, and at the end.</summary>
    private InspectionService ServiceFor(Core.Storage.Vault vault)
    {
        if (_service is null || _service.Vault.Root != vault.Root)
        {
            ForgeBatch();
            _service?.Flush();
            _service = new InspectionService(vault, ModuleState.Forging) { DeferPersistence = true };
        }
        return _service;
    }

    protected override void End()
    {
        try
        {
            ForgeBatch();
            _service?.Flush();
        }
        finally
        {
            Dispose();
        }
    }

    private RevealedSecret? _password;

    /// <summary>Zeroes the revealed issuer password (PowerShell calls this also when the pipeline stops early).</summary>
    public void Dispose()
    {
        _password?.Dispose();
        _password = null;
    }


    private static (string? Name, X509Certificate2? Certificate) ResolveIssuer(object? value)
    {
        value = CertificateInput.Unwrap(value);
        return value switch
        {
            null => (null, null),
            string s when string.IsNullOrWhiteSpace(s) => (null, null),
            string s => (s.Trim(), null),
            IntermediateCertificate or EnrollmentCertificate => (IssuerInput.Name(value), null),
            X509Certificate2 c => (null, c),
            _ => throw new PkiException(PkiErrorIds.InvalidParent, PkiErrorCategory.InvalidArgument,
                $"-Issuer takes a vault name, an intermediate or enrollment certificate, or an X509Certificate2 with its private key, not a {value.GetType().Name}.", value),
        };
    }
}
