using System.Collections.Generic;

namespace Caxton.Probe
{
    /// <summary>One checkable decision of docs/contract.md: its stable id, what it says, and whose it is.</summary>
    internal sealed class ContractDecision
    {
        public ContractDecision(string id, string expected, bool documented, string? needs = null)
        {
            Id = id;
            Expected = expected;
            Documented = documented;
            Needs = needs;
        }

        public string Id { get; }

        public string Expected { get; }

        public bool Documented { get; }

        /// <summary>The switch that enables its check, when the default checks do not.</summary>
        public string? Needs { get; }
    }

    /// <summary>
    /// The decisions Test-CaxtonContract checks, in the order docs/contract.md gives them, by the ids it
    /// marks (a Pester test keeps the two in step); a report names them, so they never change meaning.
    /// </summary>
    internal static class ContractDecisions
    {
        public const string TokenResponse = "token-response";
        public const string TokenType = "token-type";
        public const string TokenExpiresIn = "token-expires-in";
        public const string TokenError = "token-error";
        public const string Envelope = "envelope";
        public const string StatusTriple = "status-triple";
        public const string ApiError = "api-error";
        public const string ApiUnauthorized = "api-unauthorized";
        public const string ApiNotFound = "api-not-found";
        public const string SupportReference = "support-reference";
        public const string DateFormat = "date-format";
        public const string ResetPath = "reset-path";
        public const string ResetAnonymous = "reset-anonymous";
        public const string ResetVoidsPassword = "reset-voids-password";
        public const string ResetEndsTokens = "reset-ends-tokens";
        public const string GenerateWhileActive = "generate-while-active";
        public const string TokenRateLimit = "token-rate-limit";

        public const string ResetSwitch = "-Reset";
        public const string GenerateSwitch = "-GenerateWhileActive";
        public const string RateLimitSwitch = "-TokenRateLimit";

        public static readonly IReadOnlyList<ContractDecision> All = new[]
        {
            new ContractDecision(DateFormat, "StartDate and EndDate carry seven fractional digits and a Z.", documented: true, needs: ResetSwitch),
            new ContractDecision(GenerateWhileActive, "Generate Password while a password is active is refused (HTTP 4xx, or HTTP 200 with a failing ApiStatus), and the active password keeps working.", documented: false, needs: GenerateSwitch),
            new ContractDecision(TokenResponse, "POST token with a valid credential answers HTTP 200 with the JSON member access_token (token_type and expires_in beside it).", documented: true),
            new ContractDecision(TokenType, "token_type is bearer.", documented: true),
            new ContractDecision(TokenExpiresIn, "expires_in is a whole number of seconds (30 days by default).", documented: true),
            new ContractDecision(TokenError, "A refused token request is HTTP 400 with OAuth members error (invalid_grant for a wrong password) and error_description.", documented: false),
            new ContractDecision(ResetPath, "Reset Client Credentials is PUT {base}clients/auth/reset (or the connection's -ResetPath) with a JSON body; it answers the envelope with the status triple and no password.", documented: false, needs: ResetSwitch),
            new ContractDecision(ResetAnonymous, "A main-account reset needs no token.", documented: false, needs: ResetSwitch),
            new ContractDecision(ResetVoidsPassword, "After a reset the old password is refused at the token endpoint (with invalid_grant, as any wrong password: see token-error).", documented: false, needs: ResetSwitch),
            new ContractDecision(ResetEndsTokens, "A token issued before a reset stops working (HTTP 401, or 403), also once a new password is generated.", documented: false, needs: ResetSwitch),
            new ContractDecision(Envelope, "Answers carry Content.Model beside Content.ExpectedResponses; the model holds ApiStatusCode (a number), ApiStatus and ApiStatusDescription.", documented: true),
            new ContractDecision(StatusTriple, "Success is 100 / IsValid / Valid Operation, with the ApiStatus listed in ExpectedResponses.", documented: true),
            new ContractDecision(ApiError, "An API call Caxton refuses is answered in the envelope with a failing status triple (HTTP 4xx, or HTTP 200 with an ApiStatus not expected).", documented: false),
            new ContractDecision(SupportReference, "Error answers carry a Date header and a request-id header (x-request-id, request-id, x-ms-request-id, x-correlation-id, x-amzn-requestid).", documented: false),
            new ContractDecision(ApiUnauthorized, "An API call with an invalid bearer token is HTTP 401.", documented: false),
            new ContractDecision(ApiNotFound, "An unknown API path is HTTP 404.", documented: false),
            new ContractDecision(TokenRateLimit, "The token endpoint answers at least 10 requests a minute from one client; a limit is signalled by HTTP 429 with Retry-After.", documented: false, needs: RateLimitSwitch),
        };
    }
}
