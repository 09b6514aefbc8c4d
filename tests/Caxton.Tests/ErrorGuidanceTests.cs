using System.Net;
using System.Net.Sockets;
using Xunit;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>Errors that say what to do: hints, one full stop, and what to quote to Caxton support.</summary>
public class ErrorGuidanceTests
{
    [Theory]
    [InlineData("Select a valid currency.")]
    [InlineData("reset the client credentials first.")]
    [InlineData("no stop")]
    public void A_status_message_ends_with_exactly_one_full_stop(string description)
    {
        var exchange = Fake.Exchange(403, Fake.Envelope("", "NotAllowed", 3, description));

        var error = Assert.Throws<CaxtonException>(() => ResponseReader.ReadEnvelope(exchange));

        Assert.DoesNotContain("..", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(". with", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_already_generated_password_is_ResourceExists_and_says_reset_then_generate()
    {
        var exchange = Fake.Exchange(200, Fake.Envelope("", "PasswordAlreadyGenerated", 101, "A client password is already active; reset the client credentials first."));

        var error = Assert.Throws<CaxtonException>(() => ResponseReader.ReadEnvelope(exchange));

        Assert.Equal(CaxtonErrorIds.ApiStatusNotValid, error.ErrorId);
        Assert.Equal(CaxtonErrorKind.ResourceExists, error.Kind);
        Assert.Matches("Reset-CaxtonCredential, then New-CaxtonPassword", error.RecommendedAction);
    }

    [Theory]
    [InlineData("https://example.test/clients/auth/register", true)]
    [InlineData("https://example.test/api/clients/auth/register", false)]
    public void A_404_from_an_auth_endpoint_hints_at_the_base_URI(string uri, bool namesApi)
    {
        var exchange = new HttpExchange(CaxtonRequests.GeneratePassword, "POST", new Uri(uri), 404, "Not Found", null, Array.Empty<byte>());

        var error = Assert.Throws<CaxtonException>(() => ResponseReader.ReadEnvelope(exchange));

        Assert.Contains("base URI", error.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(namesApi, error.RecommendedAction!.Contains("has no /api/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Errors_carry_the_responses_Date_and_request_id_without_control_characters()
    {
        var date = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        var handler = new FakeHandler(request =>
        {
            var response = Fake.Json("{\"error\":\"invalid_grant\"}", HttpStatusCode.BadRequest);
            response.Headers.Date = date;
            response.Headers.TryAddWithoutValidation("x-ms-request-id", "abc-123\u0007");
            return response;
        });
        var connection = Fake.Connection(handler);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(new ClientCredential("u", Fake.Secure("p"), null), false, NullLog.Instance, CancellationToken.None));

        Assert.Equal(date, error.ResponseDate);
        Assert.Equal("abc-123", error.RequestId);
        Assert.Equal("abc-123", error.Data["RequestId"]);
        Assert.Equal("Date Wed, 04 Mar 2026 05:06:07 GMT, request id abc-123", error.SupportReference);
    }

    [Fact]
    public async Task Connection_refused_on_a_loopback_host_hints_at_starting_the_emulator()
    {
        // A port that was free a moment ago: nothing listens there.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var connection = new CaxtonConnection(new Uri($"http://127.0.0.1:{port}/api/"), null, null, TimeSpan.FromSeconds(20), new CaxtonTransportOptions { MaximumRetryCount = 0 });

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.NewClientPasswordAsync("u", "c", NullLog.Instance, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.ConnectionFailed, error.ErrorId);
        Assert.Contains("-Task Emulator", error.RecommendedAction, StringComparison.Ordinal);
    }
}

/// <summary>Issue 17: every ErrorId reaches the user with a next step, worded for the situation.</summary>
public class RecommendedActionTests
{
    public static TheoryData<string> AllErrorIds()
    {
        var ids = new TheoryData<string>();
        foreach (var field in typeof(CaxtonErrorIds).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
        {
            if (field.IsLiteral && field.FieldType == typeof(string))
            {
                ids.Add((string)field.GetRawConstantValue()!);
            }
        }

        return ids;
    }

    [Theory]
    [MemberData(nameof(AllErrorIds))]
    public void Every_ErrorId_has_a_RecommendedAction(string errorId)
    {
        var action = CaxtonErrorIds.RecommendedActionFor(errorId);

        Assert.False(string.IsNullOrWhiteSpace(action), $"{errorId} has no RecommendedAction");
        Assert.False(string.IsNullOrWhiteSpace(new CaxtonException(errorId, CaxtonErrorKind.InvalidOperation, "m").RecommendedAction));
    }

    [Fact]
    public void The_ErrorIds_are_many_so_the_enumeration_is_real() => Assert.True(AllErrorIds().Count >= 30);

    [Theory]
    [InlineData(404, "GET", "https://example.test/api/reference/nowhere", "check the path")]
    [InlineData(405, "DELETE", "https://example.test/api/reference/lookup/banks/GBP", "does not accept DELETE")]
    [InlineData(500, "GET", "https://example.test/api/reference/lookup/banks/GBP", "Caxton failed on its side")]
    [InlineData(503, "GET", "https://example.test/api/reference/lookup/banks/GBP", "already retried")]
    public void HttpError_says_who_must_act_by_its_status(int status, string method, string uri, string expected)
    {
        var exchange = new HttpExchange("Caxton API", method, new Uri(uri), status, null, "text/plain", Array.Empty<byte>());

        var error = Assert.Throws<CaxtonException>(() => ResponseReader.ReadApiResponse(exchange, false));

        Assert.Equal(CaxtonErrorIds.HttpError, error.ErrorId);
        Assert.Contains(expected, error.RecommendedAction, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("InvalidClient", 104, "Check -Username and -Clientname")]
    [InlineData("IdentityNumberNotFound", 105, "Check -IdentityNumber")]
    [InlineData("NotMainAccount", 106, "main account's credential")]
    public void ApiStatusNotValid_names_what_was_wrong(string status, int code, string expected)
    {
        var exchange = Fake.Exchange(403, Fake.Envelope("", status, code, "No."), operation: CaxtonRequests.ResetClientCredentials);

        var error = Assert.Throws<CaxtonException>(() => ResponseReader.ReadEnvelope(exchange));

        Assert.Equal(CaxtonErrorIds.ApiStatusNotValid, error.ErrorId);
        Assert.Contains(expected, error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void InsecureBaseUri_for_a_typo_host_says_it_is_not_loopback()
    {
        var error = Assert.Throws<CaxtonException>(() => CaxtonEnvironment.NormalizeBaseUri(new Uri("http://127.0.0.l:5080/api/")));

        Assert.Equal(CaxtonErrorIds.InsecureBaseUri, error.ErrorId);
        Assert.Contains("'127.0.0.l' is not a loopback host", error.Message, StringComparison.Ordinal);
        Assert.Contains("typo", error.RecommendedAction, StringComparison.Ordinal);
    }
}
