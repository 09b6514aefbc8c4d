using Caxton;
using Xunit;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton.Tests;

public class UriJoinTests
{
    [Theory]
    [InlineData("https://caxtonapi.caxtonfx.com/api/", "token", "https://caxtonapi.caxtonfx.com/api/token")]
    [InlineData("https://caxtonapi.caxtonfx.com/api", "token", "https://caxtonapi.caxtonfx.com/api/token")]
    [InlineData("https://sandbox.caxton.io/api//", "/clients/auth/register", "https://sandbox.caxton.io/api/clients/auth/register")]
    public void Combine_joins_with_exactly_one_slash(string baseUri, string path, string expected)
    {
        Assert.Equal(expected, CaxtonEnvironment.Combine(new Uri(baseUri), path).AbsoluteUri);
    }
}
