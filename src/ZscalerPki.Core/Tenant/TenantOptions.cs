using System.Security.Cryptography;

namespace ZscalerPki.Core.Tenant;

/// <summary>How a session signs in to the tenant.</summary>
public enum TenantAuthMethod
{
    /// <summary>OneAPI (ZIdentity) OAuth2 client credentials with a client secret.</summary>
    OneApiClientSecret,
    /// <summary>OneAPI (ZIdentity) OAuth2 client credentials with a private-key JWT (RS256) client assertion.</summary>
    OneApiPrivateKeyJwt,
    /// <summary>Legacy ZIA API: <c>POST /api/v1/authenticatedSession</c> with the obfuscated API key; JSESSIONID cookie.</summary>
    LegacyZia,
    /// <summary>Legacy ZPA API: form <c>client_id</c>/<c>client_secret</c> to <c>/signin</c>; bearer token.</summary>
    LegacyZpa,
}

/// <summary>
/// A secret kept in memory for the life of a session (a client secret, API key or password is needed again to renew a
/// token or re-login). It never prints: <see cref="ToString"/> is a fixed placeholder, and no log or error includes it.
/// </summary>
public sealed class TenantSecret
{
    private readonly char[] _value;

    public TenantSecret(ReadOnlySpan<char> value) => _value = value.ToArray();

    internal string Reveal() => new(_value);

    internal int Length => _value.Length;

    /// <summary>Zeroes the characters (Disconnect-ZscalerTenant).</summary>
    public void Clear() => Array.Clear(_value);

    public override string ToString() => "[redacted]";
}

/// <summary>The clock and sleeper of a session: the system's, or a fake one in tests (token expiry, Retry-After, backoff).</summary>
public interface ITenantClock
{
    DateTimeOffset UtcNow { get; }

    /// <summary>Waits <paramref name="delay"/> unless cancelled (then throws OperationCanceledException).</summary>
    void Sleep(TimeSpan delay, CancellationToken cancellation);
}

/// <summary>The real clock.</summary>
public sealed class SystemTenantClock : ITenantClock
{
    public static readonly SystemTenantClock Instance = new();

    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;

    public void Sleep(TimeSpan delay, CancellationToken cancellation)
    {
        if (delay <= TimeSpan.Zero)
            return;
        if (cancellation.WaitHandle.WaitOne(delay))
            cancellation.ThrowIfCancellationRequested();
    }
}

/// <summary>A wait the API asked for (429) or a backoff before a retry (409 edit lock, 5xx), reported while it runs.</summary>
public sealed record TenantWait(string Reason, TimeSpan Total, TimeSpan Remaining);

/// <summary>
/// Where the engine reports while it works, called on the caller's thread (the cmdlet's pipeline thread): a redacted
/// debug line per request and response, verbose steps, and waits (progress).
/// </summary>
public sealed class TenantObserver
{
    public static readonly TenantObserver None = new();

    public Action<string>? Debug { get; init; }
    public Action<string>? Verbose { get; init; }
    public Action<TenantWait>? Waiting { get; init; }
    public Action? WaitDone { get; init; }
}

/// <summary>Connect-ZscalerTenant's request: how to sign in and where the API is.</summary>
public sealed record TenantConnectRequest
{
    public required TenantAuthMethod Method { get; init; }

    /// <summary>OneAPI: the ZIdentity vanity domain (<c>&lt;vanity&gt;.zslogin.net</c>).</summary>
    public string? VanityDomain { get; init; }
    public string? ClientId { get; init; }
    public TenantSecret? ClientSecret { get; init; }
    /// <summary>OneAPI private-key JWT: the RSA key the client assertion is signed with (RS256).</summary>
    public RSA? ClientKey { get; init; }
    /// <summary>The Zscaler cloud: PRODUCTION (default) or another (<c>zslogin&lt;cloud&gt;.net</c>, <c>api.&lt;cloud&gt;.zsapi.net</c>); legacy: the ZIA cloud name (zscaler, zscalertwo, …).</summary>
    public string? Cloud { get; init; }
    /// <summary>Instead of the cloud's addresses: the API's base address (another cloud, an emulator). http:// only for loopback.</summary>
    public Uri? BaseUri { get; init; }
    /// <summary>OneAPI: the token endpoint, when not derived from the vanity domain (default with -BaseUri: BaseUri + /oauth2/v1/token).</summary>
    public Uri? TokenUri { get; init; }
    /// <summary>ZPA customer id (the tenant's ZPA commands need it).</summary>
    public string? CustomerId { get; init; }
    /// <summary>ZPA microtenant id sent with every ZPA call (optional).</summary>
    public string? MicrotenantId { get; init; }

    /// <summary>Legacy ZIA: the API key (obfuscated with the timestamp before it is sent), username and password.</summary>
    public TenantSecret? ApiKey { get; init; }
    public string? Username { get; init; }
    public TenantSecret? Password { get; init; }

    /// <summary>Longest a single HTTP request may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(100);
    /// <summary>Longest the session waits in total for one call (429 Retry-After, backoff of retries) before it stops with an error.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>First backoff of a retried call (409 edit lock, transient 5xx); doubled per retry, up to 5 retries.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Legacy ZIA: the JSESSIONID idle timeout after which the session signs in again (Zscaler: 5 minutes).</summary>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public ITenantClock Clock { get; init; } = SystemTenantClock.Instance;
    /// <summary>The HTTP handler (tests); default a SocketsHttpHandler without cookies or redirects.</summary>
    public HttpMessageHandler? Handler { get; init; }
}
