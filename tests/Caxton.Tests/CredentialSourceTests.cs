using System.Net;
using Xunit;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>
/// Where a token request's credential comes from when none was given: CAXTON_USERNAME and
/// CAXTON_CLIENTPASSWORD, else NoClientCredential. These change process variables, so they run alone.
/// </summary>
[Collection("Environment variables")]
public class CredentialSourceTests
{
    private static readonly ICaxtonLog Log = NullLog.Instance;

    /// <summary>Runs with the credential variables set, and CAXTON_BASEURI naming the fake server unless told otherwise.</summary>
    private static async Task WithVariables(string? username, string? password, Func<Task> test, string? baseUri = "fake", string? environment = null)
    {
        var names = new[] { ClientCredential.UsernameVariable, ClientCredential.ClientPasswordVariable, CaxtonEnvironment.BaseUriVariable, CaxtonEnvironment.EnvironmentVariable };
        var saved = names.Select(Environment.GetEnvironmentVariable).ToArray();
        try
        {
            Environment.SetEnvironmentVariable(ClientCredential.UsernameVariable, username);
            Environment.SetEnvironmentVariable(ClientCredential.ClientPasswordVariable, password);
            Environment.SetEnvironmentVariable(CaxtonEnvironment.BaseUriVariable, baseUri == "fake" ? Fake.BaseUri.ToString() : baseUri);
            Environment.SetEnvironmentVariable(CaxtonEnvironment.EnvironmentVariable, environment);
            await test();
        }
        finally
        {
            for (var i = 0; i < names.Length; i++)
            {
                Environment.SetEnvironmentVariable(names[i], saved[i]);
            }
        }
    }

    // Issue 19, finding 8: the environment's credential goes only to the base URI the environment names.

    [Theory]
    [InlineData("https://other.example.test/api/", null)]
    [InlineData(null, "Staging")]
    [InlineData(null, null)] // nothing named: the Sandbox, as the default connection
    [InlineData("https://example.test/tenantB/api/", null)]
    public Task The_variables_credential_never_goes_to_a_base_URI_the_environment_does_not_name(string? baseUri, string? environment) => WithVariables("env-user", "env-pass-word", async () =>
    {
        var handler = Server();
        var connection = Fake.Connection(handler); // https://example.test/api/

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(false, Log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.NoClientCredential, error.ErrorId);
        Assert.Contains("go only to the base URI the environment names", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("env-pass-word", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, handler.Count);
    }, baseUri, environment);

    [Fact]
    public Task The_variables_credential_goes_to_the_environment_named_by_CAXTON_ENVIRONMENT() => WithVariables("env-user", "env-pass-word", async () =>
    {
        var handler = Server();
        var connection = new CaxtonConnection(CaxtonEnvironment.GetBaseUri("Staging"), null, null, null, new Caxton.Transport.CaxtonTransport(() => new HttpClient(handler, disposeHandler: false)));

        var token = await connection.GetTokenAsync(false, Log, CancellationToken.None);

        Assert.Equal("env-user", token.Username);
    }, baseUri: null, environment: "staging");

    private static FakeHandler Server()
    {
        var tokens = 0;
        return new FakeHandler(request => request.Path switch
        {
            "/api/token" => Fake.Json(Fake.TokenJson($"tok-{Interlocked.Increment(ref tokens)}")),
            "/api/clients/auth/reset" => Fake.Json(Fake.Envelope("")),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        });
    }

    [Fact]
    public Task GetToken_without_any_credential_is_NoClientCredential_and_sends_nothing() => WithVariables(null, null, async () =>
    {
        var handler = Server();
        var connection = Fake.Connection(handler);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(false, Log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.NoClientCredential, error.ErrorId);
        Assert.Equal(CaxtonErrorKind.InvalidOperation, error.Kind);
        Assert.NotNull(error.RecommendedAction);
        Assert.Equal(0, handler.Count);
    });

    [Theory]
    [InlineData("env-user", null, "CAXTON_CLIENTPASSWORD")]
    [InlineData(null, "env-password", "CAXTON_USERNAME")]
    public Task Only_one_of_the_two_variables_names_the_missing_one(string? username, string? password, string missing) => WithVariables(username, password, async () =>
    {
        var handler = Server();
        var connection = Fake.Connection(handler);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(false, Log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.NoClientCredential, error.ErrorId);
        Assert.Contains($"{missing} is not", error.Message);
        Assert.Contains($"Set {missing}", error.RecommendedAction);
        Assert.DoesNotContain("env-password", error.Message);
        Assert.Equal(0, handler.Count);
    });

    [Fact]
    public Task Sub_account_reset_without_a_credential_is_NoClientCredential_and_sends_nothing() => WithVariables(null, null, async () =>
    {
        var handler = Server();
        var connection = Fake.Connection(handler);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.ResetCredentialAsync("sub", "c", "ID-7", Log, CancellationToken.None));

        Assert.Equal(CaxtonErrorIds.NoClientCredential, error.ErrorId);
        Assert.Equal(0, handler.Count);
    });

    [Fact]
    public Task After_a_main_account_reset_the_old_password_is_not_used_again() => WithVariables(null, null, async () =>
    {
        var handler = Server();
        var connection = Fake.Connection(handler);
        connection.SetCredential("u", Fake.Secure("old-password"));
        await connection.GetTokenAsync(false, Log, CancellationToken.None);

        await connection.ResetCredentialAsync("u", "c", null, Log, CancellationToken.None);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(false, Log, CancellationToken.None));
        Assert.Equal(CaxtonErrorIds.NoClientCredential, error.ErrorId);
        Assert.Equal(1, handler.CountOf("/token"));
    });

    [Fact]
    public Task CAXTON_USERNAME_and_CAXTON_CLIENTPASSWORD_are_used_when_nothing_was_given() => WithVariables(" env-user ", "env+pass word", async () =>
    {
        var handler = Server();
        var connection = Fake.Connection(handler);

        var token = await connection.GetTokenAsync(false, Log, CancellationToken.None);

        Assert.Equal("env-user", token.Username);
        Assert.Equal("env-user", connection.Username);
        Assert.Equal("Grant_Type=password&Username=env-user&Password=env%2Bpass+word", handler.Requests.Single().BodyText);
    });

    [Fact]
    public Task An_explicit_credential_wins_over_the_variables() => WithVariables("env-user", "env-pass", async () =>
    {
        var handler = Server();
        var connection = Fake.Connection(handler);
        connection.SetCredential("given-user", Fake.Secure("given-pass"));

        await connection.GetTokenAsync(false, Log, CancellationToken.None);

        Assert.Equal("Grant_Type=password&Username=given-user&Password=given-pass", handler.Requests.Single().BodyText);
    });
}
