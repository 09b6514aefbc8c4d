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

        /// <summary>
        /// Joins a base URI and an API path with exactly one slash (the docs sometimes show api//path).
        /// The path must stay under the base URI, however it is written: dot segments, encoded dots
        /// (%2e), backslashes and encoded slashes are resolved here, and a path that would climb out is
        /// refused, so a token meant for one tenant's API is never sent to another's on the same host.
        /// </summary>
        public static Uri Combine(Uri baseUri, string path)
        {
            var left = baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/');
            return new Uri(left + "/" + string.Join("/", SegmentsUnder(baseUri, path ?? string.Empty)));
        }

        private static List<string> SegmentsUnder(Uri baseUri, string path)
        {
            var kept = new List<string>();
            foreach (var raw in path.Replace('\\', '/').Split('/'))
            {
                // Judge each segment as a server would read it: decoded, with either slash a separator,
                // and without the ;parameters some servers strip (..;/ is .. to them).
                var decoded = Uri.UnescapeDataString(raw).Split(';')[0];
                if (MayHideDots(raw) && ReadsAsDots(AsLenientServerReads(raw).Split(';')[0]) && !ReadsAsDots(decoded))
                {
                    // Dots only a lenient server sees (%252e, fullwidth, %c0%ae, %u002e): no honest path has them.
                    throw OutsideBase(baseUri, path);
                }

                var parts = decoded.Split('/', '\\');
                if (parts.Length > 1)
                {
                    if (Array.Exists(parts, part => part == ".." || part == "."))
                    {
                        throw OutsideBase(baseUri, path);
                    }
                }
                else if (decoded == ".")
                {
                    continue;
                }
                else if (decoded == "..")
                {
                    if (kept.Count == 0)
                    {
                        throw OutsideBase(baseUri, path);
                    }

                    kept.RemoveAt(kept.Count - 1);
                    continue;
                }

                if (raw.Length > 0 || kept.Count > 0)
                {
                    kept.Add(raw);
                }
            }

            return kept;
        }

        private static bool MayHideDots(string raw)
        {
            foreach (var c in raw)
            {
                if (c == '%' || c > 0x7F)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool ReadsAsDots(string segment) =>
            Array.Exists(segment.Split('/', '\\'), part => part == ".." || part == ".");

        /// <summary>
        /// A segment as the most lenient server could read it: percent-decoded until nothing changes,
        /// with %uXXXX and overlong UTF-8 (%c0%ae) decoded too, then NFKC-normalised (fullwidth dots).
        /// A segment still changing after many rounds is too odd to judge, and reads as "..".
        /// </summary>
        private static string AsLenientServerReads(string raw)
        {
            var text = raw;
            for (var round = 0; round < 16; round++)
            {
                var next = LenientUnescape(Uri.UnescapeDataString(text)).Normalize(System.Text.NormalizationForm.FormKC);
                if (next == text)
                {
                    return text;
                }

                text = next;
            }

            return "..";
        }

        private static string LenientUnescape(string text)
        {
            if (text.IndexOf('%') < 0)
            {
                return text;
            }

            var result = new System.Text.StringBuilder(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == '%')
                {
                    if (i + 5 < text.Length && (text[i + 1] == 'u' || text[i + 1] == 'U') && TryHex(text, i + 2, 4, out var unit))
                    {
                        result.Append((char)unit);
                        i += 5;
                        continue;
                    }

                    // Overlong UTF-8 of an ASCII character: C0/C1 xx, or E0 80-9F xx.
                    if (TryHex(text, i + 1, 2, out var lead) && (lead == 0xC0 || lead == 0xC1) && TryByte(text, i + 3, out var b2))
                    {
                        result.Append((char)(((lead & 0x1F) << 6) | (b2 & 0x3F)));
                        i += 5;
                        continue;
                    }

                    if (lead == 0xE0 && TryByte(text, i + 3, out b2) && b2 < 0xA0 && TryByte(text, i + 6, out var b3))
                    {
                        result.Append((char)(((b2 & 0x3F) << 6) | (b3 & 0x3F)));
                        i += 8;
                        continue;
                    }
                }

                result.Append(text[i]);
            }

            return result.ToString();
        }

        /// <summary>A %XX continuation byte (80-BF) at <paramref name="at"/>.</summary>
        private static bool TryByte(string text, int at, out int value)
        {
            value = 0;
            return at < text.Length && text[at] == '%' && TryHex(text, at + 1, 2, out value) && value >= 0x80 && value <= 0xBF;
        }

        private static bool TryHex(string text, int at, int length, out int value)
        {
            value = 0;
            if (at + length > text.Length)
            {
                return false;
            }

            return int.TryParse(text.Substring(at, length), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out value);
        }

        internal static CaxtonException OutsideBase(Uri baseUri, string path) =>
            new CaxtonException(
                CaxtonErrorIds.PathOutsideBaseUri,
                CaxtonErrorKind.InvalidArgument,
                $"'{path}' leads outside the connection's base URI {baseUri}; the token is only sent there.")
            {
                RecommendedAction = "Give a path relative to the base URI, such as reference/lookup/banks/GBP, or use a connection to that host.",
            };
    }
}
