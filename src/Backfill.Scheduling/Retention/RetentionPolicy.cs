using Backfill.Core.Jobs;
using Backfill.Storage;

namespace Backfill.Scheduling.Retention;

/// <summary>
/// Which finished jobs' slices are due for deletion (<c>Backfill:KeepFinishedJobs</c>): those of a job finished at least
/// that long ago whose slices are not all deleted yet. Oldest first, so a run cut short resumes where it was.
/// </summary>
public static class RetentionPolicy
{
    /// <summary>The shortest retention: a failed job stays retryable for a day at least, and pruning runs daily.</summary>
    public static readonly TimeSpan Shortest = TimeSpan.FromDays(1);

    /// <summary><see cref="TimeSpan.Zero"/>: finished jobs' slices are kept for ever.</summary>
    public static bool KeepsForEver(TimeSpan keep) => keep == TimeSpan.Zero;

    /// <summary>Null when <paramref name="keep"/> is a valid <c>Backfill:KeepFinishedJobs</c>, else why not.</summary>
    public static string? Invalid(TimeSpan keep) => KeepsForEver(keep) || keep >= Shortest ? null
        : $"Backfill:KeepFinishedJobs must be at least {Shortest:c} (how long a finished job's slices stay; they are deleted daily), or {TimeSpan.Zero:c} to keep them for ever (got {keep:c}).";

    public static bool IsDue(JobRecord job, JobTotals totals, DateTimeOffset now, TimeSpan keep)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(totals);
        return !KeepsForEver(keep) && job.IsFinished && job.FinishedAt is { } finished && now - finished >= keep && !totals.Pruned;
    }

    /// <summary>The jobs of <paramref name="jobs"/> due now, the longest finished first.</summary>
    public static IReadOnlyList<JobRecord> Due(IEnumerable<JobRecord> jobs, IReadOnlyDictionary<string, JobTotals> totals, DateTimeOffset now, TimeSpan keep) =>
        [.. jobs.Where(j => totals.TryGetValue(j.Id, out var t) && IsDue(j, t, now, keep)).OrderBy(j => j.FinishedAt).ThenBy(j => j.Id, StringComparer.Ordinal)];
}
