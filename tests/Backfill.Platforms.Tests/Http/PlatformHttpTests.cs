using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Platforms.Tests.Http;

public sealed class PlatformHttpTests
{
    private const string Platform = "demo";

    [Fact]
    public void Classify_TimeoutNotCausedByCaller_IsTransient()
    {
        var failure = PlatformHttp.Classify(Platform, new TaskCanceledException());

        Assert.Equal(PlatformErrorKind.Transient, failure?.Kind);
        Assert.Equal("timeout", failure?.Code);
    }

    [Fact]
    public void IsGivenUp_ATimeoutOrACancellation_NotAnAnswerOrABrokenConnection()
    {
        Assert.True(PlatformHttp.IsGivenUp(PlatformHttp.Classify(Platform, new TaskCanceledException())!));
        Assert.True(PlatformHttp.IsGivenUp(new OperationCanceledException()));
        Assert.False(PlatformHttp.IsGivenUp(PlatformHttp.Classify(Platform, new HttpRequestException("refused"))!));
        Assert.False(PlatformHttp.IsGivenUp(new PlatformException(Platform, PlatformErrorKind.Transient, "error_server", "try again later")));
    }

    [Fact]
    public async Task SendAsync_CancelledByTheCaller_IsACancellationNotAPlatformError()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PlatformHttp.SendAsync(
            Platform, _ => throw new TaskCanceledException(), [], new FakeTimeProvider(), cancelled.Token, CancellationToken.None));
    }

    [Fact]
    public async Task SendAsync_AnAnswer_IsReadWhole_WithItsRetryAfter()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent("{\"error\":\"x\"}") };
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(3));

        var answer = await PlatformHttp.SendAsync(Platform, _ => Task.FromResult(response), ["s"], new FakeTimeProvider(), CancellationToken.None, CancellationToken.None);

        Assert.Equal((429, TimeSpan.FromSeconds(3), "{\"error\":\"x\"}"), (answer.Status, answer.RetryAfter, answer.Body));
    }

    [Fact]
    public void Classify_ConnectionRefused_IsTransient()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused", new SocketException((int)SocketError.ConnectionRefused));

        var failure = PlatformHttp.Classify(Platform, refused);

        Assert.Equal(PlatformErrorKind.Transient, failure?.Kind);
        Assert.Equal("connection_error", failure?.Code);
    }

    [Fact]
    public void Classify_ConnectionResetWhileReading_IsTransient()
    {
        var reset = new IOException("reset", new SocketException((int)SocketError.ConnectionReset));

        Assert.Equal(PlatformErrorKind.Transient, PlatformHttp.Classify(Platform, reset)?.Kind);
    }

    [Fact]
    public void Classify_UnrelatedException_IsNotAPlatformError()
    {
        Assert.Null(PlatformHttp.Classify(Platform, new InvalidOperationException()));
    }
}
