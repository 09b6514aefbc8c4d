using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Security.Authentication;
using System.Text.RegularExpressions;

namespace Caxton.Transport
{
    /// <summary>
    /// Answers that no retry can change, each its own ErrorId: a proxy that wants credentials (407, for a
    /// request or for the CONNECT tunnel of an https one), a refused server certificate, a redirect (never
    /// followed: it could carry credentials elsewhere). Retrying them only repeats the refusal, and for a
    /// proxy repeats a wrong password often enough to lock the account.
    /// </summary>
    internal static class PeerRefusals
    {
        public const int ProxyAuthenticationStatus = 407;

        /// <summary>A refusal this response is, or null: the transport asks before it considers a retry.</summary>
        public static CaxtonException? ForResponse(HttpResponseMessage response, string operation, string method, Uri uri, CaxtonTransportOptions settings, IReadOnlyCollection<string> secrets)
        {
            var status = (int)response.StatusCode;
            if (status == ProxyAuthenticationStatus)
            {
                return ProxyAuthenticationRequired(operation, $"{method} {uri}", settings);
            }

            return IsRedirect(status) ? RedirectNotFollowed(operation, method, uri, status, response.Headers.Location, secrets) : null;
        }

        /// <summary>A refusal this transport failure is (a tunnel's 407, a certificate), or null for an ordinary connection failure.</summary>
        public static CaxtonException? ForFailure(Exception exception, HttpRequestMessage request, string operation, Uri uri, CaxtonTransportOptions settings, IReadOnlyCollection<string> secrets)
        {
            if (TunnelStatus(exception) == ProxyAuthenticationStatus)
            {
                return ProxyAuthenticationRequired(operation, $"the tunnel (CONNECT) to {uri.Host}:{uri.Port}", settings);
            }

            var rejection = CertificateRejection.Of(request);
            if (rejection != null || IsCertificateFailure(exception))
            {
                return CertificateRejected(operation, uri, rejection, exception, secrets);
            }

            return null;
        }

        public static bool IsRedirect(int status) => status == 300 || status == 301 || status == 302 || status == 303 || status == 307 || status == 308;

        // "The proxy tunnel request to proxy '...' failed with status code '407'." (.NET's wording, which also
        // sets HttpRequestException.StatusCode on recent versions; this assembly targets netstandard2.0).
        private static readonly Regex TunnelStatusText = new Regex(@"status code '?(?<status>\d{3})'?", RegexOptions.CultureInvariant);

        /// <summary>The status a proxy answered a CONNECT with, when that is what failed; else null.</summary>
        internal static int? TunnelStatus(Exception exception)
        {
            for (var current = exception; current != null; current = current.InnerException)
            {
                if (current is HttpRequestException)
                {
                    var error = current.GetType().GetProperty("HttpRequestError")?.GetValue(current)?.ToString();
                    var statusProperty = current.GetType().GetProperty("StatusCode")?.GetValue(current);
                    if (statusProperty is HttpStatusCode status && (error is null || error == "ProxyTunnelError"))
                    {
                        return (int)status;
                    }

                    if (error == "ProxyTunnelError" || current.Message.IndexOf("proxy tunnel", StringComparison.OrdinalIgnoreCase) >= 0)
                    {
                        var match = TunnelStatusText.Match(current.Message);
                        if (match.Success)
                        {
                            return int.Parse(match.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture);
                        }
                    }
                }

                // .NET Framework: the tunnel's refusal is a protocol error with the proxy's response.
                if (current is WebException web && web.Response is HttpWebResponse response && response.StatusCode == HttpStatusCode.ProxyAuthenticationRequired)
                {
                    return ProxyAuthenticationStatus;
                }
            }

            return null;
        }

        private static bool IsCertificateFailure(Exception exception)
        {
            for (var current = exception; current != null; current = current.InnerException)
            {
                if (current is AuthenticationException || (current is WebException web && web.Status == WebExceptionStatus.TrustFailure))
                {
                    return true;
                }
            }

            return false;
        }

