using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Caxton.Transport
{
    /// <summary>Whether repeating a request could do something twice on the server.</summary>
    internal enum RequestSafety
    {
        /// <summary>Repeating is harmless: a token request, a reset (PUT), a GET or DELETE.</summary>
        Idempotent,

        /// <summary>Generate Password and other POST/PATCH: repeated only when the server surely did not act.</summary>
        NotIdempotent,
    }

    /// <summary>
    /// When to try again and how long to wait. Idempotent calls are retried after 408, 429, 502, 503,
    /// 504 and any connection failure. A call that is not idempotent is retried only when the server
    /// cannot have acted on it: 429 and 503 (it refused), or a failure to connect at all.
    /// </summary>
    internal static class RetryPolicy
    {
        public const int DefaultMaximumRetryCount = 3;

        /// <summary>First backoff; doubles each time, with jitter.</summary>
        public static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(500);

        /// <summary>The longest wait, also for Retry-After; a server asking for more is not waited for.</summary>
        public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

        private static readonly Random Jitter = new Random();

        public static bool IsRetryable(int status, RequestSafety safety)
        {
            switch (status)
            {
                case 429:
                case 503:
                    return true;
                case 408:
                case 502:
                case 504:
                    return safety == RequestSafety.Idempotent;
                default:
                    return false;
            }
        }

        public static bool IsRetryable(Exception exception, RequestSafety safety) =>
            safety == RequestSafety.Idempotent || IsConnectFailure(exception);

        /// <summary>
        /// A failure of the transport itself, whatever the platform calls it: HttpRequestException,
        /// HttpIOException or another IOException when a body is cut off (.NET 8+), WebException and
        /// SocketException on .NET Framework.
        /// </summary>
        public static bool IsTransportFailure(Exception exception) =>
            exception is HttpRequestException || exception is IOException || exception is WebException || exception is SocketException;

        /// <summary>Exponential backoff with jitter: attempt 1 waits 0.25-0.5 s, attempt 2 0.5-1 s, and so on.</summary>
        public static TimeSpan Backoff(int attempt)
        {
            var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
            double factor;
            lock (Jitter)
            {
                factor = 0.5 + (Jitter.NextDouble() / 2);
            }

            return TimeSpan.FromMilliseconds(ceiling * factor);
        }

        /// <summary>Retry-After as seconds or as an HTTP date; null when absent.</summary>
        public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
        {
            if (header?.Delta is TimeSpan delta)
            {
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }

            if (header?.Date is DateTimeOffset date)
            {
                var wait = date - now;
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }

            return null;
        }

        /// <summary>The request never reached a server: refused, unreachable, or the name did not resolve.</summary>
        internal static bool IsConnectFailure(Exception exception)
        {
            for (var current = exception; current != null; current = current.InnerException)
            {
                if (current is SocketException socket)
                {
                    switch (socket.SocketErrorCode)
                    {
                        case SocketError.ConnectionRefused:
                        case SocketError.HostNotFound:
                        case SocketError.HostUnreachable:
                        case SocketError.NetworkUnreachable:
                        case SocketError.TryAgain:
                        case SocketError.NoData:
                            return true;
                    }
                }

                // Windows PowerShell 5.1 reports connect failures as WebException.
                if (current is WebException web && (web.Status == WebExceptionStatus.ConnectFailure || web.Status == WebExceptionStatus.NameResolutionFailure))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
