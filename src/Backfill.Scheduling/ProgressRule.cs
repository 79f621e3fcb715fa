using Backfill.Core.Jobs;
using Backfill.Messaging.Contracts;

namespace Backfill.Scheduling;

/// <summary>
/// Which progress a slice takes: only reports of its current attempt while that attempt is in flight (Released or
/// Running), and each step once. Everything else is stale or repeated and ignored, never refused: a report of an older
/// attempt, of an attempt released again since (a stuck slice, a failed produce), a redelivered failure after the slice
/// was retried, anything for a Pending or finished slice. So every report it lets through is a move the slice state
/// machine allows (R5).
/// </summary>
internal static class ProgressRule
{
    /// <summary>Why <paramref name="progress"/> does not apply to <paramref name="slice"/>; null when it does.</summary>
    public static string? Ignored(SliceRecord? slice, ProgressMessage progress) => slice switch
    {
        null => "no such slice",
        _ when slice.JobId != progress.Job => $"the slice belongs to job {slice.JobId}, not {progress.Job}",
        _ when progress.Attempt != slice.Attempt => $"attempt {progress.Attempt}, the slice is on attempt {slice.Attempt}",
        { State: not (SliceState.Released or SliceState.Running) } => $"the slice is {slice.State.ToString().ToLowerInvariant()}",
        _ when progress.Kind == ProgressKind.StepDone && progress.Step <= slice.Step => $"step {progress.Step} was applied already",
        _ => null,
    };
}