        internal static CaxtonException ProxyAuthenticationRequired(string operation, string what, CaxtonTransportOptions settings)
        {
            var proxy = settings.Proxy is Uri explicitProxy ? $"the proxy {explicitProxy.Scheme}://{explicitProxy.Authority}" : "the system proxy";
            var sent = settings.ProxyCredential != null ? "the -ProxyCredential given to Connect-Caxton was sent and refused"
                : settings.ProxyUseDefaultCredentials ? "the current user's credentials (-ProxyUseDefaultCredentials) were sent and refused"
                : "no proxy credentials were sent";
            var credentialsSent = settings.ProxyCredential != null || settings.ProxyUseDefaultCredentials;
            return new CaxtonException(
                CaxtonErrorIds.ProxyAuthenticationRequired,
                CaxtonErrorKind.Authentication,
                $"{operation} failed: {proxy} answered HTTP 407 Proxy Authentication Required to {what}; {sent}. Not retried: a proxy that locks accounts after failed sign-ins sees one attempt.")
            {
                HttpStatus = ProxyAuthenticationStatus,
                RecommendedAction = credentialsSent
                    ? "Check the proxy user name and password (Connect-Caxton -ProxyCredential), or whether the current user may use the proxy (-ProxyUseDefaultCredentials), with your network team."
                    : "Connect again with the proxy's credentials: Connect-Caxton -Proxy <proxy URI> -ProxyCredential (Get-Credential), or -ProxyUseDefaultCredentials to sign in to it as the current user.",
            };
        }

        private static CaxtonException CertificateRejected(string operation, Uri uri, CertificateRejection? rejection, Exception exception, IReadOnlyCollection<string> secrets)
        {
            var host = uri.Host;
            var reason = rejection != null ? Redactor.Redact(rejection.Reason, secrets) : CaxtonTransport.DescribeFailure(exception, secrets);
            var issuer = rejection?.Issuer is string name ? $"; issued by '{Printable(Redactor.Redact(name, secrets))}'" : string.Empty;
            return new CaxtonException(
                CaxtonErrorIds.CertificateRejected,
                CaxtonErrorKind.Security,
                $"{operation} failed: the certificate of {host} was rejected: {Printable(reason)}{issuer}. Not retried: the same certificate would be refused again.")
            {
                RecommendedAction = rejection?.TrustedBy != null
                    ? $"The certificate does not pass with the -CertificateAuthority given ('{Printable(Redactor.Redact(rejection.TrustedBy, secrets))}'): check that it is the root that issued the server's certificate, and the host name in the base URI."
                    : "Check the host name in the base URI. If a TLS-inspection proxy issued the certificate (its corporate root shows as the issuer), trust that root for Caxton alone with Connect-Caxton -CertificateAuthority <root certificate file>; never -SkipCertificateCheck outside a test host.",
            };
        }

        private static CaxtonException RedirectNotFollowed(string operation, string method, Uri uri, int status, Uri? location, IReadOnlyCollection<string> secrets)
        {
            var target = location is null ? "no Location" : $"Location {Printable(Redactor.Redact(Shown(uri, location), secrets))}";
            return new CaxtonException(
                CaxtonErrorIds.RedirectNotFollowed,
                CaxtonErrorKind.InvalidOperation,
                $"{operation} failed: {method} {uri} answered HTTP {status}, a redirect, with {target}. Caxton does not follow redirects: one could carry credentials to another host.")
            {
                HttpStatus = status,
                RecommendedAction = "If the new address is the API's, connect to it: Connect-Caxton -BaseUri with the redirect's base (https, ending in /api/).",
            };
        }

        /// <summary>The Location as absolute, without user:password@ or a query (where tokens travel).</summary>
        private static string Shown(Uri request, Uri location)
        {
            var absolute = location.IsAbsoluteUri ? location : new Uri(request, location);
            var shown = absolute.Scheme + "://" + absolute.Authority + absolute.AbsolutePath;
            return absolute.Query.Length > 1 ? shown + "?(query not shown)" : shown;
        }

        /// <summary>Peer text without control characters, and short: a certificate field or header can hold anything.</summary>
        private static string Printable(string text)
        {
            var chars = new char[Math.Min(text.Length, 300)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = char.IsControl(text[i]) ? '?' : text[i];
            }

            return new string(chars) + (text.Length > chars.Length ? "..." : string.Empty);
        }
    }
}
