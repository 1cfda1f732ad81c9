using System.Management.Automation;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;
using ZscalerPki.Core.Validation;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Validates certificate chains with ZscalerPki's own RFC 5280 path validation (optionally the browser WebPki profile).</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "CertificateChain", HelpUri = HelpLinks.Base + "Test-CertificateChain.md")]
[OutputType(typeof(ChainValidationResult))]
[OutputType(typeof(bool))]
public sealed class TestCertificateChainCommand : ZscalerPkiCmdlet
{
    private IReadOnlyList<X509Certificate2> _roots = Array.Empty<X509Certificate2>();
    private IReadOnlyList<X509Certificate2> _intermediates = Array.Empty<X509Certificate2>();
    private IReadOnlyList<byte[]> _crls = Array.Empty<byte[]>();
    private int _tested;
    private bool _trustResolved;
    private string? _trustResolvedFor;

    /// <summary>The certificate to test: X509Certificate2, an object with a Certificate property, a path, PEM text, or a vault name. A bundle's first certificate is the leaf, the rest are intermediates.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Path", "PSPath")]
    public object[] Certificate { get; set; } = Array.Empty<object>();

    /// <summary>Trust anchors: certificates, files, vault names, or a store such as Cert:\LocalMachine\Root.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ArgumentCompleter(typeof(EnrollmentNameCompleter))]
    public object[] TrustedRoot { get; set; } = Array.Empty<object>();

    /// <summary>Untrusted intermediates to build the path from (certificates, files, vault names, stores).</summary>
    [Parameter]
    public object[]? Intermediate { get; set; }

    /// <summary>CRLs (PEM or DER files, or bytes); with CRLs, revocation is checked for every certificate below the anchor.</summary>
    [Parameter]
    public object[]? Crl { get; set; }

    /// <summary>The validation time; default now.</summary>
    [Parameter]
    public DateTime? At { get; set; }

    /// <summary>The host name the leaf must match (SAN dNSName, with the profile's wildcard rules).</summary>
    [Parameter]
    public string? DnsName { get; set; }

    /// <summary>The IP address the leaf must match (SAN iPAddress).</summary>
    [Parameter]
    public string? IPAddress { get; set; }

    [Parameter]
    public ChainPurpose Purpose { get; set; } = ChainPurpose.Any;

    [Parameter]
    public ValidationProfile Profile { get; set; } = ValidationProfile.Rfc5280;

    /// <summary>With -Crl: accept certificates whose revocation status cannot be determined (no CRL, CRL expired). Default: such a chain is invalid.</summary>
    [Parameter]
    public SwitchParameter AllowUnknownRevocation { get; set; }

    /// <summary>Return only $true or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Fetch the CRLs named in each certificate's CRL distribution points (http and https only) and missing issuers named in AIA caIssuers, then check revocation with them.</summary>
    [Parameter]
    public SwitchParameter Online { get; set; }

    protected override void Begin()
    {
        if (IPAddress is not null && !System.Net.IPAddress.TryParse(IPAddress, out _))
            throw new PkiException(PkiErrorIds.InvalidIPAddress, PkiErrorCategory.InvalidArgument,
                $"'{IPAddress}' is not an IPv4 or IPv6 address.", IPAddress);
    }

    /// <summary>
    /// Roots, intermediates and CRLs are resolved with the first certificate, not in Begin: vault names among them are looked
    /// up in the vault of the piped object (its VaultPath binds per record), and again only when that vault changes.
    /// </summary>
    private void ResolveTrustInputs()
    {
        if (_trustResolved && string.Equals(_trustResolvedFor, VaultPath, StringComparison.Ordinal))
            return;
        _roots = ResolveCertificates(TrustedRoot, "-TrustedRoot");
        if (_roots.Count == 0)
            throw new PkiException(PkiErrorIds.NoTrustedRoot, PkiErrorCategory.InvalidArgument,
                "-TrustedRoot resolved to no certificates. Pass the root your users' machines trust (a file, a vault name, or Cert:\\LocalMachine\\Root).", TrustedRoot);
        _intermediates = Intermediate is null ? Array.Empty<X509Certificate2>() : ResolveCertificates(Intermediate, "-Intermediate");
        _crls = Crl is null ? Array.Empty<byte[]>() : Crl.SelectMany(ResolveCrl).ToList();
        _trustResolved = true;
        _trustResolvedFor = VaultPath;
    }

