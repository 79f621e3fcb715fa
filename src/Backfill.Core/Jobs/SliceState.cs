namespace Backfill.Core.Jobs;

/// <summary>
/// Where a slice is: Pending → Released → Running → Succeeded | Failed | Cancelled; Failed → Pending on retry; Released or
/// Running → Pending when its release failed or nothing was heard of it for too long (released again, a new attempt).
/// </summary>
public enum SliceState
{
    /// <summary>Waiting to be released, in the state store only (R1); an earlier attempt of it still on Kafka is stale.</summary>
    Pending,

    /// <summary>Its first step is on the action topic.</summary>
    Released,

    /// <summary>A worker has started a step.</summary>
    Running,

    Succeeded,
    Failed,
    Cancelled,
}
