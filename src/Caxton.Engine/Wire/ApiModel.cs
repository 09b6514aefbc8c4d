using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace Caxton.Wire
{
    /// <summary>The ApiStatus triple every Caxton model carries.</summary>
    internal readonly struct ApiStatusTriple
    {
        public ApiStatusTriple(int? code, string? name, string? description)
        {
            Code = code;
            Name = name;
            Description = description;
        }

        public int? Code { get; }

        public string? Name { get; }

        public string? Description { get; }

        public override string ToString()
        {
            var text = Name ?? "no ApiStatus";
            if (Code.HasValue)
            {
                text += $" ({Code.Value.ToString(CultureInfo.InvariantCulture)})";
            }

            return string.IsNullOrEmpty(Description) ? text : text + ": " + Description;
        }
    }

    /// <summary>
    /// <c>Content.Model</c> of an envelope, read leniently: member names match without regard to case
    /// (exact case first), unknown members are ignored, order does not matter.
    /// </summary>
    internal sealed class ApiModel
    {
        public ApiModel(JsonElement model, IReadOnlyList<string> expectedResponses)
        {
            Element = model;
            ExpectedResponses = expectedResponses;
            Status = new ApiStatusTriple(GetInt("ApiStatusCode"), GetString("ApiStatus"), GetString("ApiStatusDescription"));
        }

        public JsonElement Element { get; }

        public IReadOnlyList<string> ExpectedResponses { get; }

        public ApiStatusTriple Status { get; }

        /// <summary>The contract's rule: ApiStatus is one of ExpectedResponses, or IsValid when that list is absent.</summary>
        public bool StatusIsExpected
        {
            get
            {
                if (Status.Name is null)
                {
                    return false;
                }

                if (ExpectedResponses.Count == 0)
                {
                    return string.Equals(Status.Name, "IsValid", StringComparison.OrdinalIgnoreCase);
                }

                foreach (var expected in ExpectedResponses)
                {
                    if (string.Equals(expected, Status.Name, StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }

                return false;
            }
        }

        public string? GetString(string name)
        {
            if (!Json.TryGetMember(Element, name, out var value))
            {
                return null;
            }

            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    return value.GetString();
                case JsonValueKind.Number:
                case JsonValueKind.True:
                case JsonValueKind.False:
                    return value.GetRawText();
                default:
                    return null;
            }
        }

        public int? GetInt(string name)
        {
            var number = Json.GetInt64(Element, name);
            return number >= int.MinValue && number <= int.MaxValue ? (int?)number : null;
        }

        public DateTimeOffset? GetDate(string name) => Json.ParseDate(GetString(name));
    }
}
