using System;
using System.Net.Http;
using System.Security;
using System.Threading;
using System.Threading.Tasks;

namespace Caxton
{
    /// <summary>
    /// Where to reach Caxton and, once known, who we are there: the Username, its ClientPassword and
    /// the cached bearer token. Shown to users without any secret. Safe to share between runspaces.
    /// </summary>
    public sealed class CaxtonConnection
    {
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

        private readonly object gate = new object();
        private readonly CaxtonTransport transport;
        private ClientCredential? credential;
        private CaxtonToken? token;
        private Task<CaxtonToken>? pendingToken;
        private ClientCredential? pendingFor;

        public CaxtonConnection(Uri baseUri, string? name = null, string? resetPath = null, TimeSpan? timeout = null)
            : this(baseUri, name, resetPath, timeout, (CaxtonTransport?)null)
        {
        }

        internal CaxtonConnection(Uri baseUri, string? name, string? resetPath, TimeSpan? timeout, TransportSettings settings)
            : this(baseUri, name, resetPath, timeout, new CaxtonTransport(null, settings))
        {
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
                throw new CaxtonException(CaxtonErrorIds.InvalidArgument, CaxtonErrorKind.InvalidArgument, "The timeout must be positive.");
            }

            this.transport = transport ?? new CaxtonTransport();
        }

        public string Name { get; }

        /// <summary>Sandbox, Staging, Production, or Custom for any other base URI.</summary>
        public string Environment { get; }

        public Uri BaseUri { get; }

        public string? Username => credential?.Username;

        public DateTimeOffset? TokenExpiresOn => token?.ExpiresOn;

        public DateTimeOffset? ClientPasswordExpiresOn => credential?.PasswordExpiresOn;

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
        /// CAXTON_ENVIRONMENT, else Sandbox. Never Production unless a variable names it.
        /// </summary>
        public static CaxtonConnection FromEnvironmentVariables()
        {
            var baseUri = System.Environment.GetEnvironmentVariable(CaxtonEnvironment.BaseUriVariable);
            if (!string.IsNullOrWhiteSpace(baseUri))
            {
                if (!Uri.TryCreate(baseUri!.Trim(), UriKind.Absolute, out var uri))
                {
                    throw new CaxtonException(
                        CaxtonErrorIds.InvalidBaseUri,
                        CaxtonErrorKind.InvalidArgument,
                        $"{CaxtonEnvironment.BaseUriVariable} is not an absolute URI: '{baseUri}'.");
                }

                return new CaxtonConnection(uri);
            }

            var environment = System.Environment.GetEnvironmentVariable(CaxtonEnvironment.EnvironmentVariable);
            return new CaxtonConnection(CaxtonEnvironment.GetBaseUri(string.IsNullOrWhiteSpace(environment) ? CaxtonEnvironment.Sandbox : environment!.Trim()));
        }

        public override string ToString() => $"{Name}: {BaseUri}{(Username is null ? string.Empty : " as " + Username)}";

        /// <summary>Generate Password; on success the connection holds the new credential.</summary>
        internal async Task<CaxtonClientPassword> NewClientPasswordAsync(string username, string clientname, ICaxtonLog log, CancellationToken cancellationToken)
        {
            // Not idempotent: a repeat could mint a second password, so it is retried only when the server surely did not act.
            var response = await transport.SendAsync(() => CaxtonRequests.Register(BaseUri, username, clientname), CaxtonRequests.GeneratePassword, RequestSafety.NotIdempotent, Timeout, log, cancellationToken).ConfigureAwait(false);
            var (model, plain) = ResponseReader.ReadClientPassword(response);
            var password = new CaxtonClientPassword(username, clientname, Secrets.ToSecureString(plain), model);
            SetCredential(username, password.ClientPassword, password.EndDate);
            return password;
        }

        /// <summary>
        /// Holds a credential for later token requests. A different credential drops the cached token,
        /// so a wrong password is never answered from the cache.
        /// </summary>
        internal void SetCredential(string username, SecureString clientPassword, DateTimeOffset? passwordExpiresOn = null)
        {
            lock (gate)
            {
                if (credential != null && credential.SameAs(username, clientPassword))
                {
                    // Replace the object only to learn an expiry: a new object would orphan a token request under way for it.
                    if (passwordExpiresOn.HasValue && passwordExpiresOn != credential.PasswordExpiresOn)
                    {
                        credential = new ClientCredential(username, clientPassword, passwordExpiresOn);
                    }

                    return;
                }

                credential = new ClientCredential(username, clientPassword, passwordExpiresOn);
                token = null;
            }
        }

