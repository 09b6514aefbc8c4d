using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Caxton.Wire;

namespace Caxton.Transport
{
    /// <summary>
    /// Sends one logical request: attempts and backoff within one time budget, a size cap on the
    /// response, and a redacted trace of each attempt. Hands back an <see cref="HttpExchange"/>.
    /// </summary>
    internal sealed class CaxtonTransport
    {
        /// <summary>Caxton's auth responses are a few hundred bytes; anything near this is not the API.</summary>
        public const int MaxResponseBytes = 4 * 1024 * 1024;

        /// <summary>A -Debug trace shows this much of a request or response, after redaction.</summary>
        internal const int MaxTracedChars = 2048;

        private readonly Func<HttpClient> clientFactory;
        private readonly object leaseGate = new object();
        private HttpClientLease? lease;

        public CaxtonTransport(Func<HttpClient>? clientFactory = null, CaxtonTransportOptions? settings = null)
        {
            options = settings ?? CaxtonTransportOptions.Default;
            if (clientFactory is null)
            {
                lease = Settings.AcquireClients();
                clientFactory = CreateLeasedClient;
            }

            this.clientFactory = clientFactory;
        }

        private volatile CaxtonTransportOptions options;

        public CaxtonTransportOptions Settings => options;

        /// <summary>Disconnect-Caxton: the proxy credential is dropped with the handler; a later lease goes without it.</summary>
        public void DropProxyCredential()
        {
            lock (leaseGate)
            {
                if (options.ProxyCredential != null)
                {
                    options = options with { ProxyCredential = null };
                }
            }

            ReleaseClients();
        }

        /// <summary>
        /// Lets go of the HTTP handler, and with it the proxy credential, as Disconnect-Caxton does. A
        /// connection still used afterwards leases again, from the settings it has then.
        /// </summary>
        public void ReleaseClients()
        {
            lock (leaseGate)
            {
                lease?.Dispose();
                lease = null;
            }
        }

        /// <summary>
        /// Starts, on a pool thread, what the first request would otherwise do on the caller's path
        /// (Connect-Caxton calls it): building the HTTP stack (see <see cref="HttpClientLease.Prepare"/>). No
        /// connection is opened and nothing is sent. A failure is left for the first request to meet on its own path.
        /// </summary>
        public Task PrepareInBackground()
        {
            HttpClientLease? held;
            lock (leaseGate)
            {
                held = lease;
            }

            if (held is null)
            {
                return Task.CompletedTask;
            }

            return Task.Run(() =>
            {
                try
                {
                    held.Prepare();
                }
                catch (Exception)
                {
                    // Nothing to report here: the first request builds the same stack and reports a failure itself.
                }
            });
        }

        /// <summary>
        /// The same HTTP clients and options, but one attempt per request: Test-CaxtonContract observes
        /// each answer as the server gave it (a 429, a 503), which a retry would hide.
        /// </summary>
        internal CaxtonTransport WithoutRetries() => new CaxtonTransport(clientFactory, Settings with { MaximumRetryCount = 0 });

        private HttpClient CreateLeasedClient()
        {
            lock (leaseGate)
            {
                return (lease ??= Settings.AcquireClients()).CreateClient();
            }
        }

        /// <summary>
        /// Sends the request <paramref name="build"/> makes, again as the retry policy allows. The
        /// timeout is the budget of the whole call, waits included.
        /// </summary>
        public Task<HttpExchange> SendAsync(Func<HttpRequestMessage?> build, string operation, RequestSafety safety, TimeSpan timeout, ICaxtonLog log, CancellationToken cancellationToken, string? secret = null) =>
            SendAsync(build, operation, safety, new CallBudget(timeout), log, cancellationToken, secret);

