namespace Caxton.Emulator;

/// <summary><c>GET|PUT /_emulator/contradictions</c>: which decisions this run answers against (see <see cref="Contradictions"/>).</summary>
internal static class ContradictionEndpoints
{
    public sealed record ContradictionsRequest(string[]? Decisions);

    public static void MapContradictionEndpoints(this IEndpointRouteBuilder control)
    {
        control.MapGet("contradictions", (Contradictions contradictions) => Current(contradictions));

        control.MapPut("contradictions", (ContradictionsRequest request, Contradictions contradictions) =>
        {
            if (request.Decisions is null)
            {
                return Results.Json(new { error = "Decisions (a list of decision ids, [] for none) is required." }, Envelope.Json, statusCode: StatusCodes.Status400BadRequest);
            }

            var unknown = contradictions.Replace(request.Decisions);
            return unknown.Count == 0
                ? Current(contradictions)
                : Results.Json(new { error = $"Unknown decision ids: {string.Join(", ", unknown)}. Known: {string.Join(", ", Contradictions.Known.Order(StringComparer.Ordinal))}." }, Envelope.Json, statusCode: StatusCodes.Status400BadRequest);
        });
    }

    private static IResult Current(Contradictions contradictions) =>
        Results.Json(new { Decisions = contradictions.Active }, Envelope.Json);
}
