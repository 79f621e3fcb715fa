using System.Diagnostics;
using Backfill.Core.Data;
using Backfill.Hosting;
using Backfill.Platforms;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Backfill.EndToEnd.Tests;

/// <summary>
/// A throttle one worker meets slows the whole fleet: the worker announces it on the control topic, and every other worker
/// starts no call of the platform before the end of its Retry-After, and halves its rate as the first one did.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FleetThrottleTests(ITestOutputHelper output)
{
    // Longer than MinPause (1 s), so the other worker must keep the platform's Retry-After, not only its own minimum.
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(3);

    // One control-topic round trip is tens of milliseconds; the deadline is generous for a shared, busy machine.
    private static readonly TimeSpan HeardWithin = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A429WithRetryAfterInOneWorker_TheOtherStartsNoCallBeforeItEnds_AndSlowsDownOnce()
    {
        await using var harness = await Harness.StartAsync(limit: 40);
        harness.Settings["Worker:Concurrency"] = "1";

        // The rate's recovery (a quarter back every quiet period) stays out of the figures read seconds later.
        harness.Settings[$"Platforms:{Harness.Platform}:RateLimit:Throttle:RecoveryEvery"] = "00:01:00";
        using var cluster = harness.ShareCluster();
        using var first = harness.Host(BackfillRoles.Worker);
        using var second = harness.Host(BackfillRoles.Worker);
        await first.StartAsync();
        await second.StartAsync();
        var met = first.Services.GetRequiredService<IOrderSources>();
        var other = second.Services.GetRequiredService<IOrderSources>();
        var day = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var switches = harness.Simulator.Switches;

        switches.RefuseRetryAfter = RetryAfter;
        switches.RefuseShare = 1;
        var throttle = await Assert.ThrowsAsync<PlatformException>(() => met.Get(Harness.Platform).FetchAsync(new PageRequest(Harness.Shops[0], day, day.AddDays(1), SliceCursor.Start(Datasets.Orders)), CancellationToken.None));
        var heard = Stopwatch.StartNew();
        switches.RefuseShare = 0;
        var refusal = harness.Simulator.Calls.Snapshot().Single(c => c.Outcome == "throttled");
        var pausedUntil = met.Budget(Harness.Platform).PausedUntil;

        // Within one control-topic round trip the other worker holds its calls for the same pause, and is slowed down.
        await Poll.Eventually(() => other.Budget(Harness.Platform).PausedUntil >= pausedUntil, HeardWithin, "the other worker to pause for the throttle");
        var heardAfter = heard.Elapsed;
        var page = await other.Get(Harness.Platform).FetchAsync(new PageRequest(Harness.Shops[1], day, day.AddDays(1), SliceCursor.Start(Datasets.Orders)), CancellationToken.None);
        var otherCalls = harness.Simulator.Calls.Snapshot().Where(c => c.Shop == Harness.Shops[1]).ToList();
        var (metBudget, otherBudget) = (met.Budget(Harness.Platform), other.Budget(Harness.Platform));
        await second.StopAsync();
        await first.StopAsync();

        output.WriteLine($"refused at {refusal.At:HH:mm:ss.fff} with Retry-After {refusal.RetryAfter}; the other worker paused {heardAfter.TotalMilliseconds:F0} ms later, until {pausedUntil:HH:mm:ss.fff}; its first call arrived at {otherCalls[0].At:HH:mm:ss.fff}");
        Assert.Equal(PlatformErrorKind.Throttle, throttle.Kind);
        Assert.True(pausedUntil >= refusal.At + RetryAfter, $"the worker that met the throttle paused until {pausedUntil:O}, before the Retry-After's end");
        Assert.NotEmpty(page.Records);
        Assert.All(otherCalls, c => Assert.True(c.At >= pausedUntil, $"the other worker called at {c.At:O}, before {pausedUntil:O}"));

        // One event each: the rate halved once in both, and the first worker's own announcement did not halve it again.
        Assert.Equal((0.5, 1L), (metBudget.Factor, metBudget.Throttles));
        Assert.Equal((0.5, 1L), (otherBudget.Factor, otherBudget.Throttles));
    }
}
