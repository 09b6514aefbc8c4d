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
                    $"'{baseUri}' is not an absolute http(s) URI. Give the API base, for example https://caxtonapi.caxtonfx.com/api/.");
            }

            if (baseUri.Scheme == Uri.UriSchemeHttp && !baseUri.IsLoopback)
            {
                throw new CaxtonException(
                    CaxtonErrorIds.InsecureBaseUri,
                    CaxtonErrorKind.InvalidArgument,
                    $"'{baseUri.GetLeftPart(UriPartial.Authority)}' uses plain http. Caxton credentials are only sent over https; http is allowed for loopback hosts (the local emulator) only.");
            }

            var text = baseUri.GetLeftPart(UriPartial.Path);
            return new Uri(text.EndsWith("/", StringComparison.Ordinal) ? text : text + "/");
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
