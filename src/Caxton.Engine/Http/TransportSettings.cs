using System;
using System.Net;

namespace Caxton
{
    /// <summary>How a connection reaches the API: certificate checks, proxy and retries.</summary>
    internal sealed class TransportSettings
    {
        public static readonly TransportSettings Default = new TransportSettings();

        public bool SkipCertificateCheck { get; set; }

        /// <summary>An explicit proxy; null means the system proxy.</summary>
        public Uri? Proxy { get; set; }

        public NetworkCredential? ProxyCredential { get; set; }

        public bool ProxyUseDefaultCredentials { get; set; }

        /// <summary>Retries after the first attempt, for failures that are safe to repeat.</summary>
        public int MaximumRetryCount { get; set; } = RetryPolicy.DefaultMaximumRetryCount;

        /// <summary>A hold on HttpClients made with these settings, from the isolated HTTP stack.</summary>
        public HttpClientLease AcquireClients() =>
            HttpClientSource.Acquire(SkipCertificateCheck, Proxy, ProxyCredential, ProxyUseDefaultCredentials);
    }
}
