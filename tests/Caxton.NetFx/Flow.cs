using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using static Caxton.NetFx.Checks;

namespace Caxton.NetFx
{
    /// <summary>The flow the cmdlets drive, through the engine, against the emulator and a stalling peer.</summary>
    internal static class Flow
    {
        private const string BanksPath = "reference/lookup/banks/GBP";

        public static void Run(Checks checks, Engine engine, Emulator emulator)
        {
            var clientname = "netfx-client";
            var username = emulator.NewAccount(clientname);
            var identity = "NETFX-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            emulator.NewAccount("netfx-sub", identity, username);
            var connection = engine.NewConnection(emulator.BaseUri, TimeSpan.FromSeconds(60));
            object? token = null;

            checks.Run("New-CaxtonPassword: Generate Password gives a client password", () =>
            {
                var password = engine.NewClientPassword(connection, username, clientname);
                Expect(engine.Plain((SecureString)Engine.Get(password, "ClientPassword")!).Length > 0, "the client password is empty");
                Expect(Engine.Get(connection, "Username") as string == username, "the connection does not hold the new credential");
            });

            checks.Run("Get-CaxtonToken: a bearer token from the held password", () =>
            {
                token = engine.GetToken(connection, force: false);
                Expect(engine.Plain((SecureString)Engine.Get(token, "AccessToken")!).Length > 0, "the token is empty");
            });

            checks.Run("Get-CaxtonToken again: the cached token, no new request", () =>
                Expect(ReferenceEquals(engine.GetToken(connection, force: false), token), "a second token was requested"));

            checks.Run("Invoke-CaxtonRestMethod: an API call with the token, its model read with System.Text.Json", () =>
            {
                var output = engine.InvokeApi(connection, "GET", BanksPath);
                Expect(output != null && output.Length > 2, "no model in the response");
            });

            checks.Run("Get-CaxtonToken -AsHeader: its header value authorizes a plain HTTP call", () =>
            {
                Expect(SendWithAuthorization(emulator.BaseUri, engine.AuthorizationHeader(token!)) == 200, "the -AsHeader value was refused");
                Expect(SendWithAuthorization(emulator.BaseUri, "Bearer not-a-token") == 401, "control: a wrong header was accepted, so this check proves nothing");
            });

            checks.Run("DNS changes: the API host's connections are leased for a handler's lifetime, as .NET Framework pools them per ServicePoint", () =>
            {
                Expect(ServicePointManager.FindServicePoint(emulator.BaseUri).ConnectionLeaseTimeout == 120_000, "no 2-minute lease on the API host's ServicePoint");
                Expect(ServicePointManager.FindServicePoint(new Uri("http://127.0.0.2:9/")).ConnectionLeaseTimeout == -1, "control: a host Caxton never called has a lease too, so this check proves nothing");
            });

            checks.Run("DNS changes: the same lease through a handler of a connection's own (-SkipCertificateCheck)", () =>
            {
                var servicePoint = ServicePointManager.FindServicePoint(emulator.BaseUri);
                servicePoint.ConnectionLeaseTimeout = -1;
                var own = engine.NewConnectionWithOwnHandler(emulator.BaseUri, TimeSpan.FromSeconds(60));
                ExpectFailure(() => engine.GetToken(own, username, "not-the-password", force: true), "InvalidCredentials", TimeSpan.FromSeconds(60));
                Expect(servicePoint.ConnectionLeaseTimeout == 120_000, "no 2-minute lease after a call through the connection's own handler");
            });

            checks.Run("a 503 with Retry-After is retried and the call succeeds", () =>
            {
                emulator.AddFault(BanksPath, "\"Status\":503,\"RetryAfter\":\"1\",\"Count\":1");
                var output = engine.InvokeApi(connection, "GET", BanksPath);
                Expect(output != null && output.Length > 2, "no model after the retry");
            });

            checks.Run("-TimeoutSec: a server that does not answer ends in RequestTimeout within the budget", () =>
            {
                var quick = engine.NewConnection(emulator.BaseUri, TimeSpan.FromSeconds(2));
                emulator.AddFault("token", "\"DelayMs\":60000,\"Count\":1");
                try
                {
                    ExpectFailure(() => engine.GetToken(quick, username, "irrelevant", force: true), "RequestTimeout", TimeSpan.FromSeconds(30));
                }
                finally
                {
                    emulator.ClearFaults();
                }
            });

            checks.Run("-TimeoutSec: a response that stalls after its headers ends in RequestTimeout within the budget", () =>
            {
                using (var peer = new StallingPeer())
                {
                    var stalled = engine.NewConnection(peer.BaseUri, TimeSpan.FromSeconds(2));
                    ExpectFailure(() => engine.GetToken(stalled, "someone", "irrelevant", force: true), "RequestTimeout", TimeSpan.FromSeconds(30));
                }
            });

            checks.Run("the size cap: an oversized token response ends in ResponseTooLarge", () =>
            {
                emulator.AddFault("token", "\"Body\":\"oversized\",\"Count\":1");
                ExpectFailure(() => engine.GetToken(connection, force: true), "ResponseTooLarge", TimeSpan.FromSeconds(60));
            });

            checks.Run("Reset-CaxtonCredential -IdentityNumber: the sub-account, with the main token kept", () =>
            {
                var reset = engine.ResetCredential(connection, username, clientname, identity);
                Expect((string?)Engine.Get(reset, "Account") == "Sub-account", "not a sub-account reset");
                Expect(Engine.Get(connection, "TokenExpiresOn") != null, "the main account's token was dropped");
            });

            checks.Run("Reset-CaxtonCredential: the main account, after which the connection holds nothing", () =>
            {
                var reset = engine.ResetCredential(connection, username, clientname, null);
                Expect((string?)Engine.Get(reset, "Account") == "Main", "not a main account reset");
                Expect(Engine.Get(connection, "Username") == null && Engine.Get(connection, "TokenExpiresOn") == null, "the connection still holds the reset credential");
            });

            checks.Run("-Body: dates, escapes and numbers serialise to the bytes PowerShell 7 sends", () =>
            {
                var body = new Dictionary<string, object?>
                {
                    ["When"] = new DateTime(2024, 2, 29, 13, 5, 9, 123, DateTimeKind.Utc),
                    ["At"] = new DateTimeOffset(2024, 2, 29, 13, 5, 9, TimeSpan.FromHours(2)),
                    ["Text"] = "quote\" back\\ tab\t <&'> \u00e9\u20ac\U0001F600 \u2028",
                    ["Numbers"] = new ArrayList { 1, -2L, 0.1, 1e21, 3.5m, true, null },
                };
                var expected = "{\"When\":\"2024-02-29T13:05:09.1230000Z\",\"At\":\"2024-02-29T13:05:09.0000000+02:00\","
                    + "\"Text\":\"quote\\\" back\\\\ tab\\t \\u003C\\u0026\\u0027\\u003E \\u00E9\\u20AC\\uD83D\\uDE00 \\u2028\","
                    + "\"Numbers\":[1,-2,0.1,1E+21,3.5,true,null]}";
                var actual = Encoding.UTF8.GetString(engine.SerializeBody(body));
                Expect(actual == expected, $"got {actual}");
            });
        }

        private static void ExpectFailure(Action call, string errorId, TimeSpan within)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                call();
            }
            catch (Exception e)
            {
                var actual = Engine.ErrorIdOf(e);
                Expect(actual == errorId, $"failed with {actual ?? e.GetType().Name + ": " + e.Message}, not {errorId}");
                Expect(watch.Elapsed < within, $"took {watch.Elapsed.TotalSeconds:0.0} s");
                return;
            }

            throw new InvalidOperationException($"succeeded; expected {errorId}");
        }

        private static int SendWithAuthorization(Uri baseUri, string authorization)
        {
            using (var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
            using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, BanksPath)))
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                using (var response = client.SendAsync(request).GetAwaiter().GetResult())
                {
                    return (int)response.StatusCode;
                }
            }
        }
    }
}
