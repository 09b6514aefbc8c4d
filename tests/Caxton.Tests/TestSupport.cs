using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security;
using System.Text;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>A request as the fake server saw it (the transport disposes the original).</summary>
internal sealed class RecordedRequest
{
    public RecordedRequest(HttpRequestMessage request, byte[] body)
    {
        Method = request.Method.Method;
        Uri = request.RequestUri!;
        Authorization = request.Headers.Authorization?.ToString();
        ContentType = request.Content?.Headers.ContentType?.ToString();
        IdentityNumber = request.Headers.TryGetValues("IdentityNumber", out var values) ? string.Join(",", values) : null;
        Body = body;
    }

    public string Method { get; }

    public Uri Uri { get; }

    public string? Authorization { get; }

    public string? ContentType { get; }

    public string? IdentityNumber { get; }

    public byte[] Body { get; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    public string Path => Uri.AbsolutePath;
}

/// <summary>An in-memory server: records every request and answers with the given function.</summary>
internal sealed class FakeHandler : HttpMessageHandler
{
    private readonly Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>> respond;
    private readonly ConcurrentQueue<RecordedRequest> requests = new();

    public FakeHandler(Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>> respond)
    {
        this.respond = respond;
    }

    public FakeHandler(Func<RecordedRequest, HttpResponseMessage> respond)
        : this((request, _) => Task.FromResult(respond(request)))
    {
    }

    public int Count => requests.Count;

    public IReadOnlyList<RecordedRequest> Requests => requests.ToArray();

    public int CountOf(string pathEnd) => requests.Count(r => r.Path.EndsWith(pathEnd, StringComparison.Ordinal));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? Array.Empty<byte>() : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var recorded = new RecordedRequest(request, body);
        requests.Enqueue(recorded);
        return await respond(recorded, cancellationToken);
    }
}

internal sealed class RecordingLog : ICaxtonLog
{
    private readonly ConcurrentQueue<string> messages = new();
    private readonly ConcurrentQueue<string> warnings = new();

    public IReadOnlyList<string> Messages => messages.ToArray();

    public IReadOnlyList<string> Warnings => warnings.ToArray();

    public bool IsVerboseEnabled => true;

    public bool IsDebugEnabled => true;

    public void Verbose(string message) => messages.Enqueue(message);

    public void Warning(string message)
    {
        messages.Enqueue(message);
        warnings.Enqueue(message);
    }

    public void Debug(string message) => messages.Enqueue(message);
}

internal static class Fake
{
    public static readonly Uri BaseUri = new("https://example.test/api/");

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static string TokenJson(string accessToken, long expiresIn = 2591999) =>
        $"{{\"access_token\":\"{accessToken}\",\"token_type\":\"bearer\",\"expires_in\":{expiresIn}}}";

    public static string Envelope(string modelMembers, string status = "IsValid", int code = 100, string description = "Valid Operation") =>
        $"{{\"Content\":{{\"Model\":{{{modelMembers}{(modelMembers.Length == 0 ? "" : ",")}\"ApiStatusCode\":{code},\"ApiStatus\":\"{status}\",\"ApiStatusDescription\":\"{description}\"}},\"ExpectedResponses\":[\"IsValid\"]}}}}";

    public static string RegisterJson(string clientPassword, string endDate = "2099-09-22T10:55:45.0645017Z") =>
        Envelope($"\"ClientPassword\":\"{clientPassword}\",\"StartDate\":\"2099-08-23T10:55:45.0645017Z\",\"EndDate\":\"{endDate}\",\"PublicKey\":\"pk\"");

    public static CaxtonConnection Connection(HttpMessageHandler handler, TimeSpan? timeout = null) =>
        new(BaseUri, null, null, timeout ?? TimeSpan.FromSeconds(5), new CaxtonTransport(() => new HttpClient(handler, disposeHandler: false)));

    public static SecureString Secure(string plain) => Secrets.ToSecureString(plain);

    public static string Plain(SecureString secure) => Secrets.ToPlainText(secure);

    /// <summary>What a connection holds, read as the cmdlets read it (its own copy).</summary>
    public static SecureString HeldPassword(CaxtonConnection connection) =>
        connection.TryCopyHeldCredential(out _, out var password) ? password : throw new InvalidOperationException("The connection holds no credential.");

    public static string? HeldUsername(CaxtonConnection connection) => connection.Username;

    public static HttpExchange Exchange(int status, string body, string operation = CaxtonRequests.GeneratePassword, string? reason = null, string? mediaType = "application/json") =>
        new(operation, "POST", new Uri(BaseUri, "clients/auth/register"), status, reason, mediaType, Encoding.UTF8.GetBytes(body));

    public static HttpExchange Exchange(int status, byte[] body, string operation = CaxtonRequests.GeneratePassword) =>
        new(operation, "POST", new Uri(BaseUri, "clients/auth/register"), status, null, "application/json", body);

    /// <summary>A guard against a hang, not a timing assertion.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The seed of a test that draws random numbers: CAXTON_TEST_SEED when set (to replay a failure),
/// else a new one. The test prints it, so any run can be replayed.
/// </summary>
internal sealed class TestRandom
{
    public const string SeedVariable = "CAXTON_TEST_SEED";

    private readonly Random random;

    public TestRandom(Xunit.Abstractions.ITestOutputHelper output)
    {
        Seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var given) ? given : Random.Shared.Next();
        random = new Random(Seed);
        output.WriteLine($"Random seed {Seed}; replay with {SeedVariable}={Seed}.");
    }

    public int Seed { get; }

    /// <summary>Thread-safe: one sequence, drawn in whatever order the threads come.</summary>
    public int Next(int minValue, int maxValue)
    {
        lock (random)
        {
            return random.Next(minValue, maxValue);
        }
    }

    public override string ToString() => $"seed {Seed} ({SeedVariable}={Seed} replays it)";
}

/// <summary>The accept loop of the in-process test servers: each client served on its own task until the stop.</summary>
internal static class LoopbackAccept
{
    public static async Task EachAsync(TcpListener listener, CancellationToken stop, Func<TcpClient, Task> serve)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop);
            }
            catch (Exception)
            {
                return;
            }

            _ = Task.Run(() => serve(client));
        }
    }
}
