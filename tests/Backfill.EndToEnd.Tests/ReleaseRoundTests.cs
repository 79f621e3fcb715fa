using Backfill.Core.Jobs;
using Backfill.Core.Release;
using Backfill.Hosting;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Messaging.Embedded;
using Backfill.Scheduling;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Backfill.EndToEnd.Tests;

/// <summary>
/// Release rounds of a real scheduler (LiteDB file, mock-cluster Kafka, Quartz triggers) with no worker: slices stay in
/// flight until the test reports them finished, so what each round released can be read from the store.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ReleaseRoundTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly DateOnly From = new(2024, 3, 1);

    [Fact]
    public async Task APeriodicJob_ReleasesEachShopsNextSlicePerPeriod_NotOneForTheWholeJob()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        harness.Settings["Backfill:SlicesPerRelease"] = "1";
        using var scheduler = harness.Host(BackfillRoles.Scheduler);
        await scheduler.StartAsync();
        var store = scheduler.Services.GetRequiredService<JobStore>();

        var job = await CreateAsync(scheduler, Harness.Shops, days: 5, TimeSpan.FromHours(1));

        await Poll.Eventually(() => InFlight(store, job).Count == 2, Wait, "the first period's batch");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var released = InFlight(store, job);
        Assert.Equal(Harness.Shops.Order(), released.Select(s => s.Shop).Order());
        Assert.All(released, s => Assert.Equal(From, s.FirstDay));
        await scheduler.StopAsync();
    }

    [Fact]
    public async Task AnAutoJob_FillsThePlatformsRoom_AndASmallJobStartedBehindIt_GetsTheFreedRoomFirst()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        harness.Settings["Backfill:MaxInFlightPerPlatform"] = "4";
        using var scheduler = harness.Host(BackfillRoles.Scheduler);
        await scheduler.StartAsync();
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var applier = scheduler.Services.GetRequiredService<ProgressApplier>();

        var big = await CreateAsync(scheduler, Harness.Shops, days: 30, ReleaseCadence.Auto);
        await Poll.Eventually(() => InFlight(store, big).Count == 4, Wait, "the auto job to fill the room");
        var small = await CreateAsync(scheduler, [Harness.Shops[0]], days: 3, ReleaseCadence.Auto, from: new DateOnly(2024, 6, 1));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Empty(InFlight(store, small));

        foreach (var slice in InFlight(store, big).Take(2))
        {
            Finish(applier, slice, ProgressKind.SliceSucceeded);
        }

        await Poll.Eventually(() => InFlight(store, small).Count == 2, Wait, "the small job to get the freed room");
        Assert.Equal(2, InFlight(store, big).Count);
        await scheduler.StopAsync();
    }

    [Fact]
    public async Task ALowPriorityJobBesideAHighOne_GetsTheFirstFreedPlace_ThenTheHighJobGoesFirst()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        harness.Settings["Backfill:MaxInFlightPerPlatform"] = "4";
        using var scheduler = harness.Host(BackfillRoles.Scheduler);
        await scheduler.StartAsync();
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var applier = scheduler.Services.GetRequiredService<ProgressApplier>();

        var high = await CreateAsync(scheduler, Harness.Shops, days: 30, ReleaseCadence.Auto, priority: JobPriority.High);
        await Poll.Eventually(() => InFlight(store, high).Count == 4, Wait, "the high job to fill the room");
        var low = await CreateAsync(scheduler, Harness.Shops, days: 30, ReleaseCadence.Auto, priority: JobPriority.Low, from: new DateOnly(2024, 6, 1));

        Finish(applier, InFlight(store, high)[0], ProgressKind.SliceSucceeded);
        await Poll.Eventually(() => InFlight(store, low).Count == 1, Wait, "the low job's first place");
        Finish(applier, InFlight(store, high)[0], ProgressKind.SliceSucceeded);
        await Poll.Eventually(() => InFlight(store, high).Count == 3, Wait, "the high job to take the next place");
        Assert.Single(InFlight(store, low));
        await scheduler.StopAsync();
    }

    [Fact]
    public async Task ASliceFailedForATransientError_IsRetriedByItself_AndAPermanentOneFailsTheJob()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        harness.Settings["Backfill:AutoRetry:Attempts"] = "1";
        harness.Settings["Backfill:AutoRetry:After"] = "00:00:01";
        using var scheduler = harness.Host(BackfillRoles.Scheduler);
        await scheduler.StartAsync();
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var applier = scheduler.Services.GetRequiredService<ProgressApplier>();
        var job = await CreateAsync(scheduler, [Harness.Shops[0]], days: 2, ReleaseCadence.Auto);
        await Poll.Eventually(() => InFlight(store, job).Count == 2, Wait, "both slices released");
        var (first, second) = (InFlight(store, job)[0], InFlight(store, job)[1]);

        Finish(applier, second, ProgressKind.SliceSucceeded);
        Finish(applier, first, ProgressKind.SliceFailed, "transient");
        Assert.Equal(JobState.Running, store.Job(job.Id)!.State);
        await Poll.Eventually(() => store.Slice(first.Id) is { State: SliceState.Released, Attempt: 2 }, Wait, "the automatic retry");
        var retried = store.Slice(first.Id)!;
        Assert.Equal(1, retried.AutoRetries);
        Assert.Contains(store.History(first.Id), t => t.Reason.StartsWith("automatic retry 1 of 1 after a transient failure", StringComparison.Ordinal));

        // Its retries spent, the slice's next failure is final even though the error may pass.
        Finish(applier, retried, ProgressKind.SliceFailed, "transient");
        await Poll.Eventually(() => store.Job(job.Id)!.State == JobState.Failed, Wait, "the job to fail");

        var other = await CreateAsync(scheduler, [Harness.Shops[1]], days: 1, ReleaseCadence.Auto);
        await Poll.Eventually(() => InFlight(store, other).Count == 1, Wait, "the other job's slice released");
        Finish(applier, InFlight(store, other)[0], ProgressKind.SliceFailed, "permanent");
        Assert.Equal(JobState.Failed, store.Job(other.Id)!.State);
        await scheduler.StopAsync();
    }

    [Fact]
    public async Task AJobFinishedWhileARoundStillProducesItsSlice_StaysFinished()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        using var scheduler = harness.Host(BackfillRoles.Scheduler);
        await scheduler.StartAsync();
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var applier = scheduler.Services.GetRequiredService<ProgressApplier>();

        // Every broker answers after 3 s: the round marks the job's one slice released, then waits for its produce.
        cluster.SetRoundTrip(MockCluster.AllBrokers, TimeSpan.FromSeconds(3));
        var job = await CreateAsync(scheduler, [Harness.Shops[0]], days: 1, ReleaseCadence.Auto);
        // Ten round trips or so before the mark (the lanes' lag, and the data topics' ends a job's first release reads).
        await Poll.Eventually(() => InFlight(store, job).Count == 1, TimeSpan.FromSeconds(75), "the slice marked released");
        Finish(applier, InFlight(store, job)[0], ProgressKind.SliceSucceeded);
        Assert.Equal(JobState.Succeeded, store.Job(job.Id)!.State);

        // The round records its release once the produce is acknowledged, on the job as it is then: finished.
        cluster.SetRoundTrip(MockCluster.AllBrokers, TimeSpan.Zero);
        await Poll.Eventually(() => store.Job(job.Id)!.LastReleaseAt is not null, Wait, "the round's record of its release");
        Assert.Equal(JobState.Succeeded, store.Job(job.Id)!.State);
        await scheduler.StopAsync();
    }

    [Fact]
    public async Task ManyJobsReleasedAtOnce_AreServedByOneRoundOfTheirPlatform_NotOneRoundEach()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        using var scheduler = harness.Host(BackfillRoles.Scheduler);
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var releases = scheduler.Services.GetRequiredService<ReleaseService>();
        var jobs = new List<JobRecord>();
        for (var i = 0; i < 20; i++)
        {
            jobs.Add(await CreateAsync(scheduler, [Harness.Shops[i % 2]], days: 1, ReleaseCadence.Auto, from: From.AddDays(i)));
        }

        // As their triggers fire together: each request waits for the one round under way, and the round after it serves every request that came meanwhile.
        await Task.WhenAll(jobs.Select(j => releases.ReleaseAsync(j.Id, CancellationToken.None)));

        Assert.All(jobs, j => Assert.Single(InFlight(store, j)));
        Assert.InRange(releases.Rounds, 1, 2);

        // A request after the rounds still gets a round of its own.
        await releases.ReleaseAsync(jobs[0].Id, CancellationToken.None);
        Assert.InRange(releases.Rounds, 2, 3);
    }

    [Fact]
    public async Task ALatencyWorkersReport_RaisesThePlatformsCap_ToWhatKeepsItsLanesBusy()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        harness.Settings["Backfill:MaxInFlightPerPlatform"] = "4";
        using var scheduler = harness.Host(BackfillRoles.Scheduler);
        await scheduler.StartAsync();
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var applier = scheduler.Services.GetRequiredService<ProgressApplier>();
        var job = await CreateAsync(scheduler, Harness.Shops, days: 30, ReleaseCadence.Auto);
        await Poll.Eventually(() => InFlight(store, job).Count == 4, Wait, "the configured cap to fill");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(4, InFlight(store, job).Count);

        // A worker's step report says the lane's calls take two seconds: four slices cannot keep the lanes busy.
        var slice = InFlight(store, job)[0];
        applier.Apply(new ProgressMessage
        {
            Kind = ProgressKind.StepDone, Job = slice.JobId, Slice = slice.Id, Attempt = slice.Attempt, Step = 0, Worker = "test", At = DateTimeOffset.UtcNow,
            More = true, Cursor = "next", Lane = slice.Lane, LaneRate = 1, LaneLatency = TimeSpan.FromSeconds(2),
        });

        // At 40/s the lanes need about 40 · 3 s + a lane's worth of slices: more than the job's 60, which all go out.
        await Poll.Eventually(() => InFlight(store, job).Count == 60, Wait, "the cap raised above the job's 60 slices");
        await scheduler.StopAsync();
    }

    [Fact]
    public async Task ARoundsFirstSteps_GoOutTogether_NotEachAfterTheLastOnesAcknowledgement()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        harness.Settings["Backfill:MaxInFlightPerPlatform"] = "20";
        ProducesUnderWay? produces = null;
        using var scheduler = DelegatingProducer.Scheduler(harness, (inner, actions) => produces = new ProducesUnderWay(inner, actions));
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var job = await CreateAsync(scheduler, Harness.Shops, days: 10, ReleaseCadence.Auto);

        // Every acknowledgement takes 200 ms: one after another, a round's produces are never under way together.
        cluster.SetRoundTrip(MockCluster.AllBrokers, TimeSpan.FromMilliseconds(200));
        var released = await scheduler.Services.GetRequiredService<ReleaseService>().ReleaseAsync(job.Id, CancellationToken.None);
        cluster.SetRoundTrip(MockCluster.AllBrokers, TimeSpan.Zero);

        Assert.Equal(20, released);
        Assert.Equal(20, InFlight(store, job).Count);
        Assert.True(produces!.Most > 1, $"at most {produces.Most} of the round's 20 first steps were under way at once");
    }

    /// <summary>A real producer counting the produces to the action topic that await their acknowledgement at once.</summary>
    private sealed class ProducesUnderWay(IProducer<string, byte[]> inner, string actions) : DelegatingProducer(inner)
    {
        private int _underWay;
        private int _most;

        public int Most => Volatile.Read(ref _most);

        public override async Task<DeliveryResult<string, byte[]>> ProduceAsync(TopicPartition topicPartition, Message<string, byte[]> message, CancellationToken cancellationToken = default)
        {
            if (topicPartition.Topic != actions)
            {
                return await base.ProduceAsync(topicPartition, message, cancellationToken);
            }

            var now = Interlocked.Increment(ref _underWay);
            for (var most = Volatile.Read(ref _most); now > most && Interlocked.CompareExchange(ref _most, now, most) != most; most = Volatile.Read(ref _most))
            {
            }

            try
            {
                return await base.ProduceAsync(topicPartition, message, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _underWay);
            }
        }
    }

    [Fact]
    public async Task AJobsFirstRelease_KeepsTheDataTopicsEnds_WhereItsRecordsWillBegin_AndLaterReleasesKeepThem()
    {
        await using var harness = await Harness.StartAsync();
        using var cluster = harness.ShareCluster();
        harness.Settings["Backfill:MaxInFlightPerPlatform"] = "2";
        using var scheduler = harness.Host(BackfillRoles.Scheduler);
        await scheduler.StartAsync();
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var applier = scheduler.Services.GetRequiredService<ProgressApplier>();
        var topics = scheduler.Services.GetRequiredService<KafkaConnection>().Topics;
        await ProduceAsync(cluster.BootstrapServers, new TopicPartition(topics.Orders, 1), 3);

        var job = await CreateAsync(scheduler, Harness.Shops, days: 3, ReleaseCadence.Auto);
        await Poll.Eventually(() => InFlight(store, job).Count == 2, Wait, "the first release");
        var from = store.Job(job.Id)!.RecordsFrom;

        Assert.NotNull(from);
        Assert.Equal(
            Backfill.Core.Data.DatasetNames.All.Select(topics.Records).Order(),
            from.Select(o => o.Topic).Distinct().Order());
        Assert.Equal(3, from.Single(o => o.Topic == topics.Orders && o.Partition == 1).Offset);
        Assert.All(from.Where(o => o.Topic != topics.Orders || o.Partition != 1), o => Assert.Equal(0, o.Offset));

        await ProduceAsync(cluster.BootstrapServers, new TopicPartition(topics.Orders, 1), 2);
        foreach (var slice in InFlight(store, job))
        {
            Finish(applier, slice, ProgressKind.SliceSucceeded);
        }

        await Poll.Eventually(() => store.Counts(job.Id).Pending == 2, Wait, "a second release");
        Assert.Equal(3, store.Job(job.Id)!.RecordsFrom!.Single(o => o.Topic == topics.Orders && o.Partition == 1).Offset);
        await scheduler.StopAsync();
    }

    private static async Task ProduceAsync(string bootstrap, TopicPartition partition, int count)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        for (var i = 0; i < count; i++)
        {
            await producer.ProduceAsync(partition, new Message<string, byte[]> { Key = $"k{i}", Value = [1] });
        }
    }

    private static async Task<JobRecord> CreateAsync(IHost scheduler, IReadOnlyList<string> shops, int days, TimeSpan every, JobPriority priority = JobPriority.Normal, DateOnly? from = null)
    {
        var start = from ?? From;
        var request = new BackfillRequest(Harness.Platform, shops, start, start.AddDays(days), every) { Priority = priority };
        return (await scheduler.Services.GetRequiredService<JobPlanner>().CreateAsync(request, CancellationToken.None)).Job;
    }

    private static List<SliceRecord> InFlight(JobStore store, JobRecord job) =>
        [.. store.Slices(job.Id).Where(s => s.State is SliceState.Released or SliceState.Running).OrderBy(s => s.FirstDay).ThenBy(s => s.Shop, StringComparer.Ordinal)];

    /// <summary>What a worker would report at the end of the slice's attempt.</summary>
    private static void Finish(ProgressApplier applier, SliceRecord slice, ProgressKind kind, string? failure = null) =>
        applier.Apply(new ProgressMessage
        {
            Kind = kind,
            Job = slice.JobId,
            Slice = slice.Id,
            Attempt = slice.Attempt,
            Step = 0,
            Worker = "test",
            At = DateTimeOffset.UtcNow,
            Error = failure is null ? null : $"sim: http_503: {failure} failure of the test",
            Failure = failure,
        });
}
