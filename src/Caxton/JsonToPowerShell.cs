using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Management.Automation;
using System.Text.Json;

namespace Caxton.Commands
{
    /// <summary>
    /// JSON to what ConvertFrom-Json gives: PSCustomObject, object[], string, number, bool, null. An
    /// object with a member name no PowerShell property can have ("", PSObject, PSBase, ...) becomes an
    /// ordered dictionary with the names exactly as sent, instead of PowerShell's own exception.
    /// </summary>
    internal static class JsonToPowerShell
    {
        public static object? Convert(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    return ToObject(element);
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

        private static object ToObject(JsonElement element)
        {
            var result = new PSObject();
            foreach (var property in element.EnumerateObject())
            {
                try
                {
                    // Duplicate member names: the last wins, as in ConvertFrom-Json.
                    result.Properties.Remove(property.Name);
                    result.Properties.Add(new PSNoteProperty(property.Name, Convert(property.Value)));
                }
                catch (Exception exception) when (exception is ArgumentException || exception is ExtendedTypeSystemException)
                {
                    // An empty name, or one PowerShell reserves for itself (PSObject, PSBase, PSTypeNames...).
                    return ToDictionary(element);
                }
            }

            return result;
        }

        private static OrderedDictionary ToDictionary(JsonElement element)
        {
            var dictionary = new OrderedDictionary(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                dictionary[property.Name] = Convert(property.Value);
            }

            return dictionary;
        }
    }
}
