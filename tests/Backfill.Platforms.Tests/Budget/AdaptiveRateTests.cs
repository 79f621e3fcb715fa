using Backfill.Platforms.Configuration;
using Backfill.Platforms.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Platforms.Tests.Budget;

public sealed class AdaptiveRateTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ThrottleOptions _options = new();

    private AdaptiveRate Rate() => new(_options, _time);

    [Fact]
    public void Throttle_HalvesTheRate_DownToTheSlowestFactor()
    {
        var rate = new AdaptiveRate(new ThrottleOptions { BreakerThreshold = 100 }, _time);
        var factors = new List<double>();
        for (var i = 0; i < 4; i++)
        {
            rate.Throttled();
            factors.Add(rate.Factor);
        }

        Assert.Equal([0.5, 0.25, 0.125, 0.125], factors);
    }

    [Fact]
    public void Rate_RecoversByAQuarterPerQuietPeriod_BackToTheWholeBudget()
    {
        var rate = Rate();
        rate.Throttled();
        rate.Throttled();
        Assert.Equal(0.25, rate.Factor);

        _time.Advance(_options.RecoveryEvery - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0.25, rate.Factor);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0.3125, rate.Factor, 6);
        _time.Advance(_options.RecoveryEvery * 20);
        Assert.Equal(1, rate.Factor);
    }

    [Fact]
    public void Rate_NeverFallsBelowTheSlowestFactor()
    {
        var rate = new AdaptiveRate(new ThrottleOptions { BreakerThreshold = 100 }, _time);
        for (var i = 0; i < 10; i++)
        {
            rate.Throttled();
        }

        Assert.Equal(0.125, rate.Factor);
        Assert.Equal(10, rate.Throttles);
    }

    [Fact]
    public void Breaker_OpensAtTheThresholdWithinItsWindow_NotWhenThrottlesAreSpreadOut()
    {
        var spread = Rate();
        Assert.False(spread.Throttled());
        _time.Advance(TimeSpan.FromSeconds(16));
        Assert.False(spread.Throttled());
        _time.Advance(TimeSpan.FromSeconds(16));
        Assert.False(spread.Throttled());

        var close = Rate();
        Assert.False(close.Throttled());
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(close.Throttled());
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(close.Throttled());

        // It starts counting afresh after opening.
        Assert.False(close.Throttled());
    }
}
