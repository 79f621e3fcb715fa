using System.Diagnostics;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Embedded;
using Backfill.Messaging.Topics;
using Backfill.Storage;
using Backfill.Storage.Records;
using Backfill.Worker;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Kafka;

/// <summary>
/// The broker scenario: a job runs on a three-broker cluster (topics replicated three times) while, one after the
/// other, round trips slow to 500 ms, produce, fetch, offset-commit and group-heartbeat requests fail, every
/// partition's leader moves, and a broker goes down and comes back. Each fault is cleared before the next; the time
/// from clearing it to the next finished step is its time to recover.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BrokerFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan FaultFor = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan RecoverWithin = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task JobUnderBrokerFaults_LosesNothing_StoresNoDuplicate_AndCompletes()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = MockCluster.Start(3);
        var topics = new TopicNames("e2e");
        var partitions = new Messaging.TopicPartitionOptions { Actions = 4, Orders = 4, Progress = 2 };
        cluster.CreateTopics(topics.Specs(partitions));
        harness.Settings["Kafka:BootstrapServers"] = cluster.BootstrapServers;
        harness.Settings["Kafka:GroupProtocol"] = "consumer";
        harness.Settings[$"Platforms:{Harness.Platform}:PageSize"] = "20";
        harness.Settings["Worker:PagesPerStep"] = "1";
        harness.Simulator.Switches.Latency = TimeSpan.FromMilliseconds(400);
        using var host = InProcessRun.BuildHost(harness.Configuration(), Harness.Logging);
        var stats = host.Services.GetRequiredService<WorkerStats>();
        var counters = host.Services.GetRequiredService<KafkaCounters>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(110));
        var watch = Stopwatch.StartNew();

        var run = InProcessRun.RunAsync(host, harness.Request(new DateOnly(2024, 3, 1), 5), null, cts.Token);
        await Poll.Eventually(() => stats.Steps > 0, TimeSpan.FromSeconds(30), "the first step");

        var leaders = 0;
        var recovery = new Dictionary<string, long>();
        async Task Phase(string name, Action inject, Action? clear = null)
        {
            if (run.IsCompleted)
            {
                return;
            }

            inject();
            await Task.Delay(FaultFor);
            clear?.Invoke();
            var cleared = Stopwatch.StartNew();
            var steps = stats.Steps;
            await Poll.Eventually(() => stats.Steps > steps || run.IsCompleted, RecoverWithin, $"a step after {name}");
            recovery[name] = cleared.ElapsedMilliseconds;
        }

        await Phase("rtt500ms", () => cluster.SetRoundTrip(MockCluster.AllBrokers, TimeSpan.FromMilliseconds(500)), () => cluster.SetRoundTrip(MockCluster.AllBrokers, TimeSpan.Zero));
        await Phase("produceErrors", () => cluster.FailNextRequests(KafkaApi.Produce, ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut, ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut));
        // Enough that the scheduler's readers get some too: a failed fetch must never end a reader, which would be silent.
        await Phase("fetchErrors", () => cluster.FailNextRequests(KafkaApi.Fetch, [.. Enumerable.Repeat(new[] { ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut }, 8).SelectMany(e => e)]));
        await Phase("offsetCommitErrors", () => cluster.FailNextRequests(KafkaApi.OffsetCommit, ErrorCode.RequestTimedOut, ErrorCode.GroupCoordinatorNotAvailable, ErrorCode.NotCoordinatorForGroup));
        await Phase("groupErrors", () =>
        {
            // KIP-848 members join and heartbeat with ConsumerGroupHeartbeat; classic ones with JoinGroup and Heartbeat.
            cluster.FailNextRequests(KafkaApi.ConsumerGroupHeartbeat, ErrorCode.GroupCoordinatorNotAvailable, ErrorCode.NotCoordinatorForGroup, ErrorCode.RequestTimedOut);
            cluster.FailNextRequests(KafkaApi.JoinGroup, ErrorCode.GroupCoordinatorNotAvailable, ErrorCode.NotCoordinatorForGroup);
        });
        await Phase("leaderMoves", () =>
        {
            foreach (var topic in topics.Specs(partitions))
            {
                for (var p = 0; p < topic.Partitions; p++)
                {
                    cluster.MoveLeader(topic.Name, p, 1 + ((p + 1) % cluster.Brokers));
                    leaders++;
                }
            }
        });
        await Phase("broker1Down", () => cluster.BrokerDown(1), () => cluster.BrokerUp(1));

        var summary = await run;
        var store = host.Services.GetRequiredService<JobStore>();
        var orders = host.Services.GetRequiredService<RecordStore>();

        Assert.Equal(JobState.Succeeded, summary.State);
        Assert.Equal(summary.Slices.Total, summary.Slices.Succeeded);
        Assert.Equal(summary.OrdersExpected, summary.OrdersUnique);
        Assert.Equal(summary.OrdersExpected, orders.Totals(Datasets.Orders).Unique);
        Assert.Equal(0, summary.DeadLettered);
        Assert.All(store.Slices(summary.Job), s => Assert.Single(store.History(s.Id), t => t.To == nameof(SliceState.Succeeded)));
        Assert.True(recovery.Count >= 5, $"the job ended before most faults were injected: {string.Join(", ", recovery.Keys)}");

        ScenarioFigures.Record(output, "broker", new
        {
            brokers = cluster.Brokers,
            replication = Math.Min(cluster.Brokers, 3),
            faults = recovery.Keys,
            recoverMs = recovery,
            leadersMoved = leaders,
            slices = summary.Slices.Total,
            slicesSucceeded = summary.Slices.Succeeded,
            ordersExpected = summary.OrdersExpected,
            ordersUnique = summary.OrdersUnique,
            duplicatesAbsorbed = summary.DuplicatesAbsorbed,
            commitFailures = summary.CommitFailures,
            evictions = counters.Evictions,
            deadLettered = summary.DeadLettered,
            steps = stats.Steps,
            seconds = Math.Round(watch.Elapsed.TotalSeconds, 1),
        });
    }
}
