using Backfill.Core.Data;

namespace Backfill.Core.Jobs;

/// <summary>
/// One slice of a job: one shop, a few calendar days. Persisted as is; only the scheduler changes it.
/// </summary>
public sealed class SliceRecord
{
    /// <summary><c>{job}/{shop}/{yyyyMMdd}</c>: deterministic, so the same slice always has the same id (R5).</summary>
    public string Id { get; set; } = "";

    public string JobId { get; set; } = "";

    public string Platform { get; set; } = "";

    public string Shop { get; set; } = "";

    public DateOnly FirstDay { get; set; }

    public DateOnly EndDay { get; set; }

    public DateTimeOffset From { get; set; }

    public DateTimeOffset To { get; set; }

    public SliceState State { get; set; }

    /// <summary>Bumped on every release; progress from an older attempt is stale and ignored.</summary>
    public int Attempt { get; set; }

    /// <summary>The last step whose progress was applied in this attempt (−1 before the first).</summary>
    public int Step { get; set; } = -1;

    public string? Cursor { get; set; }

    /// <summary>The budget lane of the current attempt, of <see cref="Lanes"/> (set at release).</summary>
    public int Lane { get; set; }

    public int Lanes { get; set; }

    public int Pages { get; set; }

    /// <summary>Platform calls its steps made, over every attempt (what estimates of later runs are based on).</summary>
    public int Calls { get; set; }

    /// <summary>Orders emitted by this attempt (a redone step counts again; the sink absorbs it).</summary>
    public long Orders { get; set; }

    /// <summary>
    /// Of <see cref="Calls"/>, those made for each dataset, by name; null on slices no step of which split them (all
    /// orders': <see cref="CallsPerData"/>).
    /// </summary>
    public Dictionary<string, int>? CallsByData { get; set; }

    /// <summary>Records emitted per dataset, by name, counted as <see cref="Orders"/>; null on slices no step of which split them (<see cref="RecordsPerData"/>).</summary>
    public Dictionary<string, long>? Records { get; set; }

    /// <summary>Calls per dataset name; a slice that never split them made orders' calls only.</summary>
    public IReadOnlyDictionary<string, int> CallsPerData() =>
        CallsByData ?? (Calls > 0 ? new Dictionary<string, int> { [DatasetNames.Name(Datasets.Orders)] = Calls } : []);

    /// <summary>Records emitted per dataset name; a slice that never split them emitted orders only.</summary>
    public IReadOnlyDictionary<string, long> RecordsPerData() =>
        Records ?? (Orders > 0 ? new Dictionary<string, long> { [DatasetNames.Name(Datasets.Orders)] = Orders } : []);

    public string? Error { get; set; }

    /// <summary>What kind of error failed the current attempt (<see cref="Release.AutoRetryRule"/>); null when unknown.</summary>
    public string? Failure { get; set; }

    /// <summary>Times the scheduler released the slice again by itself after a failure.</summary>
    public int AutoRetries { get; set; }

    /// <summary>
    /// Times the slice was stuck: nothing heard of an attempt in flight for <c>Backfill:StuckAfter</c> (its step was lost),
    /// so it was put back to be released again as a new attempt. Never reset: what it says is about the slice's past.
    /// </summary>
    public int Restarts { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// When the scheduler last heard of the current attempt, on its own clock: its release, or a report of it applied.
    /// A slice in flight that nothing is heard of for <c>Backfill:StuckAfter</c> is released again. Null on slices stored
    /// before it was kept (<see cref="UpdatedAt"/> stands in).
    /// </summary>
    public DateTimeOffset? ProgressAt { get; set; }

    public static string MakeId(string jobId, string shop, DateOnly firstDay) => $"{jobId}/{shop}/{firstDay:yyyyMMdd}";

    /// <summary>Moves to <paramref name="to"/> and returns the transition to record.</summary>
    /// <param name="force">An operator's forced retry: <see cref="SliceStateMachine.CanForce"/> decides.</param>
    /// <exception cref="InvalidTransitionException">When the state machine does not allow it.</exception>
    public Transition MoveTo(SliceState to, DateTimeOffset at, string reason, bool force = false)
    {
        if (!(force ? SliceStateMachine.CanForce(State, to) : SliceStateMachine.CanMove(State, to)))
        {
            throw new InvalidTransitionException($"slice {Id}", State, to);
        }

        var transition = new Transition(Id, State.ToString(), to.ToString(), at, reason);
        State = to;
        UpdatedAt = at;
        return transition;
    }
}
