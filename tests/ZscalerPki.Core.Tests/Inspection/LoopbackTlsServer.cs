using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ZscalerPki.Core.Tests.Inspection;

/// <summary>
/// A TLS server on 127.0.0.1 (ephemeral port) that presents, per connection, the certificate and chain a callback picks for
/// the requested SNI name — what an inspecting proxy does. Answers one HTTP/1.0 response and closes. Bounded: at most
/// <c>maxConnections</c> connections, 10 s per connection; disposing stops the listener and waits for the accept loop.
/// </summary>
public sealed class LoopbackTlsServer : IAsyncDisposable
{
    public const string Body = "hello from the inspection test server";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<string, SslStreamCertificateContext> _select;

    public LoopbackTlsServer(Func<string, SslStreamCertificateContext> select, int maxConnections = 50)
    {
        _select = select;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(() => AcceptLoop(maxConnections));
    }

    public int Port { get; }
    public List<string> RequestedNames { get; } = new();

    /// <summary>The context a server needs: the leaf with its key, and the certificates to send after it.</summary>
    public static SslStreamCertificateContext Context(X509Certificate2 leafWithKey, IEnumerable<X509Certificate2> chain)
    {
        var leaf = leafWithKey;
        if (OperatingSystem.IsWindows())
            leaf = X509CertificateLoader.LoadPkcs12(leafWithKey.Export(X509ContentType.Pkcs12), null); // SChannel wants a stored key
        return SslStreamCertificateContext.Create(leaf, new X509Certificate2Collection(chain.ToArray()), offline: true);
    }

    private async Task AcceptLoop(int maxConnections)
    {
        for (var i = 0; i < maxConnections && !_stop.IsCancellationRequested; i++)
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
        using var connection = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await using var ssl = new SslStream(connection.GetStream());
            var options = new SslServerAuthenticationOptions();
            await ssl.AuthenticateAsServerAsync((stream, info, state, ct) =>
            {
                var name = info.ServerName ?? string.Empty; // empty: no SNI (an IP address was dialled)
                lock (RequestedNames)
                    RequestedNames.Add(name);
                return ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificateContext = _select(name) });
            }, null, timeout.Token);
            var buffer = new byte[4096];
            // Read the request if the client sends one (curl, python); openssl s_client sends nothing, so do not wait long.
            using (var readWindow = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token))
            {
                readWindow.CancelAfter(TimeSpan.FromMilliseconds(500));
                try
                {
                    _ = await ssl.ReadAsync(buffer, readWindow.Token);
                }
                catch (OperationCanceledException) when (!timeout.IsCancellationRequested)
                {
                }
            }
            var response = Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {Body.Length}\r\nConnection: close\r\n\r\n{Body}");
            await ssl.WriteAsync(response, timeout.Token);
            await ssl.ShutdownAsync();
        }
        catch (Exception)
        {
            // A client that rejects the certificate aborts the handshake: expected in the negative cases.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
        }
        _stop.Dispose();
    }
}
