using Xunit;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>ResponseReader: what a response means, and how a failing one is reported.</summary>
public class EnvelopeParsingTests
{
    internal const string DocumentedSuccess = """
        {
          "Content": {
            "Model": {
              "ClientPassword": "<clientpassword>",
              "StartDate": "2023-08-23T10:55:45.0645017Z",
              "EndDate": "2023-09-22T10:55:45.0645017Z",
              "PublicKey": "<publickey>",
              "ApiStatusCode": 100,
              "ApiStatus": "IsValid",
              "ApiStatusDescription": "Valid Operation"
            },
            "ExpectedResponses": ["IsValid"]
          }
        }
        """;

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute, int second, long extraTicks) =>
        new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero).AddTicks(extraTicks);

    private static CaxtonException EnvelopeFails(int status, string body, string? reason = null) =>
        Assert.Throws<CaxtonException>(() => ResponseReader.ReadEnvelope(Fake.Exchange(status, body, reason: reason)));

    private static CaxtonException TokenFails(int status, string body, string? reason = null) =>
        Assert.Throws<CaxtonException>(() => ResponseReader.ReadToken(Fake.Exchange(status, body, CaxtonRequests.GetAccessToken, reason)));

    [Fact]
    public void Documented_success_body_parses_with_status_dates_and_fields()
    {
        var model = ResponseReader.ReadEnvelope(Fake.Exchange(200, DocumentedSuccess));

        Assert.Equal(100, model.Status.Code);
        Assert.Equal("IsValid", model.Status.Name);
        Assert.Equal("Valid Operation", model.Status.Description);
        Assert.Equal("<clientpassword>", model.GetString("ClientPassword"));
        Assert.Equal("<publickey>", model.GetString("PublicKey"));
        Assert.Equal(Utc(2023, 8, 23, 10, 55, 45, 645017), model.GetDate("StartDate"));
        Assert.Equal(Utc(2023, 9, 22, 10, 55, 45, 645017), model.GetDate("EndDate"));
    }

    [Fact]
    public void Client_password_object_exposes_the_documented_fields()
    {
        var model = ResponseReader.ReadEnvelope(Fake.Exchange(200, DocumentedSuccess));
        var password = new CaxtonClientPassword("u", "c", Fake.Secure("S3cretPw"), model);

        Assert.Equal(Utc(2023, 9, 22, 10, 55, 45, 645017), password.EndDate);
        Assert.Equal(TimeSpan.FromDays(30), password.EndDate - password.StartDate);
        Assert.Equal("<publickey>", password.PublicKey);
        Assert.Equal(100, password.ApiStatusCode);
        Assert.DoesNotContain("S3cretPw", password.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_members_sibling_blocks_and_any_member_order_are_accepted()
    {
        const string body = """
            {
              "AuthorisedUserModel": { "Name": "someone" },
              "Extra": [1, 2, {"x": null}],
              "Content": {
                "ExpectedResponses": ["IsValid"],
                "Unknown": true,
                "Model": {
                  "ApiStatusDescription": "Valid Operation",
                  "Surprise": {"nested": [1]},
                  "ApiStatus": "IsValid",
                  "EndDate": "2023-09-22T10:55:45.0645017Z",
                  "ClientPassword": "pw",
                  "ApiStatusCode": 100
                }
              },
              "AuthorisedClientModel": null
            }
            """;

        var model = ResponseReader.ReadEnvelope(Fake.Exchange(200, body));

        Assert.Equal("IsValid", model.Status.Name);
        Assert.Equal(100, model.Status.Code);
        Assert.Equal("pw", model.GetString("ClientPassword"));
    }

    [Fact]
    public void Member_names_in_other_case_are_matched()
    {
        const string body = """
            {"content":{"model":{"clientpassword":"pw","ENDDATE":"2023-09-22T10:55:45.0645017Z","apiStatusCode":100,"apistatus":"IsValid","apistatusdescription":"Valid Operation"},"expectedResponses":["IsValid"]}}
            """;

        var model = ResponseReader.ReadEnvelope(Fake.Exchange(200, body));

        Assert.Equal("pw", model.GetString("ClientPassword"));
        Assert.Equal(100, model.Status.Code);
        Assert.Equal("Valid Operation", model.Status.Description);
        Assert.Equal(Utc(2023, 9, 22, 10, 55, 45, 645017), model.GetDate("EndDate"));
    }

    [Theory]
    [InlineData("2023-09-22T10:55:45.0645017")]
    [InlineData("2023-09-22T10:55:45.0645017Z")]
    [InlineData("2023-09-22T12:55:45.0645017+02:00")]
    public void Dates_are_exact_to_the_tick_and_a_missing_offset_means_UTC(string text)
    {
        var model = ResponseReader.ReadEnvelope(Fake.Exchange(200, Fake.Envelope($"\"EndDate\":\"{text}\"")));

        var date = model.GetDate("EndDate");
        Assert.NotNull(date);
        Assert.Equal(TimeSpan.Zero, date!.Value.Offset);
        Assert.Equal(Utc(2023, 9, 22, 10, 55, 45, 645017).UtcTicks, date.Value.UtcTicks);
    }

    [Fact]
    public void ApiStatusCode_given_as_a_string_is_read_as_a_number()
    {
        var body = """{"Content":{"Model":{"ApiStatusCode":"100","ApiStatus":"IsValid","ApiStatusDescription":"Valid Operation"},"ExpectedResponses":["IsValid"]}}""";

        Assert.Equal(100, ResponseReader.ReadEnvelope(Fake.Exchange(200, body)).Status.Code);
    }

    [Fact]
    public void Missing_ExpectedResponses_accepts_IsValid()
    {
        var body = """{"Content":{"Model":{"ApiStatusCode":100,"ApiStatus":"IsValid","ApiStatusDescription":"Valid Operation"}}}""";

        Assert.Equal("IsValid", ResponseReader.ReadEnvelope(Fake.Exchange(200, body)).Status.Name);
    }

    [Fact]
    public void Missing_ExpectedResponses_rejects_any_other_status()
    {
        var body = """{"Content":{"Model":{"ApiStatusCode":100,"ApiStatus":"IsPending","ApiStatusDescription":"Later"}}}""";

        Assert.Equal(CaxtonErrorIds.ApiStatusNotValid, EnvelopeFails(200, body).ErrorId);
    }

    [Fact]
    public void A_status_listed_in_ExpectedResponses_is_accepted_even_if_not_IsValid()
    {
        var body = """{"Content":{"Model":{"ApiStatusCode":101,"ApiStatus":"IsAccepted","ApiStatusDescription":"Queued"},"ExpectedResponses":["IsValid","IsAccepted"]}}""";

        Assert.Equal(101, ResponseReader.ReadEnvelope(Fake.Exchange(200, body)).Status.Code);
    }

    [Fact]
    public void HTTP_200_with_a_failing_ApiStatus_keeps_code_status_and_description()
    {
        var body = Fake.Envelope("", "PasswordAlreadyActive", 412, "A password is already active for this client");

        var error = EnvelopeFails(200, body);

        Assert.Equal(CaxtonErrorIds.ApiStatusNotValid, error.ErrorId);
        Assert.Equal(412, error.ApiStatusCode);
        Assert.Equal("PasswordAlreadyActive", error.ApiStatus);
        Assert.Equal("A password is already active for this client", error.ApiStatusDescription);
        Assert.Equal(200, error.HttpStatus);
        Assert.Contains("PasswordAlreadyActive", error.Message, StringComparison.Ordinal);
        Assert.Contains("412", error.Message, StringComparison.Ordinal);
        Assert.Contains("A password is already active for this client", error.Message, StringComparison.Ordinal);
        Assert.Contains(CaxtonRequests.GeneratePassword, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HTTP_400_with_an_envelope_is_an_ApiStatus_error_of_kind_InvalidArgument()
    {
        var body = Fake.Envelope("", "InvalidClient", 203, "Unknown client name");

        var error = EnvelopeFails(400, body, "Bad Request");

        Assert.Equal(CaxtonErrorIds.ApiStatusNotValid, error.ErrorId);
        Assert.Equal(CaxtonErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(400, error.HttpStatus);
        Assert.Equal(203, error.ApiStatusCode);
        Assert.Equal("InvalidClient", error.ApiStatus);
        Assert.Equal("Unknown client name", error.ApiStatusDescription);
    }

    [Fact]
    public void OAuth_invalid_grant_is_InvalidCredentials()
    {
        var error = TokenFails(400, """{"error":"invalid_grant","error_description":"The user name or password is incorrect."}""");

        Assert.Equal(CaxtonErrorIds.InvalidCredentials, error.ErrorId);
        Assert.Equal(CaxtonErrorKind.Authentication, error.Kind);
        Assert.Equal("invalid_grant", error.OAuthError);
        Assert.Equal("The user name or password is incorrect.", error.OAuthErrorDescription);
        Assert.Equal(400, error.HttpStatus);
        Assert.NotNull(error.RecommendedAction);
    }

    [Fact]
    public void Other_OAuth_errors_are_TokenRequestRejected()
    {
        var error = TokenFails(400, """{"error":"unsupported_grant_type"}""");

        Assert.Equal(CaxtonErrorIds.TokenRequestRejected, error.ErrorId);
        Assert.Equal("unsupported_grant_type", error.OAuthError);
        Assert.Equal(CaxtonErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("unsupported_grant_type", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HTTP_401_with_a_Message_is_Unauthorized_for_envelopes_and_tokens()
    {
        const string body = """{"Message":"Authorization has been denied for this request."}""";

        foreach (var error in new[] { EnvelopeFails(401, body, "Unauthorized"), TokenFails(401, body, "Unauthorized") })
        {
            Assert.Equal(CaxtonErrorIds.Unauthorized, error.ErrorId);
            Assert.Equal(CaxtonErrorKind.Authentication, error.Kind);
            Assert.Equal(401, error.HttpStatus);
            Assert.Contains("Authorization has been denied for this request.", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void HTML_502_page_is_HttpError_ServiceUnavailable_without_the_HTML()
    {
        const string html = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>upstream exploded</p></body></html>";

        foreach (var error in new[] { EnvelopeFails(502, html, "Bad Gateway"), TokenFails(502, html, "Bad Gateway") })
        {
            Assert.Equal(CaxtonErrorIds.HttpError, error.ErrorId);
            Assert.Equal(CaxtonErrorKind.ServiceUnavailable, error.Kind);
            Assert.Equal(502, error.HttpStatus);
            Assert.Contains("502", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("<", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("upstream exploded", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Service Unavailable. Try later.")]
    [InlineData("")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"Content\":{\"Model\":{\"ApiStatus\":\"IsVal")]
    [InlineData("{\"Content\":{\"Model\":{}}}")]
    [InlineData("null")]
    [InlineData("\"IsValid\"")]
    public void HTTP_200_that_is_not_an_envelope_is_InvalidResponse(string body)
    {
        var error = EnvelopeFails(200, body);

        Assert.Equal(CaxtonErrorIds.InvalidResponse, error.ErrorId);
        Assert.Equal(CaxtonErrorKind.InvalidResponse, error.Kind);
        Assert.Equal(200, error.HttpStatus);
    }

    [Theory]
    [InlineData("Not JSON")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"access_token\":\"abc")]
    public void Token_HTTP_200_that_is_not_a_token_is_InvalidResponse(string body)
    {
        Assert.Equal(CaxtonErrorIds.InvalidResponse, TokenFails(200, body).ErrorId);
    }

    [Fact]
    public void Token_documented_success_parses()
    {
        var token = ResponseReader.ReadToken(Fake.Exchange(200, """{"access_token": "abc.def", "token_type": "bearer", "expires_in": 2591999}""", CaxtonRequests.GetAccessToken));

        Assert.Equal("abc.def", token.AccessToken);
        Assert.Equal("bearer", token.TokenType);
        Assert.Equal(2591999, token.ExpiresIn);
    }

    [Fact]
    public void Token_expires_in_as_a_string_is_accepted()
    {
        var token = ResponseReader.ReadToken(Fake.Exchange(200, """{"expires_in":"3600","token_type":"bearer","access_token":"t"}""", CaxtonRequests.GetAccessToken));

        Assert.Equal(3600, token.ExpiresIn);
        Assert.Equal("t", token.AccessToken);
    }

    [Fact]
    public void Token_without_token_type_defaults_to_bearer()
    {
        var token = ResponseReader.ReadToken(Fake.Exchange(200, """{"access_token":"t","expires_in":60}""", CaxtonRequests.GetAccessToken));

        Assert.Equal("bearer", token.TokenType);
    }

    [Theory]
    [InlineData("""{"token_type":"bearer","expires_in":3600}""")]
    [InlineData("""{"access_token":"","token_type":"bearer","expires_in":3600}""")]
    [InlineData("""{"access_token":"t","token_type":"bearer","expires_in":0}""")]
    [InlineData("""{"access_token":"t","token_type":"bearer","expires_in":-5}""")]
    [InlineData("""{"access_token":"t","token_type":"bearer"}""")]
    [InlineData("""{"access_token":"t","token_type":"bearer","expires_in":"soon"}""")]
    public void Token_without_access_token_or_positive_expires_in_is_InvalidResponse(string body)
    {
        var error = TokenFails(200, body);

        Assert.Equal(CaxtonErrorIds.InvalidResponse, error.ErrorId);
    }

    [Fact]
    public void A_password_in_a_failing_envelope_never_reaches_the_message()
    {
        const string secret = "Sup3r-S3cret-ClientPassword";
        var body = Fake.Envelope($"\"ClientPassword\":\"{secret}\",\"EndDate\":\"2023-09-22T10:55:45.0645017Z\"", "PasswordAlreadyActive", 412, "Reset the credentials first");

        foreach (var status in new[] { 200, 409, 500 })
        {
            var error = EnvelopeFails(status, body);
            Assert.Equal(CaxtonErrorIds.ApiStatusNotValid, error.ErrorId);
            Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, error.RecommendedAction ?? string.Empty, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_password_in_an_envelope_without_status_never_reaches_the_message()
    {
        const string secret = "An0ther-S3cret";
        var body = $"{{\"Content\":{{\"Model\":{{\"ClientPassword\":\"{secret}\"}}}}}}";

        foreach (var status in new[] { 200, 400, 502 })
        {
            var error = EnvelopeFails(status, body);
            Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_token_in_a_malformed_token_response_never_reaches_the_message()
    {
        const string secret = "eyJhbGciOiJIUzI1NiJ9.secret-token";

        var error = TokenFails(200, $"{{\"access_token\":\"{secret}\",\"expires_in\":0}}");

        Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(403, CaxtonErrorKind.PermissionDenied)]
    [InlineData(404, CaxtonErrorKind.NotFound)]
    [InlineData(409, CaxtonErrorKind.ResourceExists)]
    [InlineData(429, CaxtonErrorKind.LimitsExceeded)]
    [InlineData(504, CaxtonErrorKind.Timeout)]
    [InlineData(503, CaxtonErrorKind.ServiceUnavailable)]
    public void HTTP_errors_without_an_envelope_map_to_a_kind(int status, CaxtonErrorKind kind)
    {
        var error = EnvelopeFails(status, "");

        Assert.Equal(CaxtonErrorIds.HttpError, error.ErrorId);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(status, error.HttpStatus);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Messages_name_the_operation_and_the_request()
    {
        var error = EnvelopeFails(404, "", "Not Found");

        Assert.Contains(CaxtonRequests.GeneratePassword, error.Message, StringComparison.Ordinal);
        Assert.Contains("POST https://example.test/api/clients/auth/register", error.Message, StringComparison.Ordinal);
        Assert.Contains("Not Found", error.Message, StringComparison.Ordinal);
    }
}
