using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace Caxton.NetFx
{
    /// <summary>
    /// A hostile loopback peer: answers every request with its headers and a first few bytes of a body it
    /// announces as longer, then sends nothing more until disposed.
    /// </summary>
    internal sealed class StallingPeer : IDisposable
    {
        private readonly TcpListener listener = new TcpListener(IPAddress.Loopback, 0);

        public StallingPeer()
        {
            listener.Start();
            BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/api/");
            Task.Run(AcceptAsync);
        }

        public Uri BaseUri { get; }

        public void Dispose() => listener.Stop();

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
                    _ = Task.Run(() => StallAsync(client));
                }
            }
            catch (ObjectDisposedException)
            {
            }
            catch (SocketException)
            {
            }
        }

        private static async Task StallAsync(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                var buffer = new byte[8192];
                await stream.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false);
                var head = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"access_token\":\"");
                await stream.WriteAsync(head, 0, head.Length).ConfigureAwait(false);
                await stream.FlushAsync().ConfigureAwait(false);
                try
                {
                    // Until the client gives up and closes: a read of 0 bytes or an error.
                    await stream.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false);
                }
                catch (Exception e) when (e is System.IO.IOException || e is ObjectDisposedException)
                {
                }
            }
        }
    }
}
