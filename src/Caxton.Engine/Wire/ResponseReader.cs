using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Caxton.Transport;

namespace Caxton.Wire
{
    /// <summary>The token endpoint's success body.</summary>
    internal readonly struct TokenResponse
    {
        public TokenResponse(string accessToken, string tokenType, long expiresIn)
        {
            AccessToken = accessToken;
            TokenType = tokenType;
            ExpiresIn = expiresIn;
        }

        public string AccessToken { get; }

        public string TokenType { get; }

        public long ExpiresIn { get; }
    }

    /// <summary>
    /// Turns responses into models or into one <see cref="CaxtonException"/>. Never lets a JSON or
    /// format exception escape, and never puts the body itself into a message.
    /// </summary>
    internal static class ResponseReader
    {
        /// <summary>A SecureString holds at most this many characters; no real secret comes near it.</summary>
        public const int MaxSecretLength = 65536;

        /// <summary>A hundred years: beyond it, ExpiresOn cannot even be represented.</summary>
        public const long MaxExpiresIn = 100L * 365 * 24 * 3600;

        /// <summary>Generate Password's answer: the model and its ClientPassword, which must be there.</summary>
        public static (ApiModel Model, string ClientPassword) ReadClientPassword(HttpExchange response)
        {
            var model = ReadEnvelope(response);
            var password = model.GetString("ClientPassword");
            if (string.IsNullOrEmpty(password))
            {
                throw InvalidResponse(response, "it is valid but carries no ClientPassword");
            }

            if (password!.Length > MaxSecretLength)
            {
                throw InvalidResponse(response, "its ClientPassword is longer than any password can be held");
            }

            return (model, password);
        }

        /// <summary>A sub-account's Username or Name longer than this is not a name.</summary>
        public const int MaxNameLength = 256;

        /// <summary>
        /// Create Subsidiary Account's answer: the new sub-account's Username and Name (its Clientname),
        /// which must be there, be names, and repeat no secret of the request.
        /// </summary>
        public static CaxtonSubAccount ReadSubAccount(HttpExchange response, string email)
        {
            var model = ReadEnvelope(response);
            var username = RequiredName(response, model, "Username");
            var clientname = RequiredName(response, model, "Name");
            var status = new ApiStatusTriple(model.Status.Code, Redact(model.Status.Name, response), Redact(model.Status.Description, response));
            return new CaxtonSubAccount(username, clientname, email, status);
        }

        private static string RequiredName(HttpExchange response, ApiModel model, string member)
        {
            var value = model.GetString(member);
            if (string.IsNullOrWhiteSpace(value))
            {
                throw InvalidResponse(response, $"it is valid but carries no {member}");
            }

            foreach (var c in value!)
            {
                if (char.IsControl(c))
                {
                    throw InvalidResponse(response, $"its {member} holds control characters");
                }
            }

            if (value.Length > MaxNameLength)
            {
                throw InvalidResponse(response, $"its {member} is longer than any name");
            }

            if (!string.Equals(Redactor.Redact(value, response.Secrets), value, StringComparison.Ordinal))
            {
                throw InvalidResponse(response, $"its {member} repeats a secret of the request");
            }

            return value;
        }

        /// <summary>Reads <c>Content.Model</c>; fails unless HTTP is 2xx and ApiStatus is expected.</summary>
        public static ApiModel ReadEnvelope(HttpExchange response)
        {
            var root = TryParse(response.Body);
            var model = root.HasValue ? TryReadModel(root.Value) : null;

            if (response.IsSuccess && model != null && model.StatusIsExpected)
            {
                return model;
            }

            if (model?.Status.Name != null)
            {
                throw StatusNotValid(response, model);
            }

            if (!response.IsSuccess)
            {
                throw HttpFailure(response, root);
            }

            throw InvalidResponse(response, root.HasValue ? "it carries no Content.Model with an ApiStatus" : "it is not JSON");
        }

