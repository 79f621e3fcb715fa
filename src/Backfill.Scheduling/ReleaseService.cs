using Backfill.Core.Jobs;
using Backfill.Core.Release;
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
/// Moves the next batch of a job's slices from LiteDB to the action topic, as <see cref="ReleasePolicy"/> allows, onto
/// the platform's lanes as <see cref="LaneChooser"/> picks them; nothing while the platform cools off or its lanes' lag is
/// over <see cref="BackfillOptions.MaxActionLag"/>. A slice is marked Released before its first step is produced, so its
/// progress can never arrive first; a failed produce puts it back to Pending, its attempt spent (attempts are never reused).
/// </summary>
public sealed partial class ReleaseService(
    JobStore store,
    IProducer<string, byte[]> producer,
    KafkaConnection connection,
    ActionTopic actionTopic,
    PlatformBoard board,
    IOptionsMonitor<PlatformOptions> platforms,
    IOptions<BackfillOptions> options,
    TimeProvider time,
    ILogger<ReleaseService> logger)
{
    // One release at a time in this process, so two jobs of one platform cannot both fill the same room.
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Releases what is due for <paramref name="jobId"/>; returns how many slices went out.</summary>
    public async Task<int> ReleaseAsync(string jobId, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            var job = store.Job(jobId);
            if (job is null)
            {
                return 0;
            }

            var now = time.GetUtcNow();
            var inFlight = store.InFlightSlices(job.Platform);

            // The next pending slices, not a count of all of them: the policy releases at most SlicesPerRelease, and a
            // 54,750-slice job (R1) took 0.3 s to count and 1.4 s to read whole at every tick, with the release gate held.
            var candidates = store.Slices(jobId, SliceState.Pending, Math.Max(job.SlicesPerRelease * 4, job.Shops.Count * 2));
            var limits = new ReleaseLimits(candidates.Count, inFlight.Count, options.Value.MaxInFlightPerPlatform);
            var decision = ReleasePolicy.Decide(job, limits, now);
            if (decision.Count == 0)
            {
                Log.Held(logger, jobId, decision.Reason);
                return 0;
            }

            var plan = LanePlan.For(platforms.Get(job.Platform).RateLimit);
            var partitions = actionTopic.Partitions();
            if (await QuotaHoldAsync(job.Platform, plan, partitions, now, cancellationToken) is { } hold)
            {
                if (board.Held(job.Platform, hold))
                {
                    Log.QuotaHeld(logger, jobId, hold);
                }

                return 0;
            }

            if (board.Held(job.Platform, null))
            {
                Log.QuotaFree(logger, jobId);
            }

            var released = 0;
            foreach (var (slice, lane) in LaneChooser.Choose(candidates, inFlight, plan.Lanes, plan.Sticky ? plan.LanesOf : null, decision.Count))
            {
                slice.Attempt++;
                slice.Step = -1;
                slice.Cursor = null;
                slice.Error = null;
                slice.Lane = lane;
                slice.Lanes = plan.Lanes;
                slice.ProgressAt = now;
                store.Save(slice, slice.MoveTo(SliceState.Released, now, $"released (attempt {slice.Attempt}, lane {lane}/{plan.Lanes})"));
                try
                {
                    await ProduceFirstStepAsync(job, slice, partitions, cancellationToken);
                    released++;
                    board.Released(job.Platform);
                }
                catch (Exception e) when (e is KafkaException or OperationCanceledException)
                {
                    // The attempt stays spent: a produce that failed (timed out) may have been written all the same, and
                    // its step would run; a release that reused the number would be dropped by the workers as a repeat.
                    store.Save(slice, slice.MoveTo(SliceState.Pending, time.GetUtcNow(), $"release of attempt {slice.Attempt} failed (the next release takes a new attempt): {e.Message}"));
                    Log.ReleaseFailed(logger, slice.Id, e.Message);
                    throw;
                }
            }

            job.LastReleaseAt = now;
            store.Save(job);
            Log.Released(logger, jobId, released, decision.Count);
            return released;
        }
        finally
        {
            Gate.Release();
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
            Data = job.Data,
            TimeField = job.TimeField,
        };
        await producer.ProduceAsync(partition, new Message<string, byte[]> { Key = action.Key, Value = MessageCodec.Encode(action) }, cancellationToken);
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
    private async Task<string?> QuotaHoldAsync(string platform, LanePlan plan, int partitions, DateTimeOffset now, CancellationToken cancellationToken)
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
        return lag > options.Value.MaxActionLag
            ? $"{lag} action messages of {platform} wait unconsumed (Backfill:MaxActionLag {options.Value.MaxActionLag}) at {now:O}"
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

        [LoggerMessage(2, LogLevel.Information, "Job {Job}: released {Released} of {Planned} slices")]
        public static partial void Released(ILogger logger, string job, int released, int planned);

        [LoggerMessage(3, LogLevel.Error, "Release of slice {Slice} failed; back to Pending: {Error}")]
        public static partial void ReleaseFailed(ILogger logger, string slice, string error);

        [LoggerMessage(6, LogLevel.Warning, "Sent the first step of {Count} slice(s) again that a previous scheduler marked released; copies of steps that did go out are dropped by the workers")]
        public static partial void Resent(ILogger logger, int count);
    }
}
