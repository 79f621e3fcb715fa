namespace Backfill.Simulators.Tests;

public sealed class SimulatorSecondsTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static SimulatorCall Call(double atSeconds, string outcome = "ok") =>
        new(Start.AddSeconds(atSeconds), Start.AddSeconds(atSeconds + 0.3), "/api/v2/order/get_order_list", "1", "", outcome == "ok" ? 200 : 429, outcome, null);

    [Fact]
    public void Of_CountsByTheSecondOfArrival_FromTheFirstAdmittedCall_WhateverTheOrderLogged()
    {
        // Logged in answer order: the call that arrived at 0.5 s was answered after the one that arrived at 1.2 s.
        var seconds = SimulatorSeconds.Of([Call(1.2), Call(0.5), Call(0.9), Call(2.99, "refused"), Call(3.0), Call(1.7, "throttled")]);

        Assert.Equal(Start.AddSeconds(0.5), seconds.From);
        // Seconds from 0.5 s: [0.5, 1.5) holds 0.5, 0.9 and 1.2; [1.5, 2.5) the throttled 1.7; [2.5, 3.5) 2.99 (refused) and 3.0.
        Assert.Equal([3, 0, 1], seconds.Accepted);
        Assert.Equal([0, 1, 1], seconds.Refused);
    }

    [Fact]
    public void Of_NoAdmittedCall_HasNoSeconds()
    {
        var seconds = SimulatorSeconds.Of([Call(0.1, "refused")]);

        Assert.Null(seconds.From);
        Assert.Empty(seconds.Accepted);
    }

    [Fact]
    public void Profile_SplitsTheUnusedCalls_IntoRampSteadyAndTail()
    {
        // R = 10: a ramp of 2 s (4 and 8 calls), 4 s at 9–10, a tail of 2 s (5 and 1).
        var seconds = new SimulatorSeconds(Start, [4, 8, 10, 9, 10, 9, 5, 1], new int[8]);

        var profile = seconds.Profile(rate: 10);

        Assert.Equal(2, profile.RampSeconds);
        Assert.Equal(2, profile.TailSeconds);
        Assert.Equal(9.5, profile.SteadyRate, precision: 9);
        Assert.Equal(8 / 80d, profile.RampLoss, precision: 9);
        Assert.Equal(2 / 80d, profile.SteadyLoss, precision: 9);
        Assert.Equal(14 / 80d, profile.TailLoss, precision: 9);
        Assert.Equal(1 - (56 / 80d), profile.RampLoss + profile.SteadyLoss + profile.TailLoss, precision: 9);
    }

    [Fact]
    public void Profile_NeverAtTheFullRate_IsAllRamp()
    {
        var profile = new SimulatorSeconds(Start, [3, 4, 2], new int[3]).Profile(rate: 10);

        Assert.Equal(3, profile.RampSeconds);
        Assert.Equal(0, profile.TailSeconds);
        Assert.Equal(21 / 30d, profile.RampLoss, precision: 9);
        Assert.Equal(0, profile.SteadyLoss);
        Assert.Equal(0, profile.TailLoss);
    }
}
