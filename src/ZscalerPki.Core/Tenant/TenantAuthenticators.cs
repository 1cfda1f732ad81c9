using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ZscalerPki.Core.Tenant;

/// <summary>Signs a session in and puts its credentials on each request; renews them before they expire.</summary>
internal abstract class TenantAuthenticator
{
    /// <summary>Signs in when there are no credentials or they are about to expire.</summary>
    public abstract void EnsureSignedIn(TenantHttp http, TenantObserver observer, CancellationToken cancellation);

    public abstract void Apply(HttpRequestMessage request);

    /// <summary>Forgets the credentials (after a 401), so the next call signs in again.</summary>
    public abstract void Invalidate();

    /// <summary>When the current credentials expire (token), or null (cookie session, not signed in).</summary>
    public abstract DateTimeOffset? ExpiresUtc { get; }

    public virtual void SignOut(TenantHttp http, TenantObserver observer, CancellationToken cancellation)
    {
    }

    /// <summary>A bearer token renewed when less than a tenth of its life (at most 5 minutes) is left.</summary>
    protected sealed class Token
    {
        public required string Value { get; init; }
        public required DateTimeOffset Expires { get; init; }
        public required TimeSpan Margin { get; init; }

        public bool Fresh(DateTimeOffset now) => now < Expires - Margin;

        public static Token From(JsonObject body, DateTimeOffset now, string what)
        {
            var value = TenantJson.String(body, "access_token");
            if (string.IsNullOrEmpty(value))
                throw new PkiException(PkiErrorIds.TenantAuthenticationFailed, PkiErrorCategory.AuthenticationError,
                    $"{what} answered without an access_token. Check the vanity domain, -Cloud or -BaseUri.", null);
            var lifetime = TimeSpan.FromSeconds(Math.Clamp(TenantJson.Long(body, "expires_in") ?? 3600, 1, 7 * 86400));
            var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, lifetime.Ticks / 10));
            return new Token { Value = value, Expires = now + lifetime, Margin = margin };
        }
    }
}

/// <summary>
/// OneAPI (ZIdentity): OAuth2 client credentials at <c>https://&lt;vanity&gt;.zslogin.net/oauth2/v1/token</c> with
/// audience <c>https://api.zscaler.com</c>, either with the client secret or a private-key JWT client assertion (RS256,
/// iss = sub = client id, aud = https://api.zscaler.com, 10 minutes) — as zscaler/zscaler-sdk-python
/// zscaler/oneapi_oauth_client.py and the Go SDK send them.
/// </summary>
internal sealed class OneApiAuthenticator : TenantAuthenticator
{
    public const string Audience = "https://api.zscaler.com";

    private readonly Uri _tokenUri;
    private readonly string _clientId;
    private readonly TenantSecret? _secret;
    private readonly RSA? _key;
    private Token? _token;

    public OneApiAuthenticator(Uri tokenUri, string clientId, TenantSecret? secret, RSA? key)
    {
        _tokenUri = tokenUri;
        _clientId = clientId;
        _secret = secret;
        _key = key;
    }

    public override DateTimeOffset? ExpiresUtc => _token?.Expires;

    public override void EnsureSignedIn(TenantHttp http, TenantObserver observer, CancellationToken cancellation)
    {
        if (_token is { } t && t.Fresh(http.Clock.UtcNow))
            return;
        observer.Verbose?.Invoke(_token is null ? $"Requesting an OneAPI token for client '{_clientId}'." : "The OneAPI token is about to expire; requesting a new one.");
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "client_credentials"),
            new("client_id", _clientId),
        };
        if (_key is not null)
        {
            form.Add(new("client_assertion", Assertion(http.Clock.UtcNow)));
            form.Add(new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
        }
        else
        {
            form.Add(new("client_secret", _secret!.Reveal()));
        }
        form.Add(new("audience", Audience));
        var baseUri = new Uri(_tokenUri.GetLeftPart(UriPartial.Authority) + "/");
        var response = http.Send(baseUri, new TenantCall(HttpMethod.Post, _tokenUri.AbsolutePath)
        {
            Anonymous = true,
            Idempotent = true,
            Content = () => new FormUrlEncodedContent(form),
        }, observer, cancellation);
        _token = Token.From(TenantJson.Object(response.Json, "the token request"), http.Clock.UtcNow, $"The token endpoint {baseUri}");
    }

    private string Assertion(DateTimeOffset now)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" };
        var payload = new JsonObject
        {
            ["iss"] = _clientId,
            ["sub"] = _clientId,
            ["aud"] = Audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(10).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var signature = _key!.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    internal static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public override void Apply(HttpRequestMessage request)
    {
        if (_token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token.Value);
    }

    public override void Invalidate() => _token = null;
}

/// <summary>
/// Legacy ZPA: <c>POST /signin</c> with the form fields client_id and client_secret; a bearer token
/// (zscaler/zscaler-sdk-python zscaler/zpa/legacy.py).
/// </summary>
internal sealed class LegacyZpaAuthenticator : TenantAuthenticator
{
    private readonly string _clientId;
    private readonly TenantSecret _secret;
    private Token? _token;

