using System.Net;
using Xunit;

namespace Caxton.Tests;

/// <summary>
/// Reset-CaxtonCredential -Regenerate's engine: reset, generate, token, and at each failure point the
/// user keeps the old credential, holds the new one, or gets the one command that finishes the job.
/// </summary>
public class CredentialRotationTests
{
    private static readonly ICaxtonLog Log = NullLog.Instance;

    /// <summary>
    /// A server with the emulator's lifecycle for "main" (and its sub-account "sub"): a reset voids the
    /// password; a register while one is active answers "already generated"; the token endpoint takes
    /// only the current password. <paramref name="fault"/> may answer a request instead (null: no fault).
    /// </summary>
    private sealed class LifecycleServer
    {
        private readonly Dictionary<string, string?> passwords = new() { ["main"] = "main-old", ["sub"] = "sub-old" };
        private int generated;

        /// <param name="fault">Given the server, the request and its attempt number (1 for the first on its path).</param>
        public LifecycleServer(Func<LifecycleServer, RecordedRequest, int, HttpResponseMessage?>? fault = null)
        {
            Handler = new FakeHandler(request =>
            {
                var attempt = Handler!.Requests.Count(r => r.Path == request.Path);
                return fault?.Invoke(this, request, attempt) ?? Answer(request);
            });
        }

        public FakeHandler Handler { get; }

        public string? PasswordOf(string user)
        {
            lock (passwords)
            {
                return passwords[user];
            }
        }

        /// <summary>What the server does and answers when no fault intervenes.</summary>
        public HttpResponseMessage Answer(RecordedRequest request)
        {
            lock (passwords)
            {
                var body = request.BodyText;
                switch (request.Path)
                {
                    case "/api/clients/auth/reset":
                        passwords[body.Contains("\"IdentityNumber\"", StringComparison.Ordinal) ? "sub" : "main"] = null;
                        return Fake.Json(Fake.Envelope(string.Empty));
                    case "/api/clients/auth/register":
                        var user = body.Contains("\"Username\":\"sub\"", StringComparison.Ordinal) ? "sub" : "main";
                        if (passwords[user] != null)
                        {
                            return Fake.Json(Fake.Envelope(string.Empty, "PasswordAlreadyGenerated", 101, "A password was already generated."));
                        }

                        passwords[user] = $"{user}-new-{++generated}";
                        return Fake.Json(Fake.RegisterJson(passwords[user]!));
                    case "/api/token":
                        foreach (var pair in passwords)
                        {
                            if (pair.Value != null && body.Contains($"Username={pair.Key}&Password={pair.Value}", StringComparison.Ordinal))
                            {
                                return Fake.Json(Fake.TokenJson($"{pair.Key}-token"));
                            }
                        }

                        return Fake.Json("{\"error\":\"invalid_grant\",\"error_description\":\"The user name or password is incorrect.\"}", HttpStatusCode.BadRequest);
                    default:
                        return new HttpResponseMessage(HttpStatusCode.NotFound);
                }
            }
        }
    }

    private static HttpResponseMessage Html(HttpStatusCode status) =>
        new(status) { Content = new StringContent("<html>oops</html>", System.Text.Encoding.UTF8, "text/html") };

    private static async Task<CaxtonConnection> HoldingMainAsync(LifecycleServer server)
    {
        var connection = Fake.Connection(server.Handler);
        await connection.GetTokenAsync(new ClientCredential("main", Fake.Secure("main-old"), null), false, Log, CancellationToken.None);
        return connection;
    }

    private static CredentialRotation MainRotation(CaxtonConnection connection) => new(connection, "main", "mainclient", null, null, null);

    private static CredentialRotation SubRotation(CaxtonConnection connection) => new(connection, "main", "mainclient", "SUB-1", "sub", "subclient");

    private static string[] Steps(LifecycleServer server) => server.Handler.Requests.Select(r => r.Path.Substring("/api/".Length)).ToArray();

