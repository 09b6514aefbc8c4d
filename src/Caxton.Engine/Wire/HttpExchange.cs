using System;
using System.Collections.Generic;
using Caxton.Transport;

namespace Caxton.Wire
{
    /// <summary>A response as the parser sees it: already read, so parsing is pure and fuzzable.</summary>
    internal sealed class HttpExchange
    {
        public HttpExchange(string operation, string method, Uri uri, int status, string? reasonPhrase, string? mediaType, byte[] body, IReadOnlyCollection<string>? secrets = null)
        {
            Secrets = secrets ?? Array.Empty<string>();
            Operation = operation;
            Method = method;
            Uri = uri;
            Status = status;
            // Server text like any other: a reason phrase may echo a secret, so it is kept only redacted.
            ReasonPhrase = reasonPhrase is null ? null : Redactor.Redact(reasonPhrase, Secrets);
            MediaType = mediaType;
            Body = body;
        }

        /// <summary>The documented name of the call, e.g. "Generate Password", for messages.</summary>
        public string Operation { get; }

        public string Method { get; }

        public Uri Uri { get; }

        public int Status { get; }

        /// <summary>The status line's reason phrase, already redacted.</summary>
        public string? ReasonPhrase { get; }

        public string? MediaType { get; }

        public byte[] Body { get; }

        /// <summary>Secrets the request carried; masked in anything built from this response.</summary>
        public IReadOnlyCollection<string> Secrets { get; }

        /// <summary>The response's Date header, for quoting to Caxton support.</summary>
        public DateTimeOffset? ResponseDate { get; set; }

        /// <summary>A request-id header the server sent (x-request-id, request-id, x-ms-request-id, ...), already redacted.</summary>
        public string? RequestId { get; set; }

        public bool IsSuccess => Status >= 200 && Status <= 299;
    }
}
