using Backfill.Server.Jobs;

namespace Backfill.Cli.Output;

/// <summary>How far a job is: the share of its slices that are finished (succeeded, failed or cancelled), and whether it is over.</summary>
internal static class JobProgress
{
    public static int Done(SliceTotals slices) => slices.Succeeded + slices.Failed + slices.Cancelled;

    /// <summary>Rounded down, so 100 means every slice is finished.</summary>
    public static int Percent(SliceTotals slices) => slices.Total == 0 ? 0 : (int)(100L * Done(slices) / slices.Total);

    /// <summary>
    /// Nothing more will happen to the job: it failed or was cancelled, or it succeeded and the sink has saved all its
    /// orders or found records of its span gone. A job that succeeded while its orders are still on their way to the sink
    /// is not over yet.
    /// </summary>
    public static bool IsOver(JobStatus status) => status.State is "failed" or "cancelled" || Succeeded(status) || status.Orders.Lost > 0;

    /// <summary>Succeeded, with every order saved.</summary>
    public static bool Succeeded(JobStatus status) => status.State == "succeeded" && status.Orders.AllSaved;

    /// <summary>The job is finished but the sink has not saved all its orders yet.</summary>
    public static bool Saving(JobStatus status) => status.State is "succeeded" or "failed" or "cancelled" && !status.Orders.AllSaved && status.Orders.Lost == 0;

    /// <summary>What to tell the operator of records gone from the topics before the sink read them, within the job's span.</summary>
    public static string LostWarning(string job, long lost) =>
        $"records lost: {lost} record(s) left the data topics before the sink read them, where this job's lay; some of its records may be missing: run it again with 'backfill retry {job} --force'";
}
