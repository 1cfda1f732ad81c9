using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace ZscalerPki.Core.Tenant;

/// <summary>One call to the API: method, path (from the API base), body, and whether repeating it is harmless.</summary>
internal sealed record TenantCall(HttpMethod Method, string Path)
{
    /// <summary>A JSON body (serialised as sent), or null.</summary>
    public JsonNode? Json { get; init; }
    /// <summary>Another body (form, multipart); built anew for every attempt.</summary>
    public Func<HttpContent>? Content { get; init; }
    /// <summary>GET/PUT/DELETE are; a POST only when the caller says so. Only these are retried after a 409 edit lock or a 5xx.</summary>
    public bool? Idempotent { get; init; }
    /// <summary>Token and sign-in calls carry no credentials of the session.</summary>
    public bool Anonymous { get; init; }
    /// <summary>Query parameters (already the API's names).</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Query { get; init; }

    public bool IsIdempotent => Idempotent ?? (Method == HttpMethod.Get || Method == HttpMethod.Put || Method == HttpMethod.Delete);

    public string Describe() => $"{Method} {Path}";
}

/// <summary>An answer of the API (2xx): status, headers we use, body.</summary>
internal sealed record TenantResponse(HttpStatusCode Status, HttpResponseHeaders Headers, byte[] Body, string? MediaType)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public JsonNode? Json => Body.Length == 0 ? null : TenantJson.Parse(Body);
}

/// <summary>
/// The HTTP pipeline every tenant call goes through, with the API's manners: credentials from the session's authenticator
/// (renewed before expiry, renewed once after a 401), 429 waited out (Retry-After, else x-ratelimit-reset) while the total
/// wait stays within MaxWait, else TenantRateLimited saying when to run again; a ZIA 409 EDIT_LOCK_NOT_AVAILABLE and a
/// transient 5xx or network failure retried with backoff for idempotent calls only; any other 4xx one TenantApiError with
/// Zscaler's code and message; per-request timeout; cancellation. Debug lines name method, path and status; header values
/// and bodies are never written anywhere (they carry tokens, cookies, keys and passwords).
/// </summary>
internal sealed class TenantHttp : IDisposable
{
    private const int MaxRetries = 5;
    private const int MaxResponseBytes = 16 * 1024 * 1024;

    private readonly HttpClient _client;
    private readonly Uri _base;
    private readonly TenantConnectRequest _options;

    public TenantHttp(Uri baseUri, TenantConnectRequest options)
    {
        _base = baseUri;
        _options = options;
        var handler = options.Handler ?? new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.All };
        _client = new HttpClient(handler, disposeHandler: options.Handler is null) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public TenantAuthenticator? Authenticator { get; set; }

    public ITenantClock Clock => _options.Clock;

    public Uri BaseUri => _base;

    public TenantResponse Send(TenantCall call, TenantObserver observer, CancellationToken cancellation) => Send(_base, call, observer, cancellation);