        /// <summary>
        /// Any API response: an envelope is checked like <see cref="ReadEnvelope"/> and gives its model
        /// (or, raw, the whole body); JSON without an envelope is given as it is; an empty 2xx gives null.
        /// </summary>
        public static JsonElement? ReadApiResponse(HttpExchange response, bool raw)
        {
            var root = TryParse(response.Body);
            var model = root.HasValue ? TryReadModel(root.Value) : null;
            if (model?.Status.Name != null && !(response.IsSuccess && model.StatusIsExpected))
            {
                throw StatusNotValid(response, model);
            }

            if (!response.IsSuccess)
            {
                throw HttpFailure(response, root);
            }

            if (!root.HasValue)
            {
                return response.Body.Length == 0 ? (JsonElement?)null : throw InvalidResponse(response, "it is not JSON");
            }

            return raw || model is null ? root : model.Element;
        }

        public static TokenResponse ReadToken(HttpExchange response)
        {
            var root = TryParse(response.Body);
            if (!response.IsSuccess)
            {
                if (root.HasValue && TryGetString(root.Value, "error") is string error)
                {
                    throw OAuthFailure(response, error, TryGetString(root.Value, "error_description"));
                }

                throw HttpFailure(response, root);
            }

            if (!root.HasValue)
            {
                throw InvalidResponse(response, "it is not JSON");
            }

            var accessToken = TryGetString(root.Value, "access_token");
            if (string.IsNullOrEmpty(accessToken))
            {
                throw InvalidResponse(response, "it has no access_token");
            }

            if (accessToken!.Length > MaxSecretLength)
            {
                throw InvalidResponse(response, "its access_token is longer than any token can be held");
            }

            if (!HeaderValues.IsSafe(accessToken))
            {
                // It could never be sent as it is, and a CR or LF in it could split our own request.
                throw InvalidResponse(response, "its access_token holds characters that cannot go into an Authorization header");
            }

            var tokenType = TryGetString(root.Value, "token_type");
            if (!string.IsNullOrEmpty(tokenType) && !string.Equals(tokenType, "bearer", StringComparison.OrdinalIgnoreCase))
            {
                // Only bearer tokens are sent as Bearer; a mac or other token needs what the module does not do.
                throw InvalidResponse(response, $"its token_type is {(tokenType!.Length <= 32 && HeaderValues.IsSafe(tokenType) ? "'" + Redact(tokenType, response) + "'" : "unreadable")}, not bearer");
            }

            var expiresIn = Json.GetInt64(root.Value, "expires_in");
            if (expiresIn is null || expiresIn.Value <= 0 || expiresIn.Value > MaxExpiresIn)
            {
                throw InvalidResponse(response, "it has no expires_in between 1 second and 100 years");
            }

            return new TokenResponse(accessToken!, string.IsNullOrEmpty(tokenType) ? "bearer" : tokenType!, expiresIn.Value);
        }

        /// <summary>Reads the envelope of any response, without judging it (for the raw view and for errors).</summary>
        public static ApiModel? TryReadModel(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            // Documented: Content.Model plus Content.ExpectedResponses. Tolerated: a bare model at the root.
            var container = Json.TryGetMember(root, "Content", out var content) && content.ValueKind == JsonValueKind.Object ? content : root;
            var expected = ReadExpected(container);
            if (Json.TryGetMember(container, "Model", out var model) && model.ValueKind == JsonValueKind.Object)
            {
                return new ApiModel(model, expected);
            }

            return Json.TryGetMember(container, "ApiStatus", out _) ? new ApiModel(container, expected) : null;
        }

        public static JsonElement? TryParse(byte[] body)
        {
            if (body.Length == 0 || !IsUtf8(body))
            {
                return null;
            }

            try
            {
                using (var document = JsonDocument.Parse(body, Json.DocumentOptions))
                {
                    return IsReadable(document.RootElement) ? document.RootElement.Clone() : (JsonElement?)null;
                }
            }
            catch (JsonException)
            {
                return null;
            }
            catch (ArgumentException)
            {
                // Invalid UTF-8 surfaces as ArgumentException on some versions.
                return null;
            }
        }

