using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Caxton.Tokens;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton
{
    /// <summary>
    /// The one way an authenticated call is made, whatever the endpoint: an endpoint gives its request
    /// builder (which takes the bearer token) and its operation name, and the pipeline does the rest.
    /// <list type="bullet">
    /// <item>Who: the identity is taken once, at the start; a credential another runspace sets meanwhile never changes who this call is.</item>
    /// <item>The token: the cached one while fresh, else a new one (no held credential: the CAXTON_* variables', held once it works).</item>
    /// <item>After a 401, once more with a new token: the server may have revoked the cached one, and a 401 means it did not act.</item>
    /// <item>One budget (the connection's timeout) for the token waits, the attempts and the backoff together.</item>
    /// <item>The identity's client password and the bearer token are masked in anything derived from the response.</item>
    /// <item>Tracing: the transport's verbose and debug lines, under the endpoint's operation name.</item>
    /// </list>
    /// </summary>
    internal sealed class ApiPipeline
    {
        private readonly CaxtonTransport transport;
        private readonly TokenCache tokens;
        private readonly Uri baseUri;
        private readonly TimeSpan timeout;

        public ApiPipeline(CaxtonTransport transport, TokenCache tokens, Uri baseUri, TimeSpan timeout)
        {
            this.transport = transport;
            this.tokens = tokens;
            this.baseUri = baseUri;
            this.timeout = timeout;
        }

        /// <summary>
        /// Sends the request <paramref name="build"/> makes with a bearer token, as described above.
        /// <paramref name="safety"/> says whether the transport may repeat it after a failure that may
        /// have reached the server; the one retry after a 401 is always allowed.
        /// </summary>
        public async Task<HttpExchange> SendAsync(string operation, RequestSafety safety, Func<string, HttpRequestMessage> build, ICaxtonLog log, CancellationToken cancellationToken)
        {
            var identity = tokens.Credential;
            var budget = new CallBudget(timeout);
            var used = await TokenWithinAsync(budget, cancel => tokens.GetTokenAsync(identity, adopt: identity is null, false, log, cancel), cancellationToken).ConfigureAwait(false);

            // Without a held credential at the start, the call is whoever the environment named (held now).
            var password = PlainPassword(identity ?? tokens.Credential);
            var response = await SendWithAsync(used).ConfigureAwait(false);
            if (response.Status != 401)
            {
                return response;
            }

            log.Verbose($"{operation}: HTTP 401; getting a new token and trying once more.");
            var fresh = await TokenWithinAsync(budget, cancel => tokens.ReplaceTokenAsync(used, identity, log, cancel), cancellationToken).ConfigureAwait(false);
            return await SendWithAsync(fresh).ConfigureAwait(false);

            Task<HttpExchange> SendWithAsync(CaxtonToken token) =>
                transport.SendAsync(() => build(Secrets.ToPlainText(token.AccessToken)), operation, safety, budget, log, cancellationToken, secret: password);
        }

        /// <summary>
        /// Waits for a token within what is left of the call's budget. The token request itself may be
        /// shared with other callers, so only this caller's wait ends when its budget does.
        /// </summary>
        private async Task<CaxtonToken> TokenWithinAsync(CallBudget budget, Func<CancellationToken, Task<CaxtonToken>> get, CancellationToken cancellationToken)
        {
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                deadline.CancelAfter(budget.Remaining);
                try
                {
                    return await get(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw CaxtonTransport.TimedOut(CaxtonRequests.GetAccessToken, "POST", ApiPath.Combine(baseUri, CaxtonRequests.TokenPath), budget.Total);
                }
            }
        }

        internal static string? PlainPassword(ClientCredential? credential) =>
            credential is null ? null : Secrets.ToPlainText(credential.ClientPassword);
    }
}
