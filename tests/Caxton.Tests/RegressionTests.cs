using System.Net;
using System.Text;
using Xunit;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>Bugs found by review, pinned so they stay fixed.</summary>
[Collection("Environment variables")]
public class RegressionTests
{
    [Fact]
    public void Invalid_utf8_in_a_member_name_is_an_InvalidResponse_not_a_raw_exception()
    {
        var body = new byte[] { (byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}' };
        var response = new HttpExchange("Generate Password", "POST", new Uri("https://example.test/api/clients/auth/register"), 200, "OK", "application/json", body);

        var error = Assert.Throws<CaxtonException>(() => ResponseReader.ReadEnvelope(response));
        Assert.Equal(CaxtonErrorIds.InvalidResponse, error.ErrorId);
    }

    [Fact]
    public async Task A_token_request_under_way_for_an_old_password_is_not_joined_by_the_new_one()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new FakeHandler(async (request, cancel) =>
        {
            var password = request.BodyText.Contains("Password=old", StringComparison.Ordinal) ? "old" : "new";
            if (password == "old")
            {
                await release.Task.WaitAsync(Fake.HangGuard, cancel);
            }

            return Fake.Json(Fake.TokenJson("token-from-" + password));
        });
        var connection = Fake.Connection(handler);
        connection.SetCredential("u", Fake.Secure("old"));
        var oldRequest = connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None);
        while (handler.Count == 0)
        {
            await Task.Yield();
        }

        connection.SetCredential("u", Fake.Secure("new"));
        var fresh = await connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None).WaitAsync(Fake.HangGuard);
        release.SetResult();
        await oldRequest.WaitAsync(Fake.HangGuard);

        Assert.Equal("token-from-new", Fake.Plain(fresh.AccessToken));
        Assert.Equal(2, handler.Count);

        // The late answer for the old password does not replace the new token in the cache.
        var cached = await connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None);
        Assert.Equal("token-from-new", Fake.Plain(cached.AccessToken));
    }

    [Fact]
    public async Task After_Forget_a_caller_gets_NoClientCredential_rather_than_joining_the_old_request()
    {
        var previousUser = Environment.GetEnvironmentVariable(ClientCredential.UsernameVariable);
        Environment.SetEnvironmentVariable(ClientCredential.UsernameVariable, null);
        try
        {
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var handler = new FakeHandler(async (request, cancel) =>
            {
                await release.Task.WaitAsync(Fake.HangGuard, cancel);
                return Fake.Json(Fake.TokenJson("t"));
            });
            var connection = Fake.Connection(handler);
            connection.SetCredential("u", Fake.Secure("p"));
            var first = connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None);
            connection.Forget();

            var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None));
            Assert.Equal(CaxtonErrorIds.NoClientCredential, error.ErrorId);
            release.SetResult();
            await first.WaitAsync(Fake.HangGuard);
            Assert.Null(connection.TokenExpiresOn);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ClientCredential.UsernameVariable, previousUser);
        }
    }

    [Theory]
    [InlineData("{\"access_token\":\"\\ud800\",\"expires_in\":1}")]
    [InlineData("{\"\\ud800\":1,\"ACCESS_TOKEN\":\"a\",\"expires_in\":1}")]
    [InlineData("{\"access_token\":\"a\",\"expires_in\":300000000000}")]
    public void Token_bodies_found_by_fuzzing_are_InvalidResponse(string body)
    {
        var error = Assert.Throws<CaxtonException>(() => ResponseReader.ReadToken(Fake.Exchange(200, body, CaxtonRequests.GetAccessToken)));
        Assert.Equal(CaxtonErrorIds.InvalidResponse, error.ErrorId);
    }

    [Fact]
    public void A_client_password_longer_than_a_SecureString_can_hold_is_InvalidResponse()
    {
        var body = Fake.RegisterJson(new string('p', ResponseReader.MaxSecretLength + 1));

        var error = Assert.Throws<CaxtonException>(() => ResponseReader.ReadClientPassword(Fake.Exchange(200, body)));
        Assert.Equal(CaxtonErrorIds.InvalidResponse, error.ErrorId);
    }
}
