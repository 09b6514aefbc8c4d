using System.Net;
using System.Text;
using System.Text.Json;
using Caxton.Wire;
using Xunit;

namespace Caxton.Tests;

/// <summary>Create Subsidiary Account: its request, its answer, and its operation against lying and failing servers.</summary>
public class SubAccountTests
{
    private const string MainPassword = "Main-Pw-7f3Kq9zR";
    private const string Bearer = "tok-main-8d1c5e2a9b";

    private static CaxtonConnection MainConnection(FakeHandler handler)
    {
        var connection = Fake.Connection(handler);
        connection.SetCredential("main.user", Fake.Secure(MainPassword));
        return connection;
    }

    /// <summary>A server whose token endpoint answers, and whose subsidiary endpoint answers <paramref name="create"/>.</summary>
    private static FakeHandler Server(Func<RecordedRequest, HttpResponseMessage> create, string token = Bearer) =>
        new(request => request.Path.EndsWith("/token", StringComparison.Ordinal) ? Fake.Json(Fake.TokenJson(token)) : create(request));

    private static Task<CaxtonSubAccount> Create(CaxtonConnection connection, ICaxtonLog? log = null) =>
        connection.NewSubAccountAsync("Acme Payroll Ltd", "finance@acme.example", log ?? NullLog.Instance, CancellationToken.None);

