using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZscalerPki.Core.Tests.Revocation;

/// <summary>
/// Serves a folder over HTTP/1.1 on 127.0.0.1 (a port the OS picks), for CDP and AIA fetches in tests: GET only,
/// Last-Modified and If-Modified-Since (304), one request per connection. Hostile paths: <c>slow/</c> (answers after
/// <see cref="SlowDelay"/>), <c>302/&lt;target&gt;</c> (redirects there), <c>endless/</c> (a body that never ends). Stops when disposed; loopback only.
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _root;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;
    private int _notModified;

    public LoopbackHttpServer(string root)
    {
        _root = Path.GetFullPath(root);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(Loop);
    }

    public int Port { get; }
    public string Url(string file) => $"http://127.0.0.1:{Port}/{file}";
    public int Requests => _requests;
    public int NotModified => _notModified;
    /// <summary>Paths that answer after this delay (timeout tests).</summary>
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Send ETags and answer If-None-Match (else only Last-Modified / If-Modified-Since).</summary>
    public bool UseETag { get; set; } = true;

    private async Task Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.ASCII, false, 4096, leaveOpen: true);
                var requestLine = await reader.ReadLineAsync() ?? string.Empty;
                DateTimeOffset? ifModifiedSince = null;
                string? ifNoneMatch = null;
                string? line;
                while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync()))
                {
                    if (line.StartsWith("If-None-Match:", StringComparison.OrdinalIgnoreCase))
                        ifNoneMatch = line[14..].Trim();
                    if (line.StartsWith("If-Modified-Since:", StringComparison.OrdinalIgnoreCase)
                        && DateTimeOffset.TryParse(line[18..].Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var ims))
                        ifModifiedSince = ims;
                }
                Interlocked.Increment(ref _requests);
                var parts = requestLine.Split(' ');
                var path = parts.Length > 1 ? Uri.UnescapeDataString(parts[1].TrimStart('/')) : string.Empty;
                if (path.StartsWith("302/", StringComparison.Ordinal))
                {
                    // "302/<target>": a redirect to whatever follows (file:///etc/passwd, another scheme, a relative path).
                    var head = $"HTTP/1.1 302 Found\r\nLocation: {path[4..]}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                    return;
                }
                if (path.StartsWith("endless/", StringComparison.Ordinal))
                {
                    // A body without a length that never ends: zeros until the client hangs up.
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nConnection: close\r\n\r\n"));
                    var zeros = new byte[65536];
                    while (!_stop.IsCancellationRequested)
                        await stream.WriteAsync(zeros, _stop.Token);
                    return;
                }
                if (path.StartsWith("slow/", StringComparison.Ordinal))
                {
                    await Task.Delay(SlowDelay, _stop.Token);
                    path = path[5..];
                }
                var file = Path.GetFullPath(Path.Combine(_root, path));
                if (!file.StartsWith(_root, StringComparison.Ordinal) || !File.Exists(file))
                {
                    await Write(stream, "404 Not Found", Array.Empty<byte>(), null);
                    return;
                }
                var modified = new DateTimeOffset(File.GetLastWriteTimeUtc(file));
                modified = new DateTimeOffset(modified.Ticks - modified.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
                var etag = $"\"{File.GetLastWriteTimeUtc(file).Ticks:x}-{new FileInfo(file).Length:x}\"";
                if (UseETag ? ifNoneMatch == etag : ifModifiedSince is { } since && modified <= since)
                {
                    Interlocked.Increment(ref _notModified);
                    await Write(stream, "304 Not Modified", Array.Empty<byte>(), modified);
                    return;
                }
                await Write(stream, "200 OK", await File.ReadAllBytesAsync(file), modified, UseETag ? etag : null);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
            }
        }
    }

    private static async Task Write(NetworkStream stream, string status, byte[] body, DateTimeOffset? modified, string? etag = null)
    {
        var head = $"HTTP/1.1 {status}\r\nContent-Length: {body.Length}\r\nContent-Type: application/pkix-crl\r\nConnection: close\r\n" +
                   (modified is { } m ? $"Last-Modified: {m.UtcDateTime.ToString("R", CultureInfo.InvariantCulture)}\r\n" : string.Empty) +
                   (etag is null ? string.Empty : $"ETag: {etag}\r\n") + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
