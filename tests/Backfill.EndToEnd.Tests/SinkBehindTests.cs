using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Storage;
using Backfill.Storage.Records;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.EndToEnd.Tests;

/// <summary>
/// <c>demo</c> and <c>run</c> end a job once the sink has saved its orders, not when its last slice succeeds: while
/// another member of the sink's group holds half the order partitions, the run waits; when it leaves, the run ends
/// with every order saved — or, when the job's orders left those partitions before the sink could read them, with the
/// loss said and the job not reported succeeded.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SinkBehindTests
{
    [Fact]
    public async Task ARunWhoseJobSucceededWhileTheSinkIsBehind_WaitsForTheSink_ThenEndsWithEveryOrderSaved()
    {
        var (summary, _) = await RunWhileTheSinkIsHeldAsync(async held =>
        {
            await Task.WhenAny(held.Run, Task.Delay(TimeSpan.FromSeconds(4)));
            Assert.False(held.Run.IsCompleted, "the run ended while the sink was behind");
            var totals = held.Store.Totals(held.Job);
            Assert.True(totals.Saved < totals.Orders, $"{totals.Saved} of {totals.Orders} saved while the sink holds half the partitions");
        });

        Assert.Equal(JobState.Succeeded, summary.State);
        Assert.True(summary.OrdersAllSaved);
        Assert.True(summary.Succeeded);
        Assert.Equal(summary.OrdersExpected, summary.OrdersUnique);
        Assert.Contains("\"allSaved\":true", summary.ToJson(), StringComparison.Ordinal);
        Assert.Equal(0, summary.RecordsLost);
    }

    [Fact]
    public async Task ARunWhoseOrdersLeftTheTopicBeforeTheSinkReadThem_EndsWithTheLossSaid_NotSucceeded()
    {
        IReadOnlyList<TopicPartition> held = [];
        var (summary, lost) = await RunWhileTheSinkIsHeldAsync(async sink =>
        {
            // The dev broker keeps about 5 MiB of a partition: 8 MB more pushes the job's orders out of the partitions the
            // sink cannot read yet, as a real broker's retention would while a sink stayed away too long.
            held = sink.Intruder.Held;
            using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = sink.Bootstrap }).Build();
            foreach (var partition in held)
            {
                for (var i = 0; i < 9; i++)
                {
                    await producer.ProduceAsync(partition, new Message<string, byte[]> { Key = $"filler-{i}", Value = new byte[900_000] });
                }
            }
        });

        Assert.Equal(JobState.Succeeded, summary.State);
        Assert.True(summary.RecordsLost > 0, "no record of the job's span was found lost");
        Assert.False(summary.OrdersAllSaved);
        Assert.False(summary.Succeeded);
        Assert.True(summary.OrdersUnique < summary.OrdersExpected, $"{summary.OrdersUnique} of {summary.OrdersExpected} orders saved");
        Assert.Contains($"\"lost\":{summary.RecordsLost}", summary.ToJson(), StringComparison.Ordinal);
        Assert.NotEmpty(lost);
        Assert.All(lost, range => Assert.Contains(new TopicPartition(range.Topic, range.Partition), held));
    }

    /// <summary>
    /// Runs a two-day job while another member of the sink's group holds half the order partitions; once the job is
    /// finished, <paramref name="whileHeld"/> runs, then the member leaves. Returns the run's summary and the lost runs kept.
    /// </summary>
    private static async Task<(RunSummary Summary, IReadOnlyList<LostRange> Lost)> RunWhileTheSinkIsHeldAsync(Func<HeldSink, Task> whileHeld)
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
        await whileHeld(new HeldSink(cluster.BootstrapServers, intruder, store, job!, run));
        intruder.Leave();
        return (await run, host.Services.GetRequiredService<RecordStore>().Lost());
    }

    private sealed record HeldSink(string Bootstrap, GroupIntruder Intruder, JobStore Store, string Job, Task<RunSummary> Run);
}
