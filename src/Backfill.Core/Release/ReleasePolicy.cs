using Backfill.Core.Jobs;

namespace Backfill.Core.Release;

/// <summary>
/// How many slices a job may put out now, before the platform's room is shared (R1, R4). A job with a period releases up
/// to <see cref="JobRecord.SlicesPerRelease"/> slices of each shop per period: a period starts with its first release, and
/// what the platform had no room for goes out later in the same period, never as a second batch. A scheduler that wakes
/// up late, twice or after a restart still releases one batch per period, never a burst. An <c>auto</c> job wants every
/// pending slice; the platform's cap on slices in flight and the lag gate are its brakes.
/// </summary>
public static class ReleasePolicy
{
    /// <summary>
    /// Timers fire a little early or late; a tick at 90% of the period counts as due so one early tick does not skip a
    /// whole period, and two periods can never start closer than 90% of it.
    /// </summary>
    public const double DueFraction = 0.9;

    /// <param name="pending">The job's pending slices (a count up to what it could want is enough).</param>
    public static ReleaseWant Wants(JobRecord job, int pending, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.State != JobState.Running)
        {
            return ReleaseWant.None($"job is {job.State}");
        }

        if (pending <= 0)
        {
            return ReleaseWant.None("no pending slices");
        }

        if (ReleaseCadence.IsAuto(job.ReleaseEvery))
        {
            return new ReleaseWant(pending, NewPeriod: false, "auto");
        }

        var batch = (long)job.SlicesPerRelease * Math.Max(1, job.Shops.Count);
        if (job.PeriodStartedAt is not { } start || now - start >= job.ReleaseEvery * DueFraction)
        {
            return new ReleaseWant((int)Math.Min(batch, pending), NewPeriod: true, "due");
        }

        var left = batch - job.PeriodReleased;
        return left > 0
            ? new ReleaseWant((int)Math.Min(left, pending), NewPeriod: false, "rest of the period's batch")
            : ReleaseWant.None($"next release due at {start + job.ReleaseEvery:O}");
    }

    /// <summary>Records <paramref name="released"/> slices released now under <paramref name="want"/>.</summary>
    public static void Released(JobRecord job, ReleaseWant want, int released, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(want);
        if (released <= 0)
        {
            return;
        }

        if (want.NewPeriod)
        {
            job.PeriodStartedAt = now;
            job.PeriodReleased = 0;
        }

        job.PeriodReleased += released;
        job.LastReleaseAt = now;
    }

    /// <summary>
    /// The candidates one release may send for a job: in their order, at most <see cref="JobRecord.SlicesPerRelease"/> of
    /// a shop when the job has a period (an <c>auto</c> job's shops are balanced by the lane chooser instead).
    /// </summary>
    public static IReadOnlyList<SliceRecord> PerShop(JobRecord job, IReadOnlyList<SliceRecord> candidates)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(candidates);
        if (ReleaseCadence.IsAuto(job.ReleaseEvery))
        {
            return candidates;
        }

        var taken = new Dictionary<string, int>(StringComparer.Ordinal);
        return [.. candidates.Where(s => (taken[s.Shop] = taken.GetValueOrDefault(s.Shop) + 1) <= job.SlicesPerRelease)];
    }
}

/// <summary>How many slices a job wants released now, whether releasing starts a new period, and why (when none).</summary>
public sealed record ReleaseWant(int Count, bool NewPeriod, string Reason)
{
    public static ReleaseWant None(string reason) => new(0, NewPeriod: false, reason);
}
