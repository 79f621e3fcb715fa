using Backfill.Core.Jobs;
using Backfill.Messaging.Contracts;

namespace Backfill.Scheduling;

/// <summary>How a progress report fits the slice it names.</summary>
internal enum ProgressFit
{
    /// <summary>A report of the slice's current attempt while it is in flight, each step once.</summary>
    Applies,

    /// <summary>
    /// Late or repeated: of an older attempt, of the current attempt after the slice left flight (retried, released
    /// again, back to Pending after a failed produce, finished), or a step already applied. Ignored and counted.
    /// </summary>
    Stale,

    /// <summary>
    /// Not a report any release could have caused: no such slice, another job's slice, or an attempt never released
    /// (0, or above the slice's). It cannot be applied, ever: parked on the dead-letter topic with why.
    /// </summary>
    Impossible,
}

/// <summary>
/// Which progress a slice takes (R5). Attempts only grow, one per release, so a report of an attempt at most the
/// slice's current one was caused by a real release and may just be late; one above it, or of attempt 0, was not.
/// Whatever <see cref="ProgressFit.Applies"/> is a move the slice state machine allows, so applying never throws.
/// </summary>
internal static class ProgressRule
{
    /// <param name="slicesDeleted">The report's job exists and its slices were deleted as it aged (late news of them is stale).</param>
    public static (ProgressFit Fit, string? Why) Judge(SliceRecord? slice, ProgressMessage progress, bool slicesDeleted = false) => slice switch
    {
        null when slicesDeleted => (ProgressFit.Stale, $"job {progress.Job} is finished and its slices were deleted"),
        null => (ProgressFit.Impossible, $"no slice {progress.Slice}"),
        _ when slice.JobId != progress.Job => (ProgressFit.Impossible, $"slice {slice.Id} belongs to job {slice.JobId}, not {progress.Job}"),
        _ when progress.Attempt < 1 || progress.Attempt > slice.Attempt =>
            (ProgressFit.Impossible, $"attempt {progress.Attempt} of slice {slice.Id} was never released (it is on attempt {slice.Attempt}, {Lower(slice.State)})"),
        _ when progress.Attempt < slice.Attempt => (ProgressFit.Stale, $"attempt {progress.Attempt}, the slice is on attempt {slice.Attempt}"),
        { State: not (SliceState.Released or SliceState.Running) } => (ProgressFit.Stale, $"the slice is {Lower(slice.State)}"),
        _ when progress.Kind == ProgressKind.StepDone && progress.Step <= slice.Step => (ProgressFit.Stale, $"step {progress.Step} was applied already"),
        _ => (ProgressFit.Applies, null),
    };

    private static string Lower(SliceState state) => state.ToString().ToLowerInvariant();
}
