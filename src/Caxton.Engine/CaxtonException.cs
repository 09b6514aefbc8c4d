using System;

namespace Caxton
{
    /// <summary>What kind of failure; the cmdlets map it to a PowerShell ErrorCategory.</summary>
    public enum CaxtonErrorKind
    {
        InvalidArgument,
        InvalidOperation,
        Authentication,
        PermissionDenied,
        NotFound,
        ResourceExists,
        InvalidResponse,
        ConnectionFailed,
        Timeout,
        LimitsExceeded,
        ServiceUnavailable,
    }

    /// <summary>Stable ErrorIds: scripts and docs rely on them, so they never change meaning.</summary>
    public static class CaxtonErrorIds
    {
        public const string InvalidBaseUri = "InvalidBaseUri";
        public const string InsecureBaseUri = "InsecureBaseUri";
        public const string UnknownEnvironment = "UnknownEnvironment";
        public const string InvalidArgument = "InvalidArgument";
        public const string NoClientCredential = "NoClientCredential";
        public const string InvalidCredentials = "InvalidCredentials";
        public const string TokenRequestRejected = "TokenRequestRejected";
        public const string Unauthorized = "Unauthorized";
        public const string ApiStatusNotValid = "ApiStatusNotValid";
        public const string HttpError = "HttpError";
        public const string InvalidResponse = "InvalidResponse";
        public const string ConnectionFailed = "ConnectionFailed";
        public const string RequestTimeout = "RequestTimeout";
        public const string ResponseTooLarge = "ResponseTooLarge";
        public const string ClientPasswordExpired = "ClientPasswordExpired";
        public const string ConnectionNotFound = "ConnectionNotFound";
        public const string InvalidHeaderValue = "InvalidHeaderValue";
        public const string InvalidContentType = "InvalidContentType";
        public const string PathOutsideBaseUri = "PathOutsideBaseUri";
        public const string RegenerateIncomplete = "RegenerateIncomplete";
        public const string RegenerateTokenFailed = "RegenerateTokenFailed";
    }

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

        /// <summary>What the user can do next, for ErrorDetails.RecommendedAction.</summary>
        public string? RecommendedAction { get; internal set; }
    }
}
