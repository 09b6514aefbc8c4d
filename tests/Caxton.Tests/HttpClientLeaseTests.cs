using System.Net;
using System.Runtime.CompilerServices;
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
    private static readonly Uri Proxy = new("http://127.0.0.1:9/");

    private static TransportSettings ProxySettings(string password = "proxy-P@ss") => new()
    {
        Proxy = Proxy,
        ProxyCredential = new NetworkCredential("proxy-user", password),
    };

    [Fact]
    public void Identical_settings_share_one_handler_and_different_ones_do_not()
    {
        var before = HttpClientSource.OwnHandlerCount;
        var first = new CaxtonConnection(Fake.BaseUri, "a", null, null, ProxySettings());
        var same = new CaxtonConnection(Fake.BaseUri, "b", null, null, ProxySettings());
        Assert.Equal(before + 1, HttpClientSource.OwnHandlerCount);

        var otherPassword = new CaxtonConnection(Fake.BaseUri, "c", null, null, ProxySettings("other"));
        var skip = new CaxtonConnection(Fake.BaseUri, "d", null, null, new TransportSettings { SkipCertificateCheck = true });
        Assert.Equal(before + 3, HttpClientSource.OwnHandlerCount);

        first.Disconnect();
        Assert.Equal(before + 3, HttpClientSource.OwnHandlerCount); // "b" still uses it
        same.Disconnect();
        otherPassword.Disconnect();
        skip.Disconnect();
        Assert.Equal(before, HttpClientSource.OwnHandlerCount);
    }

    [Fact]
    public void Two_hundred_connect_and_disconnect_rounds_leave_nothing_behind()
    {
        var before = HttpClientSource.OwnHandlerCount;
        for (var round = 0; round < 200; round++)
        {
            var settings = ProxySettings($"pw-{round}");
            settings.SkipCertificateCheck = round % 2 == 0;
            var connection = new CaxtonConnection(Fake.BaseUri, "p", null, null, settings);
            connection.Disconnect();
        }

        Assert.Equal(before, HttpClientSource.OwnHandlerCount);
    }

    [Fact]
    public void Disconnect_drops_the_proxy_credential_and_a_later_call_leases_again()
    {
        var before = HttpClientSource.OwnHandlerCount;
        var settings = ProxySettings();
        var connection = new CaxtonConnection(Fake.BaseUri, "p", null, null, settings);
        connection.Disconnect();
        Assert.Null(settings.ProxyCredential);
        Assert.Equal(before, HttpClientSource.OwnHandlerCount);

        // Used after Disconnect, it leases a handler for what it holds now (no proxy credential).
        var lease = settings.AcquireClients();
        using (lease.CreateClient())
        {
            Assert.Equal(before + 1, HttpClientSource.OwnHandlerCount);
        }

        lease.Dispose();
        lease.Dispose(); // twice is harmless
        Assert.Equal(before, HttpClientSource.OwnHandlerCount);
        Assert.Throws<ObjectDisposedException>(() => lease.CreateClient());
    }

    [Fact]
    public void Connections_dropped_without_Disconnect_are_released_by_the_garbage_collector()
    {
        var before = HttpClientSource.OwnHandlerCount;
        MakeAndDrop(50);
        Assert.Equal(before + 50, HttpClientSource.OwnHandlerCount);

        // Bounded: finalizers run on the next collections; never a wait on the clock.
        for (var pass = 0; pass < 10 && HttpClientSource.OwnHandlerCount != before; pass++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.Equal(before, HttpClientSource.OwnHandlerCount);
    }

    [Fact]
    public void Default_settings_use_the_pooled_factory_and_hold_no_handler_of_their_own()
    {
        var before = HttpClientSource.OwnHandlerCount;
        var connection = new CaxtonConnection(Fake.BaseUri);
        Assert.Equal(before, HttpClientSource.OwnHandlerCount);
        connection.Disconnect();
        Assert.Equal(before, HttpClientSource.OwnHandlerCount);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MakeAndDrop(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _ = new CaxtonConnection(Fake.BaseUri, null, null, null, ProxySettings($"dropped-{i}"));
        }
    }
}
