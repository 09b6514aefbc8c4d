using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Xunit;

namespace Caxton.Tests;

/// <summary>
/// Test-CaxtonContract's engine against an in-memory server that follows the contract, and against
/// the same server lying in one way at a time, echoing secrets, refusing connections.
/// </summary>
public class ContractProbeTests
{
    private const string Password = "Probe-Pa55word-0123456789";
    private const string AccessToken = "probe-access-token-abcdefghijklmnop";
    private const string NewPassword = "New-Pa55word-9876543210";

    /// <summary>A server that follows docs/contract.md; each field makes it answer otherwise.</summary>
    private sealed class ContractServer
    {
        public string TokenType { get; init; } = "bearer";
        public bool ResetNeedsToken { get; init; }
        public bool EchoSecrets { get; init; }
        public int? RateLimit { get; init; }
        public string? RetryAfter { get; init; } = "30";

        public string CurrentPassword { get; private set; } = Password;
        public bool Reset { get; private set; }
        public int TokenRequests { get; private set; }

        public FakeHandler Handler() => new(Answer);

        private HttpResponseMessage Answer(RecordedRequest request)
        {
            var path = request.Path.Substring("/api/".Length);
            var answer = (request.Method, path) switch
            {
                ("POST", "token") => Token(request),
                ("GET", "reference/lookup/banks/GBP") => request.Authorization == "Bearer " + AccessToken && !Reset
                    ? Fake.Json(Fake.Envelope(EchoSecrets ? $"\"Banks\":[],\"{AccessToken}\":1" : "\"Banks\":[]"))
                    : Fake.Json("{\"Message\":\"Authorization has been denied for this request.\"}", HttpStatusCode.Unauthorized),
                ("GET", "reference/lookup/banks/ZZZ") => Fake.Json(Fake.Envelope(string.Empty, "InvalidCurrency", 102, EchoSecrets ? "not " + Password : "no such currency")),
                ("PUT", "clients/auth/reset") => ResetAnswer(request),
                ("POST", "clients/auth/register") => Reset
                    ? Register()
                    : Fake.Json(Fake.Envelope(string.Empty, "PasswordAlreadyGenerated", 101, "already")),
                _ => new HttpResponseMessage(HttpStatusCode.NotFound),
            };
            answer.Headers.Date = DateTimeOffset.UtcNow;
            answer.Headers.Add("x-request-id", Guid.NewGuid().ToString("N"));
            if (EchoSecrets)
            {
                answer.Headers.TryAddWithoutValidation("X-" + Password, "1");
                answer.Headers.TryAddWithoutValidation("X-Echo", Password + " " + AccessToken);
            }

            return answer;
        }

        private HttpResponseMessage Token(RecordedRequest request)
        {
            TokenRequests++;
            if (RateLimit is int limit && TokenRequests > limit)
            {
                var limited = new HttpResponseMessage((HttpStatusCode)429);
                if (RetryAfter != null)
                {
                    limited.Headers.TryAddWithoutValidation("Retry-After", RetryAfter);
                }

                return limited;
            }

            if (!request.BodyText.Contains("Password=" + Uri.EscapeDataString(CurrentPassword), StringComparison.Ordinal))
            {
                var description = EchoSecrets ? "wrong: " + request.BodyText : "The user name or password is incorrect.";
                return Fake.Json($"{{\"error\":\"invalid_grant\",\"error_description\":{System.Text.Json.JsonSerializer.Serialize(description)}}}", HttpStatusCode.BadRequest);
            }

            var extra = EchoSecrets ? $",\"{Password}\":true" : string.Empty;
            return Fake.Json($"{{\"access_token\":\"{AccessToken}\",\"token_type\":\"{TokenType}\",\"expires_in\":2591999{extra}}}");
        }

        private HttpResponseMessage ResetAnswer(RecordedRequest request)
        {
            if (ResetNeedsToken && request.Authorization != "Bearer " + AccessToken)
            {
                return Fake.Json("{\"Message\":\"Authorization has been denied for this request.\"}", HttpStatusCode.Unauthorized);
            }

            Reset = true;
            CurrentPassword = "(none)";
            return Fake.Json(Fake.Envelope(string.Empty));
        }

        private HttpResponseMessage Register()
        {
            CurrentPassword = NewPassword;
            return Fake.Json(Fake.RegisterJson(NewPassword));
        }
    }

    private static CaxtonConnection Held(FakeHandler handler)
    {
        var connection = Fake.Connection(handler);
        connection.SetCredential("probe.user", Fake.Secure(Password));
        return connection;
    }

    private static async Task<Dictionary<string, ContractCheck>> RunAsync(CaxtonConnection connection, ContractProbeOptions? options = null, RecordingLog? log = null)
    {
        var checks = await new ContractProbe(connection, options).RunAsync(log ?? new RecordingLog(), CancellationToken.None);
        Assert.Equal(ContractProbe.DecisionIds, checks.Select(c => c.Decision));
        return checks.ToDictionary(c => c.Decision);
    }

