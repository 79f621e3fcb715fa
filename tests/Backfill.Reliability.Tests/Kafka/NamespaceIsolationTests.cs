using System.Diagnostics;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Messaging.Embedded;
using Backfill.Messaging.Topics;
using Backfill.Storage;
using Backfill.Storage.Records;
using Backfill.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Kafka;

/// <summary>
/// R12: another environment consumed production's messages. Two namespaces run a job each at the same time on one
/// cluster, each with its own scheduler, workers and LiteDB; neither may see a message of the other.
/// </summary>
[Trait("Category", "Integration")]
public sealed class NamespaceIsolationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoNamespacesOnOneCluster_EachRunsItsOwnJob_AndNothingCrossesOver()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = MockCluster.Start();
        harness.Settings["Kafka:BootstrapServers"] = cluster.BootstrapServers;
        harness.Settings["Kafka:GroupProtocol"] = "consumer";
        var envs = new[] { new Env("prod", "20001", new DateOnly(2024, 3, 5)), new Env("staging", "20002", new DateOnly(2024, 3, 7)) };
        var hosts = new List<IHost>();
        foreach (var env in envs)
        {
            cluster.CreateTopics(new TopicNames(env.Namespace).Specs(new Messaging.TopicPartitionOptions { Actions = 4, Orders = 4, Progress = 2 }));
            harness.Settings["Kafka:Namespace"] = env.Namespace;
            harness.Settings["Backfill:DataDirectory"] = env.Directory;
            hosts.Add(InProcessRun.BuildHost(harness.Configuration(), Harness.Logging));
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watch = Stopwatch.StartNew();

        var summaries = await Task.WhenAll(envs.Select((env, i) => InProcessRun.RunAsync(hosts[i], harness.Request(env.Day, 2, env.Shop), null, cts.Token)));

        var figures = new List<object>();
        for (var i = 0; i < envs.Length; i++)
        {
            var (env, other, summary, sp) = (envs[i], envs[1 - i], summaries[i], hosts[i].Services);
            var clients = sp.GetRequiredService<KafkaClients>();
            var topics = clients.Connection.Topics;
            var store = sp.GetRequiredService<JobStore>();
            var orders = sp.GetRequiredService<RecordStore>();
            Assert.Equal(JobState.Succeeded, summary.State);
            Assert.Equal(summary.OrdersExpected, summary.OrdersUnique);

            // Its sink holds its own job's orders and none of the other's.
            Assert.Equal(summary.OrdersExpected, orders.Totals(Datasets.Orders).Unique);
            Assert.Equal(0, orders.Count(Datasets.Orders, Harness.Platform, [other.Shop], Start(other.Day), Start(other.Day.AddDays(2))));
            Assert.Equal(0, orders.Totals(Datasets.Orders).DuplicatesAbsorbed);

            // Its topics carry its own job only, and its dead-letter topic nothing.
            var jobs = store.Jobs().Select(j => j.Id).ToHashSet();
            var progress = TopicReader.All(clients, topics.Progress).Select(m => MessageCodec.Decode<ProgressMessage>(m.Message.Value)).ToList();
            var emitted = TopicReader.All(clients, topics.Orders).Select(m => MessageCodec.Decode<RecordMessage>(m.Message.Value)).ToList();
            var actions = TopicReader.All(clients, topics.Actions).Select(m => MessageCodec.Decode<ActionMessage>(m.Message.Value)).ToList();
            Assert.All(progress, p => Assert.Contains(p.Job, jobs));
            Assert.All(emitted, o => Assert.Equal(env.Shop, o.Shop));
            Assert.All(actions, a => Assert.Contains(a.Job, jobs));
            Assert.Empty(TopicReader.All(clients, topics.DeadLetters));

            // Its workers ran exactly its own job's steps: none of the other namespace's.
            var steps = store.Slices(summary.Job).Sum(s => s.Step + 1);
            Assert.Equal(steps, sp.GetRequiredService<WorkerStats>().Steps);
            Assert.Equal(actions.Count, steps);

            // The other namespace's groups never committed on its topics.
            var foreign = new TopicNames(other.Namespace);
            Assert.All(TopicReader.Committed(clients, foreign.WorkerGroup, topics.Actions).Values, o => Assert.True(o < 0, $"{foreign.WorkerGroup} committed on {topics.Actions}"));
            Assert.All(TopicReader.Committed(clients, foreign.SinkGroup, topics.Orders).Values, o => Assert.True(o < 0, $"{foreign.SinkGroup} committed on {topics.Orders}"));
            Assert.All(TopicReader.Committed(clients, foreign.ProgressGroup, topics.Progress).Values, o => Assert.True(o < 0, $"{foreign.ProgressGroup} committed on {topics.Progress}"));
            Assert.Contains(TopicReader.Committed(clients, topics.WorkerGroup, topics.Actions).Values, o => o > 0);

            figures.Add(new
            {
                ns = env.Namespace,
                job = summary.Job,
                slices = summary.Slices.Total,
                slicesSucceeded = summary.Slices.Succeeded,
                ordersExpected = summary.OrdersExpected,
                ordersUnique = summary.OrdersUnique,
                foreignOrdersInSink = 0,
                progressMessages = progress.Count,
                ordersOnTopic = emitted.Count,
                steps,
                deadLettered = 0,
            });
        }

        ScenarioFigures.Record(output, "R12", new { namespaces = figures, seconds = Math.Round(watch.Elapsed.TotalSeconds, 1) });
        foreach (var host in hosts)
        {
            host.Dispose();
        }

        foreach (var env in envs)
        {
            Directory.Delete(env.Directory, recursive: true);
        }
    }

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private sealed record Env(string Namespace, string Shop, DateOnly Day)
    {
        public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory($"backfill-r12-{Namespace}-").FullName;
    }
}
