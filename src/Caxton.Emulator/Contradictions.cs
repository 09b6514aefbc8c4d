using System.Collections.Frozen;

namespace Caxton.Emulator;

/// <summary>
/// <c>--contradict</c> and <c>PUT /_emulator/contradictions</c>: decisions of docs/contract.md, by their
/// ids, that this run answers against, so Test-CaxtonContract can be shown to notice each one. Off by
/// default: the emulator then follows every decision.
/// </summary>
internal sealed class Contradictions(EmulatorOptions options, TimeProvider time)
{
    /// <summary>Each id the emulator can contradict, and how it does (the README's table says the same).</summary>
    public static readonly IReadOnlyDictionary<string, string> Known = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["token-response"] = "the token answer names the token AccessToken, not access_token",
        ["token-type"] = "token_type is mac",
        ["token-expires-in"] = "the token answer has no expires_in",
        ["token-error"] = "a wrong password is HTTP 401 with {\"Message\"}, not OAuth's 400 invalid_grant",
        ["envelope"] = "the banks answer has the model at the root, without Content",
        ["status-triple"] = "the banks answer's success is 0 / Success / OK, with ExpectedResponses [Success]",
        ["api-error"] = "an unknown currency is HTTP 400 with {\"error\", \"message\"}, without the envelope",
        ["api-unauthorized"] = "a bad bearer token on the banks endpoint is HTTP 403, not 401",
        ["api-not-found"] = "an unknown path under /api/ is HTTP 400, not 404",
        ["support-reference"] = "answers carry no X-Request-Id header",
        ["date-format"] = "StartDate and EndDate have three fractional digits and no Z",
        ["reset-path"] = "the reset is PUT clients/auth/resetcredentials; clients/auth/reset is 404",
        ["reset-anonymous"] = "a main-account reset needs that account's bearer token (401 without)",
        ["reset-voids-password"] = "after a reset the old password still gets tokens, until a new one is generated",
        ["reset-ends-tokens"] = "tokens issued before a reset keep working (as --tokens-survive-reset)",
        ["generate-while-active"] = "Generate Password while a password is active issues a new one, which voids the old",
        ["token-rate-limit"] = "the token endpoint answers 8 requests a minute, then HTTP 429 without Retry-After",
    }.ToFrozenDictionary(StringComparer.Ordinal);

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

    public static IReadOnlyList<string> Unknown(IEnumerable<string> ids) => [.. ids.Where(id => !Known.ContainsKey(id))];

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
