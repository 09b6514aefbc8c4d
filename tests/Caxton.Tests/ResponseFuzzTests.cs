using System.Text;
using System.Text.Json.Nodes;
using Xunit;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>
/// Drives each response reader with at least <see cref="MinimumInputs"/> malformed, truncated and
/// adversarial bodies, generated from the documented bodies by a seeded generator: every one must give
/// a valid result or a <see cref="CaxtonException"/>, never any other exception.
/// </summary>
public class ResponseFuzzTests
{
    private const int MinimumInputs = 10_000;

    /// <summary>Fixed, so a failure names an input that can be generated again.</summary>
    private const int Seed = 4_0607;

    private const string Password = "Fuzz-S3cret-Pw-4d1e";
    private const string Token = "Fuzz-T0ken-9c2b7a";

    public static TheoryData<string> Readers => new(FuzzReader.All.Keys);

    [Theory]
    [MemberData(nameof(Readers))]
    public void Every_generated_body_gives_a_valid_result_or_a_CaxtonException(string name)
    {
        var reader = FuzzReader.All[name];
        var inputs = 0;
        var results = 0;
        var errors = 0;
        var crashes = 0;

        // Per kind of crash: how many, and the first input that caused it.
        var kinds = new SortedDictionary<string, (int Count, string Example)>(StringComparer.Ordinal);
        void Crash(string kind, FuzzInput input, string what)
        {
            crashes++;
            kinds[kind] = kinds.TryGetValue(kind, out var seen) ? (seen.Count + 1, seen.Example) : (1, Describe(input, what));
        }

        foreach (var input in new BodyGenerator(reader.Seeds, Seed + name.Sum(c => c)).Generate(MinimumInputs))
        {
            inputs++;
            var exchange = new HttpExchange(reader.Operation, reader.Method, reader.Uri, input.Status, null, "application/json", input.Body);
            try
            {
                if (reader.Read(exchange) is { } violation)
                {
                    Crash("invalid result", input, violation);
                }

                results++;
            }
            catch (CaxtonException e)
            {
                errors++;
                if (string.IsNullOrEmpty(e.ErrorId) || e.Message.Contains(Password, StringComparison.Ordinal) || e.Message.Contains(Token, StringComparison.Ordinal))
                {
                    Crash("unclean CaxtonException", input, $"no ErrorId, or a secret in the message: {e.Message}");
                }
            }
            catch (Exception e)
            {
                Crash(Signature(e), input, e.ToString());
            }
        }

        FuzzReport.Append($"fuzz {name}: {inputs} inputs, {crashes} crashes");
        Assert.True(inputs >= MinimumInputs, $"only {inputs} inputs were generated");
        Assert.True(
            crashes == 0,
            $"{crashes} of {inputs} inputs crashed {name}: {string.Join("; ", kinds.Select(k => $"{k.Value.Count} x {k.Key}"))}. The first of each:\n"
            + string.Join("\n\n", kinds.Values.Select(k => k.Example)));

        // The generator reaches both outcomes, so neither a reader that refuses everything nor one
        // that accepts everything could pass.
        Assert.True(results > 0 && errors > 0, $"{results} results and {errors} errors");
    }

    [Fact]
    public void The_generator_is_deterministic_and_varied()
    {
        var seeds = FuzzReader.All["token"].Seeds;
        var first = new BodyGenerator(seeds, Seed).Generate(MinimumInputs).Select(i => (i.Status, Convert.ToBase64String(i.Body), i.Family)).ToList();
        var second = new BodyGenerator(seeds, Seed).Generate(MinimumInputs).Select(i => (i.Status, Convert.ToBase64String(i.Body), i.Family)).ToList();

        Assert.Equal(first, second);
        Assert.True(first.Select(i => i.Item2).Distinct().Count() > MinimumInputs * 8 / 10, "too many identical bodies");
        Assert.Equal(
            ["bom", "deep", "escape", "invalid-utf8", "long-string", "mutation", "random-bytes", "random-json", "removed-member", "renamed-member", "seed", "status", "truncated", "wrong-type"],
            first.Select(i => i.Family).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(100, 500), first.Where(i => i.Family == "status").Select(i => i.Status).Distinct().Order());
    }

