using System;
using System.Globalization;
using System.Text.Json;

namespace Caxton.Wire
{
    /// <summary>Lenient JSON reading shared by the response readers: any member case, numbers as strings, dates without an offset.</summary>
    internal static class Json
    {
        public static readonly JsonDocumentOptions DocumentOptions = new JsonDocumentOptions
        {
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
            MaxDepth = 64,
        };

        public static bool TryGetMember(JsonElement element, string name, out JsonElement value)
        {
            value = default;
            if (element.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (element.TryGetProperty(name, out value))
            {
                return true;
            }

            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = property.Value;
                    return true;
                }
            }

            return false;
        }

        /// <summary>A whole number, given as a JSON number or as a numeric string; null otherwise.</summary>
        public static long? GetInt64(JsonElement element, string name)
        {
            if (!TryGetMember(element, name, out var value))
            {
                return null;
            }

            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
            {
                return number;
            }

            if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out number))
            {
                return number;
            }

            return null;
        }

        /// <summary>Dates come with 7 fractional digits and sometimes without an offset: a missing offset means UTC.</summary>
        public static DateTimeOffset? ParseDate(string? text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var value)
                ? value.ToUniversalTime()
                : (DateTimeOffset?)null;
        }
    }
}
