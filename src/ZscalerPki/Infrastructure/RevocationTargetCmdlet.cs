using System.Management.Automation;
using ZscalerPki.Core;
using ZscalerPki.Core.Authority;
using ZscalerPki.Core.Revocation;

namespace ZscalerPki.Infrastructure;

/// <summary>
/// The base of Revoke-Certificate and Restore-Certificate: the issuing vault CA, the certificates named by serial or given
/// as objects, files or pipeline input, one confirmation and one (non-terminating) result per certificate.
/// </summary>
public abstract class RevocationTargetCmdlet : ZscalerPkiCmdlet
{
    /// <summary>The vault CA that issued the certificates: its name, kind/name or subject DN, its object or certificate (also by property name from piped rows of Get-IssuedCertificate).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [IssuerTransformation]
    [ArgumentCompleter(typeof(CaNameCompleter))]
    public IssuerArgument Issuer { get; set; } = null!;

    /// <summary>Serial number(s), hex as Get-IssuedCertificate or openssl shows them.</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(SerialNumberCompleter))]
    public string[]? SerialNumber { get; set; }

    /// <summary>The certificate(s): objects from Get-IssuedCertificate, X509Certificate2, or certificate files (pipeline).</summary>
    [Parameter(ValueFromPipeline = true)]
    public object[]? Certificate { get; set; }

    /// <summary>Write the changed certificate's database row to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>How the certificates are named in the "name the certificate ..." error: "to revoke", "on hold".</summary>
    protected abstract string TargetDescription { get; }

    /// <summary>The ShouldProcess action, e.g. "Revoke (KeyCompromise)".</summary>
    protected abstract string Action { get; }

    /// <summary>Changes one certificate's record through the service.</summary>
    protected abstract PkiResult<IssuedCertificateRecord?> Apply(RevocationService service, RevokeRequest target);

    protected sealed override void Process()
    {
        var targets = RevocationTargets.Resolve(SerialNumber, Certificate, p => ResolveInputPaths(p, literal: false));
        if (targets.Count == 0)
            throw new PkiException(PkiErrorIds.RevocationTargetRequired, PkiErrorCategory.InvalidArgument,
                $"Name the certificate {TargetDescription}: pass -SerialNumber, or -Certificate (a file, an X509Certificate2, or objects from Get-IssuedCertificate).", null);
        var service = new RevocationService(Vault);
        var named = Issuer.VaultIdentity(Vault);
        ForEachInput(targets, target =>
        {
            // A piped row binds -Issuer by property name to its CA's bare name; the row also knows the CA's identity
            // (kind/name), which stays unambiguous when an enrollment CA and an intermediate share the name.
            var issuer = target.IssuerIdentity is { } identity
                && string.Equals(CaDirectory.Parse(identity).Name, CaDirectory.Parse(named).Name, StringComparison.OrdinalIgnoreCase)
                ? identity : named;
            if (!Confirm($"{target.Label} issued by '{issuer}'", Action))
                return;
            var row = Deliver(Apply(service, new RevokeRequest { Issuer = issuer, SerialNumber = target.Serial, Certificate = target.Certificate }));
            if (PassThru.IsPresent && row is not null)
                WriteResult(row);
        });
    }
}
