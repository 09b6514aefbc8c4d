using Xunit;

namespace Caxton.Tests;

/// <summary>Which base URIs a connection accepts, and what it calls them.</summary>
public class BaseUriTests
{
    [Theory]
    [InlineData("https://caxtonapi.caxtonfx.com/api/", "token", "https://caxtonapi.caxtonfx.com/api/token")]
    [InlineData("https://caxtonapi.caxtonfx.com/api", "token", "https://caxtonapi.caxtonfx.com/api/token")]
    [InlineData("https://sandbox.caxton.io/api//", "/clients/auth/register", "https://sandbox.caxton.io/api/clients/auth/register")]
    public void Combine_joins_with_exactly_one_slash(string baseUri, string path, string expected)
    {
        Assert.Equal(expected, CaxtonEnvironment.Combine(new Uri(baseUri), path).AbsoluteUri);
    }

    [Theory]
    [InlineData("https://caxtonapi.caxtonfx.com/api/", "https://caxtonapi.caxtonfx.com/api/")]
    [InlineData("https://sandbox.caxton.io/api", "https://sandbox.caxton.io/api/")]
    [InlineData("https://proxy.example.com:8443/caxton/api", "https://proxy.example.com:8443/caxton/api/")]
    [InlineData("http://127.0.0.1:5080/api", "http://127.0.0.1:5080/api/")]
    [InlineData("http://localhost:5080/api/", "http://localhost:5080/api/")]
    [InlineData("http://[::1]:5080/api", "http://[::1]:5080/api/")]
    [InlineData("https://example.com", "https://example.com/")]
    public void Accepted_base_URIs_end_in_one_slash(string input, string expected)
    {
        Assert.Equal(expected, CaxtonEnvironment.NormalizeBaseUri(new Uri(input)).AbsoluteUri);
    }

    [Theory]
    [InlineData("http://example.com/api/")]
    [InlineData("http://caxtonapi.caxtonfx.com/api/")]
    [InlineData("http://localhost.example.com/api/")]
    [InlineData("http://127.0.0.1.nip.io/api/")]
    [InlineData("http://10.0.0.5/api/")]
    public void Plain_http_to_a_non_loopback_host_is_InsecureBaseUri(string input)
    {
        var error = Assert.Throws<CaxtonException>(() => CaxtonEnvironment.NormalizeBaseUri(new Uri(input)));

        Assert.Equal(CaxtonErrorIds.InsecureBaseUri, error.ErrorId);
        Assert.Equal(CaxtonErrorKind.InvalidArgument, error.Kind);
    }

    [Theory]
    [InlineData("ftp://caxtonapi.caxtonfx.com/api/")]
    [InlineData("file:///tmp/api/")]
    [InlineData("ws://localhost/api/")]
    public void Non_http_schemes_are_InvalidBaseUri(string input)
    {
        var error = Assert.Throws<CaxtonException>(() => CaxtonEnvironment.NormalizeBaseUri(new Uri(input)));

        Assert.Equal(CaxtonErrorIds.InvalidBaseUri, error.ErrorId);
    }

