using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Xunit;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>
/// A working credential is never lost, and a call never gets or uses another user's token: explicit
/// credentials are committed only on success, token requests are keyed by credential.
/// </summary>
[Collection("Environment variables")]
public class CredentialLifecycleTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper output;

    public CredentialLifecycleTests(Xunit.Abstractions.ITestOutputHelper output) => this.output = output;

    private static readonly ICaxtonLog Log = NullLog.Instance;

    /// <summary>Users "alice" / "alice-pw" and "bob" / "bob-pw"; tokens name their user; the API answers with the token's user.</summary>
    private static FakeHandler TwoUserServer(Func<Task>? delay = null, Func<bool>? reject = null)
    {
        var issued = 0;
        return new FakeHandler(async (request, cancel) =>
        {
            if (delay != null)
            {
                await delay();
            }

            if (request.Path == "/api/token")
            {
                var form = request.BodyText;
                var user = form.Contains("Username=alice&Password=alice-pw", StringComparison.Ordinal) ? "alice"
                    : form.Contains("Username=bob&Password=bob-pw", StringComparison.Ordinal) ? "bob" : null;
                return user is null
                    ? Fake.Json("{\"error\":\"invalid_grant\",\"error_description\":\"The user name or password is incorrect.\"}", HttpStatusCode.BadRequest)
                    : Fake.Json(Fake.TokenJson($"{user}-token-{Interlocked.Increment(ref issued)}"));
            }

            if (reject != null && reject())
            {
                return new HttpResponseMessage(HttpStatusCode.Unauthorized);
            }

            var bearer = request.Authorization!.Substring("Bearer ".Length);
            return Fake.Json($"{{\"user\":\"{bearer.Split('-')[0]}\"}}");
        });
    }

    private static ClientCredential Credential(string user, string password, DateTimeOffset? expires = null) =>
        new(user, Fake.Secure(password), expires);

    [Fact]
    public async Task A_failed_explicit_call_leaves_the_held_credential_and_the_cached_token_as_they_were()
    {
        var connection = Fake.Connection(TwoUserServer());
        var good = await connection.GetTokenAsync(Credential("alice", "alice-pw"), false, Log, CancellationToken.None);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(Credential("alice", "mistyped"), false, Log, CancellationToken.None));
        var forced = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(Credential("bob", "mistyped"), true, Log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.InvalidCredentials, error.ErrorId);
        Assert.Equal(CaxtonErrorIds.InvalidCredentials, forced.ErrorId);
        Assert.Equal("alice", connection.Username);
        Assert.Equal(good.ExpiresOn, connection.TokenExpiresOn);
        Assert.Same(good, await connection.GetTokenAsync(false, Log, CancellationToken.None));
    }

    [Fact]
    public async Task An_explicit_credential_with_an_expired_password_changes_nothing_either()
    {
        var connection = Fake.Connection(TwoUserServer());
        var good = await connection.GetTokenAsync(Credential("alice", "alice-pw"), false, Log, CancellationToken.None);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(Credential("bob", "bob-pw", DateTimeOffset.UtcNow.AddDays(-1)), false, Log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.ClientPasswordExpired, error.ErrorId);
        Assert.Same(good, await connection.GetTokenAsync(false, Log, CancellationToken.None));
    }

    [Fact]
    public async Task A_successful_explicit_call_makes_its_credential_the_held_one()
    {
        var connection = Fake.Connection(TwoUserServer());
        await connection.GetTokenAsync(Credential("alice", "alice-pw"), false, Log, CancellationToken.None);

        var bob = await connection.GetTokenAsync(Credential("bob", "bob-pw"), false, Log, CancellationToken.None);

        Assert.Equal("bob", connection.Username);
        Assert.Same(bob, await connection.GetTokenAsync(false, Log, CancellationToken.None));
    }

    [Fact]
    public async Task A_cached_token_is_not_returned_once_the_held_password_has_expired()
    {
        var connection = Fake.Connection(TwoUserServer());
        connection.SetCredential("alice", Fake.Secure("alice-pw"), DateTimeOffset.UtcNow.AddDays(10));
        await connection.GetTokenAsync(false, Log, CancellationToken.None);

        // The piped password object brings an EndDate that has passed: the cache must not hide it.
        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(Credential("alice", "alice-pw", DateTimeOffset.UtcNow.AddSeconds(-1)), false, Log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.ClientPasswordExpired, error.ErrorId);
    }

    [Fact]
    public async Task A_cached_token_says_so_in_verbose_with_its_expiry()
    {
        var connection = Fake.Connection(TwoUserServer());
        var token = await connection.GetTokenAsync(Credential("alice", "alice-pw"), false, Log, CancellationToken.None);
        var log = new RecordingLog();

        await connection.GetTokenAsync(false, log, CancellationToken.None);

        Assert.Contains(log.Messages, m => m.Contains("cached", StringComparison.Ordinal) && m.Contains(token.ExpiresOn.ToString("u"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_explicit_request_that_ends_after_a_new_password_does_not_displace_it()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new FakeHandler(async (request, cancel) =>
        {
            if (request.Path == "/api/clients/auth/register")
            {
                return Fake.Json(Fake.RegisterJson("new-pw"));
            }

            await release.Task.WaitAsync(Fake.HangGuard, cancel);
            return Fake.Json(Fake.TokenJson("old-token"));
        });
        var connection = Fake.Connection(handler);
        var late = connection.GetTokenAsync(Credential("u", "old-pw"), false, Log, CancellationToken.None);
        while (handler.Count == 0)
        {
            await Task.Yield();
        }

        await connection.NewClientPasswordAsync("u", "c", Log, CancellationToken.None);
        release.SetResult();
        var token = await late.WaitAsync(Fake.HangGuard);

        Assert.Equal("old-token", Fake.Plain(token.AccessToken));
        Assert.Equal("new-pw", Fake.Plain(Fake.HeldPassword(connection)));
        Assert.Null(connection.TokenExpiresOn);
    }

    [Fact]
    public async Task A_cancelled_explicit_call_never_switches_the_connection_when_its_request_completes_later()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = TwoUserServer(delay: () => release.Task.WaitAsync(Fake.HangGuard));
        var connection = Fake.Connection(handler);
        connection.SetCredential("alice", Fake.Secure("alice-pw"));
        using var stop = new CancellationTokenSource();
        var intruder = connection.GetTokenAsync(Credential("bob", "bob-pw"), false, Log, stop.Token);
        while (handler.Count == 0)
        {
            await Task.Yield();
        }

        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => intruder.WaitAsync(Fake.HangGuard));

        // A caller that only asks (it never adopts) joins the same request, so its answer comes exactly
        // when the request has finished, and had its chance to (wrongly) commit: no clock involved.
        var joined = connection.ProveCredentialAsync(Credential("bob", "bob-pw"), Log, CancellationToken.None);
        release.SetResult();
        await joined.WaitAsync(Fake.HangGuard);
        Assert.Equal(1, handler.Count);

        Assert.Equal("alice", Fake.HeldUsername(connection));
        Assert.Equal("alice-pw", Fake.Plain(Fake.HeldPassword(connection)));
        Assert.Null(connection.TokenExpiresOn);
        var alice = await connection.GetTokenAsync(false, Log, CancellationToken.None).WaitAsync(Fake.HangGuard);
        Assert.StartsWith("alice-", Fake.Plain(alice.AccessToken));
    }

    [Fact]
    public async Task Concurrent_explicit_calls_for_two_users_on_one_connection_never_get_the_other_users_token()
    {
        var random = new TestRandom(output);
        var connection = Fake.Connection(TwoUserServer(() => Task.Delay(random.Next(0, 3))));
        var mixUps = new ConcurrentBag<string>();

        // Force on some calls so requests, not only the cache, race; both users alternate on every task.
        var calls = Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 60; i++)
            {
                var user = (worker + i) % 2 == 0 ? "alice" : "bob";
                var token = await connection.GetTokenAsync(Credential(user, user + "-pw"), force: i % 7 == 0, Log, CancellationToken.None);
                var plain = Fake.Plain(token.AccessToken);
                if (!plain.StartsWith(user + "-", StringComparison.Ordinal) || token.Username != user)
                {
                    mixUps.Add($"{user} got {token.Username}'s token");
                }
            }
        }));
        await Task.WhenAll(calls).WaitAsync(Fake.HangGuard);

        Assert.True(mixUps.IsEmpty, $"{string.Join("; ", mixUps)} ({random})");
        Assert.Contains(connection.Username, new[] { "alice", "bob" });
    }

    [Fact]
    public async Task An_API_call_keeps_its_identity_through_a_401_retry_while_other_callers_switch_users()
    {
        var random = new TestRandom(output);
        var callers = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        var handler = TwoUserServer(() => Task.Delay(random.Next(0, 3)), () => random.Next(0, 4) == 0);
        var inner = handler;
        var recording = new FakeHandler(async (request, cancel) =>
        {
            if (request.Path == "/api/echo")
            {
                // The body names the call; the bearer names the user it was sent as.
                callers.GetOrAdd(request.BodyText, _ => new ConcurrentBag<string>()).Add(request.Authorization!.Substring("Bearer ".Length).Split('-')[0]);
            }

            return await ForwardAsync(inner, request, cancel);
        });
        var connection = Fake.Connection(recording);
        await connection.GetTokenAsync(Credential("alice", "alice-pw"), false, Log, CancellationToken.None);

        var switchers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                var user = (worker + i) % 2 == 0 ? "alice" : "bob";
                await connection.GetTokenAsync(Credential(user, user + "-pw"), force: true, Log, CancellationToken.None);
            }
        }));
        var apiCalls = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                var id = $"call-{worker}-{i}";
                await connection.InvokeApiAsync(HttpMethod.Put, "echo", Encoding.UTF8.GetBytes(id), "text/plain", null, Log, CancellationToken.None);
            }
        }));
        await Task.WhenAll(switchers.Concat(apiCalls)).WaitAsync(Fake.HangGuard);

        Assert.Equal(8 * 40, callers.Count);
        Assert.Contains(callers.Values, sent => sent.Count > 1); // some calls did retry after a 401
        Assert.All(callers, call => Assert.Single(call.Value.Distinct()));
    }

    private static Task<HttpResponseMessage> ForwardAsync(FakeHandler handler, RecordedRequest request, CancellationToken cancel)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Uri) { Content = new ByteArrayContent(request.Body) };
        if (request.Authorization != null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", request.Authorization);
        }

        return new HttpMessageInvoker(handler, disposeHandler: false).SendAsync(message, cancel);
    }

    [Fact]
    public async Task A_token_request_under_way_for_an_old_password_is_not_joined_by_the_new_one()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new FakeHandler(async (request, cancel) =>
        {
            var password = request.BodyText.Contains("Password=old", StringComparison.Ordinal) ? "old" : "new";
            if (password == "old")
            {
                await release.Task.WaitAsync(Fake.HangGuard, cancel);
            }

            return Fake.Json(Fake.TokenJson("token-from-" + password));
        });
        var connection = Fake.Connection(handler);
        connection.SetCredential("u", Fake.Secure("old"));
        var oldRequest = connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None);
        while (handler.Count == 0)
        {
            await Task.Yield();
        }

        connection.SetCredential("u", Fake.Secure("new"));
        var fresh = await connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None).WaitAsync(Fake.HangGuard);
        release.SetResult();
        await oldRequest.WaitAsync(Fake.HangGuard);

        Assert.Equal("token-from-new", Fake.Plain(fresh.AccessToken));
        Assert.Equal(2, handler.Count);

        // The late answer for the old password does not replace the new token in the cache.
        var cached = await connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None);
        Assert.Equal("token-from-new", Fake.Plain(cached.AccessToken));
    }

    [Fact]
    public async Task After_Forget_a_caller_gets_NoClientCredential_rather_than_joining_the_old_request()
    {
        var previousUser = Environment.GetEnvironmentVariable(ClientCredential.UsernameVariable);
        Environment.SetEnvironmentVariable(ClientCredential.UsernameVariable, null);
        try
        {
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var handler = new FakeHandler(async (request, cancel) =>
            {
                await release.Task.WaitAsync(Fake.HangGuard, cancel);
                return Fake.Json(Fake.TokenJson("t"));
            });
            var connection = Fake.Connection(handler);
            connection.SetCredential("u", Fake.Secure("p"));
            var first = connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None);
            connection.Disconnect();

            var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None));
            Assert.Equal(CaxtonErrorIds.NoClientCredential, error.ErrorId);
            release.SetResult();
            await first.WaitAsync(Fake.HangGuard);
            Assert.Null(connection.TokenExpiresOn);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ClientCredential.UsernameVariable, previousUser);
        }
    }
}
