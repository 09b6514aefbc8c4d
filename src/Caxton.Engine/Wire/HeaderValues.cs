using System;
using System.Net.Http.Headers;

namespace Caxton.Wire
{
    /// <summary>
    /// The check every value placed in a request header passes first (IdentityNumber, -ContentType, the
    /// bearer token): printable ASCII only. A CR or LF could end the header and smuggle a second request
    /// carrying our Authorization; NUL and other control characters have no business there either.
    /// </summary>
    internal static class HeaderValues
    {
        /// <summary>The value, or an InvalidHeaderValue error naming the parameter (never the value: it may be a secret).</summary>
        public static string Require(string parameter, string value)
        {
            var bad = FirstUnsafe(value);
            if (bad >= 0)
            {
                throw new CaxtonException(
                    CaxtonErrorIds.InvalidHeaderValue,
                    CaxtonErrorKind.InvalidArgument,
                    $"{parameter} cannot be sent in a request header: it contains U+{(int)value[bad]:X4} at position {bad + 1}, and header values must be printable ASCII.")
                {
                    RecommendedAction = $"Remove control characters, line breaks and non-ASCII characters from {parameter} (check the CSV or pipeline it came from).",
                };
            }

            return value;
        }

        /// <summary>-ContentType as a media type, or a clear error instead of a FormatException.</summary>
        public static MediaTypeHeaderValue ContentType(string contentType)
        {
            Require("-ContentType", contentType);
            if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed is null)
            {
                throw new CaxtonException(
                    CaxtonErrorIds.InvalidContentType,
                    CaxtonErrorKind.InvalidArgument,
                    $"-ContentType '{contentType}' is not a media type such as application/json or text/plain; charset=utf-8.");
            }

            return parsed;
        }

        /// <summary>Whether a token from the server can go into an Authorization header as it is.</summary>
        public static bool IsSafe(string value) => FirstUnsafe(value) < 0;

        private static int FirstUnsafe(string value)
        {
            for (var i = 0; i < value.Length; i++)
            {
                if (value[i] < 0x20 || value[i] > 0x7E)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
