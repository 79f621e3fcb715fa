using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Messaging.Clients;
using Backfill.Scheduling;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.EndToEnd.Tests;

/// <summary>
/// A slice whose step is gone without a word — consumed and committed by the worker group, as a worker does with a
/// message it parks after its infrastructure retries — sends no progress. After <c>Backfill:StuckAfter</c> it is
/// released again as a new attempt and the job finishes (it stayed Released for ever, holding a place under the cap).
/// </summary>
[Trait("Category", "Integration")]
public sealed class StuckSliceTests
{
    [Fact]
    public async Task ASliceWhoseStepWasLost_IsReleasedAgainAfterStuckAfter_AsANewAttempt_AndTheJobSucceeds()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        harness.Settings["Backfill:StuckAfter"] = "00:00:08";
        harness.Settings[$"Platforms:{Harness.Platform}:Timeout"] = "00:00:01";
        harness.Settings[$"Platforms:{Harness.Platform}:Retry:MaxAttempts"] = "2";
        harness.Settings[$"Platforms:{Harness.Platform}:RateLimit:Throttle:CoolOff"] = "00:00:01";
        harness.Settings["Worker:PagesPerStep"] = "1";
        harness.Settings["Worker:ThrottleRetries"] = "0";
        using var scheduler = harness.Host(BackfillRoles.Scheduler);
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var (job, _) = await scheduler.Services.GetRequiredService<JobPlanner>().CreateAsync(
            new BackfillRequest(Harness.Platform, [Harness.Shops[0]], new DateOnly(2024, 3, 5), new DateOnly(2024, 3, 6), ReleaseEvery: TimeSpan.FromSeconds(1)), CancellationToken.None);
        var id = store.Slices(job.Id).Single().Id;
        await scheduler.StartAsync();
        await Poll.Eventually(() => store.Slice(id)!.State == SliceState.Released, TimeSpan.FromSeconds(30), "the release");

        // The step is consumed and committed by the worker group without a report, as a worker parks it.
        var clients = scheduler.Services.GetRequiredService<KafkaClients>();
        await CommitToTheEndAsync(clients, clients.Connection.Topics.WorkerGroup, clients.Connection.Topics.Actions);
        using var worker = harness.Host(BackfillRoles.Worker);
        await worker.StartAsync();

        await Poll.Eventually(() => store.Job(job.Id)!.IsFinished, TimeSpan.FromSeconds(60), "the job to finish");
        var slice = store.Slice(id)!;
        Assert.Equal((SliceState.Succeeded, 2, 1), (slice.State, slice.Attempt, slice.Restarts));
        var restart = store.History(id).Single(t => t.To == nameof(SliceState.Pending));
        Assert.Equal("Released", restart.From);
        Assert.Contains("nothing heard of attempt 1 since", restart.Reason, StringComparison.Ordinal);
        // Measured from the release itself (the last thing heard of the slice), not from when this test saw it: a busy
        // machine can see it a second or more late.
        var released = store.History(id).First(t => t.To == nameof(SliceState.Released));
        Assert.True(restart.At - released.At >= TimeSpan.FromSeconds(8), $"restarted {restart.At - released.At} after the release");
        Assert.Equal(1, scheduler.Services.GetRequiredService<PlatformBoard>().Totals(Harness.Platform).Restarts);
        await worker.StopAsync();
        await scheduler.StopAsync();
    }

    private static async Task CommitToTheEndAsync(KafkaClients clients, string group, string topic)
    {
        using var admin = clients.CreateAdmin("operator");
        using var reader = clients.ConsumerBuilder("watermarks", "operator").Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => p.PartitionId).ToList();
        List<TopicPartitionOffset> ends = [];

        // The slice is marked released before its action is produced: wait for the action itself.
        await Poll.Eventually(
            () => (ends = [.. partitions.Select(p => new TopicPartitionOffset(topic, p, reader.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High))]).Any(e => e.Offset.Value > 0),
            TimeSpan.FromSeconds(10),
            "the released action on the topic");
        await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(group, ends)]);
    }
}
