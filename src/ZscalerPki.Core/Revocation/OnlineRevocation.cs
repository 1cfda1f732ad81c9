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
/// (http, https, file) and the issuer certificates named in AIA caIssuers when the issuer is missing, and adds them to the
/// request. Each fetch has a timeout and a size cap; at most <see cref="MaxFetches"/> per request. Results are cached for the
/// process (the PowerShell session) and revalidated on reuse (HTTP If-None-Match / If-Modified-Since; a file's time and
/// length), so a CRL republished a minute ago is seen, and a large unchanged one is not downloaded twice.
/// </summary>
public sealed class OnlineRevocation
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 3,
        AutomaticDecompression = DecompressionMethods.None,
        UseProxy = true,
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan, // each request carries its own deadline
    };

    private readonly ConcurrentDictionary<string, Cached> _cache = new(StringComparer.Ordinal);

    private sealed record Cached(byte[] Data, string? ETag, DateTimeOffset? LastModified, DateTime? FileTime, long FileLength, DateTimeOffset FetchedAt = default);

    /// <summary>The cache shared by every -Online call in this process.</summary>
    public static OnlineRevocation Session { get; } = new();

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest CRL or certificate accepted (a CRL with a million entries is about 50 MB).</summary>
    public long MaxBytes { get; init; } = 128L * 1024 * 1024;

    public int MaxFetches { get; init; } = 32;

    /// <summary>How many URLs were actually downloaded (not served from the cache); tests read it.</summary>
    public int Downloads => _downloads;
    private int _downloads;

    public OnlineFetchResult Augment(ChainValidationRequest request)
    {
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
                    if (TryFetch(url, out var data, out var why))
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

            // CRL distribution points: the first URL of each point that yields a CRL.
            foreach (var dp in parsed.CrlDistributionPoints ?? new List<DistributionPointInfo>())
            {
                var uris = (dp.FullName ?? new List<GeneralName>()).Where(g => g.Kind == GeneralNameKind.Uri && g.Text is not null).Select(g => g.Text!).ToList();
                if (uris.Count == 0)
                    continue;
                var reasons = new List<string>();
                var ok = false;
                foreach (var url in uris)
                {
                    if (budget <= 0)
                    {
                        reasons.Add($"{url}: fetch limit of {MaxFetches} reached");
                        break;
                    }
                    if (!urlsTried.Add(url))
                    {
                        ok = true; // already fetched for another certificate
                        break;
                    }
                    budget--;
                    if (!TryFetch(url, out var data, out var why))
                    {
                        reasons.Add($"{url}: {why}");
                        continue;
                    }
                    try
                    {
                        crls.AddRange(ValidationInput.ReadCrls(data, url));
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

    /// <summary>Downloads (or revalidates from the cache) one URL; false with a reason when it cannot.</summary>
    public bool TryFetch(string url, out byte[] data, out string why)
    {
        data = Array.Empty<byte>();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            why = "not an absolute URL";
            return false;
        }
        try
        {
            switch (uri.Scheme)
            {
                case "http":
                case "https":
                    data = FetchHttp(url, uri);
                    break;
                case "file":
                    data = FetchFile(url, uri.LocalPath);
                    break;
                default:
                    why = $"{uri.Scheme}: URLs are not fetched (only http, https and file)";
                    return false;
            }
            why = string.Empty;
            return true;
        }
        catch (OperationCanceledException)
        {
            why = $"no answer within {Timeout.TotalSeconds:0.#} s";
        }
        catch (HttpRequestException ex)
        {
            why = ex.StatusCode is { } code ? $"HTTP {(int)code} {code}" : ex.InnerException?.Message ?? ex.Message;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            why = ex.Message;
        }
        return false;
    }

    private byte[] FetchHttp(string url, Uri uri)
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var message = new HttpRequestMessage(HttpMethod.Get, uri);
        _cache.TryGetValue(url, out var cached);
        if (cached is not null)
        {
            if (cached.ETag is { } etag && EntityTagHeaderValue.TryParse(etag, out var tag))
                message.Headers.IfNoneMatch.Add(tag);
            // Last-Modified has whole seconds: a CRL republished in the second it was fetched would look unchanged, so the
            // date is only used once it is safely older than the fetch.
            if (cached.LastModified is { } lm && lm < cached.FetchedAt.AddSeconds(-1))
                message.Headers.IfModifiedSince = lm;
        }
        using var response = Http.Send(message, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        if (response.StatusCode == HttpStatusCode.NotModified && cached is not null)
            return cached.Data;
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"HTTP {(int)response.StatusCode}", null, response.StatusCode);
        if (response.Content.Headers.ContentLength is { } length && length > MaxBytes)
            throw new InvalidDataException($"{length} bytes is more than the {MaxBytes} byte limit");
        using var stream = response.Content.ReadAsStream(cts.Token);
        var data = ReadCapped(stream, cts.Token);
        Interlocked.Increment(ref _downloads);
        _cache[url] = new Cached(data, response.Headers.ETag?.ToString(), response.Content.Headers.LastModified, null, 0, DateTimeOffset.UtcNow);
        return data;
    }

    private byte[] FetchFile(string url, string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new FileNotFoundException($"the file {path} does not exist");
        if (_cache.TryGetValue(url, out var cached) && cached.FileTime == info.LastWriteTimeUtc && cached.FileLength == info.Length)
            return cached.Data;
        if (info.Length > MaxBytes)
            throw new InvalidDataException($"{info.Length} bytes is more than the {MaxBytes} byte limit");
        var data = File.ReadAllBytes(path);
        Interlocked.Increment(ref _downloads);
        _cache[url] = new Cached(data, null, null, info.LastWriteTimeUtc, info.Length);
        return data;
    }

    private byte[] ReadCapped(Stream stream, CancellationToken token)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.ReadAsync(chunk, token).AsTask().GetAwaiter().GetResult()) > 0)
        {
            if (buffer.Length + read > MaxBytes)
                throw new InvalidDataException($"more than the {MaxBytes} byte limit");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
