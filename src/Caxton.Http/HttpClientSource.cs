using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Caxton
{
    /// <summary>
    /// One IHttpClientFactory per process, built on first use (never at import). The factory pools and
    /// rotates handlers, so connections are reused across calls yet DNS changes are picked up in
    /// runbooks that run for hours. Connections with their own proxy or certificate settings get a
    /// named client of their own; all others share one.
    /// The engine calls only <see cref="For"/>, whose signature holds framework types alone: that keeps
    /// every Microsoft.Extensions.* type inside this assembly's load context (see CaxtonLoadContext).
    /// </summary>
    public static class HttpClientSource
    {
        private const string SharedName = "Caxton";

        private static readonly ConcurrentDictionary<string, HandlerSettings> Named = new ConcurrentDictionary<string, HandlerSettings>();

        private static readonly Lazy<IHttpClientFactory> Factory =
            new Lazy<IHttpClientFactory>(CreateFactory, LazyThreadSafetyMode.ExecutionAndPublication);

        /// <summary>Makes HttpClients for one connection's settings; the default settings share one handler pool.</summary>
        public static Func<HttpClient> For(bool skipCertificateCheck, Uri? proxy, NetworkCredential? proxyCredential, bool proxyUseDefaultCredentials)
        {
            if (!skipCertificateCheck && proxy is null && !proxyUseDefaultCredentials)
            {
                return () => Factory.Value.CreateClient(SharedName);
            }

            var name = SharedName + "/" + Guid.NewGuid().ToString("N");
            Named[name] = new HandlerSettings(skipCertificateCheck, proxy, proxyCredential, proxyUseDefaultCredentials);
            return () => Factory.Value.CreateClient(name);
        }

        private static IHttpClientFactory CreateFactory()
        {
            EnableTls12OnNetFramework();
            var services = new ServiceCollection();
            services.AddHttpClient();

            // No logger providers are ever added, so the factory's logging handlers would only cost
            // every request two extra handlers (and start-up time to compile them).
            services.ConfigureHttpClientDefaults(client => client.RemoveAllLoggers());
            services.AddSingleton<IConfigureOptions<HttpClientFactoryOptions>>(new ConfigureHandlers());
            return services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        }

        private static HttpClientHandler CreateHandler(HandlerSettings settings)
        {
            var handler = new HttpClientHandler
            {
                // An auth API has no business redirecting; following one could re-send credentials elsewhere.
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            };
            if (settings != HandlerSettings.Default)
            {
                ApplyOwnSettings(handler, settings);
            }

            return handler;
        }

        // Apart, so the shared handler's start-up does not load the proxy and credential types it never uses.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void ApplyOwnSettings(HttpClientHandler handler, HandlerSettings settings)
        {
            if (settings.Proxy != null)
            {
                handler.UseProxy = true;
                handler.Proxy = new WebProxy(settings.Proxy)
                {
                    Credentials = settings.ProxyCredential,
                    UseDefaultCredentials = settings.ProxyUseDefaultCredentials && settings.ProxyCredential is null,
                };
            }
            else if (settings.ProxyUseDefaultCredentials)
            {
                handler.DefaultProxyCredentials = CredentialCache.DefaultCredentials;
            }

            if (settings.SkipCertificateCheck)
            {
                handler.ServerCertificateCustomValidationCallback = (message, certificate, chain, errors) => true;
            }
        }

        /// <summary>
        /// Windows PowerShell 5.1 may run with TLS 1.2 off. Add it to what the process allows, never
        /// replacing the process's choice, and leave "system default" (0) alone since it includes 1.2.
        /// </summary>
        private static void EnableTls12OnNetFramework()
        {
            if (IsNetFramework)
            {
                AddTls12();
            }
        }

        /// <summary>The .NET Framework API (mscorlib), as on Windows PowerShell 5.1, and Mono, where tests/Caxton.NetFx runs it.</summary>
        private static readonly bool IsNetFramework = typeof(object).Assembly.GetName().Name == "mscorlib";

        /// <summary>How long the factory keeps a handler (its default), and so how long a .NET Framework connection may live.</summary>
        internal static readonly TimeSpan HandlerLifetime = TimeSpan.FromMinutes(2);

        // Apart, so PowerShell 7 never loads ServicePointManager's assembly for a check that is not its own.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void AddTls12()
        {
#pragma warning disable SYSLIB0014 // ServicePointManager is what .NET Framework's HttpClient obeys.
            var current = ServicePointManager.SecurityProtocol;
            if (current != 0 && (current & SecurityProtocolType.Tls12) == 0)
            {
                ServicePointManager.SecurityProtocol = current | SecurityProtocolType.Tls12;
            }
#pragma warning restore SYSLIB0014
        }

        /// <summary>
        /// .NET Framework pools connections per ServicePoint (scheme, host and port), process-wide, not per
        /// handler: rotating handlers never closes them, so a long runbook would keep talking to an address
        /// DNS no longer gives. A connection lease as long as a handler's life closes each connection after
        /// that time, and the next one resolves the name again. (Through a proxy, the proxy's connection is
        /// the one that lives on.)
        /// </summary>
        private sealed class ConnectionLease : DelegatingHandler
        {
            private static readonly int LeaseMilliseconds = (int)HandlerLifetime.TotalMilliseconds;

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (request.RequestUri != null)
                {
                    SetLease(request.RequestUri);
                }

                return base.SendAsync(request, cancellationToken);
            }

            [MethodImpl(MethodImplOptions.NoInlining)]
            private static void SetLease(Uri uri)
            {
#pragma warning disable SYSLIB0014 // ServicePointManager is what .NET Framework's HttpClient obeys.
                var servicePoint = ServicePointManager.FindServicePoint(uri);
#pragma warning restore SYSLIB0014
                if (servicePoint.ConnectionLeaseTimeout != LeaseMilliseconds)
                {
                    servicePoint.ConnectionLeaseTimeout = LeaseMilliseconds;
                }
            }
        }

        private sealed class HandlerSettings
        {
            public static readonly HandlerSettings Default = new HandlerSettings(false, null, null, false);

            public HandlerSettings(bool skipCertificateCheck, Uri? proxy, NetworkCredential? proxyCredential, bool proxyUseDefaultCredentials)
            {
                SkipCertificateCheck = skipCertificateCheck;
                Proxy = proxy;
                ProxyCredential = proxyCredential;
                ProxyUseDefaultCredentials = proxyUseDefaultCredentials;
            }

            public bool SkipCertificateCheck { get; }

            public Uri? Proxy { get; }

            public NetworkCredential? ProxyCredential { get; }

            public bool ProxyUseDefaultCredentials { get; }
        }

        /// <summary>Gives each named client its primary handler, built from that client's settings.</summary>
        private sealed class ConfigureHandlers : IConfigureNamedOptions<HttpClientFactoryOptions>
        {
            public void Configure(HttpClientFactoryOptions options) => Configure(Options.DefaultName, options);

            public void Configure(string? name, HttpClientFactoryOptions options)
            {
                var settings = name != null && Named.TryGetValue(name, out var own) ? own : HandlerSettings.Default;
                options.HandlerLifetime = HandlerLifetime;
                options.HttpMessageHandlerBuilderActions.Add(builder =>
                {
                    builder.PrimaryHandler = CreateHandler(settings);
                    if (IsNetFramework)
                    {
                        builder.AdditionalHandlers.Add(new ConnectionLease());
                    }
                });
                options.HttpClientActions.Add(client => client.Timeout = Timeout.InfiniteTimeSpan); // each call has its own budget
            }
        }
    }
}