        /// <summary>As above, drawing on a budget the caller may already have spent part of.</summary>
        public async Task<HttpExchange> SendAsync(Func<HttpRequestMessage?> build, string operation, RequestSafety safety, CallBudget budget, ICaxtonLog log, CancellationToken cancellationToken, string? secret = null)
        {
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var attempts = 1 + Math.Max(0, Settings.MaximumRetryCount);
                for (var attempt = 1; ; attempt++)
                {
                    var request = build() ?? throw new InvalidOperationException("The request can be sent only once.");
                    var method = request.Method.Method;
                    var uri = request.RequestUri!;
                    var secrets = KnownSecrets(request, secret);
                    TimeSpan? wait = null;
                    string? why = null;
                    try
                    {
                        if (budget.IsSpent)
                        {
                            throw TimedOut(operation, method, uri, budget.Total);
                        }

                        deadline.CancelAfter(budget.Remaining);
                        if (log.IsVerboseEnabled)
                        {
                            log.Verbose(Redactor.Redact($"{operation}: {method} {uri}{(attempt > 1 ? $" (attempt {attempt} of {attempts})" : string.Empty)}", secrets));
                        }

                        if (log.IsDebugEnabled)
                        {
                            await TraceRequestAsync(request, operation, secrets, log).ConfigureAwait(false);
                        }

                        var attemptWatch = Stopwatch.StartNew();
                        using (var response = await clientFactory().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false))
                        {
                            var body = await ReadBodyWithinAsync(response, operation, method, uri, deadline.Token).ConfigureAwait(false);
                            var status = (int)response.StatusCode;
                            var exchange = new HttpExchange(operation, method, uri, status, response.ReasonPhrase, response.Content.Headers.ContentType?.MediaType, body, secrets)
                            {
                                ResponseDate = response.Headers.Date,
                                RequestId = RequestIdOf(response),
                                RetryAfter = response.Headers.RetryAfter is null ? null : RetryPolicy.RetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow),
                                HeaderSources = new IEnumerable<KeyValuePair<string, IEnumerable<string>>>[] { response.Headers, response.Content.Headers },
                            };
                            if (log.IsVerboseEnabled)
                            {
                                // The reason phrase is server text: the exchange holds it redacted.
                                log.Verbose($"{operation}: HTTP {status} {Redactor.Shorten(exchange.ReasonPhrase ?? string.Empty, MaxTracedChars)} in {attemptWatch.ElapsedMilliseconds} ms");
                            }

                            if (log.IsDebugEnabled)
                            {
                                TraceResponse(exchange, log);
                            }

                            var refusal = PeerRefusals.ForResponse(response, operation, method, uri, Settings, secrets);
                            if (refusal != null)
                            {
                                throw refusal;
                            }

                            if (attempt >= attempts || !RetryPolicy.IsRetryable(status, safety))
                            {
                                return exchange;
                            }

                            var retryAfter = RetryPolicy.RetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow);
                            if (retryAfter > RetryPolicy.MaxDelay || retryAfter > budget.Remaining)
                            {
                                log.Verbose($"{operation}: the server asks to wait {retryAfter.Value.TotalSeconds:0.#} s, beyond what this call may wait; not retrying.");
                                return exchange;
                            }

                            wait = retryAfter ?? RetryPolicy.Backoff(attempt);
                            if (wait.Value >= budget.Remaining)
                            {
                                // No time left to wait and try again: the answer we have is the outcome.
                                return exchange;
                            }

                            why = $"HTTP {status}{(retryAfter.HasValue ? " with Retry-After" : string.Empty)}";
                        }
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw TimedOut(operation, method, uri, budget.Total);
                    }
                    catch (Exception exception) when (RetryPolicy.IsTransportFailure(exception))
                    {
                        // A proxy's 407 to the tunnel, a refused certificate: the same answer on every attempt.
                        var refusal = PeerRefusals.ForFailure(exception, request, operation, uri, Settings, secrets);
                        if (refusal != null)
                        {
                            throw refusal;
                        }

                        // Refused, reset, dropped mid-body: whatever the platform calls it, one kind of error.
                        wait = RetryPolicy.Backoff(attempt);
                        if (attempt >= attempts || !RetryPolicy.IsRetryable(exception, safety) || wait.Value >= budget.Remaining)
                        {
                            throw Unreachable(operation, uri, exception, secrets);
                        }

                        why = "connection failure: " + DescribeFailure(exception, secrets);
                    }
                    finally
                    {
                        request.Dispose();
                    }