    [Fact]
    public async Task The_request_is_a_JSON_POST_with_the_main_accounts_bearer_token()
    {
        using var request = CaxtonRequests.Subsidiary(new Uri("https://caxtonapi.caxtonfx.com/api"), "Société Générale", "a+b@c.example", "tok");

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://caxtonapi.caxtonfx.com/api/clients/subsidiary", request.RequestUri!.AbsoluteUri);
        Assert.Equal("Bearer tok", request.Headers.Authorization!.ToString());
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.ToString());
        Assert.Equal("application/json", string.Join(",", request.Headers.GetValues("Accept")));
        Assert.False(request.Headers.Contains("IdentityNumber"));
        Assert.Equal("{\"CompanyName\":\"Société Générale\",\"Email\":\"a+b@c.example\"}", Encoding.UTF8.GetString(await request.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task A_created_sub_account_carries_its_Username_and_Name_as_Clientname()
    {
        var handler = Server(_ => Fake.Json(Fake.Envelope("\"Username\":\"acme.sub\",\"Name\":\"Acme Payroll Ltd\"")));

        var sub = await Create(MainConnection(handler));

        Assert.Equal("acme.sub", sub.Username);
        Assert.Equal("Acme Payroll Ltd", sub.Clientname);
        Assert.Equal("Acme Payroll Ltd", sub.CompanyName);
        Assert.Equal("finance@acme.example", sub.Email);
        Assert.Equal(100, sub.ApiStatusCode);
        Assert.Equal("IsValid", sub.ApiStatus);
        var sent = Assert.Single(handler.Requests, r => r.Path.EndsWith("/clients/subsidiary", StringComparison.Ordinal));
        Assert.Equal("Bearer " + Bearer, sent.Authorization);
        using var body = JsonDocument.Parse(sent.Body);
        Assert.Equal("Acme Payroll Ltd", body.RootElement.GetProperty("CompanyName").GetString());
        Assert.Equal("finance@acme.example", body.RootElement.GetProperty("Email").GetString());
    }

    [Fact]
    public async Task An_existing_company_is_ResourceExists_with_its_status_and_nothing_is_tried_again()
    {
        var handler = Server(_ => Fake.Json(
            Fake.Envelope(string.Empty, "CompanyAlreadyExists", 108, "A sub-account for the company 'Acme Payroll Ltd' already exists."),
            HttpStatusCode.Conflict));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Create(MainConnection(handler)));

        Assert.Equal(CaxtonErrorIds.ApiStatusNotValid, error.ErrorId);
        Assert.Equal(CaxtonErrorKind.ResourceExists, error.Kind);
        Assert.Equal(108, error.ApiStatusCode);
        Assert.Contains("Acme Payroll Ltd", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was created", error.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(1, handler.CountOf("/clients/subsidiary"));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task A_failure_after_the_request_may_have_reached_Caxton_is_never_repeated(int status)
    {
        var handler = Server(_ => new HttpResponseMessage((HttpStatusCode)status));

        await Assert.ThrowsAsync<CaxtonException>(() => Create(MainConnection(handler)));

        Assert.Equal(1, handler.CountOf("/clients/subsidiary"));
    }

    [Fact]
    public async Task A_dropped_connection_is_never_repeated()
    {
        var handler = Server(_ => throw new HttpRequestException("connection reset by peer", new IOException("reset")));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Create(MainConnection(handler)));

        Assert.Equal(CaxtonErrorIds.ConnectionFailed, error.ErrorId);
        Assert.Equal(1, handler.CountOf("/clients/subsidiary"));
    }

    [Fact]
    public async Task A_401_gets_a_new_token_and_one_more_try_and_no_more()
    {
        var handler = Server(_ => new HttpResponseMessage(HttpStatusCode.Unauthorized));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Create(MainConnection(handler)));

        Assert.Equal(CaxtonErrorKind.Authentication, error.Kind);
        Assert.Equal(2, handler.CountOf("/clients/subsidiary"));
        Assert.Equal(2, handler.CountOf("/token"));
    }

    [Theory]
    [InlineData("\"Name\":\"Acme\"", "no Username")]
    [InlineData("\"Username\":\"acme.sub\"", "no Name")]
    [InlineData("\"Username\":\"\",\"Name\":\"Acme\"", "no Username")]
    [InlineData("\"Username\":\"acme\\r\\nWhat if: forged\",\"Name\":\"Acme\"", "control characters")]
    [InlineData("\"Username\":\"" + Bearer + "\",\"Name\":\"Acme\"", "repeats a secret")]
    [InlineData("\"Username\":\"acme.sub\",\"Name\":\"x" + MainPassword + "\"", "repeats a secret")]
    public async Task A_lying_answer_is_InvalidResponse_and_shows_no_secret(string members, string why)
    {
        var handler = Server(_ => Fake.Json(Fake.Envelope(members)));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Create(MainConnection(handler)));

        Assert.Equal(CaxtonErrorIds.InvalidResponse, error.ErrorId);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Bearer, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(MainPassword, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_status_that_echoes_the_token_or_password_is_masked()
    {
        var handler = Server(_ => Fake.Json(Fake.Envelope("\"Username\":\"acme.sub\",\"Name\":\"Acme\"", "IsValid", 100, $"made with {Bearer} by {MainPassword}")));
        var log = new RecordingLog();

        var sub = await Create(MainConnection(handler), log);

        Assert.DoesNotContain(Bearer, sub.ApiStatusDescription, StringComparison.Ordinal);
        Assert.DoesNotContain(MainPassword, sub.ApiStatusDescription, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Messages, m => m.Contains(Bearer, StringComparison.Ordinal) || m.Contains(MainPassword, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_credential_nothing_is_sent()
    {
        var handler = Server(_ => Fake.Json(Fake.Envelope("\"Username\":\"a\",\"Name\":\"b\"")));
        var connection = Fake.Connection(handler);
        var saved = (Environment.GetEnvironmentVariable("CAXTON_USERNAME"), Environment.GetEnvironmentVariable("CAXTON_CLIENTPASSWORD"));
        if (saved.Item1 != null || saved.Item2 != null)
        {
            return; // the environment names a credential: this case cannot be set up here
        }

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Create(connection));

        Assert.Equal(CaxtonErrorIds.NoClientCredential, error.ErrorId);
        Assert.Equal(0, handler.Count);
    }
}

/// <summary>Every authenticated call goes through the one pipeline, and so behaves alike.</summary>
public class ApiPipelineTests
{
    public static TheoryData<string> Calls => new() { "api", "sub-account reset", "create sub-account" };

    private static Task Call(string which, CaxtonConnection connection) => which switch
    {
        "api" => connection.InvokeApiAsync("GET", "reference/x", null, null, null, false, NullLog.Instance, CancellationToken.None),
        "sub-account reset" => connection.ResetCredentialAsync("main.user", "c", "SUB-1", NullLog.Instance, CancellationToken.None),
        _ => connection.NewSubAccountAsync("Acme", "a@b.example", NullLog.Instance, CancellationToken.None),
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task A_revoked_token_is_replaced_once_after_a_401_and_the_call_succeeds(string which)
    {
        var tokens = 0;
        var handler = new FakeHandler(request =>
        {
            if (request.Path.EndsWith("/token", StringComparison.Ordinal))
            {
                return Fake.Json(Fake.TokenJson($"tok-{Interlocked.Increment(ref tokens)}-abcdef"));
            }

            return request.Authorization == "Bearer tok-1-abcdef"
                ? new HttpResponseMessage(HttpStatusCode.Unauthorized)
                : Fake.Json(Fake.Envelope("\"Username\":\"acme.sub\",\"Name\":\"Acme\""));
        });
        var connection = Fake.Connection(handler);
        connection.SetCredential("main.user", Fake.Secure("Main-Pw-7f3Kq9zR"));

        await Call(which, connection);

        Assert.Equal(2, tokens);
        Assert.Equal(new[] { "Bearer tok-1-abcdef", "Bearer tok-2-abcdef" }, handler.Requests.Where(r => !r.Path.EndsWith("/token", StringComparison.Ordinal)).Select(r => r.Authorization));
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task The_identity_is_taken_once_a_credential_set_meanwhile_does_not_change_who_the_call_is(string which)
    {
        CaxtonConnection? connection = null;
        var handler = new FakeHandler(request =>
        {
            if (request.Path.EndsWith("/token", StringComparison.Ordinal))
            {
                var first = request.BodyText.Contains("Username=main.user", StringComparison.Ordinal);

                // Another runspace sets a new credential while this call waits for its token.
                connection!.SetCredential("other.user", Fake.Secure("Other-Pw-5tGh2"));
                return first ? Fake.Json(Fake.TokenJson("tok-main-abcdef")) : Fake.Json(Fake.TokenJson("tok-other-abcdef"));
            }

            return request.Authorization == "Bearer tok-main-abcdef"
                ? new HttpResponseMessage(HttpStatusCode.Unauthorized)
                : Fake.Json(Fake.Envelope("\"Username\":\"acme.sub\",\"Name\":\"Acme\""));
        });
        connection = Fake.Connection(handler);
        connection.SetCredential("main.user", Fake.Secure("Main-Pw-7f3Kq9zR"));

        await Assert.ThrowsAsync<CaxtonException>(() => Call(which, connection));

        // Both token requests were for the identity the call started with.
        Assert.All(handler.Requests.Where(r => r.Path.EndsWith("/token", StringComparison.Ordinal)), r => Assert.Contains("Username=main.user", r.BodyText, StringComparison.Ordinal));
    }
}