    /// <summary>The exception type and the innermost frame of the engine that threw it, to group crashes.</summary>
    private static string Signature(Exception e)
    {
        var frame = new System.Diagnostics.StackTrace(e).GetFrames()
            .Select(f => f.GetMethod())
            .FirstOrDefault(m => m?.DeclaringType?.Assembly == typeof(ResponseReader).Assembly);
        return $"{e.GetType().Name} in {frame?.DeclaringType?.Name}.{frame?.Name}";
    }

    private static string Describe(FuzzInput input, string what) =>
        $"[{input.Family}] HTTP {input.Status}, body (base64, {input.Body.Length} bytes) {Convert.ToBase64String(input.Body.Length > 600 ? input.Body[..600] : input.Body)}{(input.Body.Length > 600 ? "..." : "")}\n{what}";

    /// <summary>One reader under test: its request, the documented bodies to mutate, and what a valid result is.</summary>
    private sealed record FuzzReader(string Operation, string Method, string Path, string[] Seeds, Func<HttpExchange, string?> Read)
    {
        public Uri Uri => new(Fake.BaseUri, Path);

        private static string? ExpectedEnvelope(HttpExchange exchange, ApiModel model) =>
            !exchange.IsSuccess ? "a model from a failed response"
            : !model.StatusIsExpected ? $"a model whose ApiStatus {model.Status} is not expected"
            : null;

        private static string? ApiResult(HttpExchange exchange, bool raw)
        {
            var json = ResponseReader.ReadApiResponse(exchange, raw);
            if (!exchange.IsSuccess)
            {
                return "a result from a failed response";
            }

            if (json is null)
            {
                return exchange.Body.Length == 0 ? null : "null for a body that is not empty";
            }

            _ = json.Value.GetRawText();
            return null;
        }

        private const string Html = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>";

        private static readonly string[] RegisterSeeds =
        [
            EnvelopeParsingTests.DocumentedSuccess.Replace("<clientpassword>", Password, StringComparison.Ordinal),
            $$$"""{"Content":{"ExpectedResponses":["IsValid"],"Model":{"ApiStatus":"IsValid","ApiStatusCode":100,"ClientPassword":"{{{Password}}}","EndDate":"2023-09-22T10:55:45.0645017","StartDate":"2023-08-23T10:55:45.0645017"}},"AuthorisedClientModel":{"ClientName":"c","UserName":"u"}}""",
            """{"Content":{"Model":{"ApiStatusCode":101,"ApiStatus":"PasswordAlreadyGenerated","ApiStatusDescription":"A client password is already active; reset the client credentials first."},"ExpectedResponses":["IsValid"]}}""",
            """{"Content":{"Model":{"ApiStatusCode":104,"ApiStatus":"InvalidClient","ApiStatusDescription":"The Username and Clientname do not identify a client."},"ExpectedResponses":["IsValid"]}}""",
            $$$"""{"clientpassword":"{{{Password}}}","apistatus":"isvalid","apistatuscode":"100","ExpectedResponses":"IsValid", /* a bare model */ }""",
            Html,
        ];

        private static readonly string[] ResetSeeds =
        [
            """{"Content":{"Model":{"ApiStatusCode":100,"ApiStatus":"IsValid","ApiStatusDescription":"Valid Operation"},"ExpectedResponses":["IsValid"]},"AuthorisedClientModel":{"ClientName":"c","UserName":"u","IdentityNumber":"SUB-000123"}}""",
            """{"Content":{"Model":{"ApiStatusCode":105,"ApiStatus":"IdentityNumberNotFound","ApiStatusDescription":"No sub-account with that IdentityNumber belongs to the authorised client."},"ExpectedResponses":["IsValid"]}}""",
            """{"Message":"Authorization has been denied for this request."}""",
            """{"Content":{"Model":{"ApiStatusCode":107,"ApiStatus":"UnsupportedContentType","ApiStatusDescription":"The request Content-Type must be text/json or application/json."},"ExpectedResponses":["IsValid","Reset"]}}""",
            Html,
        ];

        private static readonly string[] TokenSeeds =
        [
            $$$"""{"access_token": "{{{Token}}}", "token_type": "bearer", "expires_in": 2591999}""",
            $$$"""{"expires_in":"2591999","ACCESS_TOKEN":"{{{Token}}}",".issued":"Wed, 23 Aug 2023 10:55:45 GMT"}""",
            """{"error":"invalid_grant","error_description":"The user name or password is incorrect."}""",
            """{"error":"unsupported_grant_type","error_description":"The grant type 'x' is not supported; use 'password'."}""",
            """{"Message":"An error has occurred."}""",
            Html,
        ];