    [Fact]
    public async Task A_server_that_follows_the_contract_confirms_every_default_decision_and_nothing_that_changes_the_account_is_sent()
    {
        var server = new ContractServer();
        var handler = server.Handler();
        var checks = await RunAsync(Held(handler));

        foreach (var check in checks.Values)
        {
            var needs = check.Decision switch
            {
                "generate-while-active" => "-GenerateWhileActive",
                "token-rate-limit" => "-TokenRateLimit",
                "date-format" or "reset-path" or "reset-anonymous" or "reset-voids-password" or "reset-ends-tokens" => "-Reset",
                _ => null,
            };
            if (needs is null)
            {
                Assert.True(check.Status == ContractCheckStatus.Confirmed, $"{check.Decision}: {check.Status} ({check.Evidence})");
            }
            else
            {
                Assert.Equal(ContractCheckStatus.Unknown, check.Status);
                Assert.Equal("not checked: needs " + needs, check.Evidence);
            }
        }

        // Two token requests (the held credential, a wrong password) and GETs: nothing else.
        Assert.All(handler.Requests, r => Assert.True(r.Method == "GET" || r.Path.EndsWith("/token", StringComparison.Ordinal), $"{r.Method} {r.Path}"));
        Assert.Equal(2, handler.CountOf("/token"));
        Assert.False(server.Reset);
    }

    [Fact]
    public async Task Every_request_is_sent_once_so_a_503_is_the_servers_answer_and_not_retried()
    {
        var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        var checks = await RunAsync(Held(handler));

        Assert.Equal(ContractCheckStatus.Contradicted, checks["token-response"].Status);
        Assert.Equal("POST token (held credential): HTTP 503, no body", checks["token-response"].Evidence);
        Assert.Equal(3, handler.Count); // the held credential, the wrong password, the invalid token: once each
    }

    [Fact]
    public async Task A_token_of_another_type_contradicts_token_type_alone()
    {
        var checks = await RunAsync(Held(new ContractServer { TokenType = "mac" }.Handler()));

        Assert.Equal(ContractCheckStatus.Contradicted, checks["token-type"].Status);
        Assert.Equal("token_type is 'mac', not bearer", checks["token-type"].Evidence);
        Assert.Single(checks.Values, c => c.Status == ContractCheckStatus.Contradicted);
    }