        /// <summary>Forgets the credential and token, as after a reset or Disconnect-Caxton.</summary>
        internal void Forget(string? username = null)
        {
            lock (gate)
            {
                if (username is null || string.Equals(username, credential?.Username, StringComparison.OrdinalIgnoreCase))
                {
                    credential = null;
                    token = null;
                }
            }
        }

        /// <summary>
        /// Disconnect-Caxton: forgets the credential and token, and lets go of the HTTP handler and the
        /// proxy credential. Used again afterwards, the connection works without a proxy credential.
        /// </summary>
        internal void Disconnect()
        {
            Forget();
            if (!ReferenceEquals(transport.Settings, TransportSettings.Default))
            {
                transport.Settings.ProxyCredential = null;
            }

            transport.ReleaseClients();
        }

        /// <summary>Lets go of the HTTP handler only, as when another connection replaces this one's name.</summary>
        internal void ReleaseClients() => transport.ReleaseClients();

        /// <summary>
        /// The cached token while it is fresh, else a new one. Concurrent callers share one request.
        /// </summary>
        internal async Task<CaxtonToken> GetTokenAsync(bool force, ICaxtonLog log, CancellationToken cancellationToken)
        {
            Task<CaxtonToken> request;
            lock (gate)
            {
                if (!force && token != null && IsFresh(token, DateTimeOffset.UtcNow))
                {
                    return token;
                }

                // Join a request under way only if it is for the credential held now.
                if (pendingToken is null || !ReferenceEquals(pendingFor, credential))
                {
                    // The environment is read only when nothing explicit was given.
                    var held = credential ??= ClientCredential.FromEnvironmentVariables() ?? throw new CaxtonException(
                        CaxtonErrorIds.NoClientCredential,
                        CaxtonErrorKind.InvalidOperation,
                        $"The connection '{Name}' holds no Username and ClientPassword to get a token with.")
                    {
                        RecommendedAction = "Pass -Username and -ClientPassword or -Credential to Get-CaxtonToken, run New-CaxtonPassword first, or set CAXTON_USERNAME and CAXTON_CLIENTPASSWORD.",
                    };
                    CheckPasswordLifetime(held, DateTimeOffset.UtcNow, log);

                    // Not tied to this caller's token: others may join it, and one caller's Ctrl+C must not
                    // fail them. Started here, it runs on this thread up to its first wait for the network.
                    request = RequestTokenAsync(held, log);
                    if (!request.IsCompleted)
                    {
                        pendingFor = held;
                        pendingToken = request;
                    }
                }
                else
                {
                    log.Verbose($"{CaxtonRequests.GetAccessToken}: joining the token request already under way.");
                    request = pendingToken;
                }
            }

            return await request.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Fresh means not within the refresh margin of expiry: 5 minutes, or a tenth of the lifetime for
        /// short-lived tokens, so a caller never receives a token about to expire.
        /// </summary>
        internal static bool IsFresh(CaxtonToken token, DateTimeOffset now)
        {
            var lifetime = TimeSpan.FromSeconds(token.ExpiresIn);
            var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, lifetime.Ticks / 10));
            return now < token.ExpiresOn - margin;
        }

        /// <summary>Days of client password life left under which every token request warns.</summary>
        internal static readonly TimeSpan PasswordExpiryWarning = TimeSpan.FromDays(3);

        /// <summary>An expired password fails here, saying what to run, instead of as a bare invalid_grant.</summary>
        internal static void CheckPasswordLifetime(ClientCredential held, DateTimeOffset now, ICaxtonLog log)
        {
            if (held.PasswordExpiresOn is not DateTimeOffset end)
            {
                return;
            }

            if (end <= now)
            {
                throw new CaxtonException(
                    CaxtonErrorIds.ClientPasswordExpired,
                    CaxtonErrorKind.Authentication,
                    $"The client password of '{held.Username}' expired on {end:u}.")
                {
                    RecommendedAction = "Run Reset-CaxtonCredential, then New-CaxtonPassword, then Get-CaxtonToken.",
                };
            }

            if (end - now < PasswordExpiryWarning)
            {
                log.Warning($"The client password of '{held.Username}' expires on {end:u}, in {(end - now).TotalHours:0} hours. Renew it soon: Reset-CaxtonCredential, then New-CaxtonPassword.");
            }
        }

        private async Task<CaxtonToken> RequestTokenAsync(ClientCredential held, ICaxtonLog log)
        {
            try
            {
                // Safe to repeat: each answer is just another valid token.
                var password = Secrets.ToPlainText(held.ClientPassword);
                var response = await transport.SendAsync(
                    () => CaxtonRequests.Token(BaseUri, held.Username, password),
                    CaxtonRequests.GetAccessToken, RequestSafety.Idempotent, Timeout, log, CancellationToken.None, secret: password).ConfigureAwait(false);

                // expires_in counts from when the response arrived.
                var received = DateTimeOffset.UtcNow;
                var body = ResponseReader.ReadToken(response);
                var fresh = new CaxtonToken(held.Username, Secrets.ToSecureString(body.AccessToken), body.TokenType, body.ExpiresIn, received);
                lock (gate)
                {
                    // A credential changed meanwhile (new password, reset, disconnect) must not get this token.
                    if (ReferenceEquals(credential, held))
                    {
                        token = fresh;
                    }
                }

                return fresh;
            }
            finally
            {
                // Runs after GetTokenAsync has published this request (it holds the lock meanwhile), or,
                // when the request ends at once, before it is published and so with nothing to clear.
                lock (gate)
                {
                    // A newer request for another credential may have taken the slot.
                    if (ReferenceEquals(pendingFor, held))
                    {
                        pendingToken = null;
                        pendingFor = null;
                    }
                }
            }
        }

        /// <summary>
        /// Any authenticated call with the connection's token, refreshed as needed. After a 401 it tries
        /// once more with a new token: the server may have revoked the one we cached.
        /// </summary>
        internal async Task<HttpExchange> InvokeApiAsync(HttpMethod method, string path, byte[]? body, string? contentType, string? identityNumber, ICaxtonLog log, CancellationToken cancellationToken)
        {
            var safety = method == HttpMethod.Post || method.Method == "PATCH" ? RequestSafety.NotIdempotent : RequestSafety.Idempotent;
            var used = await GetTokenAsync(false, log, cancellationToken).ConfigureAwait(false);
            var response = await SendApiAsync(used).ConfigureAwait(false);
            if (response.Status != 401)
            {
                return response;
            }

            log.Verbose("Caxton API: HTTP 401; getting a new token and trying once more.");
            var fresh = await ReplaceTokenAsync(used, log, cancellationToken).ConfigureAwait(false);
            return await SendApiAsync(fresh).ConfigureAwait(false);

            Task<HttpExchange> SendApiAsync(CaxtonToken token) =>
                transport.SendAsync(
                    () => CaxtonRequests.Api(BaseUri, method, path, body, contentType, identityNumber, Secrets.ToPlainText(token.AccessToken)),
                    "Caxton API", safety, Timeout, log, cancellationToken);
        }

        /// <summary>A new token unless another caller has already replaced this rejected one.</summary>
        private Task<CaxtonToken> ReplaceTokenAsync(CaxtonToken rejected, ICaxtonLog log, CancellationToken cancellationToken)
        {
            lock (gate)
            {
                if (token != null && !ReferenceEquals(token, rejected) && IsFresh(token, DateTimeOffset.UtcNow))
                {
                    return Task.FromResult(token);
                }

                if (ReferenceEquals(token, rejected))
                {
                    token = null;
                }
            }

            return GetTokenAsync(false, log, cancellationToken);
        }

        /// <summary>Reset Client Credentials for the main account, or for a sub-account by IdentityNumber.</summary>
        internal async Task<CaxtonCredentialReset> ResetCredentialAsync(string username, string clientname, string? identityNumber, ICaxtonLog log, CancellationToken cancellationToken)
        {
            string? bearer = null;
            if (identityNumber != null)
            {
                // A sub-account is reset by its main account, which proves itself with its token.
                var mainToken = await GetTokenAsync(false, log, cancellationToken).ConfigureAwait(false);
                bearer = Secrets.ToPlainText(mainToken.AccessToken);
            }

            // A PUT: resetting twice leaves the same state as resetting once.
            var response = await transport.SendAsync(
                () => CaxtonRequests.Reset(BaseUri, ResetPath, username, clientname, identityNumber, bearer),
                CaxtonRequests.ResetClientCredentials, RequestSafety.Idempotent, Timeout, log, cancellationToken).ConfigureAwait(false);
            var model = ResponseReader.ReadEnvelope(response);
            if (identityNumber is null)
            {
                // The old password and every token from it are void now.
                Forget(username);
            }

            return new CaxtonCredentialReset(username, clientname, identityNumber, model, DateTimeOffset.UtcNow);
        }
    }
}
