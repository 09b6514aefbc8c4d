using System;
using System.Collections;
using System.Globalization;
using System.Text;

namespace Caxton.Wire
{
    /// <summary>
    /// The JSON bytes of a request body given as a value rather than text, the same on Windows PowerShell 5.1
    /// and PowerShell 7: ConvertTo-Json writes dates, escapes and numbers differently on the two, and two
    /// System.Text.Json versions may escape differently too, so this writer fixes every choice itself.
    /// Dates are ISO 8601 round-trip ("o"); strings escape quotes, backslashes, control characters, &lt; &gt; &amp; '
    /// and everything beyond ASCII as \uXXXX (upper-case hex), so the bytes are plain ASCII; a double is its
    /// shortest of 15 or 17 significant digits that reads back the same. Takes PowerShell-neutral values
    /// (the cmdlets unwrap PowerShell's own objects first): null, text, booleans, numbers, enums (their number),
    /// DateTime, DateTimeOffset, Guid, TimeSpan, Uri, dictionaries (keys as text) and other sequences (arrays);
    /// anything else is written as its invariant text.
    /// </summary>
    internal static class RequestBody
    {
        /// <summary>Deeper than this is a cycle, not a request: the cmdlets already stop at 20 levels.</summary>
        public const int MaxDepth = 64;

        /// <summary>A request body: text as UTF-8 and bytes as they are, sent unchanged; any other value as JSON.</summary>
        public static byte[]? ToBytes(object? body)
        {
            switch (body)
            {
                case null:
                    return null;
                case string text:
                    return Encoding.UTF8.GetBytes(text);
                case byte[] bytes:
                    return bytes;
                default:
                    return Serialize(body);
            }
        }

        public static byte[] Serialize(object? value)
        {
            var json = new StringBuilder();
            Write(json, value, 0);
            return Encoding.UTF8.GetBytes(json.ToString());
        }

        private static void Write(StringBuilder json, object? value, int depth)
        {
            if (depth > MaxDepth)
            {
                throw Invalid($"it nests deeper than {MaxDepth} levels (does it contain itself?)");
            }

            switch (value)
            {
                case null:
                    json.Append("null");
                    return;
                case string text:
                    WriteString(json, text);
                    return;
                case char c:
                    WriteString(json, c.ToString());
                    return;
                case bool flag:
                    json.Append(flag ? "true" : "false");
                    return;
                case Enum e:
                    json.Append(Convert.ToString(Convert.ChangeType(e, Enum.GetUnderlyingType(e.GetType()), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
                    return;
                case double d:
                    WriteDouble(json, d);
                    return;
                case float f:
                    WriteDouble(json, f);
                    return;
                case decimal m:
                    json.Append(m.ToString(CultureInfo.InvariantCulture));
                    return;
                case sbyte _:
                case byte _:
                case short _:
                case ushort _:
                case int _:
                case uint _:
                case long _:
                case ulong _:
                    json.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                    return;
                case DateTime date:
                    WriteString(json, date.ToString("o", CultureInfo.InvariantCulture));
                    return;
                case DateTimeOffset date:
                    WriteString(json, date.ToString("o", CultureInfo.InvariantCulture));
                    return;
                case Guid guid:
                    WriteString(json, guid.ToString("D"));
                    return;
                case TimeSpan span:
                    WriteString(json, span.ToString("c", CultureInfo.InvariantCulture));
                    return;
                case Uri uri:
                    WriteString(json, uri.OriginalString);
                    return;
                case IDictionary members:
                    json.Append('{');
                    var first = true;
                    foreach (DictionaryEntry member in members)
                    {
                        json.Append(first ? string.Empty : ",");
                        first = false;
                        WriteString(json, Convert.ToString(member.Key, CultureInfo.InvariantCulture) ?? string.Empty);
                        json.Append(':');
                        Write(json, member.Value, depth + 1);
                    }

                    json.Append('}');
                    return;
                case IEnumerable items:
                    json.Append('[');
                    var firstItem = true;
                    foreach (var item in items)
                    {
                        json.Append(firstItem ? string.Empty : ",");
                        firstItem = false;
                        Write(json, item, depth + 1);
                    }

                    json.Append(']');
                    return;
                default:
                    WriteString(json, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
                    return;
            }
        }

        private static void WriteDouble(StringBuilder json, double value)
        {
            if (double.IsNaN(value) || double.IsInfinity(value))
            {
                throw Invalid($"JSON has no number {value.ToString(CultureInfo.InvariantCulture)}");
            }

            // Not "R": .NET Framework's and .NET's differ; G15 and G17 are the same on both.
            var text = value.ToString("G15", CultureInfo.InvariantCulture);
            if (double.Parse(text, CultureInfo.InvariantCulture) != value)
            {
                text = value.ToString("G17", CultureInfo.InvariantCulture);
            }

            json.Append(text);
        }

        private static void WriteString(StringBuilder json, string text)
        {
            json.Append('"');
            foreach (var c in text)
            {
                switch (c)
                {
                    case '"':
                        json.Append("\\\"");
                        break;
                    case '\\':
                        json.Append("\\\\");
                        break;
                    case '\n':
                        json.Append("\\n");
                        break;
                    case '\r':
                        json.Append("\\r");
                        break;
                    case '\t':
                        json.Append("\\t");
                        break;
                    case '\b':
                        json.Append("\\b");
                        break;
                    case '\f':
                        json.Append("\\f");
                        break;
                    default:
                        if (c < 0x20 || c >= 0x7F || c == '<' || c == '>' || c == '&' || c == '\'')
                        {
                            json.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            json.Append(c);
                        }

                        break;
                }
            }

            json.Append('"');
        }

        private static CaxtonException Invalid(string why) =>
            new CaxtonException(CaxtonErrorIds.InvalidBody, CaxtonErrorKind.InvalidArgument, $"The -Body cannot be sent as JSON: {why}.");
    }
}