    [Fact]
    public async Task The_main_account_is_reset_then_generated_then_tokened_and_the_connection_holds_the_new_credential_and_token()
    {
        var server = new LifecycleServer();
        var connection = await HoldingMainAsync(server);
        var rotation = MainRotation(connection);

        var password = await rotation.ResetAndGenerateAsync(Log, CancellationToken.None);
        var token = await rotation.GetTokenAsync(password, Log, CancellationToken.None);

        Assert.Equal(new[] { "token", "clients/auth/reset", "clients/auth/register", "token" }, Steps(server));
        Assert.Equal(server.PasswordOf("main"), Fake.Plain(password.ClientPassword));
        Assert.Equal("main", connection.Username);
        Assert.Equal(server.PasswordOf("main"), Fake.Plain(connection.HeldCredential!.ClientPassword));
        Assert.Equal(password.EndDate, connection.ClientPasswordExpiresOn);
        Assert.Equal(token.ExpiresOn, connection.TokenExpiresOn);
    }

    [Fact]
    public async Task A_sub_account_is_reset_by_the_main_account_and_generated_for_its_own_username_while_the_connection_stays_the_main_accounts()
    {
        var server = new LifecycleServer();
        var connection = await HoldingMainAsync(server);
        var mainToken = await connection.GetTokenAsync(false, Log, CancellationToken.None);

        var rotation = SubRotation(connection);
        var password = await rotation.ResetAndGenerateAsync(Log, CancellationToken.None);
        var token = await rotation.GetTokenAsync(password, Log, CancellationToken.None);

        Assert.Equal("sub", password.Username);
        Assert.Equal("subclient", password.Clientname);
        Assert.Equal("sub", token.Username);
        Assert.Equal(server.PasswordOf("sub"), Fake.Plain(password.ClientPassword));
        Assert.Equal("main-old", server.PasswordOf("main"));
        var reset = server.Handler.Requests.Single(r => r.Path.EndsWith("reset", StringComparison.Ordinal));
        Assert.Equal("SUB-1", reset.IdentityNumber);
        Assert.Contains("\"Username\":\"main\"", reset.BodyText, StringComparison.Ordinal);
        Assert.Equal("main", connection.Username);
        Assert.Same(mainToken, await connection.GetTokenAsync(false, Log, CancellationToken.None));
    }

    [Fact]
    public void A_sub_account_rotation_needs_the_sub_accounts_own_username_and_clientname()
    {
        var server = new LifecycleServer();
        var error = Assert.Throws<CaxtonException>(() => new CredentialRotation(Fake.Connection(server.Handler), "main", "mainclient", "SUB-1", null, "subclient"));

        Assert.Equal(CaxtonErrorIds.SubAccountNamesRequired, error.ErrorId);
        Assert.Equal(0, server.Handler.Count);
    }

    [Fact]
    public async Task A_failed_reset_does_nothing_else_and_is_reported_as_itself()
    {
        var server = new LifecycleServer((_, request, _) => request.Path.EndsWith("reset", StringComparison.Ordinal) ? Html(HttpStatusCode.Forbidden) : null);
        var connection = await HoldingMainAsync(server);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => MainRotation(connection).ResetAndGenerateAsync(Log, CancellationToken.None));

