using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Caxton.Hostile;
using Xunit;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>
/// Issue 9's findings 1-9, each reproduced against a hostile peer: a real socket server that lies,
/// stalls, echoes secrets and drops connections, and keeps the raw bytes it was sent.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });

    private readonly HostileServer server = new();

    public void Dispose() => server.Dispose();

    private CaxtonConnection Connect(TimeSpan? timeout = null, int retries = 3, string? resetPath = null) =>
        new(server.BaseUri, null, resetPath, timeout ?? TimeSpan.FromSeconds(20), new CaxtonTransport(() => Client, new CaxtonTransportOptions { MaximumRetryCount = retries }));

    /// <summary>A connection holding a credential; the token endpoint answers as the test has set it up.</summary>
    private CaxtonConnection ConnectHolding(string password = "the-client-password-0123456789", TimeSpan? timeout = null, int retries = 3)
    {
        var connection = Connect(timeout, retries);
        connection.SetCredential("main", Fake.Secure(password));
        return connection;
    }

    private CaxtonConnection ConnectWithToken(string token = "the-main-account-token-0123456789", TimeSpan? timeout = null, int retries = 3)
    {
        server.On("/token", HostileReply.Token(token));
        return ConnectHolding(timeout: timeout, retries: retries);
    }

    /// <summary>What the connection makes of a token of this type.</summary>
    private Task<CaxtonToken> TokenOfType(string tokenType, string token)
    {
        server.On("/token", HostileReply.Token(token, tokenType));
        return ConnectHolding().GetTokenAsync(false, NullLog.Instance, CancellationToken.None);
    }

    // Finding 1: header injection.

    public static TheoryData<string> InjectedHeaderValues => new()
    {
        "SUB-1\r\nContent-Length: 0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
        "SUB-1\nX-Smuggled: yes",
        "SUB-1\rX-Smuggled: yes",
        "SUB-1\0",
        "SUB-1\u0085",
        "SUB-1\t\u0001",
        "SUB-\u00e9",
    };

    [Theory]
    [MemberData(nameof(InjectedHeaderValues))]
    public async Task An_IdentityNumber_with_control_characters_is_refused_before_anything_is_sent(string identityNumber)
    {
        var connection = ConnectWithToken();
        var log = new RecordingLog();

        var api = await Assert.ThrowsAsync<CaxtonException>(() => connection.InvokeApiAsync(HttpMethod.Get, "reference/x", null, null, identityNumber, log, CancellationToken.None));
        var reset = await Assert.ThrowsAsync<CaxtonException>(() => connection.ResetCredentialAsync("main", "client", identityNumber, log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.InvalidHeaderValue, api.ErrorId);
        Assert.Equal(CaxtonErrorIds.InvalidHeaderValue, reset.ErrorId);
        Assert.Equal(CaxtonErrorKind.InvalidArgument, api.Kind);
        Assert.Equal(string.Empty, server.ReceivedText); // not even the token request went out
    }

    [Theory]
    [InlineData("text/plain\r\nX-Smuggled: yes", CaxtonErrorIds.InvalidHeaderValue)]
    [InlineData("application/json\0", CaxtonErrorIds.InvalidHeaderValue)]
    [InlineData("not a media type", CaxtonErrorIds.InvalidContentType)]
    [InlineData("a/b/c", CaxtonErrorIds.InvalidContentType)]
    public async Task A_bad_ContentType_is_an_error_of_its_own_never_a_FormatException(string contentType, string errorId)
    {
        var connection = ConnectWithToken();

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.InvokeApiAsync(HttpMethod.Post, "x", new byte[] { 1 }, contentType, null, NullLog.Instance, CancellationToken.None));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(string.Empty, server.ReceivedText);
    }

    [Theory]
    [InlineData("token-with-crlf\r\nX-Smuggled: yes")]
    [InlineData("token-with-nul\0-inside")]
    [InlineData("token-with-non-ascii-\u00e9")]
    public async Task A_token_with_control_characters_is_InvalidResponse_on_arrival_and_never_cached(string badToken)
    {
        server.On("/token", new HostileReply { Times = 1, Body = HostileReply.Token(badToken).Body });
        server.On("/token", HostileReply.Token("a-good-token-after-the-bad-one"));
        server.On("/x", HostileReply.Json("{\"ok\":true}"));
        var connection = ConnectHolding();

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None));
        Assert.Equal(CaxtonErrorIds.InvalidResponse, error.ErrorId);
        Assert.Null(connection.TokenExpiresOn);

        var response = await connection.InvokeApiAsync(HttpMethod.Get, "x", null, null, null, NullLog.Instance, CancellationToken.None);
        Assert.Equal(200, response.Status);
        Assert.Equal(2, server.CountOf("/token"));
        Assert.Equal("Bearer a-good-token-after-the-bad-one", server.Requests.Single(r => r.Path.EndsWith("/x")).Header("Authorization"));
    }

    // Finding 9: token_type.

    [Theory]
    [InlineData("mac")]
    [InlineData("pop")]
    [InlineData("bearer2")]
    [InlineData("Bearer\r\n")]
    public async Task A_token_of_another_type_than_bearer_is_InvalidResponse(string tokenType)
    {
        var error = await Assert.ThrowsAsync<CaxtonException>(() => TokenOfType(tokenType, "a-token-of-another-type"));

        Assert.Equal(CaxtonErrorIds.InvalidResponse, error.ErrorId);
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("Bearer")]
    [InlineData("BEARER")]
    public async Task Bearer_in_any_case_is_accepted(string tokenType)
    {
        var token = await TokenOfType(tokenType, "a-bearer-token-in-any-case");

        Assert.Equal("a-bearer-token-in-any-case", Fake.Plain(token.AccessToken));
    }

    // Findings 2 and 4: redaction before truncation, and by value in every encoding.

    [Fact]
    public async Task A_long_token_is_masked_whole_in_the_debug_trace()
    {
        var token = new string('A', 2500) + "x9Kq!w= Z~end";
        server.On("/token", HostileReply.Token(token));
        var connection = ConnectHolding();
        var log = new RecordingLog();

        await connection.GetTokenAsync(false, log, CancellationToken.None);

        SecretRuns.AssertNone(string.Join("\n", log.Messages), token.Substring(2400));
    }

    [Fact]
    public async Task A_ClientPassword_after_a_long_PublicKey_and_under_an_escaped_name_is_masked()
    {
        const string password = "p@ss w0rd!=with+odd&chars";
        server.On("/clients/auth/register", HostileReply.Envelope(
            "\"PublicKey\":\"" + new string('k', 3000) + "\",\"Client\\u0050assword\":" + JsonSerializer.Serialize(password) + ",\"EndDate\":\"2099-01-01T00:00:00Z\""));
        var connection = Connect();
        var log = new RecordingLog();

        var created = await connection.NewClientPasswordAsync("main", "client", log, CancellationToken.None);

        Assert.Equal(password, Fake.Plain(created.ClientPassword)); // the escaped name is the password...
        SecretRuns.AssertNone(string.Join("\n", log.Messages), password); // ...and is masked as one
    }

    [Fact]
    public async Task Generated_secrets_echoed_anywhere_in_any_encoding_leave_no_8_character_run()
    {
        var random = new Random(20261130);
        var cases = 0;
        for (var round = 0; round < 300; round++)
        {
            // The secret is the client password a token request carries; the server echoes it in its
            // body (past the trace's cut too) and in its reason phrase, in any encoding.
            var secret = SecretRuns.RandomSecret(random);
            var body = SecretRuns.BodyEchoing(random, secret, CaxtonTransport.MaxTracedChars);
            var reason = "Bad " + SecretRuns.Encode(random, secret);
            var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.BadRequest)
            {
                ReasonPhrase = reason,
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            });
            var connection = new CaxtonConnection(Fake.BaseUri, null, null, TimeSpan.FromSeconds(10), new CaxtonTransport(() => new HttpClient(handler, disposeHandler: false), new CaxtonTransportOptions { MaximumRetryCount = 0 }));
            connection.SetCredential("main", Fake.Secure(secret));
            var log = new RecordingLog();

            var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(false, log, CancellationToken.None));

            Assert.Contains(log.Messages, message => message.Contains("response HTTP 400", StringComparison.Ordinal)); // the -Debug trace ran
            SecretRuns.AssertNone(string.Join("\n", log.Messages) + "\n" + error.Message + "\n" + error.OAuthErrorDescription, secret);
            cases++;
        }

        Assert.Equal(300, cases);
    }

    // Finding 3: the status line.

    [Fact]
    public async Task A_reason_phrase_echoing_the_password_reaches_no_message()
    {
        const string password = "Xq7-Zt9!pL2#vN4-rW8=";
        server.On("/token", HostileReply.Json("{}", 500, "Bad password " + password));
        var connection = ConnectHolding(password, retries: 0);
        var log = new RecordingLog();

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(false, log, CancellationToken.None));

        SecretRuns.AssertNone(error.Message + "\n" + string.Join("\n", log.Messages), password);
    }

    [Fact]
    public async Task A_reason_phrase_echoing_the_token_in_an_API_error_reaches_no_message()
    {
        const string token = "the-main-account-token-in-a-reason";
        var connection = ConnectWithToken(token, retries: 0);
        server.On("/x", HostileReply.Json("{\"Message\":\"token " + token + "\"}", 500, "Bad token " + Uri.EscapeDataString(token)));
        var log = new RecordingLog();

        var response = await connection.InvokeApiAsync(HttpMethod.Get, "x", null, null, null, log, CancellationToken.None);
        var error = Assert.Throws<CaxtonException>(() => ResponseReader.ReadApiResponse(response, false));

        SecretRuns.AssertNone(error.Message + "\n" + string.Join("\n", log.Messages), token);
    }

    // Finding 5: returned secrets are the caller's own.

    [Fact]
    public async Task Disposing_the_callers_token_leaves_the_connection_working()
    {
        var connection = ConnectWithToken();
        server.On("/x", HostileReply.Json("{}"));
        var given = (await connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None)).CopyForCaller();

        given.AccessToken.Dispose();

        var again = await connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None);
        Assert.Equal("the-main-account-token-0123456789", Fake.Plain(again.AccessToken));
        Assert.Equal(200, (await connection.InvokeApiAsync(HttpMethod.Get, "x", null, null, null, NullLog.Instance, CancellationToken.None)).Status);
        Assert.Equal(1, server.CountOf("/token"));
    }

    // Finding 6: a connection dropped mid-body, on real sockets.

    [Fact]
    public async Task A_connection_dropped_mid_body_is_ConnectionFailed_and_retried_for_a_GET()
    {
        var connection = ConnectWithToken();
        server.On("/x", new HostileReply { Times = 1, DropMidBody = true, Body = Encoding.UTF8.GetBytes(new string(' ', 4096) + "{}") });
        server.On("/x", HostileReply.Json("{}"));

        var response = await connection.InvokeApiAsync(HttpMethod.Get, "x", null, null, null, NullLog.Instance, CancellationToken.None);

        Assert.Equal(200, response.Status);
        Assert.Equal(2, server.CountOf("/x"));
    }

    [Fact]
    public async Task A_connection_dropped_mid_body_is_ConnectionFailed_and_not_repeated_for_a_POST()
    {
        var connection = ConnectWithToken();
        server.On("/x", new HostileReply { DropMidBody = true, Body = Encoding.UTF8.GetBytes(new string(' ', 4096) + "{}") });

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.InvokeApiAsync(HttpMethod.Post, "x", new byte[] { (byte)'1' }, "application/json", null, NullLog.Instance, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.ConnectionFailed, error.ErrorId);
        Assert.Equal(1, server.CountOf("/x"));
    }

    // Finding 7: paths that leave the base path.

    [Theory]
    [InlineData("../../tenantB/x")]
    [InlineData("%2e%2e/%2e%2e/tenantB/x")]
    [InlineData("%2E%2E/%2E%2E/tenantB/x")]
    [InlineData(".%2e/.%2e/tenantB/x")]
    [InlineData("%2e./%2e./tenantB/x")]
    [InlineData("..\\..\\tenantB\\x")]
    [InlineData("..%5c..%5ctenantB")]
    [InlineData("%2e%2e%2f%2e%2e%2ftenantB")]
    [InlineData("a/../../../tenantB/x")]
    [InlineData("./../x")]
    [InlineData("..")]
    [InlineData("..;/..;/tenantB/x")]
    [InlineData("{base}%2e%2e/%2e%2e/tenantB/x")]
    [InlineData("{base}..%5C..%5CtenantB")]
    [InlineData("{root}tenantB/x")]
    [InlineData("{root}tenantA/apiX/x")]
    [InlineData("%252e%252e/%252e%252e/tenantB/x")]
    [InlineData("a/%25252e%25252e/%25252e%25252e/tenantB/x")]
    [InlineData("\uff0e\uff0e/\uff0e\uff0e/tenantB/x")]
    [InlineData("%ef%bc%8e%ef%bc%8e/%ef%bc%8e%ef%bc%8e/tenantB/x")]
    [InlineData("%c0%ae%c0%ae/%c0%ae%c0%ae/tenantB/x")]
    [InlineData("%e0%80%ae%e0%80%ae/tenantB/x")]
    [InlineData("%u002e%u002e/%u002e%u002e/tenantB/x")]
    [InlineData("%c0%af..%c0%af..%c0%aftenantB")]
    public async Task A_path_that_leaves_the_base_path_is_refused_before_anything_is_sent(string path)
    {
        path = path.Replace("{base}", server.BaseUri.AbsoluteUri).Replace("{root}", server.BaseUri.GetLeftPart(UriPartial.Authority) + "/");
        var connection = ConnectWithToken();

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.InvokeApiAsync(HttpMethod.Get, path, null, null, null, NullLog.Instance, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.PathOutsideBaseUri, error.ErrorId);
        Assert.Equal(string.Empty, server.ReceivedText);
    }

    [Theory]
    [InlineData("a/./b", "/tenantA/api/a/b")]
    [InlineData("a/../b", "/tenantA/api/b")]
    [InlineData("a\\b", "/tenantA/api/a/b")]
    [InlineData("/reference/lookup?x=..%2f", "/tenantA/api/reference/lookup")]
    [InlineData("{base}a/%2e%2e/b", "/tenantA/api/b")]
    [InlineData("banks/%2525/GBP", "/tenantA/api/banks/%2525/GBP")]
    [InlineData("caf%C3%A9/x", "/tenantA/api/caf%C3%A9/x")]
    public async Task A_path_that_stays_under_the_base_path_is_sent_resolved(string path, string expected)
    {
        path = path.Replace("{base}", server.BaseUri.AbsoluteUri);
        var connection = ConnectWithToken();
        server.On("/", HostileReply.Json("{}"));

        await connection.InvokeApiAsync(HttpMethod.Get, path, null, null, null, NullLog.Instance, CancellationToken.None);

        Assert.Equal(expected, server.Requests.Last().Path);
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("%2e%2e/%2e%2e/x")]
    [InlineData("..\\..\\x")]
    public void A_ResetPath_that_leaves_the_base_path_is_refused_when_connecting(string resetPath)
    {
        var error = Assert.Throws<CaxtonException>(() => Connect(resetPath: resetPath));

        Assert.Equal(CaxtonErrorIds.PathOutsideBaseUri, error.ErrorId);
    }

    // Finding 8: one budget for the whole call.

    [Fact]
    public async Task One_budget_covers_the_token_refresh_the_401_and_the_second_try()
    {
        var budget = TimeSpan.FromSeconds(3);
        server.On("/token", new HostileReply { Times = 1, Body = HostileReply.Token("the-first-token-0123456789").Body });
        server.On("/token", new HostileReply { StallBeforeHeadersMs = 2000, Body = HostileReply.Token("the-second-token-0123456789").Body });
        server.On("/x", new HostileReply { StallBeforeHeadersMs = 2000, Status = 401, Reason = "Unauthorized", Body = Encoding.UTF8.GetBytes("{}") });
        var connection = ConnectHolding(timeout: budget, retries: 0);
        await connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None);
        var stopwatch = Stopwatch.StartNew();

        // Each step alone fits in 3 s; together (2 + 2 + 2 s) they do not.
        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.InvokeApiAsync(HttpMethod.Get, "x", null, null, null, NullLog.Instance, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.RequestTimeout, error.ErrorId);
        Assert.True(stopwatch.Elapsed < budget * 1.5 + TimeSpan.FromSeconds(1), $"took {stopwatch.Elapsed.TotalSeconds:0.0} s for a {budget.TotalSeconds} s budget");
    }

    [Fact]
    public async Task A_body_that_stalls_after_the_headers_ends_within_the_budget()
    {
        var budget = TimeSpan.FromSeconds(2);
        var connection = ConnectWithToken(timeout: budget, retries: 3);
        server.On("/x", new HostileReply { StallAfterHeadersMs = 60000, Body = Encoding.UTF8.GetBytes("{}") });
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.InvokeApiAsync(HttpMethod.Get, "x", null, null, null, NullLog.Instance, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.RequestTimeout, error.ErrorId);
        Assert.True(stopwatch.Elapsed < budget * 1.5 + TimeSpan.FromSeconds(1), $"took {stopwatch.Elapsed.TotalSeconds:0.0} s for a {budget.TotalSeconds} s budget");
    }

    // Review finding 1: a secret echoed where only the HTTP parser reads it (an invalid status or header
    // line, a chunk-size line) must not reach the message, the retry line or the kept exception.

    public static TheoryData<string, string> ParserEchoes => new()
    {
        { "an invalid header line", "HTTP/1.1 400 Bad\r\nX{Secret}\r\nContent-Length: 0\r\n\r\n" },
        { "an invalid status line", "HTTP/1.1 {Secret}\r\nContent-Length: 0\r\n\r\n" },
        { "a chunk-size line", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{Secret}\r\n{}\r\n0\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(ParserEchoes))]
    public async Task A_secret_echoed_into_the_HTTP_parser_shows_nowhere(string where, string raw)
    {
        const string password = "Hx7-Qz9!pL2#vN4-rW8=kT5";
        const string token = "Tk7-the-bearer-token-0123456789";
        var log = new RecordingLog();

        server.On("/token", new HostileReply { Raw = raw.Replace("{Secret}", "{Password}") });
        var tokenFailure = await Assert.ThrowsAsync<CaxtonException>(() => ConnectHolding(password, retries: 1).GetTokenAsync(false, log, CancellationToken.None));
        server.Reset();
        server.On("/x", new HostileReply { Raw = raw.Replace("{Secret}", "{Bearer}") });
        var apiFailure = await Assert.ThrowsAsync<CaxtonException>(() => ConnectWithToken(token, retries: 1).InvokeApiAsync(HttpMethod.Get, "x", null, null, null, log, CancellationToken.None));

        foreach (var (failure, secret) in new[] { (tokenFailure, password), (apiFailure, token) })
        {
            Assert.Equal(CaxtonErrorIds.ConnectionFailed, failure.ErrorId);
            Assert.Null(failure.InnerException);
            var seen = failure + "\n" + string.Join("\n", log.Messages);
            SecretRuns.AssertNone(seen, secret);
            SecretRuns.AssertNone(seen, BitConverter.ToString(Encoding.UTF8.GetBytes(secret)));
            SecretRuns.AssertNone(seen, Convert.ToHexString(Encoding.UTF8.GetBytes(secret)));
            Assert.True(log.Messages.Any(m => m.Contains("retrying", StringComparison.Ordinal)), $"{where}: the retry line was not written");
        }
    }

    // Review finding 7: a secret echoed elsewhere in the very response that delivers it.

    [Fact]
    public async Task A_new_password_echoed_elsewhere_in_its_own_response_is_masked_in_the_trace_and_the_output()
    {
        const string minted = "Mint-X7q";
        server.On("/clients/auth/register", HostileReply.Json(
            "{\"Content\":{\"Model\":{\"PublicKey\":\"pk " + minted + "\",\"ClientPassword\":\"" + minted + "\",\"EndDate\":\"2099-01-01T00:00:00Z\"," +
            "\"ApiStatusCode\":100,\"ApiStatus\":\"IsValid\",\"ApiStatusDescription\":\"Password " + minted + " generated\"},\"ExpectedResponses\":[\"IsValid\"]}}"));
        var log = new RecordingLog();

        var password = await Connect().NewClientPasswordAsync("main", "c", log, CancellationToken.None);

        Assert.Equal(minted, Fake.Plain(password.ClientPassword));
        Assert.Equal("pk " + Redactor.Mask, password.PublicKey);
        Assert.Equal("Password " + Redactor.Mask + " generated", password.ApiStatusDescription);
        Assert.DoesNotContain(minted, string.Join("\n", log.Messages), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_echoed_in_another_member_of_its_own_response_is_masked_in_the_trace()
    {
        const string token = "Tk7-echoed-token-0123456789";
        server.On("/token", HostileReply.Json("{\"access_token\":\"" + token + "\",\"token_type\":\"bearer\",\"expires_in\":3600,\"scope\":\"for " + token + "\"}"));
        var log = new RecordingLog();

        await ConnectHolding().GetTokenAsync(false, log, CancellationToken.None);

        Assert.Contains(log.Messages, m => m.Contains("response HTTP 200", StringComparison.Ordinal));
        SecretRuns.AssertNone(string.Join("\n", log.Messages), token);
    }

    [Fact]
    public void The_redactor_masks_a_secret_in_hex()
    {
        const string secret = "Hx7-Qz9!pL2#vN4";
        var hex = BitConverter.ToString(Encoding.UTF8.GetBytes(secret));

        Assert.DoesNotContain("48-78-37", Redactor.Redact($"bad chunk '{hex}' and {hex.Replace("-", string.Empty).ToLowerInvariant()}", new[] { secret }));
    }
    // Issue 19: the second adversarial pass.

    // Finding 1: plain http only where the OS keeps it on this machine.

    [Theory]
    [InlineData("http://[::127.0.0.1]/api/", "IPv4")]
    [InlineData("http://[::7f00:1]:8080/api/", "IPv4")]
    [InlineData("http://[::ffff:127.0.0.1]/api/", "IPv4")]
    [InlineData("http://[::2]/api/", "other than ::1")]
    [InlineData("http://[fe80::1]/api/", "other than ::1")]
    [InlineData("http://0.0.0.0/api/", "127.0.0.0/8")]
    [InlineData("http://128.0.0.1/api/", "127.0.0.0/8")]
    [InlineData("http://localhost.example.test/api/", "localhost")]
    [InlineData("http://127.0.0.1.nip.io/api/", "localhost")]
    public void Plain_http_to_a_host_the_OS_may_route_off_the_machine_is_InsecureBaseUri_saying_why(string baseUri, string why)
    {
        var error = Assert.Throws<CaxtonException>(() => new CaxtonConnection(new Uri(baseUri)));

        Assert.Equal(CaxtonErrorIds.InsecureBaseUri, error.ErrorId);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.False(CaxtonEnvironment.StaysOnThisMachine(new Uri(baseUri)));
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/api/")]
    [InlineData("http://127.1.2.3/api/")]
    [InlineData("http://[::1]:9/api/")]
    [InlineData("http://localhost:9/api/")]
    [InlineData("http://LOCALHOST./api/")]
    public void Plain_http_to_this_machine_is_allowed(string baseUri)
    {
        Assert.True(CaxtonEnvironment.StaysOnThisMachine(new Uri(baseUri)));
        Assert.Equal("Custom", new CaxtonConnection(new Uri(baseUri)).Environment);
    }

    [Fact]
    public void CAXTON_BASEURI_with_an_IPv4_compatible_address_is_refused_naming_the_variable()
    {
        var saved = Environment.GetEnvironmentVariable(CaxtonEnvironment.BaseUriVariable);
        try
        {
            Environment.SetEnvironmentVariable(CaxtonEnvironment.BaseUriVariable, "http://[::127.0.0.1]:8080/api/");
            var error = Assert.Throws<CaxtonException>(() => CaxtonConnection.FromEnvironmentVariables());
            Assert.Equal(CaxtonErrorIds.InsecureBaseUri, error.ErrorId);
            Assert.Contains("CAXTON_BASEURI", error.Message, StringComparison.Ordinal);
            Assert.Contains("IPv4", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(CaxtonEnvironment.BaseUriVariable, saved);
        }
    }

    // Finding 3: the request id, which every error quotes, is redacted, its base64 echoes too.

    [Theory]
    [InlineData("plain")]
    [InlineData("base64")]
    [InlineData("base64url")]
    public async Task A_request_id_echoing_the_password_shows_it_nowhere(string form)
    {
        const string password = "Rq5-Ws8!eD3#fG6-hJ9=";
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("main:" + password));
        var id = form == "plain" ? "req-" + password : form == "base64" ? basic : basic.Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var reply = HostileReply.Json("{\"error\":\"invalid_grant\"}", 400, "Bad Request");
        reply.Headers.Add(new KeyValuePair<string, string>("x-request-id", id));
        server.On("/token", reply);
        var connection = ConnectHolding(password, retries: 0);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(false, new RecordingLog(), CancellationToken.None));

        var shown = string.Join("\n", error.Message, error.RequestId, error.SupportReference, error.Data["RequestId"], error.ResponseBody);
        Assert.NotNull(error.RequestId);
        SecretRuns.AssertNone(shown, password);
        SecretRuns.AssertNone(shown, basic.Substring(8, 16));
    }

    // The commit "An API call masks the password of the identity it took at its start": reverted, this fails.

    [Fact]
    public async Task An_API_error_masks_the_password_of_the_identity_the_call_started_with_though_another_is_held_by_then()
    {
        const string first = "First-Pw7!kL2#mN5-pQ8=";
        const string second = "Other-Zx3?cV6&bN9-mQ2=";
        using var tokenAsked = new ManualResetEventSlim();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new FakeHandler(async (request, cancel) =>
        {
            if (request.Path.EndsWith("/token", StringComparison.Ordinal))
            {
                tokenAsked.Set();
                await release.Task.WaitAsync(Fake.HangGuard, cancel);
                return Fake.Json(Fake.TokenJson("token-of-the-first-identity"));
            }

            return Fake.Json("{\"Message\":\"the client password " + first + " is not allowed here\"}", HttpStatusCode.BadRequest);
        });
        var connection = Fake.Connection(handler, TimeSpan.FromSeconds(20));
        connection.SetCredential("first", Fake.Secure(first));

        var call = connection.InvokeApiAsync(HttpMethod.Get, "x", null, null, null, NullLog.Instance, CancellationToken.None);
        Assert.True(tokenAsked.Wait(Fake.HangGuard));
        connection.SetCredential("second", Fake.Secure(second)); // another runspace, while the call is under way
        release.SetResult();
        var response = await call;

        var error = Assert.Throws<CaxtonException>(() => ResponseReader.ReadApiResponse(response, false));
        Assert.Equal("Bearer token-of-the-first-identity", handler.Requests.Last().Authorization);
        SecretRuns.AssertNone(error.Message + "\n" + error.ResponseBody, first);
    }

    // Finding 5: server text in a message is bounded; the whole (redacted) body stays on the exception.

    [Theory]
    [InlineData("Message")]
    [InlineData("ApiStatus")]
    [InlineData("ApiStatusDescription")]
    [InlineData("error_description")]
    public async Task Megabytes_of_server_text_make_a_message_of_two_thousand_characters_and_a_full_ResponseBody(string member)
    {
        var huge = new string('x', 3 * 1024 * 1024 - 100) + " the-client-password-0123456789";
        var body = member switch
        {
            "Message" => "{\"Message\":\"" + huge + "\"}",
            "error_description" => "{\"error\":\"invalid_request\",\"error_description\":\"" + huge + "\"}",
            _ => "{\"Content\":{\"Model\":{\"ApiStatusCode\":7,\"ApiStatus\":\"" + (member == "ApiStatus" ? huge : "Bad") + "\",\"ApiStatusDescription\":\"" + (member == "ApiStatus" ? "d" : huge) + "\"}}}",
        };
        var envelope = member.StartsWith("ApiStatus", StringComparison.Ordinal);
        server.On("/token", envelope ? HostileReply.Token("the-main-account-token-0123456789") : HostileReply.Json(body, 400, "Bad Request"));
        server.On("/clients/auth/reset", HostileReply.Json(body, 400, "Bad Request"));
        var connection = ConnectHolding(retries: 0);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => envelope
            ? connection.ResetCredentialAsync("main", "client", null, NullLog.Instance, CancellationToken.None)
            : connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None));

        Assert.True(error.Message.Length < CaxtonException.MaxServerTextInMessage + 400, $"{error.Message.Length} characters");
        Assert.Contains("characters, shortened; the whole response is in the error's Exception.ResponseBody", error.Message, StringComparison.Ordinal);
        Assert.True(error.ResponseBody!.Length > 3 * 1024 * 1024 - 200);
        SecretRuns.AssertNone(error.ResponseBody, "the-client-password-0123456789");
    }

    // Data is never altered: what an API call returns is the server's, values like a secret's slice included.

    [Fact]
    public async Task An_API_answer_comes_back_exactly_as_sent_even_where_it_resembles_a_secret()
    {
        const string password = "Pay-Ref7!kL2#mN5-pQ8=";
        const string token = "the-main-account-token-0123456789";
        var members = new Dictionary<string, string>
        {
            ["PaymentReference"] = "INV-" + password.Substring(0, 10), // a truncated echo, were it diagnostic
            ["AccountNumber"] = "GB29NWBK60161331926819",
            ["Base64Note"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("main:" + password)).Substring(4),
            ["Hex"] = BitConverter.ToString(Encoding.UTF8.GetBytes(token.Substring(0, 12))),
            ["Escaped"] = "Bearer 0123456789",
            ["Form"] = "a=1&Password=x",
            ["Slice"] = token.Substring(5, 9),
        };
        var json = "{" + string.Join(",", members.Select(m => HostileReply.JsonString(m.Key) + ":" + HostileReply.JsonString(m.Value))) + "}";
        server.On("/token", HostileReply.Token(token));
        server.On("/payments", HostileReply.Json(json));
        var connection = ConnectHolding(password);

        var answer = await connection.InvokeApiAsync("GET", "payments", null, null, null, raw: false, new RecordingLog(), CancellationToken.None);

        foreach (var member in members)
        {
            Assert.Equal(member.Value, answer!.Value.GetProperty(member.Key).GetString());
        }
    }
}

