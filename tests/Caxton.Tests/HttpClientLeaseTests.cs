using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Xunit;

namespace Caxton.Tests;

[CollectionDefinition("HTTP handlers", DisableParallelization = true)]
public class HttpHandlerCollection
{
}

/// <summary>Handlers for proxy and certificate settings: shared by identical settings, gone with the last connection.</summary>
[Collection("HTTP handlers")]
public class HttpClientLeaseTests
{
    // A proxy of this test's own (xunit makes an instance per test): the handlers counted are this
    // test's alone, whatever other tests, or the finalizers of their connections, do meanwhile.
    private readonly Uri proxy = new($"http://127.0.0.1:9/{Guid.NewGuid():n}/");

    private CaxtonTransportOptions ProxySettings(string password = "proxy-P@ss") => new()
    {
        Proxy = proxy,
        ProxyCredential = new NetworkCredential("proxy-user", password),
    };

    private int OwnHandlers => HttpClientSource.OwnHandlerCount(proxy);

    [Fact]
    public void Identical_settings_share_one_handler_and_different_ones_do_not()
    {
        var first = new CaxtonConnection(Fake.BaseUri, "a", null, null, ProxySettings());
        var same = new CaxtonConnection(Fake.BaseUri, "b", null, null, ProxySettings());
        Assert.Equal(1, OwnHandlers);

        var otherPassword = new CaxtonConnection(Fake.BaseUri, "c", null, null, ProxySettings("other"));
        var skip = new CaxtonConnection(Fake.BaseUri, "d", null, null, ProxySettings() with { SkipCertificateCheck = true });
        Assert.Equal(3, OwnHandlers);

        first.Disconnect();
        Assert.Equal(3, OwnHandlers); // "b" still uses it
        same.Disconnect();
        otherPassword.Disconnect();
        skip.Disconnect();
        Assert.Equal(0, OwnHandlers);
    }

    [Fact]
    public void Two_hundred_connect_and_disconnect_rounds_leave_nothing_behind()
    {
        for (var round = 0; round < 200; round++)
        {
            var settings = ProxySettings($"pw-{round}") with { SkipCertificateCheck = round % 2 == 0 };
            var connection = new CaxtonConnection(Fake.BaseUri, "p", null, null, settings);
            connection.Disconnect();
        }

        Assert.Equal(0, OwnHandlers);
    }

    [Fact]
    public async Task Disconnect_drops_the_proxy_credential_and_a_later_call_leases_again()
    {
        var settings = ProxySettings();
        var connection = new CaxtonConnection(Fake.BaseUri, "p", null, TimeSpan.FromSeconds(5), settings with { MaximumRetryCount = 0 }); // off this machine: loopback never uses a proxy
        connection.Disconnect();
        Assert.NotNull(settings.ProxyCredential); // the caller's options are immutable: only the connection's copy changed
        Assert.Equal(0, OwnHandlers);

        // Used after Disconnect, it leases a handler again (its proxy refuses: nothing listens on port 9).
        connection.SetCredential("u", Fake.Secure("p1"));
        await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(true, NullLog.Instance, CancellationToken.None));
        Assert.Equal(1, OwnHandlers);

