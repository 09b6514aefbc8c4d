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
        api.MapGet(Routes.Banks, (string ccy, HttpContext context, AccountStore store) =>
        {
            var caller = store.Authenticate(RequestHelpers.BearerToken(context.Request));
            if (caller is null)
            {
                return RequestHelpers.Unauthorized(context);
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
                return Envelope.Result(StatusCodes.Status200OK, ApiStatus.InvalidCurrency(ccy), authorisedClient: authorised);
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

            return Envelope.Result(StatusCodes.Status200OK, ApiStatus.Valid, new JsonObject { ["Banks"] = list }, authorised);
        });
}
