using System.Net;
using Xunit;
using Caxton.Tokens;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>CaxtonConnection against an in-memory server: credentials, the token cache and resets.</summary>
public class ConnectionTests
{
    private static readonly ICaxtonLog Log = NullLog.Instance;

    /// <summary>A server that answers the three documented calls; each token is new (tok-1, tok-2, ...).</summary>
    private static FakeHandler Server(string clientPassword = "served-P@ss+word", long expiresIn = 2591999)
    {
        var tokens = 0;
        return new FakeHandler(request => request.Path switch
        {
            "/api/clients/auth/register" => Fake.Json(Fake.RegisterJson(clientPassword)),
            "/api/token" => Fake.Json(Fake.TokenJson($"tok-{Interlocked.Increment(ref tokens)}", expiresIn)),
            "/api/clients/auth/reset" => Fake.Json(Fake.Envelope("")),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        });
    }

    private static CaxtonConnection WithCredential(FakeHandler handler, string username = "u", string password = "p1")
    {
        var connection = Fake.Connection(handler);
        connection.SetCredential(username, Fake.Secure(password));
        return connection;
    }

    private static Task<CaxtonToken> Token(CaxtonConnection connection, bool force = false, CancellationToken cancellationToken = default) =>
        connection.GetTokenAsync(force, Log, cancellationToken);

    [Fact]
    public async Task NewClientPassword_stores_the_credential_and_returns_the_served_password()
    {
        var handler = Server("served-P@ss+word");
        var connection = Fake.Connection(handler);

        var password = await connection.NewClientPasswordAsync("user1", "client1", Log, CancellationToken.None);

        Assert.Equal("served-P@ss+word", Fake.Plain(password.ClientPassword));
        Assert.Equal("user1", password.Username);
        Assert.Equal("client1", password.Clientname);
        Assert.Equal("user1", connection.Username);
        Assert.NotNull(password.EndDate);
        Assert.Equal(password.EndDate, connection.ClientPasswordExpiresOn);
        Assert.Equal(new DateTimeOffset(2099, 9, 22, 10, 55, 45, TimeSpan.Zero).AddTicks(645017), connection.ClientPasswordExpiresOn);
        Assert.Equal("{\"Username\":\"user1\",\"Clientname\":\"client1\"}", handler.Requests.Single().BodyText);
    }

    [Fact]
    public async Task The_stored_password_is_what_the_next_token_request_sends()
    {
        var handler = Server("a+b&c=d e");
        var connection = Fake.Connection(handler);
        await connection.NewClientPasswordAsync("user1", "client1", Log, CancellationToken.None);

        var token = await Token(connection);

        Assert.Equal("tok-1", Fake.Plain(token.AccessToken));
        Assert.Equal("user1", token.Username);
        var tokenRequest = handler.Requests.Single(r => r.Path == "/api/token");
        Assert.Equal("Grant_Type=password&Username=user1&Password=a%2Bb%26c%3Dd+e", tokenRequest.BodyText);
    }

    [Fact]
    public async Task A_failed_registration_stores_nothing()
    {
        var handler = new FakeHandler(_ => Fake.Json(Fake.Envelope("\"ClientPassword\":\"pw\"", "PasswordAlreadyActive", 412, "Reset first")));
        var connection = Fake.Connection(handler);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.NewClientPasswordAsync("u", "c", Log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.ApiStatusNotValid, error.ErrorId);
        Assert.Null(connection.Username);
        Assert.Null(connection.ClientPasswordExpiresOn);
    }

    [Fact]
    public async Task A_valid_registration_without_a_password_is_InvalidResponse()
    {
        var handler = new FakeHandler(_ => Fake.Json(Fake.Envelope("\"EndDate\":\"2023-09-22T10:55:45Z\"")));
        var connection = Fake.Connection(handler);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.NewClientPasswordAsync("u", "c", Log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.InvalidResponse, error.ErrorId);
        Assert.Null(connection.Username);
    }

    [Fact]
    public async Task GetToken_requests_once_then_serves_from_the_cache()
    {
        var handler = Server();
        var connection = WithCredential(handler);

        var first = await Token(connection);
        var second = await Token(connection);

        Assert.Equal(1, handler.Count);
        Assert.Same(first, second);
        Assert.Equal("tok-1", Fake.Plain(second.AccessToken));
        Assert.Equal(first.ExpiresOn, connection.TokenExpiresOn);
    }

    [Fact]
    public async Task GetToken_with_force_makes_a_new_request()
    {
        var handler = Server();
        var connection = WithCredential(handler);
        await Token(connection);

        var forced = await Token(connection, force: true);

        Assert.Equal(2, handler.Count);
        Assert.Equal("tok-2", Fake.Plain(forced.AccessToken));
        Assert.Same(forced, await Token(connection));
        Assert.Equal(2, handler.Count);
    }

