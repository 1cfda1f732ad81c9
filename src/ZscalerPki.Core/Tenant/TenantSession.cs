using System.Net;

namespace ZscalerPki.Core.Tenant;

/// <summary>
/// A signed-in connection to a Zscaler tenant (Connect-ZscalerTenant): where the API is, how it signs in, and the one HTTP
/// pipeline its calls go through. Secrets stay inside (needed to renew the token or re-login) and are never shown.
/// </summary>
public sealed class TenantSession : IDisposable
{
    private readonly TenantHttp _http;
    private readonly TenantAuthenticator _auth;
    private readonly TenantConnectRequest _request;

    private TenantSession(TenantConnectRequest request, Uri apiUri, TenantAuthenticator auth, string principal)
    {
        _request = request;
        _http = new TenantHttp(apiUri, request) { Authenticator = auth };
        _auth = auth;
        Method = request.Method;
        ApiUri = apiUri.ToString();
        Principal = principal;
        Cloud = request.Cloud ?? "PRODUCTION";
        CustomerId = request.CustomerId;
        MicrotenantId = request.MicrotenantId;
        MaxWait = request.MaxWait;
    }

    public TenantAuthMethod Method { get; }
    /// <summary>The API's base address.</summary>
    public string ApiUri { get; }
    /// <summary>The client id or user name the session signs in as.</summary>
    public string Principal { get; }
    public string Cloud { get; }
    public string? CustomerId { get; }
    public string? MicrotenantId { get; }
    public TimeSpan MaxWait { get; }
    public DateTimeOffset ConnectedUtc { get; private set; }
    /// <summary>When the token (or the idle ZIA session) expires; renewed automatically before then.</summary>
    public DateTimeOffset? ExpiresUtc => _auth.ExpiresUtc;
    public bool Connected { get; private set; }

    /// <summary>ZIA answers on this session (OneAPI and legacy ZIA).</summary>
    public bool HasZia => Method != TenantAuthMethod.LegacyZpa;
    /// <summary>ZPA answers on this session (OneAPI and legacy ZPA, with a customer id).</summary>
    public bool HasZpa => Method != TenantAuthMethod.LegacyZia && CustomerId is not null;

    /// <summary>The label on objects read through this session.</summary>
    public string Tenant => $"{new Uri(ApiUri).Host} ({Principal})";

    internal TenantHttp Http => Connected ? _http : throw new PkiException(PkiErrorIds.TenantNotConnected, PkiErrorCategory.InvalidOperation,
        $"The session to {Tenant} was disconnected. Run Connect-ZscalerTenant.", this);

    internal string ZiaPath(string tail) => (Method == TenantAuthMethod.LegacyZia ? "/api/v1" : "/zia/api/v1") + tail;

    internal string ZpaPath(int version, string tail) =>
        (Method == TenantAuthMethod.LegacyZpa ? "" : "/zpa") + $"/mgmtconfig/v{version}/admin/customers/{Uri.EscapeDataString(CustomerId!)}" + tail;

