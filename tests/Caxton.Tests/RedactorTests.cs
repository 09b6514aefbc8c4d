using System.Text;
using Xunit;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>The shared redaction: what -Debug traces and error messages may show.</summary>
public class RedactorTests
{
    [Theory]
    [InlineData("{\"ClientPassword\":\"s3cret-value\",\"EndDate\":\"x\"}", "{\"ClientPassword\":\"********\",\"EndDate\":\"x\"}")]
    [InlineData("{\"access_token\" : \"abc.def-ghi\"}", "{\"access_token\" : \"********\"}")]
    [InlineData("{\"password\":\"with \\\"quote\\\" inside\"}", "{\"password\":\"********\"}")]
    [InlineData("Grant_Type=password&Username=u&Password=p%2Bq", "Grant_Type=password&Username=u&Password=********")]
    [InlineData("Authorization: Bearer eyJhbGciOi.J9-x_y", "Authorization: Bearer ********")]
    [InlineData("nothing secret here", "nothing secret here")]
    public void Masks_secrets_by_shape(string text, string expected)
    {
        Assert.Equal(expected, Redactor.Redact(text));
    }

    [Fact]
    public void Masks_known_secret_values_wherever_they_appear()
    {
        var text = "The password hunter2-long was rejected for hunter2-long.";

        Assert.Equal("The password ******** was rejected for ********.", Redactor.Redact(text, new[] { "hunter2-long" }));
    }

    [Fact]
    public async Task The_debug_trace_of_a_token_request_and_its_answer_shows_no_secret()
    {
        var handler = new FakeHandler(_ => Fake.Json(Fake.TokenJson("the-issued-access-token")));
        var log = new RecordingLog();
        var connection = Fake.Connection(handler);
        connection.SetCredential("user", Fake.Secure("the-client-password+&="));

        await connection.GetTokenAsync(false, log, CancellationToken.None);

        var trace = string.Join("\n", log.Messages);
        Assert.Contains("Password=********", trace, StringComparison.Ordinal);
        Assert.Contains("\"access_token\":\"********\"", trace, StringComparison.Ordinal);
        Assert.DoesNotContain("the-client-password", trace, StringComparison.Ordinal);
        Assert.DoesNotContain("the-issued-access-token", trace, StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_description_that_echoes_the_password_is_masked_in_the_error()
    {
        var body = Encoding.UTF8.GetBytes("{\"error\":\"invalid_grant\",\"error_description\":\"Password hunter2-long is wrong\"}");
        var response = new HttpExchange("Get Access Token", "POST", new Uri(Fake.BaseUri, "token"), 400, "Bad Request", "application/json", body, new[] { "hunter2-long" });

        var error = Assert.Throws<CaxtonException>(() => ResponseReader.ReadToken(response));

        Assert.DoesNotContain("hunter2-long", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-long", error.OAuthErrorDescription, StringComparison.Ordinal);
    }
}
