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

            if (baseUri.Scheme == Uri.UriSchemeHttp && !baseUri.IsLoopback)
            {
                throw new CaxtonException(
                    CaxtonErrorIds.InsecureBaseUri,
                    CaxtonErrorKind.InvalidArgument,
                    $"'{baseUri.GetLeftPart(UriPartial.Authority)}' uses plain http, and its host '{baseUri.Host}' is not a loopback host. Caxton credentials are only sent over https; http is allowed for loopback hosts (the local emulator) only.")
                {
                    RecommendedAction = $"Use https://{baseUri.Authority}{baseUri.AbsolutePath}, or, for the local emulator, a loopback host: 127.0.0.1, ::1 or localhost (check '{baseUri.Host}' for a typo).",
                };
            }

            var text = baseUri.GetLeftPart(UriPartial.Path);
            return new Uri(text.EndsWith("/", StringComparison.Ordinal) ? text : text + "/");
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
