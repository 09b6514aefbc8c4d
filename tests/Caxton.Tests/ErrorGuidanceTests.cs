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
