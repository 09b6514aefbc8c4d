using System;
using System.Collections.Generic;
using Caxton.Transport;

namespace Caxton.Wire
{
    /// <summary>A response as the parser sees it: already read, so parsing is pure and fuzzable.</summary>
    internal sealed class HttpExchange
    {
        // Server text like any other: a reason phrase or request id may echo a secret, so they are only ever
        // read redacted. Redacted on first read, which error and -Verbose paths do: a successful call never
        // builds the redactor's regular expressions.
        private string? reasonPhrase;
        private bool reasonPhraseRedacted;
        private string? requestId;
        private bool requestIdRedacted;

        public HttpExchange(string operation, string method, Uri uri, int status, string? reasonPhrase, string? mediaType, byte[] body, IReadOnlyCollection<string>? secrets = null)
        {
            Secrets = secrets ?? Array.Empty<string>();
            Operation = operation;
            Method = method;
            Uri = uri;
            Status = status;
            this.reasonPhrase = reasonPhrase;
            MediaType = mediaType;
            Body = body;
        }

        /// <summary>The documented name of the call, e.g. "Generate Password", for messages.</summary>
        public string Operation { get; }

        public string Method { get; }

        public Uri Uri { get; }

        public int Status { get; }

        /// <summary>The status line's reason phrase, redacted.</summary>
        public string? ReasonPhrase => Redacted(ref reasonPhrase, ref reasonPhraseRedacted);

        public string? MediaType { get; }

        public byte[] Body { get; }

        /// <summary>Secrets the request carried; masked in anything built from this response.</summary>
        public IReadOnlyCollection<string> Secrets { get; }

        private IReadOnlyCollection<string>? redactionSecrets;

        /// <summary>
        /// What the redactor masks in text from this response: the request's secrets and the values of the
        /// body's secret members as the JSON reader reads them (comments, escaped names and all). Read on
        /// error and -Debug paths only, so a successful call parses nothing extra.
        /// </summary>
        public IReadOnlyCollection<string> RedactionSecrets
        {
            get
            {
                if (redactionSecrets is null)
                {
                    var all = new List<string>(Secrets);
                    if (ResponseReader.TryParse(Body) is System.Text.Json.JsonElement root)
                    {
                        all.AddRange(Redactor.SecretValuesIn(root));
                    }

                    redactionSecrets = all;
                }

                return redactionSecrets;
            }
        }

        private string? redactedBody;

        /// <summary>The whole body as text, redacted: kept on errors for support, never shortened.</summary>
        public string RedactedBody => redactedBody ??= Body.Length == 0 ? string.Empty : Redactor.Redact(System.Text.Encoding.UTF8.GetString(Body), RedactionSecrets);

        /// <summary>The response's Date header, for quoting to Caxton support.</summary>
        public DateTimeOffset? ResponseDate { get; set; }

        /// <summary>A request-id header the server sent (x-request-id, request-id, x-ms-request-id, ...): set as received, read redacted.</summary>
        public string? RequestId
        {
            get => Redacted(ref requestId, ref requestIdRedacted);
            set
            {
                requestId = value;
                requestIdRedacted = false;
            }
        }

        public bool IsSuccess => Status >= 200 && Status <= 299;

        /// <summary>
        /// The names of the response's headers (not their values), for Test-CaxtonContract's evidence;
        /// kept as the collections the response had, so an ordinary call builds no list.
        /// </summary>
        public IEnumerable<string> HeaderNames
        {
            get
            {
                foreach (var headers in HeaderSources)
                {
                    foreach (var header in headers)
                    {
                        yield return header.Key;
                    }
                }
            }
        }

        /// <summary>The response's header collections, as received (set by the transport).</summary>
        internal IEnumerable<KeyValuePair<string, IEnumerable<string>>>[] HeaderSources { get; set; } = Array.Empty<IEnumerable<KeyValuePair<string, IEnumerable<string>>>>();

        /// <summary>The Retry-After the server asked for, from when the response arrived; null when none or unreadable.</summary>
        public TimeSpan? RetryAfter { get; set; }

        private string? Redacted(ref string? text, ref bool redacted)
        {
            if (!redacted)
            {
                text = text is null ? null : Redactor.Redact(text, RedactionSecrets);
                redacted = true;
            }

            return text;
        }
    }
}
