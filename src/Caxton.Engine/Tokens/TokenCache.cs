using System;
using System.Collections.Generic;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using Caxton.Wire;

namespace Caxton.Tokens
{
    /// <summary>
    /// Who a connection is and the token it holds: the held credential, the cached token, the token
    /// requests under way (one per credential), freshness and the client password's lifetime. A
    /// credential becomes the held one only when its token request succeeds; a request that started
    /// before a reset, a disconnect or a new password never commits over them.
    /// </summary>
    internal sealed class TokenCache
    {
        /// <summary>Days of client password life left under which every token request warns.</summary>
        internal static readonly TimeSpan PasswordExpiryWarning = TimeSpan.FromDays(3);

        private readonly object gate = new object();
        private readonly Func<ClientCredential, ICaxtonLog, Task<CaxtonToken>> requestToken;
        private readonly Func<CaxtonException> noCredential;
        private readonly Func<ClientCredential?> fromEnvironment;

        // Caxton's clock minus this host's: password lifetimes are judged by Caxton's clock.
        private readonly Func<TimeSpan> clockOffset;
        private ClientCredential? credential;
        private CaxtonToken? token;
        // Token requests under way, one per credential: a caller joins only the one for its own credential.
        private readonly List<PendingToken> pending = new List<PendingToken>();
        // Counts credentials dropped or replaced (reset, disconnect, a new password): a request that
        // started before never commits its answer over them.
        private long replaced;

        /// <param name="requestToken">Sends one token request for a credential; never tied to one caller's cancellation.</param>
        /// <param name="noCredential">The failure when nothing names a credential.</param>
        /// <param name="clockOffset">Caxton's clock minus this host's (zero until known).</param>
        /// <param name="fromEnvironment">The environment's credential when it may be used here (CAXTON_USERNAME, CAXTON_CLIENTPASSWORD); by default, whenever set.</param>
        public TokenCache(Func<ClientCredential, ICaxtonLog, Task<CaxtonToken>> requestToken, Func<CaxtonException> noCredential, Func<TimeSpan>? clockOffset = null, Func<ClientCredential?>? fromEnvironment = null)
        {
            this.requestToken = requestToken;
            this.noCredential = noCredential;
            this.clockOffset = clockOffset ?? (() => TimeSpan.Zero);
            this.fromEnvironment = fromEnvironment ?? ClientCredential.FromEnvironmentVariables;
        }

        public ClientCredential? Credential
        {
            get
            {
                lock (gate)
                {
                    return credential;
                }
            }
        }

        public CaxtonToken? Token
        {
            get
            {
                lock (gate)
                {
                    return token;
                }
            }
        }

        /// <summary>
        /// Holds a credential for later token requests. A different credential drops the cached token,
        /// so a wrong password is never answered from the cache.
        /// </summary>
        public void SetCredential(string username, SecureString clientPassword, DateTimeOffset? passwordExpiresOn = null)
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

        /// <summary>Holds a credential with a token just obtained for it (a rotation's check), replacing what was held.</summary>
        public void Hold(ClientCredential held, CaxtonToken fresh)
        {
            lock (gate)
            {
                if (!Same(credential, held))
                {
                    replaced++;
                }

                credential = held;
                token = fresh;
            }
        }

        /// <summary>Takes over what another cache holds (the same name and base URI connected again).</summary>
        public void KeepFrom(TokenCache previous)
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

        /// <summary>Forgets the credential and token (all, or only <paramref name="username"/>'s), as after a reset or disconnect.</summary>
        public void Forget(string? username = null)
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

        /// <summary>
        /// A token for <paramref name="asked"/> (else the held credential, else CAXTON_* variables), and
        /// only for it, whatever other callers do: concurrent callers share one request per credential,
        /// and the answer is committed, credential and token together, only on success; an explicit
        /// credential (<paramref name="adopt"/>) becomes the held one then.
        /// </summary>
        public async Task<CaxtonToken> GetTokenAsync(ClientCredential? asked, bool adopt, bool force, ICaxtonLog log, CancellationToken cancellationToken)
        {
            Task<CaxtonToken> request;
            ClientCredential effective;
            long replacedAtAsk;
            lock (gate)
            {
                replacedAtAsk = replaced;
                var now = DateTimeOffset.UtcNow;

                // The environment is read only when nothing explicit was given; what it names is held once it works.
                adopt |= asked is null && credential is null;
                var wanted = asked ?? credential ?? fromEnvironment() ?? throw noCredential();
                var holdsWanted = Same(credential, wanted);

                // A piped password brings its EndDate: it applies to this call, and is committed to the
                // held credential only when the call succeeds (a failed call changes nothing).
                effective = holdsWanted && !(wanted.PasswordExpiresOn is DateTimeOffset learned && learned != credential!.PasswordExpiresOn) ? credential! : wanted;
                var offset = clockOffset();
                CheckPasswordLifetime(effective, now + offset, log, offset);
                if (!force && holdsWanted && token != null && IsFresh(token, now))
                {
                    if (log.IsVerboseEnabled)
                    {
                        log.Verbose($"{CaxtonRequests.GetAccessToken}: the cached token for '{token.Username}', valid until {token.ExpiresOn:u}; no request sent.");
                    }

                    if (adopt && !ReferenceEquals(effective, credential))
                    {
                        // Requests under way are matched by value, so this orphans none.
                        credential = effective;
                    }

                    return token;
                }

                var underWay = pending.Find(p => Same(p.For, effective));
                if (underWay != null)
                {
                    log.Verbose($"{CaxtonRequests.GetAccessToken}: joining the token request already under way for '{effective.Username}'.");
                    request = underWay.Request;
                }
                else
                {
                    // Not tied to this caller's token: others may join it, and one caller's Ctrl+C must not
                    // fail them. Started here, it runs on this thread up to its first wait for the network.
                    request = RequestTokenAsync(effective, replaced, log);
                    if (!request.IsCompleted)
                    {
                        pending.Add(new PendingToken(effective, request));
                    }
                }
            }

            var fresh = await request.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (adopt)
            {
                Adopt(effective, fresh, replacedAtAsk);
            }

            return fresh;
        }