        Assert.NotEqual(CaxtonErrorIds.RegenerateIncomplete, error.ErrorId);
        Assert.Equal(0, server.Handler.CountOf("register"));
        Assert.Equal("main-old", server.PasswordOf("main"));
        Assert.Equal("main-old", Fake.Plain(connection.HeldCredential!.ClientPassword));
    }

    [Fact]
    public async Task A_refused_generate_after_the_reset_names_new_caxtonpassword_to_finish()
    {
        var server = new LifecycleServer((_, request, _) => request.Path.EndsWith("register", StringComparison.Ordinal) ? Html(HttpStatusCode.BadRequest) : null);
        var connection = await HoldingMainAsync(server);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => MainRotation(connection).ResetAndGenerateAsync(Log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.RegenerateIncomplete, error.ErrorId);
        Assert.Contains("were reset", error.Message, StringComparison.Ordinal);
        Assert.Contains("New-CaxtonPassword -Username 'main' -Clientname 'mainclient' | Get-CaxtonToken", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.Handler.CountOf("register"));
    }

    [Fact]
    public async Task A_generate_that_may_have_reached_the_server_is_asked_once_more_and_completes()
    {
        var server = new LifecycleServer((_, request, attempt) => request.Path.EndsWith("register", StringComparison.Ordinal) && attempt == 1 ? Html(HttpStatusCode.InternalServerError) : null);
        var connection = await HoldingMainAsync(server);

        var password = await MainRotation(connection).ResetAndGenerateAsync(Log, CancellationToken.None);

        Assert.Equal(2, server.Handler.CountOf("register"));
        Assert.Equal(server.PasswordOf("main"), Fake.Plain(password.ClientPassword));
    }

    [Fact]
    public async Task A_generate_whose_answer_was_lost_is_reported_as_already_generated_with_the_rerun_command()
    {
        // The first register acts on the server, but its answer is lost on the way back (a 502 instead).
        var server = new LifecycleServer((self, request, attempt) =>
        {
            if (request.Path.EndsWith("register", StringComparison.Ordinal) && attempt == 1)
            {
                self.Answer(request).Dispose();
                return Html(HttpStatusCode.BadGateway);
            }

            return null;
        });
        var connection = await HoldingMainAsync(server);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => MainRotation(connection).ResetAndGenerateAsync(Log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.RegenerateIncomplete, error.ErrorId);
        Assert.Equal(CaxtonErrorKind.ResourceExists, error.Kind);
        Assert.Contains("already generated", error.Message, StringComparison.Ordinal);
        Assert.Contains("Reset-CaxtonCredential -Username 'main' -Clientname 'mainclient' -Regenerate", error.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(2, server.Handler.CountOf("register"));
    }

    [Fact]
    public async Task A_generate_that_fails_twice_ambiguously_names_the_rerun_with_the_sub_account_names_quoted()
    {
        var server = new LifecycleServer((_, request, _) => request.Path.EndsWith("register", StringComparison.Ordinal) ? Html(HttpStatusCode.InternalServerError) : null);
        var connection = await HoldingMainAsync(server);
        var rotation = new CredentialRotation(connection, "main", "mainclient", "SUB-1", "o'sub", "subclient");

        var error = await Assert.ThrowsAsync<CaxtonException>(() => rotation.ResetAndGenerateAsync(Log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.RegenerateIncomplete, error.ErrorId);
        Assert.Contains("Reset-CaxtonCredential -Username 'main' -Clientname 'mainclient' -IdentityNumber 'SUB-1' -SubAccountUsername 'o''sub' -SubAccountClientname 'subclient' -Regenerate", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Handler.CountOf("register"));
    }

    [Fact]
    public async Task A_failed_token_after_the_generate_is_RegenerateTokenFailed_and_the_connection_holds_the_new_password()
    {
        var server = new LifecycleServer((_, request, attempt) => request.Path == "/api/token" && attempt > 1 ? Html(HttpStatusCode.BadRequest) : null);
        var connection = await HoldingMainAsync(server);
        var rotation = MainRotation(connection);

        var password = await rotation.ResetAndGenerateAsync(Log, CancellationToken.None);
        var error = await Assert.ThrowsAsync<CaxtonException>(() => rotation.GetTokenAsync(password, Log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.RegenerateTokenFailed, error.ErrorId);
        Assert.Contains("written to the output", error.Message, StringComparison.Ordinal);
        Assert.Equal(Fake.Plain(password.ClientPassword), Fake.Plain(connection.HeldCredential!.ClientPassword));
        Assert.Null(connection.TokenExpiresOn);
    }

    // Issue 17: the scheduled rotation's decision, by Caxton's clock.

    private static HttpResponseMessage Dated(HttpResponseMessage response, TimeSpan caxtonAhead)
    {
        response.Headers.Date = DateTimeOffset.UtcNow + caxtonAhead;
        return response;
    }

    [Fact]
    public async Task A_working_password_far_from_expiry_is_not_rotated_and_only_one_token_request_is_sent()
    {
        var server = new LifecycleServer();
        var connection = Fake.Connection(server.Handler);
        var rotation = MainRotation(connection);

        var decision = await rotation.DecideAsync("main", Fake.Secure("main-old"), DateTimeOffset.UtcNow.AddDays(20), TimeSpan.FromDays(7), false, Log, CancellationToken.None);

        Assert.False(decision.ShouldRotate);
        Assert.Contains("nothing to rotate", decision.Reason);
        Assert.Equal(new[] { "token" }, Steps(server));
        Assert.Equal("main", connection.Username);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(-2)]
    public async Task An_expiry_within_the_span_or_past_rotates(int daysLeft)
    {
        var server = new LifecycleServer();
        var rotation = MainRotation(Fake.Connection(server.Handler));

        var decision = await rotation.DecideAsync("main", Fake.Secure("main-old"), DateTimeOffset.UtcNow.AddDays(daysLeft), TimeSpan.FromDays(7), false, Log, CancellationToken.None);

        Assert.True(decision.ShouldRotate);
        Assert.Contains(daysLeft < 0 ? "expired on" : "expires on", decision.Reason);
    }

    [Fact]
    public async Task A_stored_credential_Caxton_rejects_is_rotated_whatever_its_expiry()
    {
        var server = new LifecycleServer();
        var rotation = MainRotation(Fake.Connection(server.Handler));

        var decision = await rotation.DecideAsync("main", Fake.Secure("voided-by-an-interrupted-rotation"), DateTimeOffset.UtcNow.AddDays(20), TimeSpan.FromDays(7), false, Log, CancellationToken.None);

        Assert.True(decision.ShouldRotate);
        Assert.True(rotation.StoredRejected);
        Assert.Contains("rejected the stored credential", decision.Reason);
    }

    [Fact]
    public async Task An_unknown_expiry_is_PasswordExpiryUnknown_and_changes_nothing_unless_RotateIfUnknown()
    {
        var server = new LifecycleServer();
        var rotation = MainRotation(Fake.Connection(server.Handler));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => rotation.DecideAsync("main", Fake.Secure("main-old"), null, TimeSpan.FromDays(7), false, Log, CancellationToken.None));
        var anyway = await rotation.DecideAsync("main", Fake.Secure("main-old"), null, TimeSpan.FromDays(7), true, Log, CancellationToken.None);

        Assert.Equal(CaxtonErrorIds.PasswordExpiryUnknown, error.ErrorId);
        Assert.Contains("-ClientPasswordExpiresOn", error.RecommendedAction);
        Assert.Equal("main-old", server.PasswordOf("main"));
        Assert.True(anyway.ShouldRotate);
    }

    [Fact]
    public async Task A_credential_for_another_account_is_refused_before_anything_is_sent()
    {
        var server = new LifecycleServer();
        var rotation = MainRotation(Fake.Connection(server.Handler));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => rotation.DecideAsync("sub", Fake.Secure("sub-old"), DateTimeOffset.UtcNow, TimeSpan.FromDays(7), false, Log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.CredentialAccountMismatch, error.ErrorId);
        Assert.Empty(server.Handler.Requests);
    }

    [Theory]
    [InlineData(10, 12, true)]   // the host is 10 days behind: by its clock 12 days are left, by Caxton's 2
    [InlineData(-10, 2, false)]  // the host is 10 days ahead: by its clock 2 days are left, by Caxton's 12
    public async Task Expiry_is_judged_by_Caxtons_clock_from_the_responses_Date(int caxtonAheadDays, int daysLeftByHostClock, bool rotates)
    {
        var server = new LifecycleServer();
        var handler = new FakeHandler(request => Dated(server.Answer(request), TimeSpan.FromDays(caxtonAheadDays)));
        var connection = Fake.Connection(handler);
        var rotation = MainRotation(connection);

        var decision = await rotation.DecideAsync("main", Fake.Secure("main-old"), DateTimeOffset.UtcNow.AddDays(daysLeftByHostClock), TimeSpan.FromDays(7), false, Log, CancellationToken.None);

        Assert.Equal(rotates, decision.ShouldRotate);
        Assert.Contains(caxtonAheadDays > 0 ? "ahead of this host's" : "behind this host's", decision.Reason);
        Assert.InRange(connection.CaxtonClockOffset!.Value.TotalDays, caxtonAheadDays - 0.01, caxtonAheadDays + 0.01);
    }

    [Fact]
    public async Task A_password_valid_by_Caxtons_clock_is_not_refused_on_a_host_whose_clock_is_ahead_and_an_expired_one_names_the_skew()
    {
        var server = new LifecycleServer();
        var handler = new FakeHandler(request => Dated(server.Answer(request), TimeSpan.FromHours(-5)));
        var connection = Fake.Connection(handler);
        await connection.GetTokenAsync(new ClientCredential("main", Fake.Secure("main-old"), null), false, Log, CancellationToken.None);

        // One hour past by this host's clock, four hours left by Caxton's.
        var token = await connection.GetTokenAsync(new ClientCredential("main", Fake.Secure("main-old"), DateTimeOffset.UtcNow.AddHours(-1)), true, Log, CancellationToken.None);
        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(new ClientCredential("main", Fake.Secure("main-old"), DateTimeOffset.UtcNow.AddHours(-6)), true, Log, CancellationToken.None));

        Assert.Equal("main", token.Username);
        Assert.Equal(CaxtonErrorIds.ClientPasswordExpired, error.ErrorId);
        Assert.Contains("by Caxton's clock, which is 5 hours behind this host's", error.Message);
    }

    [Fact]
    public async Task A_failed_token_request_commits_no_expiry_to_the_connection()
    {
        var server = new LifecycleServer();
        var connection = await HoldingMainAsync(server);
        var held = DateTimeOffset.UtcNow.AddDays(20);
        await connection.GetTokenAsync(new ClientCredential("main", Fake.Secure("main-old"), held), false, Log, CancellationToken.None);

        await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(new ClientCredential("main", Fake.Secure("main-old"), DateTimeOffset.UtcNow.AddDays(-1)), false, Log, CancellationToken.None));

        Assert.Equal(held, connection.ClientPasswordExpiresOn);
        Assert.Equal("main", (await connection.GetTokenAsync(false, Log, CancellationToken.None)).Username);
    }

    [Fact]
    public async Task A_Caxton_that_wants_the_main_accounts_token_for_its_reset_gets_the_one_at_hand_once()
    {
        var server = new LifecycleServer();
        var handler = new FakeHandler(request => request.Path == "/api/clients/auth/reset" && request.Authorization is null
            ? new HttpResponseMessage(HttpStatusCode.Unauthorized)
            : server.Answer(request));
        var connection = Fake.Connection(handler);
        await connection.GetTokenAsync(new ClientCredential("main", Fake.Secure("main-old"), null), false, Log, CancellationToken.None);

        await connection.ResetCredentialAsync("main", "mainclient", null, Log, CancellationToken.None);

        var resets = handler.Requests.Where(r => r.Path == "/api/clients/auth/reset").ToList();
        Assert.Equal(2, resets.Count);
        Assert.Null(resets[0].Authorization);
        Assert.NotNull(resets[1].Authorization);
    }

    [Fact]
    public async Task An_expired_main_password_on_a_Caxton_that_wants_its_token_is_MainPasswordExpired_naming_who_can_act()
    {
        var server = new LifecycleServer();
        var handler = new FakeHandler(request => request.Path == "/api/clients/auth/reset" && request.Authorization is null
            ? new HttpResponseMessage(HttpStatusCode.Unauthorized)
            : server.Answer(request));
        var rotation = MainRotation(Fake.Connection(handler));
        var decision = await rotation.DecideAsync("main", Fake.Secure("expired"), DateTimeOffset.UtcNow.AddDays(-1), TimeSpan.FromDays(7), false, Log, CancellationToken.None);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => rotation.ResetAndGenerateAsync(Log, CancellationToken.None));

        Assert.True(decision.ShouldRotate);
        Assert.Equal(CaxtonErrorIds.MainPasswordExpired, error.ErrorId);
        Assert.Contains("only Caxton can", error.Message);
        Assert.Contains("Caxton support", error.RecommendedAction);
        Assert.DoesNotContain(handler.Requests, r => r.Path == "/api/clients/auth/register");
    }

    [Fact]
    public async Task The_generated_password_is_unclaimed_on_the_connection_until_the_rotation_finishes()
    {
        var server = new LifecycleServer();
        var connection = await HoldingMainAsync(server);
        var rotation = MainRotation(connection);

        var password = await rotation.ResetAndGenerateAsync(Log, CancellationToken.None);
        var unclaimed = connection.UnclaimedPassword;
        await rotation.GetTokenAsync(password, Log, CancellationToken.None);
        rotation.Finish();

        Assert.NotNull(unclaimed);
        Assert.Equal(Fake.Plain(password.ClientPassword), Fake.Plain(unclaimed!.ClientPassword));
        Assert.NotSame(password.ClientPassword, unclaimed.ClientPassword);
        Assert.Null(connection.UnclaimedPassword);
    }
}
