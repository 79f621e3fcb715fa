using Backfill.Hosting.Diagnostics;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;

namespace Backfill.Hosting.Tests.Diagnostics;

public sealed class ConcurrencyAdviceTests
{
    private static LanePlan Plan(double perSecond, RateLimitCounting counting = RateLimitCounting.Strict) =>
        LanePlan.For(new RateLimitOptions { PermitsPerSecond = perSecond, Counting = counting });

    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(300);

    [Fact]
    public void Reachable_Strict_IsTheBudgetPerWindowPlusLatency() =>
        Assert.Equal(20 / 1.3, ConcurrencyAdvice.Reachable(Plan(20), Latency), precision: 6);

    [Fact]
    public void Reachable_OnArrival_IsTheBudgetPerWindowPlusJitter_WhateverTheLatency()
    {
        Assert.Equal(20 / 1.05, ConcurrencyAdvice.Reachable(Plan(20, RateLimitCounting.Arrival), Latency), precision: 6);
        Assert.Equal(20 / 1.05, ConcurrencyAdvice.Reachable(Plan(20, RateLimitCounting.Arrival), TimeSpan.FromSeconds(2)), precision: 6);
    }

    [Fact]
    public void Describe_CapTooLow_SaysWhatToSet()
    {
        var (text, tooLow) = ConcurrencyAdvice.Describe("demo", Plan(200, RateLimitCounting.Arrival), Latency, maxInFlight: 32);

        Assert.True(tooLow);
        Assert.Contains("needs about 268 slices in flight, more than Backfill:MaxInFlightPerPlatform (32): it raises its cap to that by itself once workers report their calls' latency", text, StringComparison.Ordinal);
        Assert.Contains("counted on arrival (jitter 50 ms)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_StrictAtRealLatency_NamesArrivalCounting_AndTheDefaultCapFitsTwentyPerSecond()
    {
        var (text, tooLow) = ConcurrencyAdvice.Describe("demo", Plan(20), TimeSpan.FromMilliseconds(200), maxInFlight: 32);

        Assert.False(tooLow);
        Assert.Contains("the lanes reach 16.7 calls/s (0.83 of the budget)", text, StringComparison.Ordinal);
        Assert.Contains("Platforms:demo:RateLimit:Counting Arrival reaches 19/s at any latency", text, StringComparison.Ordinal);
    }
}
