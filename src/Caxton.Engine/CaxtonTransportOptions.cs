using System;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Caxton.Transport;

namespace Caxton
{
    /// <summary>
    /// How a connection reaches the API: certificate checks, proxy and retries. Immutable: a connection
    /// keeps the options it was made with, and no caller can change another's.
    /// </summary>
    public sealed record CaxtonTransportOptions
    {
        /// <summary>Retries unless told otherwise: the retry policy's default.</summary>
        public const int DefaultMaximumRetryCount = RetryPolicy.DefaultMaximumRetryCount;

        /// <summary>System proxy, certificate checks on, the default retries.</summary>
        public static CaxtonTransportOptions Default { get; } = new CaxtonTransportOptions();

        public bool SkipCertificateCheck { get; init; }

        /// <summary>An explicit proxy; null means the system proxy.</summary>
        public Uri? Proxy { get; init; }

        public NetworkCredential? ProxyCredential { get; init; }

        public bool ProxyUseDefaultCredentials { get; init; }

        /// <summary>
        /// A root certificate trusted for this connection only (Connect-Caxton -CertificateAuthority), with the
        /// platform's full chain and name checks; other connections and the process keep their own trust.
        /// </summary>
        public X509Certificate2? CertificateAuthority { get; init; }

        /// <summary>Retries after the first attempt, for failures that are safe to repeat.</summary>
        public int MaximumRetryCount { get; init; } = DefaultMaximumRetryCount;

        /// <summary>
        /// No proxy at all, system or explicit: set for connections to hosts the OS keeps on this machine
        /// (CaxtonEnvironment.StaysOnThisMachine), never by a caller.
        /// </summary>
        internal bool Direct { get; init; }

        /// <summary>A hold on HttpClients made with these options, from the isolated HTTP stack.</summary>
        internal HttpClientLease AcquireClients() =>
            HttpClientSource.Acquire(SkipCertificateCheck, Proxy, ProxyCredential, ProxyUseDefaultCredentials, CertificateAuthority, Direct);
    }
}
