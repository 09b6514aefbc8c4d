using System.Globalization;

namespace Caxton.Emulator;

/// <summary>Settings of one emulator run, read from configuration (command line first).</summary>
internal sealed class EmulatorOptions
{
    /// <summary>Loopback and a free port unless told otherwise: the emulator must never face a network.</summary>
    public const string DefaultUrls = "http://127.0.0.1:0";

    /// <summary>The docs' example <c>expires_in</c>.</summary>
    public const int DefaultTokenLifetime = 2591999;

    /// <summary>The docs' example password runs StartDate + 30 days.</summary>
    public const int DefaultPasswordLifetime = 30 * 24 * 60 * 60;

    public required string Urls { get; init; }
    public required TimeSpan TokenLifetime { get; init; }
    public required TimeSpan PasswordLifetime { get; init; }
    public string? ReadyFile { get; init; }
    public bool Quiet { get; init; }

    /// <summary>--tokens-survive-reset: tokens issued before a reset keep working until they expire.</summary>
    public bool TokensSurviveReset { get; init; }

    /// <summary>
    /// --main-reset-requires-token: a main-account reset needs the main account's own Bearer token, as
    /// a stricter Caxton might; then nobody holding only an expired main password can reset it.
    /// </summary>
    public bool MainResetRequiresToken { get; init; }

    /// <summary>
    /// <paramref name="configuration"/> is the command line alone (see Program): nothing in the
    /// environment or the current folder can move the emulator off loopback.
    /// </summary>
    public static EmulatorOptions From(IConfiguration configuration) => new()
    {
        Urls = ListenUrls(configuration),
        TokenLifetime = TimeSpan.FromSeconds(PositiveSeconds(configuration, "TokenLifetime", DefaultTokenLifetime)),
        PasswordLifetime = TimeSpan.FromSeconds(PositiveSeconds(configuration, "PasswordLifetime", DefaultPasswordLifetime)),
        ReadyFile = string.IsNullOrWhiteSpace(configuration["ReadyFile"]) ? null : configuration["ReadyFile"],
        Quiet = bool.TryParse(configuration["Quiet"], out var quiet) && quiet,
        TokensSurviveReset = bool.TryParse(configuration["TokensSurviveReset"], out var survive) && survive,
        MainResetRequiresToken = bool.TryParse(configuration["MainResetRequiresToken"], out var strict) && strict,
    };

    /// <summary>--port N is loopback port N; --urls names the addresses in full (loopback hosts only, checked at start).</summary>
    private static string ListenUrls(IConfiguration configuration)
    {
        var urls = configuration["urls"];
        var port = configuration["Port"];
        if (string.IsNullOrWhiteSpace(port))
        {
            return string.IsNullOrWhiteSpace(urls) ? DefaultUrls : urls!;
        }

        if (!string.IsNullOrWhiteSpace(urls))
        {
            throw new FormatException("Give --port or --urls, not both.");
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > 65535)
        {
            throw new FormatException($"--port must be a port number from 0 to 65535, not '{port}'.");
        }

        return $"http://127.0.0.1:{number}";
    }

    private static int PositiveSeconds(IConfiguration configuration, string key, int fallback)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
        {
            throw new FormatException($"{key} must be a whole number of seconds greater than 0, not '{text}'.");
        }

        return seconds;
    }
}

/// <summary>Turns the documented dashed options into ordinary configuration keys.</summary>
internal static class CommandLine
{
    public const string Usage = """
        Caxton emulator: a local stand-in for the Caxton authentication API.

        Options:
          --port <port>                 listen on http://127.0.0.1:<port> (0, the default, picks a free port)
          --urls <url>                  where to listen, loopback hosts only (default http://127.0.0.1:0)
          --token-lifetime <seconds>    access token lifetime, the expires_in value (default 2591999)
          --password-lifetime <seconds> client password lifetime, EndDate - StartDate (default 2592000)
          --ready-file <path>           once listening, write the base URL (…/api/) and, on a second
                                        line, the control key (the X-Emulator-Key header) to this file
          --quiet                       no ASP.NET logging at all (default: warnings only, on stderr)
          --tokens-survive-reset        tokens issued before a reset keep working until they expire
                                        (default: a reset ends them); also PUT /_emulator/lifecycle
          --main-reset-requires-token   a main-account reset needs the main account's Bearer token
                                        (default: anonymous, as the contract decides)
        The configuration forms --TokenLifetime, --PasswordLifetime, --ReadyFile, --Quiet=true,
        --TokensSurviveReset=true, --MainResetRequiresToken=true work too.
        """;

    private static readonly Dictionary<string, string> ValueOptions = new(StringComparer.Ordinal)
    {
        ["--urls"] = "urls",
        ["--port"] = "Port",
        ["--token-lifetime"] = "TokenLifetime",
        ["--password-lifetime"] = "PasswordLifetime",
        ["--ready-file"] = "ReadyFile",
    };

    /// <summary>Switches: present means true, or an explicit true/false follows.</summary>
    private static readonly Dictionary<string, string> Flags = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--quiet"] = "Quiet",
        ["--tokens-survive-reset"] = "TokensSurviveReset",
        ["--main-reset-requires-token"] = "MainResetRequiresToken",
    };

    public static bool WantsHelp(string[] args) =>
        args.Any(a => a is "--help" or "-h" or "-?" or "/?");

    /// <summary>
    /// The configuration provider needs a value after every switch (a bare <c>--quiet</c> would swallow
    /// the next option), so flags and dashed names are rewritten to <c>--Key=value</c> here.
    /// </summary>
    public static string[] Normalize(string[] args)
    {
        var result = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? arg : arg[..eq];

            if (Flags.TryGetValue(name, out var flag))
            {
                var value = "true";
                if (eq >= 0)
                {
                    value = arg[(eq + 1)..];
                }
                else if (i + 1 < args.Length && bool.TryParse(args[i + 1], out _))
                {
                    value = args[++i];
                }

                result.Add($"--{flag}={value}");
            }
            else if (ValueOptions.TryGetValue(name, out var key))
            {
                if (eq >= 0)
                {
                    result.Add($"--{key}={arg[(eq + 1)..]}");
                }
                else if (i + 1 < args.Length)
                {
                    result.Add($"--{key}={args[++i]}");
                }
                else
                {
                    throw new FormatException($"{name} needs a value.");
                }
            }
            else
            {
                result.Add(arg);
            }
        }

        return [.. result];
    }
}
