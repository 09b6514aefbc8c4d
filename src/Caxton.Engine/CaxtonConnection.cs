using System;
using System.Collections.Generic;
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
        // Token requests under way, one per credential: a caller joins only the one for its own credential.
        private readonly List<PendingToken> pending = new List<PendingToken>();
        // Counts credentials dropped or replaced (reset, disconnect, a new password): a request that
        // started before never commits its answer over them.
        private long replaced;

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

            // A -ResetPath that climbs out of the base URI is refused now, not at the first reset.
            CaxtonEnvironment.Combine(BaseUri, ResetPath);
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

            return new CaxtonConnection(CaxtonEnvironment.GetBaseUri(CaxtonEnvironment.Sandbox));
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

        /// <summary>Generate Password; on success the connection holds the new credential.</summary>
        internal async Task<CaxtonClientPassword> NewClientPasswordAsync(string username, string clientname, ICaxtonLog log, CancellationToken cancellationToken) =>
            await NewClientPasswordAsync(username, clientname, hold: true, log, cancellationToken).ConfigureAwait(false);

        /// <summary>Generate Password; with <paramref name="hold"/> the connection holds the new credential.</summary>
        internal async Task<CaxtonClientPassword> NewClientPasswordAsync(string username, string clientname, bool hold, ICaxtonLog log, CancellationToken cancellationToken)
        {
            // Not idempotent: a repeat could mint a second password, so it is retried only when the server surely did not act.
            var response = await transport.SendAsync(() => CaxtonRequests.Register(BaseUri, username, clientname), CaxtonRequests.GeneratePassword, RequestSafety.NotIdempotent, Timeout, log, cancellationToken, secret: HeldPassword()).ConfigureAwait(false);
            var (model, plain) = ResponseReader.ReadClientPassword(response);
            var password = new CaxtonClientPassword(username, clientname, Secrets.ToSecureString(plain), model);
            if (hold)
            {
                SetCredential(username, password.ClientPassword, password.EndDate);
            }

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
                    if (passwordExpiresOn.HasValue && passwordExpiresOn != credential.PasswordExpiresOn)
                    {
                        credential = credential.WithExpiry(passwordExpiresOn.Value);
                    }

                    return;
                }

                credential = new ClientCredential(username, clientPassword, passwordExpiresOn);
                token = null;
                replaced++;
            }
        }

        /// <summary>The credential held now, for callers that show or hand it on (as a copy); null when none.</summary>
        internal ClientCredential? HeldCredential
        {
            get
            {
                lock (gate)
                {
                    return credential;
                }
            }
        }

        /// <summary>
        /// Takes over what an older connection of the same name and base URI held, so connecting again
        /// never drops a working credential.
        /// </summary>
        internal void KeepFrom(CaxtonConnection previous)
        {
            ClientCredential? held;
            CaxtonToken? cached;
            lock (previous.gate)
            {
                held = previous.credential;
                cached = previous.token;
            }

            lock (gate)
            {
                credential = held;
                token = cached;
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
                    replaced++;
                }
            }
        }

        /// <summary>The held credential's token: the cached one while it is fresh, else a new one.</summary>
        internal Task<CaxtonToken> GetTokenAsync(bool force, ICaxtonLog log, CancellationToken cancellationToken) =>
            GetTokenAsync(null, adopt: false, force, log, cancellationToken);

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
        /// A token for the credential a caller gave (-Credential, -Username/-ClientPassword, the pipeline).
        /// That credential becomes the held one only if its token request succeeds: a failure leaves the
        /// connection exactly as it was.
        /// </summary>
        internal Task<CaxtonToken> GetTokenAsync(ClientCredential asked, bool force, ICaxtonLog log, CancellationToken cancellationToken) =>
            GetTokenAsync(asked, adopt: true, force, log, cancellationToken);

        /// <summary>A new token for <paramref name="asked"/> that the connection never holds: proof that a credential works.</summary>
        internal Task<CaxtonToken> ProveCredentialAsync(ClientCredential asked, ICaxtonLog log, CancellationToken cancellationToken) =>
            GetTokenAsync(asked, adopt: false, force: true, log, cancellationToken);

        /// <summary>
        /// A token for <paramref name="asked"/> (else the held credential, else CAXTON_* variables), and
        /// only for it, whatever other callers do: concurrent callers share one request per credential,
        /// and the answer is committed to the connection, credential and token together, only on success.
        /// </summary>
        private async Task<CaxtonToken> GetTokenAsync(ClientCredential? asked, bool adopt, bool force, ICaxtonLog log, CancellationToken cancellationToken)
        {
            Task<CaxtonToken> request;
            lock (gate)
            {
                var now = DateTimeOffset.UtcNow;

                // The environment is read only when nothing explicit was given; what it names is held once it works.
                adopt |= asked is null && credential is null;
                var wanted = asked ?? credential ?? ClientCredential.FromEnvironmentVariables() ?? throw NoClientCredential();
                var holdsWanted = credential != null && (ReferenceEquals(credential, wanted) || credential.SameAs(wanted));
                if (holdsWanted && wanted.PasswordExpiresOn is DateTimeOffset learned && learned != credential!.PasswordExpiresOn)
                {
                    // A piped password brings its EndDate. Requests under way are matched by value, so this orphans none.
                    credential = credential.WithExpiry(learned);
                }

                var effective = holdsWanted ? credential! : wanted;
                CheckPasswordLifetime(effective, now, log);
                if (!force && holdsWanted && token != null && IsFresh(token, now))
                {
                    if (log.IsVerboseEnabled)
                    {
                        log.Verbose($"{CaxtonRequests.GetAccessToken}: the cached token for '{token.Username}', valid until {token.ExpiresOn:u}; no request sent.");
                    }

                    return token;
                }

                var underWay = pending.Find(p => ReferenceEquals(p.For, effective) || p.For.SameAs(effective));
                if (underWay != null)
                {
                    log.Verbose($"{CaxtonRequests.GetAccessToken}: joining the token request already under way for '{effective.Username}'.");
                    request = underWay.Request;
                }
                else
                {
                    // Not tied to this caller's token: others may join it, and one caller's Ctrl+C must not
                    // fail them. Started here, it runs on this thread up to its first wait for the network.
                    request = RequestTokenAsync(effective, adopt, replaced, log);
                    if (!request.IsCompleted)
                    {
                        pending.Add(new PendingToken(effective, request));
                    }
                }
            }

            return await request.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        private CaxtonException NoClientCredential() =>
            new CaxtonException(
                CaxtonErrorIds.NoClientCredential,
                CaxtonErrorKind.InvalidOperation,
                $"The connection '{Name}' has no client credential yet. Run Connect-Caxton -Credential, or New-CaxtonPassword to generate one.")
            {
                RecommendedAction = "Run Connect-Caxton -Credential (Username and ClientPassword) or New-CaxtonPassword -Username -Clientname; or pass -Credential to Get-CaxtonToken, or set CAXTON_USERNAME and CAXTON_CLIENTPASSWORD.",
            };

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

        /// <summary>
        /// An expired password fails here, saying what to run, instead of as a bare invalid_grant, and
        /// also when a cached token would still answer (as about_Caxton says).
        /// </summary>
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

        private async Task<CaxtonToken> RequestTokenAsync(ClientCredential held, bool adopt, long replacedAtStart, ICaxtonLog log)
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
                    // Never over a reset, a disconnect or a new password since the start. Otherwise the held
                    // credential gets the token, or this call's explicit credential becomes the held one.
                    var stillHeld = credential != null && (ReferenceEquals(credential, held) || credential.SameAs(held));
                    if (replaced == replacedAtStart && (stillHeld || adopt))
                    {
                        if (!stillHeld)
                        {
                            credential = held;
                        }

                        token = fresh;
                    }
                }

                return fresh;
            }
            finally
            {
                // Runs after GetTokenAsync has published this request (it holds the lock meanwhile), or,
                // when the request ends at once, before it is published and so with nothing to remove.
                lock (gate)
                {
                    pending.RemoveAll(p => ReferenceEquals(p.For, held));
                }
            }
        }

        /// <summary>
        /// Any authenticated call with the connection's token, refreshed as needed. The identity is taken
        /// once, at the start: a credential another runspace sets meanwhile never changes who this call is.
        /// After a 401 it tries once more with a new token: the server may have revoked the one we cached.
        /// </summary>
        internal async Task<HttpExchange> InvokeApiAsync(HttpMethod method, string path, byte[]? body, string? contentType, string? identityNumber, ICaxtonLog log, CancellationToken cancellationToken)
        {
            // Refused before anything is sent, a token request included.
            CaxtonRequests.CheckHeaderArguments(identityNumber, contentType);
            CaxtonRequests.ApiUri(BaseUri, path);
            var safety = method == HttpMethod.Post || method.Method == "PATCH" ? RequestSafety.NotIdempotent : RequestSafety.Idempotent;
            ClientCredential? identity;
            lock (gate)
            {
                identity = credential;
            }

            // No held credential: the environment's, adopted on success as for any token request.
            var budget = new CallBudget(Timeout);
            var used = await TokenWithinAsync(budget, cancel => GetTokenAsync(identity, adopt: identity is null, false, log, cancel), cancellationToken).ConfigureAwait(false);
            var response = await SendApiAsync(used).ConfigureAwait(false);
            if (response.Status != 401)
            {
                return response;
            }

            log.Verbose("Caxton API: HTTP 401; getting a new token and trying once more.");
            var fresh = await TokenWithinAsync(budget, cancel => ReplaceTokenAsync(used, identity, log, cancel), cancellationToken).ConfigureAwait(false);
            return await SendApiAsync(fresh).ConfigureAwait(false);

            Task<HttpExchange> SendApiAsync(CaxtonToken token) =>
                transport.SendAsync(
                    () => CaxtonRequests.Api(BaseUri, method, path, body, contentType, identityNumber, Secrets.ToPlainText(token.AccessToken)),
                    "Caxton API", safety, budget, log, cancellationToken, secret: HeldPassword());
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
                    throw CaxtonTransport.TimedOut(CaxtonRequests.GetAccessToken, "POST", CaxtonEnvironment.Combine(BaseUri, CaxtonRequests.TokenPath), budget.Total);
                }
            }
        }

        /// <summary>A new token for the same user, unless another caller has already replaced this rejected one.</summary>
        private Task<CaxtonToken> ReplaceTokenAsync(CaxtonToken rejected, ClientCredential? identity, ICaxtonLog log, CancellationToken cancellationToken)
        {
            lock (gate)
            {
                var sameUser = string.Equals(token?.Username, rejected.Username, StringComparison.Ordinal);
                if (token != null && sameUser && !ReferenceEquals(token, rejected) && IsFresh(token, DateTimeOffset.UtcNow))
                {
                    return Task.FromResult(token);
                }

                if (ReferenceEquals(token, rejected))
                {
                    token = null;
                }
            }

            return GetTokenAsync(identity, adopt: identity is null, false, log, cancellationToken);
        }

        /// <summary>The held client password, so a response to any call that echoes it is masked too.</summary>
        private string? HeldPassword()
        {
            var held = credential;
            return held is null ? null : Secrets.ToPlainText(held.ClientPassword);
        }

        /// <summary>Reset Client Credentials for the main account, or for a sub-account by IdentityNumber.</summary>
        internal async Task<CaxtonCredentialReset> ResetCredentialAsync(string username, string clientname, string? identityNumber, ICaxtonLog log, CancellationToken cancellationToken)
        {
            CaxtonRequests.CheckHeaderArguments(identityNumber, null);
            var budget = new CallBudget(Timeout);
            string? bearer = null;
            if (identityNumber != null)
            {
                // A sub-account is reset by its main account, which proves itself with its token.
                var mainToken = await TokenWithinAsync(budget, cancel => GetTokenAsync(false, log, cancel), cancellationToken).ConfigureAwait(false);
                bearer = Secrets.ToPlainText(mainToken.AccessToken);
            }

            // A PUT: resetting twice leaves the same state as resetting once.
            var response = await transport.SendAsync(
                () => CaxtonRequests.Reset(BaseUri, ResetPath, username, clientname, identityNumber, bearer),
                CaxtonRequests.ResetClientCredentials, RequestSafety.Idempotent, budget, log, cancellationToken, secret: HeldPassword()).ConfigureAwait(false);
            var model = ResponseReader.ReadEnvelope(response);
            if (identityNumber is null)
            {
                // The old password and every token from it are void now.
                Forget(username);
            }

            return new CaxtonCredentialReset(username, clientname, identityNumber, model, DateTimeOffset.UtcNow);
        }

        private sealed class PendingToken
        {
            public PendingToken(ClientCredential forCredential, Task<CaxtonToken> request)
            {
                For = forCredential;
                Request = request;
            }

            public ClientCredential For { get; }

            public Task<CaxtonToken> Request { get; }
        }
    }
}
