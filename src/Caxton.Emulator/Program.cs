// The local emulator of the Caxton authentication contract (docs/contract.md).
using Caxton.Emulator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

if (CommandLine.WantsHelp(args))
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

EmulatorOptions options;
WebApplicationBuilder builder;
try
{
    var normalized = CommandLine.Normalize(args);

    // The content root is the emulator's own folder, and the command line is its only configuration:
    // no appsettings.json from the current folder, no Kestrel__Endpoints__* or ASPNETCORE_* variables
    // can add an endpoint or move it off loopback.
    builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = normalized, ContentRootPath = AppContext.BaseDirectory });
    builder.Configuration.Sources.Clear();
    builder.Configuration.AddCommandLine(normalized);
    options = EmulatorOptions.From(builder.Configuration);
    LoopbackGuard.CheckListenUrls(options.Urls);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"caxton-emulator: {e.Message}");
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}

builder.WebHost.UseUrls(options.Urls);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Configure(new ConfigurationBuilder().Build())); // no endpoints from configuration
var controlKey = LoopbackGuard.NewKey();

// Logs go to stderr so stdout carries only the announcement lines scripts read.
builder.Logging.ClearProviders();
if (!options.Quiet)
{
    builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
    builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(
        o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);

    // A start-up failure (a port in use) is reported below in one line; the host's own log of it is a stack trace.
    builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
    builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.None);
}

builder.Services.AddSingleton(options);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<Contradictions>();
builder.Services.AddSingleton<AccountStore>();
builder.Services.AddSingleton<RequestStats>();
builder.Services.AddSingleton<FaultInjector>();

var app = builder.Build();
var store = app.Services.GetRequiredService<AccountStore>();
store.SeedDemoAccounts();

// The docs' examples show "api//path"; collapse repeated slashes before anything judges the path: the
// guard's control-key check included, or //_emulator/... would skip it and still reach the control routes.
app.Use((context, next) =>
{
    var path = context.Request.Path.Value;
    if (path is not null && path.Contains("//", StringComparison.Ordinal))
    {
        var collapsed = new System.Text.StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c != '/' || collapsed.Length == 0 || collapsed[^1] != '/')
            {
                collapsed.Append(c);
            }
        }

        context.Request.Path = new PathString(collapsed.ToString());
    }

    return next(context);
});
app.UseLoopbackGuard(controlKey); // before anything else acts: nothing sees a request for a foreign Host or a control call without the key

// A request id on every answer, for quoting to support as Caxton's would be (unless contradicted).
var contradictions = app.Services.GetRequiredService<Contradictions>();
app.Use((context, next) =>
{
    if (!contradictions.Has("support-reference"))
    {
        context.Response.Headers["X-Request-Id"] = Guid.NewGuid().ToString("N");
    }

    return next(context);
});
// Every attempt at an endpoint is counted on arrival, whatever answers it (a fault, the endpoint).
var stats = app.Services.GetRequiredService<RequestStats>();
app.Use((context, next) =>
{
    stats.CountRequest(context.Request);
    return next(context);
});
app.UseFaultInjection(); // test faults (/_emulator/faults) answer before the endpoints see the request
app.UseRouting(); // explicit, so routing runs after the slash fix-up and the faults

// An unknown path under /api/ is a plain 404, unless the api-not-found decision is contradicted.
app.Use((context, next) =>
{
    if (context.GetEndpoint() is null && context.Request.Path.StartsWithSegments("/api") && contradictions.Has("api-not-found"))
    {
        return Results.Json(new { Message = "The request is invalid." }, Envelope.Json, statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(context);
    }

    return next(context);
});

var api = app.MapGroup("/api");
api.MapAuthEndpoints();
api.MapReferenceEndpoints();
api.MapSubAccountEndpoints();
var control = app.MapGroup("/_emulator");
control.MapControlEndpoints();
control.MapFaultEndpoints();
control.MapLifecycleEndpoints();
control.MapContradictionEndpoints();

// A stale ready file from an earlier run must not pass for this one.
if (options.ReadyFile is not null)
{
    File.Delete(options.ReadyFile);
}

app.Lifetime.ApplicationStarted.Register(() =>
{
    var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
    if (addresses.Count == 0 || addresses.Any(address => !LoopbackGuard.IsLoopbackAddress(address)))
    {
        // Not reachable with the configuration shut out above; kept so no future change can widen it silently.
        Console.Error.WriteLine($"caxton-emulator: refusing to serve on a non-loopback address ({string.Join(", ", addresses)}).");
        Environment.ExitCode = 1;
        app.Lifetime.StopApplication();
        return;
    }

    var baseUrl = addresses.First().TrimEnd('/') + "/api/";

    Console.WriteLine($"Caxton emulator listening on {baseUrl}");
    Console.WriteLine($"  main account: Username={AccountStore.DemoUsername} Clientname={AccountStore.DemoClientname}");
    Console.WriteLine(
        $"  sub-account:  Username={AccountStore.DemoSubUsername} Clientname={AccountStore.DemoSubClientname} " +
        $"IdentityNumber={AccountStore.DemoSubIdentityNumber} (of {AccountStore.DemoUsername})");
    Console.WriteLine(
        $"  token lifetime: {options.TokenLifetime.TotalSeconds:0} s; password lifetime: {options.PasswordLifetime.TotalSeconds:0} s");
    Console.WriteLine($"  test control surface: {baseUrl[..^"api/".Length]}_emulator/ (send {LoopbackGuard.KeyHeader}: {controlKey})");
    Console.Out.Flush();

    if (options.ReadyFile is not null)
    {
        // Temp file then rename, so a watcher never reads a half-written URL.
        // It holds the control key: readable by its owner only, from the moment it exists.
        var temp = $"{options.ReadyFile}.{Environment.ProcessId}.tmp";
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temp, System.Text.Encoding.UTF8, create))
        {
            writer.Write(baseUrl + "\n" + controlKey + "\n");
        }

        File.Move(temp, options.ReadyFile, overwrite: true);
    }
});

app.Lifetime.ApplicationStopping.Register(() =>
{
    if (options.ReadyFile is not null)
    {
        File.Delete(options.ReadyFile);
    }
});

try
{
    app.Run();
}
catch (IOException e)
{
    // Typically the address is in use: say so plainly and exit non-zero instead of a crash dump.
    Console.Error.WriteLine($"caxton-emulator: cannot listen on {options.Urls}: {e.Message}");
    return 1;
}

return Environment.ExitCode;
