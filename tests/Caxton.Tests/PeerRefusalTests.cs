using System.Net;
using System.Security.Authentication;
using Xunit;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>
/// Answers no retry can change: a proxy's 407 (over http, or to the CONNECT of an https tunnel), a refused
/// certificate, a redirect. Each is its own ErrorId, is sent once, and says what the user does next.
/// The same failures against real squid and nginx: tests/Pester/Peers.Tests.ps1.
/// </summary>
public class PeerRefusalTests
{
    private const string Operation = "Test Operation";
    private const string ProxyPassword = "proxy-Pa55word-secret";

    private static Task<HttpExchange> Send(HttpMessageHandler handler, CaxtonTransportOptions? options = null)
    {
        var transport = new CaxtonTransport(() => new HttpClient(handler, disposeHandler: false), options);
        return transport.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Get, new Uri(Fake.BaseUri, "reference/lookup/banks/GBP")),
            Operation, RequestSafety.Idempotent, TimeSpan.FromSeconds(20), NullLog.Instance, CancellationToken.None);
    }

    /// <summary>.NET's own wording for a tunnel the proxy refused, with its proxy URL in quotes.</summary>
    private static HttpRequestException TunnelRefused(int status) =>
        new($"The proxy tunnel request to proxy 'http://user:{ProxyPassword}@proxy.corp.example:3128/' failed with status code '{status}'.");

    [Fact]
    public async Task A_tunnel_407_is_ProxyAuthenticationRequired_sent_once_and_keeps_its_status()
    {
        var handler = new FakeHandler(_ => throw TunnelRefused(407));
        var options = new CaxtonTransportOptions { Proxy = new Uri("http://proxy.corp.example:3128"), ProxyCredential = new NetworkCredential("user", ProxyPassword) };

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Send(handler, options));

        Assert.Equal(CaxtonErrorIds.ProxyAuthenticationRequired, error.ErrorId);
        Assert.Equal(1, handler.Count); // a wrong proxy password is tried once, not four times
        Assert.Equal(407, error.HttpStatus);
        Assert.Contains("407", error.Message);
        Assert.Contains("http://proxy.corp.example:3128", error.Message);
        Assert.Contains("CONNECT", error.Message);
        Assert.Contains("was sent and refused", error.Message);
        Assert.DoesNotContain(ProxyPassword, error.Message);
        Assert.Contains("-ProxyCredential", error.RecommendedAction);
    }

    [Fact]
    public async Task A_407_without_credentials_says_none_were_sent_and_recommends_both_switches()
    {
        var handler = new FakeHandler(_ => throw TunnelRefused(407));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Send(handler));

        Assert.Equal(CaxtonErrorIds.ProxyAuthenticationRequired, error.ErrorId);
        Assert.Contains("the system proxy", error.Message);
        Assert.Contains("no proxy credentials were sent", error.Message);
        Assert.Contains("-ProxyCredential", error.RecommendedAction);
        Assert.Contains("-ProxyUseDefaultCredentials", error.RecommendedAction);
    }

    [Fact]
    public async Task A_407_response_over_plain_http_is_the_same_error_and_not_retried()
    {
        var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.ProxyAuthenticationRequired));
        var options = new CaxtonTransportOptions { Proxy = new Uri("http://proxy.corp.example:3128"), ProxyUseDefaultCredentials = true };

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Send(handler, options));

        Assert.Equal(CaxtonErrorIds.ProxyAuthenticationRequired, error.ErrorId);
        Assert.Equal(1, handler.Count);
        Assert.Contains("-ProxyUseDefaultCredentials", error.Message);
    }

    [Theory]
    [InlineData(502)]
    [InlineData(403)]
    public async Task Another_tunnel_status_stays_a_connection_failure_but_its_status_survives_the_quoted_url(int status)
    {
        var handler = new FakeHandler(_ => throw TunnelRefused(status));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Send(handler));

        Assert.Equal(CaxtonErrorIds.ConnectionFailed, error.ErrorId);
        Assert.Contains($"status code {status}", error.Message);
        Assert.DoesNotContain(ProxyPassword, error.Message);
        Assert.DoesNotContain("proxy.corp.example", error.Message); // the quoted part is the peer's and stays hidden
    }

    [Fact]
    public async Task A_certificate_failure_is_CertificateRejected_and_not_retried()
    {
        var handler = new FakeHandler(_ => throw new HttpRequestException(
            "The SSL connection could not be established, see inner exception.",
            new AuthenticationException("The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot")));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Send(handler));

        Assert.Equal(CaxtonErrorIds.CertificateRejected, error.ErrorId);
        Assert.Equal(CaxtonErrorKind.Security, error.Kind);
        Assert.Equal(1, handler.Count);
        Assert.Contains("example.test", error.Message);
        Assert.Contains("UntrustedRoot", error.Message);
        Assert.Contains("-CertificateAuthority", error.RecommendedAction);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_is_RedirectNotFollowed_with_its_status_and_a_location_without_secrets(int status)
    {
        var handler = new FakeHandler(_ =>
        {
            var response = new HttpResponseMessage((HttpStatusCode)status);
            response.Headers.Location = new Uri($"https://user:{ProxyPassword}@elsewhere.example/api/next?access_token=tok-SECRET-123");
            return response;
        });

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Send(handler));

        Assert.Equal(CaxtonErrorIds.RedirectNotFollowed, error.ErrorId);
        Assert.Equal(1, handler.Count);
        Assert.Equal(status, error.HttpStatus);
        Assert.Contains($"HTTP {status}", error.Message);
        Assert.Contains("https://elsewhere.example/api/next", error.Message);
        Assert.Contains("does not follow redirects", error.Message);
        Assert.DoesNotContain(ProxyPassword, error.Message);
        Assert.DoesNotContain("tok-SECRET-123", error.Message);
    }

    [Fact]
    public async Task A_relative_redirect_is_shown_against_the_request()
    {
        var handler = new FakeHandler(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.Found);
            response.Headers.Location = new Uri("/login", UriKind.Relative);
            return response;
        });

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Send(handler));

        Assert.Contains("https://example.test/login", error.Message);
    }

    [Fact]
    public void A_304_is_not_a_redirect()
    {
        Assert.False(PeerRefusals.IsRedirect(304));
        Assert.True(PeerRefusals.IsRedirect(308));
    }
}