/// <summary>The generated side of the redaction test: secrets, their encodings, and the 8-character rule.</summary>
internal static class SecretRuns
{
    // Wide: punctuation that ends shape patterns, a space, JSON and HTML specials, non-ASCII, an emoji.
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 !\"#$%&'()+,-./:;<=>?@[\\]^_`{|}~éßøÄΩжж中文€😀";

    public static string RandomSecret(Random random)
    {
        var elements = System.Globalization.StringInfo.GetTextElementEnumerator(Alphabet);
        var units = new List<string>();
        while (elements.MoveNext())
        {
            units.Add((string)elements.Current);
        }

        var text = new StringBuilder();
        var length = random.Next(12, 48);
        while (text.Length < length)
        {
            text.Append(units[random.Next(units.Count)]);
        }

        return text.ToString();
    }

    /// <summary>The secret as a server might echo it, ready to sit inside a JSON string.</summary>
    public static string Encode(Random random, string secret)
    {
        switch (random.Next(7))
        {
            case 0: return JsonMinimal(secret);
            case 1: return JsonSerializer.Serialize(secret).Trim('"'); // the default encoder: \u002B, \u00E9...
            case 2: return string.Concat(secret.Select(c => "\\u" + ((int)c).ToString(random.Next(2) == 0 ? "X4" : "x4")));
            case 3: return Uri.EscapeDataString(secret);
            case 4: return WebUtility.UrlEncode(secret);
            case 5: return JsonMinimal(WebUtility.HtmlEncode(secret));
            default: return string.Concat(System.Globalization.StringInfo.GetTextElementEnumerator(secret).AsEnumerable().Select(e => "&#" + char.ConvertToUtf32(e, 0) + ";"));
        }
    }

