using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using Caxton.Wire;

namespace Caxton.Probe
{
    /// <summary>
    /// One answer the probe received, or the failure to get one, described for evidence only by
    /// status, member names and header names: never a value from the body. Every name is server text,
    /// so the evidence built from it passes the redactor (see <see cref="ContractProbe"/>).
    /// </summary>
    internal sealed class Observation
    {
        /// <summary>The most member or header names one piece of evidence lists.</summary>
        private const int MaxNames = 12;

        /// <summary>A name longer than this is cut: a server could put anything in one.</summary>
        private const int MaxNameLength = 40;

        public Observation(string request, HttpExchange exchange)
        {
            Request = request;
            Exchange = exchange;
            Root = ResponseReader.TryParse(exchange.Body);
            Model = Root.HasValue ? ResponseReader.TryReadModel(Root.Value) : null;
        }

        public Observation(string request, CaxtonException failure)
        {
            Request = request;
            Failure = failure;
        }

        /// <summary>What was sent, e.g. "POST token (held credential)".</summary>
        public string Request { get; }

        public HttpExchange? Exchange { get; }

        /// <summary>Why no answer came (a connection failure, a timeout); its message is redacted by the engine.</summary>
        public CaxtonException? Failure { get; }

        public JsonElement? Root { get; }

        /// <summary>The status triple's model, read as leniently as the module reads it (a bare model at the root too).</summary>
        public ApiModel? Model { get; }

        public int Status => Exchange?.Status ?? 0;

        public bool Answered => Exchange != null;

        public bool IsObject => Root?.ValueKind == JsonValueKind.Object;

        public bool HasHeader(string name) =>
            Exchange != null && Exchange.HeaderNames.Any(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>A top-level string member, exactly as named (the contract's casing), or null.</summary>
        public string? TopString(string name) =>
            IsObject && Root!.Value.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        /// <summary>A top-level member, exactly as named.</summary>
        public bool TryTop(string name, out JsonElement value)
        {
            value = default;
            return IsObject && Root!.Value.TryGetProperty(name, out value);
        }

        /// <summary>"POST token: HTTP 400, JSON members error, error_description" or "...: no answer (ConnectionFailed)".</summary>
        public string Describe()
        {
            if (Exchange is null)
            {
                return $"{Request}: no answer ({Failure?.ErrorId})";
            }

            return $"{Request}: HTTP {Exchange.Status}, {Body()}";
        }

        /// <summary>What the body is, without its values: "JSON members a, b", "text/html", "no body".</summary>
        public string Body()
        {
            if (Exchange is null || Exchange.Body.Length == 0)
            {
                return "no body";
            }

            if (Root is null)
            {
                return $"{Exchange.Body.Length} bytes of {Name(Exchange.MediaType ?? "unknown media type")}, not JSON";
            }

            return Root.Value.ValueKind == JsonValueKind.Object ? "JSON members " + Names(Root.Value) : "JSON " + Root.Value.ValueKind.ToString().ToLowerInvariant();
        }

        /// <summary>The names of an object's members, in order, cut to a sane number and length.</summary>
        public static string Names(JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return "(" + element.ValueKind.ToString().ToLowerInvariant() + ")";
            }

            var names = element.EnumerateObject().Select(p => p.Name).ToList();
            return names.Count == 0 ? "(none)" : List(names);
        }

        public static string List(IReadOnlyCollection<string> names)
        {
            var shown = string.Join(", ", names.Take(MaxNames).Select(Name));
            return names.Count > MaxNames ? $"{shown} and {names.Count - MaxNames} more" : shown;
        }

        /// <summary>A name as evidence shows it: printable, short.</summary>
        public static string Name(string name)
        {
            var text = new StringBuilder(Math.Min(name.Length, MaxNameLength + 3));
            foreach (var c in name)
            {
                if (text.Length >= MaxNameLength)
                {
                    text.Append("...");
                    break;
                }

                text.Append(c >= ' ' && c != '\u007f' && c != '|' && c != '`' ? c : '?');
            }

            return text.ToString();
        }

        /// <summary>The JSON kind of a value, for evidence: "a JSON number", "a JSON string".</summary>
        public static string Kind(JsonElement value) =>
            "a JSON " + value.ValueKind.ToString().ToLowerInvariant().Replace("true", "boolean").Replace("false", "boolean");

        public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
    }
}
