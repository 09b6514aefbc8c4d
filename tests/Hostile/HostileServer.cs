// A broken or malicious peer for the tests, NOT the contract (that is the emulator). Loopback only,
// bounded, and it stops itself. It lies, stalls, echoes secrets, drops connections, and keeps the
// raw bytes of everything it is sent, so a test can prove what did (and did not) go out on the wire.
// Compiled into the xunit tests and, with Add-Type, into the Pester run.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Caxton.Hostile
{
    /// <summary>One answer, and how badly to give it.</summary>
    public sealed class HostileReply
    {
        public int Status = 200;

        /// <summary>Sent as it is on the status line: it may echo a secret.</summary>
        public string Reason = "OK";

        public string ContentType = "application/json";

        public byte[] Body = new byte[0];

        public List<KeyValuePair<string, string>> Headers = new List<KeyValuePair<string, string>>();

        /// <summary>Declare the whole body, send half of it, and close the connection.</summary>
        public bool DropMidBody;

        public int StallBeforeHeadersMs;

        /// <summary>Send the headers, then wait this long before the body.</summary>
        public int StallAfterHeadersMs;

        /// <summary>How many requests this answers before the next reply for the path takes over.</summary>
        public int Times = int.MaxValue;

        /// <summary>
        /// When set, the whole answer as raw bytes, however malformed (an invalid header or status line, a
        /// chunk-size line), after {Password} and {Bearer} become the form password and bearer token the
        /// request carried: a peer echoing a secret where only the HTTP parser reads it.
        /// </summary>
        public string? Raw;

        public static HostileReply Json(string json, int status = 200, string reason = "OK") =>
            new HostileReply { Status = status, Reason = reason, Body = Encoding.UTF8.GetBytes(json) };

        public static HostileReply Token(string accessToken, string tokenType = "bearer", long expiresIn = 3600) =>
            Json("{\"access_token\":" + JsonString(accessToken) + ",\"token_type\":" + JsonString(tokenType) + ",\"expires_in\":" + expiresIn + "}");

        public static HostileReply Envelope(string modelMembers) =>
            Json("{\"Content\":{\"Model\":{" + modelMembers + (modelMembers.Length == 0 ? "" : ",") +
                 "\"ApiStatusCode\":100,\"ApiStatus\":\"IsValid\",\"ApiStatusDescription\":\"Valid Operation\"},\"ExpectedResponses\":[\"IsValid\"]}}");

        /// <summary>A JSON string literal with only the escapes JSON requires.</summary>
        public static string JsonString(string value)
        {
            var text = new StringBuilder("\"");
            foreach (var c in value)
            {
                if (c == '"' || c == '\\')
                {
                    text.Append('\\').Append(c);
                }
                else if (c < 0x20)
                {
                    text.Append("\\u").Append(((int)c).ToString("X4"));
                }
                else
                {
                    text.Append(c);
                }
            }

            return text.Append('"').ToString();
        }
    }

    /// <summary>A request exactly as it arrived.</summary>
    public sealed class CapturedRequest
    {
        public CapturedRequest(byte[] raw, string method, string target, IReadOnlyList<KeyValuePair<string, string>> headers)
        {
            Raw = raw;
            Method = method;
            Target = target;
            Headers = headers;
        }

        public byte[] Raw { get; }

        public string Method { get; }

        public string Target { get; }

        public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

        public string Path => Target.Split('?')[0];

        public string Text => Encoding.GetEncoding("ISO-8859-1").GetString(Raw);

        /// <summary>The Password field of a form body, decoded, or empty.</summary>
        public string FormPassword
        {
            get
            {
                var text = Text;
                var body = text.Substring(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4);
                foreach (var pair in body.Split('&'))
                {
                    if (pair.StartsWith("Password=", StringComparison.Ordinal))
                    {
                        return WebUtility.UrlDecode(pair.Substring("Password=".Length));
                    }
                }

                return string.Empty;
            }
        }

        /// <summary>The bearer token of the Authorization header, or empty.</summary>
        public string Bearer => (Header("Authorization") ?? string.Empty).Replace("Bearer ", string.Empty);

        public string? Header(string name) =>
            Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
    }

    public sealed class HostileServer : IDisposable
    {
        private const int MaxRequestBytes = 1024 * 1024;
        private const int MaxConnections = 64;

        private readonly TcpListener listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private readonly object gate = new object();
        private readonly List<KeyValuePair<string, HostileReply>> rules = new List<KeyValuePair<string, HostileReply>>();
        private readonly List<CapturedRequest> requests = new List<CapturedRequest>();
        private readonly MemoryStream received = new MemoryStream();
        private readonly SemaphoreSlim connections = new SemaphoreSlim(MaxConnections);

        /// <summary>Starts at once on a free loopback port; it stops itself after <paramref name="lifetimeSeconds"/>.</summary>
        public HostileServer(string basePath = "/tenantA/api/", int lifetimeSeconds = 600)
        {
            listener.Start();
            BaseUri = new Uri("http://127.0.0.1:" + ((IPEndPoint)listener.LocalEndpoint).Port + basePath);
            stopping.CancelAfter(TimeSpan.FromSeconds(lifetimeSeconds));
            stopping.Token.Register(() => listener.Stop());
            Task.Run(AcceptLoopAsync);
        }

        public Uri BaseUri { get; }

        public IReadOnlyList<CapturedRequest> Requests
        {
            get { lock (gate) { return requests.ToArray(); } }
        }

        /// <summary>Every byte any client sent, across connections: where a smuggled request would show.</summary>
        public string ReceivedText
        {
            get { lock (gate) { return Encoding.GetEncoding("ISO-8859-1").GetString(received.ToArray()); } }
        }

        public int CountOf(string pathEnd) => Requests.Count(r => r.Path.EndsWith(pathEnd, StringComparison.OrdinalIgnoreCase));

        /// <summary>Answers requests whose path ends with <paramref name="pathEnd"/>; replies are used in the order given.</summary>
        public void On(string pathEnd, HostileReply reply)
        {
            lock (gate)
            {
                rules.Add(new KeyValuePair<string, HostileReply>(pathEnd, reply));
            }
        }

        /// <summary>Forgets every reply and request, for the next attack.</summary>
        public void Reset()
        {
            lock (gate)
            {
                rules.Clear();
                requests.Clear();
                received.SetLength(0);
            }
        }

        public void Dispose()
        {
            stopping.Cancel();
            listener.Stop();
        }

        private async Task AcceptLoopAsync()
        {
            while (!stopping.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
                }
                catch (Exception) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (SocketException)
                {
                    continue;
                }

                if (!await connections.WaitAsync(0).ConfigureAwait(false))
                {
                    client.Dispose();
                    continue;
                }

                _ = Task.Run(async () =>
                {
                    try
                    {
                        await ServeAsync(client).ConfigureAwait(false);
                    }
                    catch (Exception)
                    {
                        // A client that went away, or the server stopping: nothing to report.
                    }
                    finally
                    {
                        client.Dispose();
                        connections.Release();
                    }
                });
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            var stream = client.GetStream();
            var pending = new List<byte>();
            var buffer = new byte[16 * 1024];
            while (!stopping.IsCancellationRequested)
            {
                // Keep-alive: read requests one after another, so a smuggled second one is seen too.
                int headerEnd;
                while ((headerEnd = IndexOfHeaderEnd(pending)) < 0)
                {
                    if (!await ReadMoreAsync(stream, buffer, pending).ConfigureAwait(false))
                    {
                        return;
                    }
                }

                var head = Encoding.GetEncoding("ISO-8859-1").GetString(pending.Take(headerEnd).ToArray());
                var lines = head.Split(new[] { "\r\n" }, StringSplitOptions.None);
                var start = lines[0].Split(' ');
                var headers = lines.Skip(1).Where(l => l.Contains(':'))
                    .Select(l => new KeyValuePair<string, string>(l.Substring(0, l.IndexOf(':')).Trim(), l.Substring(l.IndexOf(':') + 1).Trim())).ToList();
                var length = headers.Where(h => string.Equals(h.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                    .Select(h => int.TryParse(h.Value, out var n) ? n : 0).FirstOrDefault();
                var total = headerEnd + 4 + Math.Min(Math.Max(length, 0), MaxRequestBytes);
                while (pending.Count < total)
                {
                    if (!await ReadMoreAsync(stream, buffer, pending).ConfigureAwait(false))
                    {
                        return;
                    }
                }

                var raw = pending.Take(total).ToArray();
                pending.RemoveRange(0, total);
                var request = new CapturedRequest(raw, start[0], start.Length > 1 ? start[1] : string.Empty, headers);
                HostileReply reply;
                lock (gate)
                {
                    requests.Add(request);
                    reply = Choose(request.Path);
                }

                if (!await AnswerAsync(stream, reply, request).ConfigureAwait(false))
                {
                    return;
                }
            }
        }

        private async Task<bool> ReadMoreAsync(NetworkStream stream, byte[] buffer, List<byte> pending)
        {
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token))
            {
                idle.CancelAfter(TimeSpan.FromSeconds(30));
                var read = await stream.ReadAsync(buffer, 0, buffer.Length, idle.Token).ConfigureAwait(false);
                if (read <= 0 || pending.Count + read > MaxRequestBytes * 2)
                {
                    return false;
                }

                lock (gate)
                {
                    received.Write(buffer, 0, read);
                }

                pending.AddRange(buffer.Take(read));
                return true;
            }
        }

        private HostileReply Choose(string path)
        {
            for (var i = 0; i < rules.Count; i++)
            {
                var rule = rules[i];
                if (path.EndsWith(rule.Key, StringComparison.OrdinalIgnoreCase) && rule.Value.Times > 0)
                {
                    rule.Value.Times--;
                    return rule.Value;
                }
            }

            return HostileReply.Json("{\"Message\":\"no such path here\"}", 404, "Not Found");
        }

        /// <summary>Writes the reply; false when the connection was dropped on purpose.</summary>
        private async Task<bool> AnswerAsync(NetworkStream stream, HostileReply reply, CapturedRequest request)
        {
            if (reply.StallBeforeHeadersMs > 0)
            {
                await Task.Delay(reply.StallBeforeHeadersMs, stopping.Token).ConfigureAwait(false);
            }

            if (reply.Raw != null)
            {
                var raw = Encoding.UTF8.GetBytes(reply.Raw.Replace("{Password}", request.FormPassword).Replace("{Bearer}", request.Bearer));
                await stream.WriteAsync(raw, 0, raw.Length, stopping.Token).ConfigureAwait(false);
                await stream.FlushAsync(stopping.Token).ConfigureAwait(false);
                return false;
            }

            var head = new StringBuilder();
            head.Append("HTTP/1.1 ").Append(reply.Status).Append(' ').Append(reply.Reason).Append("\r\n");
            head.Append("Content-Type: ").Append(reply.ContentType).Append("\r\n");
            head.Append("Content-Length: ").Append(reply.Body.Length).Append("\r\n");
            foreach (var header in reply.Headers)
            {
                head.Append(header.Key).Append(": ").Append(header.Value).Append("\r\n");
            }

            head.Append("\r\n");
            var headBytes = Encoding.UTF8.GetBytes(head.ToString());
            await stream.WriteAsync(headBytes, 0, headBytes.Length, stopping.Token).ConfigureAwait(false);
            await stream.FlushAsync(stopping.Token).ConfigureAwait(false);
            if (reply.StallAfterHeadersMs > 0)
            {
                await Task.Delay(reply.StallAfterHeadersMs, stopping.Token).ConfigureAwait(false);
            }

            if (reply.DropMidBody)
            {
                await stream.WriteAsync(reply.Body, 0, reply.Body.Length / 2, stopping.Token).ConfigureAwait(false);
                await stream.FlushAsync(stopping.Token).ConfigureAwait(false);
                return false;
            }

            await stream.WriteAsync(reply.Body, 0, reply.Body.Length, stopping.Token).ConfigureAwait(false);
            await stream.FlushAsync(stopping.Token).ConfigureAwait(false);
            return true;
        }

        private static int IndexOfHeaderEnd(List<byte> bytes)
        {
            for (var i = 0; i + 3 < bytes.Count; i++)
            {
                if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
