using System.Net;
using Xunit;
using Caxton.Transport;

namespace Caxton.Tests;

/// <summary>
/// The transport against .NET Framework's HTTP behaviour, simulated here so it runs on .NET as well
/// (tests/Caxton.NetFx runs the real thing under Mono).
/// </summary>
public class NetFrameworkTransportTests
{
    [Fact]
    public async Task A_stall_after_the_headers_ends_at_the_budget_even_when_the_stream_ignores_the_token()
    {
        var stream = new TokenIgnoringStream();
        var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(stream) });
        var transport = new CaxtonTransport(() => new HttpClient(handler, disposeHandler: false));

        var error = await Assert.ThrowsAsync<CaxtonException>(() => transport.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Get, new Uri(Fake.BaseUri, "reference/lookup/banks/GBP")),
            "Test Operation", RequestSafety.Idempotent, TimeSpan.FromMilliseconds(300), NullLog.Instance, CancellationToken.None).WaitAsync(Fake.HangGuard));

        Assert.Equal(CaxtonErrorIds.RequestTimeout, error.ErrorId);
        Assert.True(stream.Disposed);
    }

    [Fact]
    public async Task A_caller_cancelling_during_such_a_stall_gets_a_cancellation_not_a_timeout()
    {
        var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new TokenIgnoringStream()) });
        var transport = new CaxtonTransport(() => new HttpClient(handler, disposeHandler: false));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => transport.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Get, new Uri(Fake.BaseUri, "reference/lookup/banks/GBP")),
            "Test Operation", RequestSafety.Idempotent, TimeSpan.FromSeconds(60), NullLog.Instance, cancel.Token).WaitAsync(Fake.HangGuard));
    }

    /// <summary>Like .NET Framework's response stream: ReadAsync ignores its token; only Dispose ends a read.</summary>
    private sealed class TokenIgnoringStream : Stream
    {
        private readonly TaskCompletionSource<int> disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Disposed => disposed.Task.IsCompleted;

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
            await disposed.Task;
            throw new ObjectDisposedException(nameof(TokenIgnoringStream));
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(ReadAsync(Array.Empty<byte>(), 0, 0, CancellationToken.None));

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            disposed.TrySetResult(0);
            base.Dispose(disposing);
        }
    }
}