        connection.Disconnect();
        connection.Disconnect(); // twice is harmless
        Assert.Equal(0, OwnHandlers);
    }

    [Fact]
    public void Connections_dropped_without_Disconnect_are_released_by_their_finalizers()
    {
        MakeAndDrop(50);
        Assert.Equal(50, OwnHandlers);

        // Only this test's connections are counted, and nothing else holds them: after a full
        // collection and its finalizers, every one of them is released.
        for (var pass = 0; pass < 10 && OwnHandlers != 0; pass++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.Equal(0, OwnHandlers);
    }

    [Fact]
    public void Default_settings_use_the_pooled_factory_and_hold_no_handler_of_their_own()
    {
        Assert.Same(HttpClientLease.Shared, HttpClientSource.Acquire(false, null, null, false));
        Assert.Same(HttpClientLease.Shared, CaxtonTransportOptions.Default.AcquireClients());
    }

    [Fact]
    public async Task Preparing_builds_the_client_reaches_no_host_and_the_first_call_still_works()
    {
        // Connect-Caxton's warm-up builds the HTTP stack only: no connection, not one byte of a request.
        var host = new TcpListener(IPAddress.Loopback, 0);
        host.Start();
        try
        {
            var connection = new CaxtonConnection(new Uri($"http://127.0.0.1:{((IPEndPoint)host.LocalEndpoint).Port}/api/"), "warm", null, TimeSpan.FromSeconds(30), new CaxtonTransportOptions { MaximumRetryCount = 0 });
            await connection.PrepareAsync();
            Assert.False(host.Pending(), "the warm-up opened a connection to the host");

            connection.SetCredential("u", Fake.Secure("p1"));
            var call = connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None);
            using var opened = await host.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(10));
            var buffer = new byte[8192];
            var read = await opened.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.StartsWith("POST /api/token HTTP/1.1", Encoding.ASCII.GetString(buffer, 0, read));
            var body = "{\"access_token\":\"warm-token\",\"token_type\":\"bearer\",\"expires_in\":3600}";
            await opened.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}"), SocketFlags.None);
            Assert.Equal("warm-token", Fake.Plain((await call).AccessToken));
            connection.Disconnect();
        }
        finally
        {
            host.Stop();
        }
    }

    [Fact]
    public async Task Preparing_a_connection_with_a_proxy_reaches_neither_the_proxy_nor_the_host_and_holds_no_handler()
    {
        // A host off this machine (loopback ones never use a proxy): the warm-up must not open a connection
        // through the proxy, nor around it, and must take no handler (and so no proxy credential).
        var proxy = new TcpListener(IPAddress.Loopback, 0);
        proxy.Start();
        try
        {
            var proxyUri = new Uri($"http://127.0.0.1:{((IPEndPoint)proxy.LocalEndpoint).Port}/");
            var before = HttpClientSource.OwnHandlerCount(proxyUri);
            var proxied = new CaxtonConnection(
                new Uri("https://api.example.test/api/"), "proxied", null, null,
                new CaxtonTransportOptions { Proxy = proxyUri, ProxyCredential = new NetworkCredential("proxy-user", "proxy-P@ss") });
            await proxied.PrepareAsync();
            proxied.PrepareInBackground();
            await proxied.PrepareAsync();

            Assert.False(proxy.Pending(), "the warm-up reached the proxy");
            proxied.Disconnect();
            Assert.Equal(before, HttpClientSource.OwnHandlerCount(proxyUri));
        }
        finally
        {
            proxy.Stop();
        }
    }

    [Fact]
    public async Task The_proxy_hears_the_credential_before_Disconnect_and_never_after()
    {
        using var proxy = new RecordingProxy();
        var settings = new CaxtonTransportOptions { Proxy = proxy.Uri, ProxyCredential = new NetworkCredential("proxy-user", "proxy-P@ss"), MaximumRetryCount = 0 };

        // A host off the machine, reached through the proxy's tunnel (CONNECT), which this proxy answers
        // with a token instead of a tunnel: the call fails, after the proxy heard its credential.
        var connection = new CaxtonConnection(new Uri("https://caxton.example.test/api/"), "p", null, TimeSpan.FromSeconds(30), settings);
        connection.SetCredential("u", Fake.Secure("p1"));
        await Assert.ThrowsAnyAsync<CaxtonException>(() => connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None));
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("proxy-user:proxy-P@ss"));
        Assert.Contains(expected, proxy.Authorizations);

        connection.Disconnect();
        proxy.Authorizations.Clear();
        connection.SetCredential("u", Fake.Secure("p1"));
        await Assert.ThrowsAnyAsync<CaxtonException>(() => connection.GetTokenAsync(true, NullLog.Instance, CancellationToken.None));
        Assert.True(proxy.Requests > 2, "the connection was used again after Disconnect");
        Assert.Empty(proxy.Authorizations);
        connection.Disconnect();
    }

    // Issue 19, finding 2: a connection to this machine never goes through a proxy, explicit or from the environment.

    [Theory]
    [InlineData("http://127.0.0.1:{0}/api/")]
    [InlineData("http://localhost:{0}/api/")]
    [InlineData("http://127.0.0.2:{0}/api/")]
    public async Task A_loopback_base_URI_never_uses_the_proxy_given(string baseUri)
    {
        using var proxy = new RecordingProxy();
        using var server = new Caxton.Hostile.HostileServer();
        server.On("/token", Caxton.Hostile.HostileReply.Token("direct-token"));
        var settings = new CaxtonTransportOptions { Proxy = proxy.Uri, ProxyCredential = new NetworkCredential("proxy-user", "proxy-P@ss"), MaximumRetryCount = 0 };
        var connection = new CaxtonConnection(new Uri(string.Format(System.Globalization.CultureInfo.InvariantCulture, baseUri, server.BaseUri.Port)), "p", null, TimeSpan.FromSeconds(30), settings);
        connection.SetCredential("u", Fake.Secure("p1"));

        // 127.0.0.2 is loopback too, but nothing listens there unless the OS routes all of 127/8 here.
        try
        {
            await connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None);
        }
        catch (CaxtonException error) when (baseUri.Contains("127.0.0.2", StringComparison.Ordinal) && error.ErrorId == CaxtonErrorIds.ConnectionFailed)
        {
        }

        Assert.Equal(0, proxy.Requests);
        Assert.Null(connection.Proxy);
        Assert.Null(connection.TransportOptions.ProxyCredential);
        connection.Disconnect();
    }

    [Fact]
    public async Task A_loopback_base_URI_never_uses_a_proxy_from_the_environment()
    {
        // The system proxy is read once a process, so a fresh process is the only honest test: the
        // Pester suite runs one (Hostile.Tests.ps1, 'Plain http stays on this machine'). Here: the handler
        // of a loopback connection has proxies off altogether, so no environment can turn one on.
        var connection = new CaxtonConnection(new Uri("http://127.0.0.1:9/api/"));
        Assert.True(connection.TransportOptions.Direct);
        var lease = connection.TransportOptions.AcquireClients();
        Assert.Same(HttpClientLease.SharedDirect, lease); // the factory's direct client, not the shared one (which follows HTTP_PROXY)
        using (var client = lease.CreateClient())
        {
            Assert.NotNull(client);
        }

        lease.Dispose();
        connection.Disconnect();
        using (var again = new CaxtonConnection(new Uri("http://localhost:9/api/")).TransportOptions.AcquireClients().CreateClient())
        {
            Assert.NotNull(again); // disposing one lease leaves the direct client to the others
        }

        Assert.Same(HttpClientLease.Shared, new CaxtonConnection(Fake.BaseUri).TransportOptions.AcquireClients());
        Assert.False(new CaxtonConnection(Fake.BaseUri).TransportOptions.Direct);
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData("http://user:proxy-secret-pw@proxy.example.test:3128/")]
    [InlineData("http://:proxy-secret-pw@proxy.example.test:3128/")]
    public void A_proxy_URI_with_userinfo_is_InvalidProxyUri_and_shows_no_password(string proxy)
    {
        var error = Assert.Throws<CaxtonException>(() => new CaxtonConnection(Fake.BaseUri, null, null, null, new CaxtonTransportOptions { Proxy = new Uri(proxy) }));

        Assert.Equal(CaxtonErrorIds.InvalidProxyUri, error.ErrorId);
        Assert.Equal(CaxtonErrorKind.InvalidArgument, error.Kind);
        Assert.DoesNotContain("proxy-secret-pw", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A loopback HTTP proxy that demands Basic credentials (407 without them) and answers every
    /// authenticated request with a token; it records each Proxy-Authorization it is sent.
    /// </summary>
    private sealed class RecordingProxy : IDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource stop = new();
        private int requests;

        public RecordingProxy()
        {
            listener.Start();
            Uri = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
            _ = Task.Run(() => LoopbackAccept.EachAsync(listener, stop.Token, AnswerAsync));
        }

        public Uri Uri { get; }

        public System.Collections.Concurrent.ConcurrentBag<string> Authorizations { get; } = new();

        public int Requests => Volatile.Read(ref requests);

        public void Dispose()
        {
            stop.Cancel();
            listener.Stop();
        }

        // Keeps the connection open: the client answers a 407 on the same connection.
        private async Task AnswerAsync(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.ASCII);
                while (true)
                {
                    var requestLine = await reader.ReadLineAsync();
                    if (string.IsNullOrEmpty(requestLine))
                    {
                        return;
                    }

                    var length = 0;
                    string? authorization = null;
                    for (var line = await reader.ReadLineAsync(); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync())
                    {
                        if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        {
                            length = int.Parse(line["Content-Length:".Length..].Trim());
                        }
                        else if (line.StartsWith("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase))
                        {
                            authorization = line["Proxy-Authorization:".Length..].Trim();
                        }
                    }

                    var body = new char[length];
                    for (var read = 0; read < length;)
                    {
                        read += await reader.ReadAsync(body, read, length - read);
                    }

                    Interlocked.Increment(ref requests);
                    string response;
                    if (authorization is null)
                    {
                        response = "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n";
                    }
                    else
                    {
                        Authorizations.Add(authorization);
                        var json = Fake.TokenJson("proxied-token");
                        response = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}";
                    }

                    var bytes = Encoding.UTF8.GetBytes(response);
                    await stream.WriteAsync(bytes);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void MakeAndDrop(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _ = new CaxtonConnection(Fake.BaseUri, null, null, null, ProxySettings($"dropped-{i}"));
        }
    }
}
