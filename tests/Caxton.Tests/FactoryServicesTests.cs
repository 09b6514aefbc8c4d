using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Xunit;

namespace Caxton.Tests;

/// <summary>
/// The factory's services without the dependency-injection container: each lifetime and lookup rule the
/// factory relies on, and the factory itself against the container, registration for registration.
/// </summary>
public class FactoryServicesTests
{
    private sealed class Counted : IDisposable
    {
        public int Disposals { get; private set; }

        public void Dispose() => Disposals++;
    }

    private interface IGreeting
    {
        string Text { get; }
    }

    private sealed class Hello : IGreeting
    {
        public string Text => "hello";
    }

    private sealed class Goodbye : IGreeting
    {
        public string Text => "goodbye";
    }

    private sealed class Wrapper<T>
    {
        public Wrapper(IEnumerable<IGreeting> greetings) => Greetings = greetings.Select(g => g.Text).ToArray();

        public string[] Greetings { get; }

        public Type Argument => typeof(T);
    }

    private sealed class NeedsCounted
    {
        public NeedsCounted(Counted counted) => Counted = counted;

        public Counted Counted { get; }
    }

    [Fact]
    public void Each_lifetime_gives_the_instances_the_container_would()
    {
        var services = new ServiceCollection()
            .AddSingleton<Counted>()
            .AddScoped<NeedsCounted>()
            .AddTransient<IGreeting, Hello>();
        using var root = new FactoryServices(services);

        Assert.Same(root.GetService(typeof(Counted)), root.GetService(typeof(Counted)));
        Assert.NotSame(root.GetService(typeof(IGreeting)), root.GetService(typeof(IGreeting)));

        using var scope = root.CreateScope();
        using var other = root.CreateScope();
        var scoped = (NeedsCounted)scope.ServiceProvider.GetService(typeof(NeedsCounted))!;
        Assert.Same(scoped, scope.ServiceProvider.GetService(typeof(NeedsCounted)));
        Assert.NotSame(scoped, other.ServiceProvider.GetService(typeof(NeedsCounted)));

        // A singleton is the root's, whichever scope asks first.
        Assert.Same(root.GetService(typeof(Counted)), scoped.Counted);
    }

    [Fact]
    public void Disposing_a_scope_disposes_what_it_made_and_never_a_singleton()
    {
        var services = new ServiceCollection()
            .AddSingleton<NeedsCounted>()
            .AddScoped<Counted>();
        using var root = new FactoryServices(services);
        var scope = root.CreateScope();
        var scoped = (Counted)scope.ServiceProvider.GetService(typeof(Counted))!;
        var singletonsCounted = ((NeedsCounted)scope.ServiceProvider.GetService(typeof(NeedsCounted))!).Counted;

        scope.Dispose();
        scope.Dispose();

        Assert.Equal(1, scoped.Disposals);
        Assert.NotSame(scoped, singletonsCounted);
        Assert.Equal(0, singletonsCounted.Disposals);
        Assert.Throws<ObjectDisposedException>(() => scope.ServiceProvider.GetService(typeof(Counted)));
    }

    [Fact]
    public void The_last_registration_wins_and_IEnumerable_gives_all_in_order()
    {
        var services = new ServiceCollection()
            .AddSingleton<IGreeting, Hello>()
            .AddSingleton<IGreeting, Goodbye>();
        using var root = new FactoryServices(services);

        Assert.Equal("goodbye", ((IGreeting)root.GetService(typeof(IGreeting))!).Text);
        var all = (IEnumerable<IGreeting>)root.GetService(typeof(IEnumerable<IGreeting>))!;
        Assert.Equal(new[] { "hello", "goodbye" }, all.Select(g => g.Text));
        Assert.Empty((IEnumerable<Counted>)root.GetService(typeof(IEnumerable<Counted>))!);
    }

    [Fact]
    public void Open_generics_close_over_the_type_asked_for_and_unknown_services_are_null()
    {
        var services = new ServiceCollection()
            .AddSingleton<IGreeting, Hello>()
            .AddSingleton(typeof(Wrapper<>));
        services.AddKeyedSingleton<IGreeting, Goodbye>("keyed");
        using var root = new FactoryServices(services);

        var wrapper = (Wrapper<int>)root.GetService(typeof(Wrapper<int>))!;
        Assert.Equal(typeof(int), wrapper.Argument);
        Assert.Equal(new[] { "hello" }, wrapper.Greetings);
        Assert.Same(wrapper, root.GetService(typeof(Wrapper<int>)));
        Assert.NotSame(wrapper, root.GetService(typeof(Wrapper<string>)));
        Assert.Null(root.GetService(typeof(Counted)));
        Assert.True(root.IsService(typeof(Wrapper<long>)));
        Assert.False(root.IsService(typeof(Counted)));
        Assert.Same(root, root.GetService(typeof(IServiceScopeFactory)));
    }