    [Fact]
    public async Task Secrets_a_server_echoes_into_member_names_header_names_and_descriptions_never_reach_the_evidence_or_the_report()
    {
        var server = new ContractServer { EchoSecrets = true };
        var connection = Held(server.Handler());
        var options = new ContractProbeOptions { Clientname = "client", Reset = true, GenerateWhileActive = true };
        var checks = await RunAsync(connection, options);

        var text = string.Join("\n", checks.Values.Select(c => c.Evidence));
        var report = ContractReport.ToMarkdown(checks.Values.ToList(), connection, options, "1.2.3", "7.6.0 (Core)", "test", DateTimeOffset.UtcNow);
        foreach (var secret in new[] { Password, AccessToken, NewPassword })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, report, StringComparison.Ordinal);
        }

        // The echoes were seen, masked: so the test would fail if they went unmasked.
        Assert.Contains("JSON members access_token, token_type, expires_in, ********", checks["token-response"].Evidence, StringComparison.Ordinal);
        Assert.Contains("X-********", checks["support-reference"].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reset_that_needs_a_token_contradicts_reset_anonymous_and_the_connection_holds_the_new_password()
    {
        var server = new ContractServer { ResetNeedsToken = true };
        var handler = server.Handler();
        var connection = Held(handler);
        var log = new RecordingLog();
        var checks = await RunAsync(connection, new ContractProbeOptions { Clientname = "client", Reset = true }, log);

        Assert.Equal(ContractCheckStatus.Contradicted, checks["reset-anonymous"].Status);
        Assert.Equal("PUT clients/auth/reset (no token): HTTP 401, JSON members Message; PUT clients/auth/reset (with the account's own token): HTTP 200, JSON members Content", checks["reset-anonymous"].Evidence);
        foreach (var id in new[] { "reset-path", "reset-voids-password", "reset-ends-tokens", "date-format" })
        {
            Assert.True(checks[id].Status == ContractCheckStatus.Confirmed, $"{id}: {checks[id].Status} ({checks[id].Evidence})");
        }

        Assert.Equal(NewPassword, Fake.Plain(connection.HeldCredential!.ClientPassword));
        Assert.Contains(log.Warnings, w => w.Contains("the connection holds the new one", StringComparison.Ordinal) && !w.Contains(NewPassword, StringComparison.Ordinal));
        Assert.Equal(2, handler.Requests.Count(r => r.Method == "PUT"));
    }

    [Fact]
    public async Task Generate_while_active_refused_with_a_failing_status_and_the_password_still_working_is_confirmed()
    {
        var checks = await RunAsync(Held(new ContractServer().Handler()), new ContractProbeOptions { Clientname = "client", GenerateWhileActive = true });

        Assert.Equal(ContractCheckStatus.Confirmed, checks["generate-while-active"].Status);
        Assert.StartsWith("POST clients/auth/register (a password is active): HTTP 200, JSON members Content; ApiStatusCode 101, ApiStatus PasswordAlreadyGenerated", checks["generate-while-active"].Evidence, StringComparison.Ordinal);
        Assert.EndsWith("then POST token (the password active before): HTTP 200, JSON members access_token, token_type, expires_in", checks["generate-while-active"].Evidence, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "30", ContractCheckStatus.Confirmed, "12 of 12 token requests answered HTTP 200")]
    [InlineData(12, "30", ContractCheckStatus.Confirmed, "10 of 12 token requests answered HTTP 200 in")]
    [InlineData(12, null, ContractCheckStatus.Contradicted, "10 of 12 token requests answered HTTP 200 in")]
    [InlineData(5, "30", ContractCheckStatus.Contradicted, "3 of 12 token requests answered HTTP 200 in")]
    public async Task The_rate_test_stops_at_the_first_429_and_wants_ten_answers_and_a_Retry_After(int? limit, string? retryAfter, ContractCheckStatus expected, string evidence)
    {
        // The default checks make two token requests first.
        var server = new ContractServer { RateLimit = limit, RetryAfter = retryAfter };
        var handler = server.Handler();
        var checks = await RunAsync(Held(handler), new ContractProbeOptions { TokenRateLimit = true, RateLimitRequests = 12, RateLimitWindow = TimeSpan.FromSeconds(1) });

        var check = checks["token-rate-limit"];
        Assert.True(check.Status == expected, $"{check.Status}: {check.Evidence}");
        Assert.StartsWith(evidence, check.Evidence, StringComparison.Ordinal);
        if (limit is not null)
        {
            Assert.EndsWith($"then HTTP 429 at request {limit - 1}; Retry-After {(retryAfter is null ? "absent" : "30.0 s")}", check.Evidence, StringComparison.Ordinal);
            Assert.Equal(limit + 1, handler.CountOf("/token"));
        }
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_is_an_error_not_a_report()
    {
        var handler = new FakeHandler(_ => throw new HttpRequestException("Connection refused"));
        var failure = await Assert.ThrowsAsync<CaxtonException>(() => new ContractProbe(Held(handler)).RunAsync(new RecordingLog(), CancellationToken.None));
        Assert.Equal(CaxtonErrorIds.ConnectionFailed, failure.ErrorId);
    }

    [Fact]
    public async Task Without_a_held_credential_nothing_is_sent()
    {
        var handler = new FakeHandler(_ => Fake.Json("{}"));
        var failure = await Assert.ThrowsAsync<CaxtonException>(() => new ContractProbe(Fake.Connection(handler)).RunAsync(new RecordingLog(), CancellationToken.None));
        Assert.Equal(CaxtonErrorIds.NoClientCredential, failure.ErrorId);
        Assert.Equal(0, handler.Count);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void The_checks_that_name_the_account_need_its_Clientname(bool reset, bool generate)
    {
        var failure = Assert.Throws<CaxtonException>(() => new ContractProbe(Fake.Connection(new FakeHandler(_ => Fake.Json("{}"))), new ContractProbeOptions { Reset = reset, GenerateWhileActive = generate }));
        Assert.Equal(CaxtonErrorIds.ClientnameRequired, failure.ErrorId);
        Assert.Equal(CaxtonErrorKind.InvalidArgument, failure.Kind);
    }

    [Fact]
    public void The_report_keeps_each_finding_in_its_table_cell()
    {
        var connection = Fake.Connection(new FakeHandler(_ => Fake.Json("{}")));
        var checks = new[] { new ContractCheck("token-type", ContractCheckStatus.Contradicted, "token_type 'a|b`c'\nsecond line", "token_type is bearer.", documented: true) };
        var report = ContractReport.ToMarkdown(checks, connection, new ContractProbeOptions { Reset = true, Clientname = "c" }, "1.2.3", "7.6.0 (Core)", "Linux", new DateTimeOffset(2026, 12, 4, 18, 0, 0, TimeSpan.Zero));

        Assert.Contains("| `token-type` | Contradicted | token_type 'a\\|b'c' second line | (documented) token_type is bearer. |\n", report, StringComparison.Ordinal);
        Assert.Contains("| Module | Caxton 1.2.3 |\n", report, StringComparison.Ordinal);
        Assert.Contains("| Checks | default, -Reset |\n", report, StringComparison.Ordinal);
        Assert.Contains("| Run at | 2026-12-04 18:00:00Z |\n", report, StringComparison.Ordinal);
        Assert.Contains("0 Confirmed, 1 Contradicted, 0 Unknown.", report, StringComparison.Ordinal);
    }
}
