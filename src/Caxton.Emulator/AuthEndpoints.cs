using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace Caxton.Emulator;

/// <summary>Sections 1-3 of the contract: generate password, get access token, reset credentials.</summary>
internal static class AuthEndpoints
{
    public static void MapAuthEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapPost(Routes.Register, RegisterAsync);
        api.MapPost(Routes.Token, TokenAsync);
        api.MapPut(Routes.Reset, ResetAsync);
    }

    /// <summary>
    /// What register and reset both read first: a JSON body naming the account by Username and
    /// Clientname. A failure is the response to send (415 or 400); otherwise it is null.
    /// </summary>
    private static async Task<(JsonElement Body, string Username, string Clientname, IResult? Failure)> ReadAccountRequestAsync(HttpContext context)
    {
        if (!RequestHelpers.IsJson(context.Request))
        {
            return (default, string.Empty, string.Empty, Envelope.Result(StatusCodes.Status415UnsupportedMediaType, ApiStatus.UnsupportedContentType(RequestHelpers.JsonTypes)));
        }

        var (body, error) = await RequestHelpers.ReadJsonObjectAsync(context.Request);
        var username = error is null ? RequestHelpers.RequiredString(body, "Username", out error) : null;
        var clientname = error is null ? RequestHelpers.RequiredString(body, "Clientname", out error) : null;
        return error is not null
            ? (body, string.Empty, string.Empty, Envelope.Result(StatusCodes.Status400BadRequest, ApiStatus.InvalidRequest(error)))
            : (body, username!, clientname!, null);
    }

    private static async Task<IResult> RegisterAsync(HttpContext context, AccountStore store)
    {
        var (_, username, clientname, failure) = await ReadAccountRequestAsync(context);
        if (failure is not null)
        {
            return failure;
        }

        var registration = store.Register(username, clientname);
        return registration.Outcome switch
        {
            RegisterOutcome.InvalidClient => Envelope.Result(StatusCodes.Status400BadRequest, ApiStatus.InvalidClient),
            // HTTP 200 with a failing status: the contract warns servers may answer this way.
            RegisterOutcome.AlreadyActive => Envelope.Result(StatusCodes.Status200OK, ApiStatus.PasswordAlreadyGenerated),
            _ => Envelope.Result(StatusCodes.Status200OK, ApiStatus.Valid, new JsonObject
            {
                ["ClientPassword"] = registration.Password,
                ["StartDate"] = Envelope.Date(registration.Start),
                ["EndDate"] = Envelope.Date(registration.End),
                ["PublicKey"] = registration.PublicKey,
            }),
        };
    }

    private static async Task<IResult> TokenAsync(HttpContext context, AccountStore store, RequestStats stats, EmulatorOptions options)
    {
        if (!RequestHelpers.HasMediaType(context.Request, "application/x-www-form-urlencoded"))
        {
            return OAuthError("invalid_request", "The Content-Type must be application/x-www-form-urlencoded.");
        }

        // FormReader keeps each name's casing; IFormCollection would fold it, and the casing is the contract.
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var reader = new FormReader(context.Request.Body))
        {
            while (await reader.ReadNextPairAsync(context.RequestAborted) is { } pair)
            {
                if (!fields.TryAdd(pair.Key, pair.Value))
                {
                    return OAuthError("invalid_request", $"The {pair.Key} parameter was given more than once.");
                }
            }
        }

        if (!fields.TryGetValue("Grant_Type", out var grantType) || grantType.Length == 0)
        {
            return OAuthError("invalid_request", "The Grant_Type parameter is required (parameter names are case-sensitive).");
        }

        if (grantType != "password")
        {
            return OAuthError("unsupported_grant_type", $"The grant type '{grantType}' is not supported; use 'password'.");
        }

        foreach (var name in (string[])["Username", "Password"])
        {
            if (!fields.TryGetValue(name, out var value) || value.Length == 0)
            {
                return OAuthError("invalid_request", $"The {name} parameter is required (parameter names are case-sensitive).");
            }
        }

        var token = store.IssueToken(fields["Username"], fields["Password"]);
        if (token is null)
        {
            return OAuthError("invalid_grant", "The user name or password is incorrect.");
        }

        stats.Count(StatCounter.TokenIssued);
        return Results.Json(
            new { access_token = token, token_type = "bearer", expires_in = (long)options.TokenLifetime.TotalSeconds },
            Envelope.Json);
    }

    /// <summary>
    /// The contract's decisions: no IdentityNumber resets the main account (anonymous, proven by
    /// Username + Clientname); an IdentityNumber (body and/or header) resets that sub-account and needs
    /// the main account's Bearer token, with the body naming the main account making the call.
    /// </summary>
    private static async Task<IResult> ResetAsync(HttpContext context, AccountStore store, EmulatorOptions options)
    {
        var (body, username, clientname, failure) = await ReadAccountRequestAsync(context);
        if (failure is not null)
        {
            return failure;
        }

        var bodyIdentity = RequestHelpers.OptionalString(body, "IdentityNumber", out var error);
        if (error is not null)
        {
            return Envelope.Result(StatusCodes.Status400BadRequest, ApiStatus.InvalidRequest(error));
        }

        var headerIdentity = RequestHelpers.IdentityNumberHeader(context.Request);
        if (bodyIdentity is not null && headerIdentity is not null && bodyIdentity != headerIdentity)
        {
            return Envelope.Result(StatusCodes.Status400BadRequest, ApiStatus.InvalidRequest(
                "The IdentityNumber header and the IdentityNumber in the body disagree."));
        }

        var identityNumber = bodyIdentity ?? headerIdentity;
        if (identityNumber is null && options.MainResetRequiresToken)
        {
            // The stricter mode: only the main account itself, with a working token, resets its credentials.
            var self = store.Authenticate(RequestHelpers.BearerToken(context.Request));
            if (self is null)
            {
                return RequestHelpers.Unauthorized(context);
            }

            if (self.Username != username || self.Clientname != clientname)
            {
                return Envelope.Result(StatusCodes.Status400BadRequest, ApiStatus.InvalidClient, authorisedClient: Envelope.AuthorisedClient(self));
            }
        }

        if (identityNumber is null)
        {
            return store.ResetMain(username, clientname)
                ? Envelope.Result(StatusCodes.Status200OK, ApiStatus.Valid)
                : Envelope.Result(StatusCodes.Status400BadRequest, ApiStatus.InvalidClient);
        }

        var caller = store.Authenticate(RequestHelpers.BearerToken(context.Request));
        if (caller is null)
        {
            return RequestHelpers.Unauthorized(context);
        }

        var authorised = Envelope.AuthorisedClient(caller);
        if (caller.Username != username || caller.Clientname != clientname)
        {
            return Envelope.Result(StatusCodes.Status400BadRequest, ApiStatus.InvalidClient, authorisedClient: authorised);
        }

        // 403 rather than 404 for a foreign or unknown IdentityNumber: the caller is authenticated but
        // not entitled to act for it, and the answer must not reveal whether it exists elsewhere.
        return store.ResetSub(caller, identityNumber) switch
        {
            SubResetOutcome.NotMainAccount => Envelope.Result(StatusCodes.Status403Forbidden, ApiStatus.NotMainAccount, authorisedClient: authorised),
            SubResetOutcome.IdentityNumberNotFound => Envelope.Result(StatusCodes.Status403Forbidden, ApiStatus.IdentityNumberNotFound, authorisedClient: authorised),
            _ => Envelope.Result(StatusCodes.Status200OK, ApiStatus.Valid, authorisedClient: Envelope.AuthorisedClient(caller, identityNumber)),
        };
    }

    private static IResult OAuthError(string error, string description) =>
        Results.Json(new { error, error_description = description }, Envelope.Json, statusCode: StatusCodes.Status400BadRequest);
}
