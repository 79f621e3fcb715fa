using Backfill.Platforms.Configuration;
using Backfill.Platforms.Resilience;

namespace Backfill.Platforms.Tests.Resilience;

public sealed class RetryBackoffTests
{
    private static readonly RetryOptions Options = new() { BaseDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(5) };

    [Theory]
    [InlineData(0, 200)]
    [InlineData(1, 400)]
    [InlineData(2, 800)]
    [InlineData(3, 1600)]
    public void Delay_NeverShorterThanBaseDelayTimesTwoToTheRetry(int retry, int floorMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(floorMs), RetryBackoff.Delay(retry, Options, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(floorMs * 1.5), RetryBackoff.Delay(retry, Options, 1));
        Assert.InRange(RetryBackoff.Delay(retry, Options, 0.5), TimeSpan.FromMilliseconds(floorMs), TimeSpan.FromMilliseconds(floorMs * 1.5));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(200)]
    public void Delay_CappedAtMaxDelay(int retry)
    {
        Assert.Equal(Options.MaxDelay, RetryBackoff.Delay(retry, Options, 0.99));
        Assert.True(RetryBackoff.Delay(retry, Options, 0) <= Options.MaxDelay);
    }

    [Fact]
    public void Delay_ZeroBaseDelay_RetriesAtOnce()
    {
        Assert.Equal(TimeSpan.Zero, RetryBackoff.Delay(0, new RetryOptions { BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }, 0.7));
    }
}
