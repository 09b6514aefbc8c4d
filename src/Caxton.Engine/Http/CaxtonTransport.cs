using System;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Caxton
{
    /// <summary>Sends one request with a timeout and a size cap and hands back an <see cref="HttpExchange"/>.</summary>
    internal sealed class CaxtonTransport
    {
        /// <summary>Caxton's auth responses are a few hundred bytes; anything near this is not the API.</summary>
        public const int MaxResponseBytes = 4 * 1024 * 1024;

        private readonly Func<HttpClient> clientFactory;

        public CaxtonTransport(Func<HttpClient>? clientFactory = null)
        {
            this.clientFactory = clientFactory ?? HttpClientSource.CreateClient;
        }

        public async Task<HttpExchange> SendAsync(HttpRequestMessage request, string operation, TimeSpan timeout, ICaxtonLog log, CancellationToken cancellationToken)
        {
            var method = request.Method.Method;
            var uri = request.RequestUri!;
            var stopwatch = Stopwatch.StartNew();
            using (var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeoutSource.CancelAfter(timeout);
                try
                {
                    log.Verbose($"{operation}: {method} {uri}");
                    using (var response = await clientFactory().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token).ConfigureAwait(false))
                    {
                        var body = await ReadBodyAsync(response, operation, method, uri, timeoutSource.Token).ConfigureAwait(false);
                        log.Verbose($"{operation}: HTTP {(int)response.StatusCode} {response.ReasonPhrase} in {stopwatch.ElapsedMilliseconds} ms");
                        return new HttpExchange(operation, method, uri, (int)response.StatusCode, response.ReasonPhrase, response.Content.Headers.ContentType?.MediaType, body);
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new CaxtonException(
                        CaxtonErrorIds.RequestTimeout,
                        CaxtonErrorKind.Timeout,
                        $"{operation} failed: {method} {uri} did not answer within {timeout.TotalSeconds:0.#} s.")
                    {
                        RecommendedAction = "Check the network path to the API, or allow longer with -TimeoutSec on Connect-Caxton.",
                    };
                }
                catch (HttpRequestException exception)
                {
                    throw new CaxtonException(
                        CaxtonErrorIds.ConnectionFailed,
                        CaxtonErrorKind.ConnectionFailed,
                        $"{operation} failed: could not reach {uri.GetLeftPart(UriPartial.Authority)}: {Innermost(exception).Message}",
                        exception)
                    {
                        RecommendedAction = "Check the base URI, DNS, proxy and firewall.",
                    };
                }
                finally
                {
                    request.Dispose();
                }
            }
        }

        private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, string operation, string method, Uri uri, CancellationToken cancellationToken)
        {
            var declared = response.Content.Headers.ContentLength;
            if (declared > MaxResponseBytes)
            {
                throw TooLarge(operation, method, uri);
            }

            using (var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
            using (var buffer = new MemoryStream(declared.HasValue ? (int)declared.Value : 1024))
            {
                var chunk = new byte[16 * 1024];
                int read;
                while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > MaxResponseBytes)
                    {
                        throw TooLarge(operation, method, uri);
                    }

                    buffer.Write(chunk, 0, read);
                }

                return buffer.ToArray();
            }
        }

        private static CaxtonException TooLarge(string operation, string method, Uri uri) =>
            new CaxtonException(
                CaxtonErrorIds.ResponseTooLarge,
                CaxtonErrorKind.LimitsExceeded,
                $"{operation} failed: the response to {method} {uri} is larger than {MaxResponseBytes / (1024 * 1024)} MiB, which no Caxton auth response is.");

        private static Exception Innermost(Exception exception)
        {
            while (exception.InnerException != null)
            {
                exception = exception.InnerException;
            }

            return exception;
        }
    }
}
