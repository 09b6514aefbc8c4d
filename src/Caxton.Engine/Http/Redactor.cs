using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace Caxton
{
    /// <summary>
    /// The one place secrets are masked in text meant for people: -Debug traces, and server-supplied
    /// descriptions that end up in error messages. It masks by shape (bearer tokens, password members
    /// and form fields) and by value (the secrets a request is known to carry).
    /// </summary>
    internal static class Redactor
    {
        public const string Mask = "********";

        private static readonly Regex Shapes = new Regex(
            // "ClientPassword": "...", "access_token":"..." and the like, in JSON
            @"(?<json>""(?:ClientPassword|Password|access_token|refresh_token|AccessToken|token|secret)""\s*:\s*)""(?:[^""\\]|\\.)*""" +
            // Password=...& in a form or a query
            @"|(?<form>(?:^|[?&])(?:Password|ClientPassword|access_token|refresh_token)=)[^&\s]*" +
            // Authorization: Bearer ... (and Basic ...)
            @"|(?<scheme>\b(?:Bearer|Basic)\s+)[A-Za-z0-9\-._~+/]+=*",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, // interpreted: it runs on error and -Debug paths only, where compiling it would cost more than it saves
            TimeSpan.FromSeconds(1));

        public static string Redact(string? text, IReadOnlyCollection<string>? knownSecrets = null)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text ?? string.Empty;
            }

            string masked;
            try
            {
                masked = Shapes.Replace(text, match =>
                    match.Groups["json"].Success ? match.Groups["json"].Value + "\"" + Mask + "\""
                    : match.Groups["form"].Success ? match.Groups["form"].Value + Mask
                    : match.Groups["scheme"].Value + Mask);
            }
            catch (RegexMatchTimeoutException)
            {
                // Too odd to mask by shape: say nothing of it rather than risk a secret.
                return "[" + text!.Length + " characters not shown]";
            }

            if (knownSecrets != null)
            {
                foreach (var secret in knownSecrets)
                {
                    // Short values would mask ordinary words; real client passwords and tokens are long.
                    if (!string.IsNullOrEmpty(secret) && secret.Length >= 6)
                    {
                        masked = masked.Replace(secret, Mask);
                    }
                }
            }

            return masked;
        }
    }
}
