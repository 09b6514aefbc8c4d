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
        public static CaxtonException ConnectionNotFound(string name) => ConnectionNotFound(name, namedInAnotherRunspace: false);

        /// <summary>
        /// As above; <paramref name="namedInAnotherRunspace"/> when another runspace of this process has
        /// a connection of that name (ForEach-Object -Parallel, a thread job): names are per runspace,
        /// so the object has to be passed in, not created again.
        /// </summary>
        public static CaxtonException ConnectionNotFound(string name, bool namedInAnotherRunspace) =>
            new CaxtonException(
                CaxtonErrorIds.ConnectionNotFound,
                CaxtonErrorKind.NotFound,
                namedInAnotherRunspace
                    ? $"There is no Caxton connection named '{name}' in this runspace: connection names belong to the runspace that made them, and this one (ForEach-Object -Parallel, a thread job) is another."
                    : $"There is no Caxton connection named '{name}' in this runspace.")
            {
                RecommendedAction = namedInAnotherRunspace
                    ? $"Pass the connection object in: $conn = Get-CaxtonConnection -Name {CommandText.SingleQuoted(name)} before the parallel block, then -Connection $using:conn inside it."
                    : $"Create it with Connect-Caxton -Name {CommandText.SingleQuoted(name)}, or list this runspace's connections with Get-CaxtonConnection -ListAvailable.",
            };

        /// <summary>Connect-Caxton -CertificateAuthority that is no certificate, or given with -SkipCertificateCheck.</summary>
        public static CaxtonException InvalidCertificateAuthority(string message) =>
            new CaxtonException(CaxtonErrorIds.InvalidCertificateAuthority, CaxtonErrorKind.InvalidArgument, message)
            {
                RecommendedAction = "Export the root certificate (Base64 .cer/.pem or DER) and give its path, or pass an X509Certificate2.",
            };

        /// <summary>
        /// What the user can do next, for ErrorDetails.RecommendedAction: the raiser's own words for
        /// the situation, else the ErrorId's general next step.
        /// </summary>
        public string? RecommendedAction
        {
            get => recommendedAction ?? CaxtonErrorIds.RecommendedActionFor(ErrorId);
            internal set => recommendedAction = value;
        }

        private string? recommendedAction;

        /// <summary>
        /// The one "no connection to use" failure: nothing connected and no CAXTON_* variable, or the
        /// last Connect-Caxton for this slot failed (<paramref name="failedConnect"/> says how). Nothing
        /// is ever sent to a host the user did not name.
        /// </summary>
        public static CaxtonException NotConnected(string? slotName, string? failedConnect)
        {
            var slot = slotName is null ? "This runspace has no Caxton connection" : $"This runspace has no Caxton connection named '{slotName}'";
            var why = failedConnect is null
                ? $"{slot}: run Connect-Caxton first, or set {CaxtonEnvironment.BaseUriVariable} or {CaxtonEnvironment.EnvironmentVariable} (with {ClientCredential.UsernameVariable} and {ClientCredential.ClientPasswordVariable}). Nothing was sent."
                : $"{slot}: the last Connect-Caxton{(slotName is null ? string.Empty : $" -Name {CommandText.SingleQuoted(slotName)}")} failed ({failedConnect.TrimEnd('.')}), so no earlier connection is used in its place. Nothing was sent.";
            return new CaxtonException(CaxtonErrorIds.NotConnected, CaxtonErrorKind.InvalidOperation, why)
            {
                RecommendedAction = failedConnect is null
                    ? null
                    : $"Fix what made Connect-Caxton fail and run it again{(slotName is null ? string.Empty : $" with -Name {CommandText.SingleQuoted(slotName)}")}; under $ErrorActionPreference = 'Stop' a failed connect ends the runbook at once.",
            };
        }
    }
}