    public TenantResponse Send(Uri baseUri, TenantCall call, TenantObserver observer, CancellationToken cancellation)
    {
        var waited = TimeSpan.Zero;
        var retries = 0;
        var renewed = false;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            if (!call.Anonymous)
                Authenticator?.EnsureSignedIn(this, observer, cancellation);
            using var request = Build(baseUri, call);
            observer.Debug?.Invoke($"HTTP {call.Method} {call.Path} (headers: {Redacted(request.Headers, request.Content?.Headers)}; body: {BodyNote(request.Content)})");

            HttpResponseMessage response;
            byte[] body;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                timeout.CancelAfter(_options.Timeout);
                response = _client.Send(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                body = ReadBody(response, timeout.Token);
            }
            catch (Exception ex) when (!cancellation.IsCancellationRequested && ex is HttpRequestException or OperationCanceledException or IOException)
            {
                var what = ex is OperationCanceledException ? $"did not answer within {_options.Timeout.TotalSeconds:0.#} s" : $"could not be reached ({ex.Message})";
                if (call.IsIdempotent && retries < MaxRetries && Backoff(ref retries, ref waited, observer, cancellation, $"{call.Describe()} {what}; retrying"))
                    continue;
                throw new PkiException(PkiErrorIds.TenantUnavailable, PkiErrorCategory.ResourceUnavailable,
                    $"{call.Describe()}: the Zscaler API at {baseUri.GetLeftPart(UriPartial.Authority)} {what}."
                    + (call.IsIdempotent ? " Check the network and -BaseUri, then run the command again." : " The change may or may not have been made: check the tenant's state (Get-*) before running the command again."),
                    call.Path, ex);
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                observer.Debug?.Invoke($"HTTP {status} {response.ReasonPhrase} for {call.Method} {call.Path} (headers: {Redacted(response.Headers, response.Content.Headers)}; body: {body.Length} bytes, redacted)");
                if (status is >= 200 and < 300)
                    return new TenantResponse(response.StatusCode, response.Headers, body, response.Content.Headers.ContentType?.MediaType);

                var error = ApiError.From(body);
                if (status == 401 && !call.Anonymous && Authenticator is not null && !renewed)
                {
                    // The token or session expired on the server's side (idle timeout, revoked): sign in again once.
                    observer.Verbose?.Invoke($"{call.Describe()}: 401, signing in again.");
                    Authenticator.Invalidate();
                    renewed = true;
                    continue;
                }
                if (status == 429)
                {
                    var delay = RetryAfter(response) ?? TimeSpan.FromSeconds(1);
                    if (waited + delay > _options.MaxWait)
                    {
                        var when = Clock.UtcNow + delay;
                        throw new PkiException(PkiErrorIds.TenantRateLimited, PkiErrorCategory.LimitsExceeded,
                            $"{call.Describe()}: Zscaler's rate limit was reached (429) and it asks to wait {delay.TotalSeconds:0} s, beyond -MaxWait {_options.MaxWait.TotalSeconds:0} s. Run the command again after {when.UtcDateTime:u} (or pass a larger -MaxWait to Connect-ZscalerTenant).",
                            call.Path);
                    }
                    Wait(delay, $"Rate limit (429) on {call.Describe()}: waiting {delay.TotalSeconds:0} s as Zscaler asks", observer, cancellation);
                    waited += delay;
                    continue;
                }
                var transient = status is 500 or 502 or 503 or 504
                    || (status == 409 && string.Equals(error.Code, "EDIT_LOCK_NOT_AVAILABLE", StringComparison.OrdinalIgnoreCase));
                if (transient && call.IsIdempotent && retries < MaxRetries
                    && Backoff(ref retries, ref waited, observer, cancellation, $"{call.Describe()} answered {status} {error.Code ?? response.ReasonPhrase}; retrying"))
                    continue;

                throw Failure(call, status, response.ReasonPhrase, error, transient);
            }
        }
    }

    private bool Backoff(ref int retries, ref TimeSpan waited, TenantObserver observer, CancellationToken cancellation, string reason)
    {
        var delay = TimeSpan.FromTicks(_options.RetryDelay.Ticks * (1L << retries));
        if (waited + delay > _options.MaxWait)
            return false;
        retries++;
        Wait(delay, $"{reason} in {delay.TotalSeconds:0.#} s (attempt {retries + 1})", observer, cancellation);
        waited += delay;
        return true;
    }

    private void Wait(TimeSpan delay, string reason, TenantObserver observer, CancellationToken cancellation)
    {
        observer.Verbose?.Invoke(reason);
        var end = Clock.UtcNow + delay;
        while (true)
        {
            var remaining = end - Clock.UtcNow;
            if (remaining <= TimeSpan.Zero)
                break;
            observer.Waiting?.Invoke(new TenantWait(reason, delay, remaining));
            Clock.Sleep(remaining < TimeSpan.FromSeconds(1) ? remaining : TimeSpan.FromSeconds(1), cancellation);
        }
        observer.WaitDone?.Invoke();
    }

    private PkiException Failure(TenantCall call, int status, string? reason, ApiError error, bool transient)
    {
        var what = error.Code is null && error.Message is null
            ? $"{status} {reason}"
            : $"{status} {error.Code}{(error.Code is not null && error.Message is not null ? ": " : string.Empty)}{error.Message}";
        if (call.Anonymous)
            return new PkiException(PkiErrorIds.TenantAuthenticationFailed, PkiErrorCategory.AuthenticationError,
                $"Signing in to Zscaler failed ({call.Describe()}: {what}). Check the client id, secret or key, the vanity domain and -Cloud.", call.Path);
        if (status == 401)
            return new PkiException(PkiErrorIds.TenantAuthenticationFailed, PkiErrorCategory.AuthenticationError,
                $"{call.Describe()}: Zscaler refused the session's credentials ({what}), also after signing in again. Run Connect-ZscalerTenant again.", call.Path);
        if (transient)
            return new PkiException(PkiErrorIds.TenantUnavailable, PkiErrorCategory.ResourceUnavailable,
                $"{call.Describe()}: {what}." + (call.IsIdempotent
                    ? " It did not succeed within the retries and -MaxWait; run the command again later."
                    : " It was not retried because repeating it could apply it twice: check the tenant's state (Get-*) and run the command again."), call.Path);
        var category = status switch
        {
            403 => PkiErrorCategory.PermissionDenied,
            404 => PkiErrorCategory.ObjectNotFound,
            409 => PkiErrorCategory.ResourceBusy,
            415 => PkiErrorCategory.InvalidData,
            _ => PkiErrorCategory.InvalidOperation,
        };
        return new TenantApiException(call.Describe(), status, error.Code, error.Message, category,
            $"Zscaler refused {call.Describe()}: {what}.");
    }

    private HttpRequestMessage Build(Uri baseUri, TenantCall call)
    {
        var path = call.Path;
        if (call.Query is { Count: > 0 } query)
            path += "?" + string.Join("&", query.Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
        var request = new HttpRequestMessage(call.Method, new Uri(baseUri, path.TrimStart('/')));
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.UserAgent.ParseAdd("ZscalerPki/1.0");
        if (call.Json is not null)
            request.Content = new StringContent(call.Json.ToJsonString(), Encoding.UTF8, "application/json");
        else if (call.Content is not null)
            request.Content = call.Content();
        if (!call.Anonymous)
            Authenticator?.Apply(request);
        return request;
    }

    private static byte[] ReadBody(HttpResponseMessage response, CancellationToken cancellation)
    {
        using var stream = response.Content.ReadAsStream(cancellation);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes)
                throw new PkiException(PkiErrorIds.InputTooLarge, PkiErrorCategory.InvalidData,
                    $"The Zscaler API answered with more than {MaxResponseBytes / (1024 * 1024)} MB; the module stops reading there. Check -BaseUri.", response.RequestMessage?.RequestUri?.AbsolutePath);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>Retry-After (seconds or an HTTP date), else x-ratelimit-reset (seconds until the window resets).</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (retryAfter?.Date is { } date)
            return date - Clock.UtcNow is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero;
        if (response.Headers.TryGetValues("x-ratelimit-reset", out var values)
            && double.TryParse(values.First().Split(',')[0].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            return TimeSpan.FromSeconds(Math.Min(seconds, 86400));
        return null;
    }

    private static string Redacted(HttpHeaders headers, HttpHeaders? content)
    {
        var names = headers.Select(h => h.Key).Concat(content?.Select(h => h.Key) ?? Enumerable.Empty<string>());
        return string.Join(", ", names.Select(n => n + "=[redacted]"));
    }

    private static string BodyNote(HttpContent? content) =>
        content is null ? "none" : content.Headers.ContentLength is { } length ? $"{length} bytes, redacted" : "redacted";

    public void Dispose() => _client.Dispose();

    /// <summary>Zscaler's error body: <c>{"code":"INVALID_INPUT_ARGUMENT","message":"…"}</c> (ZIA), <c>{"id":"…","reason":"…"}</c> (ZPA), <c>{"error":"invalid_client","error_description":"…"}</c> (OAuth2 token endpoint).</summary>
    internal readonly record struct ApiError(string? Code, string? Message)
    {
        public static ApiError From(byte[] body)
        {
            if (body.Length == 0 || body.Length > 65536)
                return default;
            try
            {
                if (TenantJson.Parse(body) is JsonObject o)
                    return new ApiError(Clip(TenantJson.String(o, "code") ?? TenantJson.String(o, "id") ?? TenantJson.String(o, "error")),
                        Clip(TenantJson.String(o, "message") ?? TenantJson.String(o, "reason") ?? TenantJson.String(o, "error_description")));
            }
            catch (PkiException)
            {
            }
            return default;
        }

        private static string? Clip(string? s) => s is null ? null : s.Length > 500 ? s[..500] + "…" : s.Replace('\n', ' ');
    }
}

/// <summary>A 4xx answer of the API, with Zscaler's code and message (ErrorId TenantApiError).</summary>
public sealed class TenantApiException : PkiException
{
    public TenantApiException(string request, int status, string? code, string? apiMessage, PkiErrorCategory category, string message)
        : base(PkiErrorIds.TenantApiError, category, message, request)
    {
        Request = request;
        Status = status;
        Code = code;
        ApiMessage = apiMessage;
    }

    public string Request { get; }
    public int Status { get; }
    public string? Code { get; }
    public string? ApiMessage { get; }
}
