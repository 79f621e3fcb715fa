using Microsoft.Extensions.Time.Testing;

namespace Backfill.Worker.Tests;

/// <summary>A message whose step failed on Kafka is handled again after a back-off, parked after its retries, and handed on when its partition leaves.</summary>
public sealed class InfrastructureRetryTests
{
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();
    private int _handled;
    private int _parked;

    [Fact]
    public async Task AfterTheBackoff_HandlesTheMessageAgain()
    {
        var retry = Retry(park: false, CancellationToken.None);
        _time.Advance(Backoff - TimeSpan.FromMilliseconds(1));
        Assert.False(retry.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await retry.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((1, 0), (_handled, _parked));
    }

    [Fact]
    public async Task AfterTheBackoff_ParksAMessagePastItsRetries()
    {
        var retry = Retry(park: true, CancellationToken.None);
        _time.Advance(Backoff);
        await retry.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((0, 1), (_handled, _parked));
    }

    [Fact]
    public async Task ThePartitionLeavingDuringTheBackoff_EndsItAtOnce_Unhandled_SoTheNextOwnerRetries()
    {
        using var leaving = new CancellationTokenSource();
        var retry = Retry(park: false, leaving.Token);

        await leaving.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => retry.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal((0, 0), (_handled, _parked));
    }

    private Task Retry(bool park, CancellationToken leaving) => WorkerConsumer.RetryAsync(
        new InfrastructureBackoff.Retry(Attempt: park ? 6 : 1, Backoff, park),
        () => { _handled++; return Task.CompletedTask; },
        () => { _parked++; return Task.CompletedTask; },
        _time,
        leaving,
        CancellationToken.None);
}