        private static readonly string[] ApiSeeds =
        [
            """{"Content":{"Model":{"Banks":[{"BankName":"Sandbox Albion Bank","SwiftCode":"SBXAGB2L","CountryCode":"GB"},{"BankName":"Sandbox Thames Savings","SwiftCode":"SBXTGB2LXXX","CountryCode":"GB"}],"ApiStatusCode":100,"ApiStatus":"IsValid","ApiStatusDescription":"Valid Operation"},"ExpectedResponses":["IsValid"]},"AuthorisedClientModel":{"ClientName":"c","UserName":"u"}}""",
            """{"Content":{"Model":{"ApiStatusCode":102,"ApiStatus":"InvalidCurrency","ApiStatusDescription":"'XXX' is not a supported currency."},"ExpectedResponses":["IsValid"]}}""",
            """{"Message":"Authorization has been denied for this request."}""",
            """[{"BankName":"A","SwiftCode":"B"},{"BankName":"C"}]""",
            "\"just a string\"",
            Html,
        ];

        // After the seeds: static fields initialise in order.
        public static readonly IReadOnlyDictionary<string, FuzzReader> All = new Dictionary<string, FuzzReader>(StringComparer.Ordinal)
        {
            ["register"] = new(CaxtonRequests.GeneratePassword, "POST", CaxtonRequests.RegisterPath, RegisterSeeds, exchange =>
            {
                // As CaxtonConnection.NewClientPasswordAsync.
                var (model, password) = ResponseReader.ReadClientPassword(exchange);
                _ = new CaxtonClientPassword("u", "c", Secrets.ToSecureString(password), model).ToString();

                return ExpectedEnvelope(exchange, model);
            }),
            ["reset"] = new(CaxtonRequests.ResetClientCredentials, "PUT", CaxtonRequests.DefaultResetPath, ResetSeeds, exchange =>
            {
                var model = ResponseReader.ReadEnvelope(exchange);
                _ = new CaxtonCredentialReset("u", "c", null, model, DateTimeOffset.UtcNow).ToString();
                return ExpectedEnvelope(exchange, model);
            }),
            ["token"] = new(CaxtonRequests.GetAccessToken, "POST", CaxtonRequests.TokenPath, TokenSeeds, exchange =>
            {
                // As CaxtonConnection.RequestTokenAsync: the token object is built from what was read.
                var token = ResponseReader.ReadToken(exchange);
                _ = new CaxtonToken("u", Secrets.ToSecureString(token.AccessToken), token.TokenType, token.ExpiresIn, DateTimeOffset.UtcNow).ToString();
                return !exchange.IsSuccess ? "a token from a failed response"
                    : string.IsNullOrEmpty(token.AccessToken) ? "an empty access token"
                    : token.ExpiresIn <= 0 ? "a token that does not expire in the future"
                    : string.IsNullOrEmpty(token.TokenType) ? "no token type"
                    : null;
            }),
            ["api-raw"] = new("Caxton API", "GET", "reference/lookup/banks/GBP", ApiSeeds, exchange => ApiResult(exchange, raw: true)),
            ["api-unwrapped"] = new("Caxton API", "GET", "reference/lookup/banks/GBP", ApiSeeds, exchange => ApiResult(exchange, raw: false)),
        };
    }

    // Inputs the generator or a review once found: pinned, so they stay fixed.

