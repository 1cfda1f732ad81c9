using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Revocation;

/// <summary>What the online pre-step added to a validation request, and what it could not fetch.</summary>
public sealed record OnlineFetchResult(ChainValidationRequest Request, IReadOnlyList<ChainProblem> Problems, IReadOnlyList<string> FetchedUrls);

/// <summary>
/// Test-CertificateChain -Online: before validation, fetches the CRLs named in each certificate's CRL distribution points
/// and the issuer certificates named in AIA caIssuers when the issuer is missing, and adds them to the request. Results are
/// cached for the process (the PowerShell session) and revalidated on reuse (If-None-Match / If-Modified-Since), so a CRL
/// republished a minute ago is seen, and a large unchanged one is not downloaded twice.
/// <para>The URLs come from the certificate under test, so they are hostile input: only http and https are followed (a
/// <c>file:</c> CDP could name /dev/zero, a FIFO or /etc/shadow; -Online has no parameter through which the user names a
/// URL, so no file: URL is ever trusted); redirects are followed here, at most <see cref="MaxRedirects"/>, and only to http
/// or https; a body stops at <see cref="MaxBytes"/> + 1 bytes; every fetch of one validation shares one
/// <see cref="Deadline"/>, and a certificate's CDP URLs are fetched <see cref="Parallelism"/> at a time, so 40 dead
/// servers cost one deadline, not 40 timeouts. Every failure is a <c>CrlUnreachable</c> problem naming the URL.</para>
/// </summary>
public sealed class OnlineRevocation
{
    // Redirects are followed by FollowRedirects, which checks each hop's scheme: the handler's own redirect support would
    // hand a "302 Location: file:///etc/passwd" to HttpClient, which throws UriFormatException instead of refusing it.
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseProxy = true,
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan, // each request carries its own deadline
    };

    private readonly ConcurrentDictionary<string, Cached> _cache = new(StringComparer.Ordinal);

    private sealed record Cached(byte[] Data, string? ETag, DateTimeOffset? LastModified, DateTimeOffset FetchedAt);

    /// <summary>The cache shared by every -Online call in this process.</summary>
    public static OnlineRevocation Session { get; } = new();

    /// <summary>Longest wait for one URL.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest time all the fetches of one <see cref="Augment"/> take together (unless its call names another).</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Largest CRL or certificate accepted: what the validator's CRL reader accepts (<see cref="WorkBudget.MaxSignedBytes"/>,
    /// 64 MiB); downloading more would only be refused after the download.
    /// </summary>
    public long MaxBytes { get; init; } = WorkBudget.MaxSignedBytes;

    public int MaxFetches { get; init; } = 32;

    /// <summary>Redirect hops followed per URL.</summary>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>URLs of one certificate fetched at the same time.</summary>
    public int Parallelism { get; init; } = 8;

    /// <summary>How many URLs were actually downloaded (not served from the cache); tests read it.</summary>
    public int Downloads => _downloads;
    private int _downloads;

    /// <summary>
    /// Adds the fetched CRLs and issuers to <paramref name="request"/>. <paramref name="deadline"/> (default <see cref="Deadline"/>)
    /// bounds every fetch together; what was not fetched by then is reported, not waited for.
    /// </summary>
    public OnlineFetchResult Augment(ChainValidationRequest request, TimeSpan? deadline = null)
    {
        using var overall = new CancellationTokenSource(deadline ?? Deadline);
        var budgetText = $"{(deadline ?? Deadline).TotalSeconds:0.#} s";
        var problems = new List<ChainProblem>();
        var fetched = new List<string>();
        var crls = request.Crls.ToList();
        var intermediates = request.Intermediates.ToList();
        var roots = request.TrustedRoots.Select(r => r.Thumbprint).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var known = request.TrustedRoots.Concat(intermediates).Append(request.Certificate).ToList();
        var queue = new Queue<X509Certificate2>(new[] { request.Certificate }.Concat(intermediates));
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var urlsTried = new HashSet<string>(StringComparer.Ordinal);
        var budget = MaxFetches;

        while (queue.Count > 0 && budget > 0)
        {
            var cert = queue.Dequeue();
            if (!seen.Add(cert.Thumbprint) || roots.Contains(cert.Thumbprint))
                continue;
            ParsedCertificate parsed;
            try
            {
                parsed = ParsedCertificate.From(cert);
            }
            catch (PkiException)
            {
                continue; // the validator reports unreadable certificates itself
            }

            // AIA caIssuers, only when no certificate with the issuer's name is at hand.
            if (!known.Any(k => k.SubjectName.RawData.AsSpan().SequenceEqual(cert.IssuerName.RawData)))
            {
                var aia = cert.Extensions.OfType<X509AuthorityInformationAccessExtension>().FirstOrDefault();
                foreach (var url in aia?.EnumerateCAIssuersUris() ?? Enumerable.Empty<string>())
                {
                    if (budget <= 0 || !urlsTried.Add(url))
                        continue;
                    budget--;
                    var (data, why) = FetchAsync(url, overall.Token, budgetText).GetAwaiter().GetResult();
                    if (data is not null)
                    {
                        try
                        {
                            foreach (var issuer in ValidationInput.ReadCertificates(data, url))
                            {
                                intermediates.Add(issuer);
                                known.Add(issuer);
                                queue.Enqueue(issuer);
                            }
                            fetched.Add(url);
                            break;
                        }
                        catch (PkiException ex)
                        {
                            why = "not a certificate: " + ex.Message;
                        }
                    }
                    problems.Add(Unreachable($"The AIA caIssuers URL {url} of \"{cert.Subject}\" could not be fetched ({why}); the issuer certificate is missing."));
                }
            }

            // CRL distribution points: each point's first URL (in order) that yields a CRL. All the certificate's URLs are
            // fetched at once: waiting for a dead first URL before trying the next is what made 40 unreachable CDPs take 320 s.
            var points = (parsed.CrlDistributionPoints ?? new List<DistributionPointInfo>())
                .Select(dp => (dp.FullName ?? new List<GeneralName>()).Where(g => g.Kind == GeneralNameKind.Uri && g.Text is not null).Select(g => g.Text!).ToList())
                .Where(uris => uris.Count > 0)
                .ToList();
            var jobs = new List<string>();
            var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var url in points.SelectMany(u => u))
            {
                if (urlsTried.Contains(url) || jobs.Contains(url))
                    continue;
                if (budget <= 0)
                {
                    skipped[url] = $"fetch limit of {MaxFetches} reached";
                    continue;
                }
                budget--;
                jobs.Add(url);
            }
            var results = FetchAll(jobs, overall.Token, budgetText);
            foreach (var uris in points)
            {
                var reasons = new List<string>();
                var ok = false;
                foreach (var url in uris)
                {
                    if (skipped.TryGetValue(url, out var limit))
                    {
                        reasons.Add($"{url}: {limit}");
                        continue;
                    }
                    if (!results.TryGetValue(url, out var result))
                    {
                        ok = true; // already fetched for another certificate or point
                        break;
                    }
                    if (result.Data is null)
                    {
                        reasons.Add($"{url}: {result.Why}");
                        continue;
                    }
                    try
                    {
                        crls.AddRange(ValidationInput.ReadCrls(result.Data, url));
                        fetched.Add(url);
                        ok = true;
                        break;
                    }
                    catch (PkiException ex)
                    {
                        reasons.Add($"{url}: not a CRL ({ex.Message})");
                    }
                }
                if (!ok)
                    problems.Add(Unreachable($"The CRL distribution point of \"{cert.Subject}\" could not be fetched: {string.Join("; ", reasons)}."));
            }
            urlsTried.UnionWith(jobs);
        }

        var augmented = request with
        {
            Crls = crls,
            Intermediates = intermediates,
            RevocationMode = RevocationMode.Check,
        };
        return new OnlineFetchResult(augmented, problems, fetched);
    }

    private static ChainProblem Unreachable(string message) =>
        new(ChainProblemCodes.CrlUnreachable, message, null, ChainProblemSeverity.Warning);

    /// <summary>Fetches <paramref name="urls"/>, <see cref="Parallelism"/> at a time, all under <paramref name="deadline"/>.</summary>
    private Dictionary<string, (byte[]? Data, string Why)> FetchAll(List<string> urls, CancellationToken deadline, string budgetText)
    {
        if (urls.Count == 0)
            return new Dictionary<string, (byte[]?, string)>(StringComparer.Ordinal);
        using var gate = new SemaphoreSlim(Math.Max(1, Parallelism));
        async Task<(string Url, byte[]? Data, string Why)> One(string url)
        {
            try
            {
                await gate.WaitAsync(deadline).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return (url, null, $"not fetched: the {budgetText} deadline for -Online fetches passed");
            }
            try
            {
                var (data, why) = await FetchAsync(url, deadline, budgetText).ConfigureAwait(false);
                return (url, data, why);
            }
            finally
            {
                gate.Release();
            }
        }
        var all = Task.WhenAll(urls.Select(One)).GetAwaiter().GetResult();
        return all.ToDictionary(r => r.Url, r => (r.Data, r.Why), StringComparer.Ordinal);
    }

    /// <summary>Downloads (or revalidates from the cache) one URL; false with a reason when it cannot.</summary>
    public bool TryFetch(string url, out byte[] data, out string why)
    {
        using var overall = new CancellationTokenSource(Deadline);
        var (result, reason) = FetchAsync(url, overall.Token, $"{Deadline.TotalSeconds:0.#} s").GetAwaiter().GetResult();
        data = result ?? Array.Empty<byte>();
        why = reason;
        return result is not null;
    }

    /// <summary>The body, or null and why not. Never throws for what a server or a URL does.</summary>
    private async Task<(byte[]? Data, string Why)> FetchAsync(string url, CancellationToken deadline, string budgetText)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            return (null, "not an absolute URL");
        if (uri.Scheme is not ("http" or "https"))
            return (null, $"{uri.Scheme}: URLs are not fetched (only http and https are followed from a certificate)");
        if (deadline.IsCancellationRequested)
            return (null, $"not fetched: the {budgetText} deadline for -Online fetches passed");
        using var each = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        each.CancelAfter(Timeout);
        try
        {
            return (await FetchHttpAsync(url, uri, each.Token).ConfigureAwait(false), string.Empty);
        }
        catch (OperationCanceledException)
        {
            return (null, deadline.IsCancellationRequested
                ? $"no answer before the {budgetText} deadline for -Online fetches"
                : $"no answer within {Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            return (null, ex.StatusCode is { } code ? $"HTTP {(int)code} {code}" : ex.InnerException?.Message ?? ex.Message);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or System.Security.Authentication.AuthenticationException
            or InvalidOperationException or NotSupportedException or UriFormatException)
        {
            return (null, ex.Message);
        }
    }

    private async Task<byte[]> FetchHttpAsync(string url, Uri uri, CancellationToken token)
    {
        _cache.TryGetValue(url, out var cached);
        using var response = await FollowRedirectsAsync(uri, cached, token).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotModified && cached is not null)
            return cached.Data;
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"HTTP {(int)response.StatusCode}", null, response.StatusCode);
        if (response.Content.Headers.ContentLength is { } length && length > MaxBytes)
            throw new InvalidDataException($"{length} bytes announced, more than the {MaxBytes} byte limit of the CRL reader; not downloaded");
        await using var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        var data = await ReadCappedAsync(stream, token).ConfigureAwait(false);
        Interlocked.Increment(ref _downloads);
        _cache[url] = new Cached(data, response.Headers.ETag?.ToString(), response.Content.Headers.LastModified, DateTimeOffset.UtcNow);
        return data;
    }

    /// <summary>Sends the GET and follows up to <see cref="MaxRedirects"/> redirects, each to http or https only.</summary>
    private async Task<HttpResponseMessage> FollowRedirectsAsync(Uri uri, Cached? cached, CancellationToken token)
    {
        for (var hop = 0; ; hop++)
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, uri);
            if (cached is not null && hop == 0)
            {
                if (cached.ETag is { } etag && EntityTagHeaderValue.TryParse(etag, out var tag))
                    message.Headers.IfNoneMatch.Add(tag);
                // Last-Modified has whole seconds: a CRL republished in the second it was fetched would look unchanged, so the
                // date is only used once it is safely older than the fetch.
                if (cached.LastModified is { } lm && lm < cached.FetchedAt.AddSeconds(-1))
                    message.Headers.IfModifiedSince = lm;
            }
            var response = await Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is not (301 or 302 or 303 or 307 or 308))
                return response;
            var location = response.Headers.Location;
            response.Dispose();
            if (location is null)
                throw new InvalidDataException($"HTTP {status} from {uri} without a Location");
            var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
            if (next.Scheme is not ("http" or "https"))
                throw new InvalidDataException($"redirected to {next.OriginalString}, refused (redirects are followed only to http and https)");
            if (hop + 1 > MaxRedirects)
                throw new InvalidDataException($"more than {MaxRedirects} redirects");
            uri = next;
        }
    }

    /// <summary>Reads at most <see cref="MaxBytes"/> + 1 bytes: one byte more than the limit is enough to know it is too long.</summary>
    private async Task<byte[]> ReadCappedAsync(Stream stream, CancellationToken token)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var want = (int)Math.Min(chunk.Length, MaxBytes + 1 - buffer.Length);
            var read = await stream.ReadAsync(chunk.AsMemory(0, want), token).ConfigureAwait(false);
            if (read == 0)
                return buffer.ToArray();
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBytes)
                throw new InvalidDataException($"more than the {MaxBytes} byte limit of the CRL reader; stopped reading");
        }
    }
}
