using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;
using Caxton.Transport;
using Caxton.Wire;

namespace Caxton.Tests;

/// <summary>What is retried, how often, and within which budget.</summary>
public class RetryTests
{
    private static readonly Uri Target = new(Fake.BaseUri, "token");

    private static Task<HttpExchange> Send(FakeHandler handler, RequestSafety safety, int retries = 3, TimeSpan? timeout = null, CancellationToken cancel = default, ICaxtonLog? log = null)
    {
        var transport = new CaxtonTransport(() => new HttpClient(handler, disposeHandler: false), new CaxtonTransportOptions { MaximumRetryCount = retries });
        return transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, Target), "Test", safety, timeout ?? TimeSpan.FromSeconds(30), log ?? NullLog.Instance, cancel);
    }

    private static HttpResponseMessage Status(int status, string? retryAfter = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent("{}") };
        if (retryAfter != null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return response;
    }

    /// <summary>Answers with the given statuses in turn, then 200.</summary>
    private static FakeHandler Sequence(params Func<HttpResponseMessage>[] answers)
    {
        var next = 0;
        return new FakeHandler(_ =>
        {
            var index = Interlocked.Increment(ref next) - 1;
            return index < answers.Length ? answers[index]() : Status(200);
        });
    }

    [Fact]
    public async Task Two_503s_with_Retry_After_then_success_succeed_after_three_requests()
    {
        var handler = Sequence(() => Status(503, "0"), () => Status(503, "0"));
        var log = new RecordingLog();

        var response = await Send(handler, RequestSafety.Idempotent, log: log);

        Assert.Equal(200, response.Status);
        Assert.Equal(3, handler.Count);
        Assert.Contains(log.Messages, m => m.Contains("HTTP 503 with Retry-After; retrying", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(408)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task A_call_that_is_not_idempotent_is_not_repeated_after_a_status_that_may_follow_processing(int status)
    {
        var handler = Sequence(() => Status(status));

        var response = await Send(handler, RequestSafety.NotIdempotent);

        Assert.Equal(status, response.Status);
        Assert.Equal(1, handler.Count);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task An_idempotent_call_is_repeated_after_each_transient_status(int status)
    {
        var handler = Sequence(() => Status(status, "0"));

        Assert.Equal(200, (await Send(handler, RequestSafety.Idempotent)).Status);
        Assert.Equal(2, handler.Count);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task A_call_that_is_not_idempotent_is_repeated_when_the_server_refused_it(int status)
    {
        var handler = Sequence(() => Status(status, "0"));

        Assert.Equal(200, (await Send(handler, RequestSafety.NotIdempotent)).Status);
        Assert.Equal(2, handler.Count);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(500)]
    public async Task Other_failures_are_not_repeated(int status)
    {
        var handler = Sequence(() => Status(status));

        Assert.Equal(status, (await Send(handler, RequestSafety.Idempotent)).Status);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task Retries_stop_at_MaximumRetryCount_and_hand_back_the_last_answer()
    {
        var handler = new FakeHandler(_ => Status(503, "0"));

        var response = await Send(handler, RequestSafety.Idempotent, retries: 2);

        Assert.Equal(503, response.Status);
        Assert.Equal(3, handler.Count);
    }

    [Fact]
    public async Task MaximumRetryCount_zero_turns_retries_off()
    {
        var handler = new FakeHandler(_ => Status(503, "0"));

        await Send(handler, RequestSafety.Idempotent, retries: 0);

        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_cap_is_not_waited_for()
    {
        var handler = Sequence(() => Status(503, "3600"));
        var stopwatch = Stopwatch.StartNew();

        var response = await Send(handler, RequestSafety.Idempotent);

        Assert.Equal(503, response.Status);
        Assert.Equal(1, handler.Count);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), "it must not wait an hour");
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_call_budget_is_not_waited_for()
    {
        var handler = Sequence(() => Status(503, "20"));

        var response = await Send(handler, RequestSafety.Idempotent, timeout: TimeSpan.FromSeconds(5));

        Assert.Equal(503, response.Status);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public void Retry_After_is_read_as_seconds_or_as_an_HTTP_date()
    {
        var now = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var seconds = Status(503, "7").Headers.RetryAfter;
        var date = Status(503, now.AddSeconds(4).ToString("r")).Headers.RetryAfter;
        var past = Status(503, now.AddSeconds(-4).ToString("r")).Headers.RetryAfter;

        Assert.Equal(TimeSpan.FromSeconds(7), RetryPolicy.RetryAfter(seconds, now));
        Assert.Equal(TimeSpan.FromSeconds(4), RetryPolicy.RetryAfter(date, now));
        Assert.Equal(TimeSpan.Zero, RetryPolicy.RetryAfter(past, now));
        Assert.Null(RetryPolicy.RetryAfter(null, now));
    }

    [Fact]
    public void Backoff_grows_exponentially_with_jitter_and_is_capped()
    {
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var ceiling = 500 * Math.Pow(2, attempt - 1);
            var delay = RetryPolicy.Backoff(attempt).TotalMilliseconds;
            Assert.InRange(delay, ceiling / 2, ceiling);
        }

        Assert.True(RetryPolicy.Backoff(30) <= RetryPolicy.MaxDelay);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_even_for_a_call_that_is_not_idempotent()
    {
        var calls = 0;
        var handler = new FakeHandler(_ => Interlocked.Increment(ref calls) == 1
            ? throw new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused))
            : Status(200));

        Assert.Equal(200, (await Send(handler, RequestSafety.NotIdempotent)).Status);
        Assert.Equal(2, calls);
    }

    /// <summary>
    /// Headers arrived, then the body was cut off: on .NET 8+ reading it throws HttpIOException (an
    /// IOException, not an HttpRequestException), which is how a dropped connection really shows.
    /// </summary>
    private static HttpResponseMessage DroppedMidBody() =>
        new(HttpStatusCode.OK) { Content = new StreamContent(new DroppingStream()) };

    private sealed class DroppingStream : Stream
    {
        private bool sentSome;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (!sentSome)
            {
                sentSome = true;
                buffer[offset] = (byte)'{';
                return 1;
            }

            throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
        }
    }

    [Fact]
    public async Task A_connection_dropped_mid_body_is_not_repeated_for_a_call_that_is_not_idempotent()
    {
        var handler = new FakeHandler(_ => DroppedMidBody());

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Send(handler, RequestSafety.NotIdempotent));

        Assert.Equal(CaxtonErrorIds.ConnectionFailed, error.ErrorId);
        Assert.Equal(CaxtonErrorKind.ConnectionFailed, error.Kind);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task A_connection_dropped_mid_body_is_repeated_for_an_idempotent_call()
    {
        var calls = 0;
        var handler = new FakeHandler(_ => Interlocked.Increment(ref calls) == 1 ? DroppedMidBody() : Status(200));

        Assert.Equal(200, (await Send(handler, RequestSafety.Idempotent)).Status);
        Assert.Equal(2, calls);
    }

    [Theory]
    [InlineData("io")]
    [InlineData("web")]
    [InlineData("socket")]
    public async Task Every_platform_form_of_a_transport_failure_is_ConnectionFailed_and_retried_when_idempotent(string kind)
    {
        var calls = 0;
        var handler = new FakeHandler(_ => Interlocked.Increment(ref calls) == 1
            ? throw (kind == "io" ? new IOException("reset") : kind == "web" ? new WebException("reset", WebExceptionStatus.ReceiveFailure) : new SocketException((int)SocketError.ConnectionReset))
            : Status(200));

        Assert.Equal(200, (await Send(handler, RequestSafety.Idempotent)).Status);
        var once = new FakeHandler(_ => throw (kind == "io" ? new IOException("reset") : kind == "web" ? new WebException("reset", WebExceptionStatus.ReceiveFailure) : new SocketException((int)SocketError.ConnectionReset)));
        Assert.Equal(CaxtonErrorIds.ConnectionFailed, (await Assert.ThrowsAsync<CaxtonException>(() => Send(once, RequestSafety.NotIdempotent))).ErrorId);
    }

    [Fact]
    public async Task Ctrl_C_during_a_backoff_wait_ends_the_call_at_once()
    {
        var handler = new FakeHandler(_ => Status(503, "25"));
        using var cancel = new CancellationTokenSource();
        var stopwatch = Stopwatch.StartNew();
        var call = Send(handler, RequestSafety.Idempotent, cancel: cancel.Token);
        while (handler.Count == 0)
        {
            await Task.Delay(10);
        }

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), "the 25 s wait must be abandoned");
    }

    [Fact]
    public async Task The_timeout_is_the_budget_of_the_whole_call_waits_included()
    {
        var handler = new FakeHandler(_ => Status(503, "2"));

        var response = await Send(handler, RequestSafety.Idempotent, retries: 10, timeout: TimeSpan.FromSeconds(3));

        // 3 s allows one 2 s wait, not a second: the last answer is handed back instead of waiting past the budget.
        Assert.Equal(503, response.Status);
        Assert.Equal(2, handler.Count);
    }

    [Fact]
    public async Task A_server_that_stalls_on_every_attempt_ends_in_RequestTimeout_within_the_budget()
    {
        var handler = new FakeHandler(async (_, cancel) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancel);
            return Status(200);
        });

        var error = await Assert.ThrowsAsync<CaxtonException>(() => Send(handler, RequestSafety.Idempotent, timeout: TimeSpan.FromMilliseconds(300)));

        Assert.Equal(CaxtonErrorIds.RequestTimeout, error.ErrorId);
        Assert.Equal(1, handler.Count);
    }
}
