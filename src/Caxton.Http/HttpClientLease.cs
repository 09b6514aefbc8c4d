using System;
using System.Net.Http;
using System.Threading;

namespace Caxton
{
    /// <summary>
    /// One connection's hold on the HttpClients for its settings, from <see cref="HttpClientSource.Acquire"/>.
    /// Disposing it (or dropping it: the finalizer does the same) lets the handler go once no other
    /// connection with the same settings holds it.
    /// </summary>
    public sealed class HttpClientLease : IDisposable
    {
        /// <summary>The lease for default settings: the factory's pooled client, nothing to release.</summary>
        internal static readonly HttpClientLease Shared = new HttpClientLease(null);

        /// <summary>As <see cref="Shared"/>, for hosts on this machine: the factory's client that uses no proxy.</summary>
        internal static readonly HttpClientLease SharedDirect = new HttpClientLease(null);

        private HttpClientSource.SharedHandler? shared;

        internal HttpClientLease(HttpClientSource.SharedHandler? shared)
        {
            this.shared = shared;
            if (shared is null)
            {
                GC.SuppressFinalize(this);
            }
        }

        ~HttpClientLease() => Release();

        public HttpClient CreateClient()
        {
            if (ReferenceEquals(this, Shared) || ReferenceEquals(this, SharedDirect))
            {
                return HttpClientSource.CreateSharedClient(direct: ReferenceEquals(this, SharedDirect));
            }

            return (Volatile.Read(ref shared) ?? throw new ObjectDisposedException(nameof(HttpClientLease))).CreateClient();
        }

        /// <summary>
        /// Builds ahead what the first <see cref="CreateClient"/> would, opening no connection and sending
        /// nothing. Only the factory's leases do:
        /// a lease of its own settings (a proxy, certificate options) builds its handler, and takes its proxy
        /// credential, on first use alone, so a disconnect right after connecting leaves nothing of it behind.
        /// </summary>
        public void Prepare()
        {
            if (ReferenceEquals(this, Shared) || ReferenceEquals(this, SharedDirect))
            {
                HttpClientSource.PrepareShared(direct: ReferenceEquals(this, SharedDirect));
            }
        }

        public void Dispose()
        {
            Release();
            GC.SuppressFinalize(this);
        }

        private void Release()
        {
            var held = Interlocked.Exchange(ref shared, null);
            if (held != null)
            {
                HttpClientSource.Release(held);
            }
        }
    }
}
