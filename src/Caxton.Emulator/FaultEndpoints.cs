using System.Text.Json;

namespace Caxton.Emulator;

/// <summary>
/// <c>POST /_emulator/faults</c> queues a fault, <c>DELETE /_emulator/faults</c> clears them all.
/// The faults themselves are served by <see cref="FaultInjector"/>, before routing.
/// </summary>
internal static class FaultEndpoints
{
    public const int MaxDelayMs = 10 * 60 * 1000;
    public const int MaxCount = 100_000;

    /// <summary>RetryAfter is a JSON element so that both <c>"1"</c> and <c>1</c> are accepted.</summary>
    public sealed record FaultRequest(
        string? Path, int? Status, JsonElement? RetryAfter, int? Count, int? DelayMs, string? Body, bool? Reset, int? Skip, bool? LoseAnswer);

    private static readonly Dictionary<string, FaultBody> BodyNames =
        Enum.GetValues<FaultBody>().ToDictionary(kind => kind.ToString(), StringComparer.OrdinalIgnoreCase);

    public static IApplicationBuilder UseFaultInjection(this IApplicationBuilder app)
    {
        var injector = app.ApplicationServices.GetRequiredService<FaultInjector>();
        return app.Use((context, next) => injector.InvokeAsync(context, () => next(context)));
    }

    public static void MapFaultEndpoints(this IEndpointRouteBuilder control)
    {
        control.MapPost("faults", (FaultRequest request, FaultInjector injector) =>
        {
            var (fault, error) = Validate(request);
            if (fault is null)
            {
                return Results.Json(new { error }, Envelope.Json, statusCode: StatusCodes.Status400BadRequest);
            }

            injector.Add(fault);
            return Results.Json(
                new
                {
                    Path = FaultInjector.NormalizePath(fault.Path),
                    fault.Status,
                    fault.RetryAfter,
                    fault.Count,
                    fault.DelayMs,
                    Body = fault.Body?.ToString().ToLowerInvariant(),
                    fault.Reset,
                    fault.Skip,
                    fault.LoseAnswer,
                },
                Envelope.Json,
                statusCode: StatusCodes.Status201Created);
        });

        control.MapDelete("faults", (FaultInjector injector) => Results.Json(new { cleared = injector.Clear() }, Envelope.Json));
    }

    private static (Fault? Fault, string? Error) Validate(FaultRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Path) || FaultInjector.NormalizePath(request.Path).Length == 0)
        {
            return (null, "Path is required: the path after /api/, e.g. token or clients/auth/register.");
        }

        if (request.Status is < 200 or > 599)
        {
            return (null, "Status must be from 200 to 599.");
        }

        var count = request.Count ?? 1;
        if (count is < 1 or > MaxCount)
        {
            return (null, $"Count must be from 1 to {MaxCount}.");
        }

        var delay = request.DelayMs ?? 0;
        if (delay is < 0 or > MaxDelayMs)
        {
            return (null, $"DelayMs must be from 0 to {MaxDelayMs}.");
        }

        FaultBody? body = null;
        if (request.Body is not null)
        {
            if (!BodyNames.TryGetValue(request.Body, out var kind))
            {
                return (null, $"Body must be one of {string.Join(", ", BodyNames.Keys.Select(n => n.ToLowerInvariant()))}.");
            }

            body = kind;
        }

        string? retryAfter = request.RetryAfter switch
        {
            null => null,
            { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.String } text => text.GetString(),
            { ValueKind: JsonValueKind.Number } number => number.GetRawText(),
            _ => "\0",
        };
        if (retryAfter is not null && (retryAfter.Length == 0 || retryAfter.Any(char.IsControl)))
        {
            return (null, "RetryAfter must be a non-empty string (seconds or an HTTP date, sent verbatim) or a number.");
        }

        var skip = request.Skip ?? 0;
        if (skip is < 0 or > MaxCount)
        {
            return (null, $"Skip must be from 0 to {MaxCount}.");
        }

        var loseAnswer = request.LoseAnswer ?? false;
        if (loseAnswer && (request.Status is not null || body is not null || retryAfter is not null || (request.Reset ?? false)))
        {
            return (null, "LoseAnswer lets the endpoint act, then aborts the connection: it takes no Status, Body, RetryAfter or Reset.");
        }

        var reset = request.Reset ?? false;
        if (reset && (request.Status is not null || body is not null || retryAfter is not null))
        {
            return (null, "Reset aborts the connection and answers nothing: it takes no Status, Body or RetryAfter.");
        }

        if (!reset && !loseAnswer && request.Status is null && body is null && retryAfter is null && delay == 0)
        {
            return (null, "A fault needs at least one of Status, Body, RetryAfter, DelayMs, Reset or LoseAnswer.");
        }

        return (new Fault(request.Path, request.Status, retryAfter, count, delay, body, reset) { Skip = skip, LoseAnswer = loseAnswer }, null);
    }
}
