// The local sandbox emulator of the Caxton authentication contract (docs/contract.md).
using Caxton.Sandbox;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

if (CommandLine.WantsHelp(args))
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

SandboxOptions options;
WebApplicationBuilder builder;
try
{
    var normalized = CommandLine.Normalize(args);
    builder = WebApplication.CreateBuilder(normalized);
    options = SandboxOptions.From(builder.Configuration, new ConfigurationBuilder().AddCommandLine(normalized).Build());
}
catch (FormatException e)
{
    Console.Error.WriteLine($"caxton-sandbox: {e.Message}");
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}

builder.WebHost.UseUrls(options.Urls);

// Logs go to stderr so stdout carries only the announcement lines scripts read.
builder.Logging.ClearProviders();
if (!options.Quiet)
{
    builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
    builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(
        o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
}

builder.Services.AddSingleton(options);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<AccountStore>();
builder.Services.AddSingleton<RequestStats>();
builder.Services.AddSingleton<FaultInjector>();

var app = builder.Build();
var store = app.Services.GetRequiredService<AccountStore>();
store.SeedDemoAccounts();

// The docs' examples show "api//path"; collapse repeated slashes before routing sees the path.
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
// Every attempt at an endpoint is counted on arrival, whatever answers it (a fault, the endpoint).
var stats = app.Services.GetRequiredService<RequestStats>();
app.Use((context, next) =>
{
    stats.CountRequest(context.Request);
    return next(context);
});
app.UseFaultInjection(); // test faults (/_emulator/faults) answer before the endpoints see the request
app.UseRouting(); // explicit, so routing runs after the slash fix-up and the faults

var api = app.MapGroup("/api");
api.MapAuthEndpoints();
api.MapReferenceEndpoints();
var control = app.MapGroup("/_emulator");
control.MapControlEndpoints();
control.MapFaultEndpoints();

// A stale ready file from an earlier run must not pass for this one.
if (options.ReadyFile is not null)
{
    File.Delete(options.ReadyFile);
}

app.Lifetime.ApplicationStarted.Register(() =>
{
    var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
    var baseUrl = addresses.First().TrimEnd('/') + "/api/";

    Console.WriteLine($"Caxton sandbox emulator listening on {baseUrl}");
    Console.WriteLine($"  main account: Username={AccountStore.DemoUsername} Clientname={AccountStore.DemoClientname}");
    Console.WriteLine(
        $"  sub-account:  Username={AccountStore.DemoSubUsername} Clientname={AccountStore.DemoSubClientname} " +
        $"IdentityNumber={AccountStore.DemoSubIdentityNumber} (of {AccountStore.DemoUsername})");
    Console.WriteLine(
        $"  token lifetime: {options.TokenLifetime.TotalSeconds:0} s; password lifetime: {options.PasswordLifetime.TotalSeconds:0} s");
    Console.WriteLine($"  test control surface: {baseUrl[..^"api/".Length]}_emulator/");
    Console.Out.Flush();

    if (options.ReadyFile is not null)
    {
        // Temp file then rename, so a watcher never reads a half-written URL.
        var temp = $"{options.ReadyFile}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temp, baseUrl);
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
    Console.Error.WriteLine($"caxton-sandbox: cannot listen on {options.Urls}: {e.Message}");
    return 1;
}

return 0;