    /// <summary>A long body of filler with the secret echoed in several encodings, one of them across the cut.</summary>
    public static string BodyEchoing(Random random, string secret, int cut)
    {
        var filler = new StringBuilder();
        var echoes = new List<int> { Math.Max(0, cut - random.Next(1, 20)) };
        for (var i = 0; i < 3; i++)
        {
            echoes.Add(random.Next(0, cut * 3));
        }

        echoes.Sort();
        var at = 0;
        var text = new StringBuilder("{\"error\":\"server_error\",\"error_description\":\"");
        foreach (var position in echoes)
        {
            while (at < position)
            {
                text.Append((char)('a' + random.Next(26)));
                at++;
            }

            text.Append(Encode(random, secret));
        }

        return text.Append("\"}").ToString();
    }

    private static string JsonMinimal(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");

    /// <summary>No 8-character run of the secret in the text.</summary>
    public static void AssertNone(string text, string secret)
    {
        for (var i = 0; i + 8 <= secret.Length; i++)
        {
            var run = secret.Substring(i, 8);
            Assert.False(text.Contains(run, StringComparison.Ordinal), $"'{run}' of a secret shows in: {text.Substring(Math.Max(0, text.IndexOf(run, StringComparison.Ordinal) - 40), Math.Min(120, text.Length - Math.Max(0, text.IndexOf(run, StringComparison.Ordinal) - 40)))}");
        }
    }

    private static IEnumerable<string> AsEnumerable(this System.Globalization.TextElementEnumerator elements)
    {
        while (elements.MoveNext())
        {
            yield return (string)elements.Current;
        }
    }
}
