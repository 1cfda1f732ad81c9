using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ZscalerPki.Core.Trust;

/// <summary>
/// A loopback HTTPS server (.NET SslStream) presenting a leaf and its chain, answering every request with 200 "ok" and
/// remembering the paths it was asked for: a client whose request arrived completed a TLS handshake, i.e. trusted the chain.
/// Bound to 127.0.0.1 (and ::1 on the same port when possible), never to another interface; requests are bounded (8 KB, 10 s).
/// </summary>
public sealed class LoopbackTlsServer : IDisposable
{
    private readonly List<TcpListener> _listeners = new();
    private readonly SslStreamCertificateContext _context;
    private readonly ConcurrentBag<string> _paths = new();
    private readonly CancellationTokenSource _stop = new();

    public LoopbackTlsServer(X509Certificate2 leafWithKey, IReadOnlyList<X509Certificate2> chain)
    {
        if (!leafWithKey.HasPrivateKey)
            throw new ArgumentException("The server certificate needs its private key.", nameof(leafWithKey));
        // A PKCS#12 round trip gives SslStream a key it can use on every platform.
#pragma warning disable SYSLIB0057 // net8.0 has no X509CertificateLoader
        var leaf = new X509Certificate2(leafWithKey.Export(X509ContentType.Pkcs12), (string?)null, X509KeyStorageFlags.Exportable);
#pragma warning restore SYSLIB0057
        _context = SslStreamCertificateContext.Create(leaf, new X509Certificate2Collection(chain.ToArray()), offline: true);
        var v4 = new TcpListener(IPAddress.Loopback, 0);
        v4.Start();
        _listeners.Add(v4);
        Port = ((IPEndPoint)v4.LocalEndpoint).Port;
        try
        {
            var v6 = new TcpListener(IPAddress.IPv6Loopback, Port);
            v6.Start();
            _listeners.Add(v6);
        }
        catch (SocketException)
        {
            // no IPv6 loopback here: clients resolving localhost fall back to 127.0.0.1
        }
        foreach (var l in _listeners)
            _ = AcceptLoop(l);
    }

    public int Port { get; }

    public string Url(string path) => $"https://localhost:{Port}{path}";

    /// <summary>True when a request whose path holds <paramref name="token"/> arrived over a completed handshake.</summary>
    public bool SawRequest(string token) => _paths.Any(p => p.Contains(token, StringComparison.Ordinal));

    private async Task AcceptLoop(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Serve(client);
        }
    }

    private async Task Serve(TcpClient client)
    {
        using var _ = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await using var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = _context }, timeout.Token).ConfigureAwait(false);
            var buffer = new byte[8192];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await ssl.ReadAsync(buffer.AsMemory(read), timeout.Token).ConfigureAwait(false);
                if (n == 0)
                    break;
                read += n;
                if (Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal) || Encoding.ASCII.GetString(buffer, 0, read).Contains("\n\n", StringComparison.Ordinal))
                    break;
            }
            var request = Encoding.ASCII.GetString(buffer, 0, read);
            var line = request.Split('\n')[0].Trim();
            var parts = line.Split(' ');
            if (parts.Length >= 2)
                _paths.Add(parts[1]);
            var body = "ok\n";
            await ssl.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"), timeout.Token).ConfigureAwait(false);
            await ssl.FlushAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                await ssl.ShutdownAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or SocketException or ObjectDisposedException)
        {
            // a client that refused the chain closes the handshake: that is the answer, not a server error
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var l in _listeners)
            l.Stop();
        _stop.Dispose();
    }
}
