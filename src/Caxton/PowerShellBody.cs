using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Management.Automation;
using System.Threading;

namespace Caxton.Commands
{
    /// <summary>
    /// Turns an Invoke-CaxtonRestMethod -Body object into the PowerShell-neutral value the engine writes as
    /// JSON (RequestBody): PSObjects unwrapped, custom objects and other objects as their properties,
    /// hashtables as dictionaries, collections as lists. Like ConvertTo-Json -Depth 20, anything deeper
    /// than 20 levels is written as its text. The walk is bounded and honours Ctrl+C: a live object
    /// (Get-Item, Get-Process) has properties without end, and is refused as InvalidBody, not walked.
    /// </summary>
    internal sealed class PowerShellBody
    {
        public const int MaxDepth = 20;

        /// <summary>Values (members, items) a body may hold: API requests hold dozens; a file's object graph millions.</summary>
        public const int MaxValues = 10000;

        private readonly CancellationToken cancellationToken;
        private int valuesLeft = MaxValues;

        private PowerShellBody(CancellationToken cancellationToken)
        {
            this.cancellationToken = cancellationToken;
        }

        public static object? ToNeutral(object? value, CancellationToken cancellationToken) =>
            new PowerShellBody(cancellationToken).Walk(value, 0);

        private object? Walk(object? value, int depth)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (--valuesLeft < 0)
            {
                throw new CaxtonException(
                    CaxtonErrorIds.InvalidBody,
                    CaxtonErrorKind.InvalidArgument,
                    $"The -Body cannot be sent as JSON: it holds more than {MaxValues} values, which no API request does (is it a live object, such as Get-Item's or Get-Process's?). Pass a hashtable or [pscustomobject] of the members the API expects, or a JSON string.");
            }

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
                        dictionary[Convert.ToString(member.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty] = Walk(member.Value, depth + 1);
                    }

                    return dictionary;
                case IEnumerable items:
                    var list = new List<object?>();
                    foreach (var item in items)
                    {
                        list.Add(Walk(item, depth + 1));
                    }

                    return list;
                default:
                    return Properties(PSObject.AsPSObject(value), depth);
            }
        }

        private static bool IsScalar(object value) =>
            value is string || value is char || value is bool || value is Enum || value is decimal || value.GetType().IsPrimitive
            || value is DateTime || value is DateTimeOffset || value is Guid || value is TimeSpan || value is Uri;

        private OrderedDictionary Properties(PSObject value, int depth)
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

                members[property.Name] = Walk(member, depth + 1);
            }

            return members;
        }
    }
}
