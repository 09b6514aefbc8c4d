namespace Caxton.Emulator;

internal enum StatCounter { Register, Token, Reset, Subsidiary, Banks, TokenIssued, FaultsInjected }

/// <summary>Per-endpoint request counts for tests (e.g. "the module asked for one token, not 32").</summary>
internal sealed class RequestStats
{
    private readonly long[] counts = new long[Enum.GetValues<StatCounter>().Length];

    public void Count(StatCounter counter) => Interlocked.Increment(ref counts[(int)counter]);

    /// <summary>
    /// Counts a request to one of the contract's endpoints (path and method as routed), before any
    /// fault or endpoint answers it: a test sees every attempt, also one answered by a fault or abandoned.
    /// </summary>
    public void CountRequest(HttpRequest request)
    {
        if (!request.Path.StartsWithSegments("/api", out var rest) || !rest.HasValue)
        {
            return;
        }

        var path = rest.Value!.Trim('/').ToLowerInvariant();
        StatCounter? counter = (request.Method, path) switch
        {
            ("POST", Routes.Register) => StatCounter.Register,
            ("POST", Routes.Token) => StatCounter.Token,
            ("PUT", Routes.Reset or Routes.ContradictedReset) => StatCounter.Reset,
            ("POST", Routes.Subsidiary) => StatCounter.Subsidiary,
            ("GET", _) when path.StartsWith(Routes.BanksPrefix, StringComparison.Ordinal)
                && path.IndexOf('/', Routes.BanksPrefix.Length) < 0 => StatCounter.Banks,
            _ => null,
        };
        if (counter.HasValue)
        {
            Count(counter.Value);
        }
    }

    public void Reset()
    {
        for (var i = 0; i < counts.Length; i++)
        {
            Interlocked.Exchange(ref counts[i], 0);
        }
    }

    public Dictionary<string, long> Snapshot() => new()
    {
        ["register"] = Interlocked.Read(ref counts[(int)StatCounter.Register]),
        ["token"] = Interlocked.Read(ref counts[(int)StatCounter.Token]),
        ["reset"] = Interlocked.Read(ref counts[(int)StatCounter.Reset]),
        ["subsidiary"] = Interlocked.Read(ref counts[(int)StatCounter.Subsidiary]),
        ["banks"] = Interlocked.Read(ref counts[(int)StatCounter.Banks]),
        ["tokenIssued"] = Interlocked.Read(ref counts[(int)StatCounter.TokenIssued]),
        ["faultsInjected"] = Interlocked.Read(ref counts[(int)StatCounter.FaultsInjected]),
    };
}
