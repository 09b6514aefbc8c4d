using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Caxton.Transport
{
    /// <summary>
    /// The one place secrets are masked in text meant for people: -Debug traces, status lines and
    /// server-supplied descriptions that end up in messages. It masks by value first (the secrets a
    /// request is known to carry, in any encoding a server may echo them in), then by shape (bearer
    /// tokens, password members and form fields), and only then may a caller shorten the text.
    /// </summary>
    internal static class Redactor
    {
        public const string Mask = "********";

        /// <summary>Shorter values would mask ordinary words; real client passwords and tokens are long.</summary>
        public const int MinimumSecretLength = 6;

        private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

        // Members whose value is a secret, compared after JSON-unescaping the name (Client\u0050assword).
        private static readonly HashSet<string> SecretMembers = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "ClientPassword", "Password", "access_token", "refresh_token", "AccessToken", "token", "secret",
        };

        private static readonly Regex Shapes = new Regex(
            // "name": "value" in JSON; the name is judged after unescaping, below
            @"(?<json>""(?<name>(?:[^""\\]|\\.){1,64})""\s*:\s*)""(?<value>(?:[^""\\]|\\.)*)""" +
            // Password=...& in a form or a query
            @"|(?<form>(?:^|[?&])(?:Password|ClientPassword|access_token|refresh_token)=)(?<value>[^&\s]*)" +
            // Authorization: Bearer ... (and Basic ...), up to where a header value or a quoted string ends
            @"|(?<scheme>\b(?:Bearer|Basic)\s+)[^\s"",;]+",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, // interpreted: it runs on error and -Debug paths only, where compiling it would cost more than it saves
            MatchTimeout);

        public static string Redact(string? text, IReadOnlyCollection<string>? knownSecrets = null)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text ?? string.Empty;
            }

            try
            {
                var masked = text!;
                var echoed = SecretValuesIn(masked);
                if (knownSecrets != null || echoed.Count > 0)
                {
                    foreach (var secret in knownSecrets == null ? echoed : knownSecrets.Concat(echoed))
                    {
                        if (!string.IsNullOrEmpty(secret) && secret.Length >= MinimumSecretLength)
                        {
                            masked = masked.Replace(secret, Mask);
                            masked = AnyEncodingOf(secret).Replace(masked, Mask);
                        }
                    }
                }

                return Shapes.Replace(masked, MaskShape);
            }
            catch (RegexMatchTimeoutException)
            {
                // Too odd to mask with confidence: say nothing of it rather than risk a secret.
                return "[" + text!.Length + " characters not shown]";
            }
        }

        /// <summary>
        /// The values of secret members (a ClientPassword, an access_token) in the text itself: echoed
        /// elsewhere in it (a PublicKey, a description), they are as secret there.
        /// </summary>
        private static List<string> SecretValuesIn(string text)
        {
            var values = new List<string>();
            foreach (Match match in Shapes.Matches(text))
            {
                var value = match.Groups["value"];
                if (value.Success && (!match.Groups["json"].Success || SecretMembers.Contains(JsonUnescape(match.Groups["name"].Value))))
                {
                    values.Add(value.Value);
                    if (match.Groups["json"].Success)
                    {
                        values.Add(JsonUnescape(value.Value));
                    }
                    else
                    {
                        values.Add(WebUtility.UrlDecode(value.Value));
                    }
                }
            }

            return values;
        }

        /// <summary>Redacts, then shortens: shortening first could cut a secret out of reach of the masks.</summary>
        public static string RedactAndTruncate(string? text, IReadOnlyCollection<string>? knownSecrets, int maxChars)
        {
            var masked = Redact(text, knownSecrets);
            return masked.Length <= maxChars ? masked : masked.Substring(0, maxChars) + $"... ({masked.Length} characters)";
        }

        private static string MaskShape(Match match)
        {
            if (match.Groups["json"].Success)
            {
                return SecretMembers.Contains(JsonUnescape(match.Groups["name"].Value))
                    ? match.Groups["json"].Value + "\"" + Mask + "\""
                    : match.Value;
            }

            return match.Groups["form"].Success ? match.Groups["form"].Value + Mask : match.Groups["scheme"].Value + Mask;
        }

        /// <summary>
        /// The secret with every character in any of the forms a server may echo it in, mixed freely: as it
        /// is, JSON-escaped (\u002B, \/, \"), URL-encoded (%2B, + for a space) and as an HTML entity
        /// (&amp;#43; &amp;#x2B; &amp;amp;); or its bytes in hex.
        /// </summary>
        private static Regex AnyEncodingOf(string secret)
        {
            var pattern = new StringBuilder();
            for (var i = 0; i < secret.Length; i++)
            {
                var isPair = char.IsHighSurrogate(secret[i]) && i + 1 < secret.Length && char.IsLowSurrogate(secret[i + 1]);
                var unit = isPair ? secret.Substring(i, 2) : secret[i].ToString();
                pattern.Append("(?:").Append(Regex.Escape(unit)).Append('|');
                foreach (var c in unit)
                {
                    pattern.Append(@"\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                }

                var json = JsonShortEscape(unit);
                if (json != null)
                {
                    pattern.Append('|').Append(Regex.Escape(json));
                }

                if (unit == " ")
                {
                    pattern.Append(@"|\+");
                }

                pattern.Append('|');
                foreach (var b in Encoding.UTF8.GetBytes(unit))
                {
                    pattern.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }

                var codePoint = char.ConvertToUtf32(unit, 0);
                pattern.Append("|&#0*").Append(codePoint.ToString(CultureInfo.InvariantCulture)).Append(";?");
                pattern.Append("|&#x0*").Append(codePoint.ToString("X", CultureInfo.InvariantCulture)).Append(";?");
                var named = WebUtility.HtmlEncode(unit);
                if (named != unit)
                {
                    pattern.Append('|').Append(Regex.Escape(named));
                }

                pattern.Append(')');
                if (isPair)
                {
                    i++;
                }
            }

            // Its UTF-8 bytes in hex, plain or separated (48-78-37, as a parser's error shows them).
            pattern.Append('|').Append(string.Join("[-: ]?", Encoding.UTF8.GetBytes(secret).Select(b => b.ToString("X2", CultureInfo.InvariantCulture))));
            return new Regex(pattern.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout);
        }

        private static string? JsonShortEscape(string unit)
        {
            switch (unit)
            {
                case "\"": return "\\\"";
                case "\\": return "\\\\";
                case "/": return "\\/";
                case "\b": return "\\b";
                case "\f": return "\\f";
                case "\n": return "\\n";
                case "\r": return "\\r";
                case "\t": return "\\t";
                default: return null;
            }
        }

        /// <summary>A JSON string's content as its reader sees it; odd escapes are left as they are.</summary>
        private static string JsonUnescape(string escaped)
        {
            if (escaped.IndexOf('\\') < 0)
            {
                return escaped;
            }

            var text = new StringBuilder(escaped.Length);
            for (var i = 0; i < escaped.Length; i++)
            {
                if (escaped[i] == '\\' && i + 1 < escaped.Length)
                {
                    var next = escaped[i + 1];
                    if (next == 'u' && i + 5 < escaped.Length && int.TryParse(escaped.Substring(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                    {
                        text.Append((char)code);
                        i += 5;
                        continue;
                    }

                    text.Append(next);
                    i++;
                    continue;
                }

                text.Append(escaped[i]);
            }

            return text.ToString();
        }
    }
}
