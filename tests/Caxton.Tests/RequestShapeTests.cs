using System.Text;
using System.Text.Json;
using Xunit;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>The three documented requests, byte for byte as the contract shows them.</summary>
public class RequestShapeTests
{
    private static readonly Uri Base = new("https://caxtonapi.caxtonfx.com/api/");

    private static async Task<byte[]> BodyOf(HttpRequestMessage request) => await request.Content!.ReadAsByteArrayAsync();

    private static string HeaderValue(HttpRequestMessage request, string name) =>
        string.Join(", ", request.Headers.TryGetValues(name, out var values) ? values : request.Content!.Headers.GetValues(name));

    [Fact]
    public async Task Register_is_a_text_json_POST_with_PascalCase_members()
    {
        using var request = CaxtonRequests.Register(Base, "u", "c");

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://caxtonapi.caxtonfx.com/api/clients/auth/register", request.RequestUri!.AbsoluteUri);
        Assert.Equal("application/json", HeaderValue(request, "Accept"));
        Assert.Equal("text/json", HeaderValue(request, "Content-Type"));
        Assert.Null(request.Content!.Headers.ContentType!.CharSet);
        Assert.Null(request.Headers.Authorization);
        Assert.Equal("{\"Username\":\"u\",\"Clientname\":\"c\"}", Encoding.UTF8.GetString(await BodyOf(request)));
    }

    [Fact]
    public async Task Register_joins_a_base_without_trailing_slash_with_one_slash()
    {
        using var request = CaxtonRequests.Register(new Uri("https://sandbox.caxton.io/api"), "u", "c");

        Assert.Equal("https://sandbox.caxton.io/api/clients/auth/register", request.RequestUri!.AbsoluteUri);
        Assert.NotEmpty(await BodyOf(request));
    }

    [Theory]
    [InlineData("Zoë Müller", "Société Générale")]
    [InlineData("Пётр", "東京")]
    public async Task Register_sends_non_ASCII_names_as_UTF8_not_unicode_escapes(string username, string clientname)
    {
        using var request = CaxtonRequests.Register(Base, username, clientname);

        var body = await BodyOf(request);
        var expected = Encoding.UTF8.GetBytes($"{{\"Username\":\"{username}\",\"Clientname\":\"{clientname}\"}}");
        Assert.Equal(expected, body);
        Assert.DoesNotContain("\\u", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a\"quote")]
    [InlineData("back\\slash")]
    [InlineData("plus+and&amp<tag>'apos'")]
    [InlineData("tab\tnewline\n")]
    public async Task Register_body_is_valid_JSON_that_round_trips_awkward_characters(string username)
    {
        using var request = CaxtonRequests.Register(Base, username, "c");

        using var document = JsonDocument.Parse(await BodyOf(request));
        Assert.Equal(username, document.RootElement.GetProperty("Username").GetString());
        Assert.Equal("c", document.RootElement.GetProperty("Clientname").GetString());
    }

    [Fact]
    public async Task Register_keeps_plus_and_ampersand_unescaped()
    {
        using var request = CaxtonRequests.Register(Base, "a+b&c", "c");

        Assert.Equal("{\"Username\":\"a+b&c\",\"Clientname\":\"c\"}", Encoding.UTF8.GetString(await BodyOf(request)));
    }

    [Fact]
    public async Task Token_is_a_form_POST_with_fields_in_documented_order_and_casing()
    {
        using var request = CaxtonRequests.Token(Base, "user1", "pw");

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://caxtonapi.caxtonfx.com/api/token", request.RequestUri!.AbsoluteUri);
        Assert.Equal("*/*", HeaderValue(request, "Accept"));
        Assert.Equal("application/x-www-form-urlencoded", HeaderValue(request, "Content-Type"));
        Assert.Null(request.Headers.Authorization);
        Assert.Equal("Grant_Type=password&Username=user1&Password=pw", Encoding.ASCII.GetString(await BodyOf(request)));
    }

    [Theory]
    [InlineData("a+b", "a%2Bb")]
    [InlineData("a&Username=evil", "a%26Username%3Devil")]
    [InlineData("with space", "with+space")]
    [InlineData("x=y%z", "x%3Dy%25z")]
    [InlineData("é", "%C3%A9")]
    public async Task Token_form_encodes_special_characters_of_the_password(string password, string encoded)
    {
        using var request = CaxtonRequests.Token(Base, "u", password);

        var body = Encoding.ASCII.GetString(await BodyOf(request));
        Assert.Equal("Grant_Type=password&Username=u&Password=" + encoded, body);
    }

    [Fact]
    public async Task Token_form_encodes_a_non_ASCII_username_as_UTF8()
    {
        using var request = CaxtonRequests.Token(Base, "Zoë", "p");

        Assert.Equal("Grant_Type=password&Username=Zo%C3%AB&Password=p", Encoding.ASCII.GetString(await BodyOf(request)));
    }

    [Fact]
    public async Task Reset_of_the_main_account_is_an_anonymous_JSON_PUT_without_IdentityNumber()
    {
        using var request = CaxtonRequests.Reset(Base, CaxtonRequests.DefaultResetPath, "u", "c", null, null);

        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("https://caxtonapi.caxtonfx.com/api/clients/auth/reset", request.RequestUri!.AbsoluteUri);
        Assert.Equal("application/json", HeaderValue(request, "Accept"));
        Assert.Equal("application/json", HeaderValue(request, "Content-Type"));
        Assert.Null(request.Content!.Headers.ContentType!.CharSet);
        Assert.Null(request.Headers.Authorization);
        Assert.False(request.Headers.Contains("Authorization"));
        Assert.False(request.Headers.Contains("IdentityNumber"));
        Assert.Equal("{\"Username\":\"u\",\"Clientname\":\"c\"}", Encoding.UTF8.GetString(await BodyOf(request)));
    }

    [Fact]
    public async Task Reset_of_a_sub_account_carries_the_bearer_token_and_IdentityNumber_header_and_member()
    {
        using var request = CaxtonRequests.Reset(Base, CaxtonRequests.DefaultResetPath, "u", "c", "ID-42", "tok.en");

        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("Bearer tok.en", HeaderValue(request, "Authorization"));
        Assert.Equal("ID-42", HeaderValue(request, "IdentityNumber"));
        Assert.Equal("application/json", HeaderValue(request, "Content-Type"));
        Assert.Equal("{\"Username\":\"u\",\"Clientname\":\"c\",\"IdentityNumber\":\"ID-42\"}", Encoding.UTF8.GetString(await BodyOf(request)));
    }

    [Fact]
    public void Reset_uses_a_configured_path_joined_with_one_slash()
    {
        using var request = CaxtonRequests.Reset(Base, "/v2/clients/credentials/reset", "u", "c", null, null);

        Assert.Equal("https://caxtonapi.caxtonfx.com/api/v2/clients/credentials/reset", request.RequestUri!.AbsoluteUri);
    }
}
