using System.Text.Json.Nodes;

namespace Caxton.Emulator;

/// <summary>Create Subsidiary Account, as the contract describes it.</summary>
internal static class SubAccountEndpoints
{
    public static void MapSubAccountEndpoints(this IEndpointRouteBuilder api) => api.MapPost(Routes.Subsidiary, CreateAsync);

    /// <summary>
    /// Made by a main account with its bearer token: <c>{"CompanyName","Email"}</c> in, the new
    /// sub-account's Username and Name (the CompanyName) out. An IdentityNumber header has no place
    /// here (a sub-account creates none): a foreign one is refused as on every endpoint, the caller's
    /// own sub-account as NotMainAccount.
    /// </summary>
    private static async Task<IResult> CreateAsync(HttpContext context, AccountStore store)
    {
        var caller = store.Authenticate(RequestHelpers.BearerToken(context.Request));
        if (caller is null)
        {
            return RequestHelpers.Unauthorized(context);
        }

        var authorised = Envelope.AuthorisedClient(caller);
        if (!RequestHelpers.IsJson(context.Request))
        {
            return Envelope.Result(StatusCodes.Status415UnsupportedMediaType, ApiStatus.UnsupportedContentType(RequestHelpers.JsonTypes), authorisedClient: authorised);
        }

        var (body, error) = await RequestHelpers.ReadJsonObjectAsync(context.Request);
        var companyName = error is null ? RequestHelpers.RequiredString(body, "CompanyName", out error) : null;
        var email = error is null ? RequestHelpers.RequiredString(body, "Email", out error) : null;
        if (error is null && !IsEmail(email!))
        {
            error = "Email must be an e-mail address (name@domain).";
        }

        if (error is not null)
        {
            return Envelope.Result(StatusCodes.Status400BadRequest, ApiStatus.InvalidRequest(error), authorisedClient: authorised);
        }

        if (RequestHelpers.IdentityNumberHeader(context.Request) is string identityNumber)
        {
            // As on every endpoint: a sub-account names none, a foreign one is refused; naming its own
            // sub-account, a main account would ask a sub-account to create one (NotMainAccount).
            var own = caller.IsMain && store.SubAccountsOf(caller.Username).Any(sub => sub.IdentityNumber == identityNumber);
            return Envelope.Result(StatusCodes.Status403Forbidden, !caller.IsMain || own ? ApiStatus.NotMainAccount : ApiStatus.IdentityNumberNotFound, authorisedClient: authorised);
        }

        var created = store.CreateSubsidiary(caller, companyName!);
        return created.Outcome switch
        {
            SubsidiaryOutcome.NotMainAccount => Envelope.Result(StatusCodes.Status403Forbidden, ApiStatus.NotMainAccount, authorisedClient: authorised),
            // Our decision: 409 with a status naming the company, so a rerun knows it is done.
            SubsidiaryOutcome.CompanyExists => Envelope.Result(StatusCodes.Status409Conflict, ApiStatus.CompanyAlreadyExists(companyName!), authorisedClient: authorised),
            _ => Envelope.Result(StatusCodes.Status200OK, ApiStatus.Valid, new JsonObject
            {
                ["Username"] = created.Username,
                ["Name"] = companyName,
            }, authorised),
        };
    }

    private static bool IsEmail(string text)
    {
        var at = text.IndexOf('@');
        return at > 0 && at == text.LastIndexOf('@') && at < text.Length - 1 && !text.Any(char.IsWhiteSpace);
    }
}