    [Fact]
    public void Invalid_utf8_in_a_member_name_is_an_InvalidResponse_not_a_raw_exception()
    {
        var body = new byte[] { (byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}' };
        var response = new HttpExchange("Generate Password", "POST", new Uri("https://example.test/api/clients/auth/register"), 200, "OK", "application/json", body);

        var error = Assert.Throws<CaxtonException>(() => ResponseReader.ReadEnvelope(response));
        Assert.Equal(CaxtonErrorIds.InvalidResponse, error.ErrorId);
    }

    [Theory]
    [InlineData("{\"access_token\":\"\\ud800\",\"expires_in\":1}")]
    [InlineData("{\"\\ud800\":1,\"ACCESS_TOKEN\":\"a\",\"expires_in\":1}")]
    [InlineData("{\"access_token\":\"a\",\"expires_in\":300000000000}")]
    public void Token_bodies_found_by_fuzzing_are_InvalidResponse(string body)
    {
        var error = Assert.Throws<CaxtonException>(() => ResponseReader.ReadToken(Fake.Exchange(200, body, CaxtonRequests.GetAccessToken)));
        Assert.Equal(CaxtonErrorIds.InvalidResponse, error.ErrorId);
    }

    [Fact]
    public void A_client_password_longer_than_a_SecureString_can_hold_is_InvalidResponse()
    {
        var body = Fake.RegisterJson(new string('p', ResponseReader.MaxSecretLength + 1));

        var error = Assert.Throws<CaxtonException>(() => ResponseReader.ReadClientPassword(Fake.Exchange(200, body)));
        Assert.Equal(CaxtonErrorIds.InvalidResponse, error.ErrorId);
    }
}

/// <summary>One generated response: an HTTP status, a body, and the family of mutation that made it.</summary>
internal sealed record FuzzInput(int Status, byte[] Body, string Family);

/// <summary>
/// Seeded generator of adversarial bodies from documented ones. Systematic families first (every
/// truncation, every member with every wrong type, every status code, nesting past MaxDepth, BOMs,
/// long strings, escapes), then random mutations and random bytes until the count is reached.
/// </summary>
internal sealed class BodyGenerator(string[] seeds, int seed)
{
    private const string Marker = "FUZZ_MARKER_5e0c";

    /// <summary>Raw JSON text put in place of each member: wrong types, huge and NaN-like numbers, odd dates, bad tokens.</summary>
    private static readonly string[] Replacements =
    [
        "null", "true", "false", "0", "-1", "1.5", "-0", "1e308", "-1e308", "1e309", "1E-400", "2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999999999999999999999999999999",
        "1" + new string('0', 400), "0." + new string('0', 400) + "1", "NaN", "-Infinity", "Infinity", "undefined", "nul", "tru",
        "0x10", "01", "+1", ".5", "1.", "'single'", "\"unterminated", "[]", "{}", "[null]", "[[]]", "{\"ApiStatus\":\"IsValid\"}",
        "\"\"", "\" \"", "\"NaN\"", "\"-1\"", "\"0\"", "\"99999999999999999999\"", "\"9223372036854775807\"", "\"IsValid\"",
        "\"0001-01-01T00:00:00+14:00\"", "\"9999-12-31T23:59:59-14:00\"", "\"9999-12-31T23:59:59.9999999Z\"", "\"0000-00-00\"",
        "\"2023-02-30T00:00:00Z\"", "\"2023-08-23T10:55:45.0645017+25:00\"", "\"Wed, 23 Aug 2023 10:55:45 GMT\"",
        "\"\\u0000\"", "\"\\uD800\"", "\"\\uDC00\\uD800\"", "\"\\x41\"", "\"\\u00\"", "\"\u0001\u001f\"", "\"\\\"\"",
    ];

    private static readonly string[] Tokens = ["{", "}", "[", "]", ":", ",", "\"", "\\", "null", "1e999", "-", "/*", "//", "\n", "\"Content\"", "\"Model\"", "\"ApiStatus\"", "\"access_token\""];

    private static readonly byte[][] InvalidUtf8 =
    [
        [0x80], [0xBF], [0xC0, 0xAF], [0xC3], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFE], [0xFF], [0xF0, 0x9F, 0x98],
    ];

    private readonly Random random = new(seed);

    public IEnumerable<FuzzInput> Generate(int atLeast)
    {
        var count = 0;
        foreach (var input in Systematic().Concat(Random()))
        {
            yield return input;
            if (++count >= atLeast && input.Family is "mutation" or "random-bytes" or "random-json")
            {
                yield break;
            }
        }
    }

