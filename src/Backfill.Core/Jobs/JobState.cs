namespace Backfill.Core.Jobs;

/// <summary>A job's state; Succeeded and Failed are derived from its slices.</summary>
public enum JobState
{
    Running,
    Paused,
    Cancelled,
    Succeeded,
    Failed,
}
