using Backfill.Core.Jobs;
using Backfill.Platforms.Configuration;

namespace Backfill.Scheduling.Tests;

public sealed class StuckRuleTests
{
    private static readonly DateTimeOffset T0 = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan After = TimeSpan.FromMinutes(10);

    private static SliceRecord Slice(SliceState state, DateTimeOffset? heard) =>
        new() { Id = "j/1/20240101", State = state, ProgressAt = heard, UpdatedAt = T0.AddHours(-5) };

    [Theory]
    [InlineData(SliceState.Released)]
    [InlineData(SliceState.Running)]
    public void InFlight_IsStuckOnceNothingIsHeardForStuckAfter_NotBefore(SliceState state)
    {
        var slice = Slice(state, T0);

        Assert.False(StuckRule.IsStuck(slice, T0 + After - TimeSpan.FromMilliseconds(1), After, T0.AddDays(-1)));
        Assert.True(StuckRule.IsStuck(slice, T0 + After, After, T0.AddDays(-1)));
    }

    [Theory]
    [InlineData(SliceState.Pending)]
    [InlineData(SliceState.Succeeded)]
    [InlineData(SliceState.Failed)]
    [InlineData(SliceState.Cancelled)]
    public void NotInFlight_IsNeverStuck(SliceState state) =>
        Assert.False(StuckRule.IsStuck(Slice(state, T0), T0.AddDays(1), After, T0.AddDays(-1)));

    [Fact]
    public void AScheduler_JustStarted_GivesReportsWrittenWhileItWasDownStuckAfterToArrive()
    {
        var heardLongAgo = Slice(SliceState.Running, T0.AddHours(-1));
        var started = T0;

        Assert.Equal(started, StuckRule.LastHeard(heardLongAgo, started));
        Assert.False(StuckRule.IsStuck(heardLongAgo, started + After - TimeSpan.FromSeconds(1), After, started));
        Assert.True(StuckRule.IsStuck(heardLongAgo, started + After, After, started));
    }

    [Fact]
    public void ASliceStoredBeforeProgressWasKept_CountsFromItsLastUpdate() =>
        Assert.Equal(T0.AddHours(-5), StuckRule.LastHeard(Slice(SliceState.Running, null), T0.AddDays(-1)));

    [Fact]
    public void LongestStep_OfTheDefaults_IsUnderTheDefaultStuckAfter()
    {
        // 5 pages × (3 calls × (3 × 10 s + 0.3 s + 0.6 s) + 5 throttle pauses of 1 s) + a 1 min cool-off.
        var longest = StuckRule.LongestStep(new PlatformOptions(), pagesPerStep: 5, throttleRetries: 5);

        Assert.Equal(TimeSpan.FromSeconds((5 * ((3 * 30.9) + 5)) + 60), longest);
        Assert.True(new BackfillOptions().StuckAfter > longest);
    }

    [Fact]
    public void LongestStep_WhenTheFleetRefreshesTokens_HoldsOneTokenWait_AndTheDefaultsStillFit()
    {
        var without = StuckRule.LongestStep(new PlatformOptions(), pagesPerStep: 5, throttleRetries: 5);
        var with = StuckRule.LongestStep(new PlatformOptions(), pagesPerStep: 5, throttleRetries: 5, tokenWait: TimeSpan.FromMinutes(2));

        Assert.Equal(without + TimeSpan.FromMinutes(2), with);
        Assert.True(new BackfillOptions().StuckAfter > with);
    }

    [Fact]
    public void LongestStep_GrowsWithEveryBoundTheConfigurationSets()
    {
        var platform = new PlatformOptions { PageSize = 20, Timeout = TimeSpan.FromSeconds(2), Retry = new RetryOptions { MaxAttempts = 1 } };
        platform.RateLimit.Throttle.CoolOff = TimeSpan.Zero;
        platform.RateLimit.Throttle.MinPause = TimeSpan.FromSeconds(1);

        // One list call and one detail call (20 orders) a page, one attempt each; plus one throttle pause a page.
        Assert.Equal(TimeSpan.FromSeconds(3 * ((2 * 2) + 1)), StuckRule.LongestStep(platform, pagesPerStep: 3, throttleRetries: 1));
    }
}