        /// <summary>
        /// An explicit credential becomes the held one only through a caller whose own wait succeeded: a
        /// request it shared, or one whose caller pressed Ctrl+C, never switches who the connection is.
        /// </summary>
        private void Adopt(ClientCredential adopted, CaxtonToken fresh, long replacedAtAsk)
        {
            lock (gate)
            {
                var held = Same(credential, adopted);
                if (replaced == replacedAtAsk && !held)
                {
                    credential = adopted;
                    token = fresh;
                }
                else if (held && replaced == replacedAtAsk && adopted.PasswordExpiresOn is DateTimeOffset learned && learned != credential!.PasswordExpiresOn)
                {
                    // The same credential with an EndDate learned from this (successful) call.
                    credential = credential.WithExpiry(learned);
                }
            }
        }

        /// <summary>A new token for the same user, unless another caller has already replaced this rejected one.</summary>
        public Task<CaxtonToken> ReplaceTokenAsync(CaxtonToken rejected, ClientCredential? identity, ICaxtonLog log, CancellationToken cancellationToken)
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

        /// <summary>
        /// Fresh means not within the refresh margin of expiry: 5 minutes, or a tenth of the lifetime for
        /// short-lived tokens, so a caller never receives a token about to expire.
        /// </summary>
        public static bool IsFresh(CaxtonToken token, DateTimeOffset now)
        {
            var lifetime = TimeSpan.FromSeconds(token.ExpiresIn);
            var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, lifetime.Ticks / 10));
            return now < token.ExpiresOn - margin;
        }

        /// <summary>
        /// An expired password fails here, saying what to run, instead of as a bare invalid_grant, and
        /// also when a cached token would still answer (as about_Caxton says).
        /// </summary>
        /// <param name="now">Caxton's time now.</param>
        /// <param name="clockOffset">Caxton's clock minus this host's, named in the message when it matters.</param>
        public static void CheckPasswordLifetime(ClientCredential held, DateTimeOffset now, ICaxtonLog log, TimeSpan clockOffset = default)
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
                    $"The client password of '{held.Username}' expired on {end:u}{ClockNote(clockOffset)}.")
                {
                    RecommendedAction = "Rotate it: Reset-CaxtonCredential -Regenerate -ExpiringWithin (New-TimeSpan -Days 7) -Credential <the stored credential>, or Reset-CaxtonCredential, then New-CaxtonPassword, then Get-CaxtonToken.",
                };
            }

            if (end - now < PasswordExpiryWarning)
            {
                log.Warning($"The client password of '{held.Username}' expires on {end:u}, in {(end - now).TotalHours:0} hours. Renew it soon: Reset-CaxtonCredential, then New-CaxtonPassword.");
            }
        }

        /// <summary>
        /// ", by Caxton's clock, which is 3 hours ahead of this host's" when the clocks differ by a
        /// minute or more, so a user whose host clock is wrong sees why a date is judged as it is.
        /// </summary>
        public static string ClockNote(TimeSpan clockOffset)
        {
            var size = clockOffset.Duration();
            if (size < TimeSpan.FromMinutes(1))
            {
                return string.Empty;
            }

            var amount = size >= TimeSpan.FromHours(2) ? $"{size.TotalHours:0} hours" : $"{size.TotalMinutes:0} minutes";
            return $", by Caxton's clock, which is {amount} {(clockOffset > TimeSpan.Zero ? "ahead of" : "behind")} this host's";
        }

        private async Task<CaxtonToken> RequestTokenAsync(ClientCredential held, long replacedAtStart, ICaxtonLog log)
        {
            try
            {
                var fresh = await requestToken(held, log).ConfigureAwait(false);
                lock (gate)
                {
                    // Never over a reset, a disconnect or a new password since the start. The held
                    // credential gets the token; adopting another one is its caller's step (Adopt).
                    var stillHeld = Same(credential, held);
                    if (replaced == replacedAtStart && stillHeld)
                    {
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

        /// <summary>One credential, by reference or by value (a piped password is a new object with the same secret).</summary>
        private static bool Same(ClientCredential? held, ClientCredential other) =>
            held != null && (ReferenceEquals(held, other) || held.SameAs(other));

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
