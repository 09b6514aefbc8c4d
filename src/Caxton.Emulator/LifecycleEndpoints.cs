namespace Caxton.Emulator;

/// <summary>
/// <c>GET|PUT /_emulator/lifecycle</c>: the emulator's switchable decision on what Caxton leaves
/// undocumented, so one emulator run can test a client against both answers.
/// </summary>
internal static class LifecycleEndpoints
{
    public sealed record LifecycleRequest(bool? TokensSurviveReset);

    public static void MapLifecycleEndpoints(this IEndpointRouteBuilder control)
    {
        control.MapGet("lifecycle", (AccountStore store) => Current(store));

        control.MapPut("lifecycle", (LifecycleRequest request, AccountStore store) =>
        {
            if (request.TokensSurviveReset is not bool survive)
            {
                return Results.Json(new { error = "TokensSurviveReset (true or false) is required." }, Envelope.Json, statusCode: StatusCodes.Status400BadRequest);
            }

            store.TokensSurviveReset = survive;
            return Current(store);
        });
    }

    private static IResult Current(AccountStore store) =>
        Results.Json(new { store.TokensSurviveReset }, Envelope.Json);
}
