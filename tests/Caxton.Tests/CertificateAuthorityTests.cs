using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Xunit;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>
/// -CertificateAuthority and CertificateRejected through the real handlers (HttpClientSource), against an
/// in-process TLS server with certificates made here: the same checks as Peers.Tests.ps1 against nginx,
/// on any machine. The root is trusted by its own connection only. In the "HTTP handlers" collection:
/// these connections lease handlers of their own, which HttpClientLeaseTests counts process-wide.
/// </summary>
[Collection("HTTP handlers")]
public sealed class CertificateAuthorityTests
{
    private const string Issuer = "CN=Caxton Unit Test Root";

    private static readonly Lazy<(X509Certificate2 Certificate, RSA Key)> Root = new(() =>
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest(Issuer, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2)), key);
    });

    /// <summary>The root as a user would hand it over: the certificate alone, no key.</summary>
    private static X509Certificate2 Authority => X509CertificateLoader.LoadCertificate(Root.Value.Certificate.RawData);

    private static X509Certificate2 Issue(string dnsName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + dnsName, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        var serial = RandomNumberGenerator.GetBytes(8);
        using var issued = request.Create(Root.Value.Certificate.SubjectName, X509SignatureGenerator.CreateForRSA(Root.Value.Key, RSASignaturePadding.Pkcs1), notBefore, notAfter, serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static X509Certificate2 Valid(string dnsName = "localhost") => Issue(dnsName, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));

    /// <summary>An HTTPS server on loopback that answers every request with a small JSON body and counts TLS handshakes.</summary>
    private sealed class TlsServer : IDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly X509Certificate2 certificate;
        private readonly CancellationTokenSource stop = new();
        private int handshakes;

        public TlsServer(X509Certificate2 certificate)
        {
            this.certificate = certificate;
            listener.Start();
            _ = Task.Run(() => LoopbackAccept.EachAsync(listener, stop.Token, ServeAsync));
        }

        public int Handshakes => Volatile.Read(ref handshakes);

        public Uri Uri(string host = "localhost") => new($"https://{host}:{((IPEndPoint)listener.LocalEndpoint).Port}/api/ping");

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            using (var tls = new SslStream(client.GetStream()))
            {
                try
                {
                    Interlocked.Increment(ref handshakes);
                    await tls.AuthenticateAsServerAsync(certificate);
                    var buffer = new byte[4096];
                    var seen = new StringBuilder();
                    while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await tls.ReadAsync(buffer, stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }

                    var body = "{\"ok\":true}";
                    await tls.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"), stop.Token);
                }
                catch (Exception)
                {
                    // The client refused our certificate: that is what most tests here want.
                }
            }
        }

        public void Dispose()
        {
            stop.Cancel();
            listener.Stop();
            certificate.Dispose();
        }
    }

    private static async Task<HttpExchange> Get(Uri uri, CaxtonTransportOptions options)
    {
        var transport = new CaxtonTransport(null, options);
        try
        {
            return await transport.SendAsync(
                () => new HttpRequestMessage(HttpMethod.Get, uri), "Ping", RequestSafety.Idempotent, TimeSpan.FromSeconds(20), NullLog.Instance, CancellationToken.None);
        }
        finally
        {
            // As Disconnect-Caxton does: no handler is left for a finalizer to release during another test's count.
            transport.ReleaseClients();
        }
    }

    [Fact]
    public async Task The_given_root_is_trusted_with_the_name_checked()
    {
        using var server = new TlsServer(Valid());

        var exchange = await Get(server.Uri(), new CaxtonTransportOptions { CertificateAuthority = Authority });

        Assert.Equal(200, exchange.Status);
    }

    [Fact]
    public async Task Without_the_root_the_chain_is_untrusted_once_naming_host_and_issuer()
    {
        using var server = new TlsServer(Valid());

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Get(server.Uri(), CaxtonTransportOptions.Default));

        Assert.Equal(CaxtonErrorIds.CertificateRejected, error.ErrorId);
        Assert.Contains("certificate of localhost was rejected: untrusted chain", error.Message);
        Assert.Contains(Issuer, error.Message);
        Assert.Equal(1, server.Handshakes);
    }

    [Fact]
    public async Task The_root_trusts_its_own_connection_only_not_the_process()
    {
        using var server = new TlsServer(Valid());
        Assert.Equal(200, (await Get(server.Uri(), new CaxtonTransportOptions { CertificateAuthority = Authority })).Status);

        var other = await Assert.ThrowsAsync<CaxtonException>(() => Get(server.Uri(), new CaxtonTransportOptions { MaximumRetryCount = 0 }));
        Assert.Equal(CaxtonErrorIds.CertificateRejected, other.ErrorId);
        using var plain = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync(server.Uri()));
    }

    [Fact]
    public async Task Another_names_certificate_is_a_name_mismatch_even_with_the_root()
    {
        using var server = new TlsServer(Valid("other.test"));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Get(server.Uri(), new CaxtonTransportOptions { CertificateAuthority = Authority }));

        Assert.Equal(CaxtonErrorIds.CertificateRejected, error.ErrorId);
        Assert.Contains("name mismatch: the certificate is for other.test, not localhost", error.Message);
        Assert.Equal(1, server.Handshakes);
    }

    [Fact]
    public async Task An_expired_certificate_is_refused_as_expired_even_with_the_root()
    {
        using var server = new TlsServer(Issue("localhost", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-2)));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Get(server.Uri(), new CaxtonTransportOptions { CertificateAuthority = Authority }));

        Assert.Equal(CaxtonErrorIds.CertificateRejected, error.ErrorId);
        Assert.Contains("expired on", error.Message);
        Assert.Contains("the -CertificateAuthority given", error.RecommendedAction);
    }

    [Fact]
    public async Task Another_root_does_not_stand_in_for_the_one_that_signed()
    {
        using var server = new TlsServer(Valid());
        using var otherKey = RSA.Create(2048);
        var otherRequest = new CertificateRequest("CN=Some Other Root", otherKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        otherRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var otherRoot = otherRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Get(server.Uri(), new CaxtonTransportOptions { CertificateAuthority = X509CertificateLoader.LoadCertificate(otherRoot.RawData) }));

        Assert.Equal(CaxtonErrorIds.CertificateRejected, error.ErrorId);
        Assert.Contains("Some Other Root", error.RecommendedAction);
    }
}
