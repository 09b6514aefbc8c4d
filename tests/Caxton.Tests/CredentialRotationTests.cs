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
        Assert.Equal(server.PasswordOf("main"), Fake.Plain(Fake.HeldPassword(connection)));
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
        Assert.Equal("main-old", Fake.Plain(Fake.HeldPassword(connection)));
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
        Assert.Equal(Fake.Plain(password.ClientPassword), Fake.Plain(Fake.HeldPassword(connection)));
        Assert.Null(connection.TokenExpiresOn);
    }
}
