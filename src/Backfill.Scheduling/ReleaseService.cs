using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Backfill.Core.Jobs;
using Backfill.Core.Release;
using Backfill.Core.Telemetry;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backfill.Scheduling;

/// <summary>
/// Moves slices of a platform's running jobs from LiteDB to the action topic. A release round looks at every running job
/// of the platform: what its cadence wants now (<see cref="ReleasePolicy"/>), failed slices due for an automatic retry
/// (<see cref="AutoRetryRule"/>), and shares the room under the platform's cap (<see cref="InFlightCap"/>) among them
/// (<see cref="FairShare"/>); <see cref="LaneChooser"/> puts each slice on a lane. Nothing goes out while the platform cools
/// off, its quota is spent or its lanes' lag is over <see cref="BackfillOptions.MaxActionLag"/>. A slice is marked Released
/// before its first step is produced, so its progress can never arrive first; a failed produce puts it back to Pending,
/// its attempt spent (attempts are never reused).
/// </summary>
public sealed partial class ReleaseService(
    JobStore store,
    IProducer<string, byte[]> producer,
    KafkaConnection connection,
    ActionTopic actionTopic,
    PlatformBoard board,
    RecordTopicEnds recordEnds,
    IOptionsMonitor<PlatformOptions> platforms,
    IOptions<BackfillOptions> options,
    TimeProvider time,
    ILogger<ReleaseService> logger)
{
    // One release at a time in this process, so two rounds cannot both fill the same room.
    private static readonly SemaphoreSlim Gate = new(1, 1);

    // Release requests numbered as they come, and per platform the last round: the number that had come when it started
    // and what it released. Under the gate.
    private readonly Dictionary<string, (long Requests, Dictionary<string, int> Released)> _rounds = new(StringComparer.OrdinalIgnoreCase);
    private long _requests;
    private long _roundsRun;

    /// <summary>Release rounds run since start.</summary>
    public long Rounds => Interlocked.Read(ref _roundsRun);

    /// <summary>
    /// Runs a release round for <paramref name="jobId"/>'s platform (its trigger fired); returns how many slices of that
    /// job went out. Every job of the platform is served by the round, in its fair share, so a request that a round of its
    /// platform started after is already served: with many jobs whose triggers fire together (every second with
    /// <c>auto</c>), one round serves them all instead of one round each, every one of which reads every job.
    /// </summary>
    public async Task<int> ReleaseAsync(string jobId, CancellationToken cancellationToken)
    {
        var request = Interlocked.Increment(ref _requests);
        await Gate.WaitAsync(cancellationToken);
        try
        {
            var job = store.Job(jobId);
            if (job is not { State: JobState.Running })
            {
                Log.Held(logger, jobId, job is null ? "no such job" : $"job is {job.State}");
                return 0;
            }

            if (_rounds.TryGetValue(job.Platform, out var last) && last.Requests >= request)
            {
                return last.Released.GetValueOrDefault(jobId);
            }

            var started = Interlocked.Read(ref _requests);
            Interlocked.Increment(ref _roundsRun);
            var released = await RoundAsync(job.Platform, cancellationToken);
            _rounds[job.Platform] = (started, released);
            return released.GetValueOrDefault(jobId);
        }
        finally
        {
            Gate.Release();
        }
    }

    private async Task<Dictionary<string, int>> RoundAsync(string platform, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var o = options.Value;
        var jobs = store.ActiveJobs().Where(j => j.Platform == platform && j.State == JobState.Running).OrderBy(j => j.CreatedAt).ToList();
        RetryFailed(jobs, now);
        var wants = jobs.Select(j => (Job: j, Want: ReleasePolicy.Wants(j, store.Counts(j.Id).Pending, now))).ToList();
        foreach (var (job, want) in wants.Where(w => w.Want.Count == 0))
        {
            Log.Held(logger, job.Id, want.Reason);
        }

        var wanting = wants.Where(w => w.Want.Count > 0).ToList();
        var released = new Dictionary<string, int>(StringComparer.Ordinal);
        if (wanting.Count == 0)
        {
            return released;
        }

        var plan = LanePlan.For(platforms.Get(platform).RateLimit);
        var cap = InFlightCap.Of(o.MaxInFlightPerPlatform, plan, board.Latency(platform));
        var inFlight = store.InFlightSlices(platform).ToList();
        var room = cap - inFlight.Count;
        if (room <= 0)
        {
            wanting.ForEach(w => Log.Held(logger, w.Job.Id, $"{inFlight.Count} slices in flight on {platform} (cap {cap})"));
            return released;
        }

        var partitions = actionTopic.Partitions();
        var lagLimit = InFlightCap.LagLimit(o.MaxActionLag, o.MaxInFlightPerPlatform, cap);
        if (await QuotaHoldAsync(platform, plan, partitions, lagLimit, now, cancellationToken) is { } hold)
        {
            if (board.Held(platform, hold))
            {
                wanting.ForEach(w => Log.QuotaHeld(logger, w.Job.Id, hold));
            }

            return released;
        }

        if (board.Held(platform, null))
        {
            wanting.ForEach(w => Log.QuotaFree(logger, w.Job.Id));
        }

        // The next pending slices, not all of them: a 54,750-slice job (R1) took 0.3 s to count and 1.4 s to read whole
        // at every tick, with the release gate held. Enough are read for a round's share and for every shop to have one.
        var candidates = wanting.Select(w => ReleasePolicy.PerShop(w.Job, store.Slices(w.Job.Id, SliceState.Pending, (Math.Min(w.Want.Count, room) * 2) + w.Job.Shops.Count))).ToList();
        var shares = FairShare.Allocate(
            [.. wanting.Select((w, i) => new Contender(w.Job.Id, w.Job.Priority, inFlight.Count(s => s.JobId == w.Job.Id), Math.Min(w.Want.Count, candidates[i].Count)))],
            room);
        for (var i = 0; i < wanting.Count; i++)
        {
            var (job, want) = wanting[i];
            if (shares[i] == 0)
            {
                Log.Held(logger, job.Id, $"the room on {platform} went to other jobs by their share ({inFlight.Count} slices in flight, cap {cap})");
                continue;
            }

            var count = await ReleaseJobAsync(job, want, candidates[i], shares[i], inFlight, plan, partitions, now, cancellationToken);
            released[job.Id] = count;
            Log.Released(logger, job.Id, count, shares[i]);
        }

        return released;
    }

    /// <summary>
    /// Releases up to <paramref name="count"/> of <paramref name="candidates"/> and records them in the job's period, even
    /// when a produce fails midway; the released join <paramref name="inFlight"/>, so the next job's lanes are chosen knowing them.
    /// </summary>
    private async Task<int> ReleaseJobAsync(JobRecord job, ReleaseWant want, IReadOnlyList<SliceRecord> candidates, int count, List<SliceRecord> inFlight, LanePlan plan, int partitions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var released = 0;
        if (job.RecordsFrom is null)
        {
            // Before the job's first step can go out: where its records will begin on the data topics, for the sink to
            // tell a loss of them from one of older records (RecordSpan). A broker that cannot be asked holds the job.
            var from = await recordEnds.ReadAsync(cancellationToken);
            store.Update(job.Id, stored => stored.RecordsFrom ??= from);
        }

        try
        {
            await ReleaseEachAsync();
        }
        finally
        {
            // On the job as stored now: the slices released here may have been reported done meanwhile, finishing the job,
            // and the copy this round read would bring it back to running.
            store.Update(job.Id, stored => ReleasePolicy.Released(stored, want, released, now));
        }

        return released;

        async Task ReleaseEachAsync()
        {
            // The round's slices are Released in the store, in one transaction, before any first step is produced, and
            // the produces go out together: one after another, a round would cost a transaction and a broker round trip
            // per slice while the gate keeps every platform's rounds waiting (docs/performance.md, Release rounds).
            var chosen = LaneChooser.Choose(candidates, inFlight, plan.Lanes, plan.Sticky ? plan.LanesOf : null, count, plan.Shares);
            var transitions = new List<Transition>(chosen.Count);
            foreach (var (slice, lane) in chosen)
            {
                slice.Attempt++;
                slice.Step = -1;
                slice.Cursor = null;
                slice.Error = null;
                slice.Failure = null;
                slice.Lane = lane;
                slice.Lanes = plan.Lanes;
                slice.ProgressAt = now;
                transitions.Add(slice.MoveTo(SliceState.Released, now, $"released (attempt {slice.Attempt}, lane {lane}/{plan.Lanes})"));
            }

            store.Save([.. chosen.Select(c => c.Slice)], transitions);
            var sends = chosen.Select(c => (c.Slice, Sent: ProduceFirstStepAsync(job, c.Slice, partitions, cancellationToken))).ToList();

            Exception? failed = null;
            foreach (var (slice, sent) in sends)
            {
                try
                {
                    await sent;
                    released++;
                    inFlight.Add(slice);
                    board.Released(job.Platform);
                }
                catch (Exception e) when (e is KafkaException or OperationCanceledException)
                {
                    // The attempt stays spent: a produce that failed (timed out) may have been written all the same, and
                    // its step would run; a release that reused the number would be dropped by the workers as a repeat.
                    store.Save(slice, slice.MoveTo(SliceState.Pending, time.GetUtcNow(), $"release of attempt {slice.Attempt} failed (the next release takes a new attempt): {e.Message}"));
                    Log.ReleaseFailed(logger, slice.Id, e.Message);
                    failed ??= e;
                }
            }

            if (failed is not null)
            {
                ExceptionDispatchInfo.Throw(failed);
            }
        }
    }

    /// <summary>Puts the failed slices of <paramref name="jobs"/> that are due for an automatic retry back to Pending, each retry logged and kept in the slice's history.</summary>
    private void RetryFailed(IEnumerable<JobRecord> jobs, DateTimeOffset now)
    {
        var rule = options.Value.AutoRetry.Rule;
        if (rule.Attempts == 0)
        {
            return;
        }

        foreach (var job in jobs)
        {
            if (store.Counts(job.Id).Failed == 0)
            {
                continue;
            }

            foreach (var slice in store.Slices(job.Id, SliceState.Failed).Where(s => rule.DueAt(s) <= now))
            {
                slice.AutoRetries++;
                var why = $"automatic retry {slice.AutoRetries} of {rule.Attempts} after a {slice.Failure} failure: {slice.Error}";
                store.Save(slice, slice.MoveTo(SliceState.Pending, now, why));
                Log.AutoRetried(logger, slice.Id, slice.AutoRetries, rule.Attempts, slice.Failure!);
            }
        }
    }

    /// <summary>
    /// Sends the first step of every slice of an unfinished job that is still Released (never started), once, when the
    /// scheduler starts. A slice is marked Released before its step is produced; a scheduler killed in between (crash-2)
    /// left a slice no worker would ever see, counted by the in-flight cap for ever. A copy of a step that did go out is
    /// the same attempt and step: the worker's step ledger drops it, or the idempotent sink absorbs its orders (R5).
    /// </summary>
    public async Task<int> ResendReleasedAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            var partitions = actionTopic.Partitions();
            var sent = 0;
            foreach (var job in store.ActiveJobs())
            {
                foreach (var slice in store.Slices(job.Id, SliceState.Released))
                {
                    await ProduceFirstStepAsync(job, slice, partitions, cancellationToken);
                    sent++;
                }
            }

            if (sent > 0)
            {
                Log.Resent(logger, sent);
            }

            return sent;
        }
        finally
        {
            Gate.Release();
        }
    }

    private async Task ProduceFirstStepAsync(JobRecord job, SliceRecord slice, int partitions, CancellationToken cancellationToken)
    {
        var partition = new TopicPartition(connection.Topics.Actions, LanePlan.Partition(job.Platform, slice.Lane, partitions));
        var action = new ActionMessage
        {
            Partition = partition.Partition.Value,
            Job = job.Id,
            Slice = slice.Id,
            Attempt = slice.Attempt,
            Step = 0,
            Platform = job.Platform,
            Shop = slice.Shop,
            From = slice.From,
            To = slice.To,
            Lane = slice.Lane,
            Lanes = slice.Lanes,
            Priority = JobPriorityNames.Name(job.Priority),
            Data = job.Data,
            TimeField = job.TimeField,
        };
        using var activity = BackfillTelemetry.StartRoot(BackfillTelemetry.Release, ActivityKind.Producer);
        activity?.SetTag(BackfillTelemetry.Tags.Job, action.Job)
            .SetTag(BackfillTelemetry.Tags.Slice, action.Slice)
            .SetTag(BackfillTelemetry.Tags.Attempt, action.Attempt)
            .SetTag(BackfillTelemetry.Tags.Platform, action.Platform)
            .SetTag(BackfillTelemetry.Tags.Shop, action.Shop)
            .SetTag(BackfillTelemetry.Tags.Lane, action.Lane);
        try
        {
            await producer.ProduceAsync(partition, new Message<string, byte[]> { Key = action.Key, Value = MessageCodec.Encode(action), Headers = TraceHeaders.Of(activity) }, cancellationToken);
        }
        catch (Exception e) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="change"/> while no release runs, so a release either finished before it or reads the job as
    /// it left it: once a pause or a cancel returns, no slice of that job goes out.
    /// </summary>
    internal async Task<T> BetweenReleasesAsync<T>(Func<Task<T>> change, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            return await change();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Why the platform's budget has no room for more work now, or null (quota-aware release).</summary>
    private async Task<string?> QuotaHoldAsync(string platform, LanePlan plan, int partitions, long lagLimit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (board.QuotaSpentUntil(platform) is { } spent)
        {
            return $"{platform}: quota spent, resumes at {spent:O}";
        }

        if (board.CoolingOffUntil(platform) is { } until)
        {
            return $"{platform} cools off until {until:O} after repeated throttles";
        }

        var lag = await LaneLagAsync(actionTopic, board, platform, plan, partitions, cancellationToken);
        return lag > lagLimit
            ? $"{lag} action messages of {platform} wait unconsumed (more than {lagLimit}: Backfill:MaxActionLag {options.Value.MaxActionLag}{(lagLimit > options.Value.MaxActionLag ? ", raised with the in-flight cap" : "")}) at {now:O}"
            : null;
    }

    /// <summary>
    /// The lag of the platform's lanes, the sum of their partitions'; each partition's figure goes to the board, which
    /// shows it in status and metrics and reports a skew (R8). The release path and <c>/metrics</c> read it alike.
    /// </summary>
    public static async Task<long> LaneLagAsync(ActionTopic actionTopic, PlatformBoard board, string platform, LanePlan plan, int partitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actionTopic);
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(plan);
        var partitionOf = Enumerable.Range(0, plan.Lanes).ToDictionary(lane => lane, lane => LanePlan.Partition(platform, lane, partitions));
        var lag = await actionTopic.LagByPartitionAsync(partitionOf.Values, cancellationToken);
        board.LagRead(platform, partitionOf.ToDictionary(l => l.Key, l => (l.Value, lag.GetValueOrDefault(l.Value))));
        return lag.Values.Sum();
    }

    private static partial class Log
    {
        [LoggerMessage(4, LogLevel.Information, "Job {Job}: nothing released, the platform's budget has no room: {Reason}")]
        public static partial void QuotaHeld(ILogger logger, string job, string reason);

        [LoggerMessage(5, LogLevel.Information, "Job {Job}: the platform's budget has room again; releasing")]
        public static partial void QuotaFree(ILogger logger, string job);

        [LoggerMessage(1, LogLevel.Debug, "Job {Job}: nothing released ({Reason})")]
        public static partial void Held(ILogger logger, string job, string reason);

        [LoggerMessage(2, LogLevel.Information, "Job {Job}: released {Released} of the {Planned} slice(s) of its share")]
        public static partial void Released(ILogger logger, string job, int released, int planned);

        [LoggerMessage(3, LogLevel.Error, "Release of slice {Slice} failed; back to Pending: {Error}")]
        public static partial void ReleaseFailed(ILogger logger, string slice, string error);

        [LoggerMessage(7, LogLevel.Information, "Slice {Slice}: automatic retry {Retry} of {Attempts} after a {Failure} failure")]
        public static partial void AutoRetried(ILogger logger, string slice, int retry, int attempts, string failure);

        [LoggerMessage(6, LogLevel.Warning, "Sent the first step of {Count} slice(s) again that a previous scheduler marked released; copies of steps that did go out are dropped by the workers")]
        public static partial void Resent(ILogger logger, int count);
    }
}
