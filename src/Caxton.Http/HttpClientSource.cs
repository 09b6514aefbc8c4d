using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Caxton
{
    /// <summary>
    /// One IHttpClientFactory per process, built on first use (never at import) over <see cref="FactoryServices"/>. The factory pools and
    /// rotates handlers, so connections are reused across calls yet DNS changes are picked up in
    /// runbooks that run for hours; every connection with default settings shares it.
    /// Connections with their own proxy or certificate settings lease a handler of this class's own
    /// instead: identical settings share one, and it is disposed, its proxy credential with it, when the
    /// last lease is released. (The factory could not do that: it keeps a named client's options, and
    /// the credential they capture, for the life of the process.)
    /// The engine calls only <see cref="Acquire"/> and <see cref="HttpClientLease"/>, whose signatures hold
    /// framework types alone: that keeps every Microsoft.Extensions.* type inside this assembly's load
    /// context (see CaxtonLoadContext).
    /// </summary>
    public static class HttpClientSource
    {
        private const string SharedName = "Caxton";

        /// <summary>The factory's client for hosts on this machine: no proxy of any kind (see CaxtonConnection.ForBaseUri).</summary>
        private const string DirectName = "Caxton.Direct";

        /// <summary>The .NET Framework API (mscorlib), as on Windows PowerShell 5.1, and Mono, where tests/Caxton.NetFx runs it.</summary>
        private static readonly bool IsNetFramework = typeof(object).Assembly.GetName().Name == "mscorlib";

        /// <summary>How long one of our own handlers serves before a new one replaces it, as the factory does, for DNS changes.</summary>
        internal static readonly TimeSpan HandlerLifetime = TimeSpan.FromMinutes(2);

        private static readonly Dictionary<HandlerSettings, SharedHandler> Own = new Dictionary<HandlerSettings, SharedHandler>();

        private static readonly Lazy<IHttpClientFactory> Factory =
            new Lazy<IHttpClientFactory>(CreateFactory, LazyThreadSafetyMode.ExecutionAndPublication);

        /// <summary>
        /// Handlers of our own alive now for connections through <paramref name="proxy"/>: the tests give
        /// each case a proxy of its own, so no other test's connections, or their finalizers, change it.
        /// </summary>
        internal static int OwnHandlerCount(Uri proxy)
        {
            lock (Own)
            {
                var count = 0;
                foreach (var settings in Own.Keys)
                {
                    if (settings.Proxy == proxy)
                    {
                        count++;
                    }
                }

                return count;
            }
        }

        /// <summary>
        /// A lease on HttpClients for one connection's settings. Dispose it when the connection is done;
        /// a lease that is simply dropped is released by its finalizer.
        /// </summary>
        /// <param name="direct">No proxy at all, neither the system's (HTTP_PROXY, ALL_PROXY, ...) nor <paramref name="proxy"/>: for hosts on this machine.</param>
        public static HttpClientLease Acquire(bool skipCertificateCheck, Uri? proxy, NetworkCredential? proxyCredential, bool proxyUseDefaultCredentials, X509Certificate2? certificateAuthority = null, bool direct = false)
        {
            if (direct)
            {
                proxy = null;
                proxyCredential = null;
                proxyUseDefaultCredentials = false;
            }

            if (!skipCertificateCheck && proxy is null && !proxyUseDefaultCredentials && certificateAuthority is null)
            {
                // Nothing of the connection's own: the factory's pooled client (its direct one for this machine).
                return direct ? HttpClientLease.SharedDirect : HttpClientLease.Shared;
            }

            var settings = new HandlerSettings(skipCertificateCheck, proxy, proxyCredential, proxyUseDefaultCredentials, certificateAuthority, direct);
            lock (Own)
            {
                if (!Own.TryGetValue(settings, out var shared))
                {
                    shared = new SharedHandler(settings);
                    Own.Add(settings, shared);
                }

                shared.Leases++;
                return new HttpClientLease(shared);
            }
        }

        internal static HttpClient CreateSharedClient(bool direct = false) => Factory.Value.CreateClient(direct ? DirectName : SharedName);

        /// <summary>
        /// Builds what the first shared client would (the factory, the services it asks for and its
        /// handler), so a caller can do it before its first request. It opens no connection and sends nothing:
        /// opening one ahead (a request cancelled before it is written) proved racy on loopback, where the
        /// request could be written first, and a request nobody asked for must never reach the API host.
        /// The factory is built once, whoever asks first: a request that comes meanwhile waits for it.
        /// </summary>
        internal static void PrepareShared(bool direct = false) => CreateSharedClient(direct).Dispose();

        internal static void Release(SharedHandler shared)
        {
            lock (Own)
            {
                if (--shared.Leases > 0)
                {
                    return;
                }

                Own.Remove(shared.Settings);
                shared.Dispose();
            }
        }

        /// <summary>One handler per distinct setting, replaced after <see cref="HandlerLifetime"/>.</summary>
        internal sealed class SharedHandler
        {
            private HttpClientHandler? handler;
            private DateTime createdUtc;
            private bool disposed;

            public SharedHandler(HandlerSettings settings) => Settings = settings;

            public HandlerSettings Settings { get; }

            /// <summary>Guarded by the lock on <see cref="Own"/>.</summary>
            public int Leases { get; set; }

            public HttpClient CreateClient()
            {
                lock (this)
                {
                    if (disposed)
                    {
                        throw new ObjectDisposedException(nameof(HttpClientLease));
                    }

                    var now = DateTime.UtcNow;
                    if (handler is null || now - createdUtc >= HandlerLifetime)
                    {
                        // A replaced handler may still serve a request under way, so it is left to the
                        // garbage collector (as the factory leaves its expired handlers) instead of disposed.
                        handler = CreateHandler(Settings);
                        createdUtc = now;
                    }

                    var pipeline = IsNetFramework ? new ConnectionLease { InnerHandler = handler } : (HttpMessageHandler)handler;
                    return new HttpClient(pipeline, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
                }
            }

            public void Dispose()
            {
                lock (this)
                {
                    disposed = true;
                    handler?.Dispose();
                    handler = null;
                }
            }
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
            return new FactoryServices(services).GetRequiredService<IHttpClientFactory>();
        }

        internal static HttpClientHandler CreateHandler(HandlerSettings settings)
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
            else if (!IsNetFramework)
            {
                // The platform's verdict stands; the callback only records why it refused (CertificateRejected).
                // Not on .NET Framework, where HttpClientHandler before 4.7.1 does not take a callback.
                RecordRejections(handler, null);
            }

            return handler;
        }

        // Apart, so the shared handler's start-up does not load the proxy and credential types it never uses.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void ApplyOwnSettings(HttpClientHandler handler, HandlerSettings settings)
        {
            if (settings.Direct)
            {
                handler.UseProxy = false;
            }
            else if (settings.Proxy != null)
            {
                handler.UseProxy = true;
                // One or the other: WebProxy.UseDefaultCredentials is a view of Credentials, and setting it
                // to false clears them (it once silently dropped -ProxyCredential here).
                handler.Proxy = new WebProxy(settings.Proxy)
                {
                    Credentials = settings.ProxyCredential ?? (settings.ProxyUseDefaultCredentials ? CredentialCache.DefaultCredentials : null),
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
            else if (settings.CertificateAuthority != null || !IsNetFramework)
            {
                RecordRejections(handler, settings.CertificateAuthority);
            }
        }

        /// <summary>The platform's checks, plus trust in <paramref name="authority"/> for this handler alone; refusals recorded (<see cref="CertificateRejection"/>).</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void RecordRejections(HttpClientHandler handler, X509Certificate2? authority) =>
            handler.ServerCertificateCustomValidationCallback = (message, certificate, chain, errors) => CertificateRejection.Validate(message, certificate, chain, errors, authority);

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
        /// handler: replacing handlers never closes them, so a long runbook would keep talking to an address
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

        /// <summary>Settings compared by value, the proxy credential included, so identical settings share a handler.</summary>
        internal sealed class HandlerSettings : IEquatable<HandlerSettings>
        {
            public static readonly HandlerSettings Default = new HandlerSettings(false, null, null, false, null);

            /// <summary>The factory's direct client: default settings, but no proxy of any kind.</summary>
            public static readonly HandlerSettings DefaultDirect = new HandlerSettings(false, null, null, false, null, direct: true);

            public HandlerSettings(bool skipCertificateCheck, Uri? proxy, NetworkCredential? proxyCredential, bool proxyUseDefaultCredentials, X509Certificate2? certificateAuthority, bool direct = false)
            {
                CertificateAuthority = certificateAuthority;
                Direct = direct;
                SkipCertificateCheck = skipCertificateCheck;
                Proxy = proxy;
                ProxyCredential = proxyCredential;
                ProxyUseDefaultCredentials = proxyUseDefaultCredentials;
            }

            public bool SkipCertificateCheck { get; }

            public Uri? Proxy { get; }

            public NetworkCredential? ProxyCredential { get; }

            public bool ProxyUseDefaultCredentials { get; }

            /// <summary>A root trusted by this handler only (Connect-Caxton -CertificateAuthority).</summary>
            public X509Certificate2? CertificateAuthority { get; }

            /// <summary>No proxy of any kind: the host is on this machine.</summary>
            public bool Direct { get; }

            public bool Equals(HandlerSettings? other) =>
                other != null
                && Direct == other.Direct
                && SkipCertificateCheck == other.SkipCertificateCheck
                && ProxyUseDefaultCredentials == other.ProxyUseDefaultCredentials
                && Equals(Proxy, other.Proxy)
                && string.Equals(Encoded(CertificateAuthority), Encoded(other.CertificateAuthority), StringComparison.Ordinal)
                && SameCredential(ProxyCredential, other.ProxyCredential);

            public override bool Equals(object? obj) => Equals(obj as HandlerSettings);

            // The password stays out of the hash; Equals compares it.
            public override int GetHashCode() =>
                (SkipCertificateCheck ? 1 : 0) ^ (ProxyUseDefaultCredentials ? 2 : 0) ^ (Direct ? 4 : 0) ^ (Proxy?.GetHashCode() ?? 0) ^ StringComparer.Ordinal.GetHashCode(ProxyCredential?.UserName ?? string.Empty);

            private static string? Encoded(X509Certificate2? certificate) => certificate is null ? null : Convert.ToBase64String(certificate.RawData);

            private static bool SameCredential(NetworkCredential? a, NetworkCredential? b) =>
                ReferenceEquals(a, b)
                || (a != null && b != null
                    && string.Equals(a.UserName, b.UserName, StringComparison.Ordinal)
                    && string.Equals(a.Domain, b.Domain, StringComparison.Ordinal)
                    && string.Equals(a.Password, b.Password, StringComparison.Ordinal));
        }

        /// <summary>Gives the factory's client its primary handler, with the default settings.</summary>
        private sealed class ConfigureHandlers : IConfigureNamedOptions<HttpClientFactoryOptions>
        {
            public void Configure(HttpClientFactoryOptions options) => Configure(Options.DefaultName, options);

            public void Configure(string? name, HttpClientFactoryOptions options)
            {
                options.HandlerLifetime = HandlerLifetime;
                options.HttpMessageHandlerBuilderActions.Add(builder =>
                {
                    builder.PrimaryHandler = CreateHandler(name == DirectName ? HandlerSettings.DefaultDirect : HandlerSettings.Default);
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
