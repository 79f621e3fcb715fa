namespace Backfill.Core.Jobs;

/// <summary>
/// The allowed job transitions: Running ⇄ Paused; either → Cancelled by the operator, or → Succeeded | Failed once every
/// slice is finished; Failed → Running when its failed slices are retried. Cancelled is final; Succeeded is final except
/// to an operator's forced retry, which runs a finished job again (R10).
/// </summary>
public static class JobStateMachine
{
    public static bool IsActive(this JobState state) => state is JobState.Running or JobState.Paused;

    public static bool CanMove(JobState from, JobState to) => (from, to) switch
    {
        (JobState.Running, JobState.Paused) => true,
        (JobState.Paused, JobState.Running) => true,
        (JobState.Running or JobState.Paused, JobState.Cancelled or JobState.Succeeded or JobState.Failed) => true,
        (JobState.Failed, JobState.Running) => true,
        _ => false,
    };

    /// <summary>The moves a forced retry may make besides <see cref="CanMove"/>: a succeeded job runs again.</summary>
    public static bool CanForce(JobState from, JobState to) =>
        CanMove(from, to) || (from, to) is (JobState.Succeeded, JobState.Running);
}
