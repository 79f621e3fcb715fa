using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Scheduling;
using Backfill.Storage;
using Backfill.Storage.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Backfill.EndToEnd.Tests;

/// <summary>
/// Several worker hosts, each its own group member with its own budget objects, share one platform limit (R2): the
/// simulator refuses every call over the limit in any sliding second, and must refuse none.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FleetBudgetTests
{
    private const double Limit = 10;

    [Fact]
    public async Task ThreeWorkers_OneLeavingMidRun_StayWithinTheLimitInEverySecond_AndFinishEverySlice()
    {
        await using var harness = await Harness.StartAsync(limit: Limit);
        harness.Settings[$"Platforms:{Harness.Platform}:PageSize"] = "20";
        harness.Settings[$"Platforms:{Harness.Platform}:RateLimit:Lanes"] = "4";
        harness.Settings["Worker:Concurrency"] = "1";
        harness.Settings["Backfill:MaxInFlightPerPlatform"] = "8";
        using var cluster = harness.ShareCluster();
        var from = new DateOnly(2024, 1, 1);
        var request = harness.Request(from, 4);

        using var scheduler = harness.Host(BackfillRoles.Scheduler);
        await scheduler.StartAsync();
        var workers = new List<IHost>();
        for (var i = 0; i < 3; i++)
        {
            var worker = harness.Host(BackfillRoles.Worker);
            await worker.StartAsync();
            workers.Add(worker);
        }

        var (job, _) = await scheduler.Services.GetRequiredService<JobPlanner>().CreateAsync(request.Job, CancellationToken.None);
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var orders = scheduler.Services.GetRequiredService<RecordStore>();

        // A third of the way, one worker leaves: its lanes move to the others, which wait out its calls' window first.
        await Poll.Eventually(() => harness.Simulator.Stats.Accepted >= 30, TimeSpan.FromSeconds(60), "30 calls");
        await workers[0].StopAsync();
        workers[0].Dispose();
        var acceptedWhenItLeft = harness.Simulator.Stats.Accepted;

        await Poll.Eventually(() => store.Job(job.Id)!.IsFinished, TimeSpan.FromSeconds(120), "the job to finish");
        var expected = Harness.Shops.Sum(shop => harness.Simulator.ExpectedOrders(shop, Start(from), Start(from.AddDays(4))));
        await Poll.Eventually(() => orders.Totals(Datasets.Orders).Unique == expected, TimeSpan.FromSeconds(30), "the sink to hold every order");

        var stats = harness.Simulator.Stats;
        Assert.Equal(0, stats.Refused);
        Assert.InRange(stats.PeakCallsPerSecond, 1, (int)Limit);
        Assert.True(stats.Accepted > acceptedWhenItLeft + 20, $"the remaining workers carried on: {acceptedWhenItLeft} → {stats.Accepted}");
        Assert.Equal(store.Slices(job.Id).Count, store.Counts(job.Id).Succeeded);
        Assert.Equal(JobState.Succeeded, store.Job(job.Id)!.State);
        foreach (var worker in workers.Skip(1))
        {
            await worker.StopAsync();
            worker.Dispose();
        }

        await scheduler.StopAsync();
    }

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
