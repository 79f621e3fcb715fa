using Backfill.Messaging.Clients;
using Microsoft.Extensions.Logging.Abstractions;

namespace Backfill.Messaging.Tests.Clients;

public sealed class ReaderGuardTests
{
    [Fact]
    public async Task ALoopThatThrows_IsRecordedAsEnded_WithWhy()
    {
        var counters = new KafkaCounters();

        Assert.Throws<InvalidOperationException>(() => ReaderGuard.Run(counters, NullLogger.Instance, "actions (w1)", () => throw new InvalidOperationException("a bug"), CancellationToken.None));

        Assert.Equal("InvalidOperationException: a bug", counters.EndedReaders["actions (w1)"]);
        Assert.Equal("the reader of actions (w1) ended: InvalidOperationException: a bug", await counters.FirstReaderEnded.WaitAsync(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void ALoopThatReturnsBeforeItsStop_IsRecordedAsEnded()
    {
        var counters = new KafkaCounters();

        ReaderGuard.Run(counters, NullLogger.Instance, "control", () => { }, CancellationToken.None);

        Assert.Equal("it returned before its stop", counters.EndedReaders["control"]);
    }

    [Fact]
    public void ALoopThatEndsOnItsStop_IsNotAnEnd()
    {
        var counters = new KafkaCounters();
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        ReaderGuard.Run(counters, NullLogger.Instance, "progress", () => stop.Token.ThrowIfCancellationRequested(), stop.Token);
        ReaderGuard.Run(counters, NullLogger.Instance, "sink", () => { }, stop.Token);

        Assert.Empty(counters.EndedReaders);
        Assert.False(counters.FirstReaderEnded.IsCompleted);
    }
}