    /// <summary>Checks the request, signs in once (so bad credentials fail here) and returns the session.</summary>
    public static TenantSession Connect(TenantConnectRequest request, TenantObserver? observer = null, CancellationToken cancellation = default)
    {
        observer ??= TenantObserver.None;
        var cloud = (request.Cloud ?? "PRODUCTION").Trim();
        var production = cloud.Equals("PRODUCTION", StringComparison.OrdinalIgnoreCase);
        if (!System.Text.RegularExpressions.Regex.IsMatch(cloud, "^[A-Za-z0-9-]{1,40}$"))
            throw Invalid("-Cloud", $"'{cloud}' is not a Zscaler cloud name. Pass PRODUCTION, BETA or the cloud your tenant is on (e.g. zscalertwo for legacy ZIA).");
        if (request.BaseUri is not null)
            RequireAllowed(request.BaseUri, "-BaseUri");
        if (request.TokenUri is not null)
            RequireAllowed(request.TokenUri, "-TokenUri");
        if (request.CustomerId is not null && !System.Text.RegularExpressions.Regex.IsMatch(request.CustomerId, "^[0-9]{1,25}$"))
            throw Invalid("-CustomerId", $"'{request.CustomerId}' is not a ZPA customer id (digits only). Copy it from the ZPA portal (Administration > Company).");
        if (request.MicrotenantId is not null && !System.Text.RegularExpressions.Regex.IsMatch(request.MicrotenantId, "^[0-9]{1,25}$"))
            throw Invalid("-MicrotenantId", $"'{request.MicrotenantId}' is not a ZPA microtenant id (digits only).");

        Uri api;
        TenantAuthenticator auth;
        string principal;
        switch (request.Method)
        {
            case TenantAuthMethod.OneApiClientSecret:
            case TenantAuthMethod.OneApiPrivateKeyJwt:
                principal = Require(request.ClientId, "-ClientId", "the OneAPI client id from ZIdentity (Integration > API Clients)");
                if (request.Method == TenantAuthMethod.OneApiClientSecret && (request.ClientSecret is null || request.ClientSecret.Length == 0))
                    throw Invalid("-ClientSecret", "OneAPI with a client secret needs -ClientSecret (a SecureString).");
                if (request.Method == TenantAuthMethod.OneApiPrivateKeyJwt && request.ClientKey is null)
                    throw Invalid("-ClientCertificate", "OneAPI with a private-key JWT needs the RSA key of the client's certificate.");
                api = request.BaseUri ?? new Uri(production ? "https://api.zsapi.net/" : $"https://api.{cloud.ToLowerInvariant()}.zsapi.net/");
                Uri token;
                if (request.TokenUri is not null)
                    token = request.TokenUri;
                else if (request.BaseUri is not null)
                    token = new Uri(api, "oauth2/v1/token");
                else
                {
                    var vanity = Require(request.VanityDomain, "-VanityDomain", "your ZIdentity vanity domain (the <vanity> of <vanity>.zslogin.net)");
                    if (!System.Text.RegularExpressions.Regex.IsMatch(vanity, "^[A-Za-z0-9-]{1,63}$"))
                        throw Invalid("-VanityDomain", $"'{vanity}' is not a vanity domain: pass only the name before .zslogin.net.");
                    token = new Uri(production ? $"https://{vanity}.zslogin.net/oauth2/v1/token" : $"https://{vanity}.zslogin{cloud.ToLowerInvariant()}.net/oauth2/v1/token");
                }
                auth = new OneApiAuthenticator(token, principal, request.ClientSecret, request.ClientKey);
                break;
            case TenantAuthMethod.LegacyZia:
                principal = Require(request.Username, "-Credential", "the ZIA admin's user name");
                if (request.ApiKey is null || request.ApiKey.Length < 12)
                    throw Invalid("-ApiKey", "The legacy ZIA API needs the API key (12 or more characters) from the ZIA portal (Administration > API Key Management).");
                if (request.Password is null || request.Password.Length == 0)
                    throw Invalid("-Credential", "The legacy ZIA API needs the admin's password (-Credential).");
                if (request.BaseUri is null && production)
                    throw Invalid("-Cloud", "The legacy ZIA API needs your ZIA cloud (-Cloud zscaler, zscalerone, zscalertwo, zscalerthree, zscloud, zscalerbeta…) or -BaseUri.");
                api = request.BaseUri ?? new Uri($"https://zsapi.{cloud.ToLowerInvariant()}.net/");
                auth = new LegacyZiaAuthenticator(request.ApiKey, principal, request.Password, request.SessionIdleTimeout);
                break;
            case TenantAuthMethod.LegacyZpa:
                principal = Require(request.ClientId, "-ClientId", "the ZPA API key's client id");
                if (request.ClientSecret is null || request.ClientSecret.Length == 0)
                    throw Invalid("-ClientSecret", "The legacy ZPA API needs -ClientSecret (a SecureString).");
                Require(request.CustomerId, "-CustomerId", "the ZPA customer id");
                api = request.BaseUri ?? new Uri(production ? "https://config.private.zscaler.com/" : $"https://config.{cloud.ToLowerInvariant()}.net/");
                auth = new LegacyZpaAuthenticator(principal, request.ClientSecret);
                break;
            default:
                throw Invalid("-Method", $"Unknown sign-in method {request.Method}.");
        }
        if (!api.AbsoluteUri.EndsWith('/'))
            api = new Uri(api.AbsoluteUri + "/");

        var session = new TenantSession(request, api, auth, principal);
        try
        {
            session.Connected = true;
            auth.EnsureSignedIn(session._http, observer, cancellation);
            session.ConnectedUtc = request.Clock.UtcNow;
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Signs out (legacy ZIA deletes its session), forgets the secrets and closes the connection.</summary>
    public void Disconnect(TenantObserver? observer = null, CancellationToken cancellation = default)
    {
        if (!Connected)
            return;
        try
        {
            _auth.SignOut(_http, observer ?? TenantObserver.None, cancellation);
        }
        finally
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        Connected = false;
        _auth.Invalidate();
        _request.ClientSecret?.Clear();
        _request.ApiKey?.Clear();
        _request.Password?.Clear();
        _http.Dispose();
    }

    public override string ToString() => $"Zscaler tenant {Tenant} via {Method}";

    /// <summary>https, or http to a loopback address only (an emulator on this machine); nothing else carries credentials.</summary>
    internal static void RequireAllowed(Uri uri, string parameter)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(uri.UserInfo))
            throw new PkiException(PkiErrorIds.TenantUriNotAllowed, PkiErrorCategory.InvalidArgument,
                $"{parameter} '{uri}' is not an https:// address (without user info). Pass the API's https:// address.", uri.ToString());
        if (uri.Scheme == Uri.UriSchemeHttp && !(uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip))))
            throw new PkiException(PkiErrorIds.TenantUriNotAllowed, PkiErrorCategory.SecurityError,
                $"{parameter} '{uri}' is http:// to a host that is not this machine: credentials and tokens would cross the network unencrypted. Use https://, or http:// only for an emulator on localhost/127.0.0.1.", uri.ToString());
    }

    private static string Require(string? value, string parameter, string what) =>
        string.IsNullOrWhiteSpace(value) ? throw Invalid(parameter, $"{parameter} is required: {what}.") : value.Trim();

    private static PkiException Invalid(string parameter, string message) =>
        new(PkiErrorIds.TenantConnectionInvalid, PkiErrorCategory.InvalidArgument, message, parameter);
}
