using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.EndToEnd.Tests;

/// <summary>
/// <c>demo</c> and <c>run</c> end a job once the sink has saved its orders, not when its last slice succeeds: while
/// another member of the sink's group holds half the order partitions, the run waits; when it leaves, the run ends
/// with every order saved.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SinkBehindTests
{
    [Fact]
    public async Task ARunWhoseJobSucceededWhileTheSinkIsBehind_WaitsForTheSink_ThenEndsWithEveryOrderSaved()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        using var intruder = new GroupIntruder(cluster.BootstrapServers, "e2e.scheduler.sink", "e2e.orders");
        await intruder.HoldPartitionsAsync();
        using var host = InProcessRun.BuildHost(harness.Configuration(), Harness.Logging);
        var store = host.Services.GetRequiredService<JobStore>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        string? job = null;

        var run = InProcessRun.RunAsync(host, harness.Request(new DateOnly(2024, 2, 26), 2), s => job = s.Job, cts.Token);
        await Poll.Eventually(() => job is not null && store.Job(job)!.IsFinished, TimeSpan.FromSeconds(60), "the job to finish");
        await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(4)));
        Assert.False(run.IsCompleted, "the run ended while the sink was behind");
        var totals = store.Totals(job!);
        Assert.True(totals.Saved < totals.Orders, $"{totals.Saved} of {totals.Orders} saved while the sink holds half the partitions");

        intruder.Leave();
        var summary = await run;

        Assert.Equal(JobState.Succeeded, summary.State);
        Assert.True(summary.OrdersAllSaved);
        Assert.True(summary.Succeeded);
        Assert.Equal(summary.OrdersExpected, summary.OrdersUnique);
        Assert.Contains("\"allSaved\":true", summary.ToJson(), StringComparison.Ordinal);
    }
}
