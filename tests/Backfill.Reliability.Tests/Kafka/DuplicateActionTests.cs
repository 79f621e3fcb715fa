using System.Diagnostics;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Messaging.Clients;
using Backfill.Scheduling;
using Backfill.Storage;
using Backfill.Storage.Records;
using Backfill.Worker;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Kafka;

/// <summary>
/// R5: the same shipping action was enqueued again and again and two machines ran it. Here a released slice's first
/// action is copied onto every partition of the action topic, so both worker processes of the group receive it, one
/// of them twice on its own partition. The slice must run once: one call per page at the platform, one success.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DuplicateActionTests(ITestOutputHelper output)
{
    private const int PageSize = 20;

    [Fact]
    public async Task SameActionDeliveredToTwoWorkers_RunsOnce_AndEveryCopyIsDropped()
    {
        await using var harness = await Harness.StartAsync();
        harness.Settings[$"Platforms:{Harness.Platform}:PageSize"] = $"{PageSize}";
        harness.Settings["Worker:PagesPerStep"] = "2";
        harness.Settings["Worker:Concurrency"] = "1";
        using var cluster = harness.ShareCluster();
        var day = BusyDay(harness, "20001");
        var expected = harness.Simulator.ExpectedOrders("20001", Start(day), Start(day.AddDays(1)));
        var watch = Stopwatch.StartNew();

        // Both worker processes own partitions before the copies exist, so each reads the copies on its own partitions
        // (with copies already waiting, the first to join may read them all before the second joins).
        var logs = new[] { new LogCapture(), new LogCapture() };
        var workers = logs.Select(l => harness.Host(BackfillRoles.Worker, l)).ToArray();
        await Task.WhenAll(workers.Select(w => w.StartAsync()));
        await Poll.Eventually(() => logs.All(l => l.Lines.Any(line => line.Contains(" assigned partitions [", StringComparison.Ordinal))), TimeSpan.FromSeconds(30), "both worker processes to own partitions");

        using var scheduler = harness.Host(BackfillRoles.Scheduler);
        await scheduler.StartAsync();
        var (job, _) = await scheduler.Services.GetRequiredService<JobPlanner>().CreateAsync(new BackfillRequest(Harness.Platform, ["20001"], day, day.AddDays(1)), CancellationToken.None);
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var clients = scheduler.Services.GetRequiredService<KafkaClients>();
        var topic = clients.Connection.Topics.Actions;
        await Poll.Eventually(() => TopicReader.All(clients, topic).Count > 0, TimeSpan.FromSeconds(20), "the slice's first action");

        // Delivered again, by hand: the very bytes of the released action, on its own partition and on every other one.
        var original = TopicReader.All(clients, topic).First();
        var producer = scheduler.Services.GetRequiredService<IProducer<string, byte[]>>();
        using var admin = clients.CreateAdmin("r5");
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count;
        for (var p = 0; p < partitions; p++)
        {
            await producer.ProduceAsync(new TopicPartition(topic, p), new Message<string, byte[]> { Key = original.Message.Key, Value = original.Message.Value });
        }

        var copies = partitions;
        var orders = scheduler.Services.GetRequiredService<RecordStore>();
        var stats = workers.Select(w => w.Services.GetRequiredService<WorkerStats>()).ToArray();

        await Poll.Eventually(() => store.Job(job.Id)!.IsFinished, TimeSpan.FromSeconds(40), "the job to finish");
        await Poll.Eventually(() => orders.Totals(Datasets.Orders).Unique == expected, TimeSpan.FromSeconds(20), "the sink to hold every order");
        await Poll.Eventually(() => EveryMessageCommitted(clients, topic), TimeSpan.FromSeconds(20), "every action, copies included, to be read and committed");
        var recovered = watch.Elapsed;

        var slice = store.Slices(job.Id).Single();
        Assert.Equal(SliceState.Succeeded, slice.State);
        Assert.True(slice.Step >= 2, $"the slice should take several steps, took {slice.Step + 1}");

        // One effect: each step ran once, in one process, with one call per page at the platform.
        Assert.Equal(slice.Step + 1, stats.Sum(s => s.Steps));
        Assert.Equal(slice.Calls, harness.Simulator.Stats.Accepted);
        Assert.Equal(expected, orders.Totals(Datasets.Orders).Unique);
        Assert.Equal(0, orders.Totals(Datasets.Orders).DuplicatesAbsorbed);

        // Every copy recognised and dropped, in both processes: none ran.
        Assert.Equal(copies, stats.Sum(s => s.DuplicatesDropped));
        Assert.All(stats, s => Assert.True(s.DuplicatesDropped > 0, "each worker process should have received a copy"));
        Assert.Single(store.History(slice.Id), t => t.To == nameof(SliceState.Succeeded));

        ScenarioFigures.Record(output, "R5", new
        {
            copiesDelivered = copies,
            droppedPerWorker = stats.Select(s => s.DuplicatesDropped),
            stepsPerWorker = stats.Select(s => s.Steps),
            sliceSteps = slice.Step + 1,
            sliceCalls = slice.Calls,
            platformCalls = harness.Simulator.Stats.Accepted,
            progressIgnored = scheduler.Services.GetRequiredService<ProgressApplier>().Ignored,
            ordersExpected = expected,
            ordersUnique = orders.Totals(Datasets.Orders).Unique,
            duplicatesAbsorbed = orders.Totals(Datasets.Orders).DuplicatesAbsorbed,
            seconds = Math.Round(recovered.TotalSeconds, 1),
        });
        foreach (var worker in workers)
        {
            await worker.StopAsync();
            worker.Dispose();
        }

        await scheduler.StopAsync();
    }

    private static bool EveryMessageCommitted(KafkaClients clients, string topic)
    {
        var committed = TopicReader.Committed(clients, clients.Connection.Topics.WorkerGroup, topic);
        return Watermarks.High(clients, topic).All(h => h.Value == 0 || committed[h.Key.Partition.Value] >= h.Value);
    }

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static DateOnly BusyDay(Harness harness, string shop)
    {
        for (var day = new DateOnly(2024, 1, 1); ; day = day.AddDays(1))
        {
            if (harness.Simulator.ExpectedOrders(shop, Start(day), Start(day.AddDays(1))) is > 5 * PageSize and < 12 * PageSize)
            {
                return day;
            }
        }
    }
}
