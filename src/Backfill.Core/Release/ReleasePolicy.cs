using Backfill.Core.Jobs;

namespace Backfill.Core.Release;

/// <summary>
/// Decides how many slices of a job go to Kafka at a release tick (R1, R4). At most one batch per cadence,
/// whatever the caller's timer did: a scheduler that wakes up late, twice or after a restart still gets
/// one batch, never a burst.
/// </summary>
public static class ReleasePolicy
{
    /// <summary>
    /// Timers fire a little early or late; a tick at 90% of the cadence counts as due so one early tick does
    /// not skip a whole period, and two batches can never be closer than 90% of it.
    /// </summary>
    public const double DueFraction = 0.9;

    public static ReleaseDecision Decide(JobRecord job, ReleaseLimits limits, DateTimeOffset now)
    {
        if (job.State != JobState.Running)
        {
            return ReleaseDecision.Hold($"job is {job.State}");
        }

        if (limits.PendingSlices == 0)
        {
            return ReleaseDecision.Hold("no pending slices");
        }

        if (job.LastReleaseAt is { } last && now - last < job.ReleaseEvery * DueFraction)
        {
            return ReleaseDecision.Hold($"next release due at {last + job.ReleaseEvery:O}");
        }

        var room = limits.MaxInFlightPerPlatform - limits.InFlightOnPlatform;
        if (room <= 0)
        {
            return ReleaseDecision.Hold($"{limits.InFlightOnPlatform} slices in flight on {job.Platform} (cap {limits.MaxInFlightPerPlatform})");
        }

        var count = Math.Min(Math.Min(job.SlicesPerRelease, limits.PendingSlices), room);
        return new ReleaseDecision(count, "due");
    }
}