    protected override void Process()
    {
        try
        {
            ResolveTrustInputs();
        }
        catch (Exception ex) when (Translate(ex) is not null)
        {
            // Without its roots no certificate can be tested: one terminating error, not one per certificate.
            Terminate(ex);
        }
        ForEachInput(Certificate, item =>
        {
            var certs = ResolveCertificates(new[] { item }, "-Certificate");
            var request = new ChainValidationRequest
            {
                Certificate = certs[0],
                TrustedRoots = _roots,
                Intermediates = certs.Count > 1 ? certs.Skip(1).Concat(_intermediates).ToList() : _intermediates,
                Crls = _crls,
                At = ToInstant(At),
                DnsName = DnsName,
                IPAddress = IPAddress is null ? null : System.Net.IPAddress.Parse(IPAddress),
                Purpose = Purpose,
                Profile = Profile,
                RevocationMode = _crls.Count > 0 ? RevocationMode.Check : RevocationMode.None,
                UnknownRevocationIsFailure = !AllowUnknownRevocation.IsPresent,
            };
            IReadOnlyList<ChainProblem> fetchProblems = Array.Empty<ChainProblem>();
            if (Online.IsPresent)
            {
                // Fetch the CRLs of each certificate's CDPs and the issuers named in AIA, then validate with them.
                var online = Core.Revocation.OnlineRevocation.Session.Augment(request);
                foreach (var url in online.FetchedUrls)
                    Verbose($"Fetched {url}");
                request = online.Request;
                fetchProblems = online.Problems;
            }
            var result = ChainValidator.Validate(request);
            if (fetchProblems.Count > 0)
                result = result with { Problems = result.Problems.Concat(fetchProblems).ToList() };
            _tested++;
            if (_tested > 1 && _tested % 25 == 0)
                Progress(2, "Test-CertificateChain", $"Tested {_tested} certificates", -1);
            if (Quiet.IsPresent)
            {
                WriteResult(result.IsValid);
                return;
            }
            foreach (var p in result.Problems)
                Verbose($"{certs[0].Subject}: {p}");
            WriteResult(result);
        },
        onError: _ =>
        {
            // -Quiet answers every input: one that cannot be read is not a valid chain.
            if (Quiet.IsPresent)
                WriteResult(false);
        });
    }

    protected override void End()
    {
        if (_tested >= 25)
            ProgressDone(2, "Test-CertificateChain");
    }

    /// <summary>
    /// Certificates from objects; a string is PEM text, a Cert:\ store path, an existing file, or the name of an
    /// enrollment CA in the vault, in that order.
    /// </summary>
    private IReadOnlyList<X509Certificate2> ResolveCertificates(IEnumerable<object> values, string parameter)
    {
        var result = new List<X509Certificate2>();
        foreach (var raw in values)
        {
            var value = CertificateInput.Unwrap(raw);
            if (value is string s && !s.Contains("-----BEGIN", StringComparison.Ordinal) && !CertStoreLocation.LooksLikeStorePath(s)
                && !File.Exists(ResolveOutputPath(s)) && VaultNames.Problem(s) is null)
            {
                result.AddRange(FromVault(s, parameter));
                continue;
            }
            result.AddRange(CertificateInput.Resolve(value, p => ResolveInputPaths(p, literal: false)));
        }
        return result;
    }

    /// <summary>An enrollment CA, or a ready SSL-inspection intermediate (with its imported chain), by vault name.</summary>
    private IReadOnlyList<X509Certificate2> FromVault(string name, string parameter)
    {
        if (Vault.FindName(Collections.Enrollment, name) is { } enrollment)
            return new[] { new EnrollmentService(Vault).GetOne(enrollment).Certificate };
        if (Vault.FindName(Collections.Intermediate, name) is { } intermediate)
            return CertificateInput.Resolve(new IntermediateService(Vault).GetOne(intermediate), _ => Array.Empty<string>());
        throw new PkiException(PkiErrorIds.CertificateSourceNotFound, PkiErrorCategory.ObjectNotFound,
            $"{parameter} '{name}' is not a file, a certificate store (Cert:\\LocalMachine\\Root), or a certificate in the vault '{Vault.Root}'.", name);
    }

    private IEnumerable<byte[]> ResolveCrl(object raw)
    {
        var value = CertificateInput.Unwrap(raw);
        return value switch
        {
            byte[] bytes => ValidationInput.ReadCrls(bytes, "a CRL"),
            FileInfo f => ValidationInput.ReadCrlFile(f.FullName),
            string s => ResolveInputPaths(s, literal: false).SelectMany(ValidationInput.ReadCrlFile),
            _ => throw new PkiException(PkiErrorIds.UnsupportedCrlInput, PkiErrorCategory.InvalidArgument,
                $"-Crl takes CRL files (PEM or DER) or bytes, not a {value?.GetType().Name ?? "null"}.", value),
        };
    }
}
