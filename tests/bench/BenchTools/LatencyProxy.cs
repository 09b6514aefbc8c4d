using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Caxton.Bench
{
    /// <summary>
    /// A model of a remote API host on loopback: a TCP forwarder the client addresses as the API host
    /// itself (it is not an HTTP proxy). Every byte reaches the other side half a round trip after it was
    /// sent, and a new connection carries nothing either way until two round trips after it was
    /// accepted, the cost of a TCP and a TLS 1.3 handshake. Bytes keep their order; delays overlap as on a
    /// real link (a pipelined byte is not delayed behind the one before it by more than the link would).
    /// </summary>
    public sealed class LatencyProxy : IDisposable
    {
        private readonly TcpListener listener;
        private readonly IPEndPoint upstream;
        private readonly long halfTripTicks;
        private readonly long handshakeTicks;
        private readonly CancellationTokenSource stop = new CancellationTokenSource();
        private int connections;

        public LatencyProxy(IPEndPoint upstream, TimeSpan roundTrip, int handshakeRoundTrips = 2)
        {
            this.upstream = upstream;
            halfTripTicks = (long)(roundTrip.TotalSeconds / 2 * Stopwatch.Frequency);
            handshakeTicks = (long)(roundTrip.TotalSeconds * handshakeRoundTrips * Stopwatch.Frequency);
            RoundTrip = roundTrip;
            listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            _ = AcceptAsync();
        }

        public TimeSpan RoundTrip { get; }

        public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

        /// <summary>Connections accepted so far: each paid the handshake round trips.</summary>
        public int Connections => Volatile.Read(ref connections);

        /// <summary>The proxy's URI for an upstream URI: same scheme and path, the proxy's loopback port.</summary>
        public Uri Front(Uri upstreamUri) => new UriBuilder(upstreamUri) { Host = "127.0.0.1", Port = Port }.Uri;

        public static LatencyProxy ForUri(Uri upstreamUri, TimeSpan roundTrip) =>
            new LatencyProxy(new IPEndPoint(IPAddress.Parse(upstreamUri.Host == "localhost" ? "127.0.0.1" : upstreamUri.Host), upstreamUri.Port), roundTrip);

        public void Dispose()
        {
            stop.Cancel();
            listener.Stop();
        }

        private async Task AcceptAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptSocketAsync(stop.Token).ConfigureAwait(false);
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }

                Interlocked.Increment(ref connections);
                _ = ServeAsync(client, Stopwatch.GetTimestamp());
            }
        }

        private async Task ServeAsync(Socket client, long accepted)
        {
            using (client)
            using (var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                client.NoDelay = true;
                server.NoDelay = true;
                try
                {
                    await server.ConnectAsync(upstream, stop.Token).ConfigureAwait(false);
                    var open = accepted + handshakeTicks;
                    await Task.WhenAll(PumpAsync(client, server, open), PumpAsync(server, client, open)).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // A peer that goes away ends its connection, as it would on a real link.
                }
            }
        }

        /// <summary>One direction: each chunk is written when its time comes; the end of the stream is passed on in order.</summary>
        private async Task PumpAsync(Socket from, Socket to, long open)
        {
            var queue = Channel.CreateUnbounded<(long Due, byte[] Data, int Count)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var writer = WriteAsync(queue.Reader, to);
            try
            {
                while (true)
                {
                    var buffer = new byte[16 * 1024];
                    var read = await from.ReceiveAsync(buffer, SocketFlags.None, stop.Token).ConfigureAwait(false);
                    var due = Math.Max(Stopwatch.GetTimestamp(), open) + halfTripTicks;
                    queue.Writer.TryWrite((due, buffer, read));
                    if (read == 0)
                    {
                        break;
                    }
                }
            }
            finally
            {
                queue.Writer.TryComplete();
                await writer.ConfigureAwait(false);
            }
        }

        private async Task WriteAsync(ChannelReader<(long Due, byte[] Data, int Count)> queue, Socket to)
        {
            await foreach (var (due, data, count) in queue.ReadAllAsync().ConfigureAwait(false))
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait).ConfigureAwait(false);
                }

                if (count == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(new ArraySegment<byte>(data, 0, count), SocketFlags.None).ConfigureAwait(false);
            }
        }
    }
}
