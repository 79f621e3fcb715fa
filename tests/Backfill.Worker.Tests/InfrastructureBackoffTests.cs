namespace Backfill.Worker.Tests;

/// <summary>A message that failed on Kafka waits longer after each failure, never more than the cap, and is parked past its retries.</summary>
public sealed class InfrastructureBackoffTests
{
    private static readonly InfrastructureBackoff Default = new(TimeSpan.FromSeconds(1), Retries: 5);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 8)]
    [InlineData(4, 16)]
    public void After_DoublesTheDelayWithEachFailure(int failures, int seconds)
    {
        var retry = Default.After(failures);

        Assert.Equal(TimeSpan.FromSeconds(seconds), retry.Delay);
        Assert.Equal(failures + 1, retry.Attempt);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(100)]
    public void After_NeverWaitsLongerThanTheCap(int failures) =>
        Assert.Equal(InfrastructureBackoff.Cap, Default.After(failures).Delay);

    [Fact]
    public void After_AFirstDelayOverTheCap_WaitsTheCap() =>
        Assert.Equal(InfrastructureBackoff.Cap, new InfrastructureBackoff(TimeSpan.FromMinutes(5), 5).After(0).Delay);

    [Fact]
    public void After_AHugeFirstDelay_DoesNotOverflowPastTheCap() =>
        Assert.Equal(InfrastructureBackoff.Cap, new InfrastructureBackoff(TimeSpan.MaxValue / 2, 5).After(5).Delay);

    [Fact]
    public void After_StopsDoublingAfterFiveFailures_BelowTheCap()
    {
        var backoff = new InfrastructureBackoff(TimeSpan.FromMilliseconds(10), Retries: 10);

        Assert.Equal(TimeSpan.FromMilliseconds(320), backoff.After(5).Delay);
        Assert.Equal(TimeSpan.FromMilliseconds(320), backoff.After(9).Delay);
    }

    [Fact]
    public void After_TheLastRetry_HandlesAgain_TheNextFailure_Parks()
    {
        Assert.False(Default.After(failures: 4).Park);

        var parked = Default.After(failures: 5);

        Assert.True(parked.Park);
        Assert.Equal(6, parked.Attempt);
    }

    [Fact]
    public void After_NoRetries_ParksTheFirstFailure_AfterTheFirstDelay() =>
        Assert.Equal(new InfrastructureBackoff.Retry(1, TimeSpan.FromSeconds(1), Park: true), new InfrastructureBackoff(TimeSpan.FromSeconds(1), 0).After(0));

    [Fact]
    public void After_AFailedPark_ParksAgain() => Assert.True(Default.After(failures: 6).Park);
}
