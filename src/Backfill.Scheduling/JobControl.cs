using Backfill.Core.Jobs;
using Backfill.Core.Release;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Backfill.Scheduling;

/// <summary>
/// Operator commands on a job: pause, resume, cancel, retry and a new cadence (R4, R11). Each runs between two releases
/// and while no progress is applied, so neither can undo it: once a pause or a cancel returns, no slice of the job is
/// released. A new run state is told to the fleet on the control topic before it is stored, so a command Kafka could
/// not carry changes nothing; workers stop a cancelled job's steps before their next page.
/// </summary>
public sealed partial class JobControl(
    JobStore store,
    ReleaseService releases,
    ReleaseTriggers triggers,
    ProgressApplier progress,
    IProducer<string, byte[]> producer,
    KafkaConnection connection,
    TimeProvider time,
    ILogger<JobControl> logger)
{
    /// <summary>Stops the job's releases; its slices in flight finish.</summary>
    /// <param name="by">Who asked, for the audit trail (never a secret).</param>
    /// <exception cref="JobNotFoundException">No such job.</exception>
    /// <exception cref="JobCommandRefusedException">The job is not running.</exception>
    /// <exception cref="KafkaException">The fleet could not be told; nothing changed.</exception>
    public Task<JobRecord> PauseAsync(string jobId, string by, CancellationToken cancellationToken) => ExclusiveAsync(async () =>
    {
        var job = Load(jobId, JobCommand.Pause);
        await AnnounceAsync(job.Id, "paused", by, cancellationToken);
        store.Save(job, job.MoveTo(JobState.Paused, time.GetUtcNow(), $"paused by {by}"));
        Log.Changed(logger, job.Id, "paused", by);
        return job;
    }, cancellationToken);

    /// <summary>Lets the job's releases go on at its cadence, the next one as soon as it is due.</summary>
    /// <exception cref="JobNotFoundException">No such job.</exception>
    /// <exception cref="JobCommandRefusedException">The job is not paused.</exception>
    public Task<JobRecord> ResumeAsync(string jobId, string by, CancellationToken cancellationToken) => ExclusiveAsync(async () =>
    {
        var job = Load(jobId, JobCommand.Resume);
        await AnnounceAsync(job.Id, "running", by, cancellationToken);
        store.Save(job, job.MoveTo(JobState.Running, time.GetUtcNow(), $"resumed by {by}"));
        await triggers.ScheduleAsync(job, cancellationToken);
        Log.Changed(logger, job.Id, "resumed", by);
        return job;
    }, cancellationToken);

    /// <summary>
    /// Cancels the job and all its unfinished slices at once, pending and in flight: workers stop the steps in flight
    /// before their next page (the control topic), and what they report later is ignored as stale. No slice of the job
    /// stays in flight in the store, so none holds a place under the in-flight cap however its workers fare.
    /// </summary>
    /// <exception cref="JobNotFoundException">No such job.</exception>
    /// <exception cref="JobCommandRefusedException">The job is already finished.</exception>
    public Task<CancelOutcome> CancelAsync(string jobId, string by, CancellationToken cancellationToken) => ExclusiveAsync(async () =>
    {
        var job = Load(jobId, JobCommand.Cancel);
        await AnnounceAsync(job.Id, ControlMessage.Cancelled, by, cancellationToken);
        var now = time.GetUtcNow();
        var pending = store.Slices(job.Id, SliceState.Pending);
        var inFlight = store.Slices(job.Id, SliceState.Released).Concat(store.Slices(job.Id, SliceState.Running)).ToList();
        var transitions = pending.Select(s => s.MoveTo(SliceState.Cancelled, now, $"job cancelled by {by} before its release"))
            .Concat(inFlight.Select(s => s.MoveTo(SliceState.Cancelled, now, $"job cancelled by {by} while attempt {s.Attempt} was in flight; its worker stops it before its next page")))
            .ToList();
        store.Save([.. pending, .. inFlight], transitions);
        store.Save(job, job.MoveTo(JobState.Cancelled, now, $"cancelled by {by}"));
        Log.Cancelled(logger, job.Id, by, pending.Count, inFlight.Count);
        return new CancelOutcome(job, pending.Count, inFlight.Count);
    }, cancellationToken);

    /// <summary>Moves the job's failed slices (or the one given) back to Pending; a failed job runs again.</summary>
    /// <param name="slice">One slice id, or null for every failed slice.</param>
    /// <exception cref="JobNotFoundException">No such job, or the job has no such slice.</exception>
    /// <exception cref="JobCommandRefusedException">The job is cancelled, its slices were deleted (retention), nothing failed, or the slice given did not fail.</exception>
    /// <exception cref="JobOverlapException">The failed job would run again alongside an active job of the same shops and days.</exception>
    public Task<RetryOutcome> RetryAsync(string jobId, string? slice, string by, CancellationToken cancellationToken) =>
        RetryAsync(jobId, slice, force: false, by, cancellationToken);

    /// <summary>
    /// As <see cref="RetryAsync(string, string?, string, CancellationToken)"/>; with <paramref name="force"/>, succeeded
    /// slices run again too and a succeeded job runs again (R10: the sink absorbs the repeated orders).
    /// </summary>
    /// <param name="force">Re-run succeeded slices too; slices pending or in flight are left as they are.</param>
    public Task<RetryOutcome> RetryAsync(string jobId, string? slice, bool force, string by, CancellationToken cancellationToken) => ExclusiveAsync(async () =>
    {
        var job = store.Job(jobId) ?? throw new JobNotFoundException($"No job '{jobId}'.");
        if (store.Totals(job.Id).PrunedAt is { } pruned)
        {
            throw new JobCommandRefusedException($"Job {job.Id}'s slices were deleted on {pruned:yyyy-MM-dd}, more than Backfill:KeepFinishedJobs after it finished: it cannot run again. Start a new job for its days.");
        }

        var choice = JobCommands.ChooseRetry(job, store.Slices(job.Id), slice, force);
        if (choice.UnknownSlice)
        {
            throw new JobNotFoundException(choice.Refusal!);
        }

        if (choice.Refusal is { } refusal)
        {
            throw new JobCommandRefusedException(refusal);
        }

        var reactivate = job.State is JobState.Failed or JobState.Succeeded;
        if (reactivate)
        {
            var others = store.ActiveJobs().Where(j => j.Id != job.Id);
            if (OverlapRule.Find(job.Platform, job.Shops, job.FirstDay, job.EndDay, others, job.Data) is { } overlap)
            {
                throw new JobOverlapException(overlap);
            }

            await AnnounceAsync(job.Id, "running", by, cancellationToken);
        }

        var now = time.GetUtcNow();
        var transitions = choice.Slices
            .Select(s => s.MoveTo(SliceState.Pending, now, s.State == SliceState.Succeeded ? $"re-run by {by} (forced retry) after it succeeded" : $"retried by {by} after: {s.Error ?? "failed"}", force))
            .ToList();
        store.Save(choice.Slices, transitions);
        if (reactivate)
        {
            if (choice.Slices.Count == store.Counts(job.Id).Total)
            {
                // Every slice runs again: the records of this run are the job's whole data, so where they lie starts anew
                // (RecordSpan), and a loss among the earlier run's records no longer concerns it.
                job.RecordsFrom = null;
            }

            var what = force ? "slice(s) re-run by a forced retry" : "failed slice(s) retried";
            store.Save(job, job.MoveTo(JobState.Running, now, $"{choice.Slices.Count} {what} by {by}", force));
        }

        if (job.State.IsActive())
        {
            await triggers.ScheduleAsync(job, cancellationToken);
        }

        Log.Retried(logger, job.Id, by, choice.Slices.Count, force);
        return new RetryOutcome(job, [.. choice.Slices.Select(s => s.Id)]);
    }, cancellationToken);

    /// <summary>Changes the job's cadence or priority live: its release trigger is replaced, so the change holds from the next release.</summary>
    /// <param name="releaseEvery">The new cadence (zero: <c>auto</c>), or null to keep it.</param>
    /// <param name="slicesPerRelease">The new batch size per shop, or null to keep it.</param>
    /// <param name="priority">The new priority, or null to keep it.</param>
    /// <exception cref="JobNotFoundException">No such job.</exception>
    /// <exception cref="JobCommandRefusedException">The job is finished.</exception>
    public Task<JobRecord> ChangeCadenceAsync(string jobId, TimeSpan? releaseEvery, int? slicesPerRelease, string by, CancellationToken cancellationToken, JobPriority? priority = null)
    {
        if (releaseEvery < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(releaseEvery), releaseEvery, "must be positive or zero (auto)");
        }

        if (slicesPerRelease < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(slicesPerRelease), slicesPerRelease, "must be at least 1");
        }

        return ExclusiveAsync(async () =>
        {
            var job = Load(jobId, JobCommand.ChangeCadence);
            var was = Cadence(job);
            job.ReleaseEvery = releaseEvery ?? job.ReleaseEvery;
            job.SlicesPerRelease = slicesPerRelease ?? job.SlicesPerRelease;
            job.Priority = priority ?? job.Priority;
            var now = Cadence(job);
            var state = job.State.ToString();
            store.Save(job, new Transition(job.Id, state, state, time.GetUtcNow(), $"cadence set by {by}: {now} (was {was})"));
            await triggers.ScheduleAsync(job, cancellationToken);
            Log.CadenceChanged(logger, job.Id, by, now, was);
            return job;
        }, cancellationToken);
    }

    private static string Cadence(JobRecord job) =>
        $"every {ReleaseCadence.Format(job.ReleaseEvery)}, {job.SlicesPerRelease} per shop per release, priority {JobPriorityNames.Name(job.Priority)}";

    private JobRecord Load(string jobId, JobCommand command)
    {
        var job = store.Job(jobId) ?? throw new JobNotFoundException($"No job '{jobId}'.");
        return JobCommands.Refusal(command, job) is { } refusal ? throw new JobCommandRefusedException(refusal) : job;
    }

    private Task<T> ExclusiveAsync<T>(Func<Task<T>> command, CancellationToken cancellationToken) =>
        releases.BetweenReleasesAsync(
            async () =>
            {
                await progress.Sync.WaitAsync(cancellationToken);
                try
                {
                    return await command();
                }
                finally
                {
                    progress.Sync.Release();
                }
            },
            cancellationToken);

    /// <summary>The control topic is compacted by job id: its last word on a job is the job's run state.</summary>
    private async Task AnnounceAsync(string jobId, string state, string by, CancellationToken cancellationToken)
    {
        var message = ControlMessage.JobStateOf(jobId, state, $"{state} by {by}");
        await producer.ProduceAsync(connection.Topics.Control, new Message<string, byte[]> { Key = message.Key, Value = MessageCodec.Encode(message) }, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Job {Job} {Change} by {By}")]
        public static partial void Changed(ILogger logger, string job, string change, string by);

        [LoggerMessage(2, LogLevel.Information, "Job {Job} cancelled by {By}: {Pending} pending and {InFlight} in-flight slice(s) cancelled; workers stop those in flight before their next page")]
        public static partial void Cancelled(ILogger logger, string job, string by, int pending, int inFlight);

        [LoggerMessage(3, LogLevel.Information, "Job {Job}: {Slices} slice(s) back to pending, by {By} (forced: {Force})")]
        public static partial void Retried(ILogger logger, string job, string by, int slices, bool force);

        [LoggerMessage(4, LogLevel.Information, "Job {Job}: cadence set by {By}: {Now} (was {Was})")]
        public static partial void CadenceChanged(ILogger logger, string job, string by, string now, string was);
    }
}

/// <summary>A cancel's effect: the job, and its slices cancelled, pending ones and those in flight (whose workers stop them before their next page).</summary>
public sealed record CancelOutcome(JobRecord Job, int PendingCancelled, int InFlightCancelled);

/// <summary>A retry's effect: the job and the slices moved back to Pending.</summary>
public sealed record RetryOutcome(JobRecord Job, IReadOnlyList<string> Retried);
