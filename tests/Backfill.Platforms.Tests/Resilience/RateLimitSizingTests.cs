using System.Threading.RateLimiting;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Resilience;

namespace Backfill.Platforms.Tests.Resilience;

public sealed class RateLimitSizingTests
{
    [Fact]
    public void BucketPeriod_TwentyPerSecondWithFivePercentMargin_IsOneNineteenthOfASecond()
    {
        var period = RateLimitSizing.BucketPeriod(new RateLimitOptions { PermitsPerSecond = 20, SafetyMargin = 0.05 });

        // 10,000,000 / 19 = 526,315.79 ticks, rounded up so the rate never exceeds 19 per second.
        Assert.Equal(TimeSpan.FromTicks(526_316), period);
    }

    [Fact]
    public void BucketPeriod_NoMargin_IsOneOverTheRate() =>
        Assert.Equal(TimeSpan.FromMilliseconds(100), RateLimitSizing.BucketPeriod(new RateLimitOptions { PermitsPerSecond = 10, SafetyMargin = 0 }));

    [Fact]
    public void BucketOptions_HoldBurstTokens_RefillOneAtATime_AndQueueCallersOldestFirst()
    {
        var options = RateLimitSizing.BucketOptions(new RateLimitOptions { PermitsPerSecond = 200, Burst = 4 });

        Assert.Equal(4, options.TokenLimit);
        Assert.Equal(1, options.TokensPerPeriod);
        Assert.True(options.AutoReplenishment);
        Assert.Equal(int.MaxValue, options.QueueLimit);
        Assert.Equal(QueueProcessingOrder.OldestFirst, options.QueueProcessingOrder);
    }

    [Fact]
    public void Window_TwentyPerSecond_CountsTwentyCallsPerSecond()
    {
        var window = RateLimitSizing.Window(new RateLimitOptions { PermitsPerSecond = 20, SafetyMargin = 0.05 }, TimeProvider.System);

        Assert.Equal(20, window.Limit);
        Assert.Equal(TimeSpan.FromSeconds(1), window.Window);
    }

    [Fact]
    public void Window_LessThanOnePerSecond_CountsOneCallPerItsInterval()
    {
        var window = RateLimitSizing.Window(new RateLimitOptions { PermitsPerSecond = 0.5 }, TimeProvider.System);

        Assert.Equal(1, window.Limit);
        Assert.Equal(TimeSpan.FromSeconds(2), window.Window);
    }

    [Fact]
    public void Window_FractionalRate_CountsWholeCallsOverTheirTime()
    {
        var window = RateLimitSizing.Window(new RateLimitOptions { PermitsPerSecond = 12.5 }, TimeProvider.System);

        Assert.Equal(12, window.Limit);
        Assert.Equal(TimeSpan.FromSeconds(0.96), window.Window);
    }
}