    [Fact]
    public async Task A_different_password_drops_the_cached_token()
    {
        var handler = Server();
        var connection = WithCredential(handler, "u", "p1");
        await Token(connection);

        connection.SetCredential("u", Fake.Secure("p2"));
        var token = await Token(connection);

        Assert.Equal(2, handler.Count);
        Assert.Equal("tok-2", Fake.Plain(token.AccessToken));
        Assert.Equal("Grant_Type=password&Username=u&Password=p2", handler.Requests[1].BodyText);
    }

    [Fact]
    public async Task A_different_username_drops_the_cached_token()
    {
        var handler = Server();
        var connection = WithCredential(handler, "u", "p1");
        await Token(connection);

        connection.SetCredential("U", Fake.Secure("p1"));
        await Token(connection);

        Assert.Equal(2, handler.Count);
        Assert.Equal("U", connection.Username);
    }

    [Fact]
    public async Task The_same_credential_keeps_the_cached_token()
    {
        var handler = Server();
        var connection = WithCredential(handler, "u", "p1");
        var first = await Token(connection);

        connection.SetCredential("u", Fake.Secure("p1"));
        var second = await Token(connection);

        Assert.Equal(1, handler.Count);
        Assert.Same(first, second);
    }

    [Fact]
    public async Task The_cached_credential_survives_disposal_of_the_callers_SecureString()
    {
        var handler = Server();
        var connection = Fake.Connection(handler);
        var password = new System.Security.SecureString();
        foreach (var c in "p1")
        {
            password.AppendChar(c);
        }

        connection.SetCredential("u", password);
        password.Dispose();
        await Token(connection);

        Assert.Equal("Grant_Type=password&Username=u&Password=p1", handler.Requests.Single().BodyText);
    }

    [Theory]
    [InlineData(2591999L, 300.0)] // long token: 5 minutes
    [InlineData(3600L, 300.0)]
    [InlineData(3000L, 300.0)] // a tenth is exactly 5 minutes
    [InlineData(600L, 60.0)] // short token: a tenth of the lifetime
    [InlineData(60L, 6.0)]
    [InlineData(1L, 0.1)]
    public void IsFresh_keeps_a_margin_of_five_minutes_or_a_tenth_of_the_lifetime(long expiresIn, double marginSeconds)
    {
        var issued = new DateTimeOffset(2024, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var token = new CaxtonToken("u", Fake.Secure("t"), "bearer", expiresIn, issued);
        var margin = TimeSpan.FromSeconds(marginSeconds);
        var tick = TimeSpan.FromTicks(1);

        Assert.Equal(issued.AddSeconds(expiresIn), token.ExpiresOn);
        Assert.True(TokenCache.IsFresh(token, issued));
        Assert.True(TokenCache.IsFresh(token, token.ExpiresOn - margin - tick));
        Assert.False(TokenCache.IsFresh(token, token.ExpiresOn - margin));
        Assert.False(TokenCache.IsFresh(token, token.ExpiresOn));
        Assert.False(TokenCache.IsFresh(token, token.ExpiresOn.AddDays(1)));
    }

    [Fact]
    public async Task ExpiresOn_counts_expires_in_from_when_the_response_arrived()
    {
        var handler = Server(expiresIn: 3600);
        var connection = WithCredential(handler);

        var before = DateTimeOffset.UtcNow;
        var token = await Token(connection);
        var after = DateTimeOffset.UtcNow;

        Assert.Equal(3600, token.ExpiresIn);
        Assert.InRange(token.IssuedOn, before, after);
        Assert.InRange(token.ExpiresOn, before.AddSeconds(3600), after.AddSeconds(3600));
        Assert.Equal(token.IssuedOn.AddSeconds(3600), token.ExpiresOn);
        Assert.Equal(token.ExpiresOn, connection.TokenExpiresOn);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_token_request()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new FakeHandler(async (_, _) =>
        {
            entered.TrySetResult();
            await release.Task;
            return Fake.Json(Fake.TokenJson("shared-token"));
        });
        var connection = WithCredential(handler);

        using var called = new CountdownEvent(20);
        var callers = Enumerable.Range(0, 20).Select(_ => Task.Run(() =>
        {
            var pending = Token(connection);
            called.Signal();
            return pending;
        })).ToArray();

        // Every caller has passed the cache check while the one request is still held open.
        Assert.True(called.Wait(Fake.HangGuard));
        await entered.Task.WaitAsync(Fake.HangGuard);
        Assert.All(callers, c => Assert.False(c.IsCompleted));
        release.SetResult();
        var tokens = await Task.WhenAll(callers).WaitAsync(Fake.HangGuard);

        Assert.Equal(1, handler.Count);
        Assert.All(tokens, t => Assert.Same(tokens[0], t));
        Assert.Equal("shared-token", Fake.Plain(tokens[0].AccessToken));
        Assert.Same(tokens[0], await Token(connection));
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task A_failed_token_request_reaches_every_waiter_and_a_later_call_retries()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var handler = new FakeHandler(async (_, _) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                entered.TrySetResult();
                await release.Task;
                return Fake.Json("""{"error":"invalid_grant","error_description":"The user name or password is incorrect."}""", HttpStatusCode.BadRequest);
            }

            return Fake.Json(Fake.TokenJson("second-try"));
        });
        var connection = WithCredential(handler);

