namespace Caxton.Emulator;

/// <summary>
/// The test control surface, kept outside /api/ so nothing in the contract's URL space is invented.
/// Its JSON is the emulator's own: error bodies are a plain <c>{"error": "..."}</c>.
/// </summary>
internal static class ControlEndpoints
{
    public sealed record CreateAccountRequest(string? Username, string? Clientname, string? IdentityNumber, string? ParentUsername);

    public static void MapControlEndpoints(this IEndpointRouteBuilder control)
    {
        control.MapPost("accounts", (CreateAccountRequest request, AccountStore store) =>
        {
            if (string.IsNullOrWhiteSpace(request.Username) || string.IsNullOrWhiteSpace(request.Clientname))
            {
                return Error(StatusCodes.Status400BadRequest, "Username and Clientname are required.");
            }

            var identity = string.IsNullOrWhiteSpace(request.IdentityNumber) ? null : request.IdentityNumber;
            var parent = string.IsNullOrWhiteSpace(request.ParentUsername) ? null : request.ParentUsername;
            if ((identity is null) != (parent is null))
            {
                return Error(StatusCodes.Status400BadRequest, "A sub-account needs both IdentityNumber and ParentUsername; a main account neither.");
            }

            return store.Create(request.Username, request.Clientname, identity, parent) switch
            {
                CreateOutcome.UsernameTaken => Error(StatusCodes.Status409Conflict, $"Account '{request.Username}' already exists."),
                CreateOutcome.IdentityNumberTaken => Error(StatusCodes.Status409Conflict, $"IdentityNumber '{identity}' is already in use."),
                CreateOutcome.ParentNotFound => Error(StatusCodes.Status400BadRequest, $"Parent account '{parent}' does not exist."),
                CreateOutcome.ParentNotMain => Error(StatusCodes.Status400BadRequest, $"Parent account '{parent}' is itself a sub-account."),
                _ => Results.Json(store.Find(request.Username), Envelope.Json, statusCode: StatusCodes.Status201Created),
            };
        });

        // Every account, the demo accounts included, and every token: the docs' examples start each from nothing.
        control.MapDelete("accounts", (AccountStore store) => Results.Json(new { Removed = store.Clear() }, Envelope.Json));

        control.MapPost("accounts/{username}/expire-password", (string username, AccountStore store) =>
        {
            var end = store.ExpirePassword(username, out var hadPassword);
            if (end is null)
            {
                return Error(StatusCodes.Status404NotFound, $"Account '{username}' does not exist.");
            }

            return hadPassword
                ? Results.Json(new { Username = username, EndDate = Envelope.Date(end.Value) }, Envelope.Json)
                : Error(StatusCodes.Status409Conflict, $"Account '{username}' has no password to expire.");
        });

        control.MapPost("accounts/{username}/revoke-tokens", (string username, AccountStore store) =>
        {
            var revoked = store.RevokeTokens(username);
            return revoked < 0
                ? Error(StatusCodes.Status404NotFound, $"Account '{username}' does not exist.")
                : Results.Json(new { Username = username, Revoked = revoked }, Envelope.Json);
        });

        control.MapGet("stats", (RequestStats stats) => Results.Json(stats.Snapshot(), Envelope.Json));

        control.MapPost("stats/reset", (RequestStats stats) =>
        {
            stats.Reset();
            return Results.NoContent();
        });
    }

    private static IResult Error(int status, string message) =>
        Results.Json(new { error = message }, Envelope.Json, statusCode: status);
}