        /// <summary>
        /// JsonDocument accepts escapes such as a lone "\ud800" and fails only when the string is read.
        /// Read every name and string once here, so nothing later can fail that way.
        /// </summary>
        private static bool IsReadable(JsonElement element)
        {
            try
            {
                switch (element.ValueKind)
                {
                    case JsonValueKind.Object:
                        foreach (var property in element.EnumerateObject())
                        {
                            _ = property.Name;
                            if (!IsReadable(property.Value))
                            {
                                return false;
                            }
                        }

                        return true;
                    case JsonValueKind.Array:
                        foreach (var item in element.EnumerateArray())
                        {
                            if (!IsReadable(item))
                            {
                                return false;
                            }
                        }

                        return true;
                    case JsonValueKind.String:
                        _ = element.GetString();
                        return true;
                    default:
                        return true;
                }
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, true);

        /// <summary>JsonDocument accepts invalid UTF-8 inside strings and fails later, when a name is read.</summary>
        private static bool IsUtf8(byte[] body)
        {
            try
            {
                StrictUtf8.GetCharCount(body);
                return true;
            }
            catch (DecoderFallbackException)
            {
                return false;
            }
        }

        private static IReadOnlyList<string> ReadExpected(JsonElement container)
        {
            if (!Json.TryGetMember(container, "ExpectedResponses", out var list))
            {
                return Array.Empty<string>();
            }

            var names = new List<string>();
            if (list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String && item.GetString() is string name)
                    {
                        names.Add(name);
                    }
                }
            }
            else if (list.ValueKind == JsonValueKind.String && list.GetString() is string single)
            {
                names.Add(single);
            }

            return names;
        }

