using System;
using System.Collections.Generic;

namespace Caxton.Wire
{
    /// <summary>
    /// Where a request may go: the path under a connection's base URI, judged as the most lenient
    /// server would read it, so no spelling of a path carries a token out of the base URI.
    /// </summary>
    internal static class ApiPath
    {
        /// <summary>
        /// An API call's URI: a path relative to the base URI, with an optional query; an absolute URI
        /// is accepted only under the base URI, so the token is never sent to another host or tenant.
        /// </summary>
        public static Uri Under(Uri baseUri, string path)
        {
            if (Uri.TryCreate(path, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttp || absolute.Scheme == Uri.UriSchemeHttps))
            {
                if (absolute.UserInfo.Length > 0 || !baseUri.IsBaseOf(absolute) || !absolute.AbsolutePath.StartsWith(baseUri.AbsolutePath, StringComparison.OrdinalIgnoreCase))
                {
                    throw OutsideBase(baseUri, CaxtonEnvironment.WithoutUserInfo(new Uri(absolute.GetLeftPart(UriPartial.Path)))!);
                }

                // Under the base as written; what follows the base is checked like any relative path.
                path = absolute.AbsolutePath.Substring(baseUri.AbsolutePath.Length) + absolute.Query;
            }

            var query = path.IndexOf('?');
            var pathPart = query < 0 ? path : path.Substring(0, query);
            var joined = Combine(baseUri, pathPart);
            return query < 0 ? joined : new Uri(joined.AbsoluteUri + path.Substring(query));
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

        public static CaxtonException OutsideBase(Uri baseUri, string path) =>
            new CaxtonException(
                CaxtonErrorIds.PathOutsideBaseUri,
                CaxtonErrorKind.InvalidArgument,
                $"'{path}' leads outside the connection's base URI {baseUri}; the token is only sent there.")
            {
                RecommendedAction = "Give a path relative to the base URI, such as reference/lookup/banks/GBP, or use a connection to that host.",
            };
    }
}
