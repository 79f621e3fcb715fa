using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Messaging.Embedded;
using Backfill.Scheduling;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Backfill.EndToEnd.Tests;

/// <summary>
/// A release whose produce failed never reuses its attempt number: the produce may have been written all the same
/// (a timeout), its step then runs, and a later release under the same attempt would be dropped by the workers' step
/// ledger as a repeat, leaving the slice Released for ever.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FailedReleaseTests
{
    [Fact]
    public async Task AFailedProduce_PutsTheSliceBackToPending_KeepingItsAttempt_AndTheNextReleaseTakesANewOne()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        using var host = harness.Host(BackfillRoles.Scheduler);
        var store = host.Services.GetRequiredService<JobStore>();
        var job = await CreateAsync(host);

        // The broker refuses the first release's produce.
        cluster.FailNextRequests(KafkaApi.Produce, ErrorCode.MsgSizeTooLarge);
        await host.StartAsync();
        var id = store.Slices(job.Id).Single().Id;
        await Poll.Eventually(() => store.History(id).Any(t => t.To == nameof(SliceState.Pending)), TimeSpan.FromSeconds(30), "the failed release");

        var failed = store.Slice(id)!;
        Assert.Equal((SliceState.Pending, 1), (failed.State, failed.Attempt));
        Assert.Contains("release of attempt 1 failed", store.History(id)[^1].Reason, StringComparison.Ordinal);

        Assert.Equal(1, await host.Services.GetRequiredService<ReleaseService>().ReleaseAsync(job.Id, CancellationToken.None));
        var released = store.Slice(id)!;
        Assert.Equal((SliceState.Released, 2), (released.State, released.Attempt));
        await host.StopAsync();
    }

    /// <summary>
    /// The whole story: the release's first step is written to Kafka but its acknowledgement never comes (a timeout), so
    /// a worker runs that attempt (its reports are late news for a Pending slice); the next release must run again,
    /// under a new attempt, rather than be dropped by the workers as a repeat of the step they ran.
    /// </summary>
    [Fact]
    public async Task AReleaseWrittenButNotAcknowledged_RunsOnce_AndTheNextReleaseStillRuns()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        using var scheduler = SchedulerLosingFirstAcknowledgement(harness);
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var applier = scheduler.Services.GetRequiredService<ProgressApplier>();
        var job = await CreateAsync(scheduler);
        await scheduler.StartAsync();
        var id = store.Slices(job.Id).Single().Id;
        await Poll.Eventually(() => store.History(id).Any(t => t.To == nameof(SliceState.Pending)), TimeSpan.FromSeconds(30), "the release to fail");
        Assert.Equal((SliceState.Pending, 1), (store.Slice(id)!.State, store.Slice(id)!.Attempt));

        // The step the scheduler believes lost runs; its reports are late news for a Pending slice.
        using var worker = harness.Host(BackfillRoles.Worker);
        await worker.StartAsync();
        await Poll.Eventually(() => applier.Ignored >= 2, TimeSpan.FromSeconds(30), "the written step of attempt 1 to run and report");
        Assert.Equal(SliceState.Pending, store.Slice(id)!.State);

        await scheduler.Services.GetRequiredService<ReleaseService>().ReleaseAsync(job.Id, CancellationToken.None);
        await Poll.Eventually(() => store.Job(job.Id)!.IsFinished, TimeSpan.FromSeconds(30), "the slice released again to run");
        var done = store.Slice(id)!;
        Assert.Equal((SliceState.Succeeded, 2), (done.State, done.Attempt));
        await worker.StopAsync();
        await scheduler.StopAsync();
    }

    /// <summary>One slice, released once an hour: its first release, when the scheduler starts, is the only one but those the test makes.</summary>
    private static async Task<JobRecord> CreateAsync(IHost scheduler) =>
        (await scheduler.Services.GetRequiredService<JobPlanner>().CreateAsync(
            new BackfillRequest(Harness.Platform, [Harness.Shops[0]], new DateOnly(2024, 3, 5), new DateOnly(2024, 3, 6), ReleaseEvery: TimeSpan.FromHours(1)), CancellationToken.None)).Job;

    /// <summary>The scheduler's roles, whose producer writes the first action it is given and then reports a timeout.</summary>
    private static IHost SchedulerLosingFirstAcknowledgement(Harness harness) =>
        DelegatingProducer.Scheduler(harness, (inner, actions) => new AcknowledgementLost(inner, actions));

    /// <summary>
    /// A real producer whose first action is written and acknowledged by Kafka, and then reported to its caller as timed
    /// out: what a produce whose acknowledgement was lost on a slow network looks like to the scheduler.
    /// </summary>
    private sealed class AcknowledgementLost(IProducer<string, byte[]> inner, string actions) : DelegatingProducer(inner)
    {
        private int _lost;

        public override async Task<DeliveryResult<string, byte[]>> ProduceAsync(TopicPartition topicPartition, Message<string, byte[]> message, CancellationToken cancellationToken = default)
        {
            var result = await base.ProduceAsync(topicPartition, message, cancellationToken);
            return topicPartition.Topic == actions && Interlocked.Exchange(ref _lost, 1) == 0
                ? throw new ProduceException<string, byte[]>(new Error(ErrorCode.Local_MsgTimedOut), result)
                : result;
        }
    }
}
