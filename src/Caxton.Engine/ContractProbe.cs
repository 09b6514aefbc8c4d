using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Caxton.Probe;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton
{
    /// <summary>
    /// Test-CaxtonContract's engine: checks the checkable decisions of docs/contract.md against the
    /// server a connection points at, one <see cref="ContractCheck"/> per decision. By default it sends
    /// only what cannot change the account (a token request with the held credential, one with a wrong
    /// password, GETs of the reference endpoint, an unknown path); the reset, the generate and the rate
    /// test run only when <see cref="ContractProbeOptions"/> asks. Each request is sent once (no retries),
    /// so every answer is the server's own. Evidence holds status codes, member and header names and
    /// timings, never a value from a body, and passes the redactor with every secret the run handled.
    /// </summary>
    public sealed class ContractProbe
    {
        /// <summary>The fewest token requests a minute a limit may allow before the decision is contradicted.</summary>
        public const int MinimumTokenRequestsPerMinute = 10;

        private const string ApiOperation = "Caxton API";
        private const string ReferencePath = "reference/lookup/banks/GBP";
        private const string RefusedReferencePath = "reference/lookup/banks/ZZZ";

        // The documented date form: seven fractional digits and a Z.
        private static readonly Regex DocumentedDate = new Regex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$", RegexOptions.CultureInvariant);
        private static readonly Regex AnyIsoDate = new Regex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.(?<fraction>\d+))?(?<zone>Z|[+-]\d{2}:?\d{2})?$", RegexOptions.CultureInvariant);

        private readonly CaxtonConnection connection;
        private readonly ContractProbeOptions options;

        public ContractProbe(CaxtonConnection connection, ContractProbeOptions? options = null)
        {
            this.connection = connection ?? throw new ArgumentNullException(nameof(connection));
            this.options = options ?? new ContractProbeOptions();
            if ((this.options.Reset || this.options.GenerateWhileActive) && string.IsNullOrWhiteSpace(this.options.Clientname))
            {
                throw new CaxtonException(CaxtonErrorIds.ClientnameRequired, CaxtonErrorKind.InvalidArgument, "The reset and generate checks name the account by its Username and Clientname: give -Clientname.");
            }
        }

        /// <summary>The ids of the decisions checked, in report order; docs/contract.md marks each.</summary>
        public static IReadOnlyList<string> DecisionIds { get; } = ContractDecisions.All.Select(d => d.Id).ToArray();

        public ContractProbeOptions Options => options;

        /// <summary>Runs the checks; one result per decision, in <see cref="DecisionIds"/> order.</summary>
        public Task<IReadOnlyList<ContractCheck>> RunAsync(ICaxtonLog log, CancellationToken cancellationToken) =>
            new Run(connection, options, log, cancellationToken).ExecuteAsync();

        /// <summary>One run's state: what was observed, the secrets handled, what was found.</summary>
        private sealed class Run
        {
            private readonly CaxtonConnection connection;
            private readonly ContractProbeOptions options;
            private readonly ICaxtonLog log;
            private readonly CancellationToken cancellationToken;
            private readonly CaxtonTransport transport;
            private readonly List<string> secrets = new List<string>();
            private readonly List<Observation> observations = new List<Observation>();
            private readonly Dictionary<string, (ContractCheckStatus Status, string Evidence)> found = new Dictionary<string, (ContractCheckStatus, string)>(StringComparer.Ordinal);
            private string username = string.Empty;
            private string password = string.Empty;

            // A working token of the current password; a new password ends it (as far as we know).
            private string? liveToken;

            public Run(CaxtonConnection connection, ContractProbeOptions options, ICaxtonLog log, CancellationToken cancellationToken)
            {
                this.connection = connection;
                this.options = options;
                this.log = log;
                this.cancellationToken = cancellationToken;
                transport = connection.ProbeTransport();
            }

            private Uri BaseUri => connection.BaseUri;

            public async Task<IReadOnlyList<ContractCheck>> ExecuteAsync()
            {
                var held = connection.HeldCredential ?? throw new CaxtonException(
                    CaxtonErrorIds.NoClientCredential,
                    CaxtonErrorKind.InvalidOperation,
                    $"The connection '{connection.Name}' holds no client credential to test the contract with.")
                {
                    RecommendedAction = "Run Connect-Caxton -Credential (Username and ClientPassword), or New-CaxtonPassword, then Test-CaxtonContract.",
                };
                username = held.Username;
                password = Secrets.ToPlainText(held.ClientPassword);
                secrets.Add(password);

                var token = await TokenAsync("POST token (held credential)", password).ConfigureAwait(false);
                if (token.Failure != null && (token.Failure.Kind == CaxtonErrorKind.ConnectionFailed || token.Failure.Kind == CaxtonErrorKind.Timeout))
                {
                    // Nothing answers: there is no contract to report on, only this error.
                    throw token.Failure;
                }

                var accessToken = CheckToken(token);
                liveToken = accessToken;

                var wrong = "caxton-probe-" + Guid.NewGuid().ToString("N");
                CheckTokenError(await TokenAsync("POST token (wrong password)", wrong).ConfigureAwait(false));

                if (accessToken != null)
                {
                    var reference = await ApiAsync("GET " + ReferencePath, ReferencePath, accessToken).ConfigureAwait(false);
                    CheckEnvelope(reference);
                    CheckStatusTriple(reference);
                    CheckApiError(await ApiAsync("GET " + RefusedReferencePath, RefusedReferencePath, accessToken).ConfigureAwait(false));
                    var unknownPath = "caxton-contract-probe/unknown-" + Guid.NewGuid().ToString("N").Substring(0, 8);
                    CheckNotFound(await ApiAsync("GET an unknown path", unknownPath, accessToken).ConfigureAwait(false));
                }
                else
                {
                    foreach (var id in new[] { ContractDecisions.Envelope, ContractDecisions.StatusTriple, ContractDecisions.ApiError, ContractDecisions.ApiNotFound })
                    {
                        Set(id, ContractCheckStatus.Unknown, "not checked: no access token (see token-response)");
                    }
                }

                var invalid = "caxton-probe-invalid-" + Guid.NewGuid().ToString("N");
                CheckUnauthorized(await ApiAsync("GET " + ReferencePath + " (invalid token)", ReferencePath, invalid).ConfigureAwait(false));
                CheckSupportReference();

                if (options.GenerateWhileActive)
                {
                    await GenerateWhileActiveAsync().ConfigureAwait(false);
                }

                if (options.Reset)
                {
                    await ResetAsync().ConfigureAwait(false);
                }

                if (options.TokenRateLimit)
                {
                    await RateLimitAsync().ConfigureAwait(false);
                }

                return ContractDecisions.All.Select(Result).ToList();
            }

            private ContractCheck Result(ContractDecision decision)
            {
                var (status, evidence) = found.TryGetValue(decision.Id, out var finding)
                    ? finding
                    : (ContractCheckStatus.Unknown, decision.Needs is null ? "not checked" : $"not checked: needs {decision.Needs}");

                // Every piece of evidence passes the one redactor, with every secret this run handled.
                return new ContractCheck(decision.Id, status, Redactor.Redact(evidence, secrets), decision.Expected, decision.Documented);
            }

            private void Set(string id, ContractCheckStatus status, string evidence) => found[id] = (status, evidence);

            private void Set(string id, bool confirmed, string evidence) =>
                Set(id, confirmed ? ContractCheckStatus.Confirmed : ContractCheckStatus.Contradicted, evidence);

            // Sending: once each, through the connection's HTTP clients without retries.

            private async Task<Observation> SendAsync(string request, Func<HttpRequestMessage> build, string operation, string? secret)
            {
                try
                {
                    var exchange = await transport.SendAsync(build, operation, RequestSafety.Idempotent, connection.Timeout, log, cancellationToken, secret).ConfigureAwait(false);
                    var observation = new Observation(request, exchange);
                    observations.Add(observation);
                    return observation;
                }
                catch (CaxtonException failure)
                {
                    log.Verbose($"Test-CaxtonContract: {request}: {failure.ErrorId}.");
                    return new Observation(request, failure);
                }
            }

            private Task<Observation> TokenAsync(string request, string clientPassword) =>
                SendAsync(request, () => CaxtonRequests.Token(BaseUri, username, clientPassword), CaxtonRequests.GetAccessToken, clientPassword);

            private Task<Observation> ApiAsync(string request, string path, string bearer) =>
                SendAsync(request, () => CaxtonRequests.Api(BaseUri, HttpMethod.Get, path, null, null, null, bearer), ApiOperation, bearer);

            private Task<Observation> RegisterAsync(string request) =>
                SendAsync(request, () => CaxtonRequests.Register(BaseUri, username, options.Clientname!), CaxtonRequests.GeneratePassword, password);

            private Task<Observation> ResetRequestAsync(string request, string? bearer) =>
                SendAsync(request, () => CaxtonRequests.Reset(BaseUri, connection.ResetPath, username, options.Clientname!, null, bearer), CaxtonRequests.ResetClientCredentials, password);

            // The default checks.

            /// <summary>token-response, token-type, token-expires-in; returns the access token when usable.</summary>
            private string? CheckToken(Observation token)
            {
                var ids = new[] { ContractDecisions.TokenResponse, ContractDecisions.TokenType, ContractDecisions.TokenExpiresIn };
                if (!token.Answered || (token.Status == 400 && token.TopString("error") == "invalid_grant"))
                {
                    var why = token.Answered
                        ? $"{token.Describe()}: the held credential was refused; connect with a working one and run again"
                        : token.Describe();
                    foreach (var id in ids)
                    {
                        Set(id, ContractCheckStatus.Unknown, why);
                    }

                    if (token.Answered)
                    {
                        log.Warning($"Test-CaxtonContract: the token endpoint refused the credential the connection holds for '{username}' (invalid_grant); most checks need a working one.");
                    }

                    return null;
                }

                if (token.Status != 200 || !token.IsObject)
                {
                    Set(ids[0], false, token.Describe());
                    Set(ids[1], ContractCheckStatus.Unknown, "no token answer (see token-response)");
                    Set(ids[2], ContractCheckStatus.Unknown, "no token answer (see token-response)");
                    return null;
                }

                // token_type and expires_in are decisions of their own, so one difference is reported once.
                var accessToken = token.TopString("access_token");
                Set(ids[0], !string.IsNullOrEmpty(accessToken), token.Describe() + (token.TryTop("access_token", out _) ? string.Empty : "; no access_token"));

                if (token.TryTop("token_type", out var tokenType))
                {
                    var text = tokenType.ValueKind == JsonValueKind.String ? tokenType.GetString() : null;
                    var bearer = string.Equals(text, "bearer", StringComparison.OrdinalIgnoreCase);
                    Set(ids[1], bearer, bearer
                        ? $"token_type '{Observation.Name(text!)}'"
                        : $"token_type is {(text != null && text.Length <= 32 ? "'" + Observation.Name(text) + "'" : Observation.Kind(tokenType))}, not bearer");
                }
                else
                {
                    Set(ids[1], false, "no token_type member (the module then assumes bearer)");
                }

                if (token.TryTop("expires_in", out var expiresIn))
                {
                    if (expiresIn.ValueKind == JsonValueKind.Number && expiresIn.TryGetInt64(out var seconds) && seconds > 0 && seconds <= ResponseReader.MaxExpiresIn)
                    {
                        Set(ids[2], true, string.Format(CultureInfo.InvariantCulture, "expires_in {0} (a JSON number: {1:0.0} days)", seconds, seconds / 86400.0));
                    }
                    else
                    {
                        var readable = Json.GetInt64(token.Root!.Value, "expires_in") is long value && value > 0 && value <= ResponseReader.MaxExpiresIn;
                        Set(ids[2], false, $"expires_in is {Observation.Kind(expiresIn)}{(readable ? "; the module reads it" : ", which the module cannot use")}");
                    }
                }
                else
                {
                    Set(ids[2], false, "no expires_in member");
                }

                if (string.IsNullOrEmpty(accessToken) || !HeaderValues.IsSafe(accessToken!))
                {
                    return null;
                }

                secrets.Add(accessToken!);
                return accessToken;
            }

            private void CheckTokenError(Observation refused)
            {
                if (!refused.Answered)
                {
                    Set(ContractDecisions.TokenError, ContractCheckStatus.Unknown, refused.Describe());
                    return;
                }

                var error = refused.TopString("error");
                var oauth = refused.Status == 400 && error == "invalid_grant" && refused.TryTop("error_description", out _);
                Set(ContractDecisions.TokenError, oauth, refused.Describe() + (error is null ? string.Empty : $"; error '{Observation.Name(error)}'"));
            }

            private void CheckEnvelope(Observation answer)
            {
                if (!answer.Answered || answer.Status != 200)
                {
                    Set(ContractDecisions.Envelope, ContractCheckStatus.Unknown, answer.Describe());
                    return;
                }

                var problems = new List<string>();
                var evidence = answer.Describe();
                if (answer.TryTop("Content", out var content) && content.ValueKind == JsonValueKind.Object)
                {
                    evidence += "; Content members " + Observation.Names(content);
                    if (content.TryGetProperty("Model", out var model) && model.ValueKind == JsonValueKind.Object)
                    {
                        evidence += "; Model members " + Observation.Names(model);
                        if (!(model.TryGetProperty("ApiStatusCode", out var code) && code.ValueKind == JsonValueKind.Number))
                        {
                            problems.Add("no numeric ApiStatusCode");
                        }

                        foreach (var name in new[] { "ApiStatus", "ApiStatusDescription" })
                        {
                            if (!(model.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String))
                            {
                                problems.Add("no " + name);
                            }
                        }
                    }
                    else
                    {
                        problems.Add("no Content.Model");
                    }

                    if (!(content.TryGetProperty("ExpectedResponses", out var expected) && expected.ValueKind == JsonValueKind.Array))
                    {
                        problems.Add("no Content.ExpectedResponses list");
                    }
                }
                else
                {
                    problems.Add(answer.Model is null ? "no Content member" : "no Content member (the status triple is at the root)");
                }

                Set(ContractDecisions.Envelope, problems.Count == 0, problems.Count == 0 ? evidence : evidence + "; " + string.Join(", ", problems));
            }

            private void CheckStatusTriple(Observation answer)
            {
                var model = answer.Model;
                if (!answer.Answered || !answer.Exchange!.IsSuccess || model is null)
                {
                    Set(ContractDecisions.StatusTriple, ContractCheckStatus.Unknown, answer.Describe() + (model is null ? "; no status triple found" : string.Empty));
                    return;
                }

                var status = model.Status;
                var valid = status.Code == 100 && status.Name == "IsValid" && status.Description == "Valid Operation" && model.StatusIsExpected;
                Set(ContractDecisions.StatusTriple, valid, $"{Triple(model)}, ExpectedResponses [{Observation.List(model.ExpectedResponses)}]");
            }

            private void CheckApiError(Observation answer)
            {
                if (!answer.Answered)
                {
                    Set(ContractDecisions.ApiError, ContractCheckStatus.Unknown, answer.Describe());
                    return;
                }

                var model = answer.Model;
                var exchange = answer.Exchange!;
                if (model?.Status.Name != null && !(exchange.IsSuccess && model.StatusIsExpected))
                {
                    var shaped = exchange.IsSuccess || (exchange.Status >= 400 && exchange.Status < 500);
                    Set(ContractDecisions.ApiError, shaped ? ContractCheckStatus.Confirmed : ContractCheckStatus.Unknown, $"{answer.Describe()}; {Triple(model)}");
                }
                else if (exchange.IsSuccess)
                {
                    Set(ContractDecisions.ApiError, ContractCheckStatus.Unknown, answer.Describe() + ": the call was accepted, so no refusal was seen");
                }
                else
                {
                    Set(ContractDecisions.ApiError, false, answer.Describe() + "; no status triple");
                }
            }

            private void CheckUnauthorized(Observation answer)
            {
                if (!answer.Answered)
                {
                    Set(ContractDecisions.ApiUnauthorized, ContractCheckStatus.Unknown, answer.Describe());
                    return;
                }

                Set(ContractDecisions.ApiUnauthorized, answer.Status == 401, $"{answer.Describe()}; WWW-Authenticate {(answer.HasHeader("WWW-Authenticate") ? "present" : "absent")}");
            }

            private void CheckNotFound(Observation answer)
            {
                if (!answer.Answered || answer.Status == 401)
                {
                    Set(ContractDecisions.ApiNotFound, ContractCheckStatus.Unknown, answer.Describe());
                    return;
                }

                Set(ContractDecisions.ApiNotFound, answer.Status == 404, answer.Describe());
            }

            private void CheckSupportReference()
            {
                var errors = observations.Where(o => o.Answered && !o.Exchange!.IsSuccess).ToList();
                if (errors.Count == 0)
                {
                    Set(ContractDecisions.SupportReference, ContractCheckStatus.Unknown, "no error answer was seen");
                    return;
                }

                var dated = errors.Where(o => o.Exchange!.ResponseDate.HasValue).ToList();
                var idNames = errors.Select(o => CaxtonTransport.RequestIdHeaders.FirstOrDefault(o.HasHeader)).ToList();
                var withId = idNames.Count(name => name != null);
                var evidence = $"{errors.Count} error answers: Date on {dated.Count}, a request-id header on {withId}";
                if (withId > 0)
                {
                    evidence += " (" + string.Join(", ", idNames.Where(name => name != null).Distinct()) + ")";
                }

                if (dated.Count > 0)
                {
                    var skew = dated.Max(o => Math.Abs((o.Exchange!.ResponseDate!.Value - DateTimeOffset.UtcNow).TotalSeconds));
                    evidence += string.Format(CultureInfo.InvariantCulture, "; Date within {0:0} s of this machine's clock", Math.Ceiling(skew));
                }

                var headers = errors.SelectMany(o => o.Exchange!.HeaderNames).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(h => h, StringComparer.OrdinalIgnoreCase).ToList();
                evidence += "; headers seen: " + Observation.List(headers);
                Set(ContractDecisions.SupportReference, dated.Count == errors.Count && withId == errors.Count, evidence);
            }

            // The checks that change the account, each under its own option.

            private async Task GenerateWhileActiveAsync()
            {
                var answer = await RegisterAsync("POST clients/auth/register (a password is active)").ConfigureAwait(false);
                if (!answer.Answered)
                {
                    Set(ContractDecisions.GenerateWhileActive, ContractCheckStatus.Unknown, answer.Describe());
                    return;
                }

                var before = password;
                var issued = TakeNewPassword(answer, "Generate Password while a password was active issued a new one");
                var still = await TokenAsync("POST token (the password active before)", before).ConfigureAwait(false);
                var evidence = $"{answer.Describe()}{(answer.Model is null ? string.Empty : "; " + Triple(answer.Model))}";
                if (issued)
                {
                    Set(ContractDecisions.GenerateWhileActive, false, $"{evidence}: a new ClientPassword was issued; the earlier password then got HTTP {still.Status}");
                    return;
                }

                var refused = answer.Exchange!.Status >= 400 && answer.Exchange.Status < 500
                    || (answer.Exchange.IsSuccess && answer.Model?.Status.Name != null && !answer.Model.StatusIsExpected);
                if (!refused)
                {
                    Set(ContractDecisions.GenerateWhileActive, false, evidence + ": neither a refusal nor a password");
                    return;
                }

                Set(ContractDecisions.GenerateWhileActive, still.Status == 200, $"{evidence}; then {still.Describe()}");
            }

            private async Task ResetAsync()
            {
                var tokenBefore = liveToken ?? CheckedToken(await TokenAsync("POST token (before the reset)", password).ConfigureAwait(false));

                var reset = await ResetRequestAsync($"PUT {connection.ResetPath} (no token)", null).ConfigureAwait(false);
                if (reset.Status == 401 && tokenBefore != null)
                {
                    var first = reset;
                    reset = await ResetRequestAsync($"PUT {connection.ResetPath} (with the account's own token)", tokenBefore).ConfigureAwait(false);
                    Set(ContractDecisions.ResetAnonymous, false, $"{first.Describe()}; {reset.Describe()}");
                }
                else
                {
                    Set(ContractDecisions.ResetAnonymous, reset.Answered && reset.Exchange!.IsSuccess ? ContractCheckStatus.Confirmed : ContractCheckStatus.Unknown, reset.Describe());
                }

                var done = reset.Answered && reset.Exchange!.IsSuccess && reset.Model?.StatusIsExpected == true;
                if (done)
                {
                    var carriesPassword = reset.Model!.GetString("ClientPassword") != null;
                    Set(ContractDecisions.ResetPath, !carriesPassword, $"{reset.Describe()}; {Triple(reset.Model)}{(carriesPassword ? "; the answer carries a ClientPassword" : string.Empty)}");
                }
                else if (reset.Status == 404 || reset.Status == 405 || (reset.Answered && reset.Exchange!.IsSuccess))
                {
                    Set(ContractDecisions.ResetPath, false, reset.Describe() + (reset.Model is null ? string.Empty : "; " + Triple(reset.Model)));
                }
                else
                {
                    Set(ContractDecisions.ResetPath, ContractCheckStatus.Unknown, reset.Describe() + (reset.Model is null ? string.Empty : "; " + Triple(reset.Model)) + "; check -Clientname");
                }

                if (!done)
                {
                    foreach (var id in new[] { ContractDecisions.ResetVoidsPassword, ContractDecisions.ResetEndsTokens, ContractDecisions.DateFormat })
                    {
                        if (!found.ContainsKey(id))
                        {
                            Set(id, ContractCheckStatus.Unknown, "not checked: the reset did not succeed (see reset-path)");
                        }
                    }

                    return;
                }

                // The old password and its tokens are void now, whatever the server does with them.
                connection.Forget(username);
                var voided = password;
                var old = await TokenAsync("POST token (the password from before the reset)", voided).ConfigureAwait(false);
                if (!old.Answered)
                {
                    Set(ContractDecisions.ResetVoidsPassword, ContractCheckStatus.Unknown, old.Describe());
                }
                else
                {
                    // Refused as any wrong password is; the shape of that refusal is token-error's to judge.
                    var error = old.TopString("error");
                    var refusedCredential = old.Status == 400 || old.Status == 401 || old.Status == 403;
                    Set(ContractDecisions.ResetVoidsPassword, refusedCredential ? ContractCheckStatus.Confirmed : old.Exchange!.IsSuccess ? ContractCheckStatus.Contradicted : ContractCheckStatus.Unknown,
                        old.Describe() + (error is null ? string.Empty : $"; error '{Observation.Name(error)}'"));
                }

                var afterReset = tokenBefore is null ? null : await ApiAsync("GET " + ReferencePath + " (token from before the reset)", ReferencePath, tokenBefore).ConfigureAwait(false);
                var generate = await RegisterAsync("POST clients/auth/register (after the reset)").ConfigureAwait(false);
                var renewed = TakeNewPassword(generate, "Test-CaxtonContract -Reset replaced the client password");
                if (!renewed)
                {
                    log.Warning($"Test-CaxtonContract reset the credentials of '{username}', but Generate Password then failed ({generate.Describe()}): the account has no working password. Run New-CaxtonPassword -Username '{username}' -Clientname '{options.Clientname}'.");
                }

                var afterNew = tokenBefore is null || !renewed ? null : await ApiAsync("GET " + ReferencePath + " (token from before the reset, after the new password)", ReferencePath, tokenBefore).ConfigureAwait(false);
                if (afterReset is null || !afterReset.Answered)
                {
                    Set(ContractDecisions.ResetEndsTokens, ContractCheckStatus.Unknown, afterReset?.Describe() ?? "no token from before the reset");
                }
                else
                {
                    var statuses = afterNew is null ? new[] { afterReset.Status } : new[] { afterReset.Status, afterNew.Status };
                    var evidence = $"a token from before the reset: HTTP {afterReset.Status} after the reset" + (afterNew is null ? string.Empty : $", HTTP {afterNew.Status} after the new password");
                    Set(ContractDecisions.ResetEndsTokens,
                        statuses.All(s => s == 401 || s == 403) ? ContractCheckStatus.Confirmed : statuses.Any(s => s >= 200 && s < 300) ? ContractCheckStatus.Contradicted : ContractCheckStatus.Unknown,
                        evidence);
                }
            }

            private string? CheckedToken(Observation token)
            {
                var accessToken = token.Status == 200 ? token.TopString("access_token") : null;
                if (string.IsNullOrEmpty(accessToken) || !HeaderValues.IsSafe(accessToken!))
                {
                    return null;
                }

                secrets.Add(accessToken!);
                return accessToken;
            }

            /// <summary>
            /// A Generate Password answer that carries a password: the connection holds it from now on (the
            /// user must not lose it), its dates are checked, and the user is told to store it.
            /// </summary>
            private bool TakeNewPassword(Observation answer, string what)
            {
                var model = answer.Model;
                var issued = answer.Answered && answer.Exchange!.IsSuccess && model != null && model.StatusIsExpected ? model.GetString("ClientPassword") : null;
                if (string.IsNullOrEmpty(issued) || issued!.Length > ResponseReader.MaxSecretLength)
                {
                    return false;
                }

                secrets.Add(issued);
                password = issued;
                liveToken = null;
                var endDate = model!.GetDate("EndDate");
                connection.SetCredential(username, Secrets.ToSecureString(issued), endDate);
                CheckDates(model);
                log.Warning($"{what} of '{username}': the connection holds the new one{(endDate is DateTimeOffset end ? $" (valid until {end:u})" : string.Empty)}, and the old one may no longer work. Store it now: (Get-CaxtonConnection).Credential.");
                return true;
            }

            private void CheckDates(ApiModel model)
            {
                var start = model.GetString("StartDate");
                var end = model.GetString("EndDate");
                if (start is null || end is null)
                {
                    Set(ContractDecisions.DateFormat, false, $"the new password's answer has {(start is null ? "no StartDate" : "a StartDate")} and {(end is null ? "no EndDate" : "an EndDate")}");
                    return;
                }

                var documented = DocumentedDate.IsMatch(start) && DocumentedDate.IsMatch(end);
                var evidence = $"StartDate: {DateShape(start)}; EndDate: {DateShape(end)}";
                if (Json.ParseDate(start) is DateTimeOffset from && Json.ParseDate(end) is DateTimeOffset to)
                {
                    evidence += string.Format(CultureInfo.InvariantCulture, "; valid for {0:0.0} days", (to - from).TotalDays);
                }

                Set(ContractDecisions.DateFormat, documented, evidence);
            }

            /// <summary>A date's form without its value: "7 fractional digits, Z", "3 fractional digits, no zone".</summary>
            private static string DateShape(string text)
            {
                var match = AnyIsoDate.Match(text);
                if (!match.Success)
                {
                    return $"not an ISO 8601 date and time ({text.Length} characters){(Json.ParseDate(text) is null ? ", which the module cannot read" : string.Empty)}";
                }

                var fraction = match.Groups["fraction"].Success ? match.Groups["fraction"].Value.Length : 0;
                var zone = match.Groups["zone"];
                var zoneText = !zone.Success ? "no zone (the module reads it as UTC)" : zone.Value == "Z" ? "Z" : "a numeric offset";
                return $"{fraction} fractional digits, {zoneText}";
            }

            private async Task RateLimitAsync()
            {
                var count = Math.Max(1, Math.Min(ContractProbeOptions.MaximumRateLimitRequests, options.RateLimitRequests));
                var window = options.RateLimitWindow < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : options.RateLimitWindow > TimeSpan.FromMinutes(10) ? TimeSpan.FromMinutes(10) : options.RateLimitWindow;
                var interval = TimeSpan.FromTicks(window.Ticks / count);
                var clock = Stopwatch.StartNew();
                var answered = 0;
                Observation? stop = null;
                for (var i = 0; i < count; i++)
                {
                    var wait = TimeSpan.FromTicks(interval.Ticks * i) - clock.Elapsed;
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                    }

                    // Not kept as a secret: the access tokens of this test are never read, let alone shown.
                    var token = await SendAsync("POST token (rate test)", () => CaxtonRequests.Token(BaseUri, username, password), CaxtonRequests.GetAccessToken, password).ConfigureAwait(false);
                    if (token.Status != 200)
                    {
                        stop = token;
                        break;
                    }

                    answered++;
                }

                var elapsed = clock.Elapsed;
                var rate = string.Format(CultureInfo.InvariantCulture, "{0} of {1} token requests answered HTTP 200 in {2}", answered, count, Observation.Seconds(elapsed));
                if (stop is null)
                {
                    Set(ContractDecisions.TokenRateLimit, answered >= Math.Min(count, MinimumTokenRequestsPerMinute) ? ContractCheckStatus.Confirmed : ContractCheckStatus.Unknown,
                        rate + "; no 429 (how a limit is signalled stays unknown)");
                }
                else if (stop.Status == 429)
                {
                    var retryAfter = stop.HasHeader("Retry-After");
                    var enough = answered >= MinimumTokenRequestsPerMinute;
                    var retryText = !retryAfter ? "absent" : stop.Exchange!.RetryAfter is TimeSpan after ? Observation.Seconds(after) : "unreadable";
                    Set(ContractDecisions.TokenRateLimit, retryAfter && enough, $"{rate}, then HTTP 429 at request {answered + 1}; Retry-After {retryText}");
                }
                else
                {
                    Set(ContractDecisions.TokenRateLimit, stop.Status >= 500 ? ContractCheckStatus.Contradicted : ContractCheckStatus.Unknown, $"{rate}, then {stop.Describe()}");
                }
            }

            private static string Triple(ApiModel model) =>
                string.Format(CultureInfo.InvariantCulture, "ApiStatusCode {0}, ApiStatus {1}, ApiStatusDescription '{2}'",
                    model.Status.Code?.ToString(CultureInfo.InvariantCulture) ?? "(none)",
                    model.Status.Name is null ? "(none)" : Observation.Name(model.Status.Name),
                    model.Status.Description is null ? string.Empty : Observation.Name(model.Status.Description));
        }
    }
}
