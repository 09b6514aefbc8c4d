using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Caxton.Emulator;

/// <summary>
/// The ApiStatus triple. Only 100/IsValid is documented; the failing codes are this emulator's own
/// inventions, kept distinct so a client can show them but never needs to know them.
/// </summary>
internal sealed record ApiStatus(int Code, string Name, string Description)
{
    public static readonly ApiStatus Valid = new(100, "IsValid", "Valid Operation");

    public static readonly ApiStatus PasswordAlreadyGenerated = new(
        101, "PasswordAlreadyGenerated", "A client password is already active; reset the client credentials first.");

    public static ApiStatus InvalidCurrency(string currency) =>
        new(102, "InvalidCurrency", $"'{currency}' is not a supported currency.");

    public static ApiStatus InvalidRequest(string why) => new(103, "InvalidRequest", why);

    public static readonly ApiStatus InvalidClient = new(
        104, "InvalidClient", "The Username and Clientname do not identify a client.");

    public static readonly ApiStatus IdentityNumberNotFound = new(
        105, "IdentityNumberNotFound", "No sub-account with that IdentityNumber belongs to the authorised client.");

    public static readonly ApiStatus NotMainAccount = new(
        106, "NotMainAccount", "Only a main account can do this for a sub-account (reset its credentials, create one).");

    public static ApiStatus UnsupportedContentType(string allowed) =>
        new(107, "UnsupportedContentType", $"The request Content-Type must be {allowed}.");

    public static ApiStatus CompanyAlreadyExists(string companyName) =>
        new(108, "CompanyAlreadyExists", $"A sub-account for the company '{companyName}' already exists.");
}

/// <summary>Builds the documented <c>{"Content":{"Model":…,"ExpectedResponses":["IsValid"]}}</c> wrapper.</summary>
internal static class Envelope
{
    /// <summary>
    /// PascalCase as written: the contract's names are not camelCase, whatever ASP.NET defaults to.
    /// Relaxed escaping keeps descriptions readable (no \u0027); bodies are always application/json.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// A failing status still lists only IsValid as expected: that mismatch is how a client tells
    /// an HTTP 200 carrying a failure from a success.
    /// </summary>
    public static IResult Result(
        int httpStatus, ApiStatus status, JsonObject? model = null, JsonObject? authorisedClient = null)
    {
        model ??= [];
        model["ApiStatusCode"] = status.Code;
        model["ApiStatus"] = status.Name;
        model["ApiStatusDescription"] = status.Description;

        var root = new JsonObject
        {
            ["Content"] = new JsonObject
            {
                ["Model"] = model,
                ["ExpectedResponses"] = new JsonArray(ApiStatus.Valid.Name),
            },
        };
        if (authorisedClient is not null)
        {
            root["AuthorisedClientModel"] = authorisedClient;
        }

        return Results.Json(root, Json, statusCode: httpStatus);
    }

    /// <summary>Seven fractional digits and a Z, as in the docs (the serializer would trim zeros).</summary>
    public static string Date(DateTime utc) =>
        utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The sibling block authenticated responses may carry, per the contract.</summary>
    public static JsonObject AuthorisedClient(Caller caller, string? actingFor = null)
    {
        var block = new JsonObject { ["ClientName"] = caller.Clientname, ["UserName"] = caller.Username };
        var identity = actingFor ?? caller.IdentityNumber;
        if (identity is not null)
        {
            block["IdentityNumber"] = identity;
        }

        return block;
    }
}
