using System.Collections.Generic;
using System.Management.Automation;
using System.Text.Json;

namespace Caxton.Commands
{
    /// <summary>JSON to what ConvertFrom-Json gives: PSCustomObject, object[], string, number, bool, null.</summary>
    internal static class JsonToPowerShell
    {
        public static object? Convert(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var result = new PSObject();
                    foreach (var property in element.EnumerateObject())
                    {
                        // Duplicate member names: the last wins, as in ConvertFrom-Json.
                        result.Properties.Remove(property.Name);
                        result.Properties.Add(new PSNoteProperty(property.Name, Convert(property.Value)));
                    }

                    return result;
                case JsonValueKind.Array:
                    var items = new List<object?>();
                    foreach (var item in element.EnumerateArray())
                    {
                        items.Add(Convert(item));
                    }

                    return items.ToArray();
                case JsonValueKind.String:
                    return element.GetString();
                case JsonValueKind.Number:
                    if (element.TryGetInt32(out var small))
                    {
                        return small;
                    }

                    if (element.TryGetInt64(out var large))
                    {
                        return large;
                    }

                    if (element.TryGetDecimal(out var exact))
                    {
                        return exact;
                    }

                    return element.GetDouble();
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                default:
                    return null;
            }
        }
    }
}
