using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Scheduling;
using Backfill.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.EndToEnd.Tests;

/// <summary>Quota-aware release: with nobody consuming, the platform's action lag stops the releases; workers drain it and releases resume.</summary>
[Trait("Category", "Integration")]
public sealed class ActionLagTests
{
    [Fact]
    public async Task Releases_StopWhileTheLanesLagIsOverTheThreshold_AndResumeOnceWorkersConsume()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        using var scheduler = await StartSchedulerAsync(harness, maxInFlight: 16);
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var board = scheduler.Services.GetRequiredService<PlatformBoard>();
        var (job, _) = await scheduler.Services.GetRequiredService<JobPlanner>().CreateAsync(harness.Request(new DateOnly(2024, 1, 1), 5).Job, CancellationToken.None);

        await Poll.Eventually(() => board.Status(Harness.Platform).Hold is not null, TimeSpan.FromSeconds(30), "the lag to hold releases");
        await Task.Delay(1000);
        Assert.Equal(4, store.Counts(job.Id).Released);
        Assert.Contains("4 action messages of sim wait unconsumed", board.Status(Harness.Platform).Hold, StringComparison.Ordinal);

        using var worker = harness.Host(BackfillRoles.Worker);
        await worker.StartAsync();
        await Poll.Eventually(() => store.Job(job.Id)!.IsFinished, TimeSpan.FromSeconds(90), "the job to finish once workers consume");
        Assert.Equal(JobState.Succeeded, store.Job(job.Id)!.State);
        await worker.StopAsync();
        await scheduler.StopAsync();
    }

    [Fact]
    public async Task ACapRaisedFromLatency_RaisesTheLagGateAsMuch_SoItsSlicesGoOut()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        using var scheduler = await StartSchedulerAsync(harness, maxInFlight: 4);
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var board = scheduler.Services.GetRequiredService<PlatformBoard>();

        // A worker said the platform answers in a second: keeping 40 calls a second going then takes ~80 slices in flight.
        board.StepReported(Harness.Platform, 0, 5, 0, "worker-a", DateTimeOffset.UtcNow, 1, TimeSpan.FromSeconds(1));
        var (job, _) = await scheduler.Services.GetRequiredService<JobPlanner>().CreateAsync(harness.Request(new DateOnly(2024, 1, 1), 5).Job, CancellationToken.None);

        // Nobody consumes: every released slice's action waits on the topic, far more than MaxActionLag.
        await Poll.Eventually(() => store.Counts(job.Id).Released == 10, TimeSpan.FromSeconds(30), "all ten slices to go out");
        Assert.Null(board.Status(Harness.Platform).Hold);
        await scheduler.StopAsync();
    }

    /// <summary>A scheduler releasing one slice of each shop a period, held once more than 3 actions wait unconsumed.</summary>
    private static async Task<Microsoft.Extensions.Hosting.IHost> StartSchedulerAsync(Harness harness, int maxInFlight)
    {
        harness.Settings["Backfill:SlicesPerRelease"] = "1";
        harness.Settings["Backfill:MaxInFlightPerPlatform"] = $"{maxInFlight}";
        harness.Settings["Backfill:MaxActionLag"] = "3";
        var scheduler = harness.Host(BackfillRoles.Scheduler);
        await scheduler.StartAsync();
        return scheduler;
    }
}
