using System.Net;
using System.Net.Sockets;
using Xunit;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>CaxtonTransport: size cap, connection failures, timeouts and cancellation.</summary>
public class TransportTests
{
    private const string Operation = "Test Operation";

    private static Task<HttpExchange> Send(HttpMessageHandler handler, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var transport = new CaxtonTransport(() => new HttpClient(handler, disposeHandler: false));
        return transport.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Get, new Uri(Fake.BaseUri, "reference/lookup/banks/GBP")),
            Operation, RequestSafety.NotIdempotent, timeout ?? TimeSpan.FromSeconds(5), NullLog.Instance, cancellationToken);
    }

    private static FakeHandler Serving(Func<HttpContent> content) =>
        new(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = content() });

    /// <summary>A body of unknown length (as with chunked transfer), produced as it is read.</summary>
    private sealed class UnknownLengthContent : HttpContent
    {
        private readonly long length;

        public UnknownLengthContent(long length)
        {
            this.length = length;
        }

        public long Produced => stream?.Position ?? 0;

        private GeneratedStream? stream;

        protected override Task<Stream> CreateContentReadStreamAsync()
        {
            stream = new GeneratedStream(length);
            return Task.FromResult<Stream>(stream);
        }

        protected override Task SerializeToStreamAsync(Stream target, TransportContext? context) =>
            new GeneratedStream(length).CopyToAsync(target);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private sealed class GeneratedStream : Stream
    {
        private readonly long length;
        private long position;

        public GeneratedStream(long length)
        {
            this.length = length;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - position);
            buffer.AsSpan(offset, n).Fill((byte)'a');
            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A body whose first read never ends until cancelled (a stalled server).</summary>
    private sealed class StalledContent : HttpContent
    {
        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new StalledStream());

        protected override Task SerializeToStreamAsync(Stream target, TransportContext? context) => Task.Delay(Timeout.Infinite);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private sealed class StalledStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task A_response_is_handed_back_with_status_media_type_and_body()
    {
        var handler = new FakeHandler(_ => Fake.Json("{\"Message\":\"nope\"}", HttpStatusCode.NotFound));

        var exchange = await Send(handler);

        Assert.Equal(404, exchange.Status);
        Assert.False(exchange.IsSuccess);
        Assert.Equal("application/json", exchange.MediaType);
        Assert.Equal("{\"Message\":\"nope\"}", System.Text.Encoding.UTF8.GetString(exchange.Body));
        Assert.Equal("GET", exchange.Method);
        Assert.Equal(Operation, exchange.Operation);
    }

    [Fact]
    public async Task A_declared_length_over_the_cap_is_ResponseTooLarge()
    {
        var handler = Serving(() => new ByteArrayContent(new byte[CaxtonTransport.MaxResponseBytes + 1]));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Send(handler));

        Assert.Equal(CaxtonErrorIds.ResponseTooLarge, error.ErrorId);
        Assert.Equal(CaxtonErrorKind.LimitsExceeded, error.Kind);
    }

    [Fact]
    public async Task A_body_of_unknown_length_over_the_cap_is_ResponseTooLarge_and_is_not_read_to_the_end()
    {
        var content = new UnknownLengthContent(64L * 1024 * 1024);
        var handler = Serving(() => content);

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Send(handler));

        Assert.Equal(CaxtonErrorIds.ResponseTooLarge, error.ErrorId);
        Assert.InRange(content.Produced, CaxtonTransport.MaxResponseBytes, 2L * CaxtonTransport.MaxResponseBytes);
    }

    [Fact]
    public async Task A_body_of_exactly_the_cap_is_accepted_with_or_without_a_length()
    {
        var declared = await Send(Serving(() => new ByteArrayContent(new byte[CaxtonTransport.MaxResponseBytes])));
        var undeclared = await Send(Serving(() => new UnknownLengthContent(CaxtonTransport.MaxResponseBytes)));

        Assert.Equal(CaxtonTransport.MaxResponseBytes, declared.Body.Length);
        Assert.Equal(CaxtonTransport.MaxResponseBytes, undeclared.Body.Length);
    }

    [Fact]
    public async Task A_handler_that_cannot_connect_is_ConnectionFailed()
    {
        var handler = new FakeHandler((_, _) => Task.FromException<HttpResponseMessage>(
            new HttpRequestException("Connection refused (example.test:443)", new SocketException((int)SocketError.ConnectionRefused))));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Send(handler));

        Assert.Equal(CaxtonErrorIds.ConnectionFailed, error.ErrorId);
        Assert.Equal(CaxtonErrorKind.ConnectionFailed, error.Kind);
        Assert.Null(error.InnerException); // a raw exception could quote the peer's bytes; its type is named instead
        Assert.Contains("(SocketException)", error.Message, StringComparison.Ordinal);
        Assert.Contains("https://example.test", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.RecommendedAction);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_RequestTimeout()
    {
        var handler = new FakeHandler(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Send(handler, TimeSpan.FromMilliseconds(200)).WaitAsync(Fake.HangGuard));

        Assert.Equal(CaxtonErrorIds.RequestTimeout, error.ErrorId);
        Assert.Equal(CaxtonErrorKind.Timeout, error.Kind);
    }

    [Fact]
    public async Task A_server_that_stalls_mid_body_is_RequestTimeout()
    {
        var handler = Serving(() => new StalledContent());

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Send(handler, TimeSpan.FromMilliseconds(200)).WaitAsync(Fake.HangGuard));

        Assert.Equal(CaxtonErrorIds.RequestTimeout, error.ErrorId);
    }

    [Fact]
    public async Task A_token_request_that_never_answers_is_RequestTimeout_for_the_connection()
    {
        var handler = new FakeHandler(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        var connection = Fake.Connection(handler, TimeSpan.FromMilliseconds(200));
        connection.SetCredential("u", Fake.Secure("p"));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => connection.GetTokenAsync(false, NullLog.Instance, CancellationToken.None).WaitAsync(Fake.HangGuard));

        Assert.Equal(CaxtonErrorIds.RequestTimeout, error.ErrorId);
    }

    [Fact]
    public async Task Caller_cancellation_is_OperationCanceledException_not_a_CaxtonException()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new FakeHandler(async (_, cancellationToken) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var cancellation = new CancellationTokenSource();

        var sending = Send(handler, TimeSpan.FromSeconds(30), cancellation.Token);
        await entered.Task.WaitAsync(Fake.HangGuard);
        cancellation.Cancel();

        var error = await Record.ExceptionAsync(() => sending.WaitAsync(Fake.HangGuard));
        Assert.IsAssignableFrom<OperationCanceledException>(error);
    }

    [Fact]
    public async Task An_already_cancelled_caller_is_OperationCanceledException()
    {
        var handler = new FakeHandler(_ => Fake.Json("{}"));
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var error = await Record.ExceptionAsync(() => Send(handler, cancellationToken: cancellation.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
    }
}
