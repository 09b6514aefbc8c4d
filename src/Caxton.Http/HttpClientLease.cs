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

        private HttpClientSource.SharedHandler? shared;

        internal HttpClientLease(HttpClientSource.SharedHandler? shared)
        {
            this.shared = shared;
            if (shared is null || shared.Permanent)
            {
                GC.SuppressFinalize(this);
            }
        }

        ~HttpClientLease() => Release();

        public HttpClient CreateClient()
        {
            if (ReferenceEquals(this, Shared))
            {
                return HttpClientSource.CreateSharedClient();
            }

            return (Volatile.Read(ref shared) ?? throw new ObjectDisposedException(nameof(HttpClientLease))).CreateClient();
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
