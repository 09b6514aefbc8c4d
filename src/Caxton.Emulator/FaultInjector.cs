using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Caxton.Emulator;

/// <summary>The body kinds a fault can answer with (see README.md).</summary>
internal enum FaultBody { Html, Empty, Truncated, Invalid, Oversized, Null }

/// <summary>
/// One queued fault: what the next <see cref="Count"/> requests to <see cref="Path"/> (the part after
/// <c>/api/</c>) get instead of the contract's answer.
/// </summary>
internal sealed record Fault(string Path, int? Status, string? RetryAfter, int Count, int DelayMs, FaultBody? Body, bool Reset)
{
    /// <summary>Matching requests let through untouched (and not counted as faults) before this fault applies.</summary>
    public int Skip { get; init; }

    /// <summary>The endpoint acts as usual, then the connection is aborted: the server did it, the client never hears.</summary>
    public bool LoseAnswer { get; init; }

    /// <summary>A delay alone answers normally afterwards: a slow server rather than a broken one.</summary>
    public bool PassesThrough => Status is null && Body is null && RetryAfter is null && !Reset && !LoseAnswer;
}

/// <summary>
/// The queue of faults. Thread-safe; for each path the faults are consumed in the order they were
/// added, each one <see cref="Fault.Count"/> times.
/// </summary>
internal sealed class FaultInjector(RequestStats stats)
{
    /// <summary>Just over 6 MiB, well past the module's 4 MiB cap.</summary>
    public const int OversizedBytes = 6 * 1024 * 1024 + 1024;

    private readonly Lock gate = new();
    private readonly List<(Fault Fault, int Left, int Skip)> queue = [];

    /// <summary>The form paths are compared in: no slashes around it, no leading <c>api/</c>.</summary>
    public static string NormalizePath(string path)
    {
        var trimmed = path.Trim().Trim('/');
        return trimmed.StartsWith("api/", StringComparison.OrdinalIgnoreCase) ? trimmed["api/".Length..].Trim('/') : trimmed;
    }

    public void Add(Fault fault)
    {
        lock (gate)
        {
            queue.Add((fault with { Path = NormalizePath(fault.Path) }, fault.Count, fault.Skip));
        }
    }

    public int Clear()
    {
        lock (gate)
        {
            var pending = queue.Sum(entry => entry.Left);
            queue.Clear();
            return pending;
        }
    }

    /// <summary>The first pending fault for this path, used up by one; null when there is none.</summary>
    public Fault? Take(string apiPath)
    {
        var path = NormalizePath(apiPath);
        lock (gate)
        {
            var index = queue.FindIndex(entry => string.Equals(entry.Fault.Path, path, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                return null;
            }

            var (fault, left, skip) = queue[index];
            if (skip > 0)
            {
                queue[index] = (fault, left, skip - 1);
                return null;
            }

            if (left == 1)
            {
                queue.RemoveAt(index);
            }
            else
            {
                queue[index] = (fault, left - 1, 0);
            }

            stats.Count(StatCounter.FaultsInjected);
            return fault;
        }
    }

    /// <summary>Runs before routing: a request under <c>/api/</c> with a pending fault gets the fault.</summary>
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var fault = context.Request.Path.StartsWithSegments("/api", out var rest) && rest.HasValue ? Take(rest.Value!) : null;
        if (fault is null)
        {
            await next();
            return;
        }

        try
        {
            if (fault.DelayMs > 0)
            {
                await Task.Delay(fault.DelayMs, context.RequestAborted);
            }

            if (fault.PassesThrough)
            {
                await next();
            }
            else if (fault.LoseAnswer)
            {
                // The answer is written where nobody reads it, then the connection is cut.
                var answer = context.Response.Body;
                context.Response.Body = Stream.Null;
                try
                {
                    await next();
                }
                finally
                {
                    context.Response.Body = answer;
                    context.Abort();
                }
            }
            else if (fault.Reset)
            {
                context.Abort();
            }
            else
            {
                await AnswerAsync(context, fault);
            }
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The client gave up (its timeout, or the size cap on an oversized body): nothing to answer.
        }
    }

    private static async Task AnswerAsync(HttpContext context, Fault fault)
    {
        var response = context.Response;
        var status = fault.Status ?? StatusCodes.Status200OK;
        response.StatusCode = status;
        if (fault.RetryAfter is not null)
        {
            // Verbatim, so a test can send seconds or an HTTP date (or something malformed).
            response.Headers.RetryAfter = fault.RetryAfter;
        }

        var cancel = context.RequestAborted;
        switch (fault.Body)
        {
            case null:
            case FaultBody.Empty:
                response.ContentType = fault.Body is null ? null : "application/json";
                response.ContentLength = 0;
                break;
            case FaultBody.Html:
                await WriteAsync(response, "text/html; charset=utf-8", HtmlPage(status), cancel);
                break;
            case FaultBody.Truncated:
                var valid = ValidBody(fault.Path);
                await WriteAsync(response, "application/json", valid[..(valid.Length / 2)], cancel);
                break;
            case FaultBody.Invalid:
                await WriteAsync(response, "application/json", """{"Content": {"Model": {"ApiStatus": "IsValid",, "ApiStatusCode": 1OO}""", cancel);
                break;
            case FaultBody.Null:
                await WriteAsync(response, "application/json", "null", cancel);
                break;
            case FaultBody.Oversized:
                await WriteOversizedAsync(response, cancel);
                break;
        }
    }

    private static Task WriteAsync(HttpResponse response, string contentType, string body, CancellationToken cancel)
    {
        response.ContentType = contentType;
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes, cancel).AsTask();
    }

    /// <summary>
    /// A JSON document of <see cref="OversizedBytes"/>, streamed in chunks with no Content-Length, so
    /// only a client that counts what it reads can refuse it.
    /// </summary>
    private static async Task WriteOversizedAsync(HttpResponse response, CancellationToken cancel)
    {
        response.ContentType = "application/json";
        var head = Encoding.UTF8.GetBytes("{\"access_token\":\"");
        var tail = Encoding.UTF8.GetBytes("\",\"token_type\":\"bearer\",\"expires_in\":2591999}");
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'A');

        await response.Body.WriteAsync(head, cancel);
        for (var left = OversizedBytes - head.Length - tail.Length; left > 0; left -= chunk.Length)
        {
            await response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(left, chunk.Length)), cancel);
        }

        await response.Body.WriteAsync(tail, cancel);
    }

    private static string HtmlPage(int status)
    {
        var title = $"{status} {ReasonPhrases.GetReasonPhrase(status)}".TrimEnd();
        return $"""
            <!DOCTYPE html>
            <html>
            <head><title>{title}</title></head>
            <body>
            <center><h1>{title}</h1></center>
            <hr><center>caxton-emulator (injected fault)</center>
            </body>
            </html>
            """;
    }

    /// <summary>What the path answers when all is well, to cut in half for a truncated body.</summary>
    private static string ValidBody(string path) => string.Equals(path, "token", StringComparison.OrdinalIgnoreCase)
        ? """{"access_token":"truncated-token-of-the-sandbox","token_type":"bearer","expires_in":2591999}"""
        : """{"Content":{"Model":{"ClientPassword":"truncated-password","StartDate":"2023-08-23T10:55:45.0645017Z","EndDate":"2023-09-22T10:55:45.0645017Z","PublicKey":"pk","ApiStatusCode":100,"ApiStatus":"IsValid","ApiStatusDescription":"Valid Operation"},"ExpectedResponses":["IsValid"]}}""";
}
