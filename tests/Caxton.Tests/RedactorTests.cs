using System.Diagnostics;
using System.Text;
using Xunit;
using Xunit.Abstractions;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>The shared redaction: what -Debug traces and error messages may show.</summary>
public class RedactorTests
{
    private readonly ITestOutputHelper output;

    public RedactorTests(ITestOutputHelper output) => this.output = output;

    [Theory]
    [InlineData("{\"ClientPassword\":\"s3cret-value\",\"EndDate\":\"x\"}", "{\"ClientPassword\":\"********\",\"EndDate\":\"x\"}")]
    [InlineData("{\"access_token\" : \"abc.def-ghi\"}", "{\"access_token\" : \"********\"}")]
    [InlineData("{\"password\":\"with \\\"quote\\\" inside\"}", "{\"password\":\"********\"}")]
    [InlineData("Grant_Type=password&Username=u&Password=p%2Bq", "Grant_Type=password&Username=u&Password=********")]
    [InlineData("Authorization: Bearer eyJhbGciOi.J9-x_y", "Authorization: Bearer ********")]
    [InlineData("nothing secret here", "nothing secret here")]
    public void Masks_secrets_by_shape(string text, string expected)
    {
        Assert.Equal(expected, Redactor.Redact(text));
    }

    [Fact]
    public void Masks_known_secret_values_wherever_they_appear()
    {
        var text = "The password hunter2-long was rejected for hunter2-long.";

        Assert.Equal("The password ******** was rejected for ********.", Redactor.Redact(text, new[] { "hunter2-long" }));
    }

