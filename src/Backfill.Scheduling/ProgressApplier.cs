using System.Diagnostics;
using Backfill.Messaging;
using Backfill.Core.Jobs;
using Backfill.Core.Telemetry;
using Backfill.Messaging.Contracts;
using Backfill.Scheduling.Alerts;
using Backfill.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backfill.Scheduling;

/// <summary>
/// Applies workers' progress to LiteDB; the scheduler is its only writer. What applies is <see cref="ProgressRule"/>'s
/// to say: stale or repeated reports are ignored and counted, never thrown on, so redeliveries, redone steps and
/// reports of an attempt released again since change nothing (R5). A failed slice and a finished job are raised on
/// <paramref name="alerts"/> once applied.
/// </summary>
public sealed partial class ProgressApplier(JobStore store, PlatformBoard board, IOptions<BackfillOptions> options, TimeProvider time, ILogger<ProgressApplier> logger, IAlerts? alerts = null)
{
    private long _stale;
    private long _delayTicks = -1;

    /// <summary>Progress messages ignored as stale or repeated.</summary>
    public long Ignored => Interlocked.Read(ref _stale);

    /// <summary>
    /// How long after its worker sent it the oldest report of the last batch applied was applied (the workers' clocks
    /// read against this one's; never below zero); null before the first. Until a slice's report is applied, releases
    /// count the slice in flight: a delay of seconds holds releases for work that is done.
    /// </summary>
    public TimeSpan? Delay => Interlocked.Read(ref _delayTicks) is var ticks and >= 0 ? TimeSpan.FromTicks(ticks) : null;

    /// <summary>Held while progress is applied; operator commands (<see cref="JobControl"/>) take it too, so neither overwrites the other's job or slices.</summary>
    internal SemaphoreSlim Sync { get; } = new(1, 1);

    /// <param name="step">The trace context of the step that sent the report (its message's headers); default: none.</param>
    /// <exception cref="UnappliableProgressException">The report names no slice, another job's, or an attempt never released: the reader parks it.</exception>
    public void Apply(ProgressMessage progress, ActivityContext step = default) => Apply([(progress, step)]);

    /// <summary>
    /// Applies the reports in order, in one transaction: all of them or, when one throws, none. One transaction (one
    /// fsync) for a batch instead of one per report is what lets the scheduler keep up with a fleet's reports while the
    /// sink writes records to the same file; a report applied late keeps its slice in flight as far as releases know.
    /// What the reports cause outside the file (the board's lane reports, alerts, log lines, the stale count) happens
    /// once the transaction is committed, so a batch that fails and is applied again report by report causes it once.
    /// </summary>
    /// <exception cref="UnappliableProgressException">One of the reports cannot be applied (see the other overload): nothing of the batch is.</exception>
    public void Apply(IReadOnlyList<(ProgressMessage Progress, ActivityContext Step)> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var effects = new List<Action>();
        var activities = new List<(Activity Activity, string Outcome)>();
        Sync.Wait();
        try
        {
            store.InOneTransaction(() =>
            {
                foreach (var (progress, step) in batch)
                {
                    ArgumentNullException.ThrowIfNull(progress);
                    var activity = StartActivity(progress, step);
                    try
                    {
                        var outcome = ApplyOne(progress, effects);
                        if (activity is not null)
                        {
                            activities.Add((activity, outcome));
                        }
                    }
                    catch (Exception e) when (activity is not null)
                    {
                        activity.SetTag(BackfillTelemetry.Tags.Outcome, "parked").SetStatus(ActivityStatusCode.Error, e.Message);
                        activity.Dispose();
                        throw;
                    }
                }

                return 0;
            });
        }
        catch
        {
            foreach (var (activity, _) in activities)
            {
                activity.SetTag(BackfillTelemetry.Tags.Outcome, "rolled back").Dispose();
            }

            throw;
        }
        finally
        {
            Sync.Release();
        }

        if (batch.Count > 0)
        {
            var oldest = batch.Min(b => b.Progress.At);
            Interlocked.Exchange(ref _delayTicks, Math.Max(0, (time.GetUtcNow() - oldest).Ticks));
        }

        foreach (var (activity, outcome) in activities)
        {
            activity.SetTag(BackfillTelemetry.Tags.Outcome, outcome).Dispose();
        }

        foreach (var effect in effects)
        {
            effect();
        }
    }

    private static Activity? StartActivity(ProgressMessage progress, ActivityContext step) =>
        BackfillTelemetry.Source.StartActivity(BackfillTelemetry.Progress, ActivityKind.Consumer, step)
            ?.SetTag(BackfillTelemetry.Tags.Job, progress.Job)
            .SetTag(BackfillTelemetry.Tags.Slice, progress.Slice)
            .SetTag(BackfillTelemetry.Tags.Attempt, progress.Attempt)
            .SetTag(BackfillTelemetry.Tags.Step, progress.Step)
            .SetTag(BackfillTelemetry.Tags.Kind, progress.Kind.ToString());

