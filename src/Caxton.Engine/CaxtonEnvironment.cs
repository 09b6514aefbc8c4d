using System;
using System.Collections.Generic;

namespace Caxton
{
    /// <summary>The documented Caxton hosts, and the rules a base URI must meet.</summary>
    public static class CaxtonEnvironment
    {
        public const string Sandbox = "Sandbox";
        public const string Staging = "Staging";
        public const string Production = "Production";
        /// <summary>Any base URI that is not one of the documented hosts (the emulator, a proxy, a new host).</summary>
        public const string Custom = "Custom";

        public const string BaseUriVariable = "CAXTON_BASEURI";
        public const string EnvironmentVariable = "CAXTON_ENVIRONMENT";

        private static readonly KeyValuePair<string, Uri>[] Known =
        {
            new KeyValuePair<string, Uri>(Sandbox, new Uri("https://caxapi-integration.azurewebsites.net/api/")),
            new KeyValuePair<string, Uri>(Staging, new Uri("https://caxapi-staging.caxton.io/api/")),
            new KeyValuePair<string, Uri>(Production, new Uri("https://caxtonapi.caxtonfx.com/api/")),
        };

        public static Uri GetBaseUri(string environment)
        {
            foreach (var pair in Known)
            {
                if (string.Equals(pair.Key, environment, StringComparison.OrdinalIgnoreCase))
                {
                    return pair.Value;
                }
            }

            throw new CaxtonException(
                CaxtonErrorIds.UnknownEnvironment,
                CaxtonErrorKind.InvalidArgument,
                $"'{environment}' is not a Caxton environment. Use Sandbox, Staging or Production, or give a base URI.");
        }

        /// <summary>The documented name of a base URI, or <see cref="Custom"/>.</summary>
        public static string NameOf(Uri baseUri)
        {
            foreach (var pair in Known)
            {
                if (Uri.Compare(pair.Value, baseUri, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
                {
                    return pair.Key;
                }
            }

            return Custom;
        }

        /// <summary>
        /// Checks a base URI and gives it a trailing slash. https is required; plain http is accepted only
        /// for loopback hosts, where the local emulator runs.
        /// </summary>
        public static Uri NormalizeBaseUri(Uri baseUri)
        {
            if (baseUri is null || !baseUri.IsAbsoluteUri || (baseUri.Scheme != Uri.UriSchemeHttps && baseUri.Scheme != Uri.UriSchemeHttp))
            {
                throw new CaxtonException(
                    CaxtonErrorIds.InvalidBaseUri,
                    CaxtonErrorKind.InvalidArgument,
                    $"'{WithoutUserInfo(baseUri)}' is not an absolute http(s) URI. Give the API base, for example https://caxtonapi.caxtonfx.com/api/.");
            }

            if (baseUri.UserInfo.Length > 0)
            {
                // Kept, it would show in the connection, its views, What-if targets and every message.
                throw new CaxtonException(
                    CaxtonErrorIds.InvalidBaseUri,
                    CaxtonErrorKind.InvalidArgument,
                    $"'{WithoutUserInfo(baseUri)}' was given with a user name or password before the host (user:password@). Caxton credentials go in -Credential, never in the base URI.");
            }

            if (baseUri.Scheme == Uri.UriSchemeHttp && !StaysOnThisMachine(baseUri, out var why))
            {
                throw new CaxtonException(
                    CaxtonErrorIds.InsecureBaseUri,
                    CaxtonErrorKind.InvalidArgument,
                    $"'{baseUri.GetLeftPart(UriPartial.Authority)}' uses plain http{why}. Caxton credentials are only sent over https; plain http is allowed only to hosts the OS keeps on this machine (127.0.0.0/8, ::1, localhost), where the local emulator runs.")
                {
                    RecommendedAction = $"Use https://{baseUri.Authority}{baseUri.AbsolutePath}, or, for the local emulator, a host on this machine: 127.0.0.1, ::1 or localhost (check '{baseUri.Host}' for a typo).",
                };
            }

            var text = baseUri.GetLeftPart(UriPartial.Path);
            return new Uri(text.EndsWith("/", StringComparison.Ordinal) ? text : text + "/");
        }

        /// <summary>
        /// THE loopback rule, the one place it is decided: whether the OS keeps traffic to this URI's host
        /// on this machine. True only for 127.0.0.0/8, ::1 and the name localhost (which the OS resolves to
        /// those). Not .NET's Uri.IsLoopback: that also says yes to IPv4-compatible IPv6 such as
        /// [::127.0.0.1] and [::7f00:1], which the OS routes out through the default IPv6 gateway. Plain
        /// http is allowed only where this holds, and such a connection never uses a proxy (an explicit
        /// one, or one from HTTP_PROXY, http_proxy, ALL_PROXY or the system), so a password or token sent
        /// in clear text never leaves the machine.
        /// </summary>
        public static bool StaysOnThisMachine(Uri uri) => StaysOnThisMachine(uri, out _);

        private static bool StaysOnThisMachine(Uri uri, out string why)
        {
            why = string.Empty;
            if (uri is null || !uri.IsAbsoluteUri)
            {
                return false;
            }

            switch (uri.HostNameType)
            {
                case UriHostNameType.Dns:
                case UriHostNameType.Basic:
                    if (string.Equals(uri.IdnHost.TrimEnd('.'), "localhost", StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }

                    why = $", and its host '{uri.Host}' is not a loopback host (127.0.0.0/8, ::1 or localhost)";
                    return false;
                case UriHostNameType.IPv4:
                    if (System.Net.IPAddress.TryParse(uri.DnsSafeHost, out var v4) && v4.GetAddressBytes()[0] == 127)
                    {
                        return true;
                    }

                    why = $", and its host '{uri.Host}' is not a loopback host (not in 127.0.0.0/8)";
                    return false;
                case UriHostNameType.IPv6:
                    var text = uri.DnsSafeHost;
                    if (text.IndexOf('%') < 0 && System.Net.IPAddress.TryParse(text, out var v6) && v6.Equals(System.Net.IPAddress.IPv6Loopback))
                    {
                        return true;
                    }

                    why = IsIPv4Embedded(text)
                        ? $", and its host '{uri.Host}' is not a loopback host: an IPv6 address holding an IPv4 one, which the OS routes off the machine (through the IPv6 gateway); of IPv6 addresses only ::1 stays on the machine"
                        : $", and its host '{uri.Host}' is not a loopback host: an IPv6 address other than ::1, which the OS may route off the machine";
                    return false;
                default:
                    why = $", and its host '{uri.Host}' is not a loopback host";
                    return false;
            }
        }

        private static bool IsIPv4Embedded(string address)
        {
            if (!System.Net.IPAddress.TryParse(address.Split('%')[0], out var parsed))
            {
                return false;
            }

            var bytes = parsed.GetAddressBytes();
            for (var i = 0; i < 10; i++)
            {
                if (bytes[i] != 0)
                {
                    return false;
                }
            }

            // ::a.b.c.d (IPv4-compatible) or ::ffff:a.b.c.d (IPv4-mapped), but not :: or ::1.
            var compatible = bytes[10] == 0 && bytes[11] == 0 && (bytes[12] | bytes[13]) != 0;
            var mapped = bytes[10] == 0xFF && bytes[11] == 0xFF;
            return compatible || mapped;
        }

        /// <summary>A URI as it may be shown: without any user:password@ it was written with.</summary>
        public static string? WithoutUserInfo(Uri? uri)
        {
            if (uri is null || !uri.IsAbsoluteUri || uri.UserInfo.Length == 0)
            {
                return uri?.OriginalString;
            }

            return uri.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped);
        }
    }
}