    [Fact]
    public async Task The_debug_trace_of_a_token_request_and_its_answer_shows_no_secret()
    {
        var handler = new FakeHandler(_ => Fake.Json(Fake.TokenJson("the-issued-access-token")));
        var log = new RecordingLog();
        var connection = Fake.Connection(handler);
        connection.SetCredential("user", Fake.Secure("the-client-password+&="));

        await connection.GetTokenAsync(false, log, CancellationToken.None);

        var trace = string.Join("\n", log.Messages);
        Assert.Contains("Password=********", trace, StringComparison.Ordinal);
        Assert.Contains("\"access_token\":\"********\"", trace, StringComparison.Ordinal);
        Assert.DoesNotContain("the-client-password", trace, StringComparison.Ordinal);
        Assert.DoesNotContain("the-issued-access-token", trace, StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_description_that_echoes_the_password_is_masked_in_the_error()
    {
        var body = Encoding.UTF8.GetBytes("{\"error\":\"invalid_grant\",\"error_description\":\"Password hunter2-long is wrong\"}");
        var response = new HttpExchange("Get Access Token", "POST", new Uri(Fake.BaseUri, "token"), 400, "Bad Request", "application/json", body, new[] { "hunter2-long" });

        var error = Assert.Throws<CaxtonException>(() => ResponseReader.ReadToken(response));

        Assert.DoesNotContain("hunter2-long", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-long", error.OAuthErrorDescription, StringComparison.Ordinal);
    }

    // Issue 19, finding 3: what sidestepped the redactor.

    [Theory]
    [InlineData("{\"access_token\":/**/\"tok-hidden-by-a-comment\"}")]
    [InlineData("{\"access_token\"/* before */ : /* after */ \"tok-hidden-by-a-comment\"}")]
    [InlineData("{\"access_token\" // a line comment\n : \"tok-hidden-by-a-comment\"}")]
    [InlineData("{\"access_token\":\n\t \"tok-hidden-by-a-comment\"}")]
    [InlineData("Message: 5\" screen; {\"access_token\":\"tok-hidden-by-a-comment\"}")] // a stray quote before it
    [InlineData("{\"Message\":\"{\\\"access_token\\\":\\\"tok-hidden-by-a-comment\\\"}\"}")] // JSON inside a JSON string
    public void A_secret_member_is_masked_with_comments_odd_spacing_stray_quotes_and_embedding(string text)
    {
        var masked = Redactor.Redact(text);

        Assert.DoesNotContain("hidden-by", masked, StringComparison.Ordinal);
        Assert.Contains(Redactor.Mask, masked, StringComparison.Ordinal);
    }

    [Fact]
    public void A_member_name_in_escapes_of_every_character_is_still_a_secret_member()
    {
        var name = string.Concat("ClientPassword".Select(c => "\\u" + ((int)c).ToString("x4")));
        var text = "{\"" + name + "\":\"pw\",\"PublicKey\":\"k\"}"; // a short one: in a secret member, any length is masked

        var masked = Redactor.Redact(text);

        Assert.Equal("{\"" + name + "\":\"" + Redactor.Mask + "\",\"PublicKey\":\"k\"}", masked);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void A_known_secret_echoed_in_base64_at_any_alignment_and_either_alphabet_is_masked(int prefixLength)
    {
        const string secret = "Hx7-Qz9!pL2#vN4-rW8=kT5?";
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(new string('u', prefixLength) + ":" + secret + ":tail"));
        var urlSafe = encoded.Replace('+', '-').Replace('/', '_').TrimEnd('=');

        var masked = Redactor.Redact($"x-request-id: {encoded}; trace {urlSafe}", new[] { secret });

        foreach (var form in Base64Forms(secret))
        {
            Assert.DoesNotContain(form, masked, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0, 8)]
    [InlineData(0, 12)]
    [InlineData(7, 9)]
    [InlineData(16, 8)]
    public void A_truncated_echo_of_eight_or_more_characters_is_masked(int start, int length)
    {
        const string secret = "Hx7-Qz9!pL2#vN4-rW8=kT5?";
        var echo = secret.Substring(start, length);

        var masked = Redactor.Redact($"The password '{echo}...' was rejected", new[] { secret });

        Assert.DoesNotContain(echo, masked, StringComparison.Ordinal);
    }

    [Fact]
    public void Seven_characters_of_a_secret_are_not_a_secret_in_text()
    {
        Assert.Equal("the word Hx7-Qz9 alone", Redactor.Redact("the word Hx7-Qz9 alone", new[] { "Hx7-Qz9!pL2#vN4-rW8=kT5?" }));
    }

    [Theory]
    [InlineData("Ab1!x", "Password Ab1!x is wrong", "Password ******** is wrong")]
    [InlineData("Ab1!", "Password Ab1! is wrong", "Password ******** is wrong")]
    [InlineData("ab", "Password ab is wrong", "Password ******** is wrong")]
    [InlineData("ab", "about cab", "about cab")] // a short secret only where it stands alone
    public void A_short_known_secret_is_masked(string secret, string text, string expected)
    {
        Assert.Equal(expected, Redactor.Redact(text, new[] { secret }));
    }

    [Fact]
    public void A_known_secret_echoed_in_hex_with_separators_is_masked()
    {
        const string secret = "Hx7-Qz9!pL2#vN4";
        var hex = BitConverter.ToString(Encoding.UTF8.GetBytes(secret)); // 48-78-37-...

        var masked = Redactor.Redact($"bad chunk '{hex}' and {hex.Replace("-", ":").ToLowerInvariant()}", new[] { secret });

        Assert.DoesNotContain("48-78-37-2D", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("48:78:37:2d", masked, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_values_the_JSON_reader_reads_as_secret_members_are_what_it_masks_elsewhere()
    {
        var body = "{\"tok\\u0065n\": /*a comment*/ \"tok-read-by-the-reader\",\"Message\":\"your tok-read-by-the-reader\"}";
        var root = ResponseReader.TryParse(Encoding.UTF8.GetBytes(body))!.Value;

        Assert.Equal(new[] { "tok-read-by-the-reader" }, Redactor.SecretValuesIn(root));
    }

    /// <summary>The base64 characters a secret alone decides, at each alignment.</summary>
    private static IEnumerable<string> Base64Forms(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        for (var align = 0; align < 3; align++)
        {
            var padded = new byte[align + bytes.Length];
            bytes.CopyTo(padded, align);
            var encoded = Convert.ToBase64String(padded);
            var from = (8 * align + 5) / 6;
            var to = 8 * (align + bytes.Length) / 6;
            var form = encoded[from..to];
            yield return form;
            yield return form.Replace('+', '-').Replace('/', '_');
        }
    }

    // Each step of the redactor is needed: turned off, one case of this battery shows what it hides.

    public static TheoryData<string> Steps()
    {
        var data = new TheoryData<string>();
        foreach (Redactor.Step step in Enum.GetValues(typeof(Redactor.Step)))
        {
            if (step != Redactor.Step.None)
            {
                data.Add(step.ToString());
            }
        }

        return data;
    }

    private static readonly (string Text, string[] Known, string[] MustNotShow)[] Battery =
    {
        ("{\"access_token\":/**/\"tok-member-0123456\"}", Array.Empty<string>(), new[] { "member-0" }),
        ("Grant_Type=password&Username=u&Pass%77ord=form-secret-0123", Array.Empty<string>(), new[] { "secret-0" }),
        ("Authorization: Bearer bearer-secret-0123", Array.Empty<string>(), new[] { "secret-0" }),
        ("echo plain-secret-0123456 here", new[] { "plain-secret-0123456" }, new[] { "plain-secret-0123456" }),
        ("cut plain-secret-01... here", new[] { "plain-secret-0123456" }, new[] { "plain-secret-01" }),
        ("id " + Convert.ToBase64String(Encoding.UTF8.GetBytes("main:b64-secret-0123456")), new[] { "b64-secret-0123456" }, new[] { Convert.ToBase64String(Encoding.UTF8.GetBytes("main:b64-secret-0123456")).Substring(8, 12) }),
        ("chunk " + BitConverter.ToString(Encoding.UTF8.GetBytes("hex-secret-0123")), new[] { "hex-secret-0123" }, new[] { BitConverter.ToString(Encoding.UTF8.GetBytes("hex-secret-0123")).Substring(0, 20) }),
        ("escaped " + string.Concat("esc-secret-0123".Select(c => "\\u" + ((int)c).ToString("X4"))), new[] { "esc-secret-0123" }, new[] { string.Concat("esc-secret-0123".Select(c => "\\u" + ((int)c).ToString("X4"))).Substring(0, 24) }),
        ("Password Ab1 is wrong", new[] { "Ab1" }, new[] { " Ab1 " }),
        ("{\"ClientPassword\":\"found-secret-0123\",\"Note\":\"yours is found-secret-0123\"}", Array.Empty<string>(), new[] { "yours is found-secret" }),
    };

    [Fact]
    public void The_battery_shows_nothing_with_every_step_on()
    {
        foreach (var (text, known, mustNotShow) in Battery)
        {
            var masked = Redactor.Redact(text, known);
            foreach (var form in mustNotShow)
            {
                Assert.False(masked.Contains(form, StringComparison.Ordinal), $"'{form}' shows in: {masked}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public void Turning_off_any_one_step_lets_a_case_of_the_battery_show_a_secret(string stepName)
    {
        var step = Enum.Parse<Redactor.Step>(stepName);
        var leaks = new List<string>();
        Redactor.Disabled = step;
        try
        {
            foreach (var (text, known, mustNotShow) in Battery)
            {
                var masked = Redactor.Redact(text, known);
                leaks.AddRange(mustNotShow.Where(form => masked.Contains(form, StringComparison.Ordinal)).Select(form => $"{form} in {masked}"));
            }
        }
        finally
        {
            Redactor.Disabled = Redactor.Step.None;
        }

        output.WriteLine($"{step} off: {string.Join("; ", leaks)}");
        Assert.NotEmpty(leaks);
    }

    // Issue 19, finding 4: the cost is linear in the input, whatever the input.

    public static TheoryData<string> Adversaries => new()
    {
        "password pairs", "comment ends", "comment starts", "colons", "quotes", "backslashes", "escapes", "percent",
        "entities", "bearer", "equals", "hex", "near misses of a long token", "nested names",
    };

    private static string Adversary(string kind, int length, out string[] known)
    {
        known = new[] { "Hx7-Qz9!pL2#vN4-rW8=kT5?" };
        string unit;
        switch (kind)
        {
            case "password pairs": unit = "\\\"password\\\":\\\"Hx7-Qz9!pL2#vN4\\\","; break;
            case "comment ends": unit = ":*/"; break;
            case "comment starts": unit = "\"token\":/*"; break;
            case "colons": unit = "\"token\"   :"; break;
            case "quotes": unit = "\""; break;
            case "backslashes": unit = "\\"; break;
            case "escapes": unit = "\\u0048\\u0078"; break;
            case "percent": unit = "%F0%9F%98%80%"; break;
            case "entities": unit = "&#x48;&#0000072&amp;"; break;
            case "bearer": unit = "Bearer "; break;
            case "equals": unit = "&Password=&"; break;
            case "hex": unit = "48-78-37-2D-51-"; break;
            case "near misses of a long token":
                var token = string.Concat(Enumerable.Range(0, 65000).Select(i => (char)('a' + (i * 7 % 26))));
                known = new[] { token, "Hx7-Qz9!pL2#vN4-rW8=kT5?" };
                unit = token.Substring(0, 7) + "!";
                break;
            default: unit = "{\"\\u0043lient\\u0050assword\":{\"token\":"; break;
        }

        var text = new StringBuilder(length + unit.Length);
        text.Append("{\"Message\":\"");
        while (text.Length < length)
        {
            text.Append(unit);
        }

        return text.ToString();
    }

    [Theory]
    [MemberData(nameof(Adversaries))]
    public void Four_MiB_of_adversarial_text_costs_a_bounded_number_of_steps_per_character(string kind)
    {
        const int length = 4 * 1024 * 1024;
        var text = Adversary(kind, length, out var known);
        var watch = Stopwatch.StartNew();
        var masked = Redactor.Redact(text, known);
        watch.Stop();
        var work = Redactor.LastWork;
        var small = Adversary(kind, length / 16, out known);
        Redactor.Redact(small, known);
        var smallWork = Redactor.LastWork;

        output.WriteLine($"{kind}: {text.Length} characters in {watch.ElapsedMilliseconds} ms, {work} steps ({(double)work / text.Length:0.0} a character; at 1/16 the size {(double)smallWork / small.Length:0.0})");
        Assert.True(work <= 40L * text.Length, $"{work} steps for {text.Length} characters");
        Assert.True(work <= 20L * smallWork, $"16 times the input took {(double)work / smallWork:0.0} times the steps");
        Assert.DoesNotContain("Hx7-Qz9!pL2#vN4-rW8=", masked, StringComparison.Ordinal);
    }
}
