using Backfill.Core.Data;

namespace Backfill.Core.Jobs;

/// <summary>A backfill: one platform, some shops, a half-open range of calendar days, a release cadence.</summary>
public sealed class JobRecord
{
    public string Id { get; set; } = "";

    public string Platform { get; set; } = "";

    public List<string> Shops { get; set; } = [];

    public DateOnly FirstDay { get; set; }

    /// <summary>Exclusive.</summary>
    public DateOnly EndDay { get; set; }

    public string TimeZone { get; set; } = "UTC";

    public int SliceDays { get; set; } = 1;

    /// <summary>The release period, or <see cref="Release.ReleaseCadence.Auto"/> (zero): whenever the platform has room.</summary>
    public TimeSpan ReleaseEvery { get; set; }

    /// <summary>Slices of each shop released per period (an <c>auto</c> job has no periods).</summary>
    public int SlicesPerRelease { get; set; } = 1;

    /// <summary>How this job shares its platform's slices in flight with the platform's other jobs.</summary>
    public JobPriority Priority { get; set; }

    /// <summary>When the current release period began: its first release. Null before the first.</summary>
    public DateTimeOffset? PeriodStartedAt { get; set; }

    /// <summary>Slices released in the current period, at most <see cref="SlicesPerRelease"/> × shops.</summary>
    public int PeriodReleased { get; set; }

    /// <summary>What each slice pulls (jobs stored before datasets existed read as orders).</summary>
    public Datasets Data { get; set; } = DatasetNames.Default;

    /// <summary>The order time the days are read by (<see cref="TimeFields"/>); null: the platform's configured one.</summary>
    public string? TimeField { get; set; }

    public JobState State { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The job's last release; null before its first.</summary>
    public DateTimeOffset? LastReleaseAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>
    /// The data topics' ends read just before the first release of the job's current run: its records lie at or after
    /// them (<see cref="RecordSpan"/>). Null for a run not released yet; empty for a job released before bounds were kept
    /// (its records counted from each partition's beginning).
    /// </summary>
    public List<TopicOffset>? RecordsFrom { get; set; }

    /// <summary>The data topics' ends read after the job finished at <see cref="RecordsToAt"/>: its records lie before them.</summary>
    public List<TopicOffset>? RecordsTo { get; set; }

    /// <summary>The <see cref="FinishedAt"/> that <see cref="RecordsTo"/> was read after; a re-run that finishes again needs a new reading.</summary>
    public DateTimeOffset? RecordsToAt { get; set; }

    /// <summary>Who asked: <c>cli</c>, <c>demo</c>, <c>api</c>, or a schedule's name.</summary>
    public string Source { get; set; } = "cli";

    public bool IsFinished => State is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    /// <summary>Moves the job and returns the transition to record.</summary>
    /// <param name="force">An operator's forced retry: <see cref="JobStateMachine.CanForce"/> decides.</param>
    public Transition MoveTo(JobState to, DateTimeOffset at, string reason, bool force = false)
    {
        if (!(force ? JobStateMachine.CanForce(State, to) : JobStateMachine.CanMove(State, to)))
        {
            throw new InvalidTransitionException($"job {Id}", State, to);
        }

        var transition = new Transition(Id, State.ToString(), to.ToString(), at, reason);
        State = to;
        FinishedAt = IsFinished ? at : null;

        return transition;
    }
}
