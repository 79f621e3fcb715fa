using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Scheduling;
using Backfill.Storage;
using Backfill.Storage.Records;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.EndToEnd.Tests;

[Trait("Category", "Integration")]
public sealed class WorkerRestartTests
{
    private const int PageSize = 20;

    [Fact]
    public async Task WorkerStoppedMidSlice_NextWorkerRedoesAtMostOneStep_AndTheSinkHoldsNoDuplicates()
    {
        await using var harness = await Harness.StartAsync(limit: 25);
        harness.Settings[$"Platforms:{Harness.Platform}:PageSize"] = $"{PageSize}";
        harness.Settings["Worker:PagesPerStep"] = "1";
        harness.Settings["Worker:Concurrency"] = "1";
        using var cluster = harness.ShareCluster("classic");
        var day = BusyDay(harness, "20001");
        var expected = harness.Simulator.ExpectedOrders("20001", Start(day), Start(day.AddDays(1)));

        using var scheduler = harness.Host(BackfillRoles.Scheduler);
        await scheduler.StartAsync();
        var first = harness.Host(BackfillRoles.Worker);
        await first.StartAsync();
        var (job, _) = await scheduler.Services.GetRequiredService<JobPlanner>().CreateAsync(new BackfillRequest(Harness.Platform, ["20001"], day, day.AddDays(1)), CancellationToken.None);
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var orders = scheduler.Services.GetRequiredService<RecordStore>();

        await Poll.Eventually(() => store.Slices(job.Id)[0].Step >= 2, TimeSpan.FromSeconds(60), "three steps done by the first worker");
        await first.StopAsync();
        first.Dispose();
        using var second = harness.Host(BackfillRoles.Worker);
        await second.StartAsync();

        await Poll.Eventually(() => store.Job(job.Id)!.IsFinished, TimeSpan.FromSeconds(90), "the job to finish on the second worker");
        await Poll.Eventually(() => orders.Count(Datasets.Orders, Harness.Platform, ["20001"], Start(day), Start(day.AddDays(1))) == expected, TimeSpan.FromSeconds(30), "the sink to hold every order");

        var slice = store.Slices(job.Id).Single();
        Assert.Equal(SliceState.Succeeded, slice.State);
        Assert.Equal(1, slice.Attempt);
        Assert.True(expected > 200, $"a busy day is needed, got {expected}");
        Assert.Equal(expected, orders.Totals(Datasets.Orders).Unique);
        Assert.InRange(orders.Totals(Datasets.Orders).DuplicatesAbsorbed, 0, PageSize);
        await second.StopAsync();
        await scheduler.StopAsync();
    }

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static DateOnly BusyDay(Harness harness, string shop)
    {
        for (var day = new DateOnly(2024, 1, 1); ; day = day.AddDays(1))
        {
            if (harness.Simulator.ExpectedOrders(shop, Start(day), Start(day.AddDays(1))) > 200)
            {
                return day;
            }
        }
    }
}
