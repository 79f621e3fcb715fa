using Backfill.Server.Jobs;

namespace Backfill.Cli.Output;

/// <summary>How far a job is, as one figure: the share of its slices that are finished (succeeded, failed or cancelled).</summary>
internal static class JobProgress
{
    public static int Done(SliceTotals slices) => slices.Succeeded + slices.Failed + slices.Cancelled;

    /// <summary>Rounded down, so 100 means every slice is finished.</summary>
    public static int Percent(SliceTotals slices) => slices.Total == 0 ? 0 : (int)(100L * Done(slices) / slices.Total);

    public static bool IsFinished(JobStatus status) => status.State is "succeeded" or "failed" or "cancelled";
}