    public LegacyZpaAuthenticator(string clientId, TenantSecret secret)
    {
        _clientId = clientId;
        _secret = secret;
    }

    public override DateTimeOffset? ExpiresUtc => _token?.Expires;

    public override void EnsureSignedIn(TenantHttp http, TenantObserver observer, CancellationToken cancellation)
    {
        if (_token is { } t && t.Fresh(http.Clock.UtcNow))
            return;
        observer.Verbose?.Invoke($"Signing in to ZPA (legacy API) as client '{_clientId}'.");
        var response = http.Send(new TenantCall(HttpMethod.Post, "/signin")
        {
            Anonymous = true,
            Idempotent = true,
            Content = () => new FormUrlEncodedContent(new[] { new KeyValuePair<string, string>("client_id", _clientId), new("client_secret", _secret.Reveal()) }),
        }, observer, cancellation);
        _token = Token.From(TenantJson.Object(response.Json, "/signin"), http.Clock.UtcNow, "ZPA /signin");
    }

    public override void Apply(HttpRequestMessage request)
    {
        if (_token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token.Value);
    }

    public override void Invalidate() => _token = null;
}

/// <summary>
/// Legacy ZIA: <c>POST /api/v1/authenticatedSession</c> with <c>{apiKey, username, password, timestamp}</c>, the API key
/// obfuscated with the timestamp (<see cref="ObfuscateApiKey"/>); the JSESSIONID cookie on every call; signed in again
/// after the idle timeout (5 minutes) or a 401; DELETE on sign-out (zscaler/zscaler-sdk-python zscaler/zia/legacy.py,
/// zscaler/utils.py obfuscate_api_key).
/// </summary>
internal sealed class LegacyZiaAuthenticator : TenantAuthenticator
{
    private static readonly Regex SessionCookie = new("JSESSIONID=([^;]+)", RegexOptions.CultureInvariant);

    private readonly TenantSecret _apiKey;
    private readonly string _username;
    private readonly TenantSecret _password;
    private readonly TimeSpan _idle;
    private string? _session;
    private DateTimeOffset _lastUse;

    public LegacyZiaAuthenticator(TenantSecret apiKey, string username, TenantSecret password, TimeSpan idleTimeout)
    {
        _apiKey = apiKey;
        _username = username;
        _password = password;
        _idle = idleTimeout;
    }

    public override DateTimeOffset? ExpiresUtc => _session is null ? null : _lastUse + _idle;

    /// <summary>
    /// The documented obfuscation: n = the last 6 digits of the time in milliseconds, r = n / 2 as 6 digits; the key is
    /// apiKey[n[i]] for each digit of n, then apiKey[r[j] + 2] for each digit of r.
    /// </summary>
    internal static string ObfuscateApiKey(string apiKey, long timestampMs)
    {
        var n = (timestampMs % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        var r = (long.Parse(n, System.Globalization.CultureInfo.InvariantCulture) >> 1).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        var key = new StringBuilder(12);
        foreach (var c in n)
            key.Append(apiKey[c - '0']);
        foreach (var c in r)
            key.Append(apiKey[c - '0' + 2]);
        return key.ToString();
    }

    public override void EnsureSignedIn(TenantHttp http, TenantObserver observer, CancellationToken cancellation)
    {
        var now = http.Clock.UtcNow;
        if (_session is not null && now - _lastUse < _idle - TimeSpan.FromTicks(_idle.Ticks / 10))
        {
            _lastUse = now;
            return;
        }
        observer.Verbose?.Invoke(_session is null ? $"Signing in to ZIA (legacy API) as '{_username}'." : "The ZIA session is near its idle timeout; signing in again.");
        var timestamp = now.ToUnixTimeMilliseconds();
        var response = http.Send(new TenantCall(HttpMethod.Post, "/api/v1/authenticatedSession")
        {
            Anonymous = true,
            Idempotent = true,
            Json = new JsonObject
            {
                ["apiKey"] = ObfuscateApiKey(_apiKey.Reveal(), timestamp),
                ["username"] = _username,
                ["password"] = _password.Reveal(),
                ["timestamp"] = timestamp,
            },
        }, observer, cancellation);
        var cookie = response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Select(c => SessionCookie.Match(c)).FirstOrDefault(m => m.Success)?.Groups[1].Value
            : null;
        _session = cookie ?? throw new PkiException(PkiErrorIds.TenantAuthenticationFailed, PkiErrorCategory.AuthenticationError,
            "ZIA accepted the sign-in but set no JSESSIONID cookie. Check -BaseUri (the ZIA API, e.g. https://zsapi.zscalertwo.net).", null);
        _lastUse = http.Clock.UtcNow;
    }

    public override void Apply(HttpRequestMessage request)
    {
        if (_session is not null)
            request.Headers.Add("Cookie", "JSESSIONID=" + _session);
    }

    public override void Invalidate() => _session = null;

    public override void SignOut(TenantHttp http, TenantObserver observer, CancellationToken cancellation)
    {
        if (_session is null)
            return;
        try
        {
            http.Send(new TenantCall(HttpMethod.Delete, "/api/v1/authenticatedSession"), observer, cancellation);
        }
        finally
        {
            _session = null;
        }
    }
}
