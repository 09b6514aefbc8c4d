using System.Text.Json.Nodes;

namespace Caxton.Emulator;

/// <summary>The one authenticated endpoint served, so a token can be shown working end to end.</summary>
internal static class ReferenceEndpoints
{
    private sealed record Bank(string BankName, string SwiftCode, string CountryCode);

    // Invented banks; the "SBX" prefix keeps the codes clear of real institutions.
    private static readonly Dictionary<string, Bank[]> Banks = new(StringComparer.Ordinal)
    {
        ["GBP"] =
        [
            new("Sandbox Albion Bank", "SBXAGB2L", "GB"),
            new("Sandbox Thames Savings", "SBXTGB2LXXX", "GB"),
            new("Sandbox Pennine Building Society", "SBXPGB21", "GB"),
        ],
        ["EUR"] =
        [
            new("Sandbox Rhein Bank", "SBXRDEFF", "DE"),
            new("Sandbox Banque de la Loire", "SBXLFRPP", "FR"),
            new("Sandbox Liffey Bank", "SBXLIE2D", "IE"),
        ],
        ["USD"] =
        [
            new("Sandbox Hudson Trust", "SBXHUS33", "US"),
            new("Sandbox Prairie National Bank", "SBXPUS44", "US"),
        ],
    };

    public static void MapReferenceEndpoints(this IEndpointRouteBuilder api) =>
        api.MapGet(Routes.Banks, (string ccy, HttpContext context, AccountStore store, Contradictions contradictions) =>
        {
            var caller = store.Authenticate(RequestHelpers.BearerToken(context.Request));
            if (caller is null)
            {
                return contradictions.Has("api-unauthorized")
                    ? Results.Json(new { Message = "Authorization has been denied for this request." }, Envelope.Json, statusCode: StatusCodes.Status403Forbidden)
                    : RequestHelpers.Unauthorized(context);
            }

            // A main account acts for its own sub-accounts only: a foreign or unknown IdentityNumber is
            // refused here as on a reset (403, and the same answer for both, so nothing is revealed).
            var identityNumber = RequestHelpers.IdentityNumberHeader(context.Request);
            if (identityNumber is not null)
            {
                if (!caller.IsMain)
                {
                    return Envelope.Result(StatusCodes.Status403Forbidden, ApiStatus.NotMainAccount, authorisedClient: Envelope.AuthorisedClient(caller));
                }

                if (!store.SubAccountsOf(caller.Username).Any(sub => sub.IdentityNumber == identityNumber))
                {
                    return Envelope.Result(StatusCodes.Status403Forbidden, ApiStatus.IdentityNumberNotFound, authorisedClient: Envelope.AuthorisedClient(caller));
                }
            }

            var authorised = Envelope.AuthorisedClient(caller, identityNumber);
            if (!Banks.TryGetValue(ccy.ToUpperInvariant(), out var banks))
            {
                return contradictions.Has("api-error")
                    ? Results.Json(new { error = "invalid_currency", message = $"'{ccy}' is not a supported currency." }, Envelope.Json, statusCode: StatusCodes.Status400BadRequest)
                    : Envelope.Result(StatusCodes.Status200OK, ApiStatus.InvalidCurrency(ccy), authorisedClient: authorised);
            }

            var list = new JsonArray();
            foreach (var bank in banks)
            {
                list.Add(new JsonObject
                {
                    ["BankName"] = bank.BankName,
                    ["SwiftCode"] = bank.SwiftCode,
                    ["CountryCode"] = bank.CountryCode,
                });
            }

            if (contradictions.Has("status-triple"))
            {
                // Another success triple, consistently listed as expected.
                return Results.Json(new JsonObject
                {
                    ["Content"] = new JsonObject
                    {
                        ["Model"] = new JsonObject { ["Banks"] = list, ["ApiStatusCode"] = 0, ["ApiStatus"] = "Success", ["ApiStatusDescription"] = "OK" },
                        ["ExpectedResponses"] = new JsonArray("Success"),
                    },
                    ["AuthorisedClientModel"] = authorised,
                }, Envelope.Json);
            }

            var model = new JsonObject { ["Banks"] = list };
            if (contradictions.Has("envelope"))
            {
                // The model and its list at the root, with no Content around them.
                model["ApiStatusCode"] = ApiStatus.Valid.Code;
                model["ApiStatus"] = ApiStatus.Valid.Name;
                model["ApiStatusDescription"] = ApiStatus.Valid.Description;
                model["ExpectedResponses"] = new JsonArray(ApiStatus.Valid.Name);
                return Results.Json(model, Envelope.Json);
            }

            return Envelope.Result(StatusCodes.Status200OK, ApiStatus.Valid, model, authorised);
        });
}
