using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Platforms;
using Backfill.Scheduling;
using Backfill.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.EndToEnd.Tests;

/// <summary>A throttle storm: the breaker opens in one worker, and the whole fleet and the scheduler stop calling and releasing until the cool-off ends.</summary>
[Trait("Category", "Integration")]
public sealed class ThrottleBreakerTests
{
    private static readonly TimeSpan CoolOff = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task ThrottleStorm_OpensTheBreakerFleetWide_NoCallDuringTheCoolOff_ThenTheJobFinishes()
    {
        await using var harness = await Harness.StartAsync(limit: 20);
        var rateLimit = $"Platforms:{Harness.Platform}:RateLimit";
        harness.Settings[$"{rateLimit}:Lanes"] = "4";
        harness.Settings[$"{rateLimit}:Throttle:CoolOff"] = "00:00:03";
        harness.Settings[$"{rateLimit}:Throttle:RecoveryEvery"] = "00:00:00.500";
        harness.Settings["Worker:ThrottleRetries"] = "50";

        // 50 throttle pauses a page make a long step: a slice is released again only after nothing is heard of it for longer.
        harness.Settings["Backfill:StuckAfter"] = "00:30:00";

        // 24 slices, one of each of the two shops a second (12 s to release them all), no cap in the way: releases are
        // still due while the breaker is open.
        harness.Settings["Backfill:ReleaseEvery"] = "00:00:01";
        harness.Settings["Backfill:SlicesPerRelease"] = "1";
        harness.Settings["Backfill:MaxInFlightPerPlatform"] = "24";
        harness.Settings["Worker:Concurrency"] = "1";
        using var cluster = harness.ShareCluster();

        using var scheduler = harness.Host(BackfillRoles.Scheduler);
        using var first = harness.Host(BackfillRoles.Worker);
        using var second = harness.Host(BackfillRoles.Worker);
        await scheduler.StartAsync();
        await first.StartAsync();
        await second.StartAsync();
        var board = scheduler.Services.GetRequiredService<PlatformBoard>();
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var budgets = new[] { first, second }.Select(h => h.Services.GetRequiredService<IOrderSources>()).ToList();

        harness.Simulator.Switches.ThrottleEverything = true;
        var (job, _) = await scheduler.Services.GetRequiredService<JobPlanner>().CreateAsync(harness.Request(new DateOnly(2024, 1, 1), 12).Job, CancellationToken.None);
        await Poll.Eventually(() => board.CoolingOffUntil(Harness.Platform) is not null, TimeSpan.FromSeconds(60), "the breaker to open and reach the scheduler");
        await Poll.Eventually(() => budgets.All(b => b.Budget(Harness.Platform).PausedUntil > DateTimeOffset.UtcNow), TimeSpan.FromSeconds(10), "every worker to cool off");
        harness.Simulator.Switches.ThrottleEverything = false;

        // Releases run one at a time: once one has held for the cool-off, a release decided before it was known is over.
        await Poll.Eventually(() => (board.Status(Harness.Platform).Hold ?? "").Contains("cools off", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "a release to hold for the cool-off");
        var until = board.CoolingOffUntil(Harness.Platform)!.Value;
        var callsAtOpen = harness.Simulator.Stats.Accepted + harness.Simulator.Stats.ForcedThrottles;
        var releasedAtOpen = store.Slices(job.Id).Count(s => s.State != SliceState.Pending);

        // Nothing reaches the platform, and nothing is released, until the cool-off ends.
        await Task.Delay(until - DateTimeOffset.UtcNow - TimeSpan.FromMilliseconds(200));
        Assert.Equal(callsAtOpen, harness.Simulator.Stats.Accepted + harness.Simulator.Stats.ForcedThrottles);
        Assert.Equal(releasedAtOpen, store.Slices(job.Id).Count(s => s.State != SliceState.Pending));
        Assert.Contains("cools off", board.Status(Harness.Platform).Hold ?? "", StringComparison.Ordinal);

        await Poll.Eventually(() => store.Job(job.Id)!.IsFinished, TimeSpan.FromSeconds(90), "the job to finish after the cool-off");
        Assert.Equal(JobState.Succeeded, store.Job(job.Id)!.State);
        Assert.True(board.Status(Harness.Platform).Throttles > 0);
        Assert.Equal(0, harness.Simulator.Stats.Refused);
        await second.StopAsync();
        await first.StopAsync();
        await scheduler.StopAsync();
    }
}
