using System.Collections;
using System.Collections.Specialized;
using System.Text;
using Xunit;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>
/// RequestBody: -Body values as JSON bytes fixed by Caxton, not by the runtime. tests/Caxton.NetFx checks the
/// same bytes on .NET Framework (Mono); here they are checked on .NET and against System.Text.Json's reading.
/// </summary>
public class RequestBodyTests
{
    private static string Json(object? value) => Encoding.UTF8.GetString(RequestBody.Serialize(value));

    [Fact]
    public void Dates_escapes_and_numbers_are_written_as_documented()
    {
        var body = new OrderedDictionary
        {
            ["When"] = new DateTime(2024, 2, 29, 13, 5, 9, 123, DateTimeKind.Utc),
            ["At"] = new DateTimeOffset(2024, 2, 29, 13, 5, 9, TimeSpan.FromHours(2)),
            ["Text"] = "quote\" back\\ tab\t <&'> \u00e9\u20ac\U0001F600 \u2028",
            ["Numbers"] = new ArrayList { 1, -2L, 0.1, 1e21, 3.5m, true, null },
        };

        // The same literal as tests/Caxton.NetFx/Flow.cs, which checks it on .NET Framework.
        Assert.Equal(
            "{\"When\":\"2024-02-29T13:05:09.1230000Z\",\"At\":\"2024-02-29T13:05:09.0000000+02:00\","
            + "\"Text\":\"quote\\\" back\\\\ tab\\t \\u003C\\u0026\\u0027\\u003E \\u00E9\\u20AC\\uD83D\\uDE00 \\u2028\","
            + "\"Numbers\":[1,-2,0.1,1E+21,3.5,true,null]}",
            Json(body));
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(1.0 / 3)]
    [InlineData(double.Epsilon)]
    [InlineData(double.MaxValue)]
    [InlineData(-123456789.123456789)]
    [InlineData(0.30000000000000004)]
    public void A_double_reads_back_as_the_same_value(double value)
    {
        using var document = System.Text.Json.JsonDocument.Parse(Json(value));
        Assert.Equal(value, document.RootElement.GetDouble());
    }

    [Fact]
    public void Every_char_survives_a_round_trip_through_a_standard_reader_and_the_bytes_are_ASCII()
    {
        var all = new string(Enumerable.Range(0, 0x10000).Select(i => (char)i).Where(c => !char.IsSurrogate(c)).ToArray()) + "\U0001F600";
        var bytes = RequestBody.Serialize(all);

        Assert.All(bytes, b => Assert.True(b < 0x80));
        using var document = System.Text.Json.JsonDocument.Parse(bytes);
        Assert.Equal(all, document.RootElement.GetString());
    }

    [Fact]
    public void Enums_are_numbers_and_other_values_their_invariant_text()
    {
        Assert.Equal("[2,\"00000000-0000-0000-0000-000000000001\",\"1.02:03:04\",\"https://example.test/a b\"]",
            Json(new object[] { DayOfWeek.Tuesday, new Guid("00000000-0000-0000-0000-000000000001"), new TimeSpan(1, 2, 3, 4), new Uri("https://example.test/a b") }));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_number_JSON_cannot_hold_is_InvalidBody(double value)
    {
        var error = Assert.Throws<CaxtonException>(() => RequestBody.Serialize(new[] { value }));
        Assert.Equal(CaxtonErrorIds.InvalidBody, error.ErrorId);
    }

    [Fact]
    public void A_dictionary_that_contains_itself_is_InvalidArgument_not_a_stack_overflow()
    {
        var cycle = new Hashtable();
        cycle["self"] = cycle;

        var error = Assert.Throws<CaxtonException>(() => RequestBody.Serialize(cycle));
        Assert.Equal(CaxtonErrorIds.InvalidBody, error.ErrorId);
    }
}
