using System.Management.Automation;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Commands;

/// <summary>
/// <para type="synopsis">Signs in to a Zscaler tenant (OneAPI, or the legacy ZIA/ZPA APIs) and makes the session the default for the tenant commands.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "ZscalerTenant", SupportsShouldProcess = true, DefaultParameterSetName = SecretSet, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Base + "Connect-ZscalerTenant.md")]
[OutputType(typeof(TenantSession))]
public sealed class ConnectZscalerTenantCommand : ZscalerPkiCmdlet
{
    private const string SecretSet = "OneApiSecret";
    private const string CertificateSet = "OneApiCertificate";
    private const string LegacyZiaSet = "LegacyZia";
    private const string LegacyZpaSet = "LegacyZpa";

    /// <summary>OneAPI: the ZIdentity vanity domain (the name before .zslogin.net).</summary>
    [Parameter(ParameterSetName = SecretSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    public string? VanityDomain { get; set; }

    /// <summary>The API client's id (OneAPI: ZIdentity API client; legacy ZPA: the API key's client id).</summary>
    [Parameter(Mandatory = true, ParameterSetName = SecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [Parameter(Mandatory = true, ParameterSetName = LegacyZpaSet)]
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The client secret (OneAPI or legacy ZPA).</summary>
    [Parameter(Mandatory = true, ParameterSetName = SecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = LegacyZpaSet)]
    public SecureString ClientSecret { get; set; } = null!;

    /// <summary>OneAPI private-key JWT: an X509Certificate2 with its RSA private key, or the path of a PEM file with the unencrypted RSA private key.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    public object ClientCertificate { get; set; } = null!;

    /// <summary>Legacy ZIA: the API key.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LegacyZiaSet)]
    public SecureString ApiKey { get; set; } = null!;

    /// <summary>Legacy ZIA: the admin's user name and password.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LegacyZiaSet)]
    [Credential]
    public PSCredential Credential { get; set; } = null!;

    /// <summary>Legacy ZPA: sign in with /signin instead of OneAPI.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LegacyZpaSet)]
    public SwitchParameter LegacyZpa { get; set; }

    /// <summary>The Zscaler cloud: PRODUCTION (default), BETA, …; legacy ZIA: zscaler, zscalertwo, ….</summary>
    [Parameter]
    public string? Cloud { get; set; }

    /// <summary>The API's base address instead of the cloud's (another cloud, an emulator); http:// only for localhost.</summary>
    [Parameter]
    public Uri? BaseUri { get; set; }

    /// <summary>OneAPI: the token endpoint, when it is not derived from -VanityDomain (default with -BaseUri: BaseUri/oauth2/v1/token).</summary>
    [Parameter(ParameterSetName = SecretSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    public Uri? TokenUri { get; set; }

    /// <summary>The ZPA customer id (needed for the Zpa* commands).</summary>
    [Parameter(ParameterSetName = SecretSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    [Parameter(Mandatory = true, ParameterSetName = LegacyZpaSet)]
    public string? CustomerId { get; set; }

    /// <summary>A ZPA microtenant id sent with every ZPA call.</summary>
    [Parameter(ParameterSetName = SecretSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    [Parameter(ParameterSetName = LegacyZpaSet)]
    public string? MicrotenantId { get; set; }

    /// <summary>Longest total wait for one call (429 Retry-After, retry backoff), in seconds; default 300.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int MaxWait { get; set; } = 300;

    /// <summary>Longest one HTTP request may take, in seconds; default 100.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 100;

    /// <summary>Seconds before the first retry of a 409 edit lock or 5xx (doubled per retry); default 2.</summary>
    [Parameter]
    [ValidateRange(0, 60)]
    public double RetryDelaySec { get; set; } = 2;

    protected override void Process()
    {
        var method = ParameterSetName switch
        {
            CertificateSet => TenantAuthMethod.OneApiPrivateKeyJwt,
            LegacyZiaSet => TenantAuthMethod.LegacyZia,
            LegacyZpaSet => TenantAuthMethod.LegacyZpa,
            _ => TenantAuthMethod.OneApiClientSecret,
        };
        var target = BaseUri?.ToString() ?? (method == TenantAuthMethod.LegacyZia ? $"ZIA cloud {Cloud}" : VanityDomain ?? Cloud ?? "PRODUCTION");
        if (!Confirm(target, $"Sign in to Zscaler ({method})"))
            return;
        using var secret = Reveal(ClientSecret);
        using var apiKey = Reveal(ApiKey);
        using var password = Reveal(Credential?.Password);
        var request = new TenantConnectRequest
        {
            Method = method,
            VanityDomain = VanityDomain,
            ClientId = method == TenantAuthMethod.LegacyZia ? null : ClientId,
            ClientSecret = ClientSecret is null ? null : new TenantSecret(secret.Memory.Span),
            ClientKey = method == TenantAuthMethod.OneApiPrivateKeyJwt ? ReadKey(ClientCertificate) : null,
            ApiKey = ApiKey is null ? null : new TenantSecret(apiKey.Memory.Span),
            Username = Credential?.UserName,
            Password = Credential is null ? null : new TenantSecret(password.Memory.Span),
            Cloud = Cloud,
            BaseUri = BaseUri,
            TokenUri = TokenUri,
            CustomerId = CustomerId,
            MicrotenantId = MicrotenantId,
            MaxWait = TimeSpan.FromSeconds(MaxWait),
            Timeout = TimeSpan.FromSeconds(TimeoutSec),
            RetryDelay = TimeSpan.FromSeconds(RetryDelaySec),
        };
        var observer = new TenantObserver { Debug = WriteDebug, Verbose = WriteVerbose };
        var session = TenantSession.Connect(request, observer);
        TenantRegistry.Default = session;
        WriteVerbose($"Connected to {session.Tenant}; this session is now the default for the tenant commands.");
        WriteResult(session);
    }

    private RSA ReadKey(object value)
    {
        var unwrapped = value is PSObject ps ? ps.BaseObject : value;
        switch (unwrapped)
        {
            case X509Certificate2 cert:
                return cert.GetRSAPrivateKey() ?? throw new PkiException(PkiErrorIds.TenantConnectionInvalid, PkiErrorCategory.InvalidArgument,
                    $"-ClientCertificate {cert.Subject} has no RSA private key with it; the OneAPI client assertion is signed RS256 with that key. Pass the certificate with its key (e.g. from Cert:\\CurrentUser\\My) or the PEM key file.", "-ClientCertificate");
            case string or FileInfo:
                var path = unwrapped is FileInfo f ? f.FullName : ResolveInputPaths((string)unwrapped, literal: true)[0];
                var text = File.ReadAllText(path);
                if (text.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
                    throw new PkiException(PkiErrorIds.TenantConnectionInvalid, PkiErrorCategory.InvalidArgument,
                        $"'{path}' holds an encrypted private key. Pass an X509Certificate2 with its key instead, or decrypt the key file (openssl pkey -in key.pem -out plain.pem) and keep it 0600.", "-ClientCertificate");
                var rsa = RSA.Create();
                try
                {
                    rsa.ImportFromPem(text);
                }
                catch (ArgumentException ex)
                {
                    rsa.Dispose();
                    throw new PkiException(PkiErrorIds.TenantConnectionInvalid, PkiErrorCategory.InvalidArgument,
                        $"'{path}' holds no PEM RSA private key ({ex.Message.TrimEnd('.')}). Pass the key ZIdentity's API client was registered with.", "-ClientCertificate", ex);
                }
                return rsa;
            default:
                throw new PkiException(PkiErrorIds.TenantConnectionInvalid, PkiErrorCategory.InvalidArgument,
                    $"-ClientCertificate takes an X509Certificate2 with its private key or the path of a PEM key file, not a {unwrapped?.GetType().Name ?? "null"}.", "-ClientCertificate");
        }
    }
}
