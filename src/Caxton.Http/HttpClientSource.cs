using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using Microsoft.Extensions.DependencyInjection;

namespace Caxton
{
    /// <summary>
    /// One IHttpClientFactory per process, built on first use (never at import). The factory pools and
    /// rotates handlers, so connections are reused across calls yet DNS changes are picked up in
    /// runbooks that run for hours.
    /// The engine calls only CreateClient, whose signature holds framework types alone: that keeps every
    /// Microsoft.Extensions.* type inside this assembly's load context (see CaxtonLoadContext).
    /// </summary>
    public static class HttpClientSource
    {
        private const string ClientName = "Caxton";

        private static readonly Lazy<IHttpClientFactory> Factory =
            new Lazy<IHttpClientFactory>(CreateFactory, LazyThreadSafetyMode.ExecutionAndPublication);

        public static HttpClient CreateClient() => Factory.Value.CreateClient(ClientName);

        private static IHttpClientFactory CreateFactory()
        {
            var services = new ServiceCollection();
            services.AddHttpClient(ClientName)
                .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan) // each call sets its own timeout
                .ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler
                {
                    // An auth API has no business redirecting; following one could re-send credentials elsewhere.
                    AllowAutoRedirect = false,
                    UseCookies = false,
                    AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                });
            return services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        }
    }
}