        var waiters = Enumerable.Range(0, 5).Select(_ => Token(connection)).ToArray();
        await entered.Task.WaitAsync(Fake.HangGuard);
        release.SetResult();

        foreach (var waiter in waiters)
        {
            var error = await Assert.ThrowsAsync<CaxtonException>(() => waiter.WaitAsync(Fake.HangGuard));
            Assert.Equal(CaxtonErrorIds.InvalidCredentials, error.ErrorId);
        }

        Assert.Equal(1, handler.Count);
        Assert.Null(connection.TokenExpiresOn);

        var retried = await Token(connection);
        Assert.Equal(2, handler.Count);
        Assert.Equal("second-try", Fake.Plain(retried.AccessToken));
    }

    [Fact]
    public async Task Cancelling_one_waiter_does_not_cancel_the_shared_request()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requestCancelled = false;
        var handler = new FakeHandler(async (_, cancellationToken) =>
        {
            entered.TrySetResult();
            await release.Task;
            requestCancelled = cancellationToken.IsCancellationRequested;
            return Fake.Json(Fake.TokenJson("survivor"));
        });
        var connection = WithCredential(handler);
        using var first = new CancellationTokenSource();
        using var third = new CancellationTokenSource();

        // The caller that starts the request is the one that gives up.
        var starter = Token(connection, cancellationToken: first.Token);
        var patient = Token(connection);
        var alsoPatient = Token(connection, cancellationToken: third.Token);
        await entered.Task.WaitAsync(Fake.HangGuard);

        first.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starter.WaitAsync(Fake.HangGuard));
        Assert.False(patient.IsCompleted);

        release.SetResult();
        var token = await patient.WaitAsync(Fake.HangGuard);

        Assert.Equal("survivor", Fake.Plain(token.AccessToken));
        Assert.Same(token, await alsoPatient.WaitAsync(Fake.HangGuard));
        Assert.False(requestCancelled);
        Assert.Equal(1, handler.Count);
        Assert.Same(token, await Token(connection));
    }

    [Fact]
    public async Task An_already_cancelled_caller_gets_OperationCanceledException()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new FakeHandler(async (_, _) =>
        {
            await release.Task;
            return Fake.Json(Fake.TokenJson("t"));
        });
        var connection = WithCredential(handler);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Token(connection, cancellationToken: cancelled.Token).WaitAsync(Fake.HangGuard));
        release.SetResult();
    }

    [Fact]
    public async Task Main_account_reset_is_anonymous_and_forgets_credential_and_token()
    {
        var handler = Server();
        var connection = WithCredential(handler, "u", "p1");
        await Token(connection);

        var reset = await connection.ResetCredentialAsync("u", "c", null, Log, CancellationToken.None);

        var put = handler.Requests.Single(r => r.Method == "PUT");
        Assert.Equal("https://example.test/api/clients/auth/reset", put.Uri.AbsoluteUri);
        Assert.Null(put.Authorization);
        Assert.Null(put.IdentityNumber);
        Assert.Equal("{\"Username\":\"u\",\"Clientname\":\"c\"}", put.BodyText);
        Assert.Equal("Main", reset.Account);
        Assert.Equal("IsValid", reset.ApiStatus);
        Assert.Null(connection.Username);
        Assert.Null(connection.TokenExpiresOn);
        Assert.Null(connection.ClientPasswordExpiresOn);
    }

    [Fact]
    public async Task A_failed_main_account_reset_keeps_credential_and_token()
    {
        var handler = new FakeHandler(request => request.Path == "/api/token"
            ? Fake.Json(Fake.TokenJson("kept"))
            : Fake.Json(Fake.Envelope("", "ResetNotAllowed", 500, "Not now")));
        var connection = WithCredential(handler, "u", "p1");
        var token = await Token(connection);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.ResetCredentialAsync("u", "c", null, Log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.ApiStatusNotValid, error.ErrorId);
        Assert.Equal("ResetNotAllowed", error.ApiStatus);
        Assert.Equal("u", connection.Username);
        Assert.Same(token, await Token(connection));
    }

    [Fact]
    public async Task Sub_account_reset_sends_the_cached_token_and_keeps_the_main_credential()
    {
        var handler = Server();
        var connection = WithCredential(handler, "main-user", "p1");
        var token = await Token(connection);

        var reset = await connection.ResetCredentialAsync("main-user", "main-client", "ID-42", Log, CancellationToken.None);

        Assert.Equal(1, handler.CountOf("/token"));
        var put = handler.Requests.Single(r => r.Method == "PUT");
        Assert.Equal("Bearer tok-1", put.Authorization);
        Assert.Equal("ID-42", put.IdentityNumber);
        Assert.Equal("{\"Username\":\"main-user\",\"Clientname\":\"main-client\",\"IdentityNumber\":\"ID-42\"}", put.BodyText);
        Assert.Equal("Sub-account", reset.Account);
        Assert.Equal("ID-42", reset.IdentityNumber);
        Assert.Equal("main-user", connection.Username);
        Assert.Same(token, await Token(connection));
        Assert.Equal(1, handler.CountOf("/token"));
    }

    [Fact]
    public async Task Sub_account_reset_gets_a_token_first_when_none_is_cached()
    {
        var handler = Server();
        var connection = WithCredential(handler, "main-user", "p1");

        await connection.ResetCredentialAsync("main-user", "main-client", "ID-42", Log, CancellationToken.None);

        Assert.Equal(new[] { "POST", "PUT" }, handler.Requests.Select(r => r.Method));
        Assert.Equal("Bearer tok-1", handler.Requests[1].Authorization);
    }

    [Fact]
    public async Task Reset_uses_the_configured_reset_path()
    {
        var handler = new FakeHandler(_ => Fake.Json(Fake.Envelope("")));
        var connection = new CaxtonConnection(Fake.BaseUri, null, "/v2/credentials/reset", TimeSpan.FromSeconds(5), new CaxtonTransport(() => new HttpClient(handler, disposeHandler: false)));

        await connection.ResetCredentialAsync("u", "c", null, Log, CancellationToken.None);

        Assert.Equal("https://example.test/api/v2/credentials/reset", handler.Requests.Single().Uri.AbsoluteUri);
    }

    [Fact]
    public async Task Neither_logs_nor_display_strings_carry_the_password_or_the_token()
    {
        const string password = "Very-Secret-Client-Password";
        var handler = new FakeHandler(request => request.Path == "/api/token"
            ? Fake.Json(Fake.TokenJson("Very-Secret-Access-Token"))
            : Fake.Json(Fake.RegisterJson(password)));
        var connection = Fake.Connection(handler);
        var log = new RecordingLog();

        var created = await connection.NewClientPasswordAsync("u", "c", log, CancellationToken.None);
        var token = await connection.GetTokenAsync(false, log, CancellationToken.None);
        await connection.GetTokenAsync(true, log, CancellationToken.None);

        Assert.NotEmpty(log.Messages);
        var shown = string.Join("\n", log.Messages.Concat(new[] { connection.ToString(), token.ToString(), created.ToString() }));
        Assert.DoesNotContain("Very-Secret", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_client_password_fails_before_any_request_saying_what_to_run()
    {
        var handler = Server();
        var connection = Fake.Connection(handler);
        connection.SetCredential("u", Fake.Secure("p1"), DateTimeOffset.UtcNow.AddMinutes(-1));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Token(connection));

        Assert.Equal(CaxtonErrorIds.ClientPasswordExpired, error.ErrorId);
        Assert.Equal(CaxtonErrorKind.Authentication, error.Kind);
        Assert.NotNull(error.RecommendedAction);
        Assert.DoesNotContain("p1", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, handler.Count);
    }

    [Fact]
    public async Task A_client_password_about_to_expire_warns_but_still_gets_a_token()
    {
        var handler = Server();
        var connection = Fake.Connection(handler);
        connection.SetCredential("u", Fake.Secure("p1"), DateTimeOffset.UtcNow.AddDays(1));
        var log = new RecordingLog();

        var token = await connection.GetTokenAsync(false, log, CancellationToken.None);

        Assert.Equal("tok-1", Fake.Plain(token.AccessToken));
        Assert.Contains(log.Warnings, w => w.Contains("expires", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_client_password_with_a_month_left_does_not_warn()
    {
        var connection = Fake.Connection(Server());
        connection.SetCredential("u", Fake.Secure("p1"), DateTimeOffset.UtcNow.AddDays(30));
        var log = new RecordingLog();

        await connection.GetTokenAsync(false, log, CancellationToken.None);

        Assert.Empty(log.Warnings);
    }

    [Fact]
    public void A_non_positive_timeout_is_rejected()
    {
        var error = Assert.Throws<CaxtonException>(() => new CaxtonConnection(Fake.BaseUri, timeout: TimeSpan.Zero));

        Assert.Equal(CaxtonErrorIds.InvalidTimeout, error.ErrorId);
    }
}
