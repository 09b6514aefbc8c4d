using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Management.Automation;

namespace Caxton.Commands
{
    /// <summary>
    /// Turns an Invoke-CaxtonRestMethod -Body object into the PowerShell-neutral value the engine writes as
    /// JSON (RequestBody): PSObjects unwrapped, custom objects and other objects as their properties,
    /// hashtables as dictionaries, collections as lists. Like ConvertTo-Json -Depth 20, anything deeper
    /// than 20 levels is written as its text.
    /// </summary>
    internal static class PowerShellBody
    {
        public const int MaxDepth = 20;

        public static object? ToNeutral(object? value, int depth = 0)
        {
            if (value is PSObject wrapped)
            {
                if (wrapped.BaseObject is PSCustomObject)
                {
                    return depth >= MaxDepth ? wrapped.ToString() : Properties(wrapped, depth);
                }

                value = wrapped.BaseObject;
            }

            if (value is null || IsScalar(value))
            {
                return value;
            }

            if (depth >= MaxDepth)
            {
                return value.ToString();
            }

            switch (value)
            {
                case IDictionary members:
                    var dictionary = new OrderedDictionary(members.Count);
                    foreach (DictionaryEntry member in members)
                    {
                        dictionary[Convert.ToString(member.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty] = ToNeutral(member.Value, depth + 1);
                    }

                    return dictionary;
                case IEnumerable items:
                    var list = new List<object?>();
                    foreach (var item in items)
                    {
                        list.Add(ToNeutral(item, depth + 1));
                    }

                    return list;
                default:
                    return Properties(PSObject.AsPSObject(value), depth);
            }
        }

        private static bool IsScalar(object value) =>
            value is string || value is char || value is bool || value is Enum || value is decimal || value.GetType().IsPrimitive
            || value is DateTime || value is DateTimeOffset || value is Guid || value is TimeSpan || value is Uri;

        private static OrderedDictionary Properties(PSObject value, int depth)
        {
            var members = new OrderedDictionary();
            foreach (var property in value.Properties)
            {
                if (!property.IsGettable)
                {
                    continue;
                }

                object? member;
                try
                {
                    member = property.Value;
                }
                catch (GetValueException)
                {
                    continue; // a property whose getter throws is left out, as ConvertTo-Json does
                }

                members[property.Name] = ToNeutral(member, depth + 1);
            }

            return members;
        }
    }
}
