using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net.Http;
using System.Runtime.Loader;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

// A custom PowerShell host with its own Microsoft.Extensions.* (tests/SdkHost/SdkHost.csproj). Arguments:
// the built Caxton.psd1, the emulator's API base URI, its control URI and key, and whether the host uses its
// own stack Before or After importing Caxton. Prints one line of JSON, which Peers.Tests.ps1 asserts on.
if (args.Length != 5 || (args[4] != "Before" && args[4] != "After"))
{
    Console.Error.WriteLine("usage: SdkHost <Caxton.psd1> <api base URI> <control URI> <control key> Before|After");
    return 2;
}

var (modulePath, baseUri, controlUri, controlKey, order) = (args[0], args[1], args[2], args[3], args[4]);
var report = new Dictionary<string, object?>();

// The host's own HTTP stack, as an ASP.NET Core service or worker builds it, and a real request with it.
ServiceProvider? hostServices = null;
int UseHostStack()
{
    hostServices ??= new ServiceCollection().AddHttpClient().BuildServiceProvider();
    var factory = hostServices.GetRequiredService<IHttpClientFactory>();
    using var request = new HttpRequestMessage(HttpMethod.Get, controlUri + "stats");
    request.Headers.Add("X-Emulator-Key", controlKey);
    using var response = factory.CreateClient("host").Send(request);
    return (int)response.StatusCode;
}

if (order == "Before")
{
    report["HostBefore"] = UseHostStack();
}

var state = InitialSessionState.CreateDefault2();
state.ImportPSModule(modulePath);

// Two accounts, through the module itself, in a RunspacePool as hosts run scripts.
using (var pool = RunspaceFactory.CreateRunspacePool(state))
{
    pool.SetMaxRunspaces(2);
    pool.Open();
    var accounts = new List<PSObject>();
    foreach (var index in new[] { 1, 2 })
    {
        var account = Run(pool, null, """
            param($BaseUri, $ControlUri, $ControlKey)
            $headers = @{ 'X-Emulator-Key' = $ControlKey }
            $account = [pscustomobject]@{ Username = 'host-' + [guid]::NewGuid().ToString('n').Substring(0, 12); Clientname = 'client' }
            $null = Invoke-RestMethod -Method Post -Uri ($ControlUri + 'accounts') -Headers $headers -ContentType 'application/json' -Body ($account | ConvertTo-Json)
            $null = Connect-Caxton -BaseUri $BaseUri
            $password = New-CaxtonPassword -Username $account.Username -Clientname $account.Clientname -Confirm:$false
            $token = $password | Get-CaxtonToken
            $banks = Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP'
            Disconnect-Caxton
            [pscustomobject]@{
                Username = $account.Username
                Credential = $password.Credential
                Typed = ($password -is [Caxton.CaxtonClientPassword]) -and ($token -is [Caxton.CaxtonToken])
                TokenUser = $token.Username
                Banks = $banks.ApiStatus
            }
            """, new() { ["BaseUri"] = baseUri, ["ControlUri"] = controlUri, ["ControlKey"] = controlKey }).Single();
        accounts.Add(account);
    }

    report["PoolFlow"] = accounts.Select(a => new Dictionary<string, object?>
    {
        ["Typed"] = a.Properties["Typed"].Value,
        ["UsernameMatches"] = Equals(a.Properties["TokenUser"].Value, a.Properties["Username"].Value),
        ["Banks"] = a.Properties["Banks"].Value?.ToString(),
    }).ToList();

    if (order == "After")
    {
        report["HostAfter"] = UseHostStack();
    }

    // One runspace reused for invocation after invocation, as the Azure Functions PowerShell worker and
    // PowerShell Universal do, each invocation with its own identity, in the pattern about_Caxton documents.
    var perInvocation = """
        param($BaseUri, $Credential)
        $connection = Connect-Caxton -BaseUri $BaseUri -Credential $Credential
        try {
            $token = Get-CaxtonToken -Connection $connection
            $banks = Invoke-CaxtonRestMethod 'reference/lookup/banks/GBP' -Connection $connection
            [pscustomobject]@{ TokenUser = $token.Username; Token = $token.AccessToken | ConvertFrom-SecureString -AsPlainText; Banks = $banks.ApiStatus; Connection = $connection.GetHashCode() }
        }
        finally {
            Disconnect-Caxton -Connection $connection
        }
        """;
    using var reused = RunspaceFactory.CreateRunspace(state);
    reused.Open();
    var first = Run(null, reused, perInvocation, new() { ["BaseUri"] = baseUri, ["Credential"] = accounts[0].Properties["Credential"].Value }).Single();
    var second = Run(null, reused, perInvocation, new() { ["BaseUri"] = baseUri, ["Credential"] = accounts[1].Properties["Credential"].Value }).Single();

    // An invocation that forgets to connect: it must not run as anyone who came before it.
    string forgetful;
    try
    {
        var leftover = Run(null, reused, "Get-CaxtonToken", new());
        forgetful = "ran as " + string.Join(",", leftover.Select(t => t.Properties["Username"]?.Value));
    }
    catch (Exception exception)
    {
        forgetful = ErrorIdOf(exception);
    }

    report["Reused"] = new Dictionary<string, object?>
    {
        ["FirstIsFirst"] = Equals(first.Properties["TokenUser"].Value, accounts[0].Properties["Username"].Value),
        ["SecondIsSecond"] = Equals(second.Properties["TokenUser"].Value, accounts[1].Properties["Username"].Value),
        ["SameToken"] = Equals(first.Properties["Token"].Value, second.Properties["Token"].Value),
        ["SameConnection"] = Equals(first.Properties["Connection"].Value, second.Properties["Connection"].Value),
        ["Banks"] = new[] { first.Properties["Banks"].Value?.ToString(), second.Properties["Banks"].Value?.ToString() },
        ["Forgetful"] = forgetful,
    };
}

report["HostEnd"] = UseHostStack();

// Where each side's Microsoft.Extensions.Http came from.
report["Loaded"] = AppDomain.CurrentDomain.GetAssemblies()
    .Where(a => a.GetName().Name == "Microsoft.Extensions.Http")
    .Select(a => $"{a.GetName().Version} {AssemblyLoadContext.GetLoadContext(a)?.GetType().Name}")
    .OrderBy(s => s, StringComparer.Ordinal)
    .ToList();
report["HostVersion"] = typeof(HttpClientFactoryServiceCollectionExtensions).Assembly.GetName().Version?.ToString();

Console.WriteLine(JsonSerializer.Serialize(report));
return 0;

static Collection<PSObject> Run(RunspacePool? pool, Runspace? runspace, string script, Dictionary<string, object?> parameters)
{
    using var shell = PowerShell.Create();
    if (pool != null)
    {
        shell.RunspacePool = pool;
    }
    else
    {
        shell.Runspace = runspace;
    }

    shell.AddScript(script);
    foreach (var parameter in parameters)
    {
        shell.AddParameter(parameter.Key, parameter.Value);
    }

    var output = shell.Invoke();
    if (shell.HadErrors)
    {
        var error = shell.Streams.Error.FirstOrDefault();
        throw new InvalidOperationException(error is null ? "the script failed" : $"{error.FullyQualifiedErrorId}: {error}");
    }

    return output;
}

static string ErrorIdOf(Exception exception) => exception switch
{
    RuntimeException runtime when runtime.ErrorRecord != null => runtime.ErrorRecord.FullyQualifiedErrorId,
    InvalidOperationException invalid => invalid.Message.Split(':')[0],
    _ => exception.GetType().Name,
};