    [Fact]
    public async Task A_singleton_asked_for_by_two_threads_at_once_is_made_once_and_never_disposed()
    {
        var made = 0;
        using var bothAsking = new Barrier(2);
        var services = new ServiceCollection().AddSingleton(_ =>
        {
            Interlocked.Increment(ref made);
            Thread.Sleep(50); // the other thread asks meanwhile
            return new Counted();
        });
        using var root = new FactoryServices(services);
        var got = await Task.WhenAll(
            Task.Run(() => { bothAsking.SignalAndWait(TimeSpan.FromSeconds(5)); return root.GetService(typeof(Counted)); }),
            Task.Run(() => { bothAsking.SignalAndWait(TimeSpan.FromSeconds(5)); return root.GetService(typeof(Counted)); }));

        Assert.Equal(1, made);
        Assert.Same(got[0], got[1]);
        Assert.Equal(0, ((Counted)got[0]!).Disposals);
    }

    [Fact]
    public void An_exact_registration_beats_an_open_generic_registered_after_it()
    {
        var exact = new Wrapper<int>(Array.Empty<IGreeting>());
        var services = new ServiceCollection().AddSingleton(exact).AddSingleton(typeof(Wrapper<>));
        using var root = new FactoryServices(services);

        Assert.Same(exact, root.GetService(typeof(Wrapper<int>)));
        Assert.NotNull(root.GetService(typeof(Wrapper<string>)));
    }

    /// <summary>
    /// What HttpClientSource registers, resolved by the container and by FactoryServices: the same answers.
    /// (This runs on .NET, where Microsoft.Extensions.Http's net8.0 build registers metrics too; the module
    /// ships its netstandard2.0 build, which tests/Caxton.NetFx and the Pester flow exercise.)
    /// </summary>
    [Fact]
    public void The_factory_gets_what_the_container_would_give_it()
    {
        static ServiceCollection Registrations()
        {
            var services = new ServiceCollection();
            services.AddHttpClient();
            services.ConfigureHttpClientDefaults(client => client.RemoveAllLoggers());
            services.AddHttpClient("named").SetHandlerLifetime(TimeSpan.FromSeconds(42));
            return services;
        }

        using var container = Registrations().BuildServiceProvider();
        using var ours = new FactoryServices(Registrations());
        foreach (var provider in new IServiceProvider[] { container, ours })
        {
            Assert.NotNull(provider.GetRequiredService<IHttpClientFactory>());
            Assert.Same(provider.GetRequiredService<IHttpClientFactory>(), provider.GetRequiredService<IHttpMessageHandlerFactory>());
        }

        var theirs = container.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get("named");
        var mine = ours.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get("named");
        Assert.Equal(theirs.HandlerLifetime, mine.HandlerLifetime);
        Assert.Equal(TimeSpan.FromSeconds(42), mine.HandlerLifetime);
        Assert.Equal(theirs.HttpMessageHandlerBuilderActions.Count, mine.HttpMessageHandlerBuilderActions.Count);
        Assert.Equal(theirs.HttpClientActions.Count, mine.HttpClientActions.Count);
        Assert.Equal(theirs.SuppressHandlerScope, mine.SuppressHandlerScope);
        Assert.Equal(
            container.GetServices<IHttpMessageHandlerBuilderFilter>().Select(f => f.GetType()),
            ours.GetServices<IHttpMessageHandlerBuilderFilter>().Select(f => f.GetType()));

        // Each handler the factory builds gets a scope of its own, with a builder of its own.
        using var scope = ours.CreateScope();
        Assert.NotSame(ours.GetRequiredService<HttpMessageHandlerBuilder>(), scope.ServiceProvider.GetRequiredService<HttpMessageHandlerBuilder>());
    }

    /// <summary>A client of the factory over FactoryServices sends a request and gets the answer, reusing its pooled handler.</summary>
    [Fact]
    public async Task A_client_of_the_factory_talks_over_one_pooled_connection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var connections = 0;
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            Interlocked.Increment(ref connections);
            var buffer = new byte[4096];
            for (var i = 0; i < 2; i++)
            {
                var request = string.Empty;
                while (!request.Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await socket.ReceiveAsync(buffer, SocketFlags.None);
                    request += Encoding.ASCII.GetString(buffer, 0, read);
                }

                await socket.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), SocketFlags.None);
            }
        });

        var services = new ServiceCollection();
        services.AddHttpClient();
        using var provider = new FactoryServices(services);
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        for (var i = 0; i < 2; i++)
        {
            using var client = factory.CreateClient();
            Assert.Equal("ok", await client.GetStringAsync(new Uri($"http://127.0.0.1:{port}/")));
        }

        await server.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, connections);
    }
}
