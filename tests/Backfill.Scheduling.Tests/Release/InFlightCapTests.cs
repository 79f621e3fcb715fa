using Backfill.Platforms;
using Backfill.Platforms.Configuration;

namespace Backfill.Scheduling.Tests.Release;

public sealed class InFlightCapTests
{
    private static readonly LanePlan Fast = LanePlan.For(new RateLimitOptions { PermitsPerSecond = 200, Lanes = 8 });

    [Fact]
    public void Of_NoLatencyReported_IsTheConfiguredCap()
    {
        Assert.Equal(32, InFlightCap.Of(32, Fast, null));
        Assert.Equal(32, InFlightCap.Of(32, Fast, TimeSpan.Zero));
    }

    [Fact]
    public void Of_ALatencyTheCapCannotKeepTheLanesBusyAt_RaisesItToWhatDoes() =>
        Assert.Equal(268, InFlightCap.Of(32, Fast, TimeSpan.FromMilliseconds(300)));

    [Fact]
    public void Of_NeverLowersTheConfiguredCap() =>
        Assert.Equal(500, InFlightCap.Of(500, Fast, TimeSpan.FromMilliseconds(300)));

    [Fact]
    public void Of_AFailingPlatformsLatency_CountsAsFiveSecondsAtMost() =>
        Assert.Equal(Fast.SlicesToKeepBusy(InFlightCap.MaxLatency), InFlightCap.Of(32, Fast, TimeSpan.FromMinutes(2)));

    [Fact]
    public void LagLimit_TheCapAsConfigured_IsMaxActionLag() =>
        Assert.Equal(100, InFlightCap.LagLimit(100, 32, 32));

    [Fact]
    public void LagLimit_ACapRaisedFromLatency_RaisesTheLagGateAsMuch() =>
        Assert.Equal(100 + (268 - 32), InFlightCap.LagLimit(100, 32, InFlightCap.Of(32, Fast, TimeSpan.FromMilliseconds(300))));
}