    [Theory]
    [InlineData("http://admin:TopSecretPw1@127.0.0.1:18777/api/")]
    [InlineData("https://admin:TopSecretPw1@caxtonapi.caxtonfx.com/api/")]
    [InlineData("ftp://admin:TopSecretPw1@caxtonapi.caxtonfx.com/api/")]
    [InlineData("http://admin:TopSecretPw1@example.com/api/")]
    public void A_base_URI_with_userinfo_is_refused_without_showing_it(string input)
    {
        var error = Assert.ThrowsAny<CaxtonException>(() => CaxtonEnvironment.NormalizeBaseUri(new Uri(input)));

        Assert.Equal(CaxtonErrorKind.InvalidArgument, error.Kind);
        Assert.DoesNotContain("TopSecretPw1", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("admin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_with_userinfo_is_refused_without_showing_it()
    {
        var baseUri = new Uri("http://127.0.0.1:18777/tenantA/api/");

        var error = Assert.Throws<CaxtonException>(() => Caxton.Wire.CaxtonRequests.ApiUri(baseUri, "http://u:s3cretPW@127.0.0.1:18777/tenantB/x"));
        var inside = Assert.Throws<CaxtonException>(() => Caxton.Wire.CaxtonRequests.ApiUri(baseUri, "http://u:s3cretPW@127.0.0.1:18777/tenantA/api/x"));

        Assert.Equal(CaxtonErrorIds.PathOutsideBaseUri, error.ErrorId);
        Assert.DoesNotContain("s3cretPW", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cretPW", inside.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_URI_is_InvalidBaseUri()
    {
        var error = Assert.Throws<CaxtonException>(() => CaxtonEnvironment.NormalizeBaseUri(new Uri("api/", UriKind.Relative)));

        Assert.Equal(CaxtonErrorIds.InvalidBaseUri, error.ErrorId);
    }

    [Fact]
    public void The_connection_applies_the_same_rules()
    {
        var error = Assert.Throws<CaxtonException>(() => new CaxtonConnection(new Uri("http://example.com/api/")));

        Assert.Equal(CaxtonErrorIds.InsecureBaseUri, error.ErrorId);
        Assert.Equal("http://localhost:5080/api/", new CaxtonConnection(new Uri("http://localhost:5080/api")).BaseUri.AbsoluteUri);
    }

    [Theory]
    [InlineData("https://caxapi-integration.azurewebsites.net/api/", "Sandbox")]
    [InlineData("https://caxapi-staging.caxton.io/api/", "Staging")]
    [InlineData("https://caxtonapi.caxtonfx.com/api/", "Production")]
    [InlineData("https://CAXTONAPI.caxtonfx.com/api/", "Production")]
    [InlineData("https://sandbox.caxton.io/api/", "Custom")]
    [InlineData("http://127.0.0.1:5080/api/", "Custom")]
    [InlineData("https://caxtonapi.caxtonfx.com:8443/api/", "Custom")]
    [InlineData("https://caxtonapi.caxtonfx.com/other/", "Custom")]
    public void NameOf_maps_the_documented_hosts_and_Custom(string uri, string name)
    {
        Assert.Equal(name, CaxtonEnvironment.NameOf(new Uri(uri)));
    }

    [Theory]
    [InlineData("Sandbox", "https://caxapi-integration.azurewebsites.net/api/")]
    [InlineData("staging", "https://caxapi-staging.caxton.io/api/")]
    [InlineData("PRODUCTION", "https://caxtonapi.caxtonfx.com/api/")]
    public void GetBaseUri_knows_the_documented_environments_in_any_case(string name, string uri)
    {
        Assert.Equal(uri, CaxtonEnvironment.GetBaseUri(name).AbsoluteUri);
    }

    [Fact]
    public void An_unknown_environment_name_is_UnknownEnvironment()
    {
        Assert.Equal(CaxtonErrorIds.UnknownEnvironment, Assert.Throws<CaxtonException>(() => CaxtonEnvironment.GetBaseUri("Prod")).ErrorId);
    }

    [Fact]
    public void A_connection_is_named_after_its_environment_unless_named()
    {
        var production = new CaxtonConnection(new Uri("https://caxtonapi.caxtonfx.com/api"));
        var named = new CaxtonConnection(new Uri("https://caxtonapi.caxtonfx.com/api"), "live");

        Assert.Equal("Production", production.Environment);
        Assert.Equal("Production", production.Name);
        Assert.Equal("live", named.Name);
        Assert.Equal("Production", named.Environment);
    }
}

[CollectionDefinition("Environment variables", DisableParallelization = true)]
public class EnvironmentVariablesCollection
{
}

/// <summary>FromEnvironmentVariables: these tests change process variables, so they run alone.</summary>
[Collection("Environment variables")]
public class EnvironmentVariableTests
{
    private static CaxtonConnection FromVariables(string? baseUri, string? environment)
    {
        var savedBase = Environment.GetEnvironmentVariable(CaxtonEnvironment.BaseUriVariable);
        var savedEnvironment = Environment.GetEnvironmentVariable(CaxtonEnvironment.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(CaxtonEnvironment.BaseUriVariable, baseUri);
            Environment.SetEnvironmentVariable(CaxtonEnvironment.EnvironmentVariable, environment);
            return CaxtonConnection.FromEnvironmentVariables();
        }
        finally
        {
            Environment.SetEnvironmentVariable(CaxtonEnvironment.BaseUriVariable, savedBase);
            Environment.SetEnvironmentVariable(CaxtonEnvironment.EnvironmentVariable, savedEnvironment);
        }
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("   ", " ")]
    public void No_variables_mean_NotConnected_never_a_host_chosen_for_the_user(string? baseUri, string? environment)
    {
        var error = Assert.Throws<CaxtonException>(() => FromVariables(baseUri, environment));

        Assert.Equal(CaxtonErrorIds.NotConnected, error.ErrorId);
        Assert.Contains("Connect-Caxton", error.Message);
        Assert.Contains(CaxtonEnvironment.BaseUriVariable, error.Message);
        Assert.Contains(CaxtonEnvironment.EnvironmentVariable, error.Message);
        Assert.Contains("Nothing was sent", error.Message);
        Assert.False(string.IsNullOrEmpty(error.RecommendedAction));
    }

    [Theory]
    [InlineData("Staging", "Staging", "https://caxapi-staging.caxton.io/api/")]
    [InlineData(" production ", "Production", "https://caxtonapi.caxtonfx.com/api/")]
    public void CAXTON_ENVIRONMENT_picks_a_documented_host(string variable, string environment, string uri)
    {
        var connection = FromVariables(null, variable);

        Assert.Equal(environment, connection.Environment);
        Assert.Equal(uri, connection.BaseUri.AbsoluteUri);
    }

    [Fact]
    public void CAXTON_BASEURI_wins_over_CAXTON_ENVIRONMENT()
    {
        var connection = FromVariables("http://127.0.0.1:5080/api", "Production");

        Assert.Equal("http://127.0.0.1:5080/api/", connection.BaseUri.AbsoluteUri);
        Assert.Equal("Custom", connection.Environment);
    }

    [Fact]
    public void An_insecure_CAXTON_BASEURI_is_refused()
    {
        var error = Assert.Throws<CaxtonException>(() => FromVariables("http://example.com/api/", null));

        Assert.Equal(CaxtonErrorIds.InsecureBaseUri, error.ErrorId);
        Assert.Contains("CAXTON_BASEURI", error.Message, StringComparison.Ordinal);
        Assert.Contains("CAXTON_BASEURI", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a uri")]
    [InlineData("caxton/api")]
    public void A_CAXTON_BASEURI_that_is_not_absolute_is_InvalidBaseUri(string value)
    {
        var error = Assert.Throws<CaxtonException>(() => FromVariables(value, "Production"));

        Assert.Equal(CaxtonErrorIds.InvalidBaseUri, error.ErrorId);
        Assert.Contains("CAXTON_BASEURI", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_CAXTON_ENVIRONMENT_is_UnknownEnvironment()
    {
        var error = Assert.Throws<CaxtonException>(() => FromVariables(null, "Prod"));

        Assert.Equal(CaxtonErrorIds.UnknownEnvironment, error.ErrorId);
        Assert.Contains("CAXTON_ENVIRONMENT", error.Message, StringComparison.Ordinal);
        Assert.Contains("CAXTON_ENVIRONMENT", error.RecommendedAction, StringComparison.Ordinal);
    }
}