                    log.Verbose($"{operation}: {why}; retrying in {wait.Value.TotalSeconds:0.0} s.");
                    try
                    {
                        await Task.Delay(wait.Value, deadline.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw TimedOut(operation, method, uri, budget.Total);
                    }
                }
            }
        }

        /// <summary>
        /// The secrets a request carries (its bearer token, and the one the caller names, such as a
        /// client password in a form), so nothing derived from its response can repeat them.
        /// </summary>
        private static IReadOnlyCollection<string> KnownSecrets(HttpRequestMessage request, string? secret)
        {
            var bearer = request.Headers.Authorization?.Parameter;
            if (bearer is null)
            {
                return secret is null ? Array.Empty<string>() : new[] { secret };
            }

            return secret is null ? new[] { bearer } : new[] { bearer, secret };
        }

        /// <summary>Headers by which servers name a request for their support staff, most specific first.</summary>
        internal static readonly string[] RequestIdHeaders = { "x-request-id", "request-id", "x-ms-request-id", "x-correlation-id", "x-amzn-requestid" };

        /// <summary>The first request-id header, as printable text of a sane length; the exchange redacts it when read: it is server text.</summary>
        private static string? RequestIdOf(HttpResponseMessage response)
        {
            foreach (var name in RequestIdHeaders)
            {
                if (response.Headers.TryGetValues(name, out var values))
                {
                    var value = new string(string.Join(",", values).Where(c => c >= ' ' && c < 127).Take(128).ToArray()).Trim();
                    if (value.Length > 0)
                    {
                        return value;
                    }
                }
            }

            return null;
        }

        private static async Task TraceRequestAsync(HttpRequestMessage request, string operation, IReadOnlyCollection<string> secrets, ICaxtonLog log)
        {
            var text = new StringBuilder();
            text.Append(operation).Append(": request ").Append(request.Method.Method).Append(' ').Append(request.RequestUri);
            foreach (var header in request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
            {
                text.Append("\n  ").Append(header.Key).Append(": ").Append(string.Join(", ", header.Value));
            }

            if (request.Content != null)
            {
                var body = await request.Content.ReadAsStringAsync().ConfigureAwait(false);
                text.Append("\n  ").Append(body);
            }

            log.Debug(Redactor.RedactAndTruncate(text.ToString(), secrets, MaxTracedChars));
        }

        private static void TraceResponse(HttpExchange exchange, ICaxtonLog log)
        {
            // Only the start is shown, so only the start is redacted: with a margin as long as any secret
            // can be, none straddles the cut unmasked; the secret members of the whole body are known from
            // its parse (RedactionSecrets), wherever in it they stand.
            var shown = Math.Min(exchange.Body.Length, 4 * (MaxTracedChars + Redactor.MaxEchoedSecretLength));
            var body = exchange.Body.Length == 0 ? "(empty)" : Encoding.UTF8.GetString(exchange.Body, 0, shown);
            var text = Redactor.RedactAndTruncate($"{exchange.Operation}: response HTTP {exchange.Status} {exchange.MediaType}\n  {body}", exchange.RedactionSecrets, MaxTracedChars);
            log.Debug(shown < exchange.Body.Length && text.Length <= MaxTracedChars ? text + $"... ({exchange.Body.Length} bytes)" : text);
        }

        /// <summary>
        /// Reads the body within the budget. .NET Framework's response stream ignores the token in ReadAsync,
        /// so a server that stalls after its headers would hold the call until its own 300 s limit: when the
        /// budget ends, the response is disposed, which ends the read, and that counts as the budget ending.
        /// </summary>
        private static async Task<byte[]> ReadBodyWithinAsync(HttpResponseMessage response, string operation, string method, Uri uri, CancellationToken budget)
        {
            using (budget.Register(response.Dispose))
            {
                try
                {
                    return await ReadBodyAsync(response, operation, method, uri, budget).ConfigureAwait(false);
                }
                catch (Exception exception) when (budget.IsCancellationRequested && !(exception is OperationCanceledException) && !(exception is CaxtonException))
                {
                    throw new OperationCanceledException(budget);
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

        internal static CaxtonException TimedOut(string operation, string method, Uri uri, TimeSpan timeout) =>
            new CaxtonException(
                CaxtonErrorIds.RequestTimeout,
                CaxtonErrorKind.Timeout,
                $"{operation} failed: {method} {uri} did not complete within {timeout.TotalSeconds:0.#} s.")
            {
                RecommendedAction = "Check the network path to the API, or allow longer with Connect-Caxton -TimeoutSec.",
            };

        private static CaxtonException Unreachable(string operation, Uri uri, Exception exception, IReadOnlyCollection<string> secrets) =>
            new CaxtonException(
                CaxtonErrorIds.ConnectionFailed,
                CaxtonErrorKind.ConnectionFailed,
                $"{operation} failed: the connection to {uri.GetLeftPart(UriPartial.Authority)} failed: {DescribeFailure(exception, secrets)}")
            {
                RecommendedAction = uri.IsLoopback
                    ? $"Nothing answers at {uri.GetLeftPart(UriPartial.Authority)}. If that is the local emulator, start it first (dotnet pwsh ./build.ps1 -Task Emulator), or check the port in the base URI."
                    : "Check the base URI, DNS, proxy and firewall.",
            };

        private static CaxtonException TooLarge(string operation, string method, Uri uri) =>
            new CaxtonException(
                CaxtonErrorIds.ResponseTooLarge,
                CaxtonErrorKind.LimitsExceeded,
                $"{operation} failed: the response to {method} {uri} is larger than {MaxResponseBytes / (1024 * 1024)} MiB, which no Caxton auth response is.");

        /// <summary>
        /// What went wrong, without the peer's bytes: HTTP parsers quote what they could not parse (an
        /// invalid status or header line, a chunk size, even hex-encoded), and that may be a secret the
        /// request carried. So the quoted part goes, the rest passes the redactor, and the raw exception
        /// is never kept (as InnerException it would show in Get-Error, ToString() and Export-Clixml).
        /// </summary>
        internal static string DescribeFailure(Exception exception, IReadOnlyCollection<string> secrets)
        {
            var innermost = Innermost(exception);
            // A status code is the platform's, not the peer's bytes: unquoted first, so it survives what follows
            // ("... proxy '(not shown)' failed with status code 407.").
            var text = QuotedPeerBytes.Replace(QuotedStatus.Replace(innermost.Message, "${status}"), "'(not shown)'");
            return $"{Redactor.Redact(text, secrets)} ({innermost.GetType().Name})";
        }

        // From the first quote to the last: the quoted bytes may hold quotes themselves. Error path only.
        private static readonly System.Text.RegularExpressions.Regex QuotedPeerBytes =
            new System.Text.RegularExpressions.Regex("'.*'|\"[^\r\n]*\"", System.Text.RegularExpressions.RegexOptions.Singleline);

        private static readonly System.Text.RegularExpressions.Regex QuotedStatus =
            new System.Text.RegularExpressions.Regex("(?<=status code )'(?<status>[1-5][0-9][0-9])'", System.Text.RegularExpressions.RegexOptions.IgnoreCase);

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
