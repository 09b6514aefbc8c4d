using System;

namespace Caxton
{
    /// <summary>
    /// Every failure of the engine. Messages never carry a secret: they are built only from status
    /// fields, OAuth error names and the request's method and URL.
    /// </summary>
    public sealed class CaxtonException : Exception
    {
        public CaxtonException(string errorId, CaxtonErrorKind kind, string message, Exception? innerException = null)
            : base(message, innerException)
        {
            ErrorId = errorId;
            Kind = kind;
        }

        public string ErrorId { get; }

        public CaxtonErrorKind Kind { get; }

        /// <summary>HTTP status of the response, when there was one.</summary>
        public int? HttpStatus { get; internal set; }

        public int? ApiStatusCode { get; internal set; }

        public string? ApiStatus { get; internal set; }

        public string? ApiStatusDescription { get; internal set; }

        /// <summary>The OAuth <c>error</c> of a token endpoint failure, e.g. invalid_grant.</summary>
        public string? OAuthError { get; internal set; }

        public string? OAuthErrorDescription { get; internal set; }

        /// <summary>The response's Date header: with <see cref="RequestId"/>, what Caxton support asks for.</summary>
        public DateTimeOffset? ResponseDate { get; internal set; }

        /// <summary>The request id the server sent back (x-request-id, request-id, x-ms-request-id, ...).</summary>
        public string? RequestId { get; internal set; }

        /// <summary>
        /// The whole response body, redacted, for Caxton support: a message quotes at most
        /// <see cref="MaxServerTextInMessage"/> characters of server text.
        /// </summary>
        public string? ResponseBody { get; internal set; }

        /// <summary>How much server text a message quotes, after redaction; the rest is in <see cref="ResponseBody"/>.</summary>
        public const int MaxServerTextInMessage = 2000;

        /// <summary>"Date ..., request id ..." of the response, or null when the server sent neither.</summary>
        public string? SupportReference
        {
            get
            {
                if (ResponseDate is null && RequestId is null)
                {
                    return null;
                }

                var date = ResponseDate is DateTimeOffset d ? "Date " + d.ToString("r", System.Globalization.CultureInfo.InvariantCulture) : null;
                var id = RequestId is null ? null : "request id " + RequestId;
                return date is null ? id : id is null ? date : date + ", " + id;
            }
        }

        /// <summary>The one "no connection named X" failure, for -Connection NAME and every -Name lookup.</summary>
        public static CaxtonException ConnectionNotFound(string name) =>
            new CaxtonException(CaxtonErrorIds.ConnectionNotFound, CaxtonErrorKind.NotFound, $"There is no Caxton connection named '{name}' in this runspace.")
            {
                RecommendedAction = $"Create it with Connect-Caxton -Name {CommandText.SingleQuoted(name)}, or list this runspace's connections with Get-CaxtonConnection -ListAvailable.",
            };

        /// <summary>What the user can do next, for ErrorDetails.RecommendedAction.</summary>
        public string? RecommendedAction { get; internal set; }
    }
}
