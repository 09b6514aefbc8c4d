using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace Caxton.Emulator;

/// <summary>Small request-reading helpers shared by the contract endpoints.</summary>
internal static class RequestHelpers
{
    public const string JsonTypes = "text/json or application/json";

    /// <summary>The docs send text/json; a real server would take application/json too.</summary>
    public static bool IsJson(HttpRequest request) => HasMediaType(request, "text/json", "application/json");

    public static bool HasMediaType(HttpRequest request, params string[] mediaTypes) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed)
        && mediaTypes.Any(m => string.Equals(parsed.MediaType.Value, m, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Reads a JSON object body. Member look-ups are case-sensitive on purpose: the contract's names
    /// are PascalCase, and a client sending <c>username</c> should hear about it here.
    /// </summary>
    public static async Task<(JsonElement Body, string? Error)> ReadJsonObjectAsync(HttpRequest request)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Clone(), null)
                : (default, "The request body must be a JSON object.");
        }
        catch (JsonException)
        {
            return (default, "The request body is not valid JSON.");
        }
    }

    /// <summary>A present, non-blank string member, or an error naming the member as it must be spelt.</summary>
    public static string? RequiredString(JsonElement body, string name, out string? error)
    {
        error = null;
        if (body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(value.GetString()))
        {
            return value.GetString();
        }

        error = $"{name} is required (member names are case-sensitive).";
        return null;
    }

    /// <summary>An absent or null member is fine; anything but a non-blank string is an error.</summary>
    public static string? OptionalString(JsonElement body, string name, out string? error)
    {
        error = null;
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()))
        {
            return value.GetString();
        }

        error = $"{name}, when given, must be a non-empty string.";
        return null;
    }

    /// <summary>The token of an <c>Authorization: Bearer …</c> header (scheme case-insensitive per RFC 6750).</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
    }

    /// <summary>The shape the ASP.NET Web API behind Caxton gives when a Bearer token is missing or bad.</summary>
    public static IResult Unauthorized(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Json(
            new { Message = "Authorization has been denied for this request." },
            Envelope.Json,
            statusCode: StatusCodes.Status401Unauthorized);
    }

    /// <summary>The <c>IdentityNumber</c> header, when sent and not blank.</summary>
    public static string? IdentityNumberHeader(HttpRequest request)
    {
        var value = request.Headers["IdentityNumber"].ToString().Trim();
        return value.Length == 0 ? null : value;
    }
}
