using System;
using System.Net.Http;
using System.Security;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Caxton.Tokens;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton
{
    /// <summary>
    /// Where to reach Caxton and, once known, who we are there: the Username, its ClientPassword and
    /// the cached bearer token. Shown to users without any secret. Safe to share between runspaces.
    /// </summary>
    public sealed class CaxtonConnection
    {
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

        private readonly CaxtonTransport transport;
        private readonly TokenCache tokens;
        private readonly ApiPipeline api;

        public CaxtonConnection(Uri baseUri, string? name = null, string? resetPath = null, TimeSpan? timeout = null)
            : this(baseUri, name, resetPath, timeout, (CaxtonTransport?)null)
        {
        }

        /// <summary>A connection with its own transport options (proxy, certificate checks, retries).</summary>
        public CaxtonConnection(Uri baseUri, string? name, string? resetPath, TimeSpan? timeout, CaxtonTransportOptions options)
            : this(baseUri, name, resetPath, timeout, new CaxtonTransport(null, ForBaseUri(baseUri, options)))
        {
        }

        /// <summary>
        /// The options a connection to <paramref name="baseUri"/> really uses: to a host the OS keeps on
        /// this machine (<see cref="CaxtonEnvironment.StaysOnThisMachine"/>), never a proxy, whatever
        /// -Proxy or HTTP_PROXY, http_proxy, ALL_PROXY say. A proxy URI with user:password@ is refused.
        /// </summary>
        internal static CaxtonTransportOptions ForBaseUri(Uri? baseUri, CaxtonTransportOptions options)
        {
            if (options.Proxy != null && (!options.Proxy.IsAbsoluteUri || options.Proxy.UserInfo.Length > 0))
            {
                throw new CaxtonException(
                    CaxtonErrorIds.InvalidProxyUri,
                    CaxtonErrorKind.InvalidArgument,
                    options.Proxy.IsAbsoluteUri
                        ? $"The proxy '{CaxtonEnvironment.WithoutUserInfo(options.Proxy)}' was given with a user name or password before the host (user:password@). Give the proxy's credential with -ProxyCredential, never in the proxy URI."
                        : $"The proxy '{options.Proxy.OriginalString}' is not an absolute URI such as http://proxy.example:3128/.")
                {
                    RecommendedAction = "Give -Proxy as http://host:port/ only, and the proxy's user name and password with -ProxyCredential.",
                };
            }

            if (baseUri is null || !baseUri.IsAbsoluteUri || !CaxtonEnvironment.StaysOnThisMachine(baseUri))
            {
                return options;
            }

            return options with { Proxy = null, ProxyCredential = null, ProxyUseDefaultCredentials = false, Direct = true };
        }

        internal CaxtonConnection(Uri baseUri, string? name, string? resetPath, TimeSpan? timeout, CaxtonTransport? transport)
        {
            BaseUri = CaxtonEnvironment.NormalizeBaseUri(baseUri);
            Environment = CaxtonEnvironment.NameOf(BaseUri);
            Name = string.IsNullOrEmpty(name) ? Environment : name!;
            ResetPath = string.IsNullOrWhiteSpace(resetPath) ? CaxtonRequests.DefaultResetPath : resetPath!.Trim();
            Timeout = timeout ?? DefaultTimeout;
            if (Timeout <= TimeSpan.Zero)
            {
                throw new CaxtonException(CaxtonErrorIds.InvalidTimeout, CaxtonErrorKind.InvalidArgument, "The timeout must be positive.");
            }

            this.transport = transport ?? new CaxtonTransport(null, ForBaseUri(BaseUri, CaxtonTransportOptions.Default));
            tokens = new TokenCache(RequestTokenAsync, NoClientCredential, () => CaxtonClockOffset ?? TimeSpan.Zero, EnvironmentCredential);
            api = new ApiPipeline(this.transport, tokens, BaseUri, Timeout);

            // A -ResetPath that climbs out of the base URI is refused now, not at the first reset.
            ApiPath.Combine(BaseUri, ResetPath);
        }

        public string Name { get; }

        /// <summary>Sandbox, Staging, Production, or Custom for any other base URI.</summary>
        public string Environment { get; }

        public Uri BaseUri { get; }

        public string? Username => tokens.Credential?.Username;

        /// <summary>
        /// Caxton's clock minus this host's, from the Date header of the latest response (null until
        /// one came). Expiry decisions use Caxton's clock, so a host whose clock is off neither refuses
        /// a valid password nor skips a rotation.
        /// </summary>
        public TimeSpan? CaxtonClockOffset
        {
            get
            {
                var ticks = Interlocked.Read(ref clockOffsetTicks);
                return ticks == long.MinValue ? (TimeSpan?)null : TimeSpan.FromTicks(ticks);
            }
        }

        private long clockOffsetTicks = long.MinValue;

        /// <summary>Caxton's time now, as far as this connection knows its clock.</summary>
        internal DateTimeOffset CaxtonNow => DateTimeOffset.UtcNow + (CaxtonClockOffset ?? TimeSpan.Zero);

        /// <summary>Learns Caxton's clock from a response's Date (one-second resolution, so small offsets are noise).</summary>
        internal void LearnClock(DateTimeOffset? responseDate, DateTimeOffset received)
        {
            if (responseDate is DateTimeOffset date)
            {
                var offset = date - received;
                Interlocked.Exchange(ref clockOffsetTicks, offset.Duration() < TimeSpan.FromSeconds(2) ? 0 : offset.Ticks);
            }
        }

        /// <summary>
        /// The new password of a rotation that has not finished (stopped by Ctrl+C, a stopped pipeline,
        /// a failed hand-off or token request): kept here so it is never lost; null otherwise. Each read
        /// is a copy; the next rotation's end, or Disconnect-Caxton, clears it.
        /// </summary>
        public CaxtonClientPassword? UnclaimedPassword => unclaimed?.CopyForCaller();

        private volatile CaxtonClientPassword? unclaimed;

        internal void HoldUnclaimed(CaxtonClientPassword password) => unclaimed = password;

        internal void Claimed(CaxtonClientPassword password) => Interlocked.CompareExchange(ref unclaimed, null, password);

        public DateTimeOffset? TokenExpiresOn => tokens.Token?.ExpiresOn;

        public DateTimeOffset? ClientPasswordExpiresOn => tokens.Credential?.PasswordExpiresOn;

        /// <summary>Path of Reset Client Credentials; configurable because the docs do not publish it.</summary>
        public string ResetPath { get; }

        /// <summary>The budget of one call, retries and waits included.</summary>
        public TimeSpan Timeout { get; }

        /// <summary>Retries after a first attempt, for failures that are safe to repeat.</summary>
        public int MaximumRetryCount => transport.Settings.MaximumRetryCount;

        /// <summary>An explicit proxy; empty means the system proxy.</summary>
        public Uri? Proxy => transport.Settings.Proxy;

        public bool SkipCertificateCheck => transport.Settings.SkipCertificateCheck;

        /// <summary>
        /// The connection the cmdlets use before any Connect-Caxton: CAXTON_BASEURI, else
        /// CAXTON_ENVIRONMENT, else none (NotConnected): no host is ever chosen for the user.
        /// </summary>
        public static CaxtonConnection FromEnvironmentVariables()
        {
            var baseUri = System.Environment.GetEnvironmentVariable(CaxtonEnvironment.BaseUriVariable);
            if (!string.IsNullOrWhiteSpace(baseUri))
            {
                return FromVariable(CaxtonEnvironment.BaseUriVariable, baseUri!, value =>
                    Uri.TryCreate(value, UriKind.Absolute, out var uri)
                        ? new CaxtonConnection(uri)
                        : throw new CaxtonException(CaxtonErrorIds.InvalidBaseUri, CaxtonErrorKind.InvalidArgument, "it is not an absolute URI."));
            }

            var environment = System.Environment.GetEnvironmentVariable(CaxtonEnvironment.EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(environment))
            {
                return FromVariable(CaxtonEnvironment.EnvironmentVariable, environment!, value => new CaxtonConnection(CaxtonEnvironment.GetBaseUri(value)));
            }

            throw CaxtonException.NotConnected(null, null);
        }

        /// <summary>A connection from one CAXTON_* variable; a bad value fails naming the variable, so the user knows where to look.</summary>
        private static CaxtonConnection FromVariable(string variable, string value, Func<string, CaxtonConnection> create)
        {
            try
            {
                return create(value.Trim());
            }
            catch (CaxtonException exception)
            {
                throw new CaxtonException(exception.ErrorId, exception.Kind, $"The environment variable {variable} ('{value.Trim()}') is not usable: {exception.Message}")
                {
                    RecommendedAction = $"Correct or remove the environment variable {variable}, or run Connect-Caxton -Environment or -BaseUri.",
                };
            }
        }

        public override string ToString() => $"{Name}: {BaseUri}{(Username is null ? string.Empty : " as " + Username)}";

        // The engine's operations, which the cmdlets call. Each one fails only with CaxtonException.

        /// <summary>Generate Password; on success the connection holds the new credential.</summary>
        public Task<CaxtonClientPassword> NewClientPasswordAsync(string username, string clientname, ICaxtonLog log, CancellationToken cancellationToken) =>
            NewClientPasswordAsync(username, clientname, hold: true, log, cancellationToken);

        /// <summary>Generate Password; with <paramref name="hold"/> the connection holds the new credential.</summary>
        internal async Task<CaxtonClientPassword> NewClientPasswordAsync(string username, string clientname, bool hold, ICaxtonLog log, CancellationToken cancellationToken)
        {
            // Not idempotent: a repeat could mint a second password, so it is retried only when the server surely did not act.
            var response = await transport.SendAsync(() => CaxtonRequests.Register(BaseUri, username, clientname), CaxtonRequests.GeneratePassword, RequestSafety.NotIdempotent, Timeout, log, cancellationToken, secret: HeldPassword()).ConfigureAwait(false);
            LearnClock(response.ResponseDate, DateTimeOffset.UtcNow);
            var (model, plain) = ResponseReader.ReadClientPassword(response);
            var password = new CaxtonClientPassword(username, clientname, Secrets.ToSecureString(plain), model, plain)
            {
                RequestId = response.RequestId,
                ResponseDate = response.ResponseDate,
            };
            if (hold)
            {
                SetCredential(username, password.ClientPassword, password.EndDate);
            }

            return password;
        }

        /// <summary>The held credential's token: the cached one while it is fresh, else a new one.</summary>
        public Task<CaxtonToken> GetTokenAsync(bool force, ICaxtonLog log, CancellationToken cancellationToken) =>
            tokens.GetTokenAsync(null, adopt: false, force, log, cancellationToken);

        /// <summary>
        /// A token for the credential a caller gave (-Credential, -Username/-ClientPassword, the pipeline).
        /// That credential becomes the held one only if its token request succeeds: a failure leaves the
        /// connection exactly as it was.
        /// </summary>
        public Task<CaxtonToken> GetTokenAsync(string username, SecureString clientPassword, DateTimeOffset? passwordExpiresOn, bool force, ICaxtonLog log, CancellationToken cancellationToken) =>
            GetTokenAsync(new ClientCredential(username, clientPassword, passwordExpiresOn), force, log, cancellationToken);

        internal Task<CaxtonToken> GetTokenAsync(ClientCredential asked, bool force, ICaxtonLog log, CancellationToken cancellationToken) =>
            tokens.GetTokenAsync(asked, adopt: true, force, log, cancellationToken);

        /// <summary>
        /// One token request for a stored credential, outside the cache and without the local expiry
        /// check: Caxton alone judges whether it still works (a scheduled rotation's first step).
        /// </summary>
        internal Task<CaxtonToken> CheckCredentialAsync(ClientCredential stored, ICaxtonLog log, CancellationToken cancellationToken) =>
            RequestTokenAsync(stored, log).WaitAsync(cancellationToken);

        /// <summary>Holds a checked credential and its token, as a successful token request would.</summary>
        internal void Hold(ClientCredential credential, CaxtonToken token) => tokens.Hold(credential, token);

        /// <summary>A new token for <paramref name="asked"/> that the connection never holds: proof that a credential works.</summary>
        internal Task<CaxtonToken> ProveCredentialAsync(ClientCredential asked, ICaxtonLog log, CancellationToken cancellationToken) =>
            tokens.GetTokenAsync(asked, adopt: false, force: true, log, cancellationToken);

        /// <summary>
        /// Checks an API call's path and header arguments as sending it would, and returns the URI it
        /// goes to: a cmdlet asks this before ShouldProcess, so a confirmation or What-if shows only
        /// input that would be sent, and -WhatIf reports what would be refused.
        /// </summary>
        public Uri CheckApiCall(string path, string? contentType, string? identityNumber)
        {
            CaxtonRequests.CheckHeaderArguments(identityNumber, contentType);
            return ApiPath.Under(BaseUri, path);
        }

        /// <summary>As <see cref="CheckApiCall"/>, for a credential reset's IdentityNumber.</summary>
        public static void CheckIdentityNumber(string? identityNumber) => CaxtonRequests.CheckHeaderArguments(identityNumber, null);

        /// <summary>Reset Client Credentials for the main account, or for a sub-account by IdentityNumber.</summary>
        public async Task<CaxtonCredentialReset> ResetCredentialAsync(string username, string clientname, string? identityNumber, ICaxtonLog log, CancellationToken cancellationToken)
        {
            CaxtonRequests.CheckHeaderArguments(identityNumber, null);

            // A PUT: resetting twice leaves the same state as resetting once. A sub-account is reset by
            // its main account, which proves itself with its token; a main-account reset is anonymous.
            HttpExchange response;
            if (identityNumber != null)
            {
                response = await api.SendAsync(
                    CaxtonRequests.ResetClientCredentials, RequestSafety.Idempotent,
                    bearer => CaxtonRequests.Reset(BaseUri, ResetPath, username, clientname, identityNumber, bearer), log, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var budget = new CallBudget(Timeout);
                response = await transport.SendAsync(
                    () => CaxtonRequests.Reset(BaseUri, ResetPath, username, clientname, null, null),
                    CaxtonRequests.ResetClientCredentials, RequestSafety.Idempotent, budget, log, cancellationToken, secret: HeldPassword()).ConfigureAwait(false);
                if (response.Status == 401 && tokens.Token is CaxtonToken own
                    && string.Equals(own.Username, username, StringComparison.Ordinal) && TokenCache.IsFresh(own, DateTimeOffset.UtcNow))
                {
                    // The contract's main-account reset is anonymous; a Caxton that wants the account's own
                    // token (401) gets the one at hand, once. A PUT, so asking again is harmless.
                    log.Verbose($"{CaxtonRequests.ResetClientCredentials}: HTTP 401 without a token; trying once more with the token of '{username}'.");
                    var ownBearer = Secrets.ToPlainText(own.AccessToken);
                    response = await transport.SendAsync(
                        () => CaxtonRequests.Reset(BaseUri, ResetPath, username, clientname, null, ownBearer),
                        CaxtonRequests.ResetClientCredentials, RequestSafety.Idempotent, budget, log, cancellationToken, secret: HeldPassword()).ConfigureAwait(false);
                }
            }

            LearnClock(response.ResponseDate, DateTimeOffset.UtcNow);
            var model = ResponseReader.ReadEnvelope(response);
            if (identityNumber is null)
            {
                // The old password and every token from it are void now.
                tokens.Forget(username);
            }

            return new CaxtonCredentialReset(username, clientname, identityNumber, model, DateTimeOffset.UtcNow, response.RedactionSecrets)
            {
                RequestId = response.RequestId,
                ResponseDate = response.ResponseDate,
            };
        }

        /// <summary>
        /// Create Subsidiary Account: a new sub-account of the main account this connection holds. Never
        /// repeated once the request may have reached Caxton: a second one could create a second account.
        /// </summary>
        public async Task<CaxtonSubAccount> NewSubAccountAsync(string companyName, string email, ICaxtonLog log, CancellationToken cancellationToken)
        {
            var response = await api.SendAsync(
                CaxtonRequests.CreateSubsidiaryAccount, RequestSafety.NotIdempotent,
                bearer => CaxtonRequests.Subsidiary(BaseUri, companyName, email, bearer), log, cancellationToken).ConfigureAwait(false);
            var subAccount = ResponseReader.ReadSubAccount(response, email);
            subAccount.RequestId = response.RequestId;
            subAccount.ResponseDate = response.ResponseDate;
            return subAccount;
        }

        /// <summary>
        /// Invoke-CaxtonRestMethod's call: <paramref name="body"/> is sent as it is when a string or bytes,
        /// else as JSON the engine writes. Returns Content.Model (the whole envelope when
        /// <paramref name="raw"/>) as parsed JSON, or null when the response has no body.
        /// </summary>
        public async Task<JsonElement?> InvokeApiAsync(string method, string path, object? body, string? contentType, string? identityNumber, bool raw, ICaxtonLog log, CancellationToken cancellationToken)
        {
            var bytes = RequestBody.ToBytes(body);
            var response = await InvokeApiAsync(new HttpMethod(method), path, bytes, contentType, identityNumber, log, cancellationToken).ConfigureAwait(false);
            return ResponseReader.ReadApiResponse(response, raw);
        }

        /// <summary>The username and a copy of the client password this connection holds, for callers that show or hand it on.</summary>
        public bool TryCopyHeldCredential(out string username, out SecureString clientPassword)
        {
            if (tokens.Credential is ClientCredential held)
            {
                username = held.Username;
                clientPassword = Secrets.ReadOnlyCopy(held.ClientPassword);
                return true;
            }

            username = string.Empty;
            clientPassword = null!;
            return false;
        }

        /// <summary>
        /// Takes over what an older connection of the same name and base URI held, so connecting again
        /// never drops a working credential.
        /// </summary>
        public void KeepFrom(CaxtonConnection previous) => tokens.KeepFrom(previous.tokens);

        /// <summary>
        /// Disconnect-Caxton: forgets the credential and token, and lets go of the HTTP handler and the
        /// proxy credential. Used again afterwards, the connection works without a proxy credential.
        /// </summary>
        public void Disconnect()
        {
            unclaimed = null;
            tokens.Forget();
            transport.DropProxyCredential();
        }

        /// <summary>
        /// Starts, in the background, the work the first request would do before it sends anything: building
        /// the shared HTTP client. Opens no connection and sends nothing; a failure stays silent and never
        /// counts against a call.
        /// </summary>
        public void PrepareInBackground() => _ = PrepareAsync();

        /// <summary>As <see cref="PrepareInBackground"/>, for tests that wait for it to end.</summary>
        internal Task PrepareAsync() => transport.PrepareInBackground();

        /// <summary>Lets go of the HTTP handler only, as when another connection replaces this one's name.</summary>
        public void ReleaseClients() => transport.ReleaseClients();

        /// <summary>The credential held now; null when none.</summary>
        internal ClientCredential? HeldCredential => tokens.Credential;

        /// <summary>Forgets the credential and token, as after a reset (Test-CaxtonContract's reset check).</summary>
        internal void Forget(string? username = null) => tokens.Forget(username);

        /// <summary>The transport options this connection was made with (a loopback one's are direct).</summary>
        internal CaxtonTransportOptions TransportOptions => transport.Settings;

        /// <summary>The connection's HTTP clients and options without retries, for Test-CaxtonContract.</summary>
        internal CaxtonTransport ProbeTransport() => transport.WithoutRetries();

        /// <summary>Holds a credential for later token requests (see <see cref="TokenCache.SetCredential"/>).</summary>
        internal void SetCredential(string username, SecureString clientPassword, DateTimeOffset? passwordExpiresOn = null) =>
            tokens.SetCredential(username, clientPassword, passwordExpiresOn);

        /// <summary>
        /// CAXTON_USERNAME and CAXTON_CLIENTPASSWORD, only for the base URI the environment itself names
        /// (CAXTON_BASEURI, else CAXTON_ENVIRONMENT, else the Sandbox, as <see cref="FromEnvironmentVariables"/>):
        /// a connection made elsewhere never sends them to another host.
        /// </summary>
        private ClientCredential? EnvironmentCredential() =>
            EnvironmentBaseUri() == BaseUri ? ClientCredential.FromEnvironmentVariables() : null;

        /// <summary>The base URI the CAXTON_* variables name; null when they name none that is usable.</summary>
        private static Uri? EnvironmentBaseUri()
        {
            try
            {
                var baseUri = System.Environment.GetEnvironmentVariable(CaxtonEnvironment.BaseUriVariable);
                if (!string.IsNullOrWhiteSpace(baseUri))
                {
                    return Uri.TryCreate(baseUri!.Trim(), UriKind.Absolute, out var uri) ? CaxtonEnvironment.NormalizeBaseUri(uri) : null;
                }

                var environment = System.Environment.GetEnvironmentVariable(CaxtonEnvironment.EnvironmentVariable);
                return CaxtonEnvironment.GetBaseUri(string.IsNullOrWhiteSpace(environment) ? CaxtonEnvironment.Sandbox : environment!.Trim());
            }
            catch (CaxtonException)
            {
                return null;
            }
        }

        private CaxtonException NoClientCredential() =>
            new CaxtonException(
                CaxtonErrorIds.NoClientCredential,
                CaxtonErrorKind.InvalidOperation,
                $"The connection '{Name}' has no client credential yet. Run Connect-Caxton -Credential, or New-CaxtonPassword to generate one."
                + (ClientCredential.FromEnvironmentVariables() is null ? string.Empty
                    : $" CAXTON_USERNAME and CAXTON_CLIENTPASSWORD are set, but they go only to the base URI the environment names ({EnvironmentBaseUri()?.ToString() ?? "none usable"}, from CAXTON_BASEURI or CAXTON_ENVIRONMENT), not to {BaseUri}."))
            {
                RecommendedAction = "Run Connect-Caxton -Credential (Username and ClientPassword) or New-CaxtonPassword -Username -Clientname; or pass -Credential to Get-CaxtonToken, or set CAXTON_USERNAME and CAXTON_CLIENTPASSWORD.",
            };

        /// <summary>One token request on the wire, for the token cache.</summary>
        private async Task<CaxtonToken> RequestTokenAsync(ClientCredential held, ICaxtonLog log)
        {
            // Safe to repeat: each answer is just another valid token.
            var password = Secrets.ToPlainText(held.ClientPassword);
            var response = await transport.SendAsync(
                () => CaxtonRequests.Token(BaseUri, held.Username, password),
                CaxtonRequests.GetAccessToken, RequestSafety.Idempotent, Timeout, log, CancellationToken.None, secret: password).ConfigureAwait(false);

            // expires_in counts from when the response arrived.
            var received = DateTimeOffset.UtcNow;
            LearnClock(response.ResponseDate, received);
            var body = ResponseReader.ReadToken(response);
            return new CaxtonToken(held.Username, Secrets.ToSecureString(body.AccessToken), body.TokenType, body.ExpiresIn, received);
        }

        /// <summary>Invoke-CaxtonRestMethod's call on the wire, through the one authenticated pipeline.</summary>
        internal Task<HttpExchange> InvokeApiAsync(HttpMethod method, string path, byte[]? body, string? contentType, string? identityNumber, ICaxtonLog log, CancellationToken cancellationToken)
        {
            // Refused before anything is sent, a token request included.
            CaxtonRequests.CheckHeaderArguments(identityNumber, contentType);
            ApiPath.Under(BaseUri, path);
            var safety = method == HttpMethod.Post || method.Method == "PATCH" ? RequestSafety.NotIdempotent : RequestSafety.Idempotent;
            return api.SendAsync(
                CaxtonRequests.CaxtonApi, safety,
                bearer => CaxtonRequests.Api(BaseUri, method, path, body, contentType, identityNumber, bearer), log, cancellationToken);
        }

        /// <summary>The held client password, so a response to any call that echoes it is masked too.</summary>
        private string? HeldPassword() => ApiPipeline.PlainPassword(tokens.Credential);
    }
}
