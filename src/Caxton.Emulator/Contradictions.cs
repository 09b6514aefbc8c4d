using System.Collections.Frozen;

namespace Caxton.Emulator;

/// <summary>
/// <c>--contradict</c> and <c>PUT /_emulator/contradictions</c>: decisions of docs/contract.md, by their
/// ids, that this run answers against, so Test-CaxtonContract can be shown to notice each one. Off by
/// default: the emulator then follows every decision.
/// </summary>
internal sealed class Contradictions(EmulatorOptions options, TimeProvider time)
{
    /// <summary>The ids the emulator can contradict; the README's table says what each does.</summary>
    public static readonly FrozenSet<string> Known = new[]
    {
        "token-response",
        "token-type",
        "token-expires-in",
        "token-error",
        "envelope",
        "status-triple",
        "api-error",
        "api-unauthorized",
        "api-not-found",
        "support-reference",
        "date-format",
        "reset-path",
        "reset-anonymous",
        "reset-voids-password",
        "reset-ends-tokens",
        "generate-while-active",
        "token-rate-limit",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Enough for Test-CaxtonContract's other token requests, fewer than its rate test's minimum of 10.</summary>
    public const int TokenRequestsPerMinute = 8;

    private readonly Lock gate = new();
    private readonly Queue<DateTimeOffset> tokenRequests = new();
    private volatile FrozenSet<string> active = (options.Contradict ?? []).ToFrozenSet(StringComparer.Ordinal);

    public bool Has(string id) => active.Contains(id);

    public IReadOnlyCollection<string> Active => [.. active.Order(StringComparer.Ordinal)];

    /// <summary>The ids that are not known, if any; otherwise the set is replaced.</summary>
    public IReadOnlyList<string> Replace(IEnumerable<string> ids)
    {
        var list = ids.ToList();
        var unknown = Unknown(list);
        if (unknown.Count == 0)
        {
            active = list.ToFrozenSet(StringComparer.Ordinal);
            lock (gate)
            {
                tokenRequests.Clear();
            }
        }

        return unknown;
    }

    public static IReadOnlyList<string> Unknown(IEnumerable<string> ids) => [.. ids.Where(id => !Known.Contains(id))];

    /// <summary>Under token-rate-limit: whether one more token request fits this minute.</summary>
    public bool TryTakeTokenRequest()
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            while (tokenRequests.Count > 0 && now - tokenRequests.Peek() >= TimeSpan.FromMinutes(1))
            {
                tokenRequests.Dequeue();
            }

            if (tokenRequests.Count >= TokenRequestsPerMinute)
            {
                return false;
            }

            tokenRequests.Enqueue(now);
            return true;
        }
    }
}