    /// <summary>Applies the report to the file; returns <c>applied</c>, or <c>ignored</c> for a stale or repeated one. What it causes outside the file goes to <paramref name="effects"/>.</summary>
    private string ApplyOne(ProgressMessage progress, List<Action> effects)
    {
        var slice = store.Slice(progress.Slice);
        using var scope = SliceLogScope.Begin(logger, progress.Job, progress.Slice, slice?.Shop, slice?.Platform);
        var deleted = slice is null && store.Job(progress.Job) is { IsFinished: true } job && store.Totals(job.Id).PrunedAt is not null;
        var (fit, why) = ProgressRule.Judge(slice, progress, deleted);
        if (fit == ProgressFit.Impossible)
        {
            throw new UnappliableProgressException($"{progress.Kind} of slice {progress.Slice} (job {progress.Job}, attempt {progress.Attempt}, step {progress.Step}) cannot be applied: {why}");
        }

        if (slice is not null && progress.Process.Length > 0)
        {
            // Stale or not, the report says how the sending process's Kafka is doing.
            var platform = slice.Platform;
            effects.Add(() => board.WorkerKafkaReported(platform, progress.Process, progress.CommitFailures, progress.Evictions));
        }

        if (slice is null || fit == ProgressFit.Stale)
        {
            effects.Add(() =>
            {
                Interlocked.Increment(ref _stale);
                Log.Ignored(logger, progress.Kind, progress.Slice, progress.Attempt, progress.Step, why ?? "");
            });
            return "ignored";
        }

        slice.ProgressAt = time.GetUtcNow();
        var transitions = new List<Transition>();
        // A step dropped before its first call (its job cancelled) never ran.
        if (slice.State == SliceState.Released && progress.Kind != ProgressKind.SliceCancelled)
        {
            transitions.Add(slice.MoveTo(SliceState.Running, progress.At, $"step {progress.Step} started by {progress.Worker}"));
        }

        switch (progress.Kind)
        {
            case ProgressKind.StepStarted:
                break;
            case ProgressKind.StepDone:
                var reported = slice.Platform;
                effects.Add(() => board.StepReported(reported, progress.Lane, progress.LaneRate, progress.Throttles, progress.Worker, progress.At, progress.Pages, progress.LaneLatency, progress.Calls, progress.Elapsed));
                slice.Step = progress.Step;
                slice.Pages += progress.Pages;
                StepData.Add(slice, progress.CallsByData, progress.RecordsByData, progress.Calls, progress.Orders);
                slice.Calls += progress.Calls;
                slice.Orders += progress.Orders;
                slice.Cursor = progress.Cursor;
                slice.UpdatedAt = progress.At;
                break;
            case ProgressKind.SliceSucceeded:
                transitions.Add(slice.MoveTo(SliceState.Succeeded, progress.At, $"last page after {slice.Step + 1} steps, {slice.Orders} orders"));
                break;
            case ProgressKind.SliceCancelled:
                if (progress.Step > slice.Step && progress.Pages > 0)
                {
                    slice.Step = progress.Step;
                    slice.Pages += progress.Pages;
                    StepData.Add(slice, null, progress.RecordsByData, 0, progress.Orders);
                    slice.Orders += progress.Orders;
                    slice.Cursor = progress.Cursor;
                }

                transitions.Add(slice.MoveTo(SliceState.Cancelled, progress.At, $"job cancelled: {progress.Worker} stopped it before its next page ({slice.Pages} pages, {slice.Orders} orders)"));
                break;
            case ProgressKind.SliceFailed:
                slice.Error = progress.Error;
                slice.Failure = progress.Failure;
                transitions.Add(slice.MoveTo(SliceState.Failed, progress.At, progress.Error ?? "failed"));
                break;
        }

        store.Save([slice], transitions);
        if (slice.State == SliceState.Failed && alerts is not null)
        {
            var failed = Alert.SliceFailed(slice, progress.At);
            effects.Add(() => alerts.Raise(failed));
        }

        if (slice.State.IsTerminal())
        {
            FinishJobIfDone(slice.JobId, effects);
        }

        return "applied";
    }

    private void FinishJobIfDone(string jobId, List<Action> effects)
    {
        var job = store.Job(jobId);
        if (job is null || job.IsFinished || store.Counts(jobId).Outcome() is not { } outcome)
        {
            return;
        }

        // A failed slice that will be retried by itself keeps its job running: the release round retries it.
        var rule = options.Value.AutoRetry.Rule;
        if (outcome == JobState.Failed && store.Slices(jobId, SliceState.Failed).Where(rule.Awaits).ToList() is { Count: > 0 } awaiting)
        {
            var due = awaiting.Min(s => rule.DueAt(s))!.Value;
            effects.Add(() => Log.AwaitsRetry(logger, jobId, awaiting.Count, due));
            return;
        }

        var now = time.GetUtcNow();
        store.Save(job, job.MoveTo(outcome, now, "every slice is finished"));
        var finished = alerts is null ? null : Alert.JobFinished(job, store.Counts(jobId), now);
        effects.Add(() =>
        {
            Log.JobFinished(logger, jobId, outcome);
            if (finished is not null)
            {
                alerts!.Raise(finished);
            }
        });
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Job {Job} finished: {State}")]
        public static partial void JobFinished(ILogger logger, string job, JobState state);

        [LoggerMessage(3, LogLevel.Information, "Job {Job}: every slice is finished, {Count} failed slice(s) will be retried automatically from {At:O}")]
        public static partial void AwaitsRetry(ILogger logger, string job, int count, DateTimeOffset at);

        [LoggerMessage(2, LogLevel.Debug, "Progress {Kind} of slice {Slice} (attempt {Attempt}, step {Step}) ignored: {Why}")]
        public static partial void Ignored(ILogger logger, ProgressKind kind, string slice, int attempt, int step, string why);
    }
}

/// <summary>A well-formed progress report that no release could have caused (<see cref="ProgressFit.Impossible"/>); its reader parks it with this message.</summary>
public sealed class UnappliableProgressException(string message) : Exception(message);