        private static string? TryGetString(JsonElement element, string name) =>
            Json.TryGetMember(element, name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static CaxtonException StatusNotValid(HttpExchange response, ApiModel model)
        {
            var http = response.IsSuccess ? string.Empty : $" with HTTP {response.Status}";
            var exists = IsAlreadyExists(model.Status.Name);
            var kind = exists ? CaxtonErrorKind.ResourceExists : response.IsSuccess ? CaxtonErrorKind.InvalidOperation : KindOf(response.Status);
            var status = new ApiStatusTriple(model.Status.Code, Redact(model.Status.Name, response), Redact(model.Status.Description, response));
            return Stamp(response, new CaxtonException(
                CaxtonErrorIds.ApiStatusNotValid,
                kind,
                Sentence($"{response.Operation} failed{http}: Caxton answered {Quoted(status.ToString())}"))
            {
                HttpStatus = response.Status,
                ApiStatusCode = status.Code,
                ApiStatus = status.Name,
                ApiStatusDescription = status.Description,
                RecommendedAction = response.Status == 401 ? "Get a new token with Get-CaxtonToken -Force."
                    : exists && response.Operation == CaxtonRequests.GeneratePassword ? "A client password is already active for this client. To replace it, run Reset-CaxtonCredential, then New-CaxtonPassword; to keep using it, pass it to Get-CaxtonToken -Credential."
                    : exists && response.Operation == CaxtonRequests.CreateSubsidiaryAccount ? "A sub-account for this company exists already: nothing was created. Use the existing sub-account (its Username and Clientname, with New-CaxtonPassword), or give another -CompanyName."
                    : StatusHint(status.Name, response),
            });
        }

        /// <summary>
        /// The next step for a failing ApiStatus that names what was wrong: the client (Username and
        /// Clientname do not match) or the IdentityNumber (not one of the caller's sub-accounts).
        /// </summary>
        private static string? StatusHint(string? apiStatus, HttpExchange response)
        {
            if (apiStatus is null)
            {
                return null;
            }

            if (apiStatus.IndexOf("IdentityNumber", StringComparison.OrdinalIgnoreCase) >= 0 || apiStatus.IndexOf("SubAccount", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return "Check -IdentityNumber: it must be one of the main account's own sub-accounts, and the call must be made with the main account's credential.";
            }

            if (apiStatus.IndexOf("MainAccount", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return "Only a main account can do this: make the call with the main account's credential (Connect-Caxton -Credential), not a sub-account's.";
            }

            if (apiStatus.IndexOf("Client", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return response.Operation == CaxtonRequests.ResetClientCredentials || response.Operation == CaxtonRequests.GeneratePassword
                    ? "Check -Username and -Clientname: Caxton matches them exactly (case included) against the account it gave out."
                    : "Check the Username and Clientname the call named: Caxton matches them exactly (case included).";
            }

            return null;
        }

        /// <summary>An ApiStatus that says the thing asked for exists already, e.g. the emulator's PasswordAlreadyGenerated.</summary>
        private static bool IsAlreadyExists(string? apiStatus) =>
            apiStatus != null
            && (apiStatus.IndexOf("AlreadyGenerated", StringComparison.OrdinalIgnoreCase) >= 0
                || apiStatus.IndexOf("AlreadyExists", StringComparison.OrdinalIgnoreCase) >= 0);

        private static CaxtonException OAuthFailure(HttpExchange response, string error, string? description)
        {
            error = Redact(error, response)!;
            description = Redact(description, response);
            var invalidGrant = string.Equals(error, "invalid_grant", StringComparison.Ordinal);
            var detail = string.IsNullOrEmpty(description) ? string.Empty : " " + description;
            return Stamp(response, new CaxtonException(
                invalidGrant ? CaxtonErrorIds.InvalidCredentials : CaxtonErrorIds.TokenRequestRejected,
                invalidGrant ? CaxtonErrorKind.Authentication : KindOf(response.Status),
                Sentence($"{response.Operation} failed: {Quoted(error + "." + detail)}"))
            {
                HttpStatus = response.Status,
                OAuthError = error,
                OAuthErrorDescription = description,
                RecommendedAction = invalidGrant
                    ? "Check the Username and ClientPassword. A client password lasts about 30 days from New-CaxtonPassword; after Reset-CaxtonCredential, run New-CaxtonPassword again."
                    : null,
            });
        }

        private static CaxtonException HttpFailure(HttpExchange response, JsonElement? root)
        {
            // The exchange redacts its reason phrase when it is first read.
            var reason = string.IsNullOrEmpty(response.ReasonPhrase) ? string.Empty : " " + Quoted(response.ReasonPhrase);
            var message = Quoted(Redact(root.HasValue ? TryGetString(root.Value, "Message") : null, response));
            var detail = string.IsNullOrEmpty(message) ? string.Empty : " " + message;
            if (response.Status == 401)
            {
                return Stamp(response, new CaxtonException(
                    CaxtonErrorIds.Unauthorized,
                    CaxtonErrorKind.Authentication,
                    Sentence($"{response.Operation} failed: HTTP 401{reason} from {response.Method} {response.Uri}.{detail}"))
                {
                    HttpStatus = 401,
                    RecommendedAction = "The token is missing, expired or revoked: get a new one with Get-CaxtonToken -Force.",
                });
            }

            return Stamp(response, new CaxtonException(
                CaxtonErrorIds.HttpError,
                KindOf(response.Status),
                Sentence($"{response.Operation} failed: HTTP {response.Status}{reason} from {response.Method} {response.Uri}.{detail}"))
            {
                HttpStatus = response.Status,
                RecommendedAction = HttpErrorHint(response),
            });
        }

        /// <summary>The next step for an HTTP failure, by what its status says about who must act.</summary>
        private static string? HttpErrorHint(HttpExchange response)
        {
            switch (response.Status)
            {
                case 404:
                    return NotFoundHint(response)
                        ?? $"Caxton has nothing at {response.Uri.AbsolutePath}: check the path against Caxton's API reference (it is relative to the base URI, for example reference/lookup/banks/GBP).";
                case 405:
                    return $"Caxton does not accept {response.Method} at {response.Uri.AbsolutePath}: check -Method (and the path) against Caxton's API reference.";
                case 429:
                case 503:
                    return "Caxton is busy or unavailable; requests safe to repeat were already retried. Try again later (or allow more retries with Connect-Caxton -MaximumRetryCount), and quote the support reference to Caxton if it persists.";
                default:
                    return response.Status >= 500
                        ? "Caxton failed on its side: try again later, and quote the support reference (the response's Date and request id, at the end of the message) to Caxton if it persists."
                        : null;
            }
        }

        /// <summary>A 404 from an auth endpoint almost always means a wrong base URI, typically one without /api/.</summary>
        private static string? NotFoundHint(HttpExchange response)
        {
            var auth = response.Operation == CaxtonRequests.GetAccessToken
                || response.Operation == CaxtonRequests.GeneratePassword
                || response.Operation == CaxtonRequests.ResetClientCredentials;
            if (!auth)
            {
                return null;
            }

            var noApi = response.Uri.AbsolutePath.IndexOf("/api/", StringComparison.OrdinalIgnoreCase) < 0;
            return noApi
                ? $"The base URI {response.Uri.GetLeftPart(UriPartial.Authority)}/ has no /api/ path, where Caxton's endpoints live. Connect with the API base, for example Connect-Caxton -BaseUri {response.Uri.GetLeftPart(UriPartial.Authority)}/api/."
                : "Check the base URI given to Connect-Caxton: it should be the API base, ending in /api/.";
        }

        private static CaxtonException InvalidResponse(HttpExchange response, string why) =>
            Stamp(response, new CaxtonException(
                CaxtonErrorIds.InvalidResponse,
                CaxtonErrorKind.InvalidResponse,
                $"{response.Operation} failed: the response to {response.Method} {response.Uri} (HTTP {response.Status}) could not be read: {why}.")
            {
                HttpStatus = response.Status,
                RecommendedAction = "Check that the base URI points at the Caxton API (it ends in /api/).",
            });

        /// <summary>Adds what a user quotes to Caxton support: the response's Date and request id.</summary>
        private static CaxtonException Stamp(HttpExchange response, CaxtonException exception)
        {
            exception.ResponseDate = response.ResponseDate;
            exception.RequestId = response.RequestId;
            exception.ResponseBody = response.Body.Length == 0 ? null : response.RedactedBody;
            if (response.ResponseDate is DateTimeOffset date)
            {
                exception.Data["Date"] = date;
            }

            if (response.RequestId != null)
            {
                exception.Data["RequestId"] = response.RequestId;
            }

            return exception;
        }

        /// <summary>Ends a message with exactly one full stop, whatever the server text it ends with.</summary>
        private static string Sentence(string text)
        {
            var trimmed = text.TrimEnd();
            return trimmed.EndsWith(".", StringComparison.Ordinal) || trimmed.EndsWith("!", StringComparison.Ordinal) || trimmed.EndsWith("?", StringComparison.Ordinal)
                ? trimmed
                : trimmed + ".";
        }

        /// <summary>Server text reaches messages only through the redactor, with the request's own secrets.</summary>
        private static string? Redact(string? serverText, HttpExchange response) =>
            serverText is null ? null : Redactor.Redact(serverText, response.RedactionSecrets);

        /// <summary>Redacted server text as a message quotes it: at most <see cref="CaxtonException.MaxServerTextInMessage"/> characters.</summary>
        private static string? Quoted(string? redacted) =>
            redacted is null ? null : Redactor.Shorten(redacted, CaxtonException.MaxServerTextInMessage, "; the whole response is in the error's Exception.ResponseBody");

        internal static CaxtonErrorKind KindOf(int status)
        {
            switch (status)
            {
                case 400:
                case 405:
                case 415:
                case 422:
                    return CaxtonErrorKind.InvalidArgument;
                case 401:
                    return CaxtonErrorKind.Authentication;
                case 403:
                    return CaxtonErrorKind.PermissionDenied;
                case 404:
                    return CaxtonErrorKind.NotFound;
                case 409:
                    return CaxtonErrorKind.ResourceExists;
                case 408:
                case 504:
                    return CaxtonErrorKind.Timeout;
                case 429:
                    return CaxtonErrorKind.LimitsExceeded;
                default:
                    return status >= 500 ? CaxtonErrorKind.ServiceUnavailable : CaxtonErrorKind.InvalidOperation;
            }
        }
    }
}