    private IEnumerable<FuzzInput> Systematic()
    {
        foreach (var text in seeds)
        {
            var body = Utf8(text);
            yield return new(200, body, "seed");

            for (var length = 0; length < body.Length; length++)
            {
                yield return new(200, body[..length], "truncated");
            }

            foreach (var bytes in Boms(text))
            {
                yield return new(200, bytes, "bom");
            }

            foreach (var mutated in MemberVariants(text))
            {
                yield return mutated;
            }

            foreach (var depth in (int[])[63, 64, 65, 1_000, 100_000])
            {
                yield return new(200, Utf8(new string('[', depth) + new string(']', depth)), "deep");
                yield return new(200, Utf8(string.Concat(Enumerable.Repeat("{\"Content\":", depth)) + "1" + new string('}', depth)), "deep");
                yield return new(200, Utf8(new string('[', depth)), "deep");
            }
        }

        for (var status = 100; status <= 599; status++)
        {
            yield return new(status, Utf8(seeds[status % seeds.Length]), "status");
        }
    }

    /// <summary>For every member: each replacement, a removal, long strings, deep nesting in its place.</summary>
    private IEnumerable<FuzzInput> MemberVariants(string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new() { AllowTrailingCommas = true, CommentHandling = System.Text.Json.JsonCommentHandling.Skip });
        }
        catch (System.Text.Json.JsonException)
        {
            yield break;
        }

        if (root is null)
        {
            yield break;
        }

        foreach (var path in Paths(root, []))
        {
            foreach (var replacement in Replacements)
            {
                yield return new(200, Utf8(Replace(root, path, replacement)), "wrong-type");
            }

            foreach (var length in (int[])[1_000, 70_000, 1_000_000])
            {
                yield return new(200, Utf8(Replace(root, path, "\"" + new string('x', length) + "\"")), "long-string");
            }

            yield return new(200, Utf8(Replace(root, path, new string('1', 100_000))), "long-string");
            yield return new(200, Utf8(Replace(root, path, new string('[', 70) + new string(']', 70))), "deep");
            yield return new(200, Utf8(Replace(root, path, "\"\\u0041\\n\\t\\/\\\\\\u00e9\\ud83d\\ude00\"")), "escape");
            yield return new(200, Utf8(Replace(root, path, "\"" + string.Concat(Enumerable.Repeat("\\ud800", 50)) + "\"")), "escape");

            var copy = root.DeepClone();
            var (parent, key) = Locate(copy, path);
            if (parent is JsonObject obj)
            {
                obj.Remove((string)key);
            }
            else if (parent is JsonArray array)
            {
                array.RemoveAt((int)key);
            }

            yield return new(200, Utf8(copy.ToJsonString()), "removed-member");

            if (path[^1] is string name)
            {
                // Names in another case (found by the lenient look-up), empty, or a lone surrogate.
                foreach (var newName in (string[])["\"" + name.ToUpperInvariant() + "\"", "\"\"", "\"\\udc00\"", "\"\\ud800" + name + "\""])
                {
                    yield return new(200, Utf8(Rename(root, path, newName)), "renamed-member");
                }
            }
        }
    }

    private IEnumerable<FuzzInput> Random()
    {
        while (true)
        {
            var roll = random.Next(20);
            if (roll == 0)
            {
                var bytes = new byte[random.Next(0, 300)];
                random.NextBytes(bytes);
                yield return new(RandomStatus(), bytes, "random-bytes");
            }
            else if (roll == 1)
            {
                var text = new StringBuilder();
                for (var i = random.Next(1, 40); i > 0; i--)
                {
                    text.Append(Tokens[random.Next(Tokens.Length)]);
                }

                yield return new(RandomStatus(), Utf8(text.ToString()), "random-json");
            }
            else if (roll == 2)
            {
                var body = Utf8(seeds[random.Next(seeds.Length)]).ToList();
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    body.InsertRange(random.Next(body.Count + 1), InvalidUtf8[random.Next(InvalidUtf8.Length)]);
                }

                yield return new(RandomStatus(), [.. body], "invalid-utf8");
            }
            else
            {
                yield return new(RandomStatus(), Mutate(Utf8(seeds[random.Next(seeds.Length)])), "mutation");
            }
        }
    }

    /// <summary>One to four byte-level edits: flips, deletions, duplications, insertions, truncation.</summary>
    private byte[] Mutate(byte[] original)
    {
        var body = original.ToList();
        for (var edits = random.Next(1, 5); edits > 0; edits--)
        {
            var at = random.Next(body.Count + 1);
            var span = Math.Min(random.Next(1, 16), body.Count - Math.Min(at, body.Count));
            switch (random.Next(7))
            {
                case 0 when at < body.Count:
                    body[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when at < body.Count:
                    body[at] = (byte)random.Next(256);
                    break;
                case 2:
                    body.RemoveRange(Math.Min(at, body.Count), span);
                    break;
                case 3:
                    body.InsertRange(at, body.GetRange(Math.Min(at, body.Count), span));
                    break;
                case 4:
                    body.InsertRange(at, Utf8(Tokens[random.Next(Tokens.Length)]));
                    break;
                case 5:
                    body.InsertRange(at, Utf8(Replacements[random.Next(Replacements.Length)]));
                    break;
                default:
                    body.RemoveRange(Math.Min(at, body.Count), body.Count - Math.Min(at, body.Count));
                    break;
            }
        }

        return [.. body];
    }

    /// <summary>Mostly 2xx, where the readers do the most work; otherwise anything from 100 to 599.</summary>
    private int RandomStatus() => random.Next(10) < 7 ? 200 + random.Next(7) : random.Next(100, 600);

    private static IEnumerable<byte[]> Boms(string text)
    {
        byte[] utf8Bom = [0xEF, 0xBB, 0xBF];
        yield return [.. utf8Bom, .. Utf8(text)];
        yield return [.. utf8Bom, .. utf8Bom, .. Utf8(text)];
        yield return [.. Utf8(" "), .. utf8Bom, .. Utf8(text)];
        yield return Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(text)).ToArray();
        yield return Encoding.BigEndianUnicode.GetPreamble().Concat(Encoding.BigEndianUnicode.GetBytes(text)).ToArray();
        yield return Encoding.Unicode.GetBytes(text);
        yield return Encoding.UTF32.GetPreamble().Concat(Encoding.UTF32.GetBytes(text)).ToArray();
    }

    private static IEnumerable<object[]> Paths(JsonNode node, object[] prefix)
    {
        if (node is JsonObject obj)
        {
            foreach (var (name, child) in obj)
            {
                object[] path = [.. prefix, name];
                yield return path;
                if (child is not null)
                {
                    foreach (var inner in Paths(child, path))
                    {
                        yield return inner;
                    }
                }
            }
        }
        else if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                object[] path = [.. prefix, i];
                yield return path;
                if (array[i] is { } child)
                {
                    foreach (var inner in Paths(child, path))
                    {
                        yield return inner;
                    }
                }
            }
        }
    }

    private static (JsonNode Parent, object Key) Locate(JsonNode root, object[] path)
    {
        var parent = root;
        foreach (var step in path[..^1])
        {
            parent = step is int index ? parent[index]! : parent[(string)step]!;
        }

        return (parent, path[^1]);
    }

    /// <summary>The document with one member's value replaced by raw text (which need not be JSON).</summary>
    private static string Replace(JsonNode root, object[] path, string raw)
    {
        var copy = root.DeepClone();
        var (parent, key) = Locate(copy, path);
        if (key is int index)
        {
            parent[index] = Marker;
        }
        else
        {
            parent[(string)key] = Marker;
        }

        return copy.ToJsonString().Replace("\"" + Marker + "\"", raw, StringComparison.Ordinal);
    }

    /// <summary>The document with one member renamed to raw text (moved to the end of its object).</summary>
    private static string Rename(JsonNode root, object[] path, string rawName)
    {
        var copy = root.DeepClone();
        var (parent, key) = Locate(copy, path);
        var obj = (JsonObject)parent;
        var value = obj[(string)key];
        obj.Remove((string)key);
        obj[Marker] = value;
        return copy.ToJsonString().Replace("\"" + Marker + "\"", rawName, StringComparison.Ordinal);
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

/// <summary>Summary lines for CI: appended to $CAXTON_TEST_REPORT_DIR/fuzz.txt when that is set.</summary>
internal static class FuzzReport
{
    private static readonly object Gate = new();

    public static void Append(string line)
    {
        var directory = Environment.GetEnvironmentVariable("CAXTON_TEST_REPORT_DIR");
        if (string.IsNullOrWhiteSpace(directory))
        {
            return;
        }

        lock (Gate)
        {
            Directory.CreateDirectory(directory);
            File.AppendAllText(Path.Combine(directory, "fuzz.txt"), line + Environment.NewLine);
        }
    }
}
