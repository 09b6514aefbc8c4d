using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Caxton.Emulator;

/// <summary>
/// Keeps the emulator a loopback-only tool whatever the environment says: it listens on loopback
/// addresses alone, answers only requests addressed to a loopback name (no DNS rebinding), and serves
/// its control surface only to callers that present this run's key (no cross-site requests).
/// </summary>
internal static class LoopbackGuard
{
    /// <summary>The header that carries the per-run key on every /_emulator/ call.</summary>
    public const string KeyHeader = "X-Emulator-Key";

    public const string ControlPrefix = "/_emulator";

    /// <summary>A fresh key for this run: 32 random bytes, hex.</summary>
    public static string NewKey() => Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

    /// <summary>Refuses listen URLs that are not http(s) on a loopback host; the message names the offending one.</summary>
    public static void CheckListenUrls(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new FormatException($"--urls must hold http:// URLs, not '{url}'.");
            }

            if (!IsLoopbackHost(uri.Host))
            {
                throw new FormatException($"--urls must name a loopback host (127.0.0.1, [::1] or localhost), not '{uri.Host}': the emulator never listens on a network.");
            }
        }
    }

    /// <summary>True for addresses Kestrel actually bound, e.g. "http://127.0.0.1:5080" or "http://[::1]:5080".</summary>
    public static bool IsLoopbackAddress(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && IsLoopbackHost(uri.Host);

    /// <summary>localhost, any 127.x address, or ::1 (bracketed or not).</summary>
    public static bool IsLoopbackHost(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return IPAddress.TryParse(bare, out var address) && IPAddress.IsLoopback(address);
    }

    /// <summary>
    /// Answers 400 to a request whose Host is not a loopback name (a page on another site reaching the
    /// emulator through a rebound DNS name), and 403 to a control call without this run's key.
    /// </summary>
    public static IApplicationBuilder UseLoopbackGuard(this IApplicationBuilder app, string key)
    {
        var expected = Encoding.ASCII.GetBytes(key);
        return app.Use(async (context, next) =>
        {
            var host = context.Request.Host;
            if (!host.HasValue || !IsLoopbackHost(host.Host))
            {
                await Refuse(context, StatusCodes.Status400BadRequest, "The Host header must name a loopback host (localhost, 127.0.0.1 or [::1]).");
                return;
            }

            if (context.Request.Path.StartsWithSegments(ControlPrefix))
            {
                var given = context.Request.Headers[KeyHeader].ToString();
                if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(given), expected))
                {
                    await Refuse(context, StatusCodes.Status403Forbidden, $"Control calls need the {KeyHeader} header with the key this emulator printed and wrote to its ready file.");
                    return;
                }
            }

            await next(context);
        });
    }

    private static Task Refuse(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { error = message }, Envelope.Json);
    }
}
